"""The native engine: apply derivations, then evaluate each candidate rule's compiled condition.

Speed: a rule none of whose facts is known (given or derived) has the value it has with no facts at
all, computed once per standard; only the rules reading a known fact are evaluated. A single-issue
finding gives a handful of facts, so it evaluates a handful of rules; the others cost one list copy.
The same holds for derivations. The plans that make this possible are built on first use and kept
per standard (see :func:`plan`).
"""

from __future__ import annotations

import contextlib
import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import FindingError, FindingProblem
from ..lang import Evaluator, ExpressionError, compile_expr
from ..lang import nodes as n
from ..pack.format import DerivationSpec
from ..pack.model import CompiledDerivation, CompiledRule, CompiledStandard

Value = bool | None


@dataclass(slots=True)
class StandardResult:
    """What one standard made of a finding: the derived facts and each candidate rule's value."""

    standard: CompiledStandard
    env: dict[str, Any]
    origin: dict[str, CompiledDerivation]
    values: list[tuple[CompiledRule, Value]]
    plan: RulesPlan | None = None  # the plan of the rules evaluated (the native engine sets it)
    off: frozenset[str] = frozenset()  # documented readings switched off (their derivations did not run)
    # With ``plan``: the positions whose value was computed, in order; every other position holds the
    # rule's idle value (its value when none of its facts is known).
    evaluated: list[int] | None = None


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
    idle: list[tuple[CompiledRule, Value]]  # each rule with its value when none of its facts is known
    evaluators: tuple[Callable[[Mapping[str, Any]], Value], ...]  # each rule's value, as rule_value
    by_fact: dict[str, tuple[int, ...]]  # fact → positions of the rules whose conditions read it
    always: tuple[int, ...]  # rules evaluated whatever the facts (their idle value raised an error)
    reads: frozenset[str]  # every fact the rules read (touch and applicability)
    touched_by: dict[str, tuple[int, ...]]  # fact → positions of the rules it touches (rule.touch)
    idle_true: tuple[int, ...] = ()  # positions of the rules that hold when none of their facts is known
    by_kind: dict[str, tuple[int, ...]] = field(default_factory=dict)  # installation kind → positions


@dataclass(slots=True)
class StandardPlan:
    standard: CompiledStandard
    derivations: tuple[_DerivationStep, ...]
    derivation_reads: frozenset[str]  # every fact a derivation reads
    quiet: bool  # no derivation fires when none of ``derivation_reads`` is known
    tuples: dict[int, RulesPlan]  # by id() of the standard's by_sector tuples
    rule_reads: dict[str, frozenset[str]]  # rule key → facts its applies/condition read
    rule_idle: dict[str, Value]  # by rule key; absent: evaluate the rule whatever the facts
    evaluators: dict[str, Callable[[Mapping[str, Any]], Value]] = field(default_factory=dict)  # by rule key
    units: dict[str, CompiledRule] = field(default_factory=dict)  # the standard's units, by key
    # Plans of other tuples of the standard's units (a selection, several sectors' union, the rules of
    # one kind of installation), by id(); each holds its tuple, so an id is not reused while kept.
    extra: dict[int, RulesPlan] = field(default_factory=dict)
    # The derivations worth evaluating: by fact read (positions, ascending), and those evaluated
    # whatever the facts (forced, or holding when none of their facts is known).
    derivations_by_fact: dict[str, tuple[int, ...]] = field(default_factory=dict)
    derivations_always: tuple[int, ...] = ()


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
    evaluators = {rule.key: _rule_evaluator(rule) for rule in standard.units}
    for rule in standard.units:
        reads = set(rule.condition.facts)
        if rule.applies is not None:
            reads.update(rule.applies.facts)
        rule_reads[rule.key] = frozenset(reads)
        # Undefined arithmetic is unknown, so this cannot raise; were it to, the rule would simply be
        # evaluated every time instead of taking a precomputed idle value.
        with contextlib.suppress(ExpressionError):
            rule_idle[rule.key] = rule_value(rule, {})
    tuples = {
        id(rules): _build_rules_plan(rules, rule_reads, rule_idle, evaluators)
        for rules in standard.by_sector.values()
    }
    derivation_reads = frozenset(f for step in steps for f in step.reads)
    quiet = not any(step.forced or step.idle is True for step in steps)
    by_fact: dict[str, list[int]] = {}
    for position, step in enumerate(steps):
        for fact in step.reads:
            by_fact.setdefault(fact, []).append(position)
    built = _PLANS[id(standard)] = StandardPlan(
        standard,
        steps,
        derivation_reads,
        quiet,
        tuples,
        rule_reads,
        rule_idle,
        evaluators,
        {rule.key: rule for rule in standard.units},
        {},
        {fact: tuple(positions) for fact, positions in by_fact.items()},
        tuple(i for i, step in enumerate(steps) if step.forced or step.idle is True),
    )
    return built


