"""What the law or its official interpretation decides is derived (with its basis); what a third party
reads into it is a documented reading a caller can switch off, shown as such, on both engines.

- 第三条（一）: the official 判定情形 (no agreement and no duties in the contract) and the enforcement
  practice (no inspection records) decide coordinated / inspected regularly.
- A described device implies its system (installation kinds' ``implies``); a dry collector of
  combustible dust implies a dust explosion risk (an any_installation derivation).
- 第十一条（二）: the third-party checklist's situations and exclusions, a reading.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules import ArgumentError, FindingError

REPO = Path(__file__).resolve().parents[1]
PACK = hazardrules.load_pack()
READING = "gm-2023:dust-special-checklist"
DURABLE = importlib.util.find_spec("durable") is not None and sys.version_info < (3, 13)
ENGINES = ["native", *(["durable"] if DURABLE else [])]


def finding(sector: str = "machinery", **facts: Any) -> dict[str, Any]:
    return {"sector": sector, "observed_on": "2025-06-01", "facts": facts}


def derived(verdict: hazardrules.Verdict) -> dict[str, hazardrules.Derived]:
    return {d.fact: d for item in [*verdict.hits, *verdict.undetermined] for d in item.trace.derived}


# -- 第三条（一）: the authorities' wording ---------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_no_agreement_and_no_duties_in_the_contract_is_not_coordinated(engine: str) -> None:
    facts = {
        "contractor.present": True,
        "contractor.safety_agreement": False,
        "contractor.duties_in_contract": False,
    }
    verdict = hazardrules.classify(finding(**facts), engine=engine)
    assert verdict.status == "major" and [h.rule for h in verdict.hits] == ["gm-2023:3.1"]
    why = derived(verdict)["contractor.coordinated"]
    assert (why.value, why.derivation, why.reading) == (
        False,
        "gm-2023:contractor-no-agreement-no-duties",
        None,
    )
    assert "判定情形第一条" in why.basis and "第四十九条第二款" in why.basis
    assert why.because == facts
    assert verdict.readings == [] and "reading_applied" not in {w.code for w in verdict.warnings}


@pytest.mark.parametrize(("agreement", "duties"), [(True, False), (False, True), (True, True)])
def test_an_agreement_or_duties_in_the_contract_leave_coordination_to_the_inspector(
    agreement: bool, duties: bool
) -> None:
    facts = {
        "contractor.present": True,
        "contractor.safety_agreement": agreement,
        "contractor.duties_in_contract": duties,
    }
    verdict = hazardrules.classify(finding(**facts))
    assert verdict.status == "undetermined"
    assert "contractor.coordinated" in verdict.missing_facts


def test_an_agreement_signed_is_not_coordination() -> None:
    """南京高淳 2025: responsibility letters signed, no actual coordination: still 第三条（一）."""
    facts = {"contractor.present": True, "contractor.safety_agreement": True, "contractor.coordinated": False}
    assert hazardrules.classify(finding(**facts)).status == "major"
    assert "只签订" in PACK.facts["contractor.coordinated"].notes  # type: ignore[operator]


def test_no_inspection_records_is_not_inspected_regularly() -> None:
    facts = {
        "contractor.present": True,
        "contractor.coordinated": True,
        "contractor.inspection_records": False,
    }
    verdict = hazardrules.classify(finding(**facts))
    assert [h.rule for h in verdict.hits] == ["gm-2023:3.1"]
    assert (
        derived(verdict)["contractor.inspected_regularly"].derivation
        == "gm-2023:contractor-no-inspection-records"
    )
    with_records = {**facts, "contractor.inspection_records": True}
    assert hazardrules.classify(finding(**with_records)).missing_facts == ["contractor.inspected_regularly"]
    without = {k: v for k, v in facts.items() if k != "contractor.inspection_records"}
    asked = hazardrules.classify(finding(**without)).missing_facts
    assert asked == ["contractor.inspected_regularly", "contractor.inspection_records"]


def test_saying_coordinated_against_the_official_situation_is_a_conflict() -> None:
    facts = {
        "contractor.present": True,
        "contractor.coordinated": True,
        "contractor.safety_agreement": False,
        "contractor.duties_in_contract": False,
    }
    with pytest.raises(FindingError) as caught:
        hazardrules.classify(finding(**facts))
    (problem,) = caught.value.problems
    assert problem.code == "conflict" and "gm-2023:contractor-no-agreement-no-duties" in problem.message


def test_the_questions_offer_the_authorities_wording() -> None:
    sheet = hazardrules.checklist("machinery")
    item = next(i for i in sheet.items if i.rule == "gm-2023:3.1")
    coordinated = next(q for q in item.questions if q.fact == "contractor.coordinated")
    assert {a.fact for a in coordinated.alternatives} >= {
        "contractor.safety_agreement",
        "contractor.duties_in_contract",
    }


# -- what the finding already says ----------------------------------------------------------------------
def test_a_described_cooling_system_is_not_asked_about() -> None:
    verdict = hazardrules.classify(finding(**{"foundry_cooling.outlet_temperature_alarm": "absent"}))
    assert [h.rule for h in verdict.hits] == ["gm-2023:7.4"]
    assert "foundry_cooling.present" not in verdict.missing_facts
    why = derived(verdict)["foundry_cooling.present"]
    assert why.derivation == "installation:foundry_cooling_system" and "铸造冷却水系统" in why.basis


def test_a_described_system_contradicting_its_absence_is_a_conflict() -> None:
    facts = {"foundry_cooling.present": False, "foundry_cooling.outlet_temperature_alarm": "absent"}
    with pytest.raises(FindingError, match=r"foundry_cooling\.present") as caught:
        hazardrules.classify(finding(**facts))
    assert caught.value.problems[0].code == "conflict"


def test_a_listed_installation_implies_its_kind_for_the_site() -> None:
    verdict = hazardrules.classify(
        {
            "sector": "machinery",
            "observed_on": "2025-06-01",
            "facts": {},
            "installations": [
                {
                    "id": "1号",
                    "kind": "foundry_cooling_system",
                    "facts": {"foundry_cooling.control_interlock": "working"},
                },
                {
                    "id": "2号",
                    "kind": "foundry_cooling_system",
                    "facts": {"foundry_cooling.control_interlock": "failed"},
                },
            ],
        }
    )
    assert verdict.status == "major"
    assert [h.installation.id for h in verdict.hits if h.installation] == ["2号"]
    assert "foundry_cooling.present" not in verdict.missing_facts


@pytest.mark.parametrize("engine", ENGINES)
def test_a_dry_collector_of_wood_dust_is_a_dust_explosion_risk(engine: str) -> None:
    facts = {
        "dust_collection.dry_system_dust_kinds": ["wood"],
        "dust_collection.explosion_venting": "absent",
        "dust_collection.inerting": "absent",
        "dust_collection.explosion_suppression": "absent",
        "dust_collection.other_explosion_control": "absent",
    }
    verdict = hazardrules.classify(finding("light_industry", **facts), engine=engine)
    assert [h.rule for h in verdict.hits] == ["gm-2023:11.3"]
    assert "enterprise.dust_explosion_risk" not in verdict.missing_facts
    why = derived(verdict)["enterprise.dust_explosion_risk"]
    assert why.derivation == "pack:dry-collector-of-combustible-dust" and "应急管理部令第6号" in why.basis
    assert why.because == {"dust_collection.dry_system_dust_kinds": ["wood"]}


def test_the_site_has_the_dust_risk_for_its_own_provisions_too() -> None:
    """第十一条（一） is a provision of the enterprise: a described dry collector answers its gate too."""
    facts = {
        "dust_collection.dry_system_dust_kinds": ["metal"],
        "dust_area.in_non_frame_multistorey_building": True,
    }
    verdict = hazardrules.classify(finding("light_industry", **facts))
    assert "gm-2023:11.1" in [h.rule for h in verdict.hits]


def test_a_wet_collector_says_nothing_about_the_risk() -> None:
    facts = {"dust_collection.dry_system_dust_kinds": [], "dust_collection.gravity_settling_chamber": True}
    verdict = hazardrules.classify(finding("light_industry", **facts))
    assert "enterprise.dust_explosion_risk" in verdict.missing_facts


def test_a_dry_collector_of_combustible_dust_contradicts_no_risk() -> None:
    facts = {"enterprise.dust_explosion_risk": False, "dust_collection.dry_system_dust_kinds": ["wood"]}
    with pytest.raises(FindingError) as caught:
        hazardrules.classify(finding("light_industry", **facts))
    assert caught.value.problems[0].code == "conflict"
    assert "pack:dry-collector-of-combustible-dust" in caught.value.problems[0].message


# -- a documented reading: switchable, shown as such ----------------------------------------------------
DUST = {
    "enterprise.dust_explosion_risk": True,
    "dust_collection.shared_by_aggravating_media": False,
    "dust_collection.buildings_served": 1,
    "dust_collection.fire_compartments_served": 1,
    "dust_collection.connection_to_other_systems": "ash_pipes_with_airlock",
}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_reading_applies_by_default_and_says_so(engine: str) -> None:
    verdict = hazardrules.classify(finding("light_industry", **DUST), select=["gm-2023:11.2"], engine=engine)
    assert verdict.status == "not_major"
    (used,) = verdict.readings
    assert (used.id, used.official, used.rules) == (READING, False, ["gm-2023:11.2"])
    assert used.derivations == ["gm-2023:dust-connection-exempt"] and used.url
    (warning,) = [w for w in verdict.warnings if w.code == "reading_applied"]
    assert "不是判定标准的条文" in warning.message and warning.rules == ["gm-2023:11.2"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("off", ["none", [], ["nothing-else"]])
def test_a_reading_switched_off_leaves_the_question_open(engine: str, off: Any) -> None:
    if off == ["nothing-else"]:
        with pytest.raises(ArgumentError, match="unknown reading"):
            hazardrules.classify(finding("light_industry", **DUST), readings=off)
        return
    verdict = hazardrules.classify(
        finding("light_industry", **DUST), select=["gm-2023:11.2"], readings=off, engine=engine
    )
    assert verdict.status == "undetermined" and verdict.readings == []
    assert verdict.missing_facts == ["dust_collection.interconnected_across_buildings_or_compartments"]
    assert "reading_applied" not in {w.code for w in verdict.warnings}


def test_choosing_readings_by_id() -> None:
    on = hazardrules.classify(finding("light_industry", **DUST), select="gm-2023:11.2", readings=[READING])
    assert on.status == "not_major" and [r.id for r in on.readings] == [READING]
    assert hazardrules.classify(finding("light_industry", **DUST), readings="all").readings == on.readings
    with pytest.raises(ArgumentError, match="readings takes"):
        hazardrules.classify(finding("light_industry", **DUST), readings=3)


def test_a_reading_off_does_not_ask_for_its_own_inputs() -> None:
    facts = {
        **DUST,
        "dust_collection.fire_compartments_served": 2,
        "dust_collection.connection_to_other_systems": "none",
    }
    on = hazardrules.classify(finding("light_industry", **facts), select="gm-2023:11.2")
    off = hazardrules.classify(finding("light_industry", **facts), select="gm-2023:11.2", readings="none")
    assert "dust_collection.grain_vertical_independent" in on.missing_facts
    assert "dust_collection.grain_vertical_independent" not in off.missing_facts
    assert "dust_collection.shared_across_buildings_or_compartments" in off.missing_facts


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        (
            {
                "dust_collection.fire_compartments_served": 3,
                "dust_collection.grain_vertical_independent": False,
            },
            "major",
        ),
        (
            {
                "dust_collection.fire_compartments_served": 3,
                "dust_collection.grain_vertical_independent": True,
            },
            "not_major",
        ),
        (
            {"dust_collection.buildings_served": 2, "dust_collection.grain_vertical_independent": True},
            "major",
        ),
        ({"dust_collection.connection_to_other_systems": "ducts_or_fans"}, "major"),
        ({"dust_collection.connection_to_other_systems": "common_stack_after_fans"}, "not_major"),
    ],
)
def test_the_checklists_situations_and_exclusions(extra: dict[str, Any], status: str) -> None:
    verdict = hazardrules.classify(finding("light_industry", **{**DUST, **extra}), select="gm-2023:11.2")
    assert verdict.status == status


def test_the_literal_derivations_are_not_readings() -> None:
    facts = {**DUST, "dust_collection.buildings_served": 2}
    verdict = hazardrules.classify(finding("light_industry", **facts), select="gm-2023:11.2", readings="none")
    assert verdict.status == "major"
    why = derived(verdict)["dust_collection.shared_across_buildings_or_compartments"]
    assert why.reading is None and why.derivation == "gm-2023:dust-system-across-buildings"


def test_a_finding_against_a_reading_is_a_conflict_that_names_it() -> None:
    facts = {**DUST, "dust_collection.interconnected_across_buildings_or_compartments": True}
    with pytest.raises(FindingError) as caught:
        hazardrules.classify(finding("light_industry", **facts))
    assert READING in caught.value.problems[0].message and "readings=" in caught.value.problems[0].message
    assert hazardrules.classify(finding("light_industry", **facts), readings="none").status == "major"


def test_every_reading_is_documented_and_never_law() -> None:
    readings = PACK.readings()
    assert READING in readings
    for reading_id, reading in readings.items():
        users = [d for s in PACK.standards.values() for d in s.derivations if d.spec.reading == reading_id]
        assert users, reading_id
        assert reading.publisher and reading.title and reading.provisions
    for standard in PACK.standards.values():
        for derivation in standard.derivations:
            if derivation.spec.reading is not None:
                assert derivation.spec.reading in standard.readings


DUST_FACTS = {
    "dust_collection.shared_by_aggravating_media": st.booleans(),
    "dust_collection.buildings_served": st.integers(1, 3),
    "dust_collection.fire_compartments_served": st.integers(1, 3),
    "dust_collection.grain_vertical_independent": st.booleans(),
    "dust_collection.connection_to_other_systems": st.sampled_from(
        ["none", "ducts_or_fans", "ash_pipes_with_airlock", "common_stack_after_fans"]
    ),
    "dust_collection.shared_across_buildings_or_compartments": st.booleans(),
    "dust_collection.interconnected_across_buildings_or_compartments": st.booleans(),
}


@pytest.mark.skipif(not DURABLE, reason="durable-rules does not import here")
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries({}, optional=DUST_FACTS),  # type: ignore[arg-type]
    st.sampled_from(["all", "none"]),
    st.booleans(),
)
def test_both_engines_agree_with_readings_on_and_off(
    facts: dict[str, Any], readings: str, complete: bool
) -> None:
    case = finding("light_industry", **{"enterprise.dust_explosion_risk": True, **facts})

    def run(engine: str) -> Any:
        try:
            verdict = hazardrules.classify(case, readings=readings, complete=complete, engine=engine)
        except FindingError as exc:
            return [(p.code, p.message) for p in exc.problems]
        out = verdict.model_dump(mode="json")
        out.pop("engine")
        return out

    assert run("durable") == run("native")


# -- the command line ---------------------------------------------------------------------------------
def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hazardrules", *args], input=stdin, capture_output=True, text=True, cwd=REPO
    )


def test_cli_readings_switch(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text(json.dumps(finding("light_industry", **DUST)), encoding="utf-8")
    on = json.loads(cli("classify", str(path), "--select", "gm-2023:11.2").stdout)
    off = json.loads(cli("classify", str(path), "--select", "gm-2023:11.2", "--readings", "none").stdout)
    chosen = json.loads(cli("classify", str(path), "--select", "gm-2023:11.2", "--readings", READING).stdout)
    assert (on["status"], off["status"], chosen["status"]) == ("not_major", "undetermined", "not_major")
    assert [r["id"] for r in on["readings"]] == [READING] and off["readings"] == []
    wrong = cli("classify", str(path), "--readings", "gm-2023:nope")
    assert wrong.returncode == 2 and "unknown reading" in wrong.stderr


# -- the pack format --------------------------------------------------------------------------------------
def copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, ignore=shutil.ignore_patterns("sources"))
    return target


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "reading: gm-2023:dust-special-checklist\n    when: dust_collection.buildings_served == 1 and",
            "reading: gm-2023:no-such-reading\n    when: dust_collection.buildings_served == 1 and",
            "reading 'gm-2023:no-such-reading': no such reading",
        ),
        (
            "  - id: gm-2023:dust-special-checklist",
            "  - id: hc-2017:dust-special-checklist",
            "must start with 'gm-2023:'",
        ),
    ],
)
def test_reading_problems_are_pack_errors(tmp_path: Path, old: str, new: str, message: str) -> None:
    root = copy_pack(tmp_path)
    file = root / "standards" / "gm-2023.yaml"
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(hazardrules.PackError, match=message):
        hazardrules.load_pack(root)


def test_an_any_installation_derivation_must_read_one_installation_kind(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    file = root / "facts" / "special.yaml"
    text = file.read_text(encoding="utf-8")
    old = 'when: any_in(dust_collection.dry_system_dust_kinds, ["metal", "wood", "other"])'
    assert old in text
    file.write_text(text.replace(old, "when: contractor.present"), encoding="utf-8")
    with pytest.raises(hazardrules.PackError, match="reads the facts of one installation kind"):
        hazardrules.load_pack(root)
