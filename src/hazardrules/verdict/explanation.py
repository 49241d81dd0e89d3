"""Explain a rule's value: the trace, the facts that decided it and the facts still missing.

The trace is :func:`hazardrules.lang.explain`'s, computed faster: each condition is turned once
(cached by its text) into a tree of steps that already hold their rendered text and their compiled
evaluators, so explaining a rule walks that tree once, with no parsing, rendering or compiling, and
builds the verdict's models directly (they are built from trusted values, so without validation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from .. import models
from ..engine.native import StandardResult
from ..lang import Evaluator, Node, compile_expr
from ..lang import nodes as n
from ..pack.model import CompiledExpr, CompiledRule

M = TypeVar("M", bound=BaseModel)
# model class → its field names, when construct() may build it (None: through model_construct)
_PLAIN: dict[type[BaseModel], frozenset[str] | None] = {}
_set = object.__setattr__
_new = object.__new__


def _slot(name: str) -> Any:
    """The setter of one of BaseModel's slots (faster than ``object.__setattr__`` by name)."""
    descriptor = BaseModel.__dict__.get(name)
    if descriptor is not None and hasattr(descriptor, "__set__"):
        return descriptor.__set__
    return lambda instance, value: _set(instance, name, value)  # pragma: no cover - another pydantic


_set_dict = _slot("__dict__")
_set_fields = _slot("__pydantic_fields_set__")
_set_extra = _slot("__pydantic_extra__")
_set_private = _slot("__pydantic_private__")


def _plain(cls: type[BaseModel]) -> frozenset[str] | None:
    if cls in _PLAIN:
        return _PLAIN[cls]
    plain = not cls.__private_attributes__ and not cls.__pydantic_post_init__
    plain = plain and cls.model_config.get("extra") != "allow"
    names = _PLAIN[cls] = frozenset(cls.model_fields) if plain else None
    return names


def construct(cls: type[M], **values: Any) -> M:
    """An instance of a verdict model from values already of the right types, without validation.

    This is what pydantic's ``model_construct`` does, without its per-field bookkeeping, which costs
    more than validating: it applies when every field is given and the model has no private
    attributes, extras or post-init hook; anything else goes through ``model_construct``.
    """
    return build(cls, values)


