"""建城规〔2023〕4号 城镇燃气经营安全重大隐患判定标准 (gas-2023): the operator as the subject, 第九条's two
steps, 第六条（二）'s exception, thresholds, the catch-all, installations, and findings written from
published enforcement cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import hazardrules

PACK = hazardrules.load_pack()
DAY = "2024-06-01"


def classify(facts: dict[str, Any] | None = None, **finding: Any) -> hazardrules.Verdict:
    finding.setdefault("sector", "gas_operation")
    return hazardrules.classify({"observed_on": DAY, "facts": facts or {}, **finding})


def held(verdict: hazardrules.Verdict) -> list[tuple[str, str | None]]:
    return [(h.rule, h.installation.id if h.installation else None) for h in verdict.hits]


def item(id_: str, kind: str, **facts: Any) -> dict[str, Any]:
    return {"id": id_, "kind": kind, "facts": {k.replace("__", "."): v for k, v in facts.items()}}


def test_every_item_encoded_in_source_order() -> None:
    standard = PACK.standards["gas-2023"]
    assert [r.path for r in standard.rules] == [
        "4.1", "4.2", "4.3", "4.4", "4.5", "5.1", "5.2", "5.3", "5.4", "5.5",
        "6.1", "6.2", "6.3", "7.1", "7.2", "7.3", "8", "9.1", "9.2", "9.3", "9.4", "10",
    ]  # fmt: skip
    assert standard.unencoded == ()
    assert {p.split(":")[1] for p in standard.provisions} == {"1", "2", "3", "4", "5", "6", "7", "9", "11"}


def test_the_standard_says_it_is_a_tool_of_the_gas_authorities() -> None:
    meta = PACK.standard("gas-2023")
    assert meta.notes is not None and "城镇燃气管理部门的工具" in meta.notes
    third = PACK.standards["gas-2023"].provisions["gas-2023:3"]
    assert third.role == "scope" and any("燃气管理部门的工具" in n.text for n in third.notes)


def test_sector_by_industry_code_and_name() -> None:
    for name in ("451", "D4512", "城镇燃气经营", "燃气经营者"):
        assert classify({"gas_operator.licensed": False}, sector=name).sector == "gas_operation"


# -- 第九条: two steps --------------------------------------------------------------------------------------
def test_the_user_side_condition_alone_is_not_the_hazard() -> None:
    found = {"gas_user.found_pipes_in_bathroom": True}
    assert classify(found).status == "undetermined"  # was the user told in writing?
    notified = classify({**found, "gas_user.measures_taken": True})
    # having told the user in writing clears every item of 第九条 for that user
    assert notified.status == "not_major"
    assert [c.rule for c in notified.cleared] == [
        "gas-2023:9.1",
        "gas-2023:9.2",
        "gas-2023:9.3",
        "gas-2023:9.4",
    ]
    silent = classify({**found, "gas_user.measures_taken": False})
    (hit,) = silent.hits
    assert hit.rule == "gas-2023:9.2" and [c.id for c in hit.also_cites] == ["gas-2023:9"]
    assert "不按规定采取书面告知用户整改等措施" in hit.also_cites[0].text


def test_a_not_major_notes_that_the_catch_all_was_not_assessed() -> None:
    verdict = classify({"gas_user.found_pipes_in_bathroom": True, "gas_user.measures_taken": True})
    assert verdict.status == "not_major"
    assert [n.code for n in verdict.notes] == ["catch_all_not_assessed"]
    assert "gas-2023:10" in verdict.notes[0].rules
    judged = classify({"gas_operator.other_major_hazard_determined": True})
    assert [h.rule for h in judged.hits] == ["gas-2023:10"]


@pytest.mark.parametrize(("density", "holds"), [(0.74, False), (0.749, False), (0.75, True), (1.55, True)])
def test_relative_density_threshold_is_greater_or_equal(density: float, holds: bool) -> None:
    verdict = classify(
        {
            "gas_user.found_facilities_underground": True,
            "gas_user.gas_relative_density": density,
            "gas_user.measures_taken": False,
        },
    )
    assert (verdict.status == "major") is holds
    if not holds:
        assert "gas-2023:9.1" in {c.rule for c in verdict.cleared}


def test_users_one_by_one() -> None:
    verdict = classify(
        installations=[
            item("1栋101", "gas_user", gas_user__found_in_sleeping_rooms=True, gas_user__measures_taken=True),
            item(
                "1栋102", "gas_user", gas_user__found_banned_appliances=True, gas_user__measures_taken=False
            ),
            item(
                "1栋103",
                "gas_user",
                gas_user__found_in_sleeping_rooms=False,
                gas_user__found_banned_appliances=False,
            ),
        ],
    )
    assert held(verdict) == [("gas-2023:9.4", "1栋102")]


# -- 第六条（二）: the built-in exception ------------------------------------------------------------
@pytest.mark.parametrize(
    ("necessary", "protected", "status"),
    [(True, True, "not_major"), (True, False, "major"), (False, True, "major"), (True, None, "undetermined")],
)
def test_pipe_in_an_underground_structure_except_necessary_and_protected(
    necessary: bool, protected: bool | None, status: str
) -> None:
    facts: dict[str, Any] = {
        "gas_pipeline.inside_underground_structure": True,
        "gas_pipeline.crossing_necessary": necessary,
    }
    if protected is not None:
        facts["gas_pipeline.effective_protection"] = protected
    assert classify(facts).status == status


@pytest.mark.parametrize(
    ("pressure", "holds"), [("low", False), ("medium", True), ("sub_high", True), ("high", True)]
)
def test_occupation_only_of_medium_pressure_and_above(pressure: str, holds: bool) -> None:
    verdict = classify(
        {
            "gas_pipeline.pressure_class": pressure,
            "gas_pipeline.underground": True,
            "gas_pipeline.occupied_in_protection_zone": True,
        },
    )
    assert (verdict.status == "major") is holds


def test_a_failed_device_is_not_an_unset_one_but_not_major_says_the_catch_all_is_open() -> None:
    verdict = classify({"gas_regulator.outlet_overpressure_protection": "failed"})
    assert verdict.status == "not_major" and [n.code for n in verdict.notes] == ["catch_all_not_assessed"]


def test_stations_tanks_and_areas_each_answer_for_themselves() -> None:
    verdict = classify(
        installations=[
            item(
                "储配站",
                "gas_station",
                gas_station__overpressure_shutoff="working",
                gas_station__overpressure_vent="working",
                gas_station__has_loading_system=True,
                gas_station__hose_pullaway_interlock="working",
            ),
            item("1号储罐", "gas_tank", gas_tank__monitoring="working", gas_tank__over_limit_alarm=True),
            item("2号储罐", "gas_tank", gas_tank__monitoring="working", gas_tank__over_limit_alarm=False),
            item(
                "灌瓶间",
                "gas_area",
                gas_area__leak_may_reach_20pct_lel=True,
                gas_area__fixed_gas_alarm="absent",
                gas_area__explosive_atmosphere=True,
                gas_area__ex_rated_as_required=True,
            ),
        ],
    )
    assert sorted(held(verdict)) == [("gas-2023:5.1", "2号储罐"), ("gas-2023:5.5", "灌瓶间")]


def test_cylinder_filled_and_sold_by_the_operator_hits_both_items() -> None:
    verdict = classify(
        installations=[
            item(
                "YSP-35.5 #0812",
                "gas_cylinder",
                gas_cylinder__filled_by_operator=True,
                gas_cylinder__sold_by_operator=True,
                gas_cylinder__filler_owns=False,
                gas_cylinder__filler_licensed=True,
            )
        ],
    )
    assert sorted(h.rule for h in verdict.hits) == ["gas-2023:7.1", "gas-2023:7.3"]


def test_hazard_system_in_place_means_established() -> None:
    verdict = classify({"management.hazard_system_in_place": True})
    (cleared,) = verdict.cleared
    assert cleared.rule == "gas-2023:4.3" and verdict.status == "not_major"


# -- findings written from published enforcement cases ------------------------------------------------------
# The reports cite the 城镇燃气管理条例 or give no article; the expected outcome is the clause of gas-2023 the
# stated facts meet (or the questions still open). Where a report gives no year, the finding is judged on
# 2025-01-01 (in gas-2023's period) and the case says so.
CASES: list[dict[str, Any]] = [
    {
        "id": "GAS-1",
        "url": "http://www.cmrnn.com.cn/content/2026-02/24/content_285821.html",
        "source": "中国市场监管报：融安县市场监管局联合住建等部门查处非法储存点（2026-02-10行动）",
        "cited_as": "燃气管理相关法律法规：当事人未取得燃气经营许可证，擅自非法储存、倒卖瓶装液化石油气",
        "finding": {
            "sector": "gas_operation",
            "facts": {"gas_operator.licensed": False},
            "installations": [item("满装液化气瓶", "gas_cylinder", gas_cylinder__sold_by_operator=True)],
        },
        "on": "2026-02-10",
        "status": "major",
        "hits": [("gas-2023:4.1", None)],
        "open": ["gas-2023:7.2", "gas-2023:7.3"],
    },
    {
        "id": "GAS-2",
        "url": "http://www.zjxp.net/content/2024-08/30/content_515478.htm",
        "source": "梧州日报：万秀区打击乡镇“黑燃气”窝点，查获182个燃气瓶（2024-08-30报道）",
        "cited_as": "涉嫌未取得燃气经营许可从事燃气经营活动，扣押燃气瓶",
        "finding": {"sector": "gas_operation", "facts": {"gas_operator.licensed": False}},
        "on": "2024-08-30",
        "status": "major",
        "hits": [("gas-2023:4.1", None)],
    },
    {
        "id": "GAS-3",
        "url": "http://www.yylq.gov.cn/21487/21488/21744/content_1446621.html",
        "source": "岳阳楼区洞庭街道联合区燃气办取缔一家非法充装液化气站（11月21日，年份未显示）",
        "cited_as": "未按规定取得燃气经营许可证，属无证经营站点；下达责令限期整改指令书，"
        "扣押倒灌设备、过期报废气罐",
        "finding": {
            "sector": "gas_operation",
            "facts": {"gas_operator.licensed": False},
            "installations": [item("在充气罐", "gas_cylinder", gas_cylinder__filled_by_operator=True)],
        },
        "on": "2025-01-01",
        "status": "major",
        "hits": [("gas-2023:4.1", None)],
        "open": ["gas-2023:7.1"],
    },
    {
        "id": "GAS-4",
        "url": "http://www.shfzb.com.cn/shfzb/html/2025-07/15/content_150407_2404624.htm",
        "source": "上海法治报：浦东上钢新村街道饭店违法建筑占压燃气总管，遥感检测发现泄漏（2025-07-15）",
        "cited_as": "存量违法建筑占压燃气管道，拆除违建（未引用判定标准）",
        "finding": {
            "sector": "gas_operation",
            "installations": [
                item("昌里路燃气总管", "gas_pipeline", gas_pipeline__occupied_in_protection_zone=True)
            ],
        },
        "on": "2025-07-15",
        "status": "undetermined",
        "hits": [],
        "open": ["gas-2023:6.1"],
        "missing": ["gas_pipeline.pressure_class", "gas_pipeline.underground"],
        "note": "报道未说管道的压力级制、是否地下敷设：第六条（一）只对中压及以上地下管线成立，"
        "结论为无法判定并询问这两点。",
    },
    {
        "id": "GAS-5",
        "url": "http://www.603228.cn/zlqz/zlxw/1811649182079717377.html",
        "source": "中华建设网：东湖高新区业主违规扩建，把附墙的公共燃气管道圈进家中，"
        "城管联合天然气公司拆除（6月22日，年份未显示）",
        "cited_as": "违章搭建，拆除违建（未引用判定标准）",
        "finding": {
            "sector": "gas_operation",
            "installations": [
                item(
                    "附墙公共燃气管道",
                    "gas_pipeline",
                    gas_pipeline__underground=False,
                    gas_pipeline__occupied_in_protection_zone=True,
                )
            ],
        },
        "on": "2025-01-01",
        "status": "not_major",
        "hits": [],
        "cleared": ["gas-2023:6.1"],
        "note": "附墙明管不是地下管线：第六条（一）不成立（标准对户内外明管占压没有列举，兜底条款未评估）。",
    },
    {
        "id": "GAS-6",
        "url": "http://m.458gc.cn/h-nd-1078.html",
        "source": "湘西州保靖县住建局等查处无证经营燃气网点（转载页，日期未显示）",
        "cited_as": "《城镇燃气管理条例》相关规定：未取得《燃气经营许可证》擅自从事瓶装液化石油气经营，"
        "登记保存气瓶",
        "finding": {
            "sector": "gas_operation",
            "facts": {"gas_operator.licensed": False},
            "installations": [
                item(
                    "12公斤液化气瓶",
                    "gas_cylinder",
                    gas_cylinder__sold_by_operator=True,
                    gas_cylinder__filled_by_operator=False,
                )
            ],
        },
        "on": "2025-01-01",
        "status": "major",
        "hits": [("gas-2023:4.1", None)],
        "open": ["gas-2023:7.2", "gas-2023:7.3"],
        "note": "气瓶在周边县市充装后配送销售：充装单位是否经许可、是否为其自有气瓶，报道未说。",
    },
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_published_enforcement_cases(case: dict[str, Any]) -> None:
    assert case["url"].startswith("http") and case["cited_as"]
    verdict = hazardrules.classify(case["finding"], on=dt.date.fromisoformat(case["on"]))
    assert verdict.status == case["status"]
    assert sorted(held(verdict)) == sorted(case["hits"])
    assert set(case.get("open", [])) <= {u.rule for u in verdict.undetermined}
    assert set(case.get("missing", [])) <= set(verdict.missing_facts)
    assert set(case.get("cleared", [])) <= {c.rule for c in verdict.cleared}
