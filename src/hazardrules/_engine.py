"""The native engine: apply derivations, then evaluate each candidate rule's compiled condition."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._pack import CompiledDerivation, CompiledRule, CompiledStandard
from .errors import FindingError, FindingProblem

Value = bool | None


@dataclass(slots=True)
class StandardResult:
    """What one standard made of a finding: the derived facts and each candidate rule's value."""

    standard: CompiledStandard
    env: dict[str, Any]
    origin: dict[str, CompiledDerivation]
    values: list[tuple[CompiledRule, Value]]


def derive(
    standard: CompiledStandard, facts: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, CompiledDerivation]]:
    """Apply the standard's derivations (in dependency order) to the given facts.

    A derivation whose condition holds sets its fact; one that contradicts a given fact, or another
    derivation, is an error in the finding, never silently resolved.
    """
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
            message = (
                f"fact {spec.derives!r} is {current!r} by {source}, but derivation {spec.id} "
                f"({spec.basis}) makes it {spec.value!r} because {spec.when}"
            )
            raise FindingError([FindingProblem("conflict", message, f"facts.{spec.derives}")])
    return env, origin


def evaluate(
    standard: CompiledStandard, rules: Iterable[CompiledRule], facts: Mapping[str, Any]
) -> StandardResult:
    env, origin = derive(standard, facts)
    values: list[tuple[CompiledRule, Value]] = []
    for rule in rules:
        values.append((rule, rule_value(rule, env)))
    return StandardResult(standard, env, origin, values)


def rule_value(rule: CompiledRule, env: Mapping[str, Any]) -> Value:
    """Kleene ``applies and condition``."""
    applies: Value = True if rule.applies is None else rule.applies.evaluate(env)
    if applies is False:
        return False
    value: Value = rule.condition.evaluate(env)
    if value is False:
        return False
    if applies is None or value is None:
        return None
    return True
