"""Apply one standard to a prepared finding: the enterprise's rules once, each installation's rules
once per installation (enterprise facts + its own), through whichever engine was chosen.

A rule about a kind of installation holds when it holds for any installation of that kind, is decided
false only when it is false for every one, and is open otherwise. An installation of a narrower kind
(a boiler) meets the rules of the broader kind too (every special-equipment device). When the finding
lists no installation of a kind, that kind's rules are judged on the enterprise's facts alone (as
before installations existed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import NamedTuple

from ..engine.native import StandardResult, Value
from ..engine.native import evaluate as native_evaluate
from ..engine.registry import Engine, NativeEngine
from ..errors import FindingError
from ..pack.model import CompiledRule, CompiledStandard, Pack
from .finding import PreparedFinding, PreparedInstallation

# an installation, its result, and each unit's position in the result's values (by key)
PerInstallation = tuple[PreparedInstallation, StandardResult, dict[str, int]]


class Evaluated(NamedTuple):
    """One rule unit's value on one installation (or on the enterprise)."""

    unit: CompiledRule
    value: Value
    result: StandardResult  # the environment it was evaluated in (for explanations)
    installation: PreparedInstallation | None
    touched: bool  # a given fact can change it


_evaluated = tuple.__new__  # _evaluated(Evaluated, (…)): an Evaluated without the Python-level __new__


@dataclass(slots=True)
class Judgement:
    standard: CompiledStandard
    sector: str
    units: tuple[CompiledRule, ...]  # the units applied (a sector's tuple unless a selection)
    enterprise: StandardResult  # the enterprise's environment (routes, deferral)
    touched: set[int]  # positions in enterprise.values that a given enterprise fact can change
    given: AbstractSet[str]  # the enterprise facts given
    per_kind: dict[str, list[PerInstallation]] = field(default_factory=dict)
    sectors: tuple[str, ...] = ()  # every sector whose rules were applied (``sector`` is the first)
    reported: dict[bool, list[Evaluated]] = field(default_factory=dict)  # items(complete), once computed

    def items(self, complete: bool) -> list[Evaluated]:
        """The values a verdict reports: every one that holds, and the others that a given fact
        touches (all of them when ``complete``), in the rules' order, installations in order.

        Computed once per judgement and ``complete`` (the list is shared: do not change it)."""
        found = self.reported.get(complete)
        if found is None:
            found = self.reported[complete] = self._items(complete)
        return found

    def _items(self, complete: bool) -> list[Evaluated]:
        per_kind = self.per_kind
        touched = self.touched
        base = self.enterprise
        values = base.values
        plan, evaluated = base.plan, base.evaluated
        if complete or plan is None or evaluated is None:
            positions: Iterable[int] = range(len(values))
        else:
            # Only these positions can be reported: a value not computed is the rule's idle value, so
            # it holds only at idle_true; the rest are touched or of a kind that has installations.
            candidates = touched.union(evaluated, plan.idle_true)
            for kind in per_kind:
                candidates.update(plan.by_kind.get(kind, ()))
            positions = sorted(candidates)
        out: list[Evaluated] = []
        for position in positions:
            unit, value = values[position]
            installations = per_kind.get(unit.kind) if per_kind and unit.kind is not None else None
            if installations is None:
                if value is True or complete or position in touched:
                    out.append(
                        _evaluated(Evaluated, (unit, value, base, None, value is True or position in touched))
                    )
                continue
            enterprise_touch = not unit.touch.isdisjoint(self.given)
            for installation, result, at in installations:
                own = result.values[at[unit.key]][1]
                reached = enterprise_touch or not unit.touch.isdisjoint(installation.facts)
                if own is True or complete or reached:
                    out.append(_evaluated(Evaluated, (unit, own, result, installation, reached)))
        return out


_UNION: dict[tuple[int, tuple[str, ...]], tuple[CompiledStandard, tuple[CompiledRule, ...]]] = {}


def _units(standard: CompiledStandard, sectors: tuple[str, ...]) -> tuple[CompiledRule, ...]:
    """The standard's rule units for the sectors: one sector's own tuple (the engines keep plans for
    it), or the union for several, each unit once in the order of the standard's text."""
    if len(sectors) == 1:
        return standard.by_sector.get(sectors[0], ())
    key = (id(standard), sectors)
    found = _UNION.get(key)
    if found is not None and found[0] is standard:
        return found[1]
    chosen: dict[str, CompiledRule] = {}
    for sector in sectors:
        for unit in standard.by_sector.get(sector, ()):
            chosen.setdefault(unit.key, unit)
    union = tuple(sorted(chosen.values(), key=lambda u: (u.order, u.key)))
    if len(_UNION) > 256:
        _UNION.clear()
    _UNION[key] = (standard, union)
    return union


