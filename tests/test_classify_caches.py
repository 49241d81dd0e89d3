"""What ``classify`` keeps between calls (explanations, questions, engine plans, the law of a day,
shared citations) never changes a verdict: a warm call gives what a fresh pack gives, the order of
the calls does not matter, and a caller who changes one verdict in place changes no other."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import hazardrules
from hazardrules import FindingError

from ._examples import all_examples

RULES = Path(__file__).resolve().parents[1] / "rules"
PACK = hazardrules.load_pack()
TODAY = dt.date.today().isoformat()

# Every rule example (hits, open rules with their questions, cleared rules, installations, readings),
# whole-site checklists of every sector (gaps, references, many questions) and sites run as two sectors.
CALLS: list[tuple[dict[str, Any], dict[str, Any]]] = [(f, {}) for _, _, f, _ in all_examples()]
CALLS += [({"sector": s, "observed_on": TODAY}, {"complete": True}) for s in sorted(PACK.sectors)]
CALLS += [
    ({**f, "sector": [f["sector"], "metallurgy"]}, {})
    for _, _, f, _ in all_examples()[::25]
    if isinstance(f["sector"], str) and f["sector"] != "metallurgy"
]
CALLS += [(f, {"readings": "none"}) for _, _, f, _ in all_examples()[::10]]
CALLS += [(f, {"select": [rule]}) for rule, _, f, _ in all_examples()[::10]]


def _json(finding: dict[str, Any], options: dict[str, Any], pack: Any = None) -> str:
    try:
        verdict: BaseModel = hazardrules.classify(finding, pack=pack, **options)
        return verdict.model_dump_json()
    except FindingError as exc:
        return f"error: {exc}"


def _verdicts(calls: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[hazardrules.Verdict]:
    out = []
    for finding, options in calls:
        try:
            out.append(hazardrules.classify(finding, **options))
        except FindingError:
            continue
    return out


def test_the_calls_cover_what_is_kept() -> None:
    verdicts = _verdicts(CALLS)
    assert any(v.gaps for v in verdicts)
    assert any(q.values for v in verdicts for q in v.questions)
    assert any(q.decides for v in verdicts for q in v.questions)
    assert any(h.installation for v in verdicts for h in v.hits) or any(
        u.installation for v in verdicts for u in v.undetermined
    )
    assert any(v.cleared for v in verdicts) and any(v.hits for v in verdicts)


def test_warm_calls_give_what_a_fresh_pack_gives() -> None:
    """A pack loaded anew has nothing kept for it (the caches key on the pack's own objects): each of
    its verdicts is worked out afresh, while the shipped pack's come from what earlier calls kept."""
    for finding, options in CALLS:  # keep everything for the shipped pack
        _json(finding, options)
    fresh = hazardrules.load_pack(RULES)
    assert fresh is not hazardrules.load_pack()
    for finding, options in CALLS:
        assert _json(finding, options) == _json(finding, options, pack=fresh), (finding, options)


def test_the_order_of_the_calls_does_not_matter() -> None:
    forward = [_json(f, o) for f, o in CALLS]
    backward = [_json(f, o) for f, o in reversed(CALLS)][::-1]
    assert forward == backward


def _mutate(value: Any) -> None:
    """Change in place everything a caller can change: every field of every model that is not frozen,
    every list and dict. (Frozen models — citations, traces, references to installations, the pack,
    the standards — are shared between verdicts and cannot be changed.)"""
    if isinstance(value, BaseModel):
        if value.model_config.get("frozen"):
            return
        for name in type(value).model_fields:
            field = getattr(value, name)
            _mutate(field)
            if isinstance(field, str):
                setattr(value, name, field + "mutated")
            elif isinstance(field, bool):
                setattr(value, name, not field)
            elif isinstance(field, dt.date):
                setattr(value, name, field + dt.timedelta(days=1))
    elif isinstance(value, list):
        for item in value:
            _mutate(item)
        value.append("mutated")
    elif isinstance(value, dict):
        for item in value.values():
            _mutate(item)
        value["mutated"] = "mutated"


@pytest.mark.parametrize("detail", ["full", "summary"])
def test_a_verdict_changed_by_its_caller_changes_no_other(detail: str) -> None:
    before = [_json(f, {**o, "detail": detail}) for f, o in CALLS]
    for finding, options in CALLS:
        try:
            verdict = hazardrules.classify(finding, detail=detail, **options)  # type: ignore[call-overload]
        except FindingError:
            continue
        status = verdict.status
        _mutate(verdict)
        assert verdict.status == status + "mutated"
    after = [_json(f, {**o, "detail": detail}) for f, o in CALLS]
    assert after == before


def test_the_same_call_twice_gives_equal_but_separate_verdicts() -> None:
    for finding, options in CALLS[::7]:
        try:
            first = hazardrules.classify(finding, **options)
        except FindingError:
            continue
        second = hazardrules.classify(finding, **options)
        assert first == second
        assert first is not second
        for a, b in [
            (first.hits, second.hits),
            (first.undetermined, second.undetermined),
            (first.questions, second.questions),
            (first.gaps, second.gaps),
            (first.missing_facts, second.missing_facts),
        ]:
            assert a is not b
            assert all(x is not y for x, y in zip(a, b, strict=True) if isinstance(x, BaseModel))
