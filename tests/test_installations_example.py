"""The one worked multi-installation example (a fireworks plant with three storehouses) that the README
and the documentation show: every value they show is what the library gives."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import hazardrules
from hazardrules.interfaces.cli import example_finding

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = json.loads((REPO / "examples" / "fireworks-storehouses.json").read_text(encoding="utf-8"))


def _section_json_blocks() -> list[Any]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## One site, many installations", 1)[1].split("\n## ", 1)[0]
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]


def _shown_in(shown: Any, real: Any, where: str = "verdict") -> None:
    """Every key and value ``shown`` is in ``real`` (lists element by element, of the same length)."""
    if isinstance(shown, dict):
        assert isinstance(real, dict), where
        for key, value in shown.items():
            assert key in real, f"{where}.{key} is not in the verdict"
            _shown_in(value, real[key], f"{where}.{key}")
    elif isinstance(shown, list):
        assert isinstance(real, list) and len(shown) == len(real), where
        for index, (a, b) in enumerate(zip(shown, real, strict=True)):
            _shown_in(a, b, f"{where}[{index}]")
    else:
        assert shown == real, f"{where}: the README shows {shown!r}, the verdict has {real!r}"


def test_readme_shows_the_bundled_example_and_its_real_verdict() -> None:
    finding, verdict = _section_json_blocks()
    assert finding == EXAMPLE == json.loads(example_finding("fireworks-storehouses"))
    real = hazardrules.classify(EXAMPLE).model_dump(mode="json")
    _shown_in(verdict, real)
    assert verdict["hits"][0]["installation"]["id"] == "2号成品库"


def test_the_storehouse_over_its_charge_is_the_one_named() -> None:
    verdict = hazardrules.classify(EXAMPLE)
    over = [
        i["id"]
        for i in EXAMPLE["installations"]
        if i["facts"]["fireworks.building_composition_kg"]
        > i["facts"]["fireworks.building_approved_composition_kg"]
    ]
    assert verdict.status == "major"
    assert [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits] == [
        ("fw-2017:5", over[0])
    ]


def test_what_the_readme_says_of_the_variants() -> None:
    within = copy.deepcopy(EXAMPLE)
    within["installations"][1]["facts"]["fireworks.building_composition_kg"] = 900
    verdict = hazardrules.classify(within)
    assert verdict.status == "not_major"
    assert [(c.rule, c.installation.id if c.installation else None) for c in verdict.cleared] == [
        ("fw-2017:5", i["id"]) for i in EXAMPLE["installations"]
    ]
    assert verdict.cleared[1].because["fireworks.building_composition_kg"] == 900
    unknown = copy.deepcopy(EXAMPLE)
    del unknown["installations"][1]["facts"]["fireworks.building_composition_kg"]
    verdict = hazardrules.classify(unknown)
    assert verdict.status == "undetermined" and not verdict.cleared
    assert [u.installation.id for u in verdict.undetermined if u.installation] == ["2号成品库"]
    assert "fireworks.building_composition_kg" in verdict.missing_facts


def test_the_site_shows_the_verdict_the_library_gives(site: Path) -> None:
    generated = REPO / "docs" / "_generated"
    shown = json.loads((generated / "fireworks-storehouses.verdict.json").read_text(encoding="utf-8"))
    assert shown == hazardrules.classify(EXAMPLE).model_dump(mode="json")
    page = (site / "json-shapes.html").read_text(encoding="utf-8")
    assert "2号成品库" in page and "kind_name" in page
    text = (site / "reading-a-verdict.html").read_text(encoding="utf-8")
    assert "fw-2017 第五项［工（库）房 2号成品库］" in text
