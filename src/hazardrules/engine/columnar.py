"""The columnar engine: one standard's rules over a batch of findings at once, column by column.

A batch is a set of columns, one per fact (:class:`Column`: a validity mask — unknown where it is
false — and the values). Each condition is compiled once into vector operations under Kleene logic:
every boolean sub-condition becomes a pair of masks ``(true, false)``, and *unknown* is neither.
``and`` is true where every operand is true and false where any is false; ``or`` the reverse;
``not`` swaps the pair; a comparison, ``in`` or ``any_in`` is unknown where an operand is. Derivations
run in the standard's order over the whole batch, exactly as :func:`hazardrules.engine.native.derive`
runs them over one finding; a row where a derivation contradicts a fact is reported, not resolved.

Arithmetic (and anything else the vector compiler does not know) is evaluated row by row with the
native engine's compiled closures — only in the rows where the rule reads a known fact — so
undefined arithmetic, big integers and overflows give exactly the native engine's values.

Nothing here decides a verdict: :mod:`hazardrules.verdict.batch` builds the summaries from these
values and masks. numpy and pyarrow are needed (``pip install hazardrules[arrow]``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..lang import nodes as n
from ..pack.model import CompiledDerivation, CompiledExpr, CompiledRule, CompiledStandard
from .native import rule_value

Mask = npt.NDArray[np.bool_]
Pair = tuple[Mask, Mask]  # (true, false); unknown where neither


class Unsupported(Exception):
    """A condition or derivation the vector compiler cannot express (evaluated row by row instead)."""


@dataclass(slots=True)
class Column:
    """One fact over a batch. ``kind``: bool and number hold a numpy array, enum a pyarrow string
    array, set a pyarrow list-of-strings array; values where ``known`` is false are meaningless."""

    kind: str
    known: Mask
    data: Any

    def python(self, rows: npt.NDArray[np.intp]) -> list[Any]:
        """The values of ``rows`` as the native engine holds them (``None`` when unknown)."""
        known = self.known[rows].tolist()
        if self.kind in ("bool", "number"):
            values = self.data[rows].tolist()
        else:
            values = self.data.take(pa.array(rows, pa.int64())).to_pylist()
            if self.kind == "set":
                values = [None if v is None else frozenset(v) for v in values]
        return [v if k else None for v, k in zip(values, known, strict=True)]


Env = dict[str, Column]


def unknown_column(kind: str, size: int) -> Column:
    known = np.zeros(size, dtype=bool)
    if kind == "bool":
        return Column(kind, known, np.zeros(size, dtype=bool))
    if kind == "number":
        return Column(kind, known, np.zeros(size, dtype=np.int64))
    if kind == "enum":
        return Column(kind, known, pa.nulls(size, pa.string()))
    return Column(kind, known, pa.nulls(size, pa.list_(pa.string())))


# -- values of value nodes ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Const:
    value: Any


_Value = _Const | Column

_NUMPY_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}
_ARROW_COMPARE = {
    "<": pc.less,
    "<=": pc.less_equal,
    "==": pc.equal,
    "!=": pc.not_equal,
    ">=": pc.greater_equal,
    ">": pc.greater,
}


def _constant(value: Any, size: int) -> Pair:
    if value is None:
        return np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
    if value:
        return np.ones(size, dtype=bool), np.zeros(size, dtype=bool)
    return np.zeros(size, dtype=bool), np.ones(size, dtype=bool)


def _split(result: Mask, known: Mask) -> Pair:
    return known & result, known & ~result


def _arrow_mask(array: Any) -> Mask:
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _rows_with(container: Column, hit: Any, size: int) -> Mask:
    """Rows of a set column with at least one element where ``hit`` (over the flattened values)."""
    parents = np.asarray(pc.list_parent_indices(container.data).to_numpy(zero_copy_only=False))
    out = np.zeros(size, dtype=bool)
    out[parents[_arrow_mask(hit)]] = True
    return out


# -- compiled conditions -----------------------------------------------------------------------------
Step = Callable[[Env, int, list[Pair]], Pair]


@dataclass(frozen=True, slots=True)
class Leaf:
    """A fact read by a condition, with the boolean sub-conditions above it (for missing facts)."""

    fact: str
    path: tuple[int, ...]  # indices into the evaluated pairs, root first; the fact's own pair last if boolean


@dataclass(frozen=True, slots=True)
class VectorExpr:
    evaluate: Step  # fills the list with one pair per boolean node (root at index 0), returns the root's
    leaves: tuple[Leaf, ...]  # in the order hazardrules.verdict.explanation lists missing facts
    size: int  # number of boolean nodes


def compile_vector(expr: CompiledExpr, kinds: Mapping[str, str]) -> VectorExpr:
    """Compile a condition; :class:`Unsupported` for what only the row-by-row path evaluates."""
    builder = _Builder(kinds)
    step = builder.boolean(expr.ast, ())
    return VectorExpr(step, tuple(builder.leaves), builder.count)


class _Builder:
    def __init__(self, kinds: Mapping[str, str]) -> None:
        self.kinds = kinds
        self.count = 0
        self.leaves: list[Leaf] = []

    def slot(self) -> int:
        self.count += 1
        return self.count - 1

    def boolean(self, node: n.Node, path: tuple[int, ...]) -> Step:
        index = self.slot()
        here = (*path, index)
        inner = self._boolean(node, here)

        def record(env: Env, size: int, out: list[Pair]) -> Pair:
            pair = inner(env, size, out)
            out[index] = pair
            return pair

        return record

    def _leaf_facts(self, node: n.Node, path: tuple[int, ...]) -> None:
        """The facts under a value node, in the order the explanation walks them (literals skipped)."""
        if isinstance(node, n.Fact):
            self.leaves.append(Leaf(node.name, path))
        for child in node.children():
            if not isinstance(child, n.Literal | n.ListLiteral):
                self._leaf_facts(child, path)

    def _boolean(self, node: n.Node, here: tuple[int, ...]) -> Step:
        if isinstance(node, n.Fact):
            self.leaves.append(Leaf(node.name, here))
            name = node.name

            def fact(env: Env, size: int, out: list[Pair]) -> Pair:
                column = env.get(name)
                if column is None:
                    return _constant(None, size)
                data = column.data
                return column.known & data, column.known & ~data

            return fact
        if isinstance(node, n.Literal):
            value = node.value
            return lambda env, size, out: _constant(value, size)
        if isinstance(node, n.Not):
            operand = self.boolean(node.operand, here)

            def negate(env: Env, size: int, out: list[Pair]) -> Pair:
                true, false = operand(env, size, out)
                return false, true

            return negate
        if isinstance(node, n.And | n.Or):
            parts = [self.boolean(o, here) for o in node.operands]
            conjunction = isinstance(node, n.And)

            def combine(env: Env, size: int, out: list[Pair]) -> Pair:
                pairs = [part(env, size, out) for part in parts]
                true, false = pairs[0][0].copy(), pairs[0][1].copy()
                for t, f in pairs[1:]:
                    if conjunction:
                        true &= t
                        false |= f
                    else:
                        true |= t
                        false &= f
                return true, false

            return combine
        if isinstance(node, n.AtLeast):
            parts = [self.boolean(o, here) for o in node.operands]
            count = node.count

            def at_least(env: Env, size: int, out: list[Pair]) -> Pair:
                true = np.zeros(size, dtype=np.int32)
                unknown = np.zeros(size, dtype=np.int32)
                for part in parts:
                    t, f = part(env, size, out)
                    true += t
                    unknown += ~(t | f)
                return true >= count, true + unknown < count

            return at_least
        if isinstance(node, n.Compare):
            self._leaf_facts(node, here)
            return self._compare(node)
        if isinstance(node, n.In):
            self._leaf_facts(node, here)
            return self._membership(node)
        if isinstance(node, n.AnyIn):
            self._leaf_facts(node, here)
            return self._any_in(node)
        raise Unsupported(type(node).__name__)

    def value(self, node: n.Node) -> Callable[[Env, int], _Value]:
        if isinstance(node, n.Literal):
            constant = _Const(node.value)
            return lambda env, size: constant
        if isinstance(node, n.Fact):
            name = node.name
            kind = self.kinds[name]
            return lambda env, size: env.get(name) or unknown_column(kind, size)
        raise Unsupported(type(node).__name__)

    def _compare(self, node: n.Compare) -> Step:
        left, right = self.value(node.left), self.value(node.right)
        python = _NUMPY_COMPARE[node.op]
        arrow = _ARROW_COMPARE[node.op]

        def compare(env: Env, size: int, out: list[Pair]) -> Pair:
            a, b = left(env, size), right(env, size)
            if isinstance(a, _Const) and isinstance(b, _Const):
                return _constant(python(a.value, b.value), size)
            known = np.ones(size, dtype=bool)
            operands: list[Any] = []
            textual = False
            for side in (a, b):
                if isinstance(side, _Const):
                    operands.append(side.value)
                else:
                    known = known & side.known
                    operands.append(side.data)
                    textual = textual or side.kind == "enum"
            if textual:
                result = _arrow_mask(arrow(*operands))
            else:
                result = np.asarray(python(operands[0], operands[1]), dtype=bool)
            return _split(result, known)

        return compare

    def _membership(self, node: n.In) -> Step:
        item = self.value(node.item)
        negated = node.negated
        if isinstance(node.container, n.ListLiteral):
            values = list(node.container.values)

            def in_list(env: Env, size: int, out: list[Pair]) -> Pair:
                a = item(env, size)
                if isinstance(a, _Const):
                    return _constant((a.value in values) != negated, size)
                if a.kind == "enum":
                    result = _arrow_mask(pc.is_in(a.data, value_set=pa.array(values, pa.string())))
                else:
                    result = np.isin(a.data, np.asarray(values))
                return _split(result != negated, a.known)

            return in_list
        container = self.value(node.container)

        def in_set(env: Env, size: int, out: list[Pair]) -> Pair:
            a, c = item(env, size), container(env, size)
            assert isinstance(c, Column)
            flat = c.data.flatten()
            if isinstance(a, _Const):
                hit = pc.equal(flat, pa.scalar(a.value, pa.string()))
                known = c.known
            else:
                parents = pc.list_parent_indices(c.data)
                hit = pc.equal(flat, a.data.take(parents))
                known = c.known & a.known
            return _split(_rows_with(c, hit, size) != negated, known)

        return in_set

    def _any_in(self, node: n.AnyIn) -> Step:
        container = self.value(node.container)
        wanted = pa.array(list(node.values.values), pa.string())

        def any_in(env: Env, size: int, out: list[Pair]) -> Pair:
            c = container(env, size)
            assert isinstance(c, Column)
            hit = pc.is_in(c.data.flatten(), value_set=wanted)
            return _split(_rows_with(c, hit, size), c.known)

        return any_in


# -- row-by-row evaluation of what the vector compiler does not express ------------------------------
def row_envs(env: Env, facts: Iterable[str], rows: npt.NDArray[np.intp]) -> list[dict[str, Any]]:
    """One native-engine environment per row (only the given facts, only the known values)."""
    envs: list[dict[str, Any]] = [{} for _ in range(len(rows))]
    for fact in facts:
        column = env.get(fact)
        if column is None:
            continue
        for target, value in zip(envs, column.python(rows), strict=True):
            if value is not None:
                target[fact] = value
    return envs


def _reads_known(env: Env, facts: Iterable[str], size: int) -> Mask:
    known = np.zeros(size, dtype=bool)
    for fact in facts:
        column = env.get(fact)
        if column is not None:
            known |= column.known
    return known


def _row_by_row(evaluate: Callable[[dict[str, Any]], Any], facts: Sequence[str], env: Env, size: int) -> Pair:
    """Kleene pair of ``evaluate`` over each row: the value with no facts where none is known."""
    true, false = _constant(_idle(evaluate), size)
    rows = np.flatnonzero(_reads_known(env, facts, size))
    if len(rows):
        values = [evaluate(e) for e in row_envs(env, facts, rows)]
        true[rows] = [v is True for v in values]
        false[rows] = [v is False for v in values]
    return true, false


def _idle(evaluate: Callable[[dict[str, Any]], Any]) -> Any:
    return evaluate({})


# -- a standard over a batch -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UnitPlan:
    unit: CompiledRule
    applies: VectorExpr | None
    condition: VectorExpr | None  # None: evaluated row by row
    reads: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DerivationPlan:
    derivation: CompiledDerivation
    when: VectorExpr | None  # None: evaluated row by row


@dataclass(slots=True)
class StandardPlan:
    standard: CompiledStandard
    units: tuple[UnitPlan, ...]
    derivations: tuple[DerivationPlan, ...]
    vector: bool  # every condition and derivation is evaluated column-wise
    by_derived: dict[str, tuple[DerivationPlan, ...]] = field(default_factory=dict)


def plan(standard: CompiledStandard, units: Sequence[CompiledRule], kinds: Mapping[str, str]) -> StandardPlan:
    """Compile the units' conditions and the standard's derivations (once per standard and units)."""

    def vector(expr: CompiledExpr) -> VectorExpr | None:
        try:
            return compile_vector(expr, kinds)
        except Unsupported:
            return None

    derivations = []
    for derivation in standard.derivations:
        if kinds.get(derivation.spec.derives) not in ("bool", "number", "enum"):
            raise Unsupported(f"derivation {derivation.spec.id} sets a {kinds.get(derivation.spec.derives)}")
        derivations.append(DerivationPlan(derivation, vector(derivation.when)))
    unit_plans = []
    for unit in units:
        condition = vector(unit.condition)
        applies = vector(unit.applies) if unit.applies is not None else None
        if unit.applies is not None and applies is None:
            condition = None
        reads = dict.fromkeys(unit.condition.facts)
        if unit.applies is not None:
            reads.update(dict.fromkeys(unit.applies.facts))
        unit_plans.append(UnitPlan(unit, applies, condition, tuple(reads)))
    by_derived: dict[str, list[DerivationPlan]] = {}
    for step in derivations:
        by_derived.setdefault(step.derivation.spec.derives, []).append(step)
    every = all(u.condition is not None for u in unit_plans) and all(d.when is not None for d in derivations)
    return StandardPlan(
        standard,
        tuple(unit_plans),
        tuple(derivations),
        every,
        {fact: tuple(steps) for fact, steps in by_derived.items()},
    )


@dataclass(slots=True)
class UnitValues:
    plan: UnitPlan
    true: Mask
    false: Mask
    pairs: list[list[Pair]] | None  # applies' then condition's boolean nodes; None: row by row

    @property
    def unknown(self) -> Mask:
        return ~(self.true | self.false)


@dataclass(slots=True)
class BatchResult:
    """A standard over a batch: the environment after derivations, each unit's values, and the rows
    where a derivation contradicted a fact (their values are meaningless: report them as errors)."""

    plan: StandardPlan
    env: Env
    units: list[UnitValues]
    conflict: Mask
    size: int
    _whens: dict[int, Pair | None] = field(default_factory=dict)
    reading_set: dict[str, Mask] = field(default_factory=dict)  # fact → rows a documented reading set
    off: frozenset[str] = frozenset()  # documented readings switched off

    def derivation_pairs(self, step: DerivationPlan) -> list[Pair] | None:
        """A derivation's boolean nodes over the final environment (for missing facts)."""
        if step.when is None:
            return None
        out: list[Pair] = [(np.empty(0, bool), np.empty(0, bool))] * step.when.size
        step.when.evaluate(self.env, self.size, out)
        return out


