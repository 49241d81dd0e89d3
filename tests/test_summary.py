"""``detail="summary"``: the same decision as the full verdict, without explanations."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules.verdict.classify import summarise

from ._examples import all_examples
from ._register import findings


def outcome(finding: dict[str, Any], detail: str, **options: Any) -> Any:
    try:
        result = hazardrules.classify(finding, detail=detail, **options)  # type: ignore[call-overload]
    except hazardrules.FindingError as exc:
        return ("error", exc.to_dict())
    summary = result if detail == "summary" else summarise(result)
    return summary.model_dump(mode="json")


@given(findings(), st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_summary_is_the_full_verdicts_decision(finding: dict[str, Any], complete: bool) -> None:
    assert outcome(finding, "summary", complete=complete) == outcome(finding, "full", complete=complete)


@pytest.mark.parametrize("complete", [False, True])
def test_every_rule_example_same_summary(complete: bool) -> None:
    checked = 0
    for _, _, finding, _ in all_examples():
        assert outcome(finding, "summary", complete=complete) == outcome(finding, "full", complete=complete)
        checked += 1
    assert checked > 100


def test_summary_shape() -> None:
    finding = {"id": "F-1", "sector": "metallurgy", "facts": {"contractor.present": True}}
    summary = hazardrules.classify(finding, detail="summary")
    assert isinstance(summary, hazardrules.Summary)
    full = hazardrules.classify(finding)
    assert summary.status == full.status == "undetermined"
    assert summary.undetermined == [u.rule for u in full.undetermined]
    assert summary.missing_facts == full.missing_facts
    assert "trace" not in summary.model_dump_json()
    assert len(summary.model_dump_json()) < len(full.model_dump_json()) / 3


def test_wrong_detail_is_an_argument_error() -> None:
    with pytest.raises(hazardrules.ArgumentError, match="detail"):
        hazardrules.classify({"sector": "metallurgy", "facts": {}}, complete=True, detail="short")  # type: ignore[call-overload]
