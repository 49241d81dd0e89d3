"""GB 45067-2024 特种设备重大事故隐患判定准则 (se-2024): lettered paths, devices as installations of kinds
that are cases of "a special-equipment device", 仍继续使用, 4.1 d) as a cross-reference, thresholds, the
date the standard takes effect, and findings written from published enforcement cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules import FindingError
from hazardrules.pack.numerals import label_path

from ._strategies import fact_values

PACK = hazardrules.load_pack()
DAY = "2025-06-01"


def classify(
    sector: str, facts: dict[str, Any] | None = None, select: list[str] | None = None, **finding: Any
) -> hazardrules.Verdict:
    return hazardrules.classify(
        {"sector": sector, "observed_on": DAY, "facts": facts or {}, **finding}, select=select
    )


def held(verdict: hazardrules.Verdict) -> list[tuple[str, str | None]]:
    return [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits]


def device(id_: str, kind: str, **facts: Any) -> dict[str, Any]:
    return {"id": id_, "kind": kind, "facts": {k.replace("__", "."): v for k, v in facts.items()}}


# -- the document's own numbering --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "path"),
    [
        ("4.2 a)", "4.2.a"),
        ("4.10 e)", "4.10.e"),
        ("a)", "a"),
        ("4.6 e）", "4.6.e"),
        ("第三条第（一）项", "3.1"),
    ],
)
def test_lettered_labels_read_as_paths(label: str, path: str) -> None:
    assert label_path(label) == path


def test_every_lettered_item_is_encoded_once_in_source_order() -> None:
    standard = PACK.standards["se-2024"]
    paths = [r.path for r in standard.rules]
    assert len(paths) == 46 and len(set(paths)) == 46  # 47 lettered items, 4.1 d) is a cited provision
    assert "se-2024:4.1.d" in standard.provisions and "4.1.d" not in paths
    assert paths[:4] == ["4.1.a", "4.1.b", "4.1.c", "4.2.a"] and paths[-1] == "4.10.e"
    # chapters 1–3 (scope, references, terms) are recorded as not in the pack, without blocking not_major
    assert [u.path for u in standard.unencoded] == ["1", "2", "3"]
    assert all(u.sectors == [] for u in standard.unencoded)


def test_select_by_clause_prefix() -> None:
    verdict = classify(
        "elevators",
        {"se.in_use": True, "se.elevator.type": "escalator", "se.elevator.emergency_stop": "failed"},
    )
    chosen = hazardrules.classify(
        {"sector": "elevators", "observed_on": DAY, "facts": {"se.in_use": True}}, select=["se-2024:4.6"]
    )
    assert [h.rule for h in verdict.hits] == ["se-2024:4.6.d"]
    assert {u.rule for u in chosen.undetermined} <= {f"se-2024:4.6.{x}" for x in "abcde"}


# -- each device is an installation; 仍继续使用 is its fact ---------------------------------------------
def test_sector_kind_makes_top_level_device_facts_one_device_of_that_kind() -> None:
    verdict = classify("锅炉", {"se.in_use": True, "se.periodic_inspection_conclusion": "nonconforming"})
    assert held(verdict) == [("se-2024:4.2.a", None)]
    assert verdict.hits[0].installation is not None and verdict.hits[0].installation.kind == "boiler"
    # the same conclusion on a pressure vessel is 4.3 a), never the boiler item
    verdict = classify("压力容器", {"se.in_use": True, "se.periodic_inspection_conclusion": "nonconforming"})
    assert [h.rule for h in verdict.hits] == ["se-2024:4.3.a"]


def test_a_device_taken_out_of_use_is_not_a_hazard_under_the_use_items() -> None:
    facts = {"se.boiler.safety_valve": "failed", "se.boiler.interlocks": "absent"}
    assert {h.rule for h in classify("boilers", {**facts, "se.in_use": True}).hits} == {
        "se-2024:4.2.c",
        "se-2024:4.2.e",
    }
    stopped = classify("boilers", {**facts, "se.in_use": False})
    assert stopped.hits == [] and {c.rule for c in stopped.cleared} >= {"se-2024:4.2.c", "se-2024:4.2.e"}
    unknown = classify("boilers", facts)
    assert unknown.status == "undetermined" and "se.in_use" in unknown.missing_facts


def test_filling_items_a_and_b_need_no_continued_use() -> None:
    verdict = classify(
        "气瓶充装",
        {"se.filling.licensed": False},
        installations=[
            device(
                "O2-001",
                "pressure_vessel",
                se__pressure_vessel__type="cylinder",
                se__pressure_vessel__wrong_medium_filled=True,
            )
        ],
    )
    assert sorted(held(verdict)) == [("se-2024:4.5.a", None), ("se-2024:4.5.b", "O2-001")]


def test_several_devices_of_several_kinds_one_failing() -> None:
    good = {
        "se__in_use": True,
        "se__in_plant_vehicle__service_brake": "working",
        "se__in_plant_vehicle__parking_brake": "working",
    }
    verdict = classify(
        "special_equipment",
        installations=[
            device("1号叉车", "in_plant_vehicle", **good),
            device(
                "2号叉车", "in_plant_vehicle", **{**good, "se__in_plant_vehicle__parking_brake": "failed"}
            ),
            device("3号叉车", "in_plant_vehicle", **good),
            device("1号锅炉", "boiler", se__in_use=True, se__boiler__safety_valve="working"),
        ],
    )
    assert held(verdict) == [("se-2024:4.10.c", "2号叉车")]
    cleared = {(c.rule, c.installation.id if c.installation else None) for c in verdict.cleared}
    # 4.10 c) is not "cleared" for the fleet: one part holds; the boiler item is cleared for the boiler
    assert ("se-2024:4.2.c", "1号锅炉") in cleared and not any(r == "se-2024:4.10.c" for r, _ in cleared)


def test_general_items_are_asked_of_every_device_kind() -> None:
    verdict = classify(
        "special_equipment",
        installations=[
            device("塔吊", "crane", se__in_use=True, se__scrap_condition_reached=True),
            device("货梯", "elevator", se__in_use=True, se__supervision_inspection="not_done"),
        ],
    )
    assert sorted(held(verdict)) == [("se-2024:4.1.a", "塔吊"), ("se-2024:4.1.c", "货梯")]


def test_facts_of_the_wrong_kind_on_a_device_are_an_error() -> None:
    with pytest.raises(FindingError) as caught:
        classify(
            "special_equipment", installations=[device("B1", "boiler", se__crane__emergency_stop="failed")]
        )
    assert [p.code for p in caught.value.problems] == ["misplaced_fact"]


def test_device_facts_of_two_kinds_at_the_top_level_are_never_merged_by_guess() -> None:
    # se.in_use could be the boiler's or the crane's: it stays a device of its own, the kind items stay open
    verdict = classify(
        "special_equipment",
        {"se.in_use": True, "se.boiler.safety_valve": "failed", "se.crane.emergency_stop": "failed"},
    )
    assert verdict.hits == []
    assert {"se-2024:4.2.c", "se-2024:4.7.c"} <= {u.rule for u in verdict.undetermined}


# -- 4.1 d) is a cross-reference, cited beside the over-parameter / out-of-scope items ------------------
def test_over_parameter_items_also_cite_4_1_d_and_their_lead_in() -> None:
    verdict = classify(
        "in_plant_vehicles",
        {
            "se.in_use": True,
            "se.in_plant_vehicle.category": "sightseeing_car",
            "se.in_plant_vehicle.route_max_gradient_pct": 15,
            "se.in_plant_vehicle.rated_max_gradient_pct": 12,
        },
    )
    (hit,) = verdict.hits
    assert hit.rule == "se-2024:4.10.e"
    assert [c.id for c in hit.also_cites] == ["se-2024:4.10", "se-2024:4.1.d"]
    assert hit.also_cites[1].text == "有4.2～4.10中规定的超过规定参数、使用范围的情形。"
    assert hit.also_cites[0].text.endswith("仍继续使用的，应判定为重大事故隐患。")


# -- thresholds exactly as written -----------------------------------------------------------------------
@pytest.mark.parametrize(("distance", "holds"), [(399, True), (399.9, True), (400, False), (401, False)])
def test_escalator_guard_threshold_is_strictly_less_than_400mm(distance: float, holds: bool) -> None:
    verdict = classify(
        "elevators",
        {
            "se.in_use": True,
            "se.elevator.type": "escalator",
            "se.elevator.handrail_obstacle_distance_mm": distance,
            "se.elevator.guard_plate_as_required": False,
        },
        select=["se-2024:4.6.e"],
    )
    assert (verdict.status == "major") is holds


@pytest.mark.parametrize(("route", "holds"), [(12.01, True), (12, False), (11, False)])
def test_gradient_threshold_is_strictly_greater(route: float, holds: bool) -> None:
    verdict = classify(
        "in_plant_vehicles",
        {
            "se.in_use": True,
            "se.in_plant_vehicle.category": "sightseeing_train",
            "se.in_plant_vehicle.route_max_gradient_pct": route,
            "se.in_plant_vehicle.rated_max_gradient_pct": 12,
        },
        select=["se-2024:4.10.e"],
    )
    assert (verdict.status == "major") is holds


# -- in force from 2024-12-01 ----------------------------------------------------------------------------
def test_no_special_equipment_standard_before_gb_45067() -> None:
    finding = {
        "sector": "amusement_rides",
        "facts": {"se.in_use": True, "se.supervision_inspection": "not_done"},
    }
    with pytest.raises(FindingError) as caught:
        hazardrules.classify(finding, on=dt.date(2024, 11, 30))
    assert [p.code for p in caught.value.problems] == ["no_standard"]
    verdict = hazardrules.classify(finding, on=dt.date(2024, 12, 1))
    assert [h.rule for h in verdict.hits] == ["se-2024:4.1.c"]
    assert [s.slug for s in verdict.standards] == ["se-2024"]


def test_not_major_is_earned_and_not_blocked_by_the_missing_scope_chapters() -> None:
    facts = {
        "se.in_use": True,
        "se.made_without_licence": False,
        "se.eliminated_for_safety": False,
        "se.scrapped": False,
        "se.scrap_condition_reached": False,
        "se.accident_occurred": False,
        "se.supervision_inspection": "passed",
        "se.periodic_inspection_conclusion": "acceptable",
        "se.crane.first_inspection": "done",
        "se.crane.emergency_stop": "working",
        "se.crane.load_limiter": "working",
        "se.crane.moment_limiter": "not_required",
        "se.crane.fall_arrester": "not_required",
        "se.crane.outdoor_rail_mounted": False,
    }
    verdict = classify("起重机械", facts)
    assert verdict.status == "not_major" and verdict.gaps == []
    assert len({c.rule for c in verdict.cleared}) == 8


# -- a chemical plant's safety valve: hc-2017:15 and GB 45067 judge it separately ---------------------
def test_a_chemical_plants_safety_valve_under_both_standards() -> None:
    in_use = {
        "id": "R-101反应釜",
        "kind": "pressure_device",
        "facts": {
            "chem.safety_valves": "failed",
            "chem.bursting_discs": "not_required",
            "chem.other_safety_accessories": "working",
        },
    }
    as_chemical = classify("chemical", installations=[in_use])
    assert held(as_chemical) == [("hc-2017:15", "R-101反应釜")]
    vessel = device(
        "R-101反应釜",
        "pressure_vessel",
        se__in_use=True,
        se__pressure_vessel__type="fixed",
        se__pressure_vessel__safety_valve="failed",
    )
    as_vessel = classify("pressure_vessels", installations=[vessel])
    assert held(as_vessel) == [("se-2024:4.3.c", "R-101反应釜")]
    # taken out of use: still 未正常投用 under hc-2017:15, but not 仍继续使用 under GB 45067
    stopped = device(
        "R-101反应釜",
        "pressure_vessel",
        se__in_use=False,
        se__pressure_vessel__type="fixed",
        se__pressure_vessel__safety_valve="failed",
    )
    assert classify("pressure_vessels", installations=[stopped]).hits == []
    for rule in ("se-2024:4.3.c", "se-2024:4.4.b"):
        assert any("hc-2017" in n.text and "第十五项" in n.text for n in PACK.rule(rule).notes)
    assert any("GB 45067" in n.text for n in PACK.rule("hc-2017:15").notes)


# -- findings written from published enforcement cases ----------------------------------------------------
# Each case: where it was published, what the authority cited, the finding written from the facts the
# report states (nothing added), the date it is judged on, and the expected outcome under GB 45067.
# Reports before 2024-12-01 predate GB 45067: they are judged as the same situation found on 2025-01-01.
CASES: list[dict[str, Any]] = [
    {
        "id": "SE-1",
        "url": "http://m.shixiaoapp.com/news/show-11532.html",
        "source": "长兴县质监局检查一家豆制品公司的锅炉（转载页，日期未显示）",
        "cited_as": "《特种设备安全监察条例》，下达安全监察指令书，责令停止使用并查封锅炉",
        "finding": {
            "sector": "light_industry",
            "installations": [
                device(
                    "蒸汽锅炉",
                    "boiler",
                    se__in_use=True,
                    se__boiler__safety_valve="failed",
                    se__boiler__thermal_instruments_failed=True,
                )
            ],
        },
        "on": "2025-01-01",
        "status": "major",
        "hits": [("se-2024:4.2.c", "蒸汽锅炉")],
        "via": "gm-2023:2",
        "note": "安全阀失灵、压力表损坏、水位表显示模糊（热工仪表失效）"
        "；是否因此无法监视主要运行参数报道未说，"
        "4.2 b) 保持无法判定。食品企业按工贸“轻工”行业（本规则包的判断），锅炉经第二条转按GB 45067判定。",
    },
    {
        "id": "SE-2",
        "url": "http://www.boilerinfo.net/news/show.php?itemid=253244",
        "source": "龙海市市场监督管理局：芳美食品厂非法安装、使用有机热载体锅炉（1月15日处罚，年份未显示）",
        "cited_as": "《特种设备安全法》第二十五条、第八十四条第一款，责令改正、罚款3万元",
        "finding": {
            "sector": "light_industry",
            "installations": [
                device("有机热载体锅炉", "boiler", se__in_use=True, se__supervision_inspection="not_done")
            ],
        },
        "on": "2025-01-01",
        "status": "major",
        "hits": [("se-2024:4.1.c", "有机热载体锅炉")],
        "via": "gm-2023:2",
        "note": "安装过程及安装后都未申请监督检验即使用。",
    },
    {
        "id": "SE-3",
        "url": "http://jiangxi.baitongwang.com/minsheng/2023/0617/14813.html",
        "source": "临海市市场监管局2023年安全生产月曝光案例："
        "浙江***电器有限公司使用重大修理未经监督检验的锅炉（2022-03-31检查）",
        "cited_as": "《特种设备安全法》第二十五条、第三十二条第一款、第八十四条第一项；"
        "TSG 11-2020 7.4.1（燃烧器更换属重大修理）",
        "finding": {
            "sector": "special_equipment",
            "installations": [
                device(
                    "燃油锅炉（改燃生物质）", "boiler", se__in_use=True, se__supervision_inspection="not_done"
                )
            ],
        },
        "on": "2025-01-01",
        "status": "major",
        "hits": [("se-2024:4.1.c", "燃油锅炉（改燃生物质）")],
        "via": None,
    },
    {
        "id": "SE-4",
        "url": "http://chinaisraeljizhi.com/html/89c999841.html",
        "source": "中国消费者报：武汉市市场监管局通报2022年度电梯维保质量监督抽查，"
        "曝光存在严重安全隐患的电梯（2023-03-28）",
        "cited_as": "维保质量监督抽查，“严重安全隐患”（未引用判定准则）",
        "finding": {
            "sector": "elevators",
            "installations": [
                device(
                    "科能维保电梯",
                    "elevator",
                    se__in_use=True,
                    se__elevator__type="passenger_freight",
                    se__elevator__door_lock_circuit_bypassed=True,
                ),
                device(
                    "瑞吉达维保电梯",
                    "elevator",
                    se__in_use=True,
                    se__elevator__governor_safety_gear_test_failed=True,
                ),
                device("奥的斯维保电梯", "elevator", se__in_use=True),
            ],
        },
        "on": "2025-01-01",
        "status": "major",
        "hits": [("se-2024:4.6.b", "科能维保电梯"), ("se-2024:4.6.c", "瑞吉达维保电梯")],
        "via": None,
        "note": "短接层门副门锁开关（层门只有乘客、载货电梯才有，类别据此推断）；限速器—安全钳联动试验失效；"
        "制动器失效不动作不是GB 45067的列举情形，该台电梯没有命中。",
    },
    {
        "id": "SE-5",
        "url": "http://vpzbt.impactiveimprints.com/html/43b98398973.html",
        "source": "中国消费者报：厦门市海沧区市场监管局责令停止运行未经安装监督检验的“自控旋转飞机”（5月8日，"
        "年份未显示）",
        "cited_as": "《特种设备安全法》《特种设备安全监察条例》，下达监察指令书、立案查处",
        "finding": {
            "sector": "amusement_rides",
            "facts": {"se.in_use": True, "se.supervision_inspection": "not_done"},
        },
        "on": "2025-01-01",
        "status": "major",
        "hits": [("se-2024:4.1.c", None)],
        "via": None,
    },
    {
        "id": "SE-6",
        "url": "https://zz.rednet.cn/m/content/646854/55/14346869.html",
        "source": "红网：株洲市市场监管局查封航空嘉年华临时搭建的海盗船、碰碰车（2024-10-11）",
        "cited_as": "未按规定备案、未经有资质单位安装和监督检验，现场查封",
        "finding": {
            "sector": "amusement_rides",
            "installations": [
                device("海盗船", "amusement_ride", se__in_use=True, se__supervision_inspection="not_done"),
                device("碰碰车", "amusement_ride", se__in_use=True, se__supervision_inspection="not_done"),
            ],
        },
        "on": "2024-12-01",
        "status": "major",
        "hits": [("se-2024:4.1.c", "海盗船"), ("se-2024:4.1.c", "碰碰车")],
        "via": None,
        "note": "查处在GB 45067实施前（2024-10），按其实施首日判定；"
        "实施前本规则包没有特种设备判定标准（见上面的日期测试）。",
    },
    {
        "id": "SE-7",
        "url": "http://vpsbo.com/product/2062.html",
        "source": "烟台开发区市场监管分局查处使用未经定期检验的叉车（托盘堆垛车）案（2024-07-06）",
        "cited_as": "《特种设备安全法》第四十条第三款、第八十四条第（一）项，罚款3万元",
        "finding": {
            "sector": "in_plant_vehicles",
            "facts": {"se.in_use": True, "se.periodic_inspection_conclusion": "none"},
        },
        "on": "2025-01-01",
        "status": "undetermined",
        "hits": [],
        "via": None,
        "cleared": ["se-2024:4.10.a"],
        "note": "超期未检是违法行为，但不是GB 45067的重大事故隐患情形（4.10 a) 要求检验结论为“不合格”）"
        "：4.10 a) 排除，"
        "其余条款因“仍继续使用”已知而待答。",
    },
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_published_enforcement_cases(case: dict[str, Any]) -> None:
    assert case["url"].startswith("http") and case["cited_as"]
    verdict = hazardrules.classify(case["finding"], on=dt.date.fromisoformat(case["on"]))
    assert verdict.status == case["status"]
    assert sorted(held(verdict)) == sorted(case["hits"])
    for hit in verdict.hits:
        assert (hit.via.id if hit.via else None) == case["via"]
        assert hit.text == PACK.rule(hit.rule).text
    for rule in case.get("cleared", []):
        assert rule in {c.rule for c in verdict.cleared}


# -- properties ----------------------------------------------------------------------------------------
KIND_FACTS = {
    kind: sorted(n for n, s in PACK.facts.items() if s.installation in (kind, "special_equipment"))
    for kind in ("boiler", "crane", "elevator")
}
SECTOR_OF = {"boiler": "boilers", "crane": "lifting_machinery", "elevator": "elevators"}


@st.composite
def device_findings(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(sorted(KIND_FACTS)))
    names = draw(st.lists(st.sampled_from(KIND_FACTS[kind]), min_size=1, max_size=8, unique=True))
    return kind, {name: draw(fact_values(PACK, name)) for name in names}


@given(device_findings())
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_top_level_device_facts_mean_one_device_of_the_sectors_kind(
    drawn: tuple[str, dict[str, Any]],
) -> None:
    kind, facts = drawn
    sector = SECTOR_OF[kind]
    top = classify(sector, facts)
    listed = classify(sector, installations=[{"id": "D", "kind": kind, "facts": facts}])
    assert top.status == listed.status
    assert [h.rule for h in top.hits] == [h.rule for h in listed.hits]
    assert [u.rule for u in top.undetermined] == [u.rule for u in listed.undetermined]
    assert top.missing_facts == listed.missing_facts
    # and the same device under the all-kinds sector, listed, is judged by the same rules of its kind
    umbrella = classify("special_equipment", installations=[{"id": "D", "kind": kind, "facts": facts}])
    assert [h.rule for h in umbrella.hits] == [h.rule for h in listed.hits]


@given(device_findings())
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_a_device_out_of_use_is_never_a_hazard_of_the_use_items(drawn: tuple[str, dict[str, Any]]) -> None:
    kind, facts = drawn
    verdict = classify(SECTOR_OF[kind], {**facts, "se.in_use": False})
    assert verdict.hits == [] and verdict.undetermined == []
