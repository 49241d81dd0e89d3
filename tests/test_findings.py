"""Bad input gets a clear error naming every problem, never a verdict."""

from __future__ import annotations

from typing import Any

import pytest

import hazardrules
from hazardrules import FindingError


def problems(finding: Any) -> list[tuple[str, str | None, str]]:
    with pytest.raises(FindingError) as caught:
        hazardrules.classify(finding)
    return [(p.code, p.field, p.message) for p in caught.value.problems]


def test_unknown_fact_suggests_the_right_one() -> None:
    ((code, field, message),) = problems({"sector": "metallurgy", "facts": {"contractor.presnt": True}})
    assert code == "unknown_fact" and field == "facts.contractor.presnt"
    assert "did you mean 'contractor.present'?" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "is true or false; got 1 (a number)"),
        ("yes", "is true or false; got 'yes' (text)"),
        (None, "must be true/false, a number, text or a list of text; got null"),
        ({"a": 1}, "must be true/false, a number, text or a list of text"),
    ],
)
def test_wrong_type_says_what_was_expected(value: Any, expected: str) -> None:
    found = problems({"sector": "metallurgy", "facts": {"contractor.present": value}})
    assert any(expected in message for _, _, message in found), found


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"id": "X", "sector": "nowhere", "facts": {"a.b": True, "contractor.present": 3}})
    assert {code for code, _, _ in found} == {"unknown_sector", "unknown_fact", "wrong_type"}


def test_unknown_sector_lists_the_known_ones() -> None:
    ((code, _, message),) = problems({"sector": "mining", "facts": {}})
    assert code == "unknown_sector"
    assert "metallurgy (冶金)" in message


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        ({"facts": {}}, "sector is required"),
        ({"sector": "metallurgy", "fact": {}}, "unknown field 'fact'"),
        ({"sector": "metallurgy", "observed_on": "yesterday"}, "observed_on"),
        ({"sector": 31}, "sector"),
        (["not", "a", "mapping"], "must be a JSON object"),
        ("metallurgy", "must be a JSON object"),
    ],
)
def test_malformed_findings(finding: Any, expected: str) -> None:
    found = problems(finding)
    assert any(expected in message for _, _, message in found), found


def test_error_carries_the_finding_id() -> None:
    with pytest.raises(FindingError) as caught:
        hazardrules.classify({"id": "F-9", "sector": "metallurgy", "facts": {"nope.fact": True}})
    assert caught.value.finding_id == "F-9"
    assert caught.value.to_dict()["finding_id"] == "F-9"
    assert str(caught.value).startswith("finding 'F-9': ")


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(hazardrules.HazardRulesError, match="unknown engine 'fast'"):
        hazardrules.classify({"sector": "metallurgy", "facts": {}}, engine="fast")
