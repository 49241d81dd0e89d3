"""Apply one standard to a prepared finding: the enterprise's rules once, each installation's rules
once per installation (enterprise facts + its own), through whichever engine was chosen.

A rule about a kind of installation holds when it holds for any installation of that kind, is decided
false only when it is false for every one, and is open otherwise. An installation of a narrower kind
(a boiler) meets the rules of the broader kind too (every special-equipment device). When the finding
lists no installation of a kind, that kind's rules are judged on the enterprise's facts alone (as
before installations existed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..engine.native import StandardResult, Value
from ..engine.registry import Engine
from ..errors import FindingError
from ..pack.model import CompiledRule, CompiledStandard, Pack
from .finding import PreparedFinding, PreparedInstallation


@dataclass(frozen=True, slots=True)
class Evaluated:
    """One rule unit's value on one installation (or on the enterprise)."""

    unit: CompiledRule
    value: Value
    result: StandardResult  # the environment it was evaluated in (for explanations)
    installation: PreparedInstallation | None
    touched: bool  # a given fact can change it


@dataclass(slots=True)
class Judgement:
    standard: CompiledStandard
    sector: str
    enterprise: StandardResult  # the enterprise's environment (routes, deferral)
    evaluated: list[Evaluated]


class Judge:
    def __init__(
        self,
        pack: Pack,
        engine: Engine,
        prepared: PreparedFinding,
        chosen: Callable[[str], bool] | None,
    ) -> None:
        self.pack = pack
        self.engine = engine
        self.prepared = prepared
        self.chosen = chosen
        self.given = frozenset(prepared.facts)

    def evaluate(
        self, standard: CompiledStandard, units: tuple[CompiledRule, ...], facts: dict[str, object]
    ) -> StandardResult:
        try:
            return self.engine.evaluate(self.pack, standard, units, facts)
        except FindingError as exc:
            raise FindingError(exc.problems, self.prepared.finding.id) from None

    def apply(self, standard: CompiledStandard, sector: str) -> Judgement:
        units = standard.by_sector.get(sector, ())
        if self.chosen is not None:
            units = tuple(u for u in units if self.chosen(u.id))
        enterprise = self.prepared.env
        base = self.evaluate(standard, units, enterprise)
        # Each installation meets the rules of its kind and of the broader kinds it is a case of.
        per_kind: dict[str, list[tuple[PreparedInstallation, StandardResult, dict[str, Value]]]] = {}
        for installation in self.prepared.installations:
            lineage = self.pack.kind_lineage(installation.kind)
            own = tuple(u for u in units if u.kind in lineage)
            if not own:
                continue
            result = self.evaluate(standard, own, {**enterprise, **installation.facts})
            values = {unit.key: value for unit, value in result.values}
            for kind in lineage:
                per_kind.setdefault(kind, []).append((installation, result, values))
        touched_base = self._touched_positions(base)
        evaluated: list[Evaluated] = []
        for position, (unit, value) in enumerate(base.values):
            if unit.kind in per_kind:
                for installation, result, values in per_kind[unit.kind]:
                    touched = not unit.touch.isdisjoint(self.given) or not unit.touch.isdisjoint(
                        installation.facts
                    )
                    evaluated.append(Evaluated(unit, values[unit.key], result, installation, touched))
            else:
                evaluated.append(Evaluated(unit, value, base, None, position in touched_base))
        return Judgement(standard, sector, base, evaluated)

    def _touched_positions(self, base: StandardResult) -> set[int]:
        plan = base.plan
        if plan is not None:
            touched: set[int] = set()
            for fact in self.given:
                positions = plan.touched_by.get(fact)
                if positions is not None:
                    touched.update(positions)
            return touched
        return {i for i, (unit, _) in enumerate(base.values) if not unit.touch.isdisjoint(self.given)}
