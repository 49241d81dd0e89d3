"""Verdicts that never overclaim (issue 12): installations judged one by one, not_major only when
earned, values no rule reads, and the readings of the law fixed with the findings that exposed them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules import FindingError

from ._strategies import fact_values

PACK = hazardrules.load_pack()
DAY = "2025-06-01"


def classify(sector: str, facts: dict[str, Any] | None = None, **finding: Any) -> hazardrules.Verdict:
    return hazardrules.classify({"sector": sector, "observed_on": DAY, "facts": facts or {}, **finding})


def held(verdict: hazardrules.Verdict) -> list[tuple[str, str | None]]:
    return [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits]


# -- 1. nothing decided is never not_major ---------------------------------------------------------
def test_an_empty_form_is_an_error() -> None:
    with pytest.raises(FindingError) as caught:
        hazardrules.classify({"sector": "机械", "facts": {}})
    assert [p.code for p in caught.value.problems] == ["no_facts"]


def test_a_scope_fact_alone_leaves_its_rules_open() -> None:
    verdict = classify("machinery", {"enterprise.dust_explosion_risk": True})
    assert verdict.status == "undetermined"
    assert {u.rule for u in verdict.undetermined} >= {"gm-2023:11.3", "gm-2023:11.7"}


# -- 2. a value no rule reads ----------------------------------------------------------------------
def test_a_value_the_sectors_rules_do_not_read_is_warned_and_blocks_not_major() -> None:
    verdict = classify("机械", {"molten_metal.wet_areas": ["slag_pit_under_furnace"]})
    assert verdict.status == "undetermined"
    (warning,) = verdict.warnings
    assert warning.code == "value_not_read" and warning.facts == ["molten_metal.wet_areas"]
    assert "炉下渣坑" in warning.message and "gm-2023:4.2" in warning.message
    # and the checklist no longer offers it for 机械
    sheet = hazardrules.checklist("机械")
    offered = {
        code
        for item in sheet.items
        for q in item.questions
        if q.fact == "molten_metal.wet_areas"
        for code in (q.values or {})
    }
    assert offered and "slag_pit_under_furnace" not in offered and "furnace_pit" in offered


# -- 3. not_major explains itself ------------------------------------------------------------------
def test_not_major_lists_what_was_cleared_and_why() -> None:
    verdict = classify(
        "metallurgy",
        {"contractor.present": True, "contractor.coordinated": True, "contractor.inspected_regularly": True},
    )
    assert verdict.status == "not_major"
    (cleared,) = verdict.cleared
    assert cleared.rule == "gm-2023:3.1" and cleared.label == "第三条第（一）项"
    assert cleared.because == {"contractor.coordinated": True, "contractor.inspected_regularly": True}


# -- 4. one site, many installations ---------------------------------------------------------------
def test_each_external_target_answers_for_itself() -> None:
    verdict = classify(
        "fireworks_production",
        installations=[
            {
                "id": "A库-公路",
                "kind": "fireworks_external_distance",
                "facts": {"fireworks.external_distance_m": 60, "fireworks.external_distance_required_m": 50},
            },
            {
                "id": "A库-村庄",
                "kind": "fireworks_external_distance",
                "facts": {
                    "fireworks.external_distance_m": 120,
                    "fireworks.external_distance_required_m": 150,
                },
            },
        ],
    )
    assert verdict.status == "major" and held(verdict) == [("fw-2017:6", "A库-村庄")]
    assert verdict.hits[0].installation.kind_name == "工（库）房与外部目标"  # type: ignore[union-attr]


def test_three_storehouses_one_over_its_charge() -> None:
    storehouses = [("1号成品库", 800, 1000), ("2号成品库", 1500, 1000), ("3号半成品库", 200, 500)]
    verdict = classify(
        "fireworks_production",
        installations=[
            {
                "id": name,
                "kind": "fireworks_building",
                "facts": {
                    "fireworks.building_composition_kg": kg,
                    "fireworks.building_approved_composition_kg": limit,
                },
            }
            for name, kg, limit in storehouses
        ],
    )
    assert held(verdict) == [("fw-2017:5", "2号成品库")]
    assert verdict.hits[0].because["fireworks.building_composition_kg"] == 1500


def test_two_compliant_dust_systems_do_not_combine_into_a_hazard() -> None:
    systems = [
        ("A", {"dust_collection.explosion_venting": "working", "dust_collection.inerting": "absent"}),
        ("B", {"dust_collection.explosion_venting": "absent", "dust_collection.inerting": "working"}),
    ]
    rest = {
        "dust_collection.explosion_suppression": "absent",
        "dust_collection.other_explosion_control": "absent",
    }
    verdict = hazardrules.classify(
        {
            "sector": "machinery",
            "observed_on": DAY,
            "facts": {"enterprise.dust_explosion_risk": True},
            "installations": [
                {
                    "id": name,
                    "kind": "dust_removal_system",
                    "facts": {"dust_collection.dry_system_dust_kinds": ["wood"], **own, **rest},
                }
                for name, own in systems
            ],
        },
        select=["gm-2023:11.3"],
    )
    assert verdict.status == "not_major"
    assert sorted(c.installation.id for c in verdict.cleared if c.installation) == ["A", "B"]  # type: ignore[misc]


def test_a_shortfall_at_an_ordinary_warehouse_is_not_a_two_key_one_major_shortfall() -> None:
    verdict = hazardrules.classify(
        {
            "sector": "chemical",
            "observed_on": DAY,
            "facts": {"chem.two_key_one_major": True},
            "installations": [
                {
                    "id": "成品仓库-村庄",
                    "kind": "chem_protection_distance",
                    "facts": {
                        "chem.distance_facility_two_key_one_major": False,
                        "chem.external_safety_distance_m": 80,
                        "chem.external_safety_distance_required_m": 100,
                    },
                },
                {
                    "id": "液氨罐区-学校",
                    "kind": "chem_protection_distance",
                    "facts": {
                        "chem.distance_facility_two_key_one_major": True,
                        "chem.external_safety_distance_m": 300,
                        "chem.external_safety_distance_required_m": 250,
                    },
                },
            ],
        },
        select=["hc-2017:3"],
    )
    assert verdict.status == "not_major" and verdict.hits == []


def test_a_qualifier_belongs_to_its_own_burner() -> None:
    burners = [
        {
            "id": "1号",
            "kind": "gas_combustion_unit",
            "facts": {
                "gas_burner.forced_draught": True,
                "gas_main.pressure_alarm": "working",
                "gas_main.cutoff_interlock": "working",
            },
        },
        {
            "id": "2号",
            "kind": "gas_combustion_unit",
            "facts": {"gas_burner.forced_draught": False, "gas_main.pressure_alarm": "absent"},
        },
    ]
    verdict = classify("nonferrous", installations=burners)
    assert "gm-2023:5.12" not in {h.rule for h in verdict.hits}
    assert ("gm-2023:5.12", "1号") in [
        (c.rule, c.installation.id if c.installation else None) for c in verdict.cleared
    ]


def test_non_production_water_is_judged_area_by_area() -> None:
    facts = {
        "molten_metal.wet_areas": ["emergency_pit", "lifting_passage"],
        "molten_metal.wet_areas_production_water_only": ["emergency_pit"],
    }
    assert [h.rule for h in classify("nonferrous", facts).hits] == ["gm-2023:5.2"]
    facts["molten_metal.wet_areas_production_water_only"] = ["emergency_pit", "lifting_passage"]
    assert classify("nonferrous", facts).status == "not_major"


def test_installation_facts_in_the_wrong_place_are_errors() -> None:
    with pytest.raises(FindingError) as caught:
        classify(
            "fireworks_production",
            {"fireworks.building_composition_kg": 10},
            installations=[{"id": "1号", "kind": "fireworks_building", "facts": {}}],
        )
    assert [p.code for p in caught.value.problems] == ["misplaced_fact"]
    with pytest.raises(FindingError) as caught:
        classify(
            "fireworks_production",
            installations=[
                {
                    "id": "1号",
                    "kind": "fireworks_building",
                    "facts": {"special_worker.uncertified_on_duty": True},
                }
            ],
        )
    assert [p.code for p in caught.value.problems] == ["misplaced_fact"]
    with pytest.raises(FindingError) as caught:
        classify("fireworks_production", installations=[{"id": "x", "kind": "rocket", "facts": {}}])
    assert [p.code for p in caught.value.problems] == ["unknown_installation_kind"]


def test_no_question_carries_an_aggregation_instruction() -> None:
    words = (
        "最近的",
        "最不利",
        "最小的一处",
        "任一台",
        "任一套",
        "任一个",
        "任一处",
        "任一间",
        "任一条",
        "有多台的",
        "有多套的",
        "逐套回答",
    )
    offending = [name for name, spec in PACK.facts.items() if any(w in spec.question for w in words)]
    assert offending == []


def test_a_derivation_may_not_conclude_for_the_site_from_one_installation(pack_copy: Path) -> None:
    facts = pack_copy / "facts" / "fireworks.yaml"
    text = facts.read_text(encoding="utf-8")
    text += (
        "derivations:\n"
        "  - id: test:site-safe\n    derives: fireworks.plant_wall_missing\n    value: false\n"
        "    when: fireworks.building_composition_kg < 10\n    basis: wrong on purpose\n"
    )
    facts.write_text(text, encoding="utf-8")
    report = hazardrules.lint(pack_copy)
    assert any("may not conclude for the whole site" in p.message for p in report.errors)


# -- 5. the misreadings ----------------------------------------------------------------------------
def test_a_safety_valve_never_fitted_is_not_in_normal_use() -> None:
    verdict = classify(
        "chemical",
        {
            "chem.safety_valves": "absent",
            "chem.bursting_discs": "working",
            "chem.other_safety_accessories": "working",
        },
    )
    assert [h.rule for h in verdict.hits] == ["hc-2017:15"]


def test_zone_20_question_no_longer_lets_an_unzoned_collector_escape() -> None:
    question = PACK.facts["dust_area.zone20_electrical_not_explosion_proof"].question
    assert "没有划分为20区的场所答否" not in question


def test_a_working_fixed_arsine_alarm_is_detection_of_equal_effect() -> None:
    verdict = classify(
        "nonferrous",
        {
            "toxic_gas.leak_risk_gases": ["arsine"],
            "toxic_gas.fixed_alarms": "working",
            "toxic_gas.alarm_data_link": "working",
            "toxic_gas.arsine_equivalent_detection": False,
        },
    )
    assert verdict.status == "not_major"


@pytest.mark.parametrize("sector", ["hazchem_trading", "hazchem_trading_storage", "危险化学品生产"])
def test_the_sector_answers_whether_it_is_a_hazardous_chemicals_unit(sector: str) -> None:
    verdict = classify(sector, {"management.principal_assessed": False})
    assert [h.rule for h in verdict.hits] == ["hc-2017:1"]


def test_operating_procedures_apply_to_every_kind_of_unit() -> None:
    assert PACK.compiled_rule("hc-2017:17").sectors >= {
        "chemical",
        "hazchem_trading",
        "hazchem_trading_storage",
    }
    verdict = classify("hazchem_trading", {"chem.operating_procedures_established": False})
    assert [h.rule for h in verdict.hits] == ["hc-2017:17"]


def test_one_observation_in_two_vocabularies_gets_one_verdict() -> None:
    generic = classify(
        "textile", {"hazchem.incompatible_mixed_storage": True, "enterprise.hazchem_unit": False}
    )
    assert generic.status == "undetermined"
    assert "gm-2023:9.2" in {u.rule for u in generic.undetermined}
    specific = classify("textile", {"textile_chemicals.stored_with_incompatibles": ["hydrogen_peroxide"]})
    assert [h.rule for h in specific.hits] == ["gm-2023:9.2"]


# -- properties over the whole pack, with installations --------------------------------------------
KINDS = sorted(PACK.installation_kinds)
KIND_FACTS = {k: sorted(n for n, s in PACK.facts.items() if s.installation == k) for k in KINDS}
ENTERPRISE_FACTS = sorted(n for n, s in PACK.facts.items() if s.installation is None)
ENCODED_SECTORS = sorted({s for st_ in PACK.standards.values() for s in st_.by_sector})


@st.composite
def site_findings(draw: st.DrawFn) -> dict[str, Any]:
    sector = draw(st.sampled_from(ENCODED_SECTORS))
    names = draw(st.lists(st.sampled_from(ENTERPRISE_FACTS), unique=True, max_size=8))
    installations = []
    for number in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(KINDS))
        own = draw(st.lists(st.sampled_from(KIND_FACTS[kind]), unique=True, min_size=1, max_size=4))
        installations.append(
            {"id": f"i{number}", "kind": kind, "facts": {n: draw(fact_values(PACK, n)) for n in own}}
        )
    return {
        "sector": sector,
        "observed_on": DAY,
        "facts": {n: draw(fact_values(PACK, n)) for n in names},
        "installations": installations,
    }


def verdict_or_none(finding: dict[str, Any], **options: Any) -> hazardrules.Verdict | None:
    try:
        return hazardrules.classify(finding, **options)
    except FindingError as exc:
        assert {p.code for p in exc.problems} <= {"conflict", "no_facts"}, exc
        return None


def decided(verdict: hazardrules.Verdict) -> set[tuple[str, str | None]]:
    out = {(h.rule, h.installation.id if h.installation else None) for h in verdict.hits}
    out |= {(c.rule, c.installation.id if c.installation else None) for c in verdict.cleared}
    return out


@given(site_findings(), st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_filling_in_unknown_facts_never_removes_a_hit_nor_reopens_a_decided_rule(
    finding: dict[str, Any], data: st.DataObject
) -> None:
    before = verdict_or_none(finding, complete=True)
    if before is None:
        return
    extended = {
        **finding,
        "facts": dict(finding["facts"]),
        "installations": [dict(i, facts=dict(i["facts"])) for i in finding["installations"]],
    }
    unknown = [n for n in ENTERPRISE_FACTS if n not in finding["facts"]]
    for name in data.draw(st.lists(st.sampled_from(unknown), unique=True, min_size=1, max_size=3)):
        extended["facts"][name] = data.draw(fact_values(PACK, name))
    for installation in extended["installations"]:
        missing = [n for n in KIND_FACTS[installation["kind"]] if n not in installation["facts"]]
        if missing:
            name = data.draw(st.sampled_from(missing))
            installation["facts"][name] = data.draw(fact_values(PACK, name))
    after = verdict_or_none(extended, complete=True)
    if after is None:
        return
    hits_before = {(h.rule, h.installation.id if h.installation else None) for h in before.hits}
    hits_after = {(h.rule, h.installation.id if h.installation else None) for h in after.hits}
    assert hits_before <= hits_after
    reopened = {(u.rule, u.installation.id if u.installation else None) for u in after.undetermined}
    assert reopened.isdisjoint(decided(before) - hits_after)


@given(site_findings(), st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_one_more_installation_never_removes_a_hit(finding: dict[str, Any], data: st.DataObject) -> None:
    before = verdict_or_none(finding)
    if before is None:
        return
    kind = data.draw(st.sampled_from(KINDS))
    names = data.draw(st.lists(st.sampled_from(KIND_FACTS[kind]), unique=True, min_size=1, max_size=3))
    extra = {"id": "extra", "kind": kind, "facts": {n: data.draw(fact_values(PACK, n)) for n in names}}
    after = verdict_or_none({**finding, "installations": [*finding["installations"], extra]})
    if after is None:
        return
    assert {h.rule for h in before.hits} <= {h.rule for h in after.hits}


@given(site_findings(), st.booleans())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_not_major_is_always_earned(finding: dict[str, Any], complete: bool) -> None:
    verdict = verdict_or_none(finding, complete=complete)
    if verdict is None or verdict.status != "not_major":
        return
    assert verdict.cleared and not verdict.hits and not verdict.undetermined and not verdict.gaps
    assert all(d.route not in ("undetermined", "unavailable") for d in verdict.deferred)
    assert not any(w.code in ("value_not_read", "nothing_examined") for w in verdict.warnings)
    for standard in verdict.standards:
        assert PACK.standards[standard.slug].in_force(dt.date.fromisoformat(DAY))
