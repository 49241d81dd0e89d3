"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from hazardrules import Pack


def fact_values(pack: Pack, name: str, *, as_sets: bool = False) -> st.SearchStrategy[Any]:
    """Any valid value of fact ``name``; set facts as JSON lists, or frozensets with ``as_sets``."""
    spec = pack.facts[name]
    if spec.type == "bool":
        return st.booleans()
    if spec.type == "integer":
        return st.integers(-5, 500)
    if spec.type == "number":
        return st.one_of(st.integers(-5, 500), st.floats(-1e4, 1e4, allow_nan=False))
    values = sorted(spec.values or {})
    if spec.type == "enum":
        return st.sampled_from(values)
    if as_sets:
        return st.frozensets(st.sampled_from(values))
    return st.lists(st.sampled_from(values), unique=True)