def evaluate(plan: StandardPlan, given: Env, size: int, off: frozenset[str] = frozenset()) -> BatchResult:
    """Derive (except the derivations of the documented readings in ``off``), then evaluate every
    unit of the plan over the batch."""
    env = dict(given)
    conflict = np.zeros(size, dtype=bool)
    reading_set: dict[str, Mask] = {}
    for step in plan.derivations:
        spec = step.derivation.spec
        if off and spec.reading in off:
            continue
        if step.when is not None:
            fire, _ = step.when.evaluate(env, size, [_EMPTY] * step.when.size)
        else:
            when = step.derivation.when
            fire, _ = _row_by_row(when.evaluate, when.facts, env, size)
        if not fire.any():
            continue
        current = env.get(spec.derives)
        kind = "bool" if isinstance(spec.value, bool) else "enum" if isinstance(spec.value, str) else "number"
        if current is None:
            current = unknown_column(kind, size)
        clash = fire & current.known & ~_equals(current, spec.value)
        conflict |= clash
        setting = fire & ~current.known
        if setting.any():
            env[spec.derives] = _assign(current, setting, spec.value)
            if spec.reading is not None:
                reading_set[spec.derives] = (
                    reading_set.get(spec.derives, np.zeros(size, dtype=bool)) | setting
                )
    units: list[UnitValues] = []
    for unit_plan in plan.units:
        units.append(_unit_values(unit_plan, env, size))
    return BatchResult(plan, env, units, conflict, size, reading_set=reading_set, off=off)