def build(cls: type[M], values: dict[str, Any]) -> M:
    """:func:`construct` from a dict of every field's value, which becomes the instance's own."""
    names = _PLAIN[cls] if cls in _PLAIN else _plain(cls)
    if names is None or len(names) != len(values):
        return cls.model_construct(**values)
    instance = _new(cls)
    _set_dict(instance, values)
    _set_fields(instance, set(names))
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def builder(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """:func:`build` for one model class, for callers that always give every field (checked here
    once, not on every call)."""
    names = _plain(cls)
    if names is None:  # pragma: no cover - every verdict model is plain
        return lambda values: build(cls, values)
    new, set_dict, set_fields, set_extra, set_private = _new, _set_dict, _set_fields, _set_extra, _set_private

    def make(values: dict[str, Any]) -> M:
        instance: M = new(cls)
        set_dict(instance, values)
        set_fields(instance, set(names))
        set_extra(instance, None)
        set_private(instance, None)
        return instance

    return make


_CITATIONS: dict[tuple[int, str, str], tuple[Any, models.Citation]] = {}


def citation(result_or_standard: Any, path: str, label: str) -> models.Citation:
    """The (frozen, shared) citation of a provision of a standard."""
    meta = result_or_standard.meta if hasattr(result_or_standard, "meta") else result_or_standard
    key = (id(meta), path, label)
    found = _CITATIONS.get(key)
    if found is not None and found[0] is meta:
        return found[1]
    publication = meta.official_publication
    made = construct(
        models.Citation,
        standard=meta.slug,
        title=meta.title,
        document_number=meta.document_number,
        path=path,
        label=label,
        url=publication.url if publication is not None else None,
    )
    if len(_CITATIONS) > 50_000:
        _CITATIONS.clear()
    _CITATIONS[key] = (meta, made)
    return made


# -- steps: a condition prepared for explaining -----------------------------------------------------
FACT, VALUE, NOT, AND, OR, AT_LEAST, OTHER = range(7)
_KINDS: dict[type[Node], int] = {n.Not: NOT, n.And: AND, n.Or: OR, n.AtLeast: AT_LEAST}


@dataclass(frozen=True, slots=True)
class _Step:
    kind: int
    text: str
    fact: str | None
    children: tuple[_Step, ...]
    shown: tuple[_Step, ...]  # the children a trace shows (literal values are left out)
    evaluate: Evaluator | None  # value nodes and comparisons, membership, arithmetic
    count: int = 0  # at_least


_STEPS: dict[str, _Step] = {}
_MAX_STEPS = 50_000


def _steps(expr: CompiledExpr) -> _Step:
    """The steps of a condition; the same text always parses to the same tree."""
    found = _STEPS.get(expr.text)
    if found is None:
        if len(_STEPS) >= _MAX_STEPS:
            _STEPS.clear()
        found = _STEPS[expr.text] = _build(expr.ast)
    return found


def _build(node: Node) -> _Step:
    if isinstance(node, n.Fact):
        return _Step(FACT, node.name, node.name, (), (), None)
    if isinstance(node, n.Literal | n.ListLiteral):
        return _Step(VALUE, str(node), None, (), (), compile_expr(node))
    kind = _KINDS.get(type(node), OTHER)
    children = tuple(_build(c) for c in node.children())
    shown = tuple(c for c in children if c.kind != VALUE)
    evaluate = compile_expr(node) if kind == OTHER else None
    count = node.count if isinstance(node, n.AtLeast) else 0
    return _Step(kind, str(node), None, children, shown, evaluate, count)


def _combine(step: _Step, values: list[Any], env: dict[str, Any]) -> Any:
    """The value of a step from its children's (Kleene, as :func:`hazardrules.lang.explain`)."""
    kind = step.kind
    if kind == AND:
        if any(v is not None and not v for v in values):
            return False
        return None if None in values else True
    if kind == OR:
        if any(v is not None and v for v in values):
            return True
        return None if None in values else False
    if kind == NOT:
        return None if values[0] is None else not values[0]
    if kind == AT_LEAST:
        true = sum(1 for v in values if v is True)
        unknown = sum(1 for v in values if v is None)
        return True if true >= step.count else (None if true + unknown >= step.count else False)
    if None in values:  # comparisons, membership, arithmetic: unknown if an operand is
        return None
    return step.evaluate(env)  # type: ignore[misc]


def _trace(step: _Step, env: dict[str, Any]) -> models.TraceNode:
    """Evaluate ``step`` keeping every sub-condition's value: the trace shown in a verdict."""
    if step.kind == FACT:
        return _node(step.text, env.get(step.fact), step.fact, [])  # type: ignore[arg-type]
    if step.kind == VALUE:
        return _node(step.text, step.evaluate(env), None, [])  # type: ignore[misc]
    values: list[Any] = []
    shown: list[models.TraceNode] = []
    for child in step.children:
        if child.kind == VALUE:
            values.append(child.evaluate(env))  # type: ignore[misc]
        else:
            node = _trace(child, env)
            values.append(node.value)
            shown.append(node)
    return _node(step.text, _combine(step, values, env), None, shown)


def _support(step: _Step, node: models.TraceNode, out: dict[str, Any]) -> None:
    """Known facts that decide this (known) value."""
    if step.kind == FACT:
        if node.value is not None:
            out.setdefault(step.fact, node.value)  # type: ignore[arg-type]
        return
    pairs = zip(step.shown, node.children, strict=True)
    if step.kind in (AND, OR, AT_LEAST) and isinstance(node.value, bool):
        for child, sub in pairs:  # the children that agree with the result decide it
            if sub.value is node.value:
                _support(child, sub, out)
        return
    for child, sub in pairs:
        _support(child, sub, out)


def _missing(step: _Step, node: models.TraceNode, out: dict[str, None]) -> None:
    """Unknown facts under unknown sub-conditions: what could still decide this."""
    if node.value is not None:
        return
    if step.kind == FACT:
        out.setdefault(step.fact)  # type: ignore[arg-type]
        return
    for child, sub in zip(step.shown, node.children, strict=True):
        _missing(child, sub, out)


_FIELDS = frozenset({"expr", "value", "fact", "children"})
_SETS = (frozenset, set)


def _fast_node(expr: str, value: Any, fact: str | None, children: list[models.TraceNode]) -> models.TraceNode:
    """A trace node (the verdict's most numerous model), built as :func:`construct` does."""
    if type(value) in _SETS:
        value = sorted(value)
    node = _new(models.TraceNode)
    _set_dict(node, {"expr": expr, "value": value, "fact": fact, "children": children})
    _set_fields(node, set(_FIELDS))
    _set_extra(node, None)
    _set_private(node, None)
    return node


def _slow_node(expr: str, value: Any, fact: str | None, children: list[models.TraceNode]) -> models.TraceNode:
    if type(value) in _SETS:
        value = sorted(value)
    return construct(models.TraceNode, expr=expr, value=value, fact=fact, children=children)


construct(models.TraceNode, expr="", value=None, fact=None, children=[])  # records whether it is plain
_node = _fast_node if _PLAIN[models.TraceNode] == _FIELDS else _slow_node


# -- rules -------------------------------------------------------------------------------------------
_EXPLAINED: dict[tuple[Any, ...], tuple[CompiledRule, Any, dict[str, Any], list[str], bool]] = {}
_MAX_EXPLAINED = 20_000


def _key(rule: CompiledRule, result: StandardResult) -> tuple[Any, ...]:
    """What an explanation of ``rule`` depends on: the values of the facts it can read (through
    derivations too) and which derivation set each.

    The value (None: unknown) of each fact it can read, and the derivation that set it (by id; the
    pack holds every derivation), in the order of the rule's ``touch`` (the same frozenset, so the
    same order, on every call)."""
    origin = result.origin
    touch = rule.touch
    return (
        id(rule),
        tuple(map(result.env.get, touch)),
        tuple(map(id, map(origin.get, touch))) if origin else (),
        result.off,
    )


Explained = tuple[CompiledRule, Any, dict[str, Any], list[str], bool]  # rule, trace, because, missing, lists?


def explained(rule: CompiledRule, result: StandardResult) -> Explained:
    """The kept explanation of ``rule`` in ``result``: (rule, trace, because, missing, whether
    ``because`` holds lists). Shared: copy ``because`` (:func:`own_because`) and ``missing`` before
    handing them out."""
    origin = result.origin
    touch = rule.touch
    key = (  # _key, inline
        id(rule),
        tuple(map(result.env.get, touch)),
        tuple(map(id, map(origin.get, touch))) if origin else (),
        result.off,
    )
    cached = _EXPLAINED.get(key)
    if cached is None or cached[0] is not rule:
        trace, because, missing = _explain_rule(rule, result)
        if len(_EXPLAINED) > _MAX_EXPLAINED:
            _EXPLAINED.clear()
        cached = _EXPLAINED[key] = (rule, trace, because, missing, _has_lists(because))
    return cached


def own_because(entry: Explained) -> dict[str, Any]:
    """A verdict's own copy of a kept ``because``."""
    return _own(entry[2]) if entry[4] else entry[2].copy()


def explain_rule(
    rule: CompiledRule, result: StandardResult
) -> tuple[models.Trace, dict[str, Any], list[str]]:
    """Return (trace, because, missing) for a rule evaluated in ``result``.

    An explanation depends only on the values of the facts the rule can read (through derivations
    too) and on which derivation set each: it is kept under that key, so the same open question in
    a thousand findings is explained once. Traces are therefore shared between verdicts (their
    models are frozen); ``because`` and ``missing`` are each verdict's own.
    """
    entry = explained(rule, result)
    return entry[1], own_because(entry), entry[3].copy()


def _has_lists(values: dict[str, Any]) -> bool:
    return any(isinstance(v, list) for v in values.values())


def _explain_rule(
    rule: CompiledRule, result: StandardResult
) -> tuple[models.Trace, dict[str, Any], list[str]]:
    env = result.env
    parts = [(_steps(rule.condition), _trace(_steps(rule.condition), env))]
    applies = None
    if rule.applies is not None:
        step = _steps(rule.applies)
        applies = _trace(step, env)
        parts.insert(0, (step, applies))
    derived: dict[str, models.Derived] = {}
    because: dict[str, Any] = {}
    missing: dict[str, None] = {}
    for step, node in parts:
        if node.value is None:
            facts: dict[str, None] = {}
            _missing(step, node, facts)
            for fact in facts:
                _add_missing(fact, result, missing)
        else:
            support: dict[str, Any] = {}
            _support(step, node, support)
            _add_support(support, result, because, derived)
    trace = construct(models.Trace, applies=applies, condition=parts[-1][1], derived=list(derived.values()))
    return trace, _own(because), list(missing)


Light = tuple[Any, tuple[Any, ...]]  # (value, children's Light in shown order)


def _light(step: _Step, env: dict[str, Any]) -> Light:
    """:func:`_trace`'s values without building trace nodes (for explanations that show no trace)."""
    if step.kind == FACT:
        return env.get(step.fact), ()  # type: ignore[arg-type]
    values: list[Any] = []
    shown: list[Light] = []
    for child in step.children:
        if child.kind == VALUE:
            values.append(child.evaluate(env))  # type: ignore[misc]
        else:
            sub = _light(child, env)
            values.append(sub[0])
            shown.append(sub)
    return _combine(step, values, env), tuple(shown)


def _light_support(step: _Step, node: Light, out: dict[str, Any]) -> None:
    value, children = node
    if step.kind == FACT:
        if value is not None:
            out.setdefault(step.fact, sorted(value) if type(value) in _SETS else value)  # type: ignore[arg-type]
        return
    pairs = zip(step.shown, children, strict=True)
    if step.kind in (AND, OR, AT_LEAST) and isinstance(value, bool):
        for child, sub in pairs:
            if sub[0] is value:
                _light_support(child, sub, out)
        return
    for child, sub in pairs:
        _light_support(child, sub, out)


def explain_because(rule: CompiledRule, result: StandardResult) -> dict[str, Any]:
    """The facts that decided a rule's known value (``because``), derivation inputs included."""
    origin = result.origin
    touch = rule.touch
    key = (  # ("because", *_key(rule, result)), inline
        "because",
        id(rule),
        tuple(map(result.env.get, touch)),
        tuple(map(id, map(origin.get, touch))) if origin else (),
        result.off,
    )
    cached = _EXPLAINED.get(key)
    if cached is None or cached[0] is not rule:
        because = _explain_because(rule, result)
        if len(_EXPLAINED) > _MAX_EXPLAINED:
            _EXPLAINED.clear()
        cached = _EXPLAINED[key] = (rule, None, because, [], _has_lists(because))
    return _own(cached[2]) if cached[4] else cached[2].copy()


def _explain_because(rule: CompiledRule, result: StandardResult) -> dict[str, Any]:
    env = result.env
    because: dict[str, Any] = {}
    for expr in (rule.applies, rule.condition):
        if expr is None:
            continue
        step = _steps(expr)
        node = _light(step, env)
        if node[0] is not None:
            support: dict[str, Any] = {}
            _light_support(step, node, support)
            _add_light_support(support, result, because)
    return _own(because)


def _add_light_support(support: dict[str, Any], result: StandardResult, because: dict[str, Any]) -> None:
    for fact, value in support.items():
        if fact in because:
            continue
        because[fact] = value
        derivation = result.origin.get(fact)
        if derivation is not None:
            inner: dict[str, Any] = {}
            step = _steps(derivation.when)
            _light_support(step, _light(step, result.env), inner)
            _add_light_support(inner, result, because)


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
        basis_support: dict[str, Any] = {}
        step = _steps(derivation.when)
        _support(step, _trace(step, result.env), basis_support)
        derived[fact] = construct(
            models.Derived,
            fact=fact,
            value=list(value) if isinstance(value, list) else value,
            derivation=derivation.spec.id,
            basis=derivation.spec.basis,
            because=_own(basis_support),
            reading=derivation.spec.reading,
        )
        _add_support(basis_support, result, because, derived)


def _add_missing(fact: str, result: StandardResult, missing: dict[str, None]) -> None:
    if fact in missing:
        return
    missing[fact] = None
    for derivation in result.standard.derived_by.get(fact, ()):
        if result.off and derivation.spec.reading in result.off:
            continue  # a documented reading switched off cannot decide it
        step = _steps(derivation.when)
        node = _trace(step, result.env)
        if node.value is None:
            facts: dict[str, None] = {}
            _missing(step, node, facts)
            for sub in facts:
                _add_missing(sub, result, missing)


def _own(values: dict[str, Any]) -> dict[str, Any]:
    """The same values, with lists of their own (a set fact's list also sits in the trace)."""
    return {k: list(v) if isinstance(v, list) else v for k, v in values.items()}


def _light_missing(step: _Step, node: Light, out: dict[str, None]) -> None:
    """:func:`_missing` over a :data:`Light` value tree."""
    value, children = node
    if value is not None:
        return
    if step.kind == FACT:
        out.setdefault(step.fact)  # type: ignore[arg-type]
        return
    for child, sub in zip(step.shown, children, strict=True):
        _light_missing(child, sub, out)


def _add_light_missing(fact: str, result: StandardResult, missing: dict[str, None]) -> None:
    if fact in missing:
        return
    missing[fact] = None
    for derivation in result.standard.derived_by.get(fact, ()):
        if result.off and derivation.spec.reading in result.off:
            continue  # a documented reading switched off cannot decide it
        step = _steps(derivation.when)
        node = _light(step, result.env)
        if node[0] is None:
            facts: dict[str, None] = {}
            _light_missing(step, node, facts)
            for sub in facts:
                _add_light_missing(sub, result, missing)


def explain_missing(rule: CompiledRule, result: StandardResult) -> list[str]:
    """The facts that would decide an open rule: :func:`explain_rule`'s ``missing``, without a trace."""
    key = ("missing", *_key(rule, result))
    cached = _EXPLAINED.get(key)
    if cached is not None and cached[0] is rule:
        return cached[3].copy()
    env = result.env
    missing: dict[str, None] = {}
    for expr in (rule.applies, rule.condition):
        if expr is None:
            continue
        step = _steps(expr)
        node = _light(step, env)
        if node[0] is None:
            facts: dict[str, None] = {}
            _light_missing(step, node, facts)
            for fact in facts:
                _add_light_missing(fact, result, missing)
    found = list(missing)
    if len(_EXPLAINED) > _MAX_EXPLAINED:
        _EXPLAINED.clear()
    _EXPLAINED[key] = (rule, None, {}, found, False)
    return found.copy()
