"""What a condition reads of a set fact: which of its values can change the condition's value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from . import nodes as n
from .check import ExprType

ValuesRead = tuple[tuple[str, frozenset[str] | None], ...]


def values_read(nodes: Iterable[n.Node], types: Mapping[str, ExprType]) -> ValuesRead:
    """For each set fact the nodes read: the values that can change them (None: any value).

    ``any_in(s, ["a", "b"])`` and ``"a" in s`` read only the values named; any other use of a set
    fact reads all of its values. A value no rule reads is one an inspector may give in vain.
    """
    found: dict[str, set[str] | None] = {}

    def is_set(name: str) -> bool:
        found_type = types.get(name)
        return found_type is not None and found_type.kind == "set"

    def note(fact: str, values: Iterable[str] | None) -> None:
        if fact in found and found[fact] is None:
            return
        if values is None:
            found[fact] = None
            return
        bucket = found.setdefault(fact, set())
        assert bucket is not None
        bucket.update(values)

    def visit(node: n.Node) -> None:
        if isinstance(node, n.AnyIn) and isinstance(node.container, n.Fact):
            note(node.container.name, [str(v) for v in node.values.values])
            return
        if (
            isinstance(node, n.In)
            and isinstance(node.container, n.Fact)
            and isinstance(node.item, n.Literal)
            and is_set(node.container.name)
        ):
            note(node.container.name, [str(node.item.value)])
            return
        if isinstance(node, n.Fact):
            if is_set(node.name):
                note(node.name, None)
            return
        for child in node.children():
            visit(child)

    for node in nodes:
        visit(node)
    return tuple((fact, None if v is None else frozenset(v)) for fact, v in sorted(found.items()))
