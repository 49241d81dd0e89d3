"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from hazardrules import Pack


def fact_values(pack: Pack, name: str, *, as_sets: bool = False) -> st.SearchStrategy[Any]:
    """Any valid value of fact ``name`` (within its declared range); set facts as JSON lists, or
    frozensets with ``as_sets``."""
    spec = pack.facts[name]
    if spec.type == "bool":
        return st.booleans()
    low = -5 if spec.minimum is None else max(-5, int(spec.minimum))
    high = 500 if spec.maximum is None else min(500, int(spec.maximum))
    if spec.type == "integer":
        return st.integers(low, high)
    if spec.type == "number":
        floats = st.floats(max(-1e4, low), min(1e4, high), allow_nan=False)
        return st.one_of(st.integers(low, high), floats)
    values = sorted(spec.values or {})
    if spec.type == "enum":
        return st.sampled_from(values)
    if as_sets:
        return st.frozensets(st.sampled_from(values))
    return st.lists(st.sampled_from(values), unique=True)