def _build_rules_plan(
    rules: tuple[CompiledRule, ...],
    rule_reads: dict[str, frozenset[str]],
    rule_idle: dict[str, Value],
    evaluators: dict[str, Callable[[Mapping[str, Any]], Value]],
) -> RulesPlan:
    by_fact: dict[str, list[int]] = {}
    touched_by: dict[str, list[int]] = {}
    reads_all: set[str] = set()
    for position, rule in enumerate(rules):
        for fact in rule_reads[rule.key]:
            by_fact.setdefault(fact, []).append(position)
        for fact in rule.touch:
            touched_by.setdefault(fact, []).append(position)
        reads_all |= rule.touch
        reads_all |= rule_reads[rule.key]
    return RulesPlan(
        rules,
        [(r, rule_idle.get(r.key)) for r in rules],
        tuple(evaluators[r.key] for r in rules),
        {fact: tuple(positions) for fact, positions in by_fact.items()},
        tuple(i for i, r in enumerate(rules) if r.key not in rule_idle),
        frozenset(reads_all),
        {fact: tuple(positions) for fact, positions in touched_by.items()},
        tuple(i for i, r in enumerate(rules) if rule_idle.get(r.key) is True),
        _by_kind(rules),
    )


def _by_kind(rules: tuple[CompiledRule, ...]) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = {}
    for position, rule in enumerate(rules):
        if rule.kind is not None:
            found.setdefault(rule.kind, []).append(position)
    return {kind: tuple(positions) for kind, positions in found.items()}


def _step(derivation: CompiledDerivation) -> _DerivationStep:
    when = derivation.when
    try:
        return _DerivationStep(derivation, when.evaluate, frozenset(when.facts), when.evaluate({}), False)
    except ExpressionError:
        return _DerivationStep(derivation, when.evaluate, frozenset(when.facts), None, True)


_MAX_EXTRA = 256


def rules_plan(standard: CompiledStandard, rules: Sequence[CompiledRule]) -> RulesPlan | None:
    """The plan of ``rules``: one of the standard's sector tuples, or another tuple of its units (built
    on first use and kept, so a caller that keeps its tuple, as the judge does, builds it once);
    None for anything else."""
    return _rules_plan(plan(standard), rules)


def _rules_plan(current: StandardPlan, rules: Sequence[CompiledRule]) -> RulesPlan | None:
    key = id(rules)
    found = current.tuples.get(key)
    if found is not None and found.rules is rules:
        return found
    found = current.extra.get(key)
    if found is not None and found.rules is rules:
        return found
    units = current.units
    if not isinstance(rules, tuple) or any(units.get(r.key) is not r for r in rules):
        return None
    if len(current.extra) >= _MAX_EXTRA:
        current.extra.clear()
    found = current.extra[key] = _build_rules_plan(
        rules, current.rule_reads, current.rule_idle, current.evaluators
    )
    return found


