"""金属非金属矿山: fm-2022 (矿安〔2022〕88号) with its supplement fm-2024s (矿安〔2024〕41号).

Versions by date, published enforcement cases, thresholds on both sides, installations judged one by
one, and sites run as several sectors (an underground mine with a tailings pond).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules.interfaces.cli import main
from hazardrules.pack.sources import load_source

PACK = hazardrules.load_pack()
UG, OP, TP = "metal_mine_underground", "metal_mine_open_pit", "tailings_pond"


def outcome(rule: str, facts: dict[str, Any], sector: str, on: str = "2025-06-01") -> str:
    """The rule's value on the facts, as lint judges an example (every question open)."""
    finding = {"sector": sector, "observed_on": on, "facts": facts}
    verdict = hazardrules.classify(finding, complete=True, select=[rule])
    if rule in {h.rule for h in verdict.hits}:
        return "holds"
    if rule in {u.rule for u in verdict.undetermined}:
        return "undetermined"
    assert rule in {c.rule for c in verdict.cleared}, (rule, facts)
    return "does_not_hold"


# -- versions by date ---------------------------------------------------------------------------------
PUMPS = {"sector": UG, "facts": {"underground.main_pumps": 2}}


def test_before_88_took_effect_the_2017_trial_standard_governs_and_is_not_in_the_pack() -> None:
    verdict = hazardrules.classify({**PUMPS, "observed_on": "2022-08-31"})
    assert verdict.status == "undetermined" and verdict.hits == [] and verdict.standards == []
    (gap,) = verdict.gaps
    assert gap.code == "standard_not_encoded" and gap.document.id == "fm-2017"
    assert gap.document.document_number == "安监总管一〔2017〕98号"
    assert gap.document.ends == dt.date(2022, 9, 1)


def test_from_2022_09_01_the_same_finding_is_major_under_88() -> None:
    verdict = hazardrules.classify({**PUMPS, "observed_on": "2022-09-01"})
    assert verdict.status == "major" and verdict.gaps == []
    (hit,) = verdict.hits
    assert hit.rule == "fm-2022:1.7.1"
    assert (hit.citation.document_number, hit.citation.label) == ("矿安〔2022〕88号", "一（七）1.")
    assert hit.text == "排水泵数量少于3台，或者工作水泵、备用水泵的额定排水能力低于设计要求"


WEATHER = {
    "sector": UG,
    "facts": {
        "underground.extreme_weather_response": "not_stopped",
        "underground.main_pumps": 3,
        "underground.pump_capacity_meets_design": True,
    },
}


def test_the_supplement_does_not_apply_the_day_before_it_was_issued() -> None:
    verdict = hazardrules.classify({**WEATHER, "observed_on": "2024-04-22"})
    assert [s.slug for s in verdict.standards] == ["fm-2022"]
    assert verdict.status == "not_major" and verdict.hits == []
    (warning,) = verdict.warnings
    assert warning.code == "fact_not_read" and warning.facts == ["underground.extreme_weather_response"]
    assert "fm-2024s:1.4" in warning.message


def test_from_its_issue_date_the_supplement_is_applied_with_88_and_cited_as_itself() -> None:
    verdict = hazardrules.classify({**WEATHER, "observed_on": "2024-04-23"})
    assert [s.slug for s in verdict.standards] == ["fm-2022", "fm-2024s"]
    assert verdict.status == "major"
    (hit,) = verdict.hits
    assert hit.rule == "fm-2024s:1.4"
    assert hit.citation.title == "金属非金属矿山重大事故隐患判定标准补充情形"
    assert hit.citation.document_number == "矿安〔2024〕41号"
    assert PACK.standard("fm-2024s").supplements == ["fm-2022"]
    assert PACK.standard("fm-2024s").effective is None  # the notice names no date: from issue
    assert PACK.standard("fm-2024s").published == dt.date(2024, 4, 23)