_PARTS: dict[tuple[int, object], tuple[tuple[CompiledRule, ...], tuple[CompiledRule, ...]]] = {}


def _part(
    units: tuple[CompiledRule, ...], key: object, keep: Callable[[CompiledRule], bool]
) -> tuple[CompiledRule, ...]:
    """The units that ``keep`` keeps, as the same tuple every time for the same (units, key): the
    engine keeps a plan per tuple."""
    found = _PARTS.get((id(units), key))
    if found is not None and found[0] is units:
        return found[1]
    part = tuple(u for u in units if keep(u))
    if len(_PARTS) > 4096:
        _PARTS.clear()
    _PARTS[(id(units), key)] = (units, part)
    return part


_POSITIONS: dict[int, tuple[tuple[CompiledRule, ...], dict[str, int]]] = {}


def _positions(units: tuple[CompiledRule, ...]) -> dict[str, int]:
    """Each unit's position in ``units``, by key (kept per tuple)."""
    found = _POSITIONS.get(id(units))
    if found is None or found[0] is not units:
        if len(_POSITIONS) > 4096:
            _POSITIONS.clear()
        found = _POSITIONS[id(units)] = (units, {unit.key: i for i, unit in enumerate(units)})
    return found[1]


_LINEAGES: dict[tuple[int, str], tuple[Pack, tuple[str, ...]]] = {}


def _lineage(pack: Pack, kind: str) -> tuple[str, ...]:
    found = _LINEAGES.get((id(pack), kind))
    if found is None or found[0] is not pack:
        if len(_LINEAGES) > 4096:
            _LINEAGES.clear()
        found = _LINEAGES[(id(pack), kind)] = (pack, pack.kind_lineage(kind))
    return found[1]


def _chosen(units: tuple[CompiledRule, ...], chosen: Callable[[str], bool]) -> tuple[CompiledRule, ...]:
    """The units a selection keeps (a selector is kept per (pack, select, ignore), so it can key them)."""
    return _part(units, chosen, lambda u: chosen(u.id))


def _of_kinds(units: tuple[CompiledRule, ...], lineage: tuple[str, ...]) -> tuple[CompiledRule, ...]:
    return _part(units, lineage, lambda u: u.kind in lineage)


class Judge:
    def __init__(
        self,
        pack: Pack,
        engine: Engine,
        prepared: PreparedFinding,
        chosen: Callable[[str], bool] | None,
        off: frozenset[str] = frozenset(),
    ) -> None:
        self.pack = pack
        self.engine = engine
        self.prepared = prepared
        self.chosen = chosen
        self.given = prepared.facts.keys()  # a set-like view of the enterprise facts given
        self.off = off  # documented readings switched off
        self._evaluate = engine.evaluate
        self.env = prepared.env  # the enterprise's environment, made once
        self._native = isinstance(engine, NativeEngine)  # called directly, without the interface's layer

    def evaluate(
        self, standard: CompiledStandard, units: tuple[CompiledRule, ...], facts: dict[str, object]
    ) -> StandardResult:
        try:
            if self._native:
                return native_evaluate(standard, units, facts, self.off)
            if self.off:
                return self._evaluate(self.pack, standard, units, facts, self.off)
            return self._evaluate(self.pack, standard, units, facts)
        except FindingError as exc:
            raise FindingError(exc.problems, self.prepared.finding.id) from None

    def apply(self, standard: CompiledStandard, sector: str | tuple[str, ...]) -> Judgement:
        """Judge the finding on the standard's rules for ``sector`` (or for each of several sectors)."""
        sectors = (sector,) if isinstance(sector, str) else sector
        units = _units(standard, sectors)
        sector = sectors[0]
        if self.chosen is not None:
            units = _chosen(units, self.chosen)
        enterprise = self.env
        if self._native:  # (as evaluate does, without its call)
            try:
                base = native_evaluate(standard, units, enterprise, self.off)
            except FindingError as exc:
                raise FindingError(exc.problems, self.prepared.finding.id) from None
        else:
            base = self.evaluate(standard, units, enterprise)
        judgement = Judgement(standard, sector, units, base, self._touched(base), self.given, {}, sectors, {})
        # Each installation meets the rules of its kind and of the broader kinds it is a case of.
        for installation in self.prepared.installations:
            lineage = _lineage(self.pack, installation.kind)
            own = _of_kinds(units, lineage)
            if not own:
                continue
            result = self.evaluate(standard, own, {**enterprise, **installation.facts})
            positions = _positions(own)
            for kind in lineage:
                judgement.per_kind.setdefault(kind, []).append((installation, result, positions))
        return judgement

    def _touched(self, base: StandardResult) -> set[int]:
        plan = base.plan
        if plan is not None:
            return set().union(*filter(None, map(plan.touched_by.get, self.given)))
        return {i for i, (unit, _) in enumerate(base.values) if not unit.touch.isdisjoint(self.given)}
