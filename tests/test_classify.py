"""``classify``: statuses, citations, traces, dates, selection, and properties over the whole pack."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules import FindingError

from ._strategies import fact_values as shared_fact_values

PACK = hazardrules.load_pack()
SECTORS = sorted(PACK.sectors)


def metallurgy(**facts: Any) -> dict[str, Any]:
    return {"id": "F", "sector": "metallurgy", "observed_on": "2024-03-01", "facts": facts}


def test_bundled_example_is_major_under_3_2() -> None:
    from pathlib import Path

    finding = json.loads((Path(__file__).parents[1] / "examples" / "finding.json").read_text("utf-8"))
    verdict = hazardrules.classify(finding)
    assert verdict.status == "major"
    (hit,) = verdict.hits
    assert hit.rule == "gm-2023:3.2"
    assert hit.citation.label == "第三条第（二）项"
    assert hit.citation.document_number == "中华人民共和国应急管理部令第10号"
    assert hit.text == PACK.rule("gm-2023:3.2").text


def official_publication_url(slug: str) -> str | None:
    publication = hazardrules.load_pack().standard(slug).official_publication
    return publication.url if publication is not None else None


def test_hit_carries_citation_text_and_because() -> None:
    verdict = hazardrules.classify(
        metallurgy(**{"contractor.present": True, "contractor.coordinated": False})
    )
    assert verdict.status == "major"
    (hit,) = verdict.hits
    assert hit.rule == "gm-2023:3.1"
    assert hit.citation.model_dump() == {
        "standard": "gm-2023",
        "title": "工贸企业重大事故隐患判定标准",
        "document_number": "中华人民共和国应急管理部令第10号",
        "path": "3.1",
        "label": "第三条第（一）项",
        "url": official_publication_url("gm-2023"),
    }
    assert hit.because == {"contractor.present": True, "contractor.coordinated": False}
    assert hit.trace.condition.value is True
    values = {c.expr: c.value for c in hit.trace.condition.children}
    assert values["contractor.present"] is True


def test_unknown_facts_make_undetermined_with_the_missing_questions() -> None:
    verdict = hazardrules.classify(metallurgy(**{"contractor.present": True}))
    assert verdict.status == "undetermined"
    (open_,) = verdict.undetermined
    assert open_.rule == "gm-2023:3.1"
    # each open fact, then the facts a derivation would decide it from (the authorities' wording)
    assert open_.missing == [
        "contractor.coordinated",
        "contractor.safety_agreement",
        "contractor.duties_in_contract",
        "contractor.inspected_regularly",
        "contractor.inspection_records",
    ]
    assert verdict.missing_facts == open_.missing


def test_missing_lists_only_facts_that_can_still_decide() -> None:
    verdict = hazardrules.classify(metallurgy(**{"contractor.present": True, "contractor.coordinated": True}))
    expected = ["contractor.inspected_regularly", "contractor.inspection_records"]
    assert verdict.undetermined[0].missing == expected


def test_not_major_when_every_touched_rule_is_false() -> None:
    verdict = hazardrules.classify(metallurgy(**{"contractor.present": False}))
    assert verdict.status == "not_major"
    assert verdict.hits == [] and verdict.undetermined == []


def test_untouched_rules_are_not_reported_unless_complete() -> None:
    facts = {"special_worker.uncertified_on_duty": False}
    assert hazardrules.classify(metallurgy(**facts)).status == "not_major"
    complete = hazardrules.classify(metallurgy(**facts), complete=True)
    assert complete.status == "undetermined"
    applicable = {r.id for r in PACK.standards["gm-2023"].by_sector["metallurgy"]}
    assert {u.rule for u in complete.undetermined} == applicable - {"gm-2023:3.2"}
    assert "enterprise.metal_smelting" in complete.missing_facts
    assert complete.complete is True


def test_applicability_gates_the_rule() -> None:
    facts = {"management.principal_assessed": False}
    undecided = hazardrules.classify(metallurgy(**facts))
    assert undecided.status == "undetermined"
    assert undecided.undetermined[0].missing == ["enterprise.metal_smelting"]
    no = hazardrules.classify(metallurgy(**facts, **{"enterprise.metal_smelting": False}))
    assert no.status == "not_major"
    yes = hazardrules.classify(metallurgy(**facts, **{"enterprise.metal_smelting": True}))
    assert [h.rule for h in yes.hits] == ["gm-2023:3.3"]
    assert yes.hits[0].because == {"enterprise.metal_smelting": True, "management.principal_assessed": False}
    assert yes.hits[0].trace.applies is not None and yes.hits[0].trace.applies.value is True


@pytest.mark.parametrize("sector", ["metallurgy", "冶金", "3110", "C3120", "31"])
def test_sector_by_slug_name_or_industry_code(sector: str) -> None:
    verdict = hazardrules.classify({"sector": sector, "facts": {"special_worker.uncertified_on_duty": True}})
    assert verdict.sector == "metallurgy"


def test_an_industry_code_excluded_from_building_materials_is_not_building_materials() -> None:
    verdict = hazardrules.classify({"sector": "3051", "facts": {"special_worker.uncertified_on_duty": True}})
    assert verdict.sector == "light_industry"  # a documented reading, said in a warning
    assert [w.code for w in verdict.warnings] == ["sector_unverified_mapping"]


def test_date_selects_the_standards_in_force() -> None:
    finding = metallurgy(**{"special_worker.uncertified_on_duty": True})
    verdict = hazardrules.classify(finding)
    assert verdict.on == dt.date(2024, 3, 1)
    assert [s.slug for s in verdict.standards] == ["gm-2023"]
    # Before gm-2023, its predecessor governed: known, not encoded, so the verdict says so.
    before = hazardrules.classify(finding, on=dt.date(2022, 1, 1))
    assert before.status == "undetermined" and before.standards == [] and before.hits == []
    (gap,) = before.gaps
    assert (gap.code, gap.document.id, gap.document.encoding) == (
        "standard_not_encoded",
        "gm-2017",
        "not_encoded",
    )
    assert "工贸行业重大生产安全事故隐患判定标准（2017版）" in gap.message
    assert hazardrules.classify({**finding, "observed_on": None}).on == dt.date.today()
    # A day before any document known for the sector: an error that says what is known.
    unknown_day = "no standard known to this pack governs sector 'coal_mine_underground'"
    with pytest.raises(FindingError, match=unknown_day):
        hazardrules.classify(
            {"sector": "井工煤矿", "facts": {"special_worker.uncertified_on_duty": True}},
            on=dt.date(2019, 1, 1),
        )


def test_select_and_ignore() -> None:
    facts = {
        "special_worker.uncertified_on_duty": True,
        "contractor.present": True,
        "contractor.coordinated": False,
    }
    assert {h.rule for h in hazardrules.classify(metallurgy(**facts)).hits} == {"gm-2023:3.1", "gm-2023:3.2"}
    only = hazardrules.classify(metallurgy(**facts), select=["gm-2023:3.2"])
    assert [h.rule for h in only.hits] == ["gm-2023:3.2"]
    rest = hazardrules.classify(metallurgy(**facts), ignore=["gm-2023:3.2"])
    assert [h.rule for h in rest.hits] == ["gm-2023:3.1"]
    prefix = hazardrules.classify(metallurgy(**facts), select=["gm-2023:3"])
    assert len(prefix.hits) == 2
    with pytest.raises(hazardrules.HazardRulesError, match="matches no rule"):
        hazardrules.classify(metallurgy(**facts), select=["gm-2023:3.9"])


def test_verdict_names_pack_and_version() -> None:
    verdict = hazardrules.classify(metallurgy(**{"contractor.present": False}))
    assert verdict.pack.digest.startswith("sha256:") and len(verdict.pack.digest) == 71
    assert verdict.pack.version == PACK.version
    assert verdict.hazardrules_version == hazardrules.__version__


def test_facts_no_applicable_rule_reads_are_warned_about() -> None:
    verdict = hazardrules.classify(metallurgy(**{"contractor.present": False}))
    assert verdict.status == "not_major" and verdict.warnings == []
    stray = "fireworks.maintenance_with_composition"  # a fireworks fact, read by no metallurgy rule
    verdict = hazardrules.classify(metallurgy(**{"contractor.present": False, stray: True}))
    (warning,) = verdict.warnings
    assert warning.code == "fact_not_read" and warning.facts == [stray]
    assert "fw-2017:2" in warning.message  # where it would be read


def test_a_finding_with_no_facts_is_an_error_not_a_verdict() -> None:
    with pytest.raises(FindingError) as caught:
        hazardrules.classify(metallurgy())
    assert [p.code for p in caught.value.problems] == ["no_facts"]
    assert hazardrules.classify(metallurgy(), complete=True).status == "undetermined"


def test_facts_that_decide_nothing_never_give_not_major() -> None:
    stray = {"fireworks.maintenance_with_composition": True}
    verdict = hazardrules.classify(metallurgy(**stray))
    assert verdict.status == "undetermined" and verdict.cleared == []
    assert [w.code for w in verdict.warnings] == ["fact_not_read", "nothing_examined"]


def test_accepts_model_or_dict() -> None:
    finding = metallurgy(**{"special_worker.uncertified_on_duty": True})
    assert hazardrules.classify(hazardrules.Finding.model_validate(finding)) == hazardrules.classify(finding)


def test_verdict_json_round_trips() -> None:
    verdict = hazardrules.classify(metallurgy(**{"contractor.present": True}), complete=True)
    again = hazardrules.Verdict.model_validate_json(verdict.model_dump_json())
    assert again == verdict


# -- properties over the whole pack ------------------------------------------------------------------
def fact_values(name: str) -> st.SearchStrategy[Any]:
    return shared_fact_values(PACK, name)


@st.composite
def findings(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(PACK.facts)), unique=True, max_size=len(PACK.facts)))
    return {
        "sector": draw(st.sampled_from(SECTORS)),
        "observed_on": "2025-01-01",
        "facts": {name: draw(fact_values(name)) for name in names},
    }


def classify_or_none(finding: dict[str, Any], **options: Any) -> hazardrules.Verdict | None:
    try:
        return hazardrules.classify(finding, **options)
    except FindingError as exc:  # e.g. a derivation contradicting a given fact
        assert all(p.code in ("conflict", "no_facts", "no_standard") for p in exc.problems)
        return None


@given(findings(), st.booleans())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_deterministic_and_order_independent(finding: dict[str, Any], complete: bool) -> None:
    first = classify_or_none(finding, complete=complete)
    second = classify_or_none(finding, complete=complete)
    reordered = {**finding, "facts": dict(reversed(list(finding["facts"].items())))}
    third = classify_or_none(reordered, complete=complete)
    if first is None:
        assert second is None and third is None
        return
    assert first.model_dump_json() == second.model_dump_json()  # type: ignore[union-attr]
    assert {h.rule: h.because for h in first.hits} == {h.rule: h.because for h in third.hits}  # type: ignore[union-attr]
    assert first.status == third.status  # type: ignore[union-attr]


@given(findings(), st.data())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_one_more_fact_never_removes_a_hit(finding: dict[str, Any], data: st.DataObject) -> None:
    before = classify_or_none(finding, complete=True)
    unknown = sorted(set(PACK.facts) - set(finding["facts"]))
    if before is None or not unknown:
        return
    name = data.draw(st.sampled_from(unknown))
    extended = {**finding, "facts": {**finding["facts"], name: data.draw(fact_values(name))}}
    after = classify_or_none(extended, complete=True)
    if after is None:
        return
    assert {h.rule for h in before.hits} <= {h.rule for h in after.hits}
    # Knowing more can also only settle rules, never unsettle a decided one.
    decided_before = {h.rule for h in before.hits} | (
        {r.id for r in PACK.compiled_rules() if r.sector_match(finding["sector"])}
        - {u.rule for u in before.undetermined}
    )
    assert decided_before.isdisjoint({u.rule for u in after.undetermined})


@given(findings())
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_status_follows_hits_and_undetermined(finding: dict[str, Any]) -> None:
    verdict = classify_or_none(finding)
    if verdict is None:
        return
    if verdict.hits:
        assert verdict.status == "major"
    elif (
        verdict.undetermined
        or verdict.gaps
        or not verdict.cleared
        or any(w.code == "value_not_read" for w in verdict.warnings)
        or any(d.route in ("undetermined", "unavailable") for d in verdict.deferred)
    ):
        assert verdict.status == "undetermined"
    else:
        assert verdict.status == "not_major"
    if verdict.status == "not_major":
        # Earned: something was examined and cleared, nothing is open, no law is missing.
        assert verdict.cleared and not verdict.gaps and not verdict.undetermined
    for hit in verdict.hits:
        # The facts named in "because" alone are enough for the rule to hold.
        alone = hazardrules.classify({**finding, "facts": hit.because}, select=[hit.rule])
        assert hit.rule in {h.rule for h in alone.hits}


def test_a_selection_that_picks_no_rule_does_not_change_later_verdicts() -> None:
    """What the rules read is kept per (standard, sector, selection); an empty selection once shared
    its key with the whole sector, so a later verdict warned that facts its rules read were read by none."""
    from hazardrules.verdict import reads

    reads._CACHE.clear()  # the order matters: the empty selection must be seen first
    finding = {
        "sector": "metal_mine_underground",
        "observed_on": "2024-04-22",
        "facts": {"underground.main_pumps": 3},
    }
    hazardrules.classify(finding, select=["coal-2020:4.1"])  # no rule of the sector's standard selected
    verdict = hazardrules.classify(finding)
    assert "fact_not_read" not in [w.code for w in verdict.warnings]
    assert any(u.rule == "fm-2022:1.7.1" for u in verdict.undetermined)
