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

from hazardrules.verdict.distinct import _coded, _groups, _values, known_rows  # noqa: E402

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
    assert sorted(known_rows(array).tolist()) == expected.tolist()


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
    codes = _coded(array, rows)[0].tolist()
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            assert (codes[i] == codes[j]) == same(a, b), (a, b)


@given(st.lists(st.integers(0, 5), max_size=200))
def test_groups_are_the_equal_digests_numbered_by_first_row(digests: list[int]) -> None:
    digest = np.asarray(digests, dtype=np.uint64)
    first, inverse = _groups(digest)
    assert first.tolist() == sorted(first.tolist())  # each group's first row, in order
    for row, group in enumerate(inverse.tolist()):
        assert digests[first[group]] == digests[row]
        assert first[group] == digests.index(digests[row])


@settings(max_examples=100)
@given(
    st.sampled_from(["bool", "int", "float", "text", "set"]).flatmap(
        lambda k: st.tuples(st.just(k), st.lists(st.none() | KINDS[k][0], max_size=20), st.integers(0, 9))
    )
)
def test_leader_values_are_what_to_pylist_gives(drawn: tuple[str, list[Any], int]) -> None:
    kind, values, offset = drawn
    array = pa.array([None] * offset + values, KINDS[kind][1]).slice(offset)
    rows = known_rows(array)
    expected = [array[int(r)].as_py() for r in rows]
    assert all(same(a, b) for a, b in zip(_values(array, rows), expected, strict=True))