_EMPTY: Pair = (np.empty(0, dtype=bool), np.empty(0, dtype=bool))


def _equals(column: Column, value: Any) -> Mask:
    if column.kind == "enum":
        return _arrow_mask(pc.equal(column.data, pa.scalar(value, pa.string())))
    return np.asarray(column.data == value, dtype=bool)


def _assign(column: Column, rows: Mask, value: Any) -> Column:
    known = column.known | rows
    if column.kind == "enum":
        data = pc.if_else(pa.array(rows), pa.scalar(value, pa.string()), column.data)
        return Column("enum", known, data)
    data = column.data
    if column.kind == "number" and isinstance(value, float) and data.dtype.kind != "f":
        data = data.astype(np.float64)
    else:
        data = data.copy()
    data[rows] = value
    return Column(column.kind, known, data)


def _unit_values(unit_plan: UnitPlan, env: Env, size: int) -> UnitValues:
    unit = unit_plan.unit
    if unit_plan.condition is None:
        true, false = _row_by_row(lambda e: rule_value(unit, e), unit_plan.reads, env, size)
        return UnitValues(unit_plan, true, false, None)
    pairs: list[list[Pair]] = []
    gate: Pair | None = None
    if unit_plan.applies is not None:
        out = [_EMPTY] * unit_plan.applies.size
        gate = unit_plan.applies.evaluate(env, size, out)
        pairs.append(out)
    out = [_EMPTY] * unit_plan.condition.size
    value = unit_plan.condition.evaluate(env, size, out)
    pairs.append(out)
    if gate is None:
        return UnitValues(unit_plan, value[0], value[1], pairs)
    # Kleene ``applies and condition``
    return UnitValues(unit_plan, gate[0] & value[0], gate[1] | value[1], pairs)
