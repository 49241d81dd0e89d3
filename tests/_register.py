"""Random findings over the whole shipped pack, for the summary and batch (columnar) property tests.

Three-valued (any subset of the facts the sector's rules read), with dates across the standards'
changes, sometimes facts of other sectors, listed installations or values that are wrong on purpose.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from hypothesis import strategies as st

import hazardrules

from ._strategies import fact_values

PACK = hazardrules.load_pack()
DAYS = [None, "2017-12-01", "2020-06-01", "2023-06-01", "2024-03-01", "2025-06-01", "2026-08-01"]


@functools.cache
def sector_facts(sector: str) -> tuple[str, ...]:
    """Every fact the rules of the sector read, on any day (conditions, applicability, derivations)."""
    read: set[str] = set()
    for standard in PACK.standards_for(sector):
        for rule in standard.by_sector.get(sector, ()):
            read |= rule.touch
            if rule.applies is not None:
                read.update(rule.applies.facts)
            read.update(f for c in rule.also_cites for f in c.when.facts)
        for route in standard.routes.values():
            read.update(route.when.facts)
    return tuple(sorted(read))


SECTORS = sorted(PACK.sectors)
READ_SECTORS = [s for s in SECTORS if sector_facts(s)]
ALL_FACTS = sorted(PACK.facts)


def wrong_value(name: str) -> st.SearchStrategy[Any]:
    kind = PACK.facts[name].type
    if kind == "bool":
        return st.sampled_from(["yes", 1])
    if kind in ("number", "integer"):
        return st.sampled_from([-(10**6), 10**16, "3", True])
    return st.sampled_from(["no-such-value", ["no-such-value"], 3])


@st.composite
def findings(draw: st.DrawFn, *, odd: bool = True, installations: bool = True) -> dict[str, Any]:
    """One finding; ``odd`` adds, now and then, what a register holds by mistake."""
    sector = draw(st.sampled_from(READ_SECTORS if draw(st.integers(0, 9)) else SECTORS))
    names = draw(st.lists(st.sampled_from(sector_facts(sector) or ALL_FACTS), unique=True, max_size=12))
    if odd and draw(st.integers(0, 5)) == 0:
        names += draw(st.lists(st.sampled_from(ALL_FACTS), unique=True, max_size=3))
    facts: dict[str, Any] = {}
    for name in dict.fromkeys(names):
        if odd and draw(st.integers(0, 40)) == 0:
            facts[name] = draw(wrong_value(name))
        else:
            facts[name] = draw(fact_values(PACK, name))
    finding: dict[str, Any] = {"sector": sector, "facts": facts}
    if draw(st.booleans()):
        finding["id"] = draw(st.text(min_size=1, max_size=8))
    day = draw(st.sampled_from(DAYS))
    if day is not None:
        finding["observed_on"] = day
    if installations and draw(st.integers(0, 7)) == 0:
        kinds = sorted(PACK.installation_kinds)
        kind = draw(st.sampled_from(kinds))
        own = [f for f, spec in PACK.facts.items() if spec.installation == kind]
        chosen = draw(st.lists(st.sampled_from(own), unique=True, max_size=4)) if own else []
        finding["installations"] = [
            {"id": f"{kind}-{i}", "kind": kind, "facts": {f: draw(fact_values(PACK, f)) for f in chosen}}
            for i in range(draw(st.integers(1, 2)))
        ]
    return finding


def today() -> dt.date:
    return dt.date.today()