def test_groups_do_not_rely_on_arrows_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were Arrow's hash table to number the digests in another order, numpy's sort takes over."""
    import pyarrow.compute as pc

    real = pc.dictionary_encode

    def renumbered(array: Any, **options: Any) -> Any:
        encoded = real(array, **options)
        indices = encoded.indices.to_numpy()
        return pa.DictionaryArray.from_arrays(pa.array(indices.max() - indices), encoded.dictionary[::-1])

    monkeypatch.setattr(pc, "dictionary_encode", renumbered)
    digests = [3, 1, 3, 2, 1, 1, 4]
    first, inverse = _groups(np.asarray(digests, dtype=np.uint64))
    assert sorted(first.tolist()) == [0, 1, 3, 6]
    assert all(digests[first[g]] == digests[r] for r, g in enumerate(inverse.tolist()))


@settings(max_examples=100)
@given(
    st.sampled_from([4, 20]).flatmap(  # lists of 20 items do not fit in one number: the grid of items
        lambda longest: st.lists(st.lists(st.none() | TEXT, max_size=longest), min_size=1, max_size=12)
    )
)
def test_long_lists_are_coded_alike(values: list[list[Any]]) -> None:
    """The three ways of coding lists of text (as one number, as a grid of item codes, as the items'
    text joined) tell the same lists apart."""
    from hazardrules.verdict.distinct import _joined_list_codes, _list_codes

    array = pa.array([["x", None], *values], pa.list_(pa.string())).slice(1)  # offsets not from 0
    grid, joined = _list_codes(array).tolist(), _joined_list_codes(array).tolist()
    for i in range(len(values)):
        for j in range(len(values)):
            assert (grid[i] == grid[j]) == (joined[i] == joined[j]) == (values[i] == values[j])


@given(st.lists(st.none() | st.booleans(), max_size=300), st.integers(0, 70))
def test_boolean_cells_are_read_with_their_values(values: list[bool | None], offset: int) -> None:
    """Rows and values of boolean columns, read from their bitmaps word by word,
    whatever the length and the slice's offset."""
    from hazardrules.verdict.distinct import _held

    whole = pa.array([True] * offset + values, pa.bool_()).slice(offset)
    arrays = [whole, whole.slice(len(values) // 2), pa.array(values[::-1], pa.bool_())]
    for array, (rows, bits) in zip(arrays, _held(arrays), strict=True):
        expected = {i: v for i, v in enumerate(array.to_pylist()) if v is not None}
        assert bits is not None
        assert dict(zip(rows.tolist(), bits.astype(bool).tolist(), strict=True)) == expected
        assert len(rows) == len(expected)


@settings(max_examples=100)
@given(
    st.integers(1, 300).flatmap(
        lambda size: st.lists(
            st.sampled_from(["bool", "int", "text"]).flatmap(
                lambda k: st.tuples(
                    st.just(k), st.lists(st.none() | KINDS[k][0], min_size=size, max_size=size)
                )
            ),
            min_size=1,
            max_size=6,
        )
    )
)
def test_bitmaps_read_together_are_read_as_one_by_one(columns: list[tuple[str, list[Any]]]) -> None:
    """A short table's columns, their bitmaps read side by side, give each column's rows (and a
    boolean column's values) as reading it alone does."""
    from hazardrules.verdict.distinct import _bits, _held

    arrays = [pa.array(values, KINDS[kind][1]) for kind, values in columns]
    for array, (rows, bits) in zip(arrays, _held(arrays), strict=True):
        assert sorted(rows.tolist()) == sorted(known_rows(array).tolist())
        if pa.types.is_boolean(array.type):
            assert bits is not None and bits.tolist() == _bits(array, rows).tolist()
        else:
            assert bits is None


def _row_keys(table: Any, keys_up_to: int = 1_000) -> list[Any]:
    """Each row's key for the memory of findings."""
    import hazardrules
    from hazardrules.verdict.distinct import distinct

    groups = distinct(table, hazardrules.load_pack(), None, keys_up_to=keys_up_to)
    assert groups.keys is not None
    return [groups.keys[g] for g in groups.inverse.tolist()]


@settings(max_examples=200, deadline=None)  # the first loads the pack
@given(
    st.sampled_from(sorted(KINDS)).flatmap(
        lambda k: st.tuples(st.just(k), st.lists(st.none() | KINDS[k][0], min_size=2, max_size=12))
    ),
    st.data(),
)
def test_keys_across_tables_are_equal_exactly_when_cells_are(drawn: tuple[str, list[Any]], data: Any) -> None:
    """Two rows of two tables (a register's batches) get one key exactly when their cells are equal as
    Python values — the memory of findings never gives one finding another's verdict."""
    kind, values = drawn
    cut = data.draw(st.integers(1, len(values) - 1))
    first, second = values[:cut], values[cut:][::-1]
    dense = data.draw(st.booleans())  # a column without nulls is coded on its own
    first_table = pa.table({"sector": ["metallurgy"] * len(first), "x": pa.array(first, KINDS[kind][1])})
    second_table = pa.table({"x": pa.array(second, KINDS[kind][1]), "sector": ["metallurgy"] * len(second)})
    if dense:
        first_table = first_table.filter(pa.array([v is not None for v in first]))
        second_table = second_table.filter(pa.array([v is not None for v in second]))
        first, second = [v for v in first if v is not None], [v for v in second if v is not None]
    for a, key_a in zip(first, _row_keys(first_table), strict=True):
        for b, key_b in zip(second, _row_keys(second_table), strict=True):
            assert (key_a == key_b) == same(a, b), (a, b)


def test_keys_tell_column_types_apart() -> None:
    """1 and 1.0, a text and a dictionary-coded text: other columns, other keys."""
    keys = [
        _row_keys(pa.table({"x": pa.array(column)}))[0]
        for column in (
            [1],
            [1.0],
            [True],
            pa.array(["1"]),
            pa.array(["1"]).dictionary_encode(),
            pa.array([["1"]]),
        )
    ]
    assert len(set(keys)) == len(keys)
    assert _row_keys(pa.table({"y": [1]}))[0] != keys[0]  # another column, the same value


def test_a_full_codebook_starts_another_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    """A codebook that has grown too large is replaced; keys made with the old one never equal keys
    made with the new one, though the new one numbers values from the start again."""
    from hazardrules.verdict import distinct

    table = pa.table({"x": ["a", "b", "a"]})
    before = _row_keys(table)
    monkeypatch.setattr(distinct._Codebook, "SIZE", 0)
    after = _row_keys(pa.table({"x": ["b", "a"]}))
    assert before[0] == before[2] != before[1]
    assert not set(before) & set(after)
    assert _row_keys(pa.table({"x": ["b", "a"]})) != after  # full again: yet another generation


def _row(table: Any, row: int) -> tuple[Any, ...]:
    """A row's cells as values that compare as classify reads them (NaN equal to NaN, -0.0 to 0.0)."""
    return tuple(
        ("nan" if v != v else v + 0.0) if isinstance(v, float) else v
        for v in (table.column(n)[row].as_py() for n in table.column_names)
    )


@settings(max_examples=150, deadline=None)  # the first loads the pack
@given(
    st.integers(1, 200).flatmap(
        lambda size: st.lists(
            st.sampled_from(["bool", "int", "float", "text", "set"]).flatmap(
                lambda k: st.tuples(
                    st.just(k), st.lists(st.none() | KINDS[k][0], min_size=size, max_size=size)
                )
            ),
            min_size=1,
            max_size=8,
        )
    ),
    st.integers(0, 9),
    st.booleans(),
)
def test_blocks_of_any_size_group_alike(columns: list[tuple[str, list[Any]]], cut: int, large: bool) -> None:
    """Rows share a group exactly when their cells are equal, whether the columns are read, hashed
    and checked all at once or a column at a time; a slice of a table (offsets into its buffers) and
    text of either width alike; and every row's key is the same either way."""
    import hazardrules
    from hazardrules.verdict import distinct

    pack = hazardrules.load_pack()
    size = len(columns[0][1])
    cells = {"sector": pa.array(["metallurgy"] * size)}
    for number, (kind, values) in enumerate(columns):
        kind_of = pa.large_string() if kind == "text" and large else KINDS[kind][1]
        cells[f"c{number}"] = pa.array(values, kind_of)
    table = pa.table(cells).slice(min(cut, size - 1))
    whole = distinct.distinct(table, pack, None, keys_up_to=10**6)
    with pytest.MonkeyPatch.context() as patch:
        for name in ("BITMAPS_AT_ONCE", "CELLS_AT_ONCE", "CHECKED_AT_ONCE"):
            patch.setattr(distinct, name, 1)
        small = distinct.distinct(table, pack, None, keys_up_to=10**6)
    assert whole.inverse.tolist() == small.inverse.tolist()
    assert whole.first.tolist() == small.first.tolist()
    assert whole.keys == small.keys
    rows = [_row(table, row) for row in range(table.num_rows)]
    group = whole.inverse.tolist()
    for i in range(len(rows)):
        for j in range(i + 1, min(len(rows), i + 30)):
            assert (group[i] == group[j]) == (rows[i] == rows[j]), (rows[i], rows[j])


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["text", "set"]),
    st.lists(st.lists(st.none() | KINDS["set"][0], min_size=1, max_size=10), min_size=1, max_size=4),
    st.integers(0, 3),
    st.booleans(),
)
def test_texts_and_lists_coded_together_are_equal_exactly_when_values_are(
    kind: str, columns: list[list[Any]], cut: int, large: bool
) -> None:
    """Text and list-of-text columns coded at once (one dictionary for all of them): within a column,
    two cells get one code exactly when their values are equal, a slice's offsets and either width
    of text alike; and each code's dictionary entry is what the cell holds."""
    from hazardrules.verdict.distinct import _lists_coded, _texts_coded

    text = pa.large_string() if large else pa.string()
    arrays = []
    for values in columns:
        cells = [
            None if v is None else ("".join(x or "" for x in v) if kind == "text" else v) for v in values
        ]
        array = pa.array([None] * cut + cells, text if kind == "text" else pa.list_(text)).slice(cut)
        arrays.append(array)
    found = [(array, known_rows(array)) for array in arrays]
    coded = (_texts_coded if kind == "text" else _lists_coded)(found)
    for (array, rows), (codes, dictionary) in zip(found, coded, strict=True):
        held = array.take(pa.array(rows)).to_pylist()
        for i, a in enumerate(held):
            for j, b in enumerate(held):
                assert (codes[i] == codes[j]) == (a == b), (a, b)
        if kind == "text":
            assert dictionary.take(pa.array(codes.astype(np.int64))).to_pylist() == held