def test_the_notes_record_the_effective_date_basis_and_the_unadopted_2026_draft() -> None:
    assert "请遵照执行" in (PACK.standard("fm-2024s").notes or "")
    notes = PACK.standard("fm-2022").notes or ""
    assert "2026年" in notes and "征求意见稿" in notes and "未通过施行" in notes


# -- published enforcement cases ---------------------------------------------------------------------
# Each: the authority's published account, the facts it states, the clauses it cited (or, where it
# named the situation without a clause number, the clauses whose words it used; see `cited`).
CASES: list[dict[str, Any]] = [
    {
        "url": "http://www.5556618.cn/toutiao/info-100005-4021.html",
        "authority": "岑溪市应急管理局（来源：梧州应急），2024年4月（日期未公布）",
        "cited": "《金属非金属矿山重大事故隐患判定标准》第四项、第十九项、第二十七项",
        "finding": {
            "id": "岑溪-2024-04",
            "sector": UG,
            "observed_on": "2024-04-01",
            "description": (
                "+293米平巷尽头往前掘进约20米，此平巷不在安全设施设计建设范围内；"
                "基建矿山未按规定每1个月更新GB16423-2020第4.1.10条规定的图纸；"
                "平巷尽头30米巷道顶板较破碎，未进行任何支护。"
            ),
            "facts": {
                "underground.drawings_kept": True,
                "underground.stage": "construction",
                "underground.drawings_updated_on_time": False,
                "underground.roof_unsupported": True,
                "underground.new_or_expansion_project": True,
                "underground.safety_design_approved": True,
                "underground.major_change_unapproved_construction": True,
            },
        },
        "hits": {"fm-2022:1.4.1", "fm-2022:1.19", "fm-2022:1.27.1"},
    },
    {
        "url": "http://yjj.huangshi.gov.cn/xxgk/fdzdgknr/cfqz2/cfqz/202507/t20250723_1242517.html",
        "authority": "大冶市应急管理局，2025年4月2日检查",
        "cited": "《金属非金属矿山重大事故隐患判定标准》一、（三十一）",
        "finding": {
            "id": "大冶-2025-04-02",
            "sector": UG,
            "observed_on": "2025-04-02",
            "description": (
                "人员定位系统未实现双机备份；风速、CO监测传感器未按规定进行调校；"
                "风速、CO监测预警值按区间设置，设置不正确。"
            ),
            "facts": {
                "underground.positioning_system": "nonconforming",
                "underground.monitoring_system": "nonconforming",
            },
        },
        "hits": {"fm-2022:1.31"},
    },
    {
        "url": "http://p.safehoo.com/Laws/Trade/Coal/202412/5758907.shtml",
        "authority": (
            "湖北省应急管理厅、钟祥市应急管理局，2024年10月24日（国家矿山安全监察局公布的典型执法案例2）"
        ),
        "cited": (
            "“水文地质条件为中等但未配备防治水专业技术人员、未按设计进行探放水作业等重大事故隐患”（用一（九）"
            "1.、3.的原文，未写条款号）"
        ),
        "finding": {
            "id": "钟祥-2024-10-24",
            "sector": UG,
            "observed_on": "2024-10-24",
            "description": "水文地质条件为中等但未配备防治水专业技术人员、未按设计进行探放水作业。",
            "facts": {
                "underground.hydrogeology_type": "medium",
                "underground.water_control_technicians": False,
                "underground.probe_drainage_per_design": False,
            },
        },
        "hits": {"fm-2022:1.9.1", "fm-2022:1.9.3"},
    },
    {
        "url": "https://yjglj.jiaozuo.gov.cn/2025/09-26/579486.html",
        "authority": "政和县应急管理局，2025年1月8日（非煤矿山典型案例1）",
        "cited": (
            "“矿山图纸未及时更新、生产副矿长和采矿技术员学历证书造假及中段巷道未按设计要求进行支护等重大事故隐患”（未写条款号；"
            "对应一（四）1.、一（三十二）、一（十九））"
        ),
        "finding": {
            "id": "政和-2025-01-08",
            "sector": UG,
            "observed_on": "2025-01-08",
            "description": (
                "矿山图纸未及时更新；生产副矿长和采矿技术员学历证书造假；中段巷道未按设计要求进行支护。"
            ),
            "facts": {
                "underground.drawings_kept": True,
                "underground.drawings_updated_on_time": False,
                # A forged degree: no 生产副矿长 or 采矿技术员 "具有矿山相关专业" (our reading).
                "underground.leaders_not_staffed": ["deputy_production"],
                "underground.technicians_not_staffed": ["mining"],
                "underground.roof_unsupported": True,
            },
        },
        "hits": {"fm-2022:1.4.1", "fm-2022:1.32", "fm-2022:1.19"},
    },
    {
        "url": "http://p.safehoo.com/Laws/Trade/Coal/202412/5758907.shtml",
        "authority": "国家矿山安全监察局暗查暗访组会同桂阳县应急管理局，2024年10月24日（典型执法案例1）",
        "cited": (
            "“安全设施设计未按规定报经有关部门审查同意便开工建设；"
            "使用淘汰的危及生产安全的设备；未采取措施消除重大事故隐患”（未写条款号；"
            "对应一（二十七）1.、一（二））"
        ),
        "finding": {
            "id": "桂阳-2024-10-24",
            "sector": UG,
            "observed_on": "2024-10-24",
            "description": (
                "安全设施设计未按规定报经有关部门审查同意便开工建设；"
                "使用淘汰的危及生产安全的设备；未落实领导带班下井制度。"
            ),
            "facts": {
                "underground.new_or_expansion_project": True,
                "underground.safety_design_approved": False,
                "underground.prohibited_equipment_used": True,
            },
        },
        "hits": {"fm-2022:1.27.1", "fm-2022:1.2"},
    },
]


