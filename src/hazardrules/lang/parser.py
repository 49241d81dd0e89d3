"""A hand-written tokenizer and recursive-descent parser for rule conditions.

Grammar (lowest precedence first)::

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := sum [ CMP sum | ["not"] "in" sum ]
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | primary
    primary    := NUMBER | STRING | "true" | "false" | "[" literals "]"
                | "(" expr ")" | "at_least" "(" INT "," expr ("," expr)* ")"
                | "any_in" "(" FACT "," "[" literals "]" ")" | FACT

Only what this grammar describes can be written; nothing is ever handed to Python to evaluate.

One limit bounds how deep a condition may nest, whatever makes it deep: no sub-condition may sit
more than :data:`MAX_DEPTH` levels down. A level is a pair of parentheses, a ``not``, a unary minus,
a function call, a comparison, or one operator of a chain of ``+``/``-``/``*``/``/`` (which nest
to the left: ``a + b + c`` is ``(a + b) + c``). A chain of ``and`` or ``or`` is one level, since
it holds its operands side by side. Every later step (type check, compile, explain, rendering, the
durable engine) walks the tree recursively, so the limit keeps them all far from Python's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import nodes as n
from .errors import ExpressionError

MAX_DEPTH = 64
MAX_LENGTH = 20_000

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?(?![A-Za-z_\d.]))
  | (?P<string>"[^"\n]*"|'[^'\n]*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op><=|>=|==|!=|<|>|\(|\)|\[|\]|,|\+|-|\*|/)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_FUNCTIONS = {"at_least", "any_in"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(f"unexpected character {text[pos]!r}", pos, text)
        kind = match.lastgroup or ""
        value = match.group()
        if kind == "name" and value in _KEYWORDS:
            kind = "keyword"
        if kind != "space":
            tokens.append(Token(kind, value, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def parse(text: str) -> n.Node:
    """Parse a condition; raise :class:`ExpressionError` with the column on any mistake."""
    if not isinstance(text, str):
        raise ExpressionError(f"a condition must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"condition is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionError("empty condition")
    node = _Parser(text).parse()
    too_deep = _too_deep(node)
    if too_deep is not None:
        raise ExpressionError(f"condition is nested more than {MAX_DEPTH} levels deep", too_deep.pos, text)
    return node


def _too_deep(root: n.Node) -> n.Node | None:
    """The first node more than :data:`MAX_DEPTH` levels down, if any (walked without recursion)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in node.children())
    return None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    # -- helpers -------------------------------------------------------------------------------
    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def error(self, message: str, token: Token | None = None) -> ExpressionError:
        token = token or self.current
        return ExpressionError(message, token.pos, self.text)

    def accept(self, kind: str, text: str | None = None) -> Token | None:
        token = self.current
        if token.kind == kind and (text is None or token.text == text):
            self.index += 1
            return token
        return None

    def expect(self, kind: str, text: str, what: str) -> Token:
        token = self.accept(kind, text)
        if token is None:
            found = self.current.text or "end of condition"
            raise self.error(f"expected {what}, found {found!r}")
        return token

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"condition is nested more than {MAX_DEPTH} levels deep")

    # -- grammar -------------------------------------------------------------------------------
    def parse(self) -> n.Node:
        node = self.parse_or()
        if self.current.kind != "end":
            raise self.error(f"unexpected {self.current.text!r} after a complete condition")
        return node

    def parse_or(self) -> n.Node:
        start = self.current.pos
        operands = [self.parse_and()]
        while self.accept("keyword", "or"):
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else n.Or(tuple(operands), pos=start)

    def parse_and(self) -> n.Node:
        start = self.current.pos
        operands = [self.parse_not()]
        while self.accept("keyword", "and"):
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else n.And(tuple(operands), pos=start)

    def parse_not(self) -> n.Node:
        token = self.accept("keyword", "not")
        if token is None:
            return self.parse_comparison()
        self.nested()
        operand = self.parse_not()
        self.depth -= 1
        return n.Not(operand, pos=token.pos)

    def parse_comparison(self) -> n.Node:
        left = self.parse_sum()
        token = self.current
        node: n.Node
        if token.kind == "op" and token.text in n.COMPARISONS:
            self.index += 1
            node = n.Compare(token.text, left, self.parse_sum(), pos=left.pos)
        elif token.kind == "keyword" and token.text == "in":
            self.index += 1
            node = n.In(left, self.parse_sum(), pos=left.pos)
        elif (
            token.kind == "keyword"
            and token.text == "not"
            and self.tokens[self.index + 1].kind == "keyword"
            and self.tokens[self.index + 1].text == "in"
        ):
            self.index += 2
            node = n.In(left, self.parse_sum(), negated=True, pos=left.pos)
        else:
            return left
        after = self.current
        if (after.kind == "op" and after.text in n.COMPARISONS) or after.text == "in":
            raise self.error("chained comparisons are not supported; join them with 'and'", after)
        return node

    def parse_sum(self) -> n.Node:
        node = self.parse_product()
        while self.current.kind == "op" and self.current.text in ("+", "-"):
            op = self.current.text
            self.index += 1
            node = n.Arith(op, node, self.parse_product(), pos=node.pos)
        return node

    def parse_product(self) -> n.Node:
        node = self.parse_unary()
        while self.current.kind == "op" and self.current.text in ("*", "/"):
            op = self.current.text
            self.index += 1
            node = n.Arith(op, node, self.parse_unary(), pos=node.pos)
        return node

    def parse_unary(self) -> n.Node:
        token = self.accept("op", "-")
        if token is None:
            return self.parse_primary()
        self.nested()
        operand = self.parse_unary()
        self.depth -= 1
        if isinstance(operand, n.Literal) and _is_number(operand.value):
            return n.Literal(-operand.value, pos=token.pos)  # type: ignore[operator]
        return n.Negate(operand, pos=token.pos)

    def parse_primary(self) -> n.Node:
        token = self.current
        if token.kind == "number":
            self.index += 1
            return n.Literal(_number(token.text), pos=token.pos)
        if token.kind == "string":
            self.index += 1
            return n.Literal(token.text[1:-1], pos=token.pos)
        if token.kind == "keyword" and token.text in ("true", "false"):
            self.index += 1
            return n.Literal(token.text == "true", pos=token.pos)
        if token.kind == "op" and token.text == "[":
            return self.parse_list()
        if token.kind == "op" and token.text == "(":
            self.index += 1
            self.nested()
            node = self.parse_or()
            self.depth -= 1
            self.expect("op", ")", "')'")
            return node
        if token.kind == "name":
            self.index += 1
            if self.current.kind == "op" and self.current.text == "(":
                return self.parse_call(token)
            if token.text in _FUNCTIONS:
                raise self.error(f"{token.text} must be called: {token.text}(…)", token)
            return n.Fact(token.text, pos=token.pos)
        found = token.text or "end of condition"
        raise self.error(f"expected a fact, a value or '(', found {found!r}", token)

    def parse_list(self) -> n.Node:
        start = self.expect("op", "[", "'['")
        values: list[n.Scalar] = []
        if not self.accept("op", "]"):
            while True:
                item = self.parse_unary()
                if not isinstance(item, n.Literal):
                    raise self.error("a list may hold only literal values", self.tokens[self.index - 1])
                values.append(item.value)
                if self.accept("op", "]"):
                    break
                self.expect("op", ",", "',' or ']'")
        return n.ListLiteral(tuple(values), pos=start.pos)

    def parse_call(self, name: Token) -> n.Node:
        if name.text not in _FUNCTIONS:
            known = ", ".join(sorted(_FUNCTIONS))
            raise self.error(f"unknown function {name.text!r} (known: {known})", name)
        self.expect("op", "(", "'('")
        self.nested()
        if name.text == "any_in":
            container = self.parse_sum()
            self.expect("op", ",", "','")
            if not (self.current.kind == "op" and self.current.text == "["):
                raise self.error("any_in needs a list of values as its second argument")
            values = self.parse_list()
            self.expect("op", ")", "')'")
            self.depth -= 1
            assert isinstance(values, n.ListLiteral)
            return n.AnyIn(container, values, pos=name.pos)
        count_token = self.current
        count = self.parse_unary()
        if not (isinstance(count, n.Literal) and type(count.value) is int and count.value >= 1):
            raise self.error("at_least needs a whole number ≥ 1 as its first argument", count_token)
        operands: list[n.Node] = []
        while self.accept("op", ","):
            operands.append(self.parse_or())
        self.expect("op", ")", "',' or ')'")
        self.depth -= 1
        if not operands:
            raise self.error("at_least needs at least one condition to count", name)
        if count.value > len(operands):
            raise self.error(
                f"at_least({count.value}, …) can never hold with only {len(operands)} conditions", name
            )
        return n.AtLeast(int(count.value), tuple(operands), pos=name.pos)


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
