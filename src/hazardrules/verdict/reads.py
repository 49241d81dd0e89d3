"""What the rules applied to a sector read: facts and values of set facts (for the verdict's
warnings about input that no rule reads). Computed once per (standard, sector) and kept."""

from __future__ import annotations

from dataclasses import dataclass

from ..lang.reads import values_read
from ..pack.model import CompiledRule, CompiledStandard, Pack
from .judge import Judgement


@dataclass(frozen=True, slots=True)
class Reads:
    facts: frozenset[str]
    values: dict[str, frozenset[str] | None]  # set fact → values read (None: any)


# the units are the sector's own tuple (None) or a selection of it, by keys (an empty selection is ())
_CACHE: dict[tuple[int, str, tuple[str, ...] | None], tuple[CompiledStandard, Reads]] = {}


def sector_reads(pack: Pack, judgement: Judgement) -> Reads:
    return unit_reads(pack, judgement.standard, judgement.sector, judgement.units)


def unit_reads(pack: Pack, standard: CompiledStandard, sector: str, units: tuple[CompiledRule, ...]) -> Reads:
    """What ``units`` of ``standard`` (applied to ``sector``) read, with its routes and derivations."""
    key = (
        id(standard),
        sector,
        tuple(u.key for u in units) if units is not standard.by_sector.get(sector) else None,
    )
    found = _CACHE.get(key)
    if found is not None and found[0] is standard:
        return found[1]
    facts: set[str] = set()
    for unit in units:
        facts |= unit.touch
    for route in standard.routes.values():
        facts.update(route.when.facts)
    pairs = [pair for unit in units for pair in unit.values_read]
    pairs += [pair for d in standard.derivations for pair in values_read([d.when.ast], pack.fact_types)]
    values: dict[str, frozenset[str] | None] = {}
    for fact, read in pairs:
        if fact in values and values[fact] is None:
            continue
        values[fact] = None if read is None else (values.get(fact) or frozenset()) | read
    result = Reads(frozenset(facts), values)
    if len(_CACHE) > 1024:
        _CACHE.clear()
    _CACHE[key] = (standard, result)
    return result