@pytest.mark.parametrize("case", CASES, ids=[c["finding"]["id"] for c in CASES])
@pytest.mark.parametrize("engine", ["native", "durable"])
def test_published_case_is_major_citing_the_clauses_the_authority_used(
    case: dict[str, Any], engine: str
) -> None:
    if engine == "durable":
        pytest.importorskip("durable")
    verdict = hazardrules.classify(case["finding"], engine=engine)
    assert verdict.status == "major", case["url"]
    assert {h.rule for h in verdict.hits} == case["hits"]
    for hit in verdict.hits:
        assert hit.text == PACK.rule(hit.rule).text and hit.text_status == "verified"
    assert verdict.warnings == []


def test_every_case_records_where_it_was_published() -> None:
    assert len(CASES) >= 5
    for case in CASES:
        assert case["url"].startswith("http") and case["authority"] and case["cited"]


# -- thresholds, both sides, against the text's own comparison -----------------------------------------
levels = st.floats(min_value=50, max_value=3000, allow_nan=False).map(lambda x: round(x, 1))
offsets = st.floats(min_value=-3, max_value=3, allow_nan=False).map(lambda x: round(x, 1))


@given(levels, offsets)
@settings(max_examples=60, deadline=None)
def test_entrance_below_flood_level_plus_one_metre(flood: float, offset: float) -> None:
    elevation = round(flood + 1 + offset, 1)
    facts = {
        "underground.highest_flood_level_m": flood,
        "entrance.elevation_m": elevation,
        "entrance.flood_protection_per_design": False,
    }
    expected = "holds" if elevation < flood + 1 else "does_not_hold"
    assert outcome("fm-2022:1.8", facts, UG) == expected


@given(st.integers(min_value=1, max_value=500), st.integers(min_value=50, max_value=150))
@settings(max_examples=60, deadline=None)
def test_output_over_capacity(capacity: int, percent: int) -> None:
    annual = capacity * percent / 100
    facts = {
        "underground.design_annual_capacity_10kt": capacity,
        "underground.annual_output_10kt": annual,
        "underground.monthly_output_10kt": 0,
    }
    expected = "holds" if annual >= 1.2 * capacity else "does_not_hold"
    assert outcome("fm-2022:1.30", facts, UG) == expected


