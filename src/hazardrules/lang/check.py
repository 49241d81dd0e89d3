"""Static typing of conditions against a fact vocabulary.

Catches, at load time, what would otherwise be a silently wrong verdict: an unknown fact, a number
compared with a boolean, an enum compared with a value it can never take.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from . import nodes as n
from .errors import ExpressionError

Kind = Literal["bool", "number", "string", "set", "list"]


@dataclass(frozen=True, slots=True)
class ExprType:
    """The type of a fact or sub-expression. ``values`` lists the allowed strings of an enum."""

    kind: Kind
    values: frozenset[str] | None = None
    element: Kind | None = None  # for lists

    def describe(self) -> str:
        if self.kind == "list":
            return f"a list of {self.element or 'values'}"
        return {"bool": "a boolean", "number": "a number", "string": "a text value", "set": "a set"}[
            self.kind
        ]


BOOL = ExprType("bool")
NUMBER = ExprType("number")


def check(node: n.Node, facts: Mapping[str, ExprType], text: str | None = None) -> ExprType:
    """Type ``node``; raise :class:`ExpressionError` naming the first problem."""
    return _Checker(facts, text).visit(node)


class _Checker:
    def __init__(self, facts: Mapping[str, ExprType], text: str | None) -> None:
        self.facts = facts
        self.text = text

    def error(self, message: str, node: n.Node) -> ExpressionError:
        return ExpressionError(message, node.pos if self.text else None, self.text)

    def visit(self, node: n.Node) -> ExprType:
        if isinstance(node, n.Fact):
            if node.name not in self.facts:
                close = difflib.get_close_matches(node.name, list(self.facts), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.error(f"unknown fact {node.name!r}{hint}", node)
            return self.facts[node.name]
        if isinstance(node, n.Literal):
            return _literal_type(node.value)
        if isinstance(node, n.ListLiteral):
            kinds = {_literal_type(v).kind for v in node.values}
            if len(kinds) > 1:
                raise self.error("a list must hold values of one type", node)
            return ExprType("list", element=kinds.pop() if kinds else None)
        if isinstance(node, n.Not):
            self.boolean(node.operand, "'not'")
            return BOOL
        if isinstance(node, n.And | n.Or):
            word = "'and'" if isinstance(node, n.And) else "'or'"
            for operand in node.operands:
                self.boolean(operand, word)
            return BOOL
        if isinstance(node, n.AtLeast):
            for operand in node.operands:
                self.boolean(operand, "at_least")
            return BOOL
        if isinstance(node, n.AnyIn):
            container = self.visit(node.container)
            if container.kind != "set":
                raise self.error(
                    f"any_in needs a set fact, but {node.container} is {container.describe()}", node
                )
            for value in node.values.values:
                if not isinstance(value, str):
                    raise self.error("any_in lists text values", node.values)
                self.allowed_value(node.container, container, value, node.values)
            return BOOL
        if isinstance(node, n.Compare):
            return self.compare(node)
        if isinstance(node, n.In):
            return self.membership(node)
        if isinstance(node, n.Arith):
            for side in (node.left, node.right):
                self.number(side, f"'{node.op}'")
            if node.op == "/" and isinstance(node.right, n.Literal) and node.right.value == 0:
                raise self.error(f"division by zero: {node} never has a value", node.right)
            return NUMBER
        if isinstance(node, n.Negate):
            self.number(node.operand, "'-'")
            return NUMBER
        raise self.error(f"unsupported expression {type(node).__name__}", node)  # pragma: no cover

    def boolean(self, node: n.Node, where: str) -> None:
        found = self.visit(node)
        if found.kind != "bool":
            raise self.error(f"{where} needs a condition, but {node} is {found.describe()}", node)

    def number(self, node: n.Node, where: str) -> None:
        found = self.visit(node)
        if found.kind != "number":
            raise self.error(f"{where} needs a number, but {node} is {found.describe()}", node)

    def compare(self, node: n.Compare) -> ExprType:
        left, right = self.visit(node.left), self.visit(node.right)
        if node.op in ("<", "<=", ">", ">="):
            for side, found in ((node.left, left), (node.right, right)):
                if found.kind != "number":
                    raise self.error(f"'{node.op}' compares numbers, but {side} is {found.describe()}", side)
            return BOOL
        if left.kind != right.kind or left.kind in ("set", "list"):
            raise self.error(
                f"cannot compare {node.left} ({left.describe()}) with {node.right} ({right.describe()})",
                node,
            )
        if left.kind == "string":
            self.allowed(node.left, left, node.right)
            self.allowed(node.right, right, node.left)
        return BOOL

    def membership(self, node: n.In) -> ExprType:
        item, container = self.visit(node.item), self.visit(node.container)
        if container.kind == "list":
            if container.element is not None and item.kind != container.element:
                raise self.error(
                    f"{node.item} is {item.describe()} but the list holds {container.element} values",
                    node,
                )
            if item.kind == "string" and isinstance(node.container, n.ListLiteral):
                for value in node.container.values:
                    self.allowed_value(node.item, item, str(value), node.container)
            return BOOL
        if container.kind == "set":
            if item.kind != "string":
                raise self.error(f"a set holds text values, but {node.item} is {item.describe()}", node)
            if isinstance(node.item, n.Literal):
                self.allowed_value(node.container, container, str(node.item.value), node.item)
            return BOOL
        raise self.error(
            f"'in' needs a list or a set on its right, but {node.container} is {container.describe()}",
            node.container,
        )

    def allowed(self, side: n.Node, side_type: ExprType, other: n.Node) -> None:
        if isinstance(other, n.Literal) and isinstance(other.value, str):
            self.allowed_value(side, side_type, other.value, other)

    def allowed_value(self, fact: n.Node, fact_type: ExprType, value: str, at: n.Node) -> None:
        if fact_type.values is not None and value not in fact_type.values:
            allowed = ", ".join(sorted(fact_type.values))
            raise self.error(f"{fact} can never be {value!r} (allowed: {allowed})", at)


def _literal_type(value: n.Scalar) -> ExprType:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, str):
        return ExprType("string")
    return NUMBER
