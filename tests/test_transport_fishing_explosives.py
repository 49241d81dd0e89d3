"""Issue 19: road-2023, highway-2023, inland-ships-2024, roadworks-2025, fishing-2022, explosives-2024.

Partial coverage is part of the verdict: a standard with provisions missing from the pack never gives
``not_major`` for the sectors those provisions cover; the verdict names them with their reasons.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules.interfaces.describe import example_of
from hazardrules.pack.sources import load_source

from ._strategies import fact_values

PACK = hazardrules.load_pack()
ISSUE = [
    "road-2023",
    "highway-2023",
    "inland-ships-2024",
    "roadworks-2025",
    "fishing-2022",
    "explosives-2024",
]
PARTIAL = [s for s in ISSUE if PACK.standards[s].unencoded]


def missing_for(slug: str, sector: str) -> list[str]:
    standard = PACK.standards[slug]
    return [
        f"{slug}:{p.path}"
        for p in standard.unencoded
        if sector in (p.sectors if p.sectors is not None else standard.meta.sectors)
    ]


# -- partial coverage ---------------------------------------------------------------------------------
def test_only_fishing_is_complete() -> None:
    assert PARTIAL == ["road-2023", "highway-2023", "inland-ships-2024", "roadworks-2025", "explosives-2024"]
    for slug in ISSUE:
        expected = "partial" if slug in PARTIAL else "encoded"
        assert PACK.encoding(slug) == expected


CLEARING = [
    (rule.id, number)
    for slug in ISSUE
    for rule in PACK.compiled_rules(slug)
    for number, example in enumerate(rule.spec.examples)
    if example.expect == "does_not_hold"
]


@pytest.mark.parametrize(("rule_id", "number"), CLEARING, ids=[f"{r}#{n}" for r, n in CLEARING])
def test_a_cleared_rule_of_a_partial_standard_is_never_not_major(rule_id: str, number: int) -> None:
    rule = PACK.compiled_rule(rule_id)
    finding = example_of(PACK, rule, rule.spec.examples[number])["finding"]
    verdict = hazardrules.classify(finding, select=[rule_id])
    assert [c.rule for c in verdict.cleared] and not verdict.hits and not verdict.undetermined
    missing = missing_for(rule.standard, finding["sector"])
    if missing:
        assert verdict.status == "undetermined"
        (gap,) = verdict.gaps
        assert gap.code == "provisions_missing" and gap.document.encoding == "partial"
        assert gap.provisions == missing
        for provision in PACK.standards[rule.standard].unencoded:
            if f"{rule.standard}:{provision.path}" in missing:
                assert provision.label in gap.message and provision.reason in gap.message
        assert "不能判定为不构成重大事故隐患" in gap.message
    else:
        assert verdict.status == "not_major" and verdict.gaps == []


SECTORS = sorted({s for slug in PARTIAL for s in PACK.standards[slug].meta.sectors})


@given(st.sampled_from(SECTORS), st.data())
@settings(max_examples=200, deadline=None)
def test_no_finding_in_a_partially_encoded_sector_is_ever_not_major(sector: str, data: Any) -> None:
    readable = sorted(
        {f for s in PACK.standards_for(sector) for u in s.by_sector[sector] for f in u.touch}
        - set(PACK.sectors[sector].implies)
    )
    names = data.draw(st.lists(st.sampled_from(readable), min_size=1, max_size=8, unique=True))
    finding = {
        "sector": sector,
        "observed_on": "2026-12-01",
        "facts": {n: data.draw(fact_values(PACK, n)) for n in names},
    }
    try:
        verdict = hazardrules.classify(finding)
    except hazardrules.FindingError as exc:
        assert {p.code for p in exc.problems} <= {"conflict"}
        return
    assert verdict.status != "not_major"
    assert any(g.code == "provisions_missing" for g in verdict.gaps) or verdict.status == "major"


def test_missing_provisions_are_scoped_by_sector() -> None:
    assert "road-2023:4.2" in missing_for("road-2023", "road_passenger")
    assert "road-2023:4.2" not in missing_for("road-2023", "taxi")
    assert {"road-2023:taxi.2", "road-2023:taxi.3"} <= set(missing_for("road-2023", "taxi"))
    assert "road-2023:urban_bus" in missing_for("road-2023", "urban_bus")
    # 第一条、第二条 and 第五条 (its subject is unknown) are missing for every kind of enterprise.
    for sector in PACK.standards["road-2023"].meta.sectors:
        assert {"road-2023:1", "road-2023:2", "road-2023:5"} <= set(missing_for("road-2023", sector))


def test_the_standards_register_says_which_provisions_are_missing() -> None:
    entries = {e.id: e for e in hazardrules.standards(dt.date(2026, 12, 1))}
    for slug in PARTIAL:
        assert entries[slug].encoding == "partial" and entries[slug].in_force
        assert entries[slug].unencoded_provisions == [
            f"{slug}:{p.path}" for p in PACK.standards[slug].unencoded
        ]
    assert (
        entries["fishing-2022"].encoding == "encoded" and entries["fishing-2022"].unencoded_provisions == []
    )


# -- the official texts: provisions without a number ---------------------------------------------------
def test_articles_without_a_number_are_addressed_by_their_declared_names(sources_dir: Path) -> None:
    road = PACK.standards["road-2023"]
    source = load_source(sources_dir, "road-2023", names=road.names)
    assert source is not None and source.unplaced == ()
    assert source.items["taxi.1"].text is not None and source.items["taxi.1"].text.startswith(
        "网络预约出租汽车经营者"
    )
    assert source.items["4.2"].tail and source.items["6.3"].tail and source.items["taxi.3"].tail
    # Without the names the taxi article's items have no address (they used to take 第一条's and 第二条's).
    bare = load_source(sources_dir, "road-2023")
    assert bare is not None and "第?条（出租汽车客运企业）" in bare.unplaced
    assert bare.items["1"].label == "第一条" and bare.items["2"].label == "第二条"


def test_an_articles_single_unnumbered_situation_takes_its_path(sources_dir: Path) -> None:
    source = load_source(sources_dir, "highway-2023", names=PACK.standards["highway-2023"].names)
    assert source is not None
    bridge = source.items["5"]
    assert bridge.text == "桥梁技术状况评定为5类，尚未实施危桥改造且未封闭交通的。"
    assert bridge.lead == "在役公路桥梁存在以下情形的，应当判定为重大事故隐患："
    assert PACK.rule("highway-2023:5").text == bridge.text.rstrip("。")


def test_a_lead_in_is_addressable_but_not_a_situation(sources_dir: Path) -> None:
    source = load_source(sources_dir, "fishing-2022")
    assert source is not None
    assert source.items["lead"].is_lead_in and "核定载员10人及以上" in (source.items["lead"].text or "")
    assert [i.path for i in source.situations()] == [str(n) for n in range(1, 9)]


def test_lint_asks_for_a_name_for_an_article_without_a_number(pack_copy: Path, sources_dir: Path) -> None:
    file = pack_copy / "standards" / "road-2023.yaml"
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    data["unnumbered"] = [u for u in data["unnumbered"] if u["segment"] != "urban_bus"]
    data["unencoded"] = [u for u in data["unencoded"] if u["path"] != "6.3"]
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = hazardrules.lint(pack_copy, sources=sources_dir)
    messages = [str(p) for p in report.errors]
    assert any("第?条（城市公共汽电车客运企业） has no number in the official source" in m for m in messages)
    assert any("road-2023:6.3" in m and "open tail" in m for m in messages)
    assert any(
        "road-2023:urban_bus" in m and "neither a number, 'lead' nor declared under unnumbered" in m
        for m in messages
    )


# -- versions by date ----------------------------------------------------------------------------------
SWITCHES = [
    ("road_passenger", "2023-10-01", {"road.operating_without_licence_or_filing": True}, "road-2023:3.1"),
    (
        "highway_operation",
        "2023-10-08",
        {
            "highway_bridge.condition_class": 5,
            "highway_bridge.rebuild_under_way": False,
            "highway_bridge.traffic_closed": False,
        },
        "highway-2023:5",
    ),
    (
        "inland_shipping",
        "2024-12-15",
        {"inland_ship.gross_tonnage": 500, "inland_ship.beyond_approved_area": True},
        "inland-ships-2024:4.4",
    ),
    ("roadworks", "2025-04-14", {"roadworks.contractor_safety_licence_valid": False}, "roadworks-2025:4.1"),
    (
        "fishing_vessels",
        "2022-04-02",
        {"fishing_vessel.approved_complement": 12, "fishing_vessel.officers_meet_minimum_manning": False},
        "fishing-2022:3",
    ),
]


@pytest.mark.parametrize(("sector", "first_day", "facts", "rule"), SWITCHES, ids=[s[0] for s in SWITCHES])
def test_a_standard_applies_from_its_first_day(
    sector: str, first_day: str, facts: dict[str, Any], rule: str
) -> None:
    finding = {"sector": sector, "facts": facts}
    day = dt.date.fromisoformat(first_day)
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify(finding, on=day - dt.timedelta(days=1))
    assert [p.code for p in caught.value.problems] == ["no_standard"]
    verdict = hazardrules.classify(finding, on=day)
    assert verdict.status == "major" and [h.rule for h in verdict.hits] == [rule]


EXPLOSIVES_FINDING = {
    "sector": "民爆",
    "facts": {"explosives.licences_missing_or_expired": ["safety_production_licence"]},
}


def test_explosives_the_day_before_the_2024_standard_names_the_trial_version() -> None:
    verdict = hazardrules.classify(EXPLOSIVES_FINDING, on=dt.date(2024, 12, 2))
    assert verdict.status == "undetermined" and verdict.hits == []
    (gap,) = verdict.gaps
    assert gap.code == "standard_not_encoded" and gap.document.id == "explosives-2023"
    assert "工信厅安全函〔2023〕337号" in gap.message


def test_explosives_from_the_2024_standard_on() -> None:
    verdict = hazardrules.classify(EXPLOSIVES_FINDING, on=dt.date(2024, 12, 3))
    assert verdict.status == "major"
    (hit,) = verdict.hits
    assert hit.rule == "explosives-2024:1" and hit.citation.document_number == "工信部安全〔2024〕234号"
    assert [s.slug for s in verdict.standards] == ["explosives-2024"]


def test_explosives_items_in_the_2023_wording_are_flagged_when_cited() -> None:
    verdict = hazardrules.classify(
        {
            "sector": "civil_explosives",
            "observed_on": "2025-06-01",
            "facts": {"explosives.building_use_changed_without_design": True},
        }
    )
    (hit,) = verdict.hits
    assert hit.rule == "explosives-2024:7" and hit.text_status == "unverified"
    assert [w.code for w in verdict.warnings] == ["text_unverified"]
    assert any("2024年版的措辞可能不同" in n.text for n in PACK.rule("explosives-2024:7").notes)


# -- thresholds exactly as written -----------------------------------------------------------------------
@given(st.integers(0, 2000))
@settings(max_examples=60, deadline=None)
def test_800_km_and_over_is_the_routes_of_4_1(km: int) -> None:
    verdict = hazardrules.classify(
        {
            "sector": "road_passenger",
            "observed_on": "2025-01-01",
            "facts": {"passenger_route.length_km": km, "passenger_route.risk_assessed": False},
        },
        select=["road-2023:4.1"],
    )
    assert (verdict.status == "major") == (km >= 800)


@given(st.integers(0, 30), st.integers(0, 30))
@settings(max_examples=80, deadline=None)
def test_fishing_scope_and_complement(complement: int, on_board: int) -> None:
    verdict = hazardrules.classify(
        {
            "sector": "fishing_vessels",
            "observed_on": "2025-01-01",
            "facts": {
                "fishing_vessel.approved_complement": complement,
                "fishing_vessel.persons_on_board": on_board,
                "fishing_vessel.carries_passengers_without_approval": False,
            },
        },
        select=["fishing-2022:7"],
    )
    assert (verdict.status == "major") == (complement >= 10 and on_board > complement)
    if complement < 10:
        assert [n.code for n in verdict.notes] == ["outside_scope"]


@pytest.mark.parametrize(
    ("months", "major"), [(5, False), (6, False), (6.5, True), (7, True)], ids=["5", "6", "6.5", "7"]
)
def test_six_months_after_appointment(months: float, major: bool) -> None:
    verdict = hazardrules.classify(
        {
            "sector": "civil_explosives",
            "observed_on": "2025-03-01",
            "facts": {"management.principal_assessed": False, "management.principal_months_in_post": months},
        },
        select=["explosives-2024:3"],
    )
    if major:
        assert verdict.status == "major"
    else:
        assert verdict.hits == [] and "explosives-2024:3" in {u.rule for u in verdict.undetermined}


@pytest.mark.parametrize(("points", "ten"), [(3, False), (9, False), (10, True), (12, True)])
def test_ten_points_and_over(points: int, ten: bool) -> None:
    verdict = hazardrules.classify(
        {
            "sector": "road_transport",
            "observed_on": "2025-03-01",
            "facts": {
                "road_driver.points_in_one_record": points,
                "road_driver.points_handled": False,
                "road_driver.still_assigned": True,
                "road_driver.long_term_violations": False,
            },
        },
        select=["road-2023:3.3"],
    )
    assert (verdict.status == "major") is ten


@pytest.mark.parametrize(("tonnage", "applies"), [(299, False), (299.9, False), (300, True), (1200, True)])
def test_300_gross_tonnage_and_over(tonnage: float, applies: bool) -> None:
    verdict = hazardrules.classify(
        {
            "sector": "inland_shipping",
            "observed_on": "2025-03-01",
            "facts": {
                "inland_ship.gross_tonnage": tonnage,
                "inland_ship.carries_passengers": False,
                "inland_ship.carries_dangerous_goods": False,
                "inland_ship.beyond_approved_area": True,
            },
        },
        select=["inland-ships-2024:4.4"],
    )
    assert (verdict.status == "major") is applies
    if not applies:
        assert [c.rule for c in verdict.cleared] == ["inland-ships-2024:4.4"]


def test_a_passenger_or_dangerous_goods_ship_is_covered_whatever_its_tonnage() -> None:
    for kind in ("inland_ship.carries_passengers", "inland_ship.carries_dangerous_goods"):
        verdict = hazardrules.classify(
            {
                "sector": "inland_shipping",
                "observed_on": "2025-03-01",
                "facts": {
                    "inland_ship.gross_tonnage": 40,
                    kind: True,
                    "inland_ship.beyond_approved_area": True,
                },
            }
        )
        assert [h.rule for h in verdict.hits] == ["inland-ships-2024:4.4"]


# -- installations -------------------------------------------------------------------------------------
def test_several_bridges_one_failing() -> None:
    fine = {"highway_bridge.condition_class": 2, "highway_bridge.crosses": []}
    verdict = hazardrules.classify(
        {
            "sector": "公路运营",
            "observed_on": "2025-05-01",
            "installations": [
                {"id": "K3+200 小河桥", "kind": "highway_bridge", "facts": fine},
                {
                    "id": "K9+050 石门大桥",
                    "kind": "highway_bridge",
                    "facts": {
                        "highway_bridge.condition_class": 5,
                        "highway_bridge.rebuild_under_way": False,
                        "highway_bridge.traffic_closed": False,
                        "highway_bridge.crosses": [],
                    },
                },
                {"id": "K15+700 东溪桥", "kind": "highway_bridge", "facts": fine},
            ],
        }
    )
    assert verdict.status == "major"
    assert [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits] == [
        ("highway-2023:5", "K9+050 石门大桥")
    ]


def test_a_fleet_of_fishing_vessels_each_judged_on_its_own_complement() -> None:
    overloaded = {
        "fishing_vessel.persons_on_board": 14,
        "fishing_vessel.carries_passengers_without_approval": False,
    }
    verdict = hazardrules.classify(
        {
            "sector": "渔船",
            "observed_on": "2025-05-01",
            "installations": [
                {
                    "id": "小船",
                    "kind": "fishing_vessel",
                    "facts": {"fishing_vessel.approved_complement": 9, **overloaded},
                },
                {
                    "id": "大船",
                    "kind": "fishing_vessel",
                    "facts": {"fishing_vessel.approved_complement": 12, **overloaded},
                },
            ],
        },
        select=["fishing-2022:7"],
    )
    assert [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits] == [
        ("fishing-2022:7", "大船")
    ]


def test_every_tank_vehicle_fine_clears_6_2_but_never_gives_not_major() -> None:
    ok = {"tank_vehicle.medium_within_suitable_range": True, "tank_vehicle.overloaded": False}
    verdict = hazardrules.classify(
        {
            "sector": "road_dangerous_goods",
            "observed_on": "2025-05-01",
            "installations": [{"id": f"车{n}", "kind": "tank_vehicle", "facts": ok} for n in range(3)],
        }
    )
    assert [c.rule for c in verdict.cleared] == ["road-2023:6.2"] * 3
    assert verdict.status == "undetermined"
    assert verdict.gaps[0].provisions == missing_for("road-2023", "road_dangerous_goods")


# -- readings -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sector", "cited"),
    [
        ("road_passenger", ["第四条"]),
        ("road_dangerous_goods", ["第六条"]),
        ("taxi", ["出租汽车客运企业条款（条号未见）"]),
        ("urban_bus", []),
        ("road_transport", []),
    ],
)
def test_sector_articles_incorporate_article_3(sector: str, cited: list[str]) -> None:
    verdict = hazardrules.classify(
        {
            "sector": sector,
            "observed_on": "2025-05-01",
            "facts": {"road.operating_after_licence_expired": True},
        }
    )
    (hit,) = verdict.hits
    assert hit.rule == "road-2023:3.1"
    assert [c.citation.label for c in hit.also_cites] == cited


def test_one_of_two_systems_missing_is_left_to_the_inspector() -> None:
    facts = {
        "management.responsibility_system_established": True,
        "management.major_hazard_source_system_in_place": True,
        "management.hazard_system_in_place": False,
        "explosives.protective_devices_failed": False,
        "explosives.could_lose_control": True,
    }
    verdict = hazardrules.classify(
        {"sector": "civil_explosives", "observed_on": "2025-05-01", "facts": facts}
    )
    (open_rule,) = [u for u in verdict.undetermined if u.rule == "explosives-2024:5"]
    assert open_rule.missing == ["explosives.management_seriously_deficient"]
    both = {**facts, "management.major_hazard_source_system_in_place": False}
    verdict = hazardrules.classify({"sector": "civil_explosives", "observed_on": "2025-05-01", "facts": both})
    assert [h.rule for h in verdict.hits] == ["explosives-2024:5"]


def test_the_catch_all_is_only_ever_a_judgement() -> None:
    rule = PACK.rule("road-2023:3.5")
    assert rule.catch_all and rule.condition == "road.other_major_hazard_determined"


@pytest.mark.parametrize(
    ("given_sector", "slug"),
    [
        ("5435", "road_dangerous_goods"),
        ("5421", "road_passenger"),
        ("5431", "road_transport"),
        ("5413", "taxi"),
        ("5411", "urban_bus"),
        ("5443", "highway_operation"),
        ("5523", "inland_shipping"),
        ("4812", "roadworks"),
        ("0421", "fishing_vessels"),
        ("2671", "civil_explosives"),
        ("网约车", "taxi"),
        ("危货运输", "road_dangerous_goods"),
    ],
)
def test_sector_names_and_industry_codes(given_sector: str, slug: str) -> None:
    verdict = hazardrules.classify(
        {
            "sector": given_sector,
            "observed_on": "2025-05-01",
            "facts": {"special_worker.uncertified_on_duty": True},
        }
    )
    assert verdict.sector == slug


@pytest.mark.parametrize("name", ["道路运输企业", "道路运输", "城市客运企业"])
def test_a_name_covering_several_kinds_of_road_enterprise_asks_which(name: str) -> None:
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify({"sector": name, "facts": {"road.operating_after_licence_expired": True}})
    assert [p.code for p in caught.value.problems] == ["ambiguous_sector"]


# -- published enforcement cases ---------------------------------------------------------------------------
# Each finding carries only the facts the published case states; what it does not state stays unknown.
# ``cited``: the clause of the standard the authority itself cited, when it cited one; ``clause``: the
# clause the facts fall under (our mapping when the authority cited other rules).
CASES: list[dict[str, Any]] = [
    {
        "case": "交通运输部检查指导组：东海县某危货运输公司罐车（苏G5723挂）适装介质为柴油、汽油，承运粗苯",
        "url": "http://m.fairysky.cn/news/20260203/373002.shtml",
        "cited": "road-2023:6.2",
        "finding": {
            "sector": "road_dangerous_goods",
            "observed_on": "2025-09-28",
            "installations": [
                {
                    "id": "苏GP3558（苏G5723挂）",
                    "kind": "tank_vehicle",
                    "facts": {"tank_vehicle.medium_within_suitable_range": False},
                }
            ],
        },
        "status": "major",
        "hits": ["road-2023:6.2"],
    },
    {
        "case": "盘锦市农业农村局：辽某渔XXX船（核定乘员2人）擅自拆卸北斗导航设备、超载人员1人",
        "url": "https://m.zgglrc.com/nyncj/2025_10/17_16/content-539392.html",
        "cited": None,  # 渔业法、辽宁省渔业管理条例、导航安全设备暂行规定、渔业船员管理办法
        "finding": {
            "sector": "fishing_vessels",
            "observed_on": "2025-07-09",
            "facts": {
                "fishing_vessel.approved_complement": 2,
                "fishing_vessel.persons_on_board": 3,
                "fishing_vessel.position_terminal_interference": ["removed"],
            },
        },
        # 核定载员2人：不在本标准适用范围（10人及以上）内；其违法行为按其他规定处罚。
        "status": "not_major",
        "notes": ["outside_scope"],
        "hits": [],
    },
    {
        "case": "东营市海洋发展和渔业局：鲁某渔600X1船职务船员配备不齐（缺配三级轮机长）",
        "url": "http://jf8.lesvoorbereiding.com/tzgg/202410/t20241008_6463848.htm",
        "cited": None,  # 渔业船员管理的有关规定、山东省渔业行政处罚裁量基准
        "clause": "fishing-2022:3",
        "finding": {
            "sector": "fishing_vessels",
            "observed_on": "2024-04-17",
            "facts": {"fishing_vessel.officers_meet_minimum_manning": False},
        },
        "status": "undetermined",
        "asks": ["fishing_vessel.approved_complement"],
        "hits": [],
    },
    {
        "case": "辽宁省农业农村厅：辽某渔212X8船擅自拆卸北斗导航设备",
        "url": "http://jf8.lesvoorbereiding.com/tzgg/202410/t20241008_6463848.htm",
        "cited": None,
        "clause": "fishing-2022:4",
        "finding": {
            "sector": "fishing_vessels",
            "observed_on": "2024-05-13",
            "facts": {"fishing_vessel.position_terminal_interference": ["removed"]},
        },
        "status": "undetermined",
        "asks": ["fishing_vessel.approved_complement"],
        "hits": [],
    },
    {
        "case": "天津市农业农村委：津某渔022X2船私载人员1名",
        "url": "http://jf8.lesvoorbereiding.com/tzgg/202410/t20241008_6463848.htm",
        "cited": None,
        "clause": "fishing-2022:7",
        "finding": {
            "sector": "fishing_vessels",
            "observed_on": "2024-05-16",
            "facts": {"fishing_vessel.carries_passengers_without_approval": True},
        },
        "status": "undetermined",
        "asks": ["fishing_vessel.approved_complement"],
        "hits": [],
    },
    {
        "case": "大连市海洋发展局：辽大中渔运15***号渔船未按规定配齐渔业职务船员",
        "url": "http://woodenkitchentoysplus.com/fwcs_Show.asp?ClassId=27&InfoId=67679&Topid=40",
        "cited": None,  # 渔业船员管理办法
        "clause": "fishing-2022:3",
        "finding": {
            "sector": "fishing_vessels",
            "observed_on": "2024-12-27",
            "facts": {"fishing_vessel.officers_meet_minimum_manning": False, "fishing_vessel.at_sea": True},
        },
        "status": "undetermined",
        "asks": ["fishing_vessel.approved_complement"],
        "hits": [],
    },
    {
        "case": "大连市海洋发展局：大庄捕4***号渔船擅自改变作业类型（使用耙刺网）",
        "url": "http://woodenkitchentoysplus.com/fwcs_Show.asp?ClassId=27&InfoId=67679&Topid=40",
        "cited": None,  # 辽宁省渔业管理条例
        "clause": "fishing-2022:1",
        "finding": {
            "sector": "fishing_vessels",
            "observed_on": "2025-02-16",
            "facts": {"fishing_vessel.unapproved_changes": ["fishing_type"]},
        },
        "status": "undetermined",
        "asks": ["fishing_vessel.approved_complement"],
        "hits": [],
    },
]


@pytest.mark.parametrize("case", CASES, ids=[c["case"][:24] for c in CASES])
def test_published_enforcement_cases(case: dict[str, Any]) -> None:
    assert case["url"].startswith("http")
    verdict = hazardrules.classify(case["finding"])
    assert verdict.status == case["status"]
    assert [h.rule for h in verdict.hits] == case["hits"]
    if case["cited"]:
        assert case["cited"] in case["hits"]
    for fact in case.get("asks", []):
        assert fact in verdict.missing_facts
        assert case["clause"] in {u.rule for u in verdict.undetermined}
    assert [n.code for n in verdict.notes] == case.get("notes", [])
    if case["status"] == "undetermined":
        # The case as published leaves the vessel's complement open; once it is 10 or more the clause holds.
        facts = {**case["finding"]["facts"], "fishing_vessel.approved_complement": 10}
        completed = hazardrules.classify({**case["finding"], "facts": facts})
        assert case["clause"] in [h.rule for h in completed.hits]


def test_the_checklist_of_a_partial_sector_says_what_it_cannot_ask() -> None:
    sheet = hazardrules.checklist("taxi", on=dt.date(2026, 12, 1))
    assert {i.rule for i in sheet.items} >= {"road-2023:3.1", "road-2023:taxi.1"}
    (gap,) = sheet.gaps
    assert gap.code == "provisions_missing" and gap.provisions == missing_for("road-2023", "taxi")
    complete = hazardrules.checklist("fishing_vessels", on=dt.date(2026, 12, 1))
    assert complete.gaps == [] and len({i.rule for i in complete.items}) == 8