@given(
    st.sampled_from([1.05, 1.10, 1.15, 1.20, 1.25, 1.30, 1.35, 1.50]),
    st.integers(min_value=90, max_value=105),
)
@settings(max_examples=60, deadline=None)
def test_antislide_factor_below_098_of_the_national_value(required: float, percent: int) -> None:
    actual = round(required * percent / 100, 4)
    facts = {
        "tailings.min_antislide_safety_factor": actual,
        "tailings.required_antislide_safety_factor": required,
    }
    expected = "holds" if actual < 0.98 * required else "does_not_hold"
    assert outcome("fm-2022:3.15", facts, TP) == expected


@pytest.mark.parametrize(
    ("rule", "facts", "sector", "expected"),
    [
        (
            "fm-2022:3.15",
            {
                "tailings.min_antislide_safety_factor": 1.225,
                "tailings.required_antislide_safety_factor": 1.25,
            },
            TP,
            "does_not_hold",
        ),
        (
            "fm-2022:3.15",
            {
                "tailings.min_antislide_safety_factor": 1.2249,
                "tailings.required_antislide_safety_factor": 1.25,
            },
            TP,
            "holds",
        ),
        (
            "fm-2022:1.1.2",
            {
                "underground.independent_exits": 2,
                "underground.exit_spacing_m": 30,
                "underground.wing_over_1000m_without_exit": False,
            },
            UG,
            "does_not_hold",
        ),
        (
            "fm-2022:1.1.2",
            {"underground.independent_exits": 2, "underground.exit_spacing_m": 29.99},
            UG,
            "holds",
        ),
        (
            "fm-2022:1.7.1",
            {"underground.main_pumps": 3, "underground.pump_capacity_meets_design": True},
            UG,
            "does_not_hold",
        ),
        ("fm-2022:1.7.1", {"underground.main_pumps": 2}, UG, "holds"),
        (
            "fm-2022:1.7.3",
            {"underground.pump_room_watertight_door": True, "underground.pump_room_second_exit_height_m": 7},
            UG,
            "does_not_hold",
        ),
        (
            "fm-2022:1.7.3",
            {
                "underground.pump_room_watertight_door": True,
                "underground.pump_room_second_exit_height_m": 6.99,
            },
            UG,
            "holds",
        ),
        (
            "fm-2022:1.20.6",
            {
                "underground.mechanical_ventilation": True,
                "underground.reversal_time_min": 10,
                "underground.reversal_test_interval_months": 12,
            },
            UG,
            "does_not_hold",
        ),
        (
            "fm-2022:1.20.6",
            {"underground.mechanical_ventilation": True, "underground.reversal_time_min": 10.01},
            UG,
            "holds",
        ),
        (
            "fm-2022:1.20.6",
            {"underground.mechanical_ventilation": True, "underground.reversal_test_interval_months": 12.5},
            UG,
            "holds",
        ),
        (
            "fm-2022:1.23.2",
            {
                "underground.trackless_personnel_vehicles": True,
                "mine_vehicle.persons_carried": 25,
                "mine_vehicle.rated_persons": 30,
            },
            UG,
            "does_not_hold",
        ),
        (
            "fm-2022:1.23.2",
            {"underground.trackless_personnel_vehicles": True, "mine_vehicle.persons_carried": 26},
            UG,
            "holds",
        ),
        (
            "fm-2022:1.4.1",
            {
                "underground.drawings_kept": True,
                "underground.stage": "production",
                "underground.drawings_updated_months_ago": 3,
            },
            UG,
            "does_not_hold",
        ),
        (
            "fm-2022:1.4.1",
            {
                "underground.drawings_kept": True,
                "underground.stage": "production",
                "underground.drawings_updated_months_ago": 3.1,
            },
            UG,
            "holds",
        ),
        (
            "fm-2022:1.4.1",
            {
                "underground.drawings_kept": True,
                "underground.stage": "construction",
                "underground.drawings_updated_months_ago": 1.1,
            },
            UG,
            "holds",
        ),
        (
            "fm-2022:2.7.1",
            {"pit_slope.type": "working", "pit_slope.height_m": 200, "pit_slope.online_monitoring": False},
            OP,
            "holds",
        ),
        (
            "fm-2022:2.7.1",
            {"pit_slope.type": "working", "pit_slope.height_m": 199.9, "pit_slope.online_monitoring": False},
            OP,
            "does_not_hold",
        ),
        (
            "fm-2022:2.11.1",
            {
                "open_pit.has_waste_dump": True,
                "waste_dump.foundation_slope_n": 5,
                "waste_dump.downslope_dumping": True,
                "waste_dump.foundation_measures_per_design": False,
            },
            OP,
            "does_not_hold",
        ),
        (
            "fm-2022:2.11.1",
            {
                "open_pit.has_waste_dump": True,
                "waste_dump.foundation_slope_n": 4.99,
                "waste_dump.downslope_dumping": True,
                "waste_dump.foundation_measures_per_design": False,
            },
            OP,
            "holds",
        ),
        (
            "fm-2022:3.7",
            {"tailings.phreatic_depth_m": 6, "tailings.control_phreatic_depth_m": 6},
            TP,
            "does_not_hold",
        ),
        (
            "fm-2022:3.7",
            {"tailings.phreatic_depth_m": 5.99, "tailings.control_phreatic_depth_m": 6},
            TP,
            "holds",
        ),
        (
            "fm-2022:3.4",
            {
                "tailings.dam_height_m": 45,
                "tailings.design_total_dam_height_m": 45,
                "tailings.stored_volume_10k_m3": 300,
                "tailings.design_capacity_10k_m3": 300,
            },
            TP,
            "does_not_hold",
        ),
        (
            "fm-2022:3.4",
            {"tailings.dam_height_m": 45.01, "tailings.design_total_dam_height_m": 45},
            TP,
            "holds",
        ),
    ],
)
def test_threshold_boundaries(rule: str, facts: dict[str, Any], sector: str, expected: str) -> None:
    assert outcome(rule, facts, sector) == expected


