"""Every rule's quoted text against the official texts that ship with the pack (rules/sources)."""

from __future__ import annotations

from pathlib import Path

import pytest

import hazardrules
from hazardrules.pack.sources import load_source, text_matches

PACK = hazardrules.load_pack()
RULES = [r for r in PACK.compiled_rules()]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_text_equals_source(rule, sources_dir: Path) -> None:  # type: ignore[no-untyped-def]
    standard = PACK.standards[rule.standard]
    source = load_source(sources_dir, rule.standard, standard.meta.document_number, names=standard.names)
    assert source is not None, f"no source for {rule.standard}"
    item = source.items.get(rule.path)
    assert item is not None, f"{rule.id}: path {rule.path} is not in the source"
    spec = rule.spec
    if spec.deviation is not None:
        assert spec.deviation.source_text in (item.text, (item.text or "")[:-1])
        assert spec.deviation.url.startswith("http")
    else:
        assert text_matches(spec.text, item.text), f"{rule.id}: {spec.text!r} != {item.text!r}"
        expected = "verified" if item.status == "verified" else "unverified"
        assert spec.text_status == expected


def test_text_match_allows_only_the_closing_punctuation() -> None:
    assert text_matches("未持证上岗的", "未持证上岗的；")
    assert text_matches("未持证上岗的", "未持证上岗的。")
    assert not text_matches("未持证上岗", "未持证上岗的；")
    assert not text_matches("未持证上岗的；", "未持证上岗的")
    assert not text_matches("未持证上岗的", None)


def test_standard_metadata_equals_source(pack: hazardrules.Pack, sources_dir: Path) -> None:
    for slug in pack.standards:
        meta = pack.standard(slug)
        source = load_source(sources_dir, slug, meta.document_number)
        assert source is not None
        assert (meta.title, meta.document_number) == (source.title, source.document_number)
