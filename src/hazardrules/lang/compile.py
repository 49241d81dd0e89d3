"""Compile a checked AST into nested closures that evaluate it under Kleene logic.

The environment maps fact names to known values; an absent name is *unknown*, represented by
``None``. Closures are built once per rule pack, so classifying a finding does no parsing.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

from . import nodes as n
from .errors import ExpressionError

Env = Mapping[str, Any]
Evaluator = Callable[[Env], Any]

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}


def compile_expr(node: n.Node) -> Evaluator:
    """Return ``f(env) -> True | False | None | value`` for a type-checked node."""
    if isinstance(node, n.Fact):
        name = node.name
        return lambda env: env.get(name)
    if isinstance(node, n.Literal):
        value = node.value
        return lambda env: value
    if isinstance(node, n.ListLiteral):
        values = frozenset(node.values)
        return lambda env: values
    if isinstance(node, n.Not):
        return _not(compile_expr(node.operand))
    if isinstance(node, n.And):
        return _and(tuple(compile_expr(o) for o in node.operands))
    if isinstance(node, n.Or):
        return _or(tuple(compile_expr(o) for o in node.operands))
    if isinstance(node, n.AtLeast):
        return _at_least(node.count, tuple(compile_expr(o) for o in node.operands))
    if isinstance(node, n.AnyIn):
        container, wanted = compile_expr(node.container), frozenset(node.values.values)
        return lambda env: None if (s := container(env)) is None else not s.isdisjoint(wanted)
    if isinstance(node, n.Compare):
        left, right = node.left, node.right
        if isinstance(left, n.Fact) and isinstance(right, n.Literal) and right.value is not None:
            return _fact_compared(_COMPARE[node.op], left.name, right.value)
        return _binary(_COMPARE[node.op], compile_expr(node.left), compile_expr(node.right))
    if isinstance(node, n.In):
        if isinstance(node.item, n.Fact) and isinstance(node.container, n.ListLiteral):
            return _fact_in(node.item.name, frozenset(node.container.values), node.negated)
        return _membership(compile_expr(node.item), compile_expr(node.container), node.negated)
    if isinstance(node, n.Arith):
        return _binary(_arith(node), compile_expr(node.left), compile_expr(node.right))
    if isinstance(node, n.Negate):
        inner = compile_expr(node.operand)
        return lambda env: None if (v := inner(env)) is None else -v
    raise ExpressionError(f"cannot compile {type(node).__name__}")  # pragma: no cover


def _not(inner: Evaluator) -> Evaluator:
    def evaluate(env: Env) -> bool | None:
        value = inner(env)
        return None if value is None else not value

    return evaluate


def _and(parts: tuple[Evaluator, ...]) -> Evaluator:
    def evaluate(env: Env) -> bool | None:
        unknown = False
        for part in parts:
            value = part(env)
            if value is False:
                return False
            if value is None:
                unknown = True
        return None if unknown else True

    return evaluate


def _or(parts: tuple[Evaluator, ...]) -> Evaluator:
    def evaluate(env: Env) -> bool | None:
        unknown = False
        for part in parts:
            value = part(env)
            if value is True:
                return True
            if value is None:
                unknown = True
        return None if unknown else False

    return evaluate


def _at_least(count: int, parts: tuple[Evaluator, ...]) -> Evaluator:
    def evaluate(env: Env) -> bool | None:
        true = unknown = 0
        for part in parts:
            value = part(env)
            if value is True:
                true += 1
                if true >= count:
                    return True
            elif value is None:
                unknown += 1
        return None if true + unknown >= count else False

    return evaluate


def _binary(op: Callable[[Any, Any], Any], left: Evaluator, right: Evaluator) -> Evaluator:
    def evaluate(env: Env) -> Any:
        a = left(env)
        if a is None:
            return None
        b = right(env)
        if b is None:
            return None
        return op(a, b)

    return evaluate


def _fact_compared(op: Callable[[Any, Any], Any], name: str, value: Any) -> Evaluator:
    """``_binary`` of a fact and a literal (not null), without a call for each side."""

    def evaluate(env: Env) -> Any:
        a = env.get(name)
        return None if a is None else op(a, value)

    return evaluate


def _fact_in(name: str, values: frozenset[Any], negated: bool) -> Evaluator:
    """``_membership`` of a fact in a list literal, without a call for each side."""

    def evaluate(env: Env) -> bool | None:
        a = env.get(name)
        return None if a is None else (a in values) != negated

    return evaluate


def _membership(item: Evaluator, container: Evaluator, negated: bool) -> Evaluator:
    def evaluate(env: Env) -> bool | None:
        a = item(env)
        if a is None:
            return None
        b = container(env)
        if b is None:
            return None
        return (a in b) != negated

    return evaluate


def _arith(node: n.Arith) -> Callable[[Any, Any], Any]:
    """Arithmetic whose result is *unknown* (``None``) when it is undefined.

    A division by zero, or a result too large for a number (an overflow, an infinity, NaN), has
    no value, so it is unknown rather than an exception: Kleene logic then decides the rest of
    the condition exactly as for a missing fact (``true or unknown`` is true, ``not unknown`` is
    unknown), whatever order the operands are evaluated in, and one finding can never stop a batch.
    """
    op = _OPERATORS[node.op]

    def arith(a: Any, b: Any) -> Any:
        try:
            value = op(a, b)
        except (ZeroDivisionError, OverflowError):
            return None
        if type(value) is float and not math.isfinite(value):
            return None
        return value

    return arith


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}
