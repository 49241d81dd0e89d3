"""Evaluate a condition again, slowly, keeping the value of every sub-condition.

Used only for the rules a verdict reports, so the hot path stays the compiled closures. The
resulting tree says what was true, false or unknown, which facts made the result (``support``)
and which unknown facts could still change it (``missing``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import nodes as n
from .compile import compile_expr


@dataclass(slots=True)
class TraceNode:
    """One evaluated sub-condition."""

    expr: str
    value: Any
    fact: str | None = None
    children: list[TraceNode] = field(default_factory=list)
    kind: str = "expr"  # and, or, not, at_least, compare, in, fact, value

    def support(self) -> dict[str, Any]:
        """Known facts that decide this node's (known) value."""
        out: dict[str, Any] = {}
        self._support(out)
        return out

    def _support(self, out: dict[str, Any]) -> None:
        if self.kind == "fact":
            if self.value is not None:
                out.setdefault(self.fact or self.expr, self.value)
            return
        if self.kind in ("and", "or", "at_least") and isinstance(self.value, bool):
            # The children that agree with the result decide it (all of them for a true 'and').
            for child in self.children:
                if child.value is self.value:
                    child._support(out)
            return
        for child in self.children:
            child._support(out)

    def missing(self) -> list[str]:
        """Unknown facts under unknown sub-conditions: what could still decide this node."""
        out: dict[str, None] = {}
        self._missing(out)
        return list(out)

    def _missing(self, out: dict[str, None]) -> None:
        if self.value is not None:
            return
        if self.kind == "fact":
            out.setdefault(self.fact or self.expr)
            return
        for child in self.children:
            child._missing(out)


def explain(node: n.Node, env: Mapping[str, Any]) -> TraceNode:
    """Evaluate ``node`` under ``env`` keeping every intermediate value."""
    return _explain(node, env)


def _explain(node: n.Node, env: Mapping[str, Any]) -> TraceNode:
    if isinstance(node, n.Fact):
        return TraceNode(node.name, env.get(node.name), fact=node.name, kind="fact")
    if isinstance(node, n.Literal | n.ListLiteral):
        return TraceNode(str(node), compile_expr(node)(env), kind="value")
    children = [_explain(child, env) for child in node.children()]
    value = _combine(node, children, env)
    return TraceNode(str(node), value, children=children, kind=_KINDS.get(type(node), "expr"))


_KINDS: dict[type[n.Node], str] = {
    n.And: "and",
    n.Or: "or",
    n.Not: "not",
    n.AtLeast: "at_least",
    n.Compare: "compare",
    n.AnyIn: "in",
    n.In: "in",
    n.Arith: "arith",
    n.Negate: "arith",
}


def _combine(node: n.Node, children: list[TraceNode], env: Mapping[str, Any]) -> Any:
    values = [c.value for c in children]
    if isinstance(node, n.Not):
        return None if values[0] is None else not values[0]
    if isinstance(node, n.And):
        return False if False in _bools(values) else (None if None in values else True)
    if isinstance(node, n.Or):
        return True if True in _bools(values) else (None if None in values else False)
    if isinstance(node, n.AtLeast):
        true = sum(1 for v in values if v is True)
        unknown = sum(1 for v in values if v is None)
        return True if true >= node.count else (None if true + unknown >= node.count else False)
    # Comparisons, membership and arithmetic: unknown if any operand is unknown.
    if any(v is None for v in values):
        return None
    evaluate: Callable[[Mapping[str, Any]], Any] = compile_expr(node)
    return evaluate(env)


def _bools(values: list[Any]) -> list[bool | None]:
    return [v if v is None else bool(v) for v in values]
