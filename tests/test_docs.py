"""The Sphinx site builds with warnings as errors, and its rule pages say what the pack says."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import hazardrules
from hazardrules.pack.sources import find_sources_dir, load_source

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(REPO / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def text_of(page: Path) -> str:
    return re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))


def test_every_rule_has_its_anchor_text_and_status(site: Path, pack: hazardrules.Pack) -> None:
    for slug in pack.standards:
        html = (site / "rules" / f"{slug}.html").read_text(encoding="utf-8")
        for rule in pack.compiled_rules(slug):
            anchor = rule.id.replace(":", "-").replace(".", "-")
            assert f'id="{anchor}"' in html, rule.id
            assert rule.spec.text in html, rule.id


def test_unencoded_provisions_are_listed_not_hidden(site: Path, pack: hazardrules.Pack) -> None:
    sources = find_sources_dir(REPO)
    assert sources is not None
    for slug, standard in pack.standards.items():
        source = load_source(sources, slug, standard.names)
        assert source is not None
        page = text_of(site / "rules" / f"{slug}.html")
        encoded = {r.path for r in standard.rules} | {p.split(":")[1] for p in standard.provisions}
        leaves = source.situations()
        for item in leaves:
            if item.path not in encoded:
                assert f"{slug}:{item.path}" in page, (slug, item.path)
        if any(i.path not in encoded for i in leaves):
            assert "未编码" in page
        coverage = text_of(site / "rules" / "coverage.html")
        for missing in standard.unencoded:
            assert f"{slug}:{missing.path}" in coverage and missing.reason in coverage, (slug, missing.path)


def test_coverage_matches_rules_list(
    site: Path, pack: hazardrules.Pack, capsys: pytest.CaptureFixture[str]
) -> None:
    from hazardrules.interfaces.cli import main

    table = (REPO / "docs" / "rules" / "coverage.md").read_text(encoding="utf-8")
    for slug in pack.standards:
        row = next(line for line in table.splitlines() if f"<std-{slug}>" in line)
        cells = [c.strip() for c in row.strip("|").split("|")]
        rules_count, verified, unverified = int(cells[2]), int(cells[5]), int(cells[6])
        assert main(["rules", "list", "--standard", slug, "--format", "json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert rules_count == len(listed)
        assert verified == sum(1 for r in listed if r["text_status"] == "verified")
        assert unverified == len(listed) - verified
    assert "编码覆盖情况" in text_of(site / "rules" / "coverage.html")


def test_facts_page_has_reverse_index(site: Path, pack: hazardrules.Pack) -> None:
    page = (site / "rules" / "facts.html").read_text(encoding="utf-8")
    assert "contractor-present" in page
    assert "gm-2023:3.1" in page


def test_chinese_search_finds_clause_words(site: Path) -> None:
    raw = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    docs = index["docnames"]
    hits = index["terms"]["承包"]
    pages = {docs[i] for i in (hits if isinstance(hits, list) else [hits])}
    assert "rules/gm-2023" in pages


def test_checklist_pages_exist_for_every_sector_with_rules(site: Path, pack: hazardrules.Pack) -> None:
    for sector in pack.sectors:
        if pack.standards_for(sector) and any(s.by_sector.get(sector) for s in pack.standards_for(sector)):
            assert (site / "rules" / "checklists" / f"{sector}.html").is_file(), sector
