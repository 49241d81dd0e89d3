"""煤矿重大事故隐患判定标准: 令第4号 (coal-2020) until 2026-06-30, 令第21号 (coal-2026) from 2026-07-01.

- The same finding judged under each version on either side of the switch date.
- Thresholds against exact arithmetic (hypothesis): the rules compare on the boundary as the text says.
- Installations: several working faces, districts or slopes, one failing; alternatives about the whole
  mine beside alternatives about one face.
- The 2020 catch-all (第十八条第（十一）项) is a judgement the inspector states; the 2026 text is a
  closed list.
- Findings written from published enforcement cases (each with its URL and the clause the authority
  cited, or the category it named when no clause was cited).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hazardrules

PACK = hazardrules.load_pack()
DURABLE = importlib.util.find_spec("durable") is not None and sys.version_info < (3, 13)
SWITCH = dt.date(2026, 7, 1)
BEFORE = SWITCH - dt.timedelta(days=1)


def verdict(
    facts: dict[str, Any],
    day: dt.date,
    sector: str = "coal_mine_underground",
    installations: list[dict[str, Any]] | None = None,
    **options: Any,
) -> hazardrules.Verdict:
    finding = {"sector": sector, "observed_on": day.isoformat(), "facts": facts}
    return hazardrules.classify({**finding, "installations": installations or []}, **options)


def hits(result: hazardrules.Verdict) -> list[str]:
    return [h.rule for h in result.hits]


# -- the date switch ----------------------------------------------------------------------------------
def test_the_version_in_force_is_chosen_by_the_day() -> None:
    facts = {"coal_face.type": "longwall", "coal_face.unobstructed_safety_exits": 1}
    before, after = verdict(facts, BEFORE), verdict(facts, SWITCH)
    assert [s.slug for s in before.standards] == ["coal-2020"]
    assert [s.slug for s in after.standards] == ["coal-2026"]
    assert hits(before) == ["coal-2020:13.5"] and hits(after) == ["coal-2026:20.17"]
    assert before.standards[0].ends == SWITCH and after.standards[0].effective == SWITCH
    undated = {"sector": "井工煤矿", "facts": facts}
    assert hits(hazardrules.classify(undated, on=BEFORE)) == hits(before)
    assert hits(hazardrules.classify(undated, on=SWITCH)) == hits(after)


def test_output_of_exactly_110_percent_is_major_before_the_switch_and_not_after() -> None:
    # 2020: “超过……幅度在10%以上” includes 10%; 2026: “超过……的110%” is strictly more.
    facts = {
        "coal_mine.approved_capacity_t": 1_200_000,
        "coal_mine.annual_raw_coal_output_t": 1_320_000,
        "coal_mine.monthly_raw_coal_output_t": 110_000,
        "coal_mine.quarterly_raw_coal_output_t": 330_000,
    }
    before, after = verdict(facts, BEFORE), verdict(facts, SWITCH)
    assert before.status == "major" and hits(before) == ["coal-2020:4.1"]
    assert before.hits[0].citation.label == "第四条第（一）项"
    assert after.status == "not_major" and [c.rule for c in after.cleared] == ["coal-2026:4.1"]
    assert after.gaps == [] and after.notes == []  # a closed list: no catch-all left unassessed


def test_headcount_of_exactly_120_percent_is_major_only_under_2020() -> None:
    shared = {"coal_mine.staffing_system_established": True, "coal_mine.staffing_system_enforced": True}
    before = verdict({**shared, "coal_face.shift_headcount": 36, "coal_face.headcount_limit": 30}, BEFORE)
    after = verdict(
        {
            "coal_rockburst.headcount_rule_violated": False,
            "coal_face.shift_headcount_counted": 36,
            "coal_face.headcount_limit": 30,
        },
        SWITCH,
    )
    assert hits(before) == ["coal-2020:4.6"] and after.status == "not_major"


def test_a_not_major_under_2020_says_the_catch_all_was_not_assessed() -> None:
    result = verdict({"coal_mine.plan_above_capacity": False}, BEFORE)
    assert result.status == "not_major"
    (note,) = [n for n in result.notes if n.code == "catch_all_not_assessed"]
    assert note.rules == ["coal-2020:18.11"]
    judged = verdict({"coal_mine.other_major_hazard_determined": True}, BEFORE)
    assert hits(judged) == ["coal-2020:18.11"]
    assert any(w.code == "text_unverified" for w in judged.warnings)  # 第十八条第（十一）项 is a recollection


def test_every_hit_cites_its_category_and_the_lead_ins_above_it() -> None:
    for standard, offset in (("coal-2020", 3), ("coal-2026", 3)):
        for rule in PACK.compiled_rules(standard):
            parts = rule.path.split(".")
            expected = {f"{standard}:3.{int(parts[0]) - offset}"}
            expected |= {f"{standard}:{'.'.join(parts[:n])}" for n in range(2, len(parts))}
            assert {c.provision_id for c in rule.also_cites} == expected, rule.id
    result = verdict(
        {
            "coal_predrainage.measure": "strip_directional",
            "coal_predrainage.strip_length_ahead_m": 299,
            "coal_mine.gas_class": "outburst",
        },
        SWITCH,
    )
    (hit,) = result.hits
    assert hit.rule == "coal-2026:6.2.3.6"
    assert [c.citation.label for c in hit.also_cites] == [
        "第三条第（三）项",
        "第六条第（二）项",
        "第六条第（二）项第3目",
    ]


def test_coal_is_two_sectors_and_asks_which() -> None:
    for name in ("煤矿", "06"):
        with pytest.raises(hazardrules.FindingError) as caught:
            hazardrules.classify({"sector": name, "facts": {"coal_power.single_circuit": True}})
        assert caught.value.problems[0].code == "ambiguous_sector"
    open_pit = verdict(
        {
            "coal_slope.final_benches": 3,
            "coal_slope.slope_angle_deg": 40,
            "coal_slope.design_max_angle_deg": 38,
        },
        SWITCH,
        sector="露天煤矿",
    )
    assert hits(open_pit) == ["coal-2026:15.1"]
    # An underground-only item is not applied to an open-pit mine: the fact is read by no rule there.
    gas = verdict({"coal_vent.illegal_series_ventilation": True}, SWITCH, sector="coal_mine_open_pit")
    assert gas.status == "undetermined" and any(w.code == "fact_not_read" for w in gas.warnings)


# -- thresholds against exact arithmetic --------------------------------------------------------------
def holds(
    rule: str, facts: dict[str, Any], day: dt.date, sector: str = "coal_mine_underground"
) -> bool | None:
    result = verdict(facts, day, sector, complete=True, select=[rule])
    if rule in hits(result):
        return True
    return None if any(u.rule == rule for u in result.undetermined) else False


@given(st.integers(1, 5_000_000), st.integers(0, 7_000_000), st.integers(0, 3_000_000))
@settings(max_examples=200, deadline=None)
def test_output_thresholds_are_exact(capacity: int, annual: int, part: int) -> None:
    cap = Fraction(capacity)
    facts = {"coal_mine.approved_capacity_t": capacity, "coal_mine.annual_raw_coal_output_t": annual}
    old = holds("coal-2020:4.1", {**facts, "coal_mine.monthly_raw_coal_output_t": part}, BEFORE)
    assert old is (annual >= cap * Fraction(11, 10) or part > cap / 10)
    new = holds("coal-2026:4.1", {**facts, "coal_mine.quarterly_raw_coal_output_t": part}, SWITCH)
    assert new is (annual > cap * Fraction(11, 10) or part > cap * Fraction(3, 10))
    # On the boundary itself, too: the output that is exactly 110% / 10% / 30%.
    if capacity % 10 == 0:
        edge = {
            "coal_mine.approved_capacity_t": capacity,
            "coal_mine.annual_raw_coal_output_t": capacity * 11 // 10,
        }
        assert holds("coal-2020:4.1", {**edge, "coal_mine.monthly_raw_coal_output_t": capacity // 10}, BEFORE)
        edge_new = {**edge, "coal_mine.quarterly_raw_coal_output_t": capacity * 3 // 10}
        assert holds("coal-2026:4.1", edge_new, SWITCH) is False


@given(st.integers(1, 400), st.integers(0, 600))
@settings(max_examples=150, deadline=None)
def test_headcount_and_air_thresholds_are_exact(limit: int, count: int) -> None:
    new = holds(
        "coal-2026:4.3",
        {
            "coal_face.shift_headcount_counted": count,
            "coal_face.headcount_limit": limit,
            "coal_rockburst.headcount_rule_violated": False,
        },
        SWITCH,
    )
    assert new is (count > Fraction(limit) * Fraction(6, 5))
    old = holds(
        "coal-2020:4.6",
        {
            "coal_face.shift_headcount": count,
            "coal_face.headcount_limit": limit,
            "coal_mine.staffing_system_established": True,
            "coal_mine.staffing_system_enforced": True,
        },
        BEFORE,
    )
    assert old is (count >= Fraction(limit) * Fraction(6, 5))
    air = holds(
        "coal-2026:8.1",
        {
            "coal_vent.total_air_m3_min": 10,
            "coal_vent.total_air_required_m3_min": 10,
            "coal_face.air_supply_m3_min": count,
            "coal_face.air_required_m3_min": limit,
        },
        SWITCH,
    )
    assert air is (count < Fraction(limit) * Fraction(3, 4))


@given(st.integers(1, 300), st.integers(1, 300))
@settings(max_examples=150, deadline=None)
def test_pillar_height_ratio_is_exact_for_whole_metres_and_decimetres(size: int, tenths: int) -> None:
    height = tenths / 10  # a roadway height given to one decimal, as measured
    result = holds(
        "coal-2026:10.7.2",
        {
            "coal_pillar.situation": "heading_under_water",
            "coal_pillar.size_m": size,
            "coal_pillar.roadway_height_m": height,
        },
        SWITCH,
    )
    assert result is (Fraction(size) < 10 * Fraction(tenths, 10))


@pytest.mark.parametrize(
    ("output", "desorbable", "expected"),
    [
        (1000, 8, False),
        (1000, 8.01, True),
        (1001, 7.01, True),
        (2500, 7, False),
        (2501, 6.01, True),
        (4000, 6, False),
        (4001, 5.5, False),
        (4001, 5.51, True),
        (6000, 5.5, False),
        (6001, 5.01, True),
        (8000, 5, False),
        (8001, 4.51, True),
        (10000, 4.5, False),
        (10001, 4.01, True),
        (10001, 4, False),
    ],
)
def test_table_1_row_by_row(output: int, desorbable: float, expected: bool) -> None:
    facts = {
        "mine_gas.drainage_required": True,
        "coal_face.type": "longwall",
        "coal_face.gas_emission_source": "mined_seam",
        "coal_face.daily_output_t": output,
        "coal_face.desorbable_gas_m3_per_t": desorbable,
    }
    assert holds("coal-2026:5.9.1", facts, SWITCH) is expected


@pytest.mark.parametrize(
    ("emission", "rate", "expected"),
    [
        (4.99, 0, False),
        (5, 19.9, True),
        (5, 20, False),
        (9.99, 19, True),
        (10, 29, True),
        (20, 39, True),
        (40, 49, True),
        (70, 59, True),
        (100, 69.9, True),
        (100, 70, False),
        (500, 70, False),
    ],
)
def test_table_2_row_by_row(emission: float, rate: float, expected: bool) -> None:
    facts = {
        "mine_gas.drainage_required": True,
        "coal_face.type": "longwall",
        "coal_face.gas_emission_source": "adjacent_and_rock",
        "coal_face.absolute_gas_emission_m3_min": emission,
        "coal_face.gas_drainage_rate_pct": rate,
    }
    assert holds("coal-2026:5.9.2", facts, SWITCH) is expected


@pytest.mark.parametrize(
    ("emission", "rate", "expected"),
    [
        (0, 24.9, True),
        (19.99, 25, False),
        (20, 34.9, True),
        (40, 39.9, True),
        (80, 44.9, True),
        (160, 49.9, True),
        (300, 54.9, True),
        (500, 59.9, True),
        (500, 60, False),
    ],
)
def test_table_3_row_by_row(emission: float, rate: float, expected: bool) -> None:
    facts = {
        "mine_gas.drainage_required": True,
        "mine_gas.mine_absolute_emission_m3_min": emission,
        "mine_gas.mine_drainage_rate_pct": rate,
    }
    assert holds("coal-2026:5.9.3", facts, SWITCH) is expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"coal_face.residual_gas_pressure_mpa": 0.74}, True),
        ({"coal_face.residual_gas_pressure_mpa": 0.73}, None),
        ({"coal_face.residual_gas_content_m3_t": 8}, True),
        ({"coal_face.residual_gas_content_m3_t": 7.9}, None),
        ({"coal_face.in_structural_zone": True, "coal_face.residual_gas_content_m3_t": 6}, True),
        (
            {
                "coal_face.type": "uncovering",
                "coal_face.coal_sample_moisture": "wet",
                "coal_face.cuttings_desorption_k1": 0.4,
            },
            True,
        ),
        (
            {
                "coal_face.type": "coal_heading",
                "coal_face.coal_sample_moisture": "wet",
                "coal_face.cuttings_desorption_k1": 0.4,
            },
            None,
        ),
        ({"coal_face.cuttings_l_per_m": 5.4}, True),
        ({"coal_face.borehole_initial_gas_flow_l_min": 4.9}, None),
    ],
)
def test_critical_values_of_tables_4_to_7(facts: dict[str, Any], expected: bool | None) -> None:
    # Reaching a critical value makes the index “reached”; staying below leaves the question to the inspector.
    result = holds(
        "coal-2026:6.4.2",
        {"coal_mine.gas_class": "outburst", **facts, "coal_face.measures_after_index_reached": False},
        SWITCH,
    )
    assert result is expected


def test_an_index_below_critical_cannot_be_answered_reached_false_when_another_reaches_it() -> None:
    with pytest.raises(hazardrules.FindingError) as caught:
        verdict(
            {
                "coal_mine.gas_class": "outburst",
                "coal_face.cuttings_kg_per_m": 6,
                "coal_face.check_index_reached": False,
            },
            SWITCH,
        )
    assert caught.value.problems[0].code == "conflict"


# -- installations ------------------------------------------------------------------------------------
def test_several_faces_one_failing_names_that_face() -> None:
    result = verdict(
        {"coal_vent.total_air_m3_min": 12000, "coal_vent.total_air_required_m3_min": 10000},
        SWITCH,
        installations=[
            {
                "id": "2201采煤工作面",
                "kind": "coal_working_face",
                "facts": {"coal_face.air_supply_m3_min": 1500, "coal_face.air_required_m3_min": 1400},
            },
            {
                "id": "2203掘进工作面",
                "kind": "coal_working_face",
                "facts": {"coal_face.air_supply_m3_min": 449, "coal_face.air_required_m3_min": 600},
            },
            {
                "id": "2205掘进工作面",
                "kind": "coal_working_face",
                "facts": {"coal_face.air_supply_m3_min": 450, "coal_face.air_required_m3_min": 600},
            },
        ],
    )
    assert [(h.rule, h.installation.id if h.installation else None) for h in result.hits] == [
        ("coal-2026:8.1", "2203掘进工作面")
    ]


def test_a_mine_wide_alternative_is_judged_once_and_names_no_face() -> None:
    faces = [
        {
            "id": f"F{n}",
            "kind": "coal_working_face",
            "facts": {"coal_face.air_supply_m3_min": 900, "coal_face.air_required_m3_min": 800},
        }
        for n in range(3)
    ]
    short = {"coal_vent.total_air_m3_min": 9000, "coal_vent.total_air_required_m3_min": 10000}
    result = verdict(short, SWITCH, installations=faces)
    assert [(h.rule, h.installation) for h in result.hits] == [("coal-2026:8.1", None)]
    assert set(result.hits[0].because) == set(short)
    if DURABLE:
        durable = verdict(short, SWITCH, installations=faces, engine="durable")
        assert durable.model_dump(exclude={"engine"}) == result.model_dump(exclude={"engine"})
    cleared = verdict({**short, "coal_vent.total_air_m3_min": 10000}, SWITCH, installations=faces)
    assert cleared.status == "not_major"
    assert {c.installation.id if c.installation else None for c in cleared.cleared} == {
        None,
        "F0",
        "F1",
        "F2",
    }


def test_districts_and_slopes_one_by_one() -> None:
    districts = verdict(
        {"coal_mine.gas_class": "high"},
        SWITCH,
        installations=[
            {
                "id": "一采区",
                "kind": "coal_mining_district",
                "facts": {"coal_district.dedicated_return_airway": True},
            },
            {
                "id": "二采区",
                "kind": "coal_mining_district",
                "facts": {"coal_district.dedicated_return_airway": False},
            },
        ],
        select=["coal-2026:8.6"],
    )
    assert [h.installation.id for h in districts.hits if h.installation] == ["二采区"]
    slopes = verdict(
        {},
        SWITCH,
        sector="coal_mine_open_pit",
        installations=[
            {
                "id": "北帮",
                "kind": "coal_open_pit_slope",
                "facts": {
                    "coal_slope.working_bench_height_m": 30,
                    "coal_slope.design_bench_height_m": 15,
                    "coal_slope.berm_width_m": 20,
                    "coal_slope.design_berm_width_m": 40,
                },
            },
            {
                "id": "南帮",
                "kind": "coal_open_pit_slope",
                "facts": {"coal_slope.working_bench_height_m": 31, "coal_slope.design_bench_height_m": 15},
            },
        ],
        select=["coal-2026:15.2"],
    )
    assert [h.installation.id for h in slopes.hits if h.installation] == ["南帮"]


# -- findings written from published enforcement cases -------------------------------------------------
# Each: (id, sector, day, facts, installations, expected hits, source URL, what the authority cited).
CASES_2020: list[tuple[str, str, str, dict[str, Any], list[dict[str, Any]], list[str], str, str]] = [
    (
        "黑龙江 鹤岗 群兴煤矿 2023-02",
        "coal_mine_underground",
        "2023-02-12",
        {
            "coal_mine.reserve_periods_below_minimum": True,
            "coal_mine.output_restricted_for_reserves": False,
            "coal_mine.ageing_or_planned_closure": False,
        },
        [],
        ["coal-2020:4.3"],
        "http://www.morethancard.com/index.php?c=article&id=3863",
        "国家矿山安全监察局黑龙江局监察执法四处公告：准备煤量可采期小于国家规定的最短时间，解除限产前仍不符合规定，"
        "“属于《煤矿重大事故隐患判定标准》第四条第（三）项的情形”，责令停产整顿3日",
    ),
    (
        "四川 川东某改扩建煤矿 2024-06至12月",
        "coal_mine_underground",
        "2024-12-27",
        {
            "coal_mine.drawings_falsified": True,
            "coal_mine.faces_concealed": True,
            "coal_mine.false_information_provided": True,
        },
        [],
        ["coal-2020:18.5"],
        "http://www.51si.cn/shms/2025-10-11/235458.html",
        "国家矿山安全监察局四川局：不上报采掘工程平面图、违规打设临时密闭、拒不上传监控数据，隐瞒1193工作面作业，"
        "“属于《煤矿重大事故隐患判定标准》第十八条第五项规定的……情形”",
    ),
    (
        "山西 金达煤业 2024-01 “三量”不平衡",
        "coal_mine_underground",
        "2024-01-11",
        {
            "coal_mine.reserve_periods_below_minimum": True,
            "coal_mine.output_restricted_for_reserves": False,
            "coal_mine.ageing_or_planned_closure": False,
        },
        [],
        ["coal-2020:4.3"],
        "http://xiuka.com.cn/aqfz/2484.html",
        "国务院安委办山西督导组典型案例一：实际可采期0.42个月，认定为重大事故隐患（“三量”不平衡）；"
        "通报未写条号，第四条第（三）项是本项目对应的条款",
    ),
    (
        "山西 金达煤业 2024-01 超能力生产",
        "coal_mine_underground",
        "2024-01-11",
        # 核定180万吨/年；2022年6、8、9、11月各月产量均超过年能力的10%。通报未给出月产量数字，
        # 这里取与通报相符的最小整数吨（180001）。
        {"coal_mine.approved_capacity_t": 1_800_000, "coal_mine.monthly_raw_coal_output_t": 180_001},
        [],
        ["coal-2020:4.1"],
        "http://xiuka.com.cn/aqfz/2484.html",
        "同一通报：“超能力生产……实际原煤产量均超过核定年生产能力的10%”，认定为重大事故隐患；第四条第（一）项是本项目对应的条款",
    ),
    (
        "山西 寿阳开元矿业 2021-04 架空乘人装置保护缺失",
        "coal_mine_underground",
        "2021-04-02",
        {},
        [
            {
                "id": "集中索道巷架空乘人装置",
                "kind": "coal_man_riding",
                "facts": {
                    "coal_man_riding.protections_missing": ["slope_change_derope"],
                    "coal_man_riding.runs_with_failed_protection": True,
                },
            },
        ],
        [],
        "http://www.1kuang.com/business/detail4235",
        "山西煤矿安全监察局晋中监察分局：架空乘人装置机尾未安装变坡点防掉绳保护等，依据《安全生产法》第九十六条（一般违法）"
        "处罚，未作为重大事故隐患；2020年版没有架空乘人装置的情形（2026年版第二十条第（八）项才列入）",
    ),
    (
        "山西 寿阳开元矿业 2021-04 回风顺槽绞车处未装甲烷传感器",
        "coal_mine_underground",
        "2021-04-02",
        {"coal_monitoring.methane_sensors_installed_per_rules": False},
        [],
        [],
        "http://www.1kuang.com/business/detail4235",
        "同一处罚：依《特别规定》第十条第一款、第十一条第一款（重大事故隐患）责令停产整改3日；通报未写判定标准条号，"
        "第七条第（二）项只适用于高瓦斯矿井（突出矿井依第十八条第（六）项），通报未说明矿井瓦斯等级，因此本库判定为无法判定并询问瓦斯等级",
    ),
]


@pytest.mark.parametrize("case", CASES_2020, ids=[c[0] for c in CASES_2020])
def test_published_cases_under_the_2020_standard(
    case: tuple[str, str, str, dict[str, Any], list[dict[str, Any]], list[str], str, str],
) -> None:
    name, sector, day, facts, installations, expected, url, cited = case
    assert url.startswith("http") and cited
    result = hazardrules.classify(
        {"id": name, "sector": sector, "observed_on": day, "facts": facts, "installations": installations}
    )
    assert result.finding_id == name
    assert [s.slug for s in result.standards] == ["coal-2020"]
    assert hits(result) == expected
    if expected:
        assert result.status == "major"
    elif installations:
        # The 2020 text has no item for man-riding chairlifts: nothing is examined, and the verdict says so.
        assert result.status == "undetermined" and result.undetermined == []
        same_under_2026 = verdict(facts, SWITCH, sector, installations)
        assert hits(same_under_2026) == ["coal-2026:20.8"]
    else:
        assert result.status == "undetermined" and "coal_mine.gas_class" in result.missing_facts


def test_the_2023_open_pit_collapse_findings_are_major_under_2020() -> None:
    # 内蒙古阿拉善新井煤业露天煤矿“2·22”特别重大坍塌事故调查报告（国务院事故调查组）：
    # 井工转露天技改期间边建设边生产，
    # 违法包给不具备矿山建设资质的施工单位。报告未写判定标准条号；第十五条第（三）项是本项目对应的条款。
    # http://hotkkan.com/new_detail/h1?w=1&c=10&new_id=13228
    result = verdict(
        {"coal_mine.expansion_project": True, "coal_mine.production_in_expansion_area": True},
        dt.date(2023, 2, 22),
        sector="coal_mine_open_pit",
    )
    assert hits(result) == ["coal-2020:15.3"]
