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
    assert result.candidates[0].rule == "gm-2023:3.2" and result.elsewhere is None


EVAL_TEXTS = [
    "铝压铸车间铝水保温炉旁炉下渣坑内有非生产性积水",
    "熔炼炉冷却水进出水流量差监测报警装置失效",
    "外包单位的安全生产工作没有统一协调管理",
    "除尘器未设置泄爆装置",
    "使用非水性漆的喷漆室未设置固定式可燃气体浓度监测报警装置",
]


@pytest.mark.parametrize("text", EVAL_TEXTS)
@pytest.mark.parametrize("sector", ["machinery", "nonferrous", "light_industry", "metallurgy"])
def test_elsewhere_is_another_standard_that_fits_better(text: str, sector: str) -> None:
    """Never the same standard (gm-2023:5.2 is not 'another sector's standard' for 机械), and only when
    it scores better than every in-sector candidate."""
    result = hazardrules.suggest(text, sector=sector)
    if result.elsewhere is None:
        return
    own = {s.slug for s in PACK.standards_for(sector)}
    assert PACK.compiled_rule(result.elsewhere.rule).standard not in own
    assert not result.candidates or result.elsewhere.score > result.candidates[0].score


def test_the_same_obligation_in_several_standards_is_one_candidate() -> None:
    result = hazardrules.suggest("动火作业人员无焊工证")
    top = result.candidates[0]
    assert top.rule == "gm-2023:3.2" and "fw-2017:2" in top.same_in
    assert "fw-2017:2" not in [c.rule for c in result.candidates]
    fireworks = hazardrules.suggest("动火作业人员无焊工证", sector="fireworks_production")
    assert fireworks.candidates[0].rule == "fw-2017:2" and "gm-2023:3.2" in fireworks.candidates[0].same_in


@pytest.mark.parametrize("text", ["叉车司机无证驾驶叉车作业", "起重机司机未取得特种设备作业人员证上岗"])
def test_special_equipment_operators_are_not_special_operations(text: str) -> None:
    result = hazardrules.suggest(text)
    special = {"gm-2023:3.2", "hc-2017:2", "fw-2017:2"}
    assert not result.candidates or result.candidates[0].rule not in special
    assert any("特种设备作业人员" in note and "第二条" in note for note in result.notes)
    welder = hazardrules.suggest("电焊工未取得特种作业操作证上岗")
    assert welder.candidates[0].rule == "gm-2023:3.2" and welder.notes == []


@pytest.mark.parametrize(
    ("text", "document"),
    [
        ("马跳水库上游导流明渠水位尺丢失，部分临时排水沟堵塞", "water-2017"),
        ("校门口马路上无斑马线，家长接送学生时存在安全隐患", "edu-2024"),
    ],
)
def test_text_outside_every_encoded_standard_says_so(text: str, document: str) -> None:
    result = hazardrules.suggest(text)
    assert result.no_match and result.message and "没有与之相符的已编码条款" in result.message
    assert document in {u.id for u in result.unencoded}
    assert all(c.confidence < 0.2 for c in result.candidates)


def test_a_clear_description_is_confident() -> None:
    result = hazardrules.suggest("熔炼炉冷却水进出水流量差监测报警装置失效", sector="machinery")
    assert not result.no_match and result.message is None
    assert result.candidates[0].confidence >= 0.5
    assert all(0 <= c.confidence <= 1 for c in result.candidates)


def test_superseded_versions_are_not_candidates() -> None:
    import datetime as dt

    today = dt.date.today()
    for text in EVAL_TEXTS:
        for candidate in hazardrules.suggest(text, k=10).candidates:
            assert PACK.standards[PACK.compiled_rule(candidate.rule).standard].in_force(today)


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
    assert "不是判定结论" in out and "gm-2023:11.3" in out and "confidence" in out
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
