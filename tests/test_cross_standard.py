"""One vocabulary across standards, and 工贸 第二条's hand-over of hazardous chemicals to hc-2017."""

from __future__ import annotations

import pytest

import hazardrules

PACK = hazardrules.load_pack()

SPECIAL_WORKER = {
    "metallurgy": ("gm-2023:3.2", "第三条第（二）项"),
    "machinery": ("gm-2023:3.2", "第三条第（二）项"),
    "chemical": ("hc-2017:2", "第二项"),
    "hazchem_trading": ("hc-2017:2", "第二项"),
    "fireworks_production": ("fw-2017:2", "第二项"),
    "fireworks_retail": ("fw-2017:2", "第二项"),
    "construction": ("cs-2022:4.3", "第四条第（三）项"),
}


@pytest.mark.parametrize(("sector", "expected"), SPECIAL_WORKER.items())
def test_uncertified_special_worker_cites_the_sectors_own_standard(
    sector: str, expected: tuple[str, str]
) -> None:
    rule_id, label = expected
    if rule_id.split(":")[0] not in PACK.standards or rule_id not in PACK.rule_index:
        pytest.skip(f"{rule_id} is not in the pack yet")
    verdict = hazardrules.classify(
        {"sector": sector, "observed_on": "2024-06-01", "facts": {"special_worker.uncertified_on_duty": True}}
    )
    assert verdict.status == "major"
    assert [(h.rule, h.citation.label) for h in verdict.hits] == [(rule_id, label)]
    assert verdict.hits[0].text == PACK.rule(rule_id).text


def test_the_same_fact_means_the_same_in_every_standard() -> None:
    readers: dict[str, set[str]] = {}
    for rule in PACK.compiled_rules():
        for fact in rule.condition.facts:
            readers.setdefault(fact, set()).add(rule.standard)
    shared = {f for f, standards in readers.items() if len(standards) > 1}
    assert "special_worker.uncertified_on_duty" in shared
    assert {"management.principal_assessed", "management.safety_managers_assessed"} <= shared


STORAGE = {"hazchem.stores": True, "hazchem.incompatible_mixed_storage": True}


def test_hazardous_chemicals_in_a_gongmao_plant_reach_hc_2017() -> None:
    verdict = hazardrules.classify(
        {
            "sector": "metallurgy",
            "observed_on": "2025-06-01",
            "facts": {**STORAGE, "enterprise.hazchem_unit": True},
        }
    )
    assert verdict.status == "major"
    (hit,) = verdict.hits
    assert hit.rule == "hc-2017:20"
    assert hit.via is not None and hit.via.id == "gm-2023:2" and hit.via.citation.label == "第二条"
    (deferred,) = verdict.deferred
    assert deferred.route == "applied" and deferred.in_pack
    assert [s.slug for s in verdict.standards] == ["gm-2023", "hc-2017"]


def test_unknown_scope_leaves_the_hand_over_open() -> None:
    verdict = hazardrules.classify({"sector": "metallurgy", "observed_on": "2025-06-01", "facts": STORAGE})
    assert verdict.status == "undetermined"
    assert verdict.missing_facts == ["enterprise.hazchem_unit"]
    assert verdict.deferred[0].route == "undetermined"


def test_outside_hc_scope_only_gongmao_applies() -> None:
    verdict = hazardrules.classify(
        {
            "sector": "metallurgy",
            "observed_on": "2025-06-01",
            "facts": {**STORAGE, "enterprise.hazchem_unit": False},
        }
    )
    assert verdict.deferred[0].route == "not_applicable"
    assert [n.code for n in verdict.notes] == ["deferred_not_applicable"]
    # No 工贸 rule for metallurgy reads these facts: nothing was examined, so no not_major.
    assert verdict.status == "undetermined"
    assert [w.code for w in verdict.warnings] == ["nothing_examined"]


@pytest.mark.parametrize("matter", ["fire"])
def test_matters_without_a_standard_in_the_pack_stay_open(matter: str) -> None:
    verdict = hazardrules.classify({"sector": "textile", "facts": {f"matter.{matter}": True}})
    assert verdict.status == "undetermined"
    assert verdict.deferred[0].route == "unavailable"


def test_chemical_sector_findings_are_judged_by_hc_directly() -> None:
    verdict = hazardrules.classify({"sector": "chemical", "observed_on": "2025-06-01", "facts": STORAGE})
    assert [h.rule for h in verdict.hits] == ["hc-2017:20"]
    assert verdict.hits[0].via is None and verdict.deferred == []
