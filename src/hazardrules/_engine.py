"""The native engine: apply derivations, then evaluate each candidate rule's compiled condition.

Speed: a rule none of whose facts is known (given or derived) has the value it has with no facts at
all, computed once per standard; only the rules reading a known fact are evaluated. A single-issue
finding gives a handful of facts, so it evaluates a handful of rules; the others cost one list copy.
The same holds for derivations. The plans that make this possible are built on first use and kept
per standard (see :func:`plan`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._expr import Evaluator, ExpressionError
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
    plan: RulesPlan | None = None  # when the rules were a sector's (the native engine sets it)


@dataclass(frozen=True, slots=True)
class _DerivationStep:
    derivation: CompiledDerivation
    when: Evaluator
    reads: frozenset[str]
    idle: Any  # the condition's value when none of ``reads`` is known
    forced: bool  # evaluate whatever the facts (computing ``idle`` raised)


@dataclass(frozen=True, slots=True)
class RulesPlan:
    """Precomputed for one tuple of candidate rules (a sector's rules of a standard)."""

    rules: tuple[CompiledRule, ...]
    idle: list[Value]  # each rule's value when none of its facts is known
    by_fact: dict[str, tuple[int, ...]]  # fact → positions of the rules whose conditions read it
    always: tuple[int, ...]  # rules evaluated whatever the facts (their idle value raised an error)
    reads: frozenset[str]  # every fact the rules read (touch and applicability)
    touched_by: dict[str, tuple[int, ...]]  # fact → positions of the rules it touches (rule.touch)


@dataclass(slots=True)
class StandardPlan:
    standard: CompiledStandard
    derivations: tuple[_DerivationStep, ...]
    tuples: dict[int, RulesPlan]  # by id() of the standard's by_sector tuples
    rule_reads: dict[str, frozenset[str]]  # rule id → facts its applies/condition read
    rule_idle: dict[str, Value]  # absent: evaluate the rule whatever the facts


_PLANS: dict[int, StandardPlan] = {}
_MAX_PLANS = 512


def plan(standard: CompiledStandard) -> StandardPlan:
    """The standard's evaluation plan (built once; holds the standard, so its id stays unique)."""
    found = _PLANS.get(id(standard))
    if found is not None and found.standard is standard:
        return found
    if len(_PLANS) >= _MAX_PLANS:
        _PLANS.clear()
    steps = tuple(_step(d) for d in standard.derivations)
    rule_reads: dict[str, frozenset[str]] = {}
    rule_idle: dict[str, Value] = {}
    for rule in standard.rules:
        reads = set(rule.condition.facts)
        if rule.applies is not None:
            reads.update(rule.applies.facts)
        rule_reads[rule.id] = frozenset(reads)
        # A constant division by zero raises: such a rule is evaluated every time, raising as before.
        with contextlib.suppress(ExpressionError):
            rule_idle[rule.id] = rule_value(rule, {})
    tuples: dict[int, RulesPlan] = {}
    for rules in standard.by_sector.values():
        by_fact: dict[str, list[int]] = {}
        touched_by: dict[str, list[int]] = {}
        reads_all: set[str] = set()
        for position, rule in enumerate(rules):
            for fact in rule_reads[rule.id]:
                by_fact.setdefault(fact, []).append(position)
            for fact in rule.touch:
                touched_by.setdefault(fact, []).append(position)
            reads_all |= rule.touch
            reads_all |= rule_reads[rule.id]
        tuples[id(rules)] = RulesPlan(
            rules,
            [rule_idle.get(r.id) for r in rules],
            {fact: tuple(positions) for fact, positions in by_fact.items()},
            tuple(i for i, r in enumerate(rules) if r.id not in rule_idle),
            frozenset(reads_all),
            {fact: tuple(positions) for fact, positions in touched_by.items()},
        )
    built = _PLANS[id(standard)] = StandardPlan(standard, steps, tuples, rule_reads, rule_idle)
    return built


def _step(derivation: CompiledDerivation) -> _DerivationStep:
    when = derivation.when
    try:
        return _DerivationStep(derivation, when.evaluate, frozenset(when.facts), when.evaluate({}), False)
    except ExpressionError:
        return _DerivationStep(derivation, when.evaluate, frozenset(when.facts), None, True)


def rules_plan(standard: CompiledStandard, rules: Sequence[CompiledRule]) -> RulesPlan | None:
    """The plan of ``rules`` when it is one of the standard's sector tuples (not a selection)."""
    found = plan(standard).tuples.get(id(rules))
    return found if found is not None and found.rules is rules else None


def derive(
    standard: CompiledStandard, facts: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, CompiledDerivation]]:
    """Apply the standard's derivations (in dependency order) to the given facts.

    A derivation whose condition holds sets its fact; one that contradicts a given fact, or another
    derivation, is an error in the finding, never silently resolved.
    """
    env = dict(facts)
    origin: dict[str, CompiledDerivation] = {}
    known = env.keys()
    for step in plan(standard).derivations:
        value = step.when(env) if step.forced or not known.isdisjoint(step.reads) else step.idle
        if value is not True:
            continue
        spec = step.derivation.spec
        current = env.get(spec.derives)
        if current is None:
            env[spec.derives] = spec.value
            origin[spec.derives] = step.derivation
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
    candidates = rules if isinstance(rules, tuple) else tuple(rules)
    found = rules_plan(standard, candidates)
    values: list[Value]
    if found is not None:
        values = found.idle.copy()
        by_fact = found.by_fact
        touched: set[int] = set(found.always)
        for fact in env:
            positions = by_fact.get(fact)
            if positions is not None:
                touched.update(positions)
        for position in sorted(touched):
            values[position] = rule_value(candidates[position], env)
    else:
        current = plan(standard)
        known = env.keys()
        values = []
        for rule in candidates:
            reads = current.rule_reads.get(rule.id)
            if reads is not None and rule.id in current.rule_idle and known.isdisjoint(reads):
                values.append(current.rule_idle[rule.id])
            else:
                values.append(rule_value(rule, env))
    return StandardResult(standard, env, origin, list(zip(candidates, values, strict=True)), found)


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
