"""The Sphinx site builds with warnings as errors, and its rule pages say what the pack says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import hazardrules
from hazardrules.pack.sources import load_source

REPO = Path(__file__).resolve().parents[1]


def text_of(page: Path) -> str:
    return re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8"))


def test_every_rule_has_its_anchor_text_and_status(site: Path, pack: hazardrules.Pack) -> None:
    for slug in pack.standards:
        html = (site / "rules" / f"{slug}.html").read_text(encoding="utf-8")
        for rule in pack.compiled_rules(slug):
            anchor = rule.id.replace(":", "-").replace(".", "-")
            assert f'id="{anchor}"' in html, rule.id
            assert rule.spec.text in html, rule.id


def test_unencoded_provisions_are_listed_not_hidden(
    site: Path, pack: hazardrules.Pack, sources_dir: Path
) -> None:
    for slug, standard in pack.standards.items():
        source = load_source(sources_dir, slug, standard.meta.document_number, names=standard.names)
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


def search_index(site: Path) -> dict[str, Any]:
    raw = (site / "searchindex.js").read_text(encoding="utf-8")
    index: dict[str, Any] = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    return index


def test_search_index_holds_character_pairs(site: Path) -> None:
    """Chinese text is indexed as pairs of adjacent characters, as the browser splits a query."""
    index = search_index(site)
    page = index["docnames"].index("rules/gm-2023")
    for pair in ("特种", "种作", "作业", "有限", "限空", "空间", "承包"):
        hits = index["terms"][pair]
        assert page in (hits if isinstance(hits, list) else [hits]), pair
    assert "特种作业" not in index["terms"]  # no dictionary words: a query is matched pair by pair
    language_data = (site / "_static" / "language_data.js").read_text(encoding="utf-8")
    assert "function splitQuery" in language_data and "\\p{Script=Han}" in language_data


def test_every_clause_is_a_search_object_with_its_anchor(site: Path, pack: hazardrules.Pack) -> None:
    index = search_index(site)
    # two versions of a standard may share a clause word for word (cs-2022 and cs-2024): key by page too
    names = {
        (f"{prefix}.{entry[4]}" if prefix else entry[4], index["docnames"][entry[0]]): entry
        for prefix, entries in index["objects"].items()
        for entry in entries
    }
    types = {int(k): v for k, v in index["objnames"].items()}
    for rule in pack.compiled_rules():
        entry = names[(f"{rule.spec.label}　{rule.spec.text}", f"rules/{rule.standard}")]
        assert entry[3] == rule.id.replace(":", "-").replace(".", "-")
        assert types[entry[1]][:2] == ["clause", "rule"]


def test_rule_pages_cite_the_publication_and_name_mirrors_without_linking(
    site: Path, pack: hazardrules.Pack
) -> None:
    for slug, standard in pack.standards.items():
        html = (site / "rules" / f"{slug}.html").read_text(encoding="utf-8")
        publication = standard.meta.official_publication
        if publication is None or publication.url is None:  # not located (road-2023): said, never guessed
            assert "发布机关的发布页面尚未查到" in html, slug
        else:
            assert html.count(f'href="{publication.url}"') >= 1 + len(standard.rules)  # page + every rule
        text = html.replace("&amp;", "&")
        for rule in standard.rules:
            for entry in rule.spec.evidence:
                if entry.url and entry.how == "mirror":  # named as code, not linked, under its kind
                    code = '<code class="docutils literal notranslate"><span class="pre">'
                    shown_as_code = code + entry.url
                    assert f"非官方网站转载（镜像）：{shown_as_code}" in text
                elif entry.url:
                    assert f'href="{entry.url}"' in text


def test_checklist_items_have_answer_boxes_with_options(site: Path, pack: hazardrules.Pack) -> None:
    from hazardrules.interfaces.checklist import checklist

    html = (site / "rules" / "checklists" / "metallurgy.html").read_text(encoding="utf-8")
    sheet = checklist("metallurgy", pack=pack)
    for item in sheet.items:
        for question in item.questions:
            assert question.question in html
            for label in (question.values or {}).values():
                assert f'<span class="answer-option">☐ {label}</span>' in html
    assert '<span class="answer-option">☐ 是</span>' in html


def test_print_stylesheet_hides_navigation_and_keeps_rows_whole(site: Path) -> None:
    css = (site / "_static" / "hazardrules.css").read_text(encoding="utf-8")
    printing = css[css.index("@media print") :]
    assert "div.sphinxsidebar" in printing and "display: none" in printing
    assert "break-inside: avoid" in printing and "size: A4" in css
    assert "hazardrules.css" in (site / "rules" / "gm-2023.html").read_text(encoding="utf-8")


def test_checklist_pages_exist_for_every_sector_with_rules(site: Path, pack: hazardrules.Pack) -> None:
    for sector in pack.sectors:
        if pack.standards_for(sector) and any(s.by_sector.get(sector) for s in pack.standards_for(sector)):
            assert (site / "rules" / "checklists" / f"{sector}.html").is_file(), sector


def test_register_page_lists_every_document_with_its_status(site: Path, pack: hazardrules.Pack) -> None:
    import datetime as dt

    from hazardrules.interfaces.register import ENCODING_WORDS

    html = (site / "rules" / "register.html").read_text(encoding="utf-8")
    page = text_of(site / "rules" / "register.html")
    assert "标准清单与收录状态" in page
    entries = hazardrules.standards(dt.date.today(), pack=pack)
    assert len(entries) == len(pack.register) > 20
    for entry in entries:
        assert f'id="register-{entry.id}"' in html, entry.id
        number = f"（{entry.document_number}）" if entry.document_number else ""
        section = page.split(f"《{entry.title}》{number}", 1)[1]  # its row of the summary table
        assert ENCODING_WORDS[entry.encoding] in section[:400], entry.id
        if entry.document_number:
            assert entry.document_number in page, entry.id
        for name in entry.sector_names:
            assert name in page, (entry.id, name)
        if entry.successor:
            assert pack.register[entry.successor].title in page
    # Superseded and not-yet-effective documents say so; AQ 3067—2026 governs chemicals from 2026-09-30.
    assert "已不再施行（2026-09-30 起）" in page or dt.date.today() < dt.date(2026, 9, 30)


def test_every_standard_page_links_its_register_entry(site: Path, pack: hazardrules.Pack) -> None:
    for slug in pack.standards:
        html = (site / "rules" / f"{slug}.html").read_text(encoding="utf-8")
        assert f'href="register.html#register-{slug}"' in html, slug
        assert "本标准在标准清单中的状态" in html


def test_coverage_lists_every_document_of_the_register(site: Path, pack: hazardrules.Pack) -> None:
    coverage = (REPO / "docs" / "rules" / "coverage.md").read_text(encoding="utf-8")
    for document_id in pack.register:
        assert f"register.md#register-{document_id}" in coverage, document_id
