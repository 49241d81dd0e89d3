"""suggest(): candidate clauses for free text, never a verdict."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules.interfaces.cli import main

PACK = hazardrules.load_pack()


def test_a_description_finds_its_clause_and_says_it_is_not_a_verdict() -> None:
    result = hazardrules.suggest("外包单位的安全生产工作没有统一协调管理", sector="冶金")
    assert result.candidates[0].rule == "gm-2023:3.1"
    assert "不是判定结论" in result.note
    top = result.candidates[0]
    assert top.text == PACK.rule("gm-2023:3.1").text and top.citation.label == "第三条第（一）项"
    assert {q.fact for q in top.confirm} == set(PACK.compiled_rule("gm-2023:3.1").condition.facts)
    assert any("同义" in word for word in top.matched)  # 外包 → 承包单位


def test_sector_filter_and_the_best_match_elsewhere() -> None:
    result = hazardrules.suggest("特种作业人员未持证上岗", sector="metallurgy")
    assert all(c.in_sector for c in result.candidates)
    assert all("metallurgy" in PACK.compiled_rule(c.rule).sectors for c in result.candidates)
    everywhere = hazardrules.suggest("特种作业人员未持证上岗")
    if everywhere.candidates[0].rule not in {c.rule for c in result.candidates}:
        assert result.elsewhere is not None and result.elsewhere.rule == everywhere.candidates[0].rule
        assert not result.elsewhere.in_sector


def test_failed_device_suggests_citing_article_14() -> None:
    result = hazardrules.suggest("熔炼炉冷却水进出水流量差监测报警装置失效", sector="machinery")
    top = result.candidates[0]
    assert top.rule == "gm-2023:7.4"
    assert "gm-2023:14" in top.also_cites


@pytest.mark.parametrize("text", ["", "   ", "hello world", "12345", "！？。", "PM2.5 超标"])
def test_empty_and_non_chinese_text_gives_no_candidate_or_valid_ones(text: str) -> None:
    result = hazardrules.suggest(text)
    for candidate in result.candidates:
        assert candidate.score > 0 and candidate.rule in PACK.rule_index


def test_long_text_is_truncated_and_says_so() -> None:
    result = hazardrules.suggest("除尘系统未设置锁气卸灰装置。" * 400)
    assert result.truncated and len(result.text) == 2000
    assert result.candidates[0].rule == "gm-2023:11.6"


@given(st.text(max_size=300))
@settings(max_examples=150, deadline=None)
def test_any_text_gives_suggestions_deterministically(text: str) -> None:
    first = hazardrules.suggest(text, k=3)
    assert len(first.candidates) <= 3
    assert first == hazardrules.suggest(text, k=3)
    scores = [c.score for c in first.candidates]
    assert scores == sorted(scores, reverse=True)


def test_bad_arguments() -> None:
    with pytest.raises(hazardrules.HazardRulesError, match="k must be at least 1"):
        hazardrules.suggest("粉尘", k=0)
    with pytest.raises(hazardrules.FindingError, match="unknown sector"):
        hazardrules.suggest("粉尘", sector="mining")
    with pytest.raises(hazardrules.HazardRulesError, match="needs text"):
        hazardrules.suggest(None)  # type: ignore[arg-type]


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "除尘器未设置泄爆装置", "--sector", "machinery", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "不是判定结论" in out and "gm-2023:11.3" in out
    assert main(["suggest", "除尘器未设置泄爆装置", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["candidates"][0]["rule"] == "gm-2023:11.3" and "note" in data


def test_evaluation_harness_runs(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "benchmarks" / "suggest_eval.py"
    spec = importlib.util.spec_from_file_location("suggest_eval", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    items = module.load()
    assert items and all(item["source_url"].startswith("http") for item in items)
    assert all(label.split(":")[0] in PACK.standards for item in items for label in item["labels"])
    assert module.main() == 0
    assert "| suggest (jieba + BM25 + synonyms) |" in capsys.readouterr().out