@given(
    st.floats(min_value=1, max_value=30, allow_nan=False),
    st.floats(min_value=0, max_value=3, allow_nan=False),
)
@settings(max_examples=80, deadline=None)
def test_road_grade_decided_only_where_both_readings_agree(design: float, ratio: float) -> None:
    grade = design * ratio
    facts = {"haul_road.grade_pct": grade, "haul_road.design_grade_pct": design}
    if grade >= design + 10:
        expected = "holds"  # over design by 10 points: over by 10 % too
    elif grade < 1.1 * design:
        expected = "does_not_hold"  # not over by 10 %: not over by 10 points either
    else:
        expected = "undetermined"  # the two readings disagree: the inspector answers
    assert outcome("fm-2022:2.9", facts, OP) == expected


def test_flood_freeboard_and_beach_must_both_be_short_for_a_wet_pond() -> None:
    base = {"tailings.flood_routing_before_flood_season": True, "tailings.storage_type": "wet"}
    both = {
        **base,
        "tailings.flood_freeboard_m": 1.4,
        "tailings.design_flood_freeboard_m": 1.5,
        "tailings.beach_length_m": 99,
        "tailings.design_beach_length_m": 100,
    }
    assert outcome("fm-2022:3.8", both, TP) == "holds"
    one = {**both, "tailings.beach_length_m": 100}
    assert outcome("fm-2022:3.8", one, TP) == "does_not_hold"


