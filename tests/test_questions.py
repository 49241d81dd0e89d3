"""Questions everywhere: the verdict says what to ask next (with codes and labels), the vocabulary is a
command and an API, checklists and ``rules show`` show value codes with their labels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import hazardrules
from hazardrules import ArgumentError, FindingError

REPO = Path(__file__).resolve().parents[1]
PACK = hazardrules.load_pack()


def finding(sector: str = "machinery", **facts: Any) -> dict[str, Any]:
    return {"sector": sector, "observed_on": "2025-06-01", "facts": facts}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hazardrules", *args], capture_output=True, text=True, cwd=REPO
    )


# -- the verdict ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("complete", [False, True])
@pytest.mark.parametrize("sector", ["metallurgy", "machinery", "light_industry", "chemical"])
def test_one_question_per_missing_fact_in_the_same_order(sector: str, complete: bool) -> None:
    facts = {} if complete else {"contractor.present": True}
    if sector == "chemical" and not complete:
        facts = {"chem.key_process_involved": True}
    verdict = hazardrules.classify(finding(sector, **facts), complete=complete)
    assert verdict.missing_facts
    assert [q.fact for q in verdict.questions] == verdict.missing_facts
    for question in verdict.questions:
        spec = PACK.facts[question.fact]
        assert (question.question, question.type, question.unit, question.label) == (
            spec.question,
            spec.type,
            spec.unit,
            spec.label,
        )
        assert question.values == spec.values
        assert question.rules, question.fact
        assert set(question.rules) <= {u.rule for u in verdict.undetermined} | {
            d.cited.id for d in verdict.deferred
        }


def test_a_choice_carries_codes_and_labels_and_its_installation() -> None:
    verdict = hazardrules.classify(finding(**{"foundry_cooling.present": True}))
    question = next(q for q in verdict.questions if q.fact == "foundry_cooling.control_interlock")
    assert question.type == "enum"
    assert question.values == {
        "absent": "未设置",
        "failed": "已设置但失效或者无效",
        "working": "已设置且正常运行",
    }
    assert (question.installation_kind, question.installation_kind_name) == (
        "foundry_cooling_system",
        "铸造冷却水系统",
    )


def test_bounds_and_units_are_in_the_question() -> None:
    facts = {"enterprise.dust_explosion_risk": True, "dust_collection.buildings_served": 1}
    verdict = hazardrules.classify(finding("light_industry", **facts), select="gm-2023:11.2")
    question = next(q for q in verdict.questions if q.fact == "dust_collection.fire_compartments_served")
    assert (question.type, question.minimum) == ("integer", 1)


def test_the_authorities_wording_says_what_it_decides() -> None:
    verdict = hazardrules.classify(finding(**{"contractor.present": True}))
    decides = {q.fact: q.decides for q in verdict.questions}
    assert decides["contractor.safety_agreement"] == ["contractor.coordinated"]
    assert decides["contractor.duties_in_contract"] == ["contractor.coordinated"]
    assert decides["contractor.inspection_records"] == ["contractor.inspected_regularly"]
    assert decides["contractor.coordinated"] == []


def test_a_reading_switched_off_decides_nothing() -> None:
    facts = {"enterprise.dust_explosion_risk": True, "dust_collection.buildings_served": 1}
    on = hazardrules.classify(finding("light_industry", **facts), select="gm-2023:11.2")
    off = hazardrules.classify(finding("light_industry", **facts), select="gm-2023:11.2", readings="none")
    connection = "dust_collection.connection_to_other_systems"
    on_decides = next(q.decides for q in on.questions if q.fact == connection)
    assert on_decides == ["dust_collection.interconnected_across_buildings_or_compartments"]
    assert "dust_collection.grain_vertical_independent" not in [q.fact for q in off.questions]


def test_a_verdict_with_nothing_to_ask_has_no_questions() -> None:
    verdict = hazardrules.classify(finding(**{"special_worker.uncertified_on_duty": True}))
    assert verdict.missing_facts == [] and verdict.questions == []


def test_the_verdict_schema_describes_questions() -> None:
    schema = json.loads(cli("schema", "verdict").stdout)
    verdict = hazardrules.classify(finding(**{"contractor.present": True}))
    jsonschema.validate(verdict.model_dump(mode="json"), schema)
    question = schema["$defs"]["Question"]["properties"]
    assert {"fact", "question", "type", "unit", "values", "rules", "decides"} <= set(question)
    assert "questions" in schema["properties"] and "readings" in schema["properties"]


def test_answering_the_questions_decides_the_verdict() -> None:
    """A UI that answers every question of the verdict (two-valued) gets a decided verdict."""
    start = hazardrules.classify(finding(**{"contractor.present": True}))
    answers = {
        q.fact: False if q.type == "bool" else next(iter(q.values or {"x": 1})) for q in start.questions
    }
    done = hazardrules.classify(finding(**{"contractor.present": True, **answers}))
    assert done.status in ("major", "not_major") and done.questions == []


# -- the vocabulary -----------------------------------------------------------------------------------
def test_facts_lists_the_whole_vocabulary() -> None:
    entries = hazardrules.facts()
    assert [e.fact for e in entries] == list(PACK.facts)
    coordinated = next(e for e in entries if e.fact == "contractor.coordinated")
    assert "gm-2023:3.1" in coordinated.rules
    assert "gm-2023:contractor-no-agreement-no-duties" in coordinated.derivations
    dust = next(e for e in entries if e.fact == "enterprise.dust_explosion_risk")
    assert dust.short == "dust" and "pack:dry-collector-of-combustible-dust" in dust.derivations


def test_facts_of_a_sector_and_of_a_standard() -> None:
    machinery = {e.fact for e in hazardrules.facts("机械")}
    light = {e.fact for e in hazardrules.facts("light_industry")}
    assert (
        "foundry_cooling.control_interlock" in machinery and "foundry_cooling.control_interlock" not in light
    )
    assert "lithium_battery.warehouse" in light and "lithium_battery.warehouse" not in machinery
    by_code = {e.fact for e in hazardrules.facts("3392")}
    assert by_code == machinery
    gm = {e.fact for e in hazardrules.facts(standard="gm-2023")}
    assert machinery <= gm | machinery and "chem.key_process_automation" not in gm
    both = {e.fact for e in hazardrules.facts("machinery", standard="gm-2023")}
    assert both <= machinery


def test_facts_refuses_what_it_does_not_know() -> None:
    with pytest.raises(ArgumentError, match="unknown standard"):
        hazardrules.facts(standard="nope-2099")
    with pytest.raises(FindingError):
        hazardrules.facts("宇宙飞船修理")


def test_installation_kinds_say_what_they_imply() -> None:
    kinds = {k.kind: k for k in hazardrules.installation_kinds()}
    cooling = kinds["foundry_cooling_system"]
    assert cooling.implies == {"foundry_cooling.present": True}
    assert "foundry_cooling.control_interlock" in cooling.facts


def test_cli_facts() -> None:
    text = cli("facts", "--sector", "机械").stdout
    assert "foundry_cooling.control_interlock「" in text and "未设置（absent）" in text
    assert "读取它的条款：gm-2023:7.4" in text
    data = json.loads(cli("facts", "--standard", "gm-2023", "--format", "json").stdout)
    entry = next(e for e in data if e["fact"] == "dust_collection.connection_to_other_systems")
    assert entry["values"]["ash_pipes_with_airlock"] == "仅通过设有锁气卸灰装置的输灰管道相联通"
    assert "decides" not in entry and "alternatives" not in entry
    kinds = json.loads(cli("facts", "--kinds", "--format", "json").stdout)
    assert any(k["kind"] == "dust_removal_system" for k in kinds)
    wrong = cli("facts", "--sector", "宇宙飞船修理")
    assert wrong.returncode == 2 and "unknown sector" in wrong.stderr


# -- checklists and rules show ---------------------------------------------------------------------------
def test_checklist_shows_value_codes() -> None:
    text = cli("checklist", "--sector", "机械").stdout
    assert "未设置（absent）" in text
    sheet = hazardrules.checklist("machinery")
    item = next(i for i in sheet.items if i.rule == "gm-2023:7.4")
    interlock = next(q for q in item.questions if q.fact == "foundry_cooling.control_interlock")
    assert interlock.values and interlock.installation_kind_name == "铸造冷却水系统"


def test_checklist_keeps_the_rules_own_facts_as_questions() -> None:
    item = next(i for i in hazardrules.checklist("machinery").items if i.rule == "gm-2023:3.1")
    top = [q.fact for q in item.questions]
    assert top[:2] == ["contractor.present", "contractor.coordinated"]
    coordinated = next(q for q in item.questions if q.fact == "contractor.coordinated")
    assert [a.fact for a in coordinated.alternatives] == [
        "contractor.safety_agreement",
        "contractor.duties_in_contract",
    ]


def test_rules_show_gives_codes_in_examples() -> None:
    text = cli("rules", "show", "gm-2023:11.3").stdout
    assert "「干式除尘系统泄爆措施」：未设置（absent）" in text
