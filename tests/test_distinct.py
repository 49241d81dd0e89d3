"""The exact grouping of a register's rows (``verdict.distinct``): the cells that hold values are found
from the validity bitmap, and two cells get one code exactly when their values are equal."""

from __future__ import annotations

import math
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hazardrules.verdict.distinct import _codes, known_rows  # noqa: E402

TEXT = st.text(alphabet=st.sampled_from(["a", "b", "\\", "N", "0", "\0", ","]), max_size=4)
KINDS = {
    "bool": (st.booleans(), pa.bool_()),
    "int": (st.integers(-(2**53), 2**53), pa.int64()),
    "float": (
        st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1.0]),
        pa.float64(),
    ),
    "text": (TEXT, pa.string()),
    "set": (st.lists(st.none() | TEXT, max_size=3), pa.list_(pa.string())),
    "struct": (st.fixed_dictionaries({"x": st.integers(0, 2)}), pa.struct([("x", pa.int64())])),
}


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


@given(st.lists(st.booleans(), max_size=300), st.integers(0, 70))
def test_known_rows_are_the_valid_ones(mask: list[bool], offset: int) -> None:
    array = pa.array(list(range(len(mask))), pa.int64(), mask=np.asarray(mask, dtype=bool))
    array = array.slice(min(offset, len(mask)))
    expected = np.flatnonzero(np.asarray(array.is_valid().to_pylist(), dtype=bool))
    assert known_rows(array).tolist() == expected.tolist()


@settings(max_examples=200)
@given(
    st.sampled_from(sorted(KINDS)).flatmap(
        lambda k: st.tuples(st.just(k), st.lists(KINDS[k][0], max_size=12))
    )
)
def test_codes_are_equal_exactly_when_values_are(drawn: tuple[str, list[Any]]) -> None:
    kind, values = drawn
    array = pa.array([None, *values], KINDS[kind][1]).slice(1)  # a slice: offsets count
    rows = np.arange(len(values), dtype=np.intp)
    codes = _codes(array, rows).tolist()
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            assert (codes[i] == codes[j]) == same(a, b), (a, b)
