"""Sectors from what integrators have: GB/T 4754-2017 codes (门类 → 小类) and Chinese industry words.

Every code of the table either resolves to a sector (with the basis, and a warning when the mapping is
one of the pack's readings) or fails with the reason: several sectors (which, and what decides), another
standard of the register (named, with its encoding state), or outside the 工贸 classification.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules import FindingError
from hazardrules.pack.industries import _key, industries, parse_table
from hazardrules.pack.sectors import sector_resolution

REPO = Path(__file__).resolve().parents[1]
PACK = hazardrules.load_pack()
DATA = industries(PACK)
SOURCE = yaml.safe_load((REPO / "rules" / "sources" / "gbt4754-2017.yaml").read_text(encoding="utf-8"))
ALL_CODES = [*DATA.sections, *DATA.names]
GONGMAO = ["metallurgy", "nonferrous", "building_materials", "machinery"]
READ = ["light_industry", "textile", "tobacco", "commerce"]


def outcome(value: str) -> tuple[str, Any]:
    """('sector', Resolution) or (error code, message)."""
    try:
        return "sector", sector_resolution(PACK, value)
    except FindingError as exc:
        (problem,) = exc.problems
        return problem.code, problem.message


def finding(sector: str, **facts: Any) -> dict[str, Any]:
    return {"sector": sector, "observed_on": "2025-06-01", "facts": facts}


# -- the code table is the project's copy of the standard ---------------------------------------------
def test_the_table_is_the_source_table() -> None:
    expected = {c["digits"]: c["name"] for c in SOURCE["codes"] if c["level"] != "门类"}
    assert DATA.names == expected
    letters = {c["code"]: c["name"] for c in SOURCE["codes"] if c["level"] == "门类"}
    assert {k: v[0] for k, v in DATA.sections.items()} == letters
    counts = {
        level: sum(1 for c in SOURCE["codes"] if c["level"] == level) for level in ("大类", "中类", "小类")
    }
    assert (len(DATA.sections), counts["大类"], counts["中类"], counts["小类"]) == (20, 97, 473, 1381)
    assert len(DATA.leaves) == counts["小类"]
    for code in SOURCE["codes"]:
        if code["level"] == "大类":
            assert DATA.section_of[code["digits"]] == code["parent"]


@pytest.mark.parametrize(
    "table",
    ["A 农业\n01", "01 农业", "A 农业\n01 农业\n0111 稻谷种植", "A 农业\n01 农业\n01 林业", "a 农业"],
)
def test_a_malformed_table_is_refused(table: str) -> None:
    with pytest.raises(ValueError, match="table line"):
        parse_table(table)


# -- every code resolves or says why ------------------------------------------------------------------
@pytest.mark.parametrize("code", ALL_CODES)
def test_every_code_resolves_or_fails_with_the_reason(code: str) -> None:
    kind, found = outcome(code)
    if kind == "sector":
        assert found.slug in PACK.sectors and found.how == "code" and found.basis
        return
    assert kind in ("unknown_sector", "ambiguous_sector")
    name = DATA.sections[code][0] if code in DATA.sections else DATA.names[code]
    assert name in found
    assert (
        "covers industries of different sectors" in found
        or "belongs to several sectors" in found
        or "fall under 《" in found
        or "outside the 工贸 classification" in found
    ), found


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([c for c in DATA.names if len(c) < 4]))
def test_a_code_that_resolves_resolves_every_code_under_it_alike(code: str) -> None:
    kind, found = outcome(code)
    under = [c for c in DATA.names if c.startswith(code) and c != code]
    if kind == "sector":
        assert all(outcome(c)[0] == "sector" and outcome(c)[1].slug == found.slug for c in under)
    elif kind == "ambiguous_sector" and "different sectors" in found:
        assert len({_key(DATA.outcome(leaf)) for leaf in DATA.leaves_under(code)}) > 1


@pytest.mark.parametrize("form", ["{d}", "C{d}", "c{d}", " {d} "])
def test_a_code_with_or_without_its_letter(form: str) -> None:
    assert sector_resolution(PACK, form.format(d="3392")).slug == "machinery"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A31", "belongs to 门类 C, not A"),
        ("2199", "is not a code of GB/T 4754-2017"),
        ("Z", "unknown sector"),
    ],
)
def test_a_code_that_does_not_exist_says_so(value: str, expected: str) -> None:
    kind, message = outcome(value)
    assert kind == "unknown_sector" and expected in message


# -- the 工贸 classification: verified items ----------------------------------------------------------
def leaves(*prefixes: str) -> list[str]:
    return [leaf for leaf in DATA.leaves if leaf.startswith(prefixes)]


@pytest.mark.parametrize(
    ("sector", "include", "exclude"),
    [
        ("metallurgy", ("31",), ()),
        ("nonferrous", ("32",), ()),
        ("building_materials", ("30",), ("305", "3073", "3074", "3075", "3076", "3079")),
        ("machinery", ("33", "34", "35", "36", "37", "38", "39", "40", "43"), ("384",)),
    ],
)
def test_verified_sectors_cover_their_codes(
    sector: str, include: tuple[str, ...], exclude: tuple[str, ...]
) -> None:
    codes = [c for c in leaves(*include) if not c.startswith(exclude)]
    assert codes
    for code in codes:
        found = sector_resolution(PACK, code)
        assert (found.slug, found.status) == (sector, "verified"), code
        assert any("应急厅〔2019〕17号" in b for b in found.basis)


def test_building_materials_exclusions_are_not_building_materials() -> None:
    for code in leaves("305", "3073", "3074", "3075", "3076", "3079"):
        found = sector_resolution(PACK, code)
        assert (found.slug, found.status) == ("light_industry", "unverified"), code
    for code in ("3071", "3072", "3089", "3041"):
        assert sector_resolution(PACK, code).slug == "building_materials"


def test_machinery_says_its_exclusions_were_not_seen() -> None:
    verdict = hazardrules.classify(finding("3443", **{"special_worker.uncertified_on_duty": True}))
    assert verdict.sector == "machinery" and verdict.status == "major"
    (note,) = [n for n in verdict.notes if n.code == "sector_from_industry"]
    assert "3443 阀门和旋塞制造" in note.message and "不包括" in note.message
    assert not [w for w in verdict.warnings if w.code == "sector_unverified_mapping"]


def test_lithium_batteries_are_read_as_light_industry_with_a_warning() -> None:
    facts = {"lithium_battery.warehouse": True, "lithium_battery.faulty_isolated": False}
    verdict = hazardrules.classify(finding("3841", **facts))
    assert (verdict.sector, verdict.status) == ("light_industry", "major")
    (warning,) = [w for w in verdict.warnings if w.code == "sector_unverified_mapping"]
    assert "3841 锂离子电池制造" in warning.message
    (note,) = [n for n in verdict.notes if n.code == "sector_from_industry"]
    assert "第八条第（七）项" in note.message
    assert [h.rule for h in verdict.hits] == ["gm-2023:8.7"]


@pytest.mark.parametrize(
    ("sector", "code"),
    [("light_industry", "2110"), ("textile", "1713"), ("tobacco", "1620"), ("commerce", "6210")],
)
def test_readings_resolve_and_warn(sector: str, code: str) -> None:
    verdict = hazardrules.classify(finding(code, **{"special_worker.uncertified_on_duty": True}))
    assert verdict.sector == sector
    assert [w.code for w in verdict.warnings].count("sector_unverified_mapping") == 1
    assert "未经核实" in next(n.message for n in verdict.notes if n.code == "sector_from_industry")


def test_every_reading_is_marked_unverified_and_says_what_it_rests_on() -> None:
    data = PACK.industries
    assert data is not None
    for mapping in data.mappings:
        if mapping.sector in READ:
            assert mapping.status == "unverified"
            assert "解读" in mapping.basis
        else:
            assert mapping.status == "verified" and "应急厅〔2019〕17号" in mapping.basis


def test_a_slug_or_a_name_needs_no_note() -> None:
    for value in ("machinery", "机械"):
        verdict = hazardrules.classify(finding(value, **{"special_worker.uncertified_on_duty": True}))
        assert not [n for n in [*verdict.notes, *verdict.warnings] if n.code.startswith("sector_")]


# -- broad codes that cover several sectors ask for a narrower one ---------------------------------------
@pytest.mark.parametrize(
    ("code", "sectors"),
    [("30", {"building_materials", "light_industry"}), ("38", {"machinery", "light_industry"})],
)
def test_a_broad_code_with_parts_in_several_sectors_asks(code: str, sectors: set[str]) -> None:
    kind, message = outcome(code)
    assert kind == "ambiguous_sector"
    assert all(s in message for s in sectors) and "中类 or 小类" in message


# -- codes governed by another standard, or by none ----------------------------------------------------
@pytest.mark.parametrize(
    ("code", "standard", "sector"),
    [
        ("4411", "电力", "power"),
        ("2614", "化工和危险化学品", "chemical"),
        ("2672", "烟花爆竹", "fireworks_production"),
        ("8310", "教育系统", "education"),
    ],
)
def test_codes_of_other_standards_name_the_standard(code: str, standard: str, sector: str) -> None:
    if code not in DATA.names:
        code = next(c for c in DATA.leaves if c.startswith(code[:3]))
    kind, message = outcome(code)
    if kind == "sector":  # a sector of main now maps it (another standard's own industry codes)
        assert message.status == "pack"
        return
    assert kind in ("unknown_sector", "ambiguous_sector")
    assert standard in message and sector in message and "not under the 工贸 classification" in message
    assert "encoded" in message


def test_the_encoding_state_of_the_governing_standard_is_the_registers() -> None:
    kind, message = outcome("4411")
    assert kind == "unknown_sector"
    assert all(
        f"({d.id}, not encoded in this pack)" in message
        for d in PACK.documents_for("power")
        if d.id in message
    )


@pytest.mark.parametrize("code", ["9700", "T", "6610", "8010"])
def test_codes_outside_every_standard_say_so(code: str) -> None:
    if code not in DATA.names and code not in DATA.sections:
        code = next(c for c in DATA.leaves if c.startswith(code[:2]))
    kind, message = outcome(code)
    assert kind == "unknown_sector" and "outside the 工贸 classification" in message


# -- industry words --------------------------------------------------------------------------------------
ISSUE_WORDS = {
    "家具制造": "light_industry",
    "食品": "light_industry",
    "铸造": "machinery",
    "压铸": "machinery",
    "塑料制品": "light_industry",
    "金属制品": "machinery",
    "石材": "building_materials",
    "酒楼": "commerce",
    "餐饮": "commerce",
    "阀门制造": "machinery",
    "家具厂": "light_industry",
    "餐饮业": "commerce",
    "木质家具制造": "light_industry",
    "有色金属铸造": "machinery",
    "炼钢": "metallurgy",
}


@pytest.mark.parametrize(("word", "sector"), ISSUE_WORDS.items())
def test_industry_words_resolve(word: str, sector: str) -> None:
    found = sector_resolution(PACK, word)
    assert (found.slug, found.how) == (sector, "word")
    assert found.codes and found.label


def test_aluminium_die_casting_asks_and_says_what_decides() -> None:
    kind, message = outcome("铝压铸")
    assert kind == "ambiguous_sector"
    assert "nonferrous (有色)" in message and "machinery (机械)" in message
    assert "3392" in message and "行业分类代码" in message


def test_a_word_covering_several_sectors_asks_with_the_parts() -> None:
    kind, message = outcome("包装")
    assert kind == "ambiguous_sector"
    assert "3333 金属包装容器及材料制造" in message and "machinery" in message and "light_industry" in message


def test_an_unknown_word_lists_what_is_accepted() -> None:
    kind, message = outcome("宇宙飞船修理")
    assert kind == "unknown_sector" and "家具制造" in message and "metallurgy (冶金)" in message


def test_a_word_verdict_says_which_codes_it_used() -> None:
    verdict = hazardrules.classify(finding("铸造", **{"special_worker.uncertified_on_duty": True}))
    (note,) = [n for n in verdict.notes if n.code == "sector_from_industry"]
    assert "行业用语「铸造」" in note.message and "3391 黑色金属铸造" in note.message


# -- the data file ------------------------------------------------------------------------------------
def copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, ignore=shutil.ignore_patterns("sources"))
    return target


def test_industries_file_problems_are_pack_errors(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    text = (root / "industries.yaml").read_text(encoding="utf-8")
    text = text.replace("  - sector: tobacco", "  - sector: tobaco", 1).replace(
        'include: ["16"]', 'include: ["1699"]', 1
    )
    (root / "industries.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(hazardrules.PackError) as caught:
        hazardrules.load_pack(root)
    messages = "\n".join(str(p) for p in caught.value.problems)
    assert "unknown sector 'tobaco'" in messages and "1699 is not a code of the table" in messages


def test_a_pack_without_industries_resolves_its_own_codes(tmp_path: Path) -> None:
    root = copy_pack(tmp_path)
    (root / "industries.yaml").unlink()
    pack = hazardrules.load_pack(root)
    assert pack.industries is None
    with pytest.raises(FindingError, match=r"no sector of this pack covers industry code '3110'"):
        hazardrules.classify(finding("3110", **{"special_worker.uncertified_on_duty": True}), pack=pack)
