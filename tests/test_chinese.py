"""Auditors read Chinese: no English sentence in anything an auditor or inspector reads.

Covered: every note and label in the rule pack (rules, cited provisions, examples, derivations,
facts, sectors, standards, evidence), ``rules show`` for every rule, and the generated auditor
pages of the site (the standards' pages, coverage, facts, sectors, checklists, their index,
reading-a-verdict, the home page and the search page). English for developers belongs in
``dev_note`` fields and on the developer pages. Identifiers, codes, URLs, file paths and code
blocks are not sentences and are ignored; so are single Latin words (GitHub, CO, kPa, AOD炉).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import hazardrules
from hazardrules.interfaces.describe import rule_text

# Not language: URLs, `code`, and any token holding a path, identifier or code character.
_NOT_PROSE = [re.compile(r"https?://\S+"), re.compile(r"`[^`]*`"), re.compile(r"\S*[/_.:=@#\\]\S*")]
# Two or more Latin words in a row ("Two alternatives", "the item says") make an English phrase.
_WORD = r"[A-Za-z]{2,}(?:['’-][A-Za-z]+)*"
_ENGLISH = re.compile(rf"{_WORD}(?:[\s,;()\"“”'‘’]+{_WORD})+")


# English words that are never a name or a code, so even alone they mean an English remark.
_ENGLISH_WORDS = frozenset(
    {"the", "and", "of", "is", "are", "was", "were", "not", "see", "from", "with", "only", "when"}
    | {"this", "that", "which", "itself", "notice", "repost", "transcription", "note", "notes", "as"}
    | {"above", "below"}
)


def english(text: str) -> list[str]:
    """The English phrases in ``text`` (empty when it reads as Chinese)."""
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    found = [m.group(0) for m in _ENGLISH.finditer(text)]
    return found + [
        w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in _ENGLISH_WORDS and w not in " ".join(found)
    ]


def test_the_detector() -> None:
    assert english("Legal basis is 《安全生产法》第三十条") == ["Legal basis is"]
    assert english("Two alternatives: the principal person") != []
    assert english("依据 GB/T 37243-2019 计算；AOD炉、LF炉；CO 浓度；单位 kPa") == []
    assert (
        english("事实 `contractor.present` 见 https://example.com/a-b-c 和 rules/sources/gm-2023.yaml") == []
    )
    assert english("GitHub 代码检索索引中的文件 39733580072（Java 源文件）") == []
    assert english("第十四条 itself") == ["itself"] and english("北海高新区 notice（2024）") == ["notice"]


# -- the rule pack -------------------------------------------------------------------------------
DEV_ONLY = {
    "dev_note",
    "condition",
    "when",
    "id",
    "derives",
    "slug",
    "sectors",
    "standards",
    "matter",
    "as_sector",
    "short",
    "url",
    "source_url",
    "source_text",
    "text_status",
    "how",
    "type",
    "unit",
    "path",
    "role",
    "expect",
    "applies",
    "facts",
    "sector",
    "industry_codes",
    "excludes",
}


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            if name not in DEV_ONLY:
                yield from _strings(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}[{key}]")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
    elif isinstance(value, str):
        yield where, value


def pack_strings(pack: hazardrules.Pack) -> Iterator[tuple[str, str]]:
    for name, fact in pack.facts.items():
        yield from _strings(fact, f"fact {name}")
    for name, sector in pack.sectors.items():
        yield from _strings(sector, f"sector {name}")
    if pack.industries is not None:
        data = pack.industries
        yield from _strings(data.classification, "industries.classification")
        yield from _strings(data.mappings, "industries.mappings")
        yield from _strings(data.elsewhere, "industries.elsewhere")
        yield from _strings(data.words, "industries.words")
    for standard in pack.standards.values():
        yield from _strings(standard.meta, f"standard {standard.slug}")
        for provision_id, provision in standard.provisions.items():
            yield from _strings(provision, provision_id)
        for rule in standard.parsed_rules:
            yield from _strings(rule, rule.id)
        for derivation in standard.derivations:
            yield from _strings(derivation.spec, derivation.spec.id)
        for reading_id, reading in standard.readings.items():
            yield from _strings(reading, reading_id)
    for derivation in pack.lifted:
        yield from _strings(derivation.spec, derivation.spec.id)
    for kind, spec in pack.installation_kinds.items():
        yield from _strings(spec, f"installation kind {kind}")


def test_pack_notes_and_labels_are_chinese(pack: hazardrules.Pack) -> None:
    found = [f"{where}: {phrases}" for where, text in pack_strings(pack) if (phrases := english(text))]
    assert not found, f"{len(found)} English string(s) in the rule pack:\n" + "\n".join(found[:40])


def test_rules_show_is_chinese(pack: hazardrules.Pack) -> None:
    found = []
    for rule in pack.compiled_rules():
        for line in rule_text(pack, rule).splitlines():
            if phrases := english(line):
                found.append(f"{rule.id}: {phrases} in {line.strip()[:80]!r}")
    assert not found, "\n".join(found[:40])


# -- the site --------------------------------------------------------------------------------------
class _Visible(HTMLParser):
    """The text a reader sees (and the attributes a reader meets: placeholders, titles, alt text)."""

    HIDDEN = frozenset({"pre", "code", "script", "style", "kbd", "samp"})
    SHOWN_ATTRIBUTES = frozenset({"placeholder", "title", "alt", "aria-label", "value"})

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif not self.hidden:
            self.text += [value for key, value in attrs if key in self.SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)


def auditor_pages(site: Path) -> list[Path]:
    pages = sorted((site / "rules").rglob("*.html"))
    return [*pages, site / "index.html", site / "reading-a-verdict.html", site / "search.html"]


def test_auditor_pages_are_chinese(site: Path) -> None:
    found = []
    for page in auditor_pages(site):
        parser = _Visible()
        parser.feed(page.read_text(encoding="utf-8"))
        for chunk in parser.text:
            if phrases := english(chunk):
                found.append(f"{page.relative_to(site)}: {phrases} in {chunk.strip()[:80]!r}")
    assert not found, f"{len(found)} English phrase(s) on auditor pages:\n" + "\n".join(found[:40])


def test_site_chrome_is_chinese(site: Path) -> None:
    html = (site / "rules" / "gm-2023.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in html
    assert ("快速搜索" in html and ">提交<" not in html) or 'value="提交"' in html
    assert "开发者文档" in (site / "index.html").read_text(encoding="utf-8")
    assert "搜索完成" in (site / "_static" / "zh-messages.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("word", ["For developers", "Search", "Related Topics", "Powered by"])
def test_no_english_chrome_word(site: Path, word: str) -> None:
    parser = _Visible()
    parser.feed((site / "rules" / "checklists" / "metallurgy.html").read_text(encoding="utf-8"))
    assert not any(word in chunk for chunk in parser.text)


# -- what a verdict says, the register, the table and the text --------------------------------------
def test_every_code_has_a_chinese_meaning() -> None:
    from hazardrules.verdict.codes import codes

    found = [f"{c.code}: {phrases}" for c in codes() if (phrases := english(c.meaning)) or not c.meaning]
    assert not found, "\n".join(found)


# Findings that reach the warnings, notes and gaps the rule examples do not.
_SITUATIONS: list[dict[str, Any]] = [
    {
        "sector": "metallurgy",
        "observed_on": "2025-01-01",
        "facts": {"enterprise.hazchem_unit": True, "hazchem.incompatible_mixed_storage": True},
    },
    {"sector": "textile", "facts": {"hazchem.incompatible_mixed_storage": True}},
    {"sector": "machinery", "facts": {"blast_furnace.present": True}},
    {"sector": "metallurgy", "observed_on": "2030-01-01", "facts": {"contractor.present": False}},
    {"sector": "hazchem_trading", "observed_on": "2026-11-20", "facts": {"enterprise.hazchem_unit": True}},
    {"sector": "power", "observed_on": "2026-01-01", "facts": {"contractor.present": False}},
    {"sector": "metal_mine_underground", "facts": {"contractor.present": False}},
]


def _verdicts(pack: hazardrules.Pack) -> Iterator[hazardrules.Verdict]:
    """Every rule example classified, on its own date and on days that bring gaps and references,
    and the situations above."""
    from hazardrules.interfaces.describe import example_of

    for finding in _SITUATIONS:
        yield hazardrules.classify(finding, pack=pack)
    for rule in pack.compiled_rules():
        for example in rule.spec.examples:
            finding = example_of(pack, rule, example)["finding"]
            for day in (finding.get("observed_on"), "2026-11-20"):
                try:
                    yield hazardrules.classify({**finding, "observed_on": day}, pack=pack)
                except hazardrules.FindingError:
                    continue


def _messages(verdict: hazardrules.Verdict) -> Iterator[tuple[str, str]]:
    for notice in [*verdict.warnings, *verdict.notes]:
        yield notice.code, notice.message
    for gap in verdict.gaps:
        yield gap.code, gap.message
    for reference in verdict.reference:
        yield reference.code, reference.message


def test_every_warning_note_gap_and_reference_message_is_chinese(pack: hazardrules.Pack) -> None:
    from hazardrules.verdict.codes import CODES

    seen: set[str] = set()
    found = []
    unknown = []
    for verdict in _verdicts(pack):
        for code, message in _messages(verdict):
            seen.add(code)
            if code not in CODES:
                unknown.append(code)
            if phrases := english(message):
                found.append(f"{code}: {phrases} in {message[:80]!r}")
    assert not unknown, f"codes not in verdict/codes.py: {sorted(set(unknown))}"
    assert not found, "\n".join(found[:40])
    # Every kind of message a verdict of the shipped pack can carry is met (a catch-all rule is not in
    # the shipped pack, so `catch_all_not_assessed` is not); the codes table covers every meaning.
    reached = {"fact_not_read", "value_not_read", "nothing_examined", "date_in_future", "deferred_applied"}
    reached |= {"deferred_unavailable", "standard_not_encoded", "standard_status_unknown"}
    reached |= {"no_standard_in_force", "superseded_reference"}
    assert reached <= seen, reached - seen


def test_the_register_reads_as_chinese(pack: hazardrules.Pack) -> None:
    from hazardrules.interfaces.register import render_text

    found = []
    for document in pack.register.values():
        for field in ("title", "issuer", "kind", "ends_basis", "not_encoded_reason", "notes"):
            if phrases := english(getattr(document, field) or ""):
                found.append(f"{document.id}.{field}: {phrases}")
    text = render_text(hazardrules.standards(pack=pack), None)
    found += [f"standards: {p} in {line!r}" for line in text.splitlines() if (p := english(line))]
    assert not found, "\n".join(found[:40])


def test_table_headers_and_verdict_text_are_chinese(pack: hazardrules.Pack) -> None:
    from hazardrules.interfaces.verdict_view import COLUMNS, render_text

    found = [f"header {c.title!r}: {p}" for c in COLUMNS if (p := english(c.title))]
    for number, verdict in enumerate(_verdicts(pack)):
        if number % 7:  # a spread of verdicts of every kind is enough for the wording of the text
            continue
        for line in render_text(verdict, pack).splitlines():
            if phrases := english(line):
                found.append(f"{verdict.status}: {phrases} in {line.strip()[:80]!r}")
    assert not found, "\n".join(found[:40])
