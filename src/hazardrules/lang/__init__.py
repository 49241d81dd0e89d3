"""The rule-condition language: parsed by our own parser, never by ``eval``.

``parse`` turns text into an AST (:mod:`.nodes`), ``check`` types it against a fact vocabulary,
``compile_expr`` turns it into a fast three-valued callable and ``explain`` evaluates it again,
recording why each sub-condition came out true, false or unknown.
"""

from .check import ExprType, check
from .compile import Evaluator, compile_expr
from .errors import ExpressionError
from .explain import TraceNode, explain
from .nodes import Node, fact_names
from .parser import parse

__all__ = [
    "Evaluator",
    "ExprType",
    "ExpressionError",
    "Node",
    "TraceNode",
    "check",
    "compile_expr",
    "explain",
    "fact_names",
    "parse",
]