def derive(
    standard: CompiledStandard, facts: Mapping[str, Any], off: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], dict[str, CompiledDerivation]]:
    """Apply the standard's derivations (in dependency order) to the given facts, except those of the
    documented readings in ``off``.

    A derivation whose condition holds sets its fact; one that contradicts a given fact, or another
    derivation, is an error in the finding, never silently resolved.
    """
    return _derive(plan(standard), facts, off)


def _derive(
    current_plan: StandardPlan, facts: Mapping[str, Any], off: frozenset[str]
) -> tuple[dict[str, Any], dict[str, CompiledDerivation]]:
    env = dict(facts)
    origin: dict[str, CompiledDerivation] = {}
    known = env.keys()
    if current_plan.quiet and known.isdisjoint(current_plan.derivation_reads):
        return env, origin  # no derivation reads a known fact: none fires
    # In order, only the derivations that can fire: those reading a known fact (a fact set by one adds
    # the later ones reading it) and those that fire whatever the facts. Any other has its idle value,
    # which is not True (else it would be in ``derivations_always``), so it would not fire either.
    by_fact = current_plan.derivations_by_fact
    pending = set(current_plan.derivations_always)
    for fact in known:
        positions = by_fact.get(fact)
        if positions is not None:
            pending.update(positions)
    queue = sorted(pending)
    steps = current_plan.derivations
    while queue:
        position = heapq.heappop(queue)
        step = steps[position]
        if off and step.derivation.spec.reading in off:
            continue
        value = step.when(env) if step.forced or not known.isdisjoint(step.reads) else step.idle
        if value is not True:
            continue
        spec = step.derivation.spec
        current = env.get(spec.derives)
        if current is None:
            env[spec.derives] = spec.value
            origin[spec.derives] = step.derivation
            for later in by_fact.get(spec.derives, ()):
                if later > position and later not in pending:
                    pending.add(later)
                    heapq.heappush(queue, later)
        elif current != spec.value:
            source = f"derivation {origin[spec.derives].spec.id}" if spec.derives in origin else "the finding"
            message = conflict_message(spec, current, source)
            raise FindingError([FindingProblem("conflict", message, f"facts.{spec.derives}")])
    return env, origin


def conflict_message(spec: DerivationSpec, current: Any, source: str) -> str:
    """The ``conflict`` error of a derivation that contradicts a fact (the same in every engine)."""
    reading = (
        f"; it belongs to the documented reading {spec.reading} (not the law: classify with "
        f"readings= without it to switch it off)"
        if spec.reading
        else ""
    )
    return (
        f"fact {spec.derives!r} is {current!r} by {source}, but derivation {spec.id} "
        f"({spec.basis.strip()}) makes it {spec.value!r} because {spec.when}{reading}"
    )


def evaluate(
    standard: CompiledStandard,
    rules: Iterable[CompiledRule],
    facts: Mapping[str, Any],
    off: frozenset[str] = frozenset(),
) -> StandardResult:
    current = _PLANS.get(id(standard))
    if current is None or current.standard is not standard:
        current = plan(standard)
    if current.quiet and facts.keys().isdisjoint(current.derivation_reads):
        env: dict[str, Any] = dict(facts)  # no derivation reads a known fact: none fires (as _derive)
        origin: dict[str, CompiledDerivation] = {}
    else:
        env, origin = _derive(current, facts, off)
    # a tuple gets a plan (kept: pass the same tuple again); another iterable is evaluated rule by rule
    candidates = rules if isinstance(rules, tuple) else tuple(rules)
    found = current.tuples.get(id(candidates))  # (a sector's tuple: _rules_plan's first look, inline)
    if found is None or found.rules is not candidates:
        found = _rules_plan(current, candidates) if candidates is rules else None
    values: list[tuple[CompiledRule, Value]]
    order: list[int] | None = None
    if found is not None:
        values = found.idle.copy()
        # the rules reading a known fact, and those evaluated whatever the facts
        touched: set[int] = set(found.always).union(*filter(None, map(found.by_fact.get, env)))
        evaluators = found.evaluators
        order = sorted(touched)
        for position in order:
            values[position] = (candidates[position], evaluators[position](env))
    else:
        known = env.keys()
        values = []
        for rule in candidates:
            reads = current.rule_reads.get(rule.key)
            if reads is not None and rule.key in current.rule_idle and known.isdisjoint(reads):
                values.append((rule, current.rule_idle[rule.key]))
            else:
                values.append((rule, rule_value(rule, env)))
    return StandardResult(standard, env, origin, values, found, off, order)


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