# -- installations --------------------------------------------------------------------------------------
def test_three_tailings_ponds_one_over_its_design_height() -> None:
    ponds = [
        {
            "id": f"{n}号尾矿库",
            "kind": "tailings_pond",
            "facts": {
                "tailings.dam_height_m": height,
                "tailings.design_total_dam_height_m": 45,
                "tailings.stored_volume_10k_m3": 100,
                "tailings.design_capacity_10k_m3": 300,
            },
        }
        for n, height in ((1, 40), (2, 46), (3, 45))
    ]
    verdict = hazardrules.classify({"sector": TP, "observed_on": "2025-06-01", "installations": ponds})
    assert verdict.status == "major"
    (hit,) = verdict.hits
    assert hit.rule == "fm-2022:3.4" and hit.installation is not None
    assert (hit.installation.id, hit.installation.kind_name) == ("2号尾矿库", "尾矿库")
    fine = [p for p in ponds if p["id"] != "2号尾矿库"]
    cleared = hazardrules.classify({"sector": TP, "observed_on": "2025-06-01", "installations": fine})
    assert cleared.status == "not_major"
    assert sorted(str(c.installation.id) for c in cleared.cleared if c.installation) == [
        "1号尾矿库",
        "3号尾矿库",
    ]


def test_one_pond_unanswered_keeps_the_site_open() -> None:
    ponds = [
        {
            "id": "1号尾矿库",
            "kind": "tailings_pond",
            "facts": {"tailings.phreatic_depth_m": 8, "tailings.control_phreatic_depth_m": 6},
        },
        {"id": "2号尾矿库", "kind": "tailings_pond", "facts": {"tailings.phreatic_depth_m": 8}},
    ]
    verdict = hazardrules.classify({"sector": TP, "observed_on": "2025-06-01", "installations": ponds})
    assert verdict.status == "undetermined"
    (open_,) = verdict.undetermined
    assert open_.installation is not None and open_.installation.id == "2号尾矿库"
    assert open_.missing == ["tailings.control_phreatic_depth_m"]


def test_hoisting_systems_are_judged_one_by_one() -> None:
    finding = {
        "sector": UG,
        "observed_on": "2025-06-01",
        "facts": {"underground.man_hoisting": True},
        "installations": [
            {
                "id": "主井罐笼",
                "kind": "hoisting_system",
                "facts": {"hoist.type": "shaft_cage", "hoist.gate_interlocked": True},
            },
            {
                "id": "副井罐笼",
                "kind": "hoisting_system",
                "facts": {"hoist.type": "shaft_cage", "hoist.gate_interlocked": False},
            },
            {
                "id": "斜井串车",
                "kind": "hoisting_system",
                "facts": {"hoist.type": "incline_car", "hoist.gate_interlocked": False},
            },
        ],
    }
    verdict = hazardrules.classify(finding)
    assert [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits] == [
        ("fm-2022:1.22.2", "副井罐笼")
    ]


def test_a_fact_of_one_kind_given_on_another_is_an_error() -> None:
    finding = {
        "sector": TP,
        "installations": [{"id": "1号", "kind": "tailings_pond", "facts": {"entrance.elevation_m": 10}}],
    }
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify(finding)
    assert {p.code for p in caught.value.problems} == {"misplaced_fact"}


# -- a site run as several sectors ------------------------------------------------------------------------
SITE = {
    "id": "某矿业公司",
    "sector": [UG, TP],
    "observed_on": "2025-06-01",
    "facts": {
        "underground.hydrogeology_type": "complex",
        "underground.key_watertight_doors_per_design": False,
    },
    "installations": [
        {
            "id": "1号尾矿库",
            "kind": "tailings_pond",
            "facts": {"tailings.phreatic_depth_m": 5, "tailings.control_phreatic_depth_m": 6},
        },
    ],
}


@pytest.mark.parametrize("engine", ["native", "durable"])
def test_an_underground_mine_with_a_tailings_pond_is_judged_under_both_parts(engine: str) -> None:
    if engine == "durable":
        pytest.importorskip("durable")
    verdict = hazardrules.classify(SITE, engine=engine)
    assert verdict.sectors == [UG, TP] and verdict.sector == UG
    assert [s.slug for s in verdict.standards] == ["fm-2022", "fm-2024s"]
    assert [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits] == [
        ("fm-2022:1.10.1", None),
        ("fm-2022:3.7", "1号尾矿库"),
    ]


