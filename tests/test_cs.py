"""房屋市政工程生产安全重大事故隐患判定标准: 2022版 (cs-2022) and 2024版 (cs-2024).

The date switch (the same finding on either side of 2024-12-13), published enforcement cases,
thresholds on both sides, installations judged one by one, the catch-all, the lead-in of 第五条（四）.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hazardrules

PACK = hazardrules.load_pack()
SWITCH = dt.date(2024, 12, 13)
BEFORE = SWITCH - dt.timedelta(days=1)


def site(
    day: dt.date | str,
    facts: dict[str, Any] | None = None,
    installations: list[dict[str, Any]] | None = None,
    finding_id: str | None = None,
) -> dict[str, Any]:
    finding: dict[str, Any] = {
        "sector": "construction",
        "observed_on": day if isinstance(day, str) else day.isoformat(),
        "facts": facts or {},
    }
    if installations:
        finding["installations"] = installations
    if finding_id:
        finding["id"] = finding_id
    return finding


def hits(verdict: hazardrules.Verdict) -> list[str]:
    return [h.rule for h in verdict.hits]


def codes(notices: list[hazardrules.Notice]) -> set[str]:
    return {n.code for n in notices}


# -- the date switch ---------------------------------------------------------------------------------
def test_register_and_standards_agree_on_the_switch_day() -> None:
    old, new = PACK.standards["cs-2022"].meta, PACK.standards["cs-2024"].meta
    assert old.ends == new.effective == SWITCH
    assert PACK.register["cs-2022"].successor == "cs-2024"
    assert PACK.register["cs-2024"].predecessors == ["cs-2022"]
    for day, slug in ((BEFORE, "cs-2022"), (SWITCH, "cs-2024")):
        verdict = hazardrules.classify(site(day, {"special_worker.uncertified_on_duty": True}))
        assert [s.slug for s in verdict.standards] == [slug]
        assert hits(verdict) == [f"{slug}:4.3"]
        assert verdict.gaps == [] and verdict.reference == []


def test_every_encoded_provision_of_both_versions_is_in_the_pack() -> None:
    for slug in ("cs-2022", "cs-2024"):
        standard = PACK.standards[slug]
        assert standard.unencoded == ()
        assert PACK.encoding(slug) == "encoded"
    assert len(PACK.standards["cs-2022"].rules) == 37
    assert len(PACK.standards["cs-2024"].rules) == 56


SWITCH_CASES = [
    pytest.param(
        # a 危大工程 beyond the scale whose plan was not expert-reviewed: the same item in both versions
        {
            "dangerous_works.plan_prepared": True,
            "dangerous_works.plan_reviewed": True,
            "dangerous_works.beyond_scale": True,
            "dangerous_works.expert_reviewed": False,
        },
        ("major", ["cs-2022:4.4"]),
        ("major", ["cs-2024:4.4"]),
        id="plan-not-expert-reviewed",
    ),
    pytest.param(
        # cracks in a tunnel's support that are not growing: 2022 required 且有不断增大趋势, 2024 dropped it
        {
            "tunnel.warning_signs": ["support_cracks"],
            "tunnel.warning_signs_increasing": False,
            "tunnel.warning_signs_measures_in_time": False,
        },
        ("not_major", []),
        ("major", ["cs-2024:13.2"]),
        id="tunnel-cracks-not-growing",
    ),
    pytest.param(
        # 突涌 at a pit's bottom: only 管涌 in 2022 (recollection), 管涌或突涌 in 2024
        {"pit.bottom_piping": False, "pit.bottom_inrush": True, "pit.bottom_handled_in_time": False},
        ("not_major", []),
        ("major", ["cs-2024:5.4.3"]),
        id="pit-bottom-inrush",
    ),
    pytest.param(
        # an attached lifting scaffold used before acceptance: its own item in 2022, 第四条（五） in 2024
        {"scaffold.attached_lifting": True, "scaffold.used_without_acceptance": True},
        ("major", ["cs-2022:7.3"]),
        ("undetermined", []),
        id="attached-scaffold-used-without-acceptance",
    ),
]


@pytest.mark.parametrize(("facts", "before", "after"), SWITCH_CASES)
def test_same_finding_on_either_side_of_the_switch(
    facts: dict[str, Any], before: tuple[str, list[str]], after: tuple[str, list[str]]
) -> None:
    for day, (status, expected) in ((BEFORE, before), (SWITCH, after)):
        verdict = hazardrules.classify(site(day, facts))
        assert (verdict.status, hits(verdict)) == (status, expected), day
        assert verdict.on == day
        if status == "not_major":
            assert "catch_all_not_assessed" in codes(verdict.notes)


def test_a_2022_hit_on_a_recollected_text_warns_and_the_2024_hit_does_not() -> None:
    facts = {"dangerous_works.plan_prepared": False}
    before = hazardrules.classify(site(BEFORE, facts))
    after = hazardrules.classify(site(SWITCH, facts))
    assert before.hits[0].text_status == "unverified" and "text_unverified" in codes(before.warnings)
    assert after.hits[0].text_status == "verified" and "text_unverified" not in codes(after.warnings)
    assert before.hits[0].citation.label == after.hits[0].citation.label == "第四条第（四）项"
    assert before.hits[0].citation.document_number == "建质规〔2022〕2号"
    assert after.hits[0].citation.document_number == "建质规〔2024〕5号"


def test_a_2024_only_situation_found_before_the_switch_is_never_not_major() -> None:
    facts = {"site.rail_protection_zone_work_unapproved": True}
    before = hazardrules.classify(site(BEFORE, facts))
    assert before.status == "undetermined" and before.hits == []
    assert {"fact_not_read", "nothing_examined"} <= codes(before.warnings)
    after = hazardrules.classify(site(SWITCH, facts))
    assert after.status == "major" and hits(after) == ["cs-2024:13.7"]


def test_before_the_2022_version_no_standard_governs() -> None:
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify(site("2022-04-18", {"special_worker.uncertified_on_duty": True}))
    assert [p.code for p in caught.value.problems] == ["no_standard"]


# -- published enforcement cases ------------------------------------------------------------------
# Each case: the authority's own words (summarised), the date, what the authority cited, and the
# finding written from it. Only facts the source states are given; the rest stay unknown.
CASES: list[dict[str, Any]] = [
    {
        "id": "panyu-2024-12-tower-crane-attachment",
        "url": "http://cppttj.com/jgzy/qzfbm/fzqzfhcxjsj/zjjgkml/gzdt/tzgg/content/post_10016186.html",
        "source": "广州市番禺区住房和城乡建设局《关于起重机械监督抽检发现存在重大安全隐患的通报》，2024-12-09"
        "（读到的是一个把机关名替换成广告词的镜像页面）",
        "cited": "《房屋市政工程重大事故隐患判定标准(2022版)》第四条第4点",
        "what": "自编9#塔吊附着杆与垂直附着中心线夹角小于15°，提供的附着方案未经专家论证，判定为重大事故隐患",
        "finding": site(
            "2024-12-09",
            installations=[
                {
                    "id": "9#塔吊附着方案",
                    "kind": "dangerous_works",
                    "facts": {
                        "dangerous_works.plan_prepared": True,
                        "dangerous_works.beyond_scale": True,
                        "dangerous_works.expert_reviewed": False,
                    },
                }
            ],
        ),
        "status": "major",
        "rules": ["cs-2022:4.4"],
    },
    {
        "id": "xiamen-2024-06-metro-protection-zone-drilling",
        "url": "https://m.163.com/dy/article/J5MC8Q3905149GEV.html",
        "source": "福建法治报—海峡法治在线，2024-06-26："
        "厦门市交通执法支队轨道大队制止地铁3号线安全保护区内违规勘探",
        "cited": "《厦门经济特区轨道交通条例》（不是本标准）",
        "what": "未办理地铁保护区施工审批，在距轨行区约35米处钻探（拟建办公楼的地勘）",
        "finding": site("2024-06-26", {"site.rail_protection_zone_work_unapproved": True}),
        "status": "undetermined",
        "rules": [],
        "note": "2022版没有这一情形：判定为无法判定（没有条款读取该事实），从不给出“不构成”；"
        "2024版第十三条第（七）项才列入",
    },
    {
        "id": "xiaoshan-2024-07-metro-protection-zone",
        "url": "https://xsrb.xsnet.cn/epaper/html/2024-07/19/content_79495_17630971.htm",
        "source": "萧山日报，2024-07-19：萧山区综合行政执法局制止地铁1号线保护区内违规施工",
        "cited": "地铁保护区管理规定（不是本标准）",
        "what": "施工单位未办理审批手续即在地铁1号线保护区内施工",
        "finding": site("2024-07-19", {"site.rail_protection_zone_work_unapproved": True}),
        "status": "undetermined",
        "rules": [],
    },
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_published_case(case: dict[str, Any]) -> None:
    verdict = hazardrules.classify(case["finding"])
    assert verdict.status == case["status"], case["what"]
    assert hits(verdict) == case["rules"]
    assert verdict.status != "not_major"


def test_published_cases_have_a_source() -> None:
    for case in CASES:
        assert case["source"] and case["cited"] and case["what"]
        assert case["url"].startswith("http")


def test_the_panyu_case_names_the_installation_and_cites_the_item() -> None:
    case = CASES[0]
    verdict = hazardrules.classify(case["finding"])
    (hit,) = verdict.hits
    assert hit.installation is not None and hit.installation.id == "9#塔吊附着方案"
    assert hit.installation.kind_name == "危险性较大的分部分项工程"
    assert hit.citation.label == "第四条第（四）项"
    assert hit.because == {"dangerous_works.beyond_scale": True, "dangerous_works.expert_reviewed": False}


# -- 第五条（四）: sub-items with their lead-in ---------------------------------------------------------
@pytest.mark.parametrize("slug", ["cs-2022", "cs-2024"])
def test_a_collapse_sign_hit_cites_the_lead_in(slug: str) -> None:
    day = BEFORE if slug == "cs-2022" else SWITCH
    facts = {
        "pit.kind": "foundation_pit",
        "pit.side_wall_heavy_leakage": True,
        "pit.side_wall_leakage_handled_in_time": False,
    }
    (hit,) = hazardrules.classify(site(day, facts)).hits
    assert hit.rule == f"{slug}:5.4.2" and hit.citation.label == "第五条第（四）项2."
    assert [c.id for c in hit.also_cites] == [f"{slug}:5.4"]
    assert "且未及时处理" in hit.also_cites[0].text
    handled = {"pit.side_wall_heavy_leakage": True, "pit.side_wall_leakage_handled_in_time": True}
    assert hazardrules.classify(site(day, handled)).status == "not_major"


# -- thresholds exactly as written, on both sides --------------------------------------------------
def holds(rule: str, day: dt.date, facts: dict[str, Any]) -> bool | None:
    verdict = hazardrules.classify(site(day, facts), select=[rule])
    if rule in hits(verdict):
        return True
    if rule in {u.rule for u in verdict.undetermined}:
        return None
    assert rule in {c.rule for c in verdict.cleared}
    return False


MEASURE = st.integers(0, 2000).map(lambda n: n / 10)


@given(MEASURE, MEASURE)
@settings(max_examples=60, deadline=None)
def test_deformation_holds_only_above_the_design_control_value(measured: float, limit: float) -> None:
    facts = {
        "pit.kind": "foundation_pit",
        "pit.support_deformation_mm": measured,
        "pit.support_deformation_limit_mm": limit,
        "pit.adjacent_building_deformation_over_limit": False,
        "pit.deformation_handled_in_time": False,
    }
    for rule, day in (("cs-2022:5.4.1", BEFORE), ("cs-2024:5.4.1", SWITCH)):
        assert holds(rule, day, facts) is (measured > limit)


@given(MEASURE, MEASURE)
@settings(max_examples=60, deadline=None)
def test_load_within_the_excavation_depth_counts_its_edge(distance: float, depth: float) -> None:
    facts = {
        "pit.kind": "foundation_pit",
        "pit.unsupported": True,
        "pit.nearest_load_distance_m": distance,
        "pit.excavation_depth_m": depth,
    }
    assert holds("cs-2024:14.2", SWITCH, facts) is (distance <= depth)


@given(st.integers(0, 1500), st.integers(1, 1500))
@settings(max_examples=60, deadline=None)
def test_pile_gap_holes_hold_only_deeper_than_the_pile_diameter(depth: int, diameter: int) -> None:
    facts = {
        "pit.soil_loss_hole_depth_mm": depth,
        "pit.pile_diameter_mm": diameter,
        "pit.soil_loss_handled_in_time": False,
    }
    assert holds("cs-2024:5.4.4", SWITCH, facts) is (depth > diameter)


@given(MEASURE, st.integers(1, 400).map(lambda n: n / 10))
@settings(max_examples=80, deadline=None)
def test_attached_scaffold_cantilever_over_two_fifths_or_six_metres(cantilever: float, height: float) -> None:
    facts = {
        "scaffold.attached_lifting": True,
        "scaffold.cantilever_height_m": cantilever,
        "scaffold.frame_height_m": height,
    }
    expected = cantilever > height * 2 / 5 or cantilever > 6
    assert holds("cs-2022:7.5", BEFORE, facts) is expected


@pytest.mark.parametrize(
    ("cantilever", "height", "expected"),
    [(6.0, 20.0, False), (6.01, 20.0, True), (4.0, 10.0, False), (4.01, 10.0, True), (2.0, 5.0, False)],
)
def test_cantilever_boundaries(cantilever: float, height: float, expected: bool) -> None:
    facts = {
        "scaffold.attached_lifting": True,
        "scaffold.cantilever_height_m": cantilever,
        "scaffold.frame_height_m": height,
    }
    assert holds("cs-2022:7.5", BEFORE, facts) is expected


@pytest.mark.parametrize(
    ("rule", "facts", "expected"),
    [
        (
            "cs-2024:9.5",
            {
                "gondola.load_kg": 630,
                "gondola.rated_load_kg": 630,
                "gondola.safety_lock": "working",
                "gondola.lifeline_independent": True,
            },
            False,
        ),
        ("cs-2024:9.5", {"gondola.load_kg": 631, "gondola.rated_load_kg": 630}, True),
        ("cs-2024:10.2", {"overhead_line.distance_m": 6, "overhead_line.required_distance_m": 6}, False),
        (
            "cs-2024:10.2",
            {
                "overhead_line.distance_m": 5.99,
                "overhead_line.required_distance_m": 6,
                "overhead_line.protection_taken": False,
            },
            True,
        ),
        ("cs-2024:14.3", {"stockpile.load_kn_m2": 15, "stockpile.allowable_kn_m2": 15}, False),
        ("cs-2024:14.3", {"stockpile.load_kn_m2": 15.1, "stockpile.allowable_kn_m2": 15}, True),
        (
            "cs-2024:14.1",
            {
                "pit.kind": "foundation_pit",
                "pit.edge_surcharge_kn_m2": 20,
                "pit.edge_surcharge_allowable_kn_m2": 20,
            },
            False,
        ),
        (
            "cs-2024:14.1",
            {
                "pit.kind": "foundation_pit",
                "pit.edge_surcharge_kn_m2": 20.5,
                "pit.edge_surcharge_allowable_kn_m2": 20,
            },
            True,
        ),
        ("cs-2024:6.2", {"formwork.construction_load_kn_m2": 12, "formwork.design_load_kn_m2": 12}, False),
        ("cs-2024:6.2", {"formwork.construction_load_kn_m2": 12.01, "formwork.design_load_kn_m2": 12}, True),
        (
            "cs-2024:6.3",
            {
                "formwork.removal_or_climbing": True,
                "formwork.concrete_strength_mpa": 22.5,
                "formwork.required_strength_mpa": 22.5,
            },
            False,
        ),
        (
            "cs-2024:6.3",
            {
                "formwork.removal_or_climbing": True,
                "formwork.concrete_strength_mpa": 22.49,
                "formwork.required_strength_mpa": 22.5,
            },
            True,
        ),
        (
            "cs-2024:13.3",
            {
                "tunnel.method_nonconforming": False,
                "tunnel.advance_geological_forecast_done": True,
                "tunnel.monitoring_done": True,
                "tunnel.monitored_value_mm": 30,
                "tunnel.monitoring_control_value_mm": 30,
            },
            False,
        ),
        (
            "cs-2024:13.3",
            {
                "tunnel.method_nonconforming": False,
                "tunnel.advance_geological_forecast_done": True,
                "tunnel.monitoring_done": True,
                "tunnel.monitored_value_mm": 30.1,
                "tunnel.monitoring_control_value_mm": 30,
                "tunnel.monitoring_measures_in_time": False,
            },
            True,
        ),
    ],
)
def test_threshold_boundaries(rule: str, facts: dict[str, Any], expected: bool) -> None:
    assert holds(rule, SWITCH, facts) is expected


def test_a_derived_comparison_and_a_contradicting_answer_are_an_error() -> None:
    facts = {"gondola.load_kg": 700, "gondola.rated_load_kg": 630, "gondola.overloaded": False}
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify(site(SWITCH, facts))
    assert {p.code for p in caught.value.problems} == {"conflict"}


# -- installations one by one --------------------------------------------------------------------
SCAFFOLDS = [
    {"id": "1号楼外架", "kind": "scaffold", "facts": {"scaffold.wall_ties": "complete"}},
    {"id": "2号楼外架", "kind": "scaffold", "facts": {"scaffold.wall_ties": "partly_missing"}},
    {"id": "3号楼悬挑架", "kind": "scaffold", "facts": {"scaffold.wall_ties": "whole_layer_missing"}},
]


@pytest.mark.parametrize("day", [BEFORE, SWITCH])
def test_several_scaffolds_one_failing_names_that_one(day: dt.date) -> None:
    verdict = hazardrules.classify(site(day, installations=SCAFFOLDS))
    assert verdict.status == "major"
    assert [(h.rule.split(":")[1], h.installation and h.installation.id) for h in verdict.hits] == [
        ("7.2", "3号楼悬挑架")
    ]


def test_several_scaffolds_all_fine_clear_each_one() -> None:
    fine = [{**s, "facts": {"scaffold.wall_ties": "complete"}} for s in SCAFFOLDS]
    verdict = hazardrules.classify(site(SWITCH, installations=fine))
    assert verdict.status == "not_major"
    cleared = sorted((c.rule, c.installation.id if c.installation else None) for c in verdict.cleared)
    assert cleared == sorted(("cs-2024:7.2", s["id"]) for s in SCAFFOLDS)


def test_one_unknown_scaffold_keeps_the_verdict_open_and_says_which() -> None:
    mixed = [
        {"id": "1号楼外架", "kind": "scaffold", "facts": {"scaffold.attached_lifting": False}},
        {
            "id": "2号楼爬架",
            "kind": "scaffold",
            "facts": {"scaffold.attached_lifting": True, "scaffold.anti_tilt_device": "working"},
        },
    ]
    verdict = hazardrules.classify(site(SWITCH, installations=mixed))
    assert verdict.status == "undetermined"
    opened = {(u.rule, u.installation.id if u.installation else None) for u in verdict.undetermined}
    assert opened == {("cs-2024:7.3", "2号楼爬架")}
    assert set(verdict.missing_facts) == {"scaffold.anti_fall_device", "scaffold.sync_control_device"}
    # the rule is open as a whole: the scaffold that clears it is not reported as cleared on its own
    assert "cs-2024:7.3" not in {c.rule for c in verdict.cleared}


def test_crane_items_are_judged_per_crane_and_by_kind() -> None:
    cranes = [
        {
            "id": "1#塔吊",
            "kind": "construction_crane",
            "facts": {
                "crane.kind": "tower_crane",
                "crane.verticality_nonconforming": False,
                "crane.freestanding_height_nonconforming": False,
                "crane.attachment_spacing_or_overhang_nonconforming": False,
            },
        },
        {
            "id": "2#施工电梯",
            "kind": "construction_crane",
            "facts": {"crane.kind": "construction_hoist", "crane.verticality_nonconforming": True},
        },
    ]
    verdict = hazardrules.classify(site(SWITCH, installations=cranes))
    assert [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits] == [
        ("cs-2024:8.6", "2#施工电梯")
    ]
    cleared = {(c.rule, c.installation.id if c.installation else None) for c in verdict.cleared}
    assert ("cs-2024:8.7", "1#塔吊") in cleared and ("cs-2024:8.7", "2#施工电梯") in cleared


def test_an_item_over_two_kinds_holds_for_the_kind_that_fails() -> None:
    # 第九条（四）: a scaffold's gap or a lift shaft without protection and door.
    inst = [
        {"id": "1号楼外架", "kind": "scaffold", "facts": {"scaffold.gap_to_structure_unprotected": False}},
        {
            "id": "1号楼电梯井",
            "kind": "lift_shaft",
            "facts": {"lift_shaft.horizontal_protection": False, "lift_shaft.door_installed": True},
        },
        {
            "id": "2号楼电梯井",
            "kind": "lift_shaft",
            "facts": {"lift_shaft.horizontal_protection": False, "lift_shaft.door_installed": False},
        },
    ]
    verdict = hazardrules.classify(site(SWITCH, installations=inst))
    assert [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits] == [
        ("cs-2024:9.4", "2号楼电梯井")
    ]


def test_an_installation_fact_cannot_be_given_for_the_whole_site_beside_listed_ones() -> None:
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify(site(SWITCH, {"scaffold.wall_ties": "none"}, installations=SCAFFOLDS))
    assert {p.code for p in caught.value.problems} == {"misplaced_fact"}


# -- the catch-all --------------------------------------------------------------------------------
@pytest.mark.parametrize(("day", "rule"), [(BEFORE, "cs-2022:15"), (SWITCH, "cs-2024:17")])
def test_the_catch_all_is_a_judgement_never_inferred(day: dt.date, rule: str) -> None:
    base = {"demolition.sequence_nonconforming": False}
    verdict = hazardrules.classify(site(day, base))
    assert verdict.status == "not_major"
    (note,) = [n for n in verdict.notes if n.code == "catch_all_not_assessed"]
    assert note.rules == [rule]
    assessed = hazardrules.classify(site(day, {**base, "construction.other_major_hazard_determined": False}))
    assert assessed.status == "not_major" and "catch_all_not_assessed" not in codes(assessed.notes)
    determined = hazardrules.classify(site(day, {**base, "construction.other_major_hazard_determined": True}))
    assert hits(determined) == [rule]


# -- vocabulary shared with 工贸 -------------------------------------------------------------------
def test_confined_space_facts_are_shared_but_scoped_differently() -> None:
    facts = {"confined_space_work.approval_implemented": False}
    construction = hazardrules.classify(site(SWITCH, {**facts, "site.confined_space_work": True}))
    assert hits(construction) == ["cs-2024:11.2"]
    gongmao = hazardrules.classify(
        {
            "sector": "metallurgy",
            "observed_on": SWITCH.isoformat(),
            "facts": {**facts, "enterprise.toxic_confined_space_work": False},
        }
    )
    assert gongmao.status == "not_major"  # 工贸 第十三条 only covers spaces with a poisoning risk


@pytest.mark.parametrize("code", ["47", "E4710", "4813", "4814", "5011", "5021"])
def test_unambiguous_industry_codes_name_the_project_kind(code: str) -> None:
    verdict = hazardrules.classify(
        {"sector": code, "observed_on": "2025-03-01", "facts": {"special_worker.uncertified_on_duty": True}}
    )
    assert verdict.sector == "construction" and hits(verdict) == ["cs-2024:4.3"]


def test_a_whole_site_inspection_asks_per_installation_kind() -> None:
    verdict = hazardrules.classify(site(SWITCH), complete=True)
    assert verdict.status == "undetermined"
    asked = set(verdict.missing_facts)
    assert {
        "dangerous_works.plan_prepared",
        "pit.third_party_monitoring",
        "crane.safety_devices",
        "construction.other_major_hazard_determined",
    } <= asked
    assert "tunnel.warning_signs_increasing" not in asked  # a 2022 condition only
