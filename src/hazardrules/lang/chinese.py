"""Render conditions as readable Chinese built from the facts' labels (for auditors)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from . import nodes as n


class FactSpec(Protocol):
    """What rendering needs of a fact: its Chinese label, unit and value labels."""

    @property
    def label(self) -> str: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def values(self) -> dict[str, str] | None: ...


_OPS = {"<": "小于", "<=": "不大于", "==": "等于", "!=": "不等于", ">=": "不小于", ">": "大于"}
_ARITH = {"+": "＋", "-": "－", "*": "×", "/": "÷"}


def to_chinese(node: n.Node, facts: Mapping[str, FactSpec]) -> str:
    """``contractor.present and not contractor.coordinated`` →
    「存在承包单位、承租单位」为是，并且「对承包、承租单位的安全生产工作统一协调、管理」为否."""
    return _Renderer(facts).render(node)


class _Renderer:
    def __init__(self, facts: Mapping[str, FactSpec]) -> None:
        self.facts = facts

    def label(self, name: str) -> str:
        spec = self.facts.get(name)
        return f"「{spec.label if spec else name}」"

    def value(self, fact: n.Node, value: n.Scalar) -> str:
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(fact, n.Fact) and isinstance(value, str):
            spec = self.facts.get(fact.name)
            if spec and spec.values and value in spec.values:
                return f"「{spec.values[value]}」"
        if isinstance(value, str):
            return f"「{value}」"
        unit = self.unit(fact)
        return f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"

    def unit(self, node: n.Node) -> str:
        if isinstance(node, n.Fact):
            spec = self.facts.get(node.name)
            if spec and spec.unit:
                return spec.unit
        return ""

    def render(self, node: n.Node) -> str:
        if isinstance(node, n.Fact):
            return f"{self.label(node.name)}为是"
        if isinstance(node, n.Literal):
            return self.value(node, node.value)
        if isinstance(node, n.Not):
            inner = node.operand
            if isinstance(inner, n.Fact):
                return f"{self.label(inner.name)}为否"
            return f"并非（{self.render(inner)}）"
        if isinstance(node, n.And):
            return self.join(node.operands, "，并且")
        if isinstance(node, n.Or):
            return self.join(node.operands, "，或者")
        if isinstance(node, n.AtLeast):
            items = "；".join(f"（{i}）{self.render(o)}" for i, o in enumerate(node.operands, 1))
            return f"下列{len(node.operands)}项中至少{node.count}项成立：{items}"
        if isinstance(node, n.Compare):
            other = node.right if isinstance(node.left, n.Fact) else node.left
            fact = node.left if isinstance(node.left, n.Fact) else node.right
            if isinstance(other, n.Literal) and isinstance(fact, n.Fact):
                if node.op in ("==", "!=") and not isinstance(other.value, int | float):
                    verb = "为" if node.op == "==" else "不为"
                    return f"{self.label(fact.name)}{verb}{self.value(fact, other.value)}"
                if fact is node.left:
                    return f"{self.label(fact.name)}{_OPS[node.op]}{self.value(fact, other.value)}"
            return f"{self.term(node.left)}{_OPS[node.op]}{self.term(node.right)}"
        if isinstance(node, n.In):
            if isinstance(node.container, n.ListLiteral):
                choices = "、".join(self.value(node.item, v) for v in node.container.values)
                verb = "不是" if node.negated else "是"
                return f"{self.term(node.item)}{verb}{choices}之一"
            verb = "不包括" if node.negated else "包括"
            return f"{self.term(node.container)}{verb}{self.term_value(node.container, node.item)}"
        if isinstance(node, n.AnyIn):
            choices = "、".join(self.value(node.container, v) for v in node.values.values)
            return f"{self.term(node.container)}包括{choices}中的任一项"
        return self.term(node)

    def term_value(self, container: n.Node, item: n.Node) -> str:
        if isinstance(item, n.Literal):
            return self.value(container, item.value)
        return self.term(item)

    def term(self, node: n.Node) -> str:
        if isinstance(node, n.Fact):
            return self.label(node.name)
        if isinstance(node, n.Literal):
            return self.value(node, node.value)
        if isinstance(node, n.Arith):
            return f"{self.term(node.left)}{_ARITH[node.op]}{self.term(node.right)}"
        if isinstance(node, n.Negate):
            return f"－{self.term(node.operand)}"
        return f"（{self.render(node)}）"

    def join(self, operands: tuple[n.Node, ...], word: str) -> str:
        return word.join(
            f"（{self.render(o)}）" if isinstance(o, n.And | n.Or) else self.render(o) for o in operands
        )