@settings(max_examples=150)
@given(
    st.integers(1, 80).flatmap(
        lambda size: st.tuples(
            st.lists(
                st.sampled_from(sorted(KINDS)).flatmap(
                    lambda k: st.tuples(
                        st.just(k), st.lists(st.none() | KINDS[k][0], min_size=size, max_size=size)
                    )
                ),
                min_size=1,
                max_size=6,
            ),
            st.integers(0, size - 1),
            st.lists(st.integers(0, size - 1), max_size=150),
            st.booleans(),
        )
    )
)
def test_row_records_are_the_rows_to_pylist_gives_without_nulls(
    drawn: tuple[list[tuple[str, list[Any]]], int, list[int], bool],
) -> None:
    """Rows read column by column (a wide register's routed rows, its chosen verdicts) are each row
    as ``to_pylist`` gives it, null cells left out, keys in the columns' order: from a slice, from
    columns in several chunks, dictionary-encoded text, rows asked for twice or out of order."""
    from hazardrules.verdict.distinct import row_records

    columns, offset, rows, chunked = drawn
    arrays: list[Any] = []
    for kind, values in columns:
        array = pa.array(values, KINDS[kind][1])
        if kind == "text" and offset % 2:
            array = array.dictionary_encode()
        arrays.append(pa.chunked_array([array[:offset], array[offset:]]) if chunked else array)
    names = [f"{kind}{number}" for number, (kind, _) in enumerate(columns)]
    table = pa.table(arrays, names=names)
    if not chunked:
        table = table.slice(offset)
        rows = [r for r in rows if r < table.num_rows]
    taken = table.take(pa.array(rows, pa.int64()))
    expected = [{k: v for k, v in row.items() if v is not None} for row in taken.to_pylist()]
    got = row_records(table, rows)
    assert [list(r) for r in got] == [list(r) for r in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert all(same(mine[k], theirs[k]) for k in theirs)


def test_row_records_of_rows_past_one_bitmap_word() -> None:
    """Past 64 rows a column's held rows come word by word, not in order; each value still goes to
    its own row."""
    from hazardrules.verdict.distinct import row_records

    size = 200
    table = pa.table(
        {
            "n": pa.array([None if i % 3 == 0 else i for i in range(size)], pa.int64()),
            "t": pa.array([None if i % 5 == 0 else f"v{i}" for i in range(size)], pa.string()),
            "b": pa.array([None if i % 7 == 0 else i % 2 == 0 for i in range(size)], pa.bool_()),
        }
    )
    rows = list(range(size - 1, -1, -2)) + list(range(size))
    expected = [{k: v for k, v in r.items() if v is not None} for r in table.take(rows).to_pylist()]
    assert row_records(table, rows) == expected
