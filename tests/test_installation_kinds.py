"""Installation kinds that are cases of a broader kind (is_a), rules and sectors that name their kind, and
the loader's errors when they do not fit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import hazardrules
from hazardrules.errors import PackError

SE = "facts/special_equipment.yaml"
SE_RULES = "standards/se-2024.yaml"


def edit(root: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    file = root / name
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def load_errors(root: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        hazardrules.load_pack(root)
    return [str(p) for p in caught.value.problems]


def test_lineage(pack: hazardrules.Pack) -> None:
    assert pack.kind_lineage("boiler") == ("boiler", "special_equipment")
    assert pack.kind_lineage("special_equipment") == ("special_equipment",)
    assert pack.kind_lineage("gas_tank") == ("gas_tank",)


def test_units_take_the_narrowest_kind(pack: hazardrules.Pack) -> None:
    assert pack.compiled_rule("se-2024:4.1.a").kind == "special_equipment"
    assert pack.compiled_rule("se-2024:4.2.c").kind == "boiler"  # reads se.in_use and a boiler fact
    assert pack.compiled_rule("se-2024:4.2.a").kind == "boiler"  # reads only device facts, names its kind


BREAKAGES: list[tuple[str, str, Callable[[dict[str, Any]], None], str]] = [
    (
        "unknown broader kind",
        SE,
        lambda d: d["installations"]["boiler"].update(is_a="special_equipments"),
        "boiler: is_a: unknown installation kind 'special_equipments'",
    ),
    (
        "cycle",
        SE,
        lambda d: d["installations"]["special_equipment"].update(is_a="boiler"),
        "is_a: the kinds form a cycle",
    ),
    (
        "rule reads another kind's facts than it names",
        SE_RULES,
        lambda d: rule(d, "se-2024:4.2.a").update(
            condition='se.in_use and se.crane.emergency_stop == "failed"'
        ),
        "se-2024:4.2.a: applies.installation is boiler, but the rule reads facts of crane",
    ),
    (
        "unknown kind named by a rule",
        SE_RULES,
        lambda d: rule(d, "se-2024:4.2.a")["applies"].update(installation="boilers"),
        "se-2024:4.2.a: applies.installation: unknown installation kind 'boilers'",
    ),
    (
        "unknown kind named by a sector",
        "sectors.yaml",
        lambda d: d["sectors"]["boilers"].update(installation="boilr"),
        "boilers: unknown installation kind 'boilr'",
    ),
]


@pytest.mark.parametrize(("what", "file", "change", "expected"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_broken_kinds_are_load_errors(
    pack_copy: Path, what: str, file: str, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    edit(pack_copy, file, change)
    errors = load_errors(pack_copy)
    assert any(expected in e for e in errors), (what, errors)


def test_a_derivation_may_conclude_for_a_device_from_its_broader_kinds_facts(pack_copy: Path) -> None:
    def add(data: dict[str, Any]) -> None:
        data.setdefault("derivations", []).append(
            {
                "id": "se-2024:test-out-of-use",
                "derives": "se.boiler.power_station",
                "value": False,
                "when": "not se.in_use",
                "basis": "test",
            }
        )

    edit(pack_copy, SE_RULES, add)
    hazardrules.load_pack(pack_copy)  # loads: a boiler fact from a fact of every device

    def wrong(data: dict[str, Any]) -> None:
        data["derivations"][-1].update(derives="se.in_use", value=False, when="se.boiler.power_station")

    edit(pack_copy, SE_RULES, wrong)
    assert any("from facts of another installation kind (boiler)" in e for e in load_errors(pack_copy))