def test_one_sector_alone_does_not_read_the_other_parts_facts() -> None:
    verdict = hazardrules.classify({**SITE, "sector": UG})
    assert [h.rule for h in verdict.hits] == ["fm-2022:1.10.1"]
    (warning,) = verdict.warnings
    assert warning.code == "fact_not_read"
    assert set(warning.facts) == {"tailings.phreatic_depth_m", "tailings.control_phreatic_depth_m"}


def test_parts_do_not_share_equipment_facts_but_share_the_gathering_places_of_the_site() -> None:
    both = {"sector": [UG, OP], "observed_on": "2025-06-01"}
    verdict = hazardrules.classify({**both, "facts": {"underground.prohibited_equipment_used": True}})
    assert [h.rule for h in verdict.hits] == ["fm-2022:1.2"]
    verdict = hazardrules.classify({**both, "facts": {"mine.gathering_places_in_hazard_zone": True}})
    assert [h.rule for h in verdict.hits] == ["fm-2024s:1.3", "fm-2024s:2.1"]


def test_a_whole_site_checklist_covers_both_parts_and_nothing_else() -> None:
    verdict = hazardrules.classify(
        {"sector": [UG, TP], "observed_on": "2025-06-01", "facts": {}}, complete=True
    )
    parts = {u.rule.split(":")[1].split(".")[0] for u in verdict.undetermined}
    assert parts == {"1", "3"}
    underground = hazardrules.classify(
        {"sector": UG, "observed_on": "2025-06-01", "facts": {}}, complete=True
    )
    tailings = hazardrules.classify({"sector": TP, "observed_on": "2025-06-01", "facts": {}}, complete=True)
    assert len(verdict.undetermined) == len(underground.undetermined) + len(tailings.undetermined)


def test_sector_lists_are_checked_item_by_item() -> None:
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify({"sector": [UG, "金矿"], "facts": {"underground.main_pumps": 2}})
    ((code, field),) = [(p.code, p.field) for p in caught.value.problems]
    assert (code, field) == ("unknown_sector", "sector[1]")
    with pytest.raises(hazardrules.FindingError):
        hazardrules.classify({"sector": [], "facts": {"underground.main_pumps": 2}})
    same = hazardrules.classify(
        {"sector": [UG, "地下矿山"], "observed_on": "2025-06-01", "facts": {"underground.main_pumps": 2}}
    )
    assert same.sectors == [UG] and [h.rule for h in same.hits] == ["fm-2022:1.7.1"]


def test_an_industry_code_of_mining_asks_which_part_or_parts() -> None:
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify({"sector": "0911", "facts": {"underground.main_pumps": 2}})
    (problem,) = caught.value.problems
    assert problem.code == "ambiguous_sector"
    assert all(s in problem.message for s in (UG, OP, TP))


def test_classify_command_takes_a_sector_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "site.json"
    file.write_text(json.dumps(SITE, ensure_ascii=False), encoding="utf-8")
    assert main(["classify", str(file), "--format", "json"]) == 0
    (verdict,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()] or [None]
    assert verdict is not None and verdict["sectors"] == [UG, TP]
    assert {h["rule"] for h in verdict["hits"]} == {"fm-2022:1.10.1", "fm-2022:3.7"}


# -- the official text of the supplement lives inside fm-2022's source -------------------------------------
def test_the_supplement_text_is_found_inside_the_source_of_88(sources_dir: Path) -> None:
    source = load_source(sources_dir, "fm-2024s", "矿安〔2024〕41号")
    assert source is not None and source.document_number == "矿安〔2024〕41号"
    leaves = [p for p in source.items if not any(q.startswith(p + ".") for q in source.items)]
    assert sorted(leaves) == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2"]
    assert load_source(sources_dir, "fm-2024s") is None or load_source(sources_dir, "fm-2024s") == source
    assert load_source(sources_dir, "no-such-standard", "no such number") is None
