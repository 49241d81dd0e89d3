"""The native engine's fast paths give exactly what the straightforward code gives.

The straightforward code is kept here as the reference: every derivation and every rule evaluated
with its compiled closure, every trace built with :func:`hazardrules.lang.explain`, every model
validated. The fast paths (idle values of untouched rules, traces from precompiled steps, models built
without validation) must agree with it on random findings over the shipped pack and over a synthetic
pack with far more shapes of condition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules import models
from hazardrules.engine.native import StandardResult, conflict_message, evaluate, rule_value
from hazardrules.errors import FindingError, FindingProblem
from hazardrules.lang import TraceNode, explain
from hazardrules.pack.model import CompiledDerivation, CompiledRule, CompiledStandard, Pack
from hazardrules.verdict.explanation import construct, explain_because, explain_rule

from ._strategies import fact_values
from ._synthetic import synthetic_findings, synthetic_pack


# -- the reference: the straightforward code -----------------------------------------------------------
def reference_evaluate(
    standard: CompiledStandard, rules: Sequence[CompiledRule], facts: Mapping[str, Any]
) -> StandardResult:
    env = dict(facts)
    origin: dict[str, CompiledDerivation] = {}
    for derivation in standard.derivations:
        if derivation.when.evaluate(env) is not True:
            continue
        spec = derivation.spec
        current = env.get(spec.derives)
        if current is None:
            env[spec.derives] = spec.value
            origin[spec.derives] = derivation
        elif current != spec.value:
            source = f"derivation {origin[spec.derives].spec.id}" if spec.derives in origin else "the finding"
            message = conflict_message(spec, current, source)
            raise FindingError([FindingProblem("conflict", message, f"facts.{spec.derives}")])
    return StandardResult(standard, env, origin, [(r, rule_value(r, env)) for r in rules])


def reference_explain_rule(
    rule: CompiledRule, result: StandardResult
) -> tuple[Any, dict[str, Any], list[str]]:
    env = result.env
    applies = explain(rule.applies.ast, env) if rule.applies is not None else None
    condition = explain(rule.condition.ast, env)
    derived: dict[str, models.Derived] = {}
    because: dict[str, Any] = {}
    missing: dict[str, None] = {}
    for node in (applies, condition):
        if node is None:
            continue
        if node.value is None:
            for fact in node.missing():
                _add_missing(fact, result, missing)
        else:
            _add_support(node.support(), result, because, derived)
    trace = models.Trace(
        applies=_to_model(applies) if applies is not None else None,
        condition=_to_model(condition),
        derived=list(derived.values()),
    )
    return trace, _jsonable(because), list(missing)


def _add_support(
    support: dict[str, Any], result: StandardResult, because: dict[str, Any], derived: dict[str, Any]
) -> None:
    for fact, value in support.items():
        because.setdefault(fact, value)
        derivation = result.origin.get(fact)
        if derivation is None or fact in derived:
            continue
        basis_support = explain(derivation.when.ast, result.env).support()
        derived[fact] = models.Derived(
            fact=fact,
            value=_jsonable_value(value),
            derivation=derivation.spec.id,
            basis=derivation.spec.basis,
            because=_jsonable(basis_support),
            reading=derivation.spec.reading,
        )
        _add_support(basis_support, result, because, derived)


def _add_missing(fact: str, result: StandardResult, missing: dict[str, None]) -> None:
    if fact in missing:
        return
    missing[fact] = None
    for derivation in result.standard.derived_by.get(fact, ()):
        if derivation.spec.reading in result.off:
            continue
        node = explain(derivation.when.ast, result.env)
        if node.value is None:
            for sub in node.missing():
                _add_missing(sub, result, missing)


def _to_model(node: TraceNode) -> models.TraceNode:
    return models.TraceNode(
        expr=node.expr,
        value=_jsonable_value(node.value),
        fact=node.fact,
        children=[_to_model(c) for c in node.children if c.kind != "value"],
    )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _jsonable_value(v) for k, v in values.items()}


def _jsonable_value(value: Any) -> Any:
    return sorted(value) if isinstance(value, frozenset | set) else value


# -- comparison ------------------------------------------------------------------------------------------
def outcome(result: StandardResult) -> Any:
    return (
        [(r.id, v) for r, v in result.values],
        result.env,
        {fact: d.spec.id for fact, d in result.origin.items()},
    )


def check(standard: CompiledStandard, rules: Sequence[CompiledRule], facts: Mapping[str, Any]) -> None:
    try:
        expected = reference_evaluate(standard, rules, facts)
    except FindingError as exc:
        try:
            evaluate(standard, rules, facts)
        except FindingError as other:
            assert [p.message for p in other.problems] == [p.message for p in exc.problems]
            return
        raise AssertionError("the fast path missed a conflict") from None
    got = evaluate(standard, rules, facts)
    assert outcome(got) == outcome(expected)
    for rule, _ in got.values:
        fast_trace, fast_because, fast_missing = explain_rule(rule, got)
        trace, because, missing = reference_explain_rule(rule, expected)
        assert fast_trace.model_dump() == trace.model_dump()
        assert fast_trace == trace
        assert (fast_because, fast_missing) == (because, missing)
        assert explain_because(rule, got) == because  # the light path of cleared rules


SHIPPED = hazardrules.load_pack()
TODAY = dt.date(2025, 6, 1)


def fact_value(pack: Pack, name: str) -> st.SearchStrategy[Any]:
    return fact_values(pack, name, as_sets=True)


@given(st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_shipped_pack_fast_paths_agree(data: st.DataObject) -> None:
    standard = data.draw(st.sampled_from(sorted(SHIPPED.standards.values(), key=lambda s: s.slug)))
    sectors = sorted(standard.by_sector)
    if not sectors:
        return
    sector = data.draw(st.sampled_from(sectors))
    rules = standard.by_sector[sector]
    reads = sorted(
        {f for r in rules for f in r.touch} | {f for r in rules if r.applies for f in r.applies.facts}
    )
    names = data.draw(st.lists(st.sampled_from(reads or sorted(SHIPPED.facts)), unique=True))
    facts = {name: data.draw(fact_value(SHIPPED, name)) for name in names}
    check(standard, rules, facts)
    if rules:  # a selection is not the sector's tuple: the per-rule path
        chosen = data.draw(st.lists(st.sampled_from(rules), unique_by=lambda r: r.id, min_size=1))
        check(standard, tuple(chosen), facts)


@given(synthetic_findings(), st.sampled_from(["one", "two"]), st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_synthetic_pack_fast_paths_agree(facts: dict[str, Any], sector: str, data: st.DataObject) -> None:
    standard = synthetic_pack().standards["syn"]
    rules = standard.by_sector[sector]
    check(standard, rules, facts)
    chosen = data.draw(st.lists(st.sampled_from(rules), unique_by=lambda r: r.id, min_size=1, max_size=8))
    check(standard, tuple(chosen), facts)


def test_whole_site_verdicts_round_trip_through_validation() -> None:
    for sector in sorted(SHIPPED.sectors):
        try:
            verdict = hazardrules.classify({"sector": sector, "observed_on": TODAY}, complete=True)
        except FindingError:
            continue
        again = hazardrules.Verdict.model_validate(verdict.model_dump())
        assert again == verdict
        assert again.model_dump_json() == verdict.model_dump_json()


def test_construct_is_the_validated_model() -> None:
    citation = models.Citation(standard="s", title="t", document_number="d", path="1", label="第一条")
    node = models.TraceNode(expr="a", value=["x"], fact="a", children=[])
    samples: list[tuple[type[Any], dict[str, Any]]] = [
        (models.Citation, citation.model_dump()),
        (models.TraceNode, {"expr": "a", "value": ["x"], "fact": "a", "children": [node]}),
        (models.Trace, {"applies": None, "condition": node, "derived": []}),
        (
            models.Derived,
            {
                "fact": "a",
                "value": True,
                "derivation": "p:d",
                "basis": "b",
                "because": {"x": 1},
                "reading": None,
            },
        ),
        (
            models.CitedProvision,
            {"id": "s:14", "citation": citation, "text": "t", "text_status": "verified"},
        ),
    ]
    for cls, values in samples:
        built = construct(cls, **values)
        assert built == cls(**values)
        assert built.model_dump_json() == cls(**values).model_dump_json()
        assert built.model_fields_set == set(cls.model_fields)
    # A field left out falls back to pydantic's model_construct, which fills the default.
    partial = construct(models.Trace, condition=node)
    assert partial == models.Trace(condition=node)