# -- evaluators specialised for the common shapes of condition -------------------------------------
# Same values as the closures of hazardrules.lang.compile (the tests compare them on random
# conditions); they save the calls of one closure per fact in the shapes most rules have: a fact,
# ``not`` a fact, ``and``/``or`` of facts and negated facts, ``in`` a list, ``any_in``, a comparison
# with a literal.
def _rule_evaluator(rule: CompiledRule) -> Callable[[Mapping[str, Any]], Value]:
    condition = _fast(rule.condition.ast)
    if rule.applies is None:

        def without_applies(env: Mapping[str, Any]) -> Value:
            value = condition(env)
            return value if value is None else value is not False

        return without_applies if _is_boolean(rule.condition.ast) else _generic(rule)
    applies = _fast(rule.applies.ast)

    def with_applies(env: Mapping[str, Any]) -> Value:
        gate = applies(env)
        if gate is False:
            return False
        value = condition(env)
        if value is False:
            return False
        if gate is None or value is None:
            return None
        return True

    return with_applies


def _generic(rule: CompiledRule) -> Callable[[Mapping[str, Any]], Value]:
    return lambda env: rule_value(rule, env)


def _is_boolean(node: n.Node) -> bool:
    """Whether the node's value is always True, False or None (so ``value is not False`` is it)."""
    return isinstance(node, n.Fact | n.Not | n.And | n.Or | n.AtLeast | n.Compare | n.In | n.AnyIn)


def _simple(node: n.Node) -> tuple[str, bool] | None:
    if isinstance(node, n.Fact):
        return node.name, False
    if isinstance(node, n.Not) and isinstance(node.operand, n.Fact):
        return node.operand.name, True
    return None


def _fast(node: n.Node) -> Evaluator:
    simple = _simple(node)
    if simple is not None and simple[1]:
        name = simple[0]

        def negated(env: Mapping[str, Any]) -> Value:
            value = env.get(name)
            return None if value is None else not value

        return negated
    if isinstance(node, n.And | n.Or):
        pairs = [_simple(o) for o in node.operands]
        if all(p is not None for p in pairs):
            return _any_facts(tuple(p for p in pairs if p is not None), isinstance(node, n.And))
    if isinstance(node, n.In) and isinstance(node.item, n.Fact) and isinstance(node.container, n.ListLiteral):
        item, values, flip = node.item.name, frozenset(node.container.values), node.negated

        def member(env: Mapping[str, Any]) -> Value:
            value = env.get(item)
            return None if value is None else (value in values) != flip

        return member
    if isinstance(node, n.AnyIn) and isinstance(node.container, n.Fact):
        container, wanted = node.container.name, frozenset(node.values.values)

        def any_member(env: Mapping[str, Any]) -> Value:
            found = env.get(container)
            return None if found is None else not found.isdisjoint(wanted)

        return any_member
    return compile_expr(node)


def _any_facts(pairs: tuple[tuple[str, bool], ...], conjunction: bool) -> Evaluator:
    """``and``/``or`` of facts and negated facts (``(name, negated)``), in Kleene logic."""
    if conjunction:

        def all_of(env: Mapping[str, Any]) -> Value:
            unknown = False
            for name, negated in pairs:
                value = env.get(name)
                if value is None:
                    unknown = True
                elif value is negated:  # this operand is false
                    return False
            return None if unknown else True

        return all_of

    def any_of(env: Mapping[str, Any]) -> Value:
        unknown = False
        for name, negated in pairs:
            value = env.get(name)
            if value is None:
                unknown = True
            elif value is not negated:  # this operand is true
                return True
        return None if unknown else False

    return any_of
