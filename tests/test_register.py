"""The register of the law: which standard governs a sector on a day, encoded or not."""

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

from ._strategies import fact_values

PACK = hazardrules.load_pack()
CHEMICAL = {
    "sector": "chemical",
    "facts": {"enterprise.hazchem_unit": True, "management.principal_assessed": False},
}


def test_chemical_finding_the_day_before_aq_3067_is_major_under_hc_2017() -> None:
    verdict = hazardrules.classify({**CHEMICAL, "observed_on": "2026-09-29"})
    assert verdict.status == "major"
    assert [(h.rule, h.citation.label) for h in verdict.hits] == [("hc-2017:1", "第一项")]
    assert verdict.gaps == [] and verdict.reference == []


def test_chemical_finding_from_aq_3067_on_is_undetermined_and_names_it() -> None:
    verdict = hazardrules.classify({**CHEMICAL, "observed_on": "2026-11-20"})
    assert verdict.status == "undetermined"
    assert verdict.hits == [] and verdict.standards == []
    (gap,) = verdict.gaps
    assert gap.code == "standard_not_encoded"
    assert gap.document.id == "aq3067-2026" and gap.document.document_number == "AQ 3067—2026"
    assert "AQ 3067—2026" in gap.message and "尚未收录" in gap.message
    # The 2017 evaluation only as a coded reference, never as the verdict's hits.
    (reference,) = verdict.reference
    assert reference.code == "superseded_reference"
    assert reference.standard.slug == "hc-2017" and reference.status == "major"
    assert [h.rule for h in reference.hits] == ["hc-2017:1"]
    assert "仅供参考" in reference.message and "不得作为现行标准引用" in reference.message


def test_trading_without_storage_is_outside_aq_3067_and_says_no_standard_is_confirmed() -> None:
    verdict = hazardrules.classify({**CHEMICAL, "sector": "hazchem_trading", "observed_on": "2026-11-20"})
    assert verdict.status == "undetermined"
    (gap,) = verdict.gaps
    assert gap.code == "no_standard_in_force" and gap.document.id == "hc-2017"
    assert [r.standard.slug for r in verdict.reference] == ["hc-2017"]


def test_a_gongmao_hand_over_to_hc_2017_stops_when_it_is_superseded() -> None:
    finding = {
        "sector": "metallurgy",
        "facts": {
            "hazchem.stores": True,
            "hazchem.incompatible_mixed_storage": True,
            "enterprise.hazchem_unit": True,
        },
    }
    before = hazardrules.classify({**finding, "observed_on": "2026-09-29"})
    assert [h.rule for h in before.hits] == ["hc-2017:20"]
    after = hazardrules.classify({**finding, "observed_on": "2026-10-01"})
    assert after.status == "undetermined" and after.hits == []
    assert after.deferred[0].route == "unavailable"
    (note,) = after.notes
    assert note.code == "deferred_unavailable" and "AQ 3067—2026" in note.message


@pytest.mark.parametrize(
    ("sector", "document"),
    [
        ("井工煤矿", "coal-2026"),
        ("金属非金属地下矿山", "fm-2022"),
        ("尾矿库", "fm-2022"),
        ("房屋市政工程", "cs-2024"),
        ("城镇燃气", "gas-2023"),
        ("特种设备", "se-2024"),
        ("道路运输", "road-2023"),
        ("电力", "power-2026"),
        ("民爆", "explosives-2024"),
        ("消防", "fire-2025"),
        ("渔业船舶", "fishing-2022"),
        ("内河运输船舶", "inland-ships-2024"),
        ("公路水运工程", "roadworks-2025"),
        ("铁路建设工程", "railway-2023"),
        ("教育系统", "edu-2024"),
    ],
)
def test_a_sector_whose_standard_is_not_encoded_names_it(sector: str, document: str) -> None:
    if document in PACK.standards:
        pytest.skip(f"{document} is encoded now")
    verdict = hazardrules.classify(
        {"sector": sector, "observed_on": "2026-12-01", "facts": {"special_worker.uncertified_on_duty": True}}
    )
    assert verdict.status == "undetermined" and verdict.hits == []
    assert document in {g.document.id for g in verdict.gaps}
    gap = next(g for g in verdict.gaps if g.document.id == document)
    assert gap.document.title in gap.message


