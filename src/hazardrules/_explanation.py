"""Explain a rule's value: the trace, the facts that decided it and the facts still missing."""

from __future__ import annotations

from typing import Any

from . import models
from ._engine import StandardResult
from ._expr import TraceNode, explain
from ._pack import CompiledRule


def citation(result_or_standard: Any, path: str, label: str) -> models.Citation:
    meta = result_or_standard.meta if hasattr(result_or_standard, "meta") else result_or_standard
    return models.Citation(
        standard=meta.slug,
        title=meta.title,
        document_number=meta.document_number,
        path=path,
        label=label,
    )


def explain_rule(
    rule: CompiledRule, result: StandardResult
) -> tuple[models.Trace, dict[str, Any], list[str]]:
    """Return (trace, because, missing) for a rule evaluated in ``result``."""
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
    support: dict[str, Any],
    result: StandardResult,
    because: dict[str, Any],
    derived: dict[str, models.Derived],
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
        )
        _add_support(basis_support, result, because, derived)


def _add_missing(fact: str, result: StandardResult, missing: dict[str, None]) -> None:
    if fact in missing:
        return
    missing[fact] = None
    for derivation in result.standard.derived_by.get(fact, ()):
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
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value
