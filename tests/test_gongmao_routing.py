"""工贸 第二条 hands special equipment and gas over: a 工贸 enterprise's boiler, crane or forklift is judged
under GB 45067; its gas matters under the city-gas standard only when it is a 燃气经营者; and a matter routed
to a standard none of whose rules the finding touches stays open."""

from __future__ import annotations

from typing import Any

import pytest

import hazardrules

DAY = "2025-06-01"


def classify(sector: str, facts: dict[str, Any] | None = None, **finding: Any) -> hazardrules.Verdict:
    return hazardrules.classify({"sector": sector, "observed_on": DAY, "facts": facts or {}, **finding})


CRANE = {"id": "炼钢跨行车", "kind": "crane", "facts": {"se.in_use": True, "se.crane.load_limiter": "failed"}}


@pytest.mark.parametrize("sector", ["metallurgy", "machinery", "light_industry", "commerce"])
def test_special_equipment_of_any_gongmao_enterprise_is_judged_under_gb_45067(sector: str) -> None:
    verdict = classify(sector, installations=[CRANE])
    assert verdict.status == "major"
    (hit,) = verdict.hits
    assert (
        hit.rule == "se-2024:4.7.d" and hit.installation is not None and hit.installation.id == "炼钢跨行车"
    )
    assert hit.via is not None and hit.via.id == "gm-2023:2" and hit.via.citation.label == "第二条"
    (deferred,) = verdict.deferred
    assert (deferred.matter, deferred.route) == ("special_equipment", "applied")
    assert [s.slug for s in verdict.standards] == ["gm-2023", "se-2024"]
    assert [n.code for n in verdict.notes] == ["deferred_applied"]


def test_gongmao_rules_and_gb_45067_side_by_side() -> None:
    verdict = classify(
        "metallurgy",
        {"special_worker.uncertified_on_duty": True},
        installations=[
            {
                "id": "1号锅炉",
                "kind": "boiler",
                "facts": {"se.in_use": True, "se.boiler.safety_valve": "absent"},
            }
        ],
    )
    assert sorted(h.rule for h in verdict.hits) == ["gm-2023:3.2", "se-2024:4.2.c"]
    assert {h.rule: (h.via.id if h.via else None) for h in verdict.hits} == {
        "gm-2023:3.2": None,
        "se-2024:4.2.c": "gm-2023:2",
    }


def test_routed_device_that_passes_is_cleared_and_the_rest_of_it_asked() -> None:
    verdict = classify(
        "machinery",
        installations=[
            {
                "id": "叉车",
                "kind": "in_plant_vehicle",
                "facts": {
                    "se.in_use": True,
                    "se.in_plant_vehicle.service_brake": "working",
                    "se.in_plant_vehicle.parking_brake": "working",
                },
            }
        ],
    )
    assert verdict.status == "undetermined"
    assert "se-2024:4.10.c" in {c.rule for c in verdict.cleared}
    assert {"se.supervision_inspection", "se.periodic_inspection_conclusion"} <= set(verdict.missing_facts)


def test_a_matter_flag_alone_leaves_the_routed_standard_unexamined_and_open() -> None:
    verdict = classify("metallurgy", {"matter.special_equipment": True, "contractor.present": False})
    assert verdict.status == "undetermined"  # gm-2023:3.1 is cleared, but no GB 45067 item was examined
    (deferred,) = verdict.deferred
    assert deferred.route == "undetermined" and deferred.missing == []
    assert "未涉及该标准的任何条款" in verdict.notes[0].message


GAS_STATION = {
    "id": "自营LNG气化站",
    "kind": "gas_station",
    "facts": {"gas_station.has_loading_system": True, "gas_station.hose_pullaway_interlock": "absent"},
}


def test_gas_of_a_gongmao_gas_operator_is_judged_under_the_city_gas_standard() -> None:
    verdict = classify("metallurgy", {"enterprise.gas_operator": True}, installations=[GAS_STATION])
    (hit,) = verdict.hits
    assert hit.rule == "gas-2023:5.3" and hit.via is not None and hit.via.id == "gm-2023:2"
    assert verdict.deferred[0].route == "applied"


def test_gas_of_a_gongmao_gas_user_stays_with_the_other_gas_rules() -> None:
    verdict = classify(
        "metallurgy",
        {"enterprise.gas_operator": False, "contractor.present": False},
        installations=[GAS_STATION],
    )
    assert verdict.status == "undetermined" and verdict.hits == []
    (deferred,) = verdict.deferred
    assert (deferred.matter, deferred.route) == ("gas", "unavailable")
    (note,) = verdict.notes
    assert note.code == "deferred_unavailable"
    assert "不属于《城镇燃气经营安全重大隐患判定标准》的适用范围" in note.message
    assert "燃气方面的重大事故隐患判定规定" in note.message


def test_unknown_whether_a_gas_operator_asks() -> None:
    verdict = classify("metallurgy", installations=[GAS_STATION])
    assert verdict.status == "undetermined"
    assert verdict.missing_facts == ["enterprise.gas_operator"]
    assert verdict.deferred[0].route == "undetermined"


def test_the_scope_fact_alone_is_not_a_gas_matter() -> None:
    verdict = classify("metallurgy", {"enterprise.gas_operator": False, "contractor.present": False})
    assert verdict.deferred == [] and verdict.status == "not_major"
    assert verdict.warnings == []  # the route reads it: not "a fact no rule reads"
