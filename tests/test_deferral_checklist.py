"""工贸 第二条 deferral and the inspection checklist."""

from __future__ import annotations

import json

import pytest

import hazardrules
from hazardrules.interfaces.cli import main

MATTERS = ["hazardous_chemicals", "fire", "gas", "special_equipment"]


@pytest.mark.parametrize("matter", MATTERS)
def test_deferred_matter_is_never_not_major(matter: str) -> None:
    verdict = hazardrules.classify({"sector": "metallurgy", "facts": {f"matter.{matter}": True}})
    assert verdict.status == "undetermined"
    (deferred,) = verdict.deferred
    assert deferred.matter == matter
    assert deferred.cited.citation.label == "第二条"
    assert deferred.cited.text.startswith("本标准适用于判定冶金")
    assert deferred.in_pack == any(s in hazardrules.load_pack().standards for s in deferred.standards)
    (note,) = verdict.notes
    assert note.code.startswith("deferred_") and "第二条规定适用" in note.message


def test_deferral_does_not_hide_a_hit() -> None:
    verdict = hazardrules.classify(
        {"sector": "metallurgy", "facts": {"matter.fire": True, "special_worker.uncertified_on_duty": True}}
    )
    assert verdict.status == "major" and verdict.deferred


def test_matter_flag_false_is_not_a_deferral() -> None:
    verdict = hazardrules.classify(
        {"sector": "metallurgy", "facts": {"matter.fire": False, "contractor.present": False}}
    )
    assert verdict.status == "not_major" and verdict.deferred == []


def test_checklist_is_what_a_whole_site_classification_still_asks() -> None:
    sheet = hazardrules.checklist("metallurgy")
    verdict = hazardrules.classify(
        {"sector": "metallurgy", "facts": {q.fact: False for q in sheet.other_scopes}}, complete=True
    )
    assert [i.rule for i in sheet.items] == [u.rule for u in verdict.undetermined]
    asked = [q.fact for item in sheet.items for q in item.questions]
    asked += [a.fact for item in sheet.items for q in item.questions for a in q.alternatives]
    assert set(verdict.missing_facts) <= set(asked)
    for item in sheet.items:
        for question in item.questions:
            assert "？" in question.question, question.fact


def test_checklist_with_scope_adds_the_special_rules() -> None:
    plain = hazardrules.checklist("metallurgy")
    shorts = [q.fact for q in plain.other_scopes]
    pack = hazardrules.load_pack()
    for short in [s.short for s in pack.facts.values() if s.short and s.short]:
        fact = next(n for n, s in pack.facts.items() if s.short == short)
        if fact not in shorts:
            continue
        sheet = hazardrules.checklist("metallurgy", with_=[short])
        assert len(sheet.items) > len(plain.items)
        assert any(a.fact == fact and a.value for a in sheet.scope)


def test_checklist_unknown_scope() -> None:
    with pytest.raises(hazardrules.HazardRulesError, match="unknown --with radiation"):
        hazardrules.checklist("metallurgy", with_=["radiation"])


def test_checklist_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklist", "--sector", "冶金"]) == 0
    text = capsys.readouterr().out
    assert "检查清单：冶金（metallurgy）" in text and "第三条第（一）项" in text and "□ " in text
    assert main(["checklist", "--sector", "metallurgy", "--format", "json"]) == 0
    sheet = json.loads(capsys.readouterr().out)
    assert sheet["sector"] == "metallurgy" and sheet["items"]