def test_unconfirmed_status_is_a_gap_of_its_own() -> None:
    verdict = hazardrules.classify({"sector": "民航", "facts": {"special_worker.uncertified_on_duty": True}})
    assert [g.code for g in verdict.gaps] == ["standard_status_unknown"]
    assert "现行状态未经确认" in verdict.gaps[0].message


def test_a_name_covering_several_sectors_asks_which() -> None:
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify(
            {"sector": "金属非金属矿山", "facts": {"special_worker.uncertified_on_duty": True}}
        )
    (problem,) = caught.value.problems
    assert problem.code == "ambiguous_sector"
    for slug in ("metal_mine_underground", "metal_mine_open_pit", "tailings_pond"):
        assert slug in problem.message


ISSUE_10_DOCUMENTS = [
    "AQ 3067—2026",
    "GB 35181-2025",
    "国家发展改革委令2026年第41号",
    "工信部安全〔2024〕234号",
    "交办海〔2024〕67号",
    "危险货物港口作业重大事故隐患判定标准",
    "交办安监〔2025〕28号",
    "国铁工程监规〔2023〕25号",
    "渔业船舶重大事故隐患判定标准（试行）",
    "教发厅函〔2024〕20号",
    "民航重大安全隐患判定标准（试行）",
    "水安监〔2017〕344号",
    "煤矿重大事故隐患判定标准",
]


def test_standards_command_lists_every_document_with_its_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["standards", "--on", "2026-12-01", "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    text = json.dumps(entries, ensure_ascii=False)
    for name in ISSUE_10_DOCUMENTS:
        assert name in text, name
    by_id = {e["id"]: e for e in entries}
    assert by_id["hc-2017"]["in_force"] is False and by_id["hc-2017"]["successor"] == "aq3067-2026"
    assert by_id["aq3067-2026"]["in_force"] is True and by_id["aq3067-2026"]["encoding"] == "not_encoded"
    assert by_id["gm-2023"]["encoding"] == "encoded" and by_id["gm-2023"]["in_force"] is True
    assert by_id["coal-2020"]["in_force"] is False and by_id["coal-2026"]["in_force"] is True
    assert main(["standards", "--on", "2026-12-01"]) == 0
    shown = capsys.readouterr().out
    assert "标准清单与收录状态（2026-12-01）" in shown and "施行期 2017-11-13 至 2026-09-29" in shown


def test_standards_api_filters_by_sector() -> None:
    entries = hazardrules.standards(dt.date(2026, 12, 1), sector="chemical")
    assert [e.id for e in entries] == ["hc-2017", "aq3067-2026"]


def test_the_register_must_agree_with_each_standard_file(pack_copy: Path) -> None:
    register = pack_copy / "register.yaml"
    register.write_text(
        register.read_text(encoding="utf-8").replace("effective: 2023-05-15", "effective: 2023-05-16", 1),
        encoding="utf-8",
    )
    report = hazardrules.lint(pack_copy)
    assert any("differs from register.yaml" in p.message and p.item == "gm-2023" for p in report.errors)


@given(
    st.sampled_from(sorted(PACK.sectors)),
    st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.data(),
)
@settings(max_examples=150, deadline=None)
def test_no_hit_ever_cites_a_standard_not_in_force_that_day(sector: str, day: dt.date, data: Any) -> None:
    names = data.draw(st.lists(st.sampled_from(sorted(PACK.facts)), min_size=1, max_size=6, unique=True))
    finding = {
        "sector": sector,
        "observed_on": day.isoformat(),
        "facts": {n: data.draw(fact_values(PACK, n)) for n in names},
    }
    try:
        verdict = hazardrules.classify(finding)
    except hazardrules.FindingError as exc:
        assert {p.code for p in exc.problems} <= {"conflict", "no_standard", "misplaced_fact"}
        return
    for hit in verdict.hits:
        standard = PACK.standards[hit.citation.standard]
        assert standard.in_force(day), (hit.rule, day)
    for reference in verdict.reference:
        assert not PACK.standards[reference.standard.slug].in_force(day)
    if verdict.reference or any(g.code != "provisions_missing" for g in verdict.gaps):
        assert verdict.status != "not_major"
