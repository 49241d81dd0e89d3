"""AST of the condition language. Nodes are immutable and render back to canonical text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

Scalar = bool | int | float | str

COMPARISONS = ("<", "<=", "==", "!=", ">=", ">")
ARITHMETIC = ("+", "-", "*", "/")


@dataclass(frozen=True, slots=True)
class Node:
    pos: int = field(default=0, compare=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, slots=True)
class Fact(Node):
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Scalar

    def __str__(self) -> str:
        return _render_scalar(self.value)


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    values: tuple[Scalar, ...]

    def __str__(self) -> str:
        return "[" + ", ".join(_render_scalar(v) for v in self.values) + "]"


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)

    def __str__(self) -> str:
        return f"not {_wrap(self.operand, self)}"


@dataclass(frozen=True, slots=True)
class And(Node):
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands

    def __str__(self) -> str:
        return " and ".join(_wrap(o, self) for o in self.operands)


@dataclass(frozen=True, slots=True)
class Or(Node):
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands

    def __str__(self) -> str:
        return " or ".join(_wrap(o, self) for o in self.operands)


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def __str__(self) -> str:
        return f"{_wrap(self.left, self)} {self.op} {_wrap(self.right, self)}"


@dataclass(frozen=True, slots=True)
class In(Node):
    """``item in container``; the container is a list literal or a set-valued fact."""

    item: Node
    container: Node
    negated: bool = False

    def children(self) -> tuple[Node, ...]:
        return (self.item, self.container)

    def __str__(self) -> str:
        op = "not in" if self.negated else "in"
        return f"{_wrap(self.item, self)} {op} {_wrap(self.container, self)}"


@dataclass(frozen=True, slots=True)
class Arith(Node):
    op: str
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def __str__(self) -> str:
        return f"{_wrap(self.left, self)} {self.op} {_wrap(self.right, self, right=True)}"


@dataclass(frozen=True, slots=True)
class Negate(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)

    def __str__(self) -> str:
        return f"-{_wrap(self.operand, self)}"


@dataclass(frozen=True, slots=True)
class AtLeast(Node):
    """``at_least(n, a, b, …)``: true when at least ``n`` of the operands are true."""

    count: int
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands

    def __str__(self) -> str:
        return f"at_least({self.count}, " + ", ".join(str(o) for o in self.operands) + ")"


@dataclass(frozen=True, slots=True)
class AnyIn(Node):
    """``any_in(set_fact, ["a", "b"])``: true when the set holds at least one of the values."""

    container: Node
    values: ListLiteral

    def children(self) -> tuple[Node, ...]:
        return (self.container, self.values)

    def __str__(self) -> str:
        return f"any_in({self.container}, {self.values})"


def _render_scalar(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value + '"'
    return repr(value)


_PRECEDENCE: dict[type[Node], int] = {Or: 1, And: 2, Not: 3, Compare: 4, In: 4, Arith: 5, Negate: 7}


def _precedence(node: Node) -> int:
    if isinstance(node, Arith):
        return 5 if node.op in "+-" else 6
    return _PRECEDENCE.get(type(node), 9)


def _wrap(child: Node, parent: Node, right: bool = False) -> str:
    inner, outer = _precedence(child), _precedence(parent)
    if inner < outer or (right and inner == outer) or (inner == outer == 4):
        return f"({child})"
    return str(child)


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children()))


def fact_names(node: Node) -> tuple[str, ...]:
    """The fact names the expression reads, in order of first appearance."""
    seen: dict[str, None] = {}
    for n in walk(node):
        if isinstance(n, Fact):
            seen.setdefault(n.name)
    return tuple(seen)
