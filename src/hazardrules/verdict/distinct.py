"""Rows of a register that describe the same finding, so that ``classify_table`` judges each once.

A register repeats itself: the same kind of hazard in the same sector is recorded again and again. Two
rows are the same finding when every cell is equal except the ``id`` and a text ``description``
(neither changes a summary verdict), and their days fall between the same two dates at which a
standard or a register document of the pack starts or stops being in force, on the same side of
today — so the same law governs every sector on both days. The grouping is exact: rows are hashed
cell by cell (only the cells that hold a value, so a wide, sparse register costs what it holds), and
every row is then compared with its group's first row; a row that differs (a hash collision) is a
group of its own.

Each group also gets a key that compares across tables (the cells as Python values), so that a
register read batch by batch, or split over Spark's executors, judges a finding already judged in an
earlier batch from memory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..pack.model import Pack
from . import arrow_columns as cols
from .finding import today

Rows = npt.NDArray[np.intp]
IGNORED_TEXT = ("id", "description")  # columns that do not change a summary when they hold text
_DATE = "observed_on"


@dataclass(frozen=True, slots=True)
class Distinct:
    """The distinct findings of a table."""

    first: Rows  # each distinct finding's first row
    inverse: Rows  # each row's distinct finding
    days: npt.NDArray[np.int64]  # each row's day (days since 1970): observed_on, else ``on``, else today
    records: list[dict[str, Any]] | None  # each distinct finding's cells (None: not worked out)
    keys: list[Hashable] | None  # each distinct finding's key, comparable across tables


@dataclass(frozen=True, slots=True)
class _Cells:
    name: str
    array: pa.Array
    rows: Rows  # the rows where the column holds a value (ascending)
    codes: npt.NDArray[np.int64] | None  # per such row, a code equal for equal values (in this table)

    @property
    def dense(self) -> bool:
        """A value on every row."""
        return len(self.rows) == len(self.array)


def distinct(table: pa.Table, pack: Pack, on: dt.date | None, *, records_up_to: int) -> Distinct:
    """Group the rows of ``table`` into distinct findings; the distinct findings' cells and keys are
    worked out only when there are at most ``records_up_to`` of them."""
    size = table.num_rows
    bad_date = np.zeros(size, dtype=bool)  # observed_on given but no date (classify refuses it)
    days = cols.row_days(table, on, bad_date)
    kind = table.column(_DATE).type if _DATE in table.column_names else None
    by_class = kind is not None and (cols.is_text(kind) or pa.types.is_date32(kind))
    cells: list[_Cells] = []  # every cell that holds a value (the records)
    hashed: list[_Cells] = []  # the cells that tell findings apart (a valid day counts by its class)
    for name in table.column_names:
        column = table.column(name)
        if name in IGNORED_TEXT and cols.is_text(column.type):
            continue
        array = cols.combined(column)
        rows = known_rows(array)
        if not len(rows):
            continue
        cells.append(_Cells(name, array, rows, None))
        if name == _DATE and by_class:
            rows = rows[bad_date[rows]]
            if not len(rows):
                continue
        hashed.append(_Cells(name, array, rows, _codes(array, rows)))
    classes = _day_classes(pack, days) if on is None else np.zeros(size, dtype=np.int64)
    digest = _mix(np.uint64(0x9E3779B97F4A7C15) + classes.astype(np.uint64))
    counts = np.zeros(size, dtype=np.int64)
    for number, found in enumerate(hashed):
        salt = np.uint64(number + 1) << np.uint64(32)
        mixed = _mix(salt ^ found.codes.astype(np.uint64))  # type: ignore[union-attr]
        if found.dense:
            digest += mixed
            counts += 1
        else:
            digest[found.rows] += mixed
            counts[found.rows] += 1
    _, first, inverse = np.unique(digest, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    first, inverse = _checked(first, inverse, hashed, counts, classes)
    records: list[dict[str, Any]] | None = None
    keys: list[Hashable] | None = None
    if len(first) <= records_up_to:
        exact = by_class is False
        records, keys = _records(table, first, cells, classes, bad_date | exact, on)
    return Distinct(first, inverse, days, records, keys)


def known_rows(array: pa.Array) -> Rows:
    """The rows where ``array`` holds a value, found from the validity bitmap's non-zero bytes (a
    sparse column of a million rows costs its values, not its length)."""
    size = len(array)
    nulls = array.null_count
    if nulls == 0:
        return np.arange(size, dtype=np.intp)
    if nulls == size:
        return np.zeros(0, dtype=np.intp)
    bitmap = array.buffers()[0]
    if bitmap is None or pa.types.is_dictionary(array.type) or array.offset % 8:
        return np.flatnonzero(cols.validity(array)).astype(np.intp)
    start = array.offset // 8
    raw = np.frombuffer(bitmap, dtype=np.uint8)[start : start + (size + 7) // 8]
    whole = len(raw) // 8 * 8
    # the non-zero 64-bit words first (a sparse column of a million rows is 15,625 words)
    words = np.flatnonzero(raw[:whole].view(np.uint64))
    busy = (words[:, None] * 8 + np.arange(8)).reshape(-1)
    busy = np.concatenate([busy[raw[busy] != 0], whole + np.flatnonzero(raw[whole:])])
    spread = np.unpackbits(raw[busy][:, None], axis=1, bitorder="little")
    which, bit = np.nonzero(spread)
    rows = busy[which] * 8 + bit
    return rows[rows < size].astype(np.intp)


def _codes(array: pa.Array, rows: Rows) -> npt.NDArray[np.int64]:
    """Per row of ``rows``, a code that is equal exactly when the values are equal (as classify reads
    them: a value's type counts, so 1 and 1.0 differ)."""
    kind = array.type
    if pa.types.is_boolean(kind):
        values = np.frombuffer(array.buffers()[1], dtype=np.uint8)
        at = rows + array.offset
        bit = (values[at >> 3] >> (at & 7).astype(np.uint8)) & 1
        return np.asarray(bit, dtype=np.int64)
    if (pa.types.is_integer(kind) or pa.types.is_floating(kind)) and not pa.types.is_float16(kind):
        values = cols.numbers(array, np.dtype(kind.to_pandas_dtype()).type)[rows]
        if pa.types.is_floating(kind):
            # -0.0 and 0.0 are one number to every rule; the bits of NaN do not matter either
            values = np.where(np.isnan(values), np.nan, values + 0.0)
        inverse = np.unique(values, return_inverse=True)[1]
        return np.asarray(inverse, dtype=np.int64).reshape(-1)
    taken = array.take(pa.array(rows))
    if pa.types.is_dictionary(kind):
        taken = taken.dictionary_decode()
    if cols.is_text(taken.type) or pa.types.is_binary(taken.type) or pa.types.is_large_binary(taken.type):
        encoded = pc.dictionary_encode(taken)
        return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    if _is_text_list(taken.type):
        return _list_codes(taken)
    seen: dict[str, int] = {}
    out = np.empty(len(rows), dtype=np.int64)
    for position, value in enumerate(taken.to_pylist()):
        text = json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)
        out[position] = seen.setdefault(text, len(seen))
    return out


def _is_text_list(kind: pa.DataType) -> bool:
    return (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and cols.is_text(kind.value_type)


def _list_codes(lists: pa.Array) -> npt.NDArray[np.int64]:
    """Codes of lists of text, equal exactly when the lists are: each item escaped (a backslash
    doubled, NUL and a null item written with a backslash), joined with NUL, and the list's length."""
    items = lists.flatten().cast(pa.string())
    items = pc.replace_substring(items, "\\", "\\\\")
    items = pc.replace_substring(items, "\0", "\\0")
    items = pc.fill_null(items, "\\N")
    rebuilt = pa.ListArray.from_arrays(
        pc.subtract(lists.offsets, lists.offsets[0]).cast(pa.int32()), items
    )
    joined = pc.binary_join(rebuilt, "\0")
    text = np.asarray(pc.dictionary_encode(joined).indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    lengths = np.asarray(pc.list_value_length(lists).to_numpy(zero_copy_only=False), dtype=np.int64)
    pairs = text * (int(lengths.max(initial=0)) + 1) + lengths
    return np.asarray(np.unique(pairs, return_inverse=True)[1], dtype=np.int64).reshape(-1)


def _mix(values: npt.NDArray[np.uint64] | np.uint64) -> Any:
    """A 64-bit mixing function (splitmix64's finaliser), element-wise; wraps around by design."""
    with np.errstate(over="ignore"):
        x = np.asarray(values, dtype=np.uint64)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _day_classes(pack: Pack, days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Per row, which stretch between the pack's dates of change (and today) its day falls in."""
    return np.searchsorted(_changes(pack), days, side="right").astype(np.int64)


_CHANGES: dict[tuple[int, dt.date], tuple[Pack, npt.NDArray[np.int64]]] = {}


def _changes(pack: Pack) -> npt.NDArray[np.int64]:
    """Every day on which some standard or register document of the pack starts or stops being in
    force, and tomorrow (a day after today is judged with a warning): between two of them, every
    sector is governed by the same law."""
    now = today()
    key = (id(pack), now)
    found = _CHANGES.get(key)
    if found is not None and found[0] is pack:
        return found[1]
    dates: set[dt.date] = {now + dt.timedelta(days=1)}
    for standard in pack.standards.values():
        meta = standard.meta
        dates.update(d for d in (meta.published, meta.effective, meta.ends) if d is not None)
    for document in pack.register.values():
        dates.update(d for d in (document.published, document.effective, document.ends) if d is not None)
    changes = np.asarray(sorted((d - cols.EPOCH).days for d in dates), dtype=np.int64)
    if len(_CHANGES) > 8:
        _CHANGES.clear()
    _CHANGES[key] = (pack, changes)
    return changes


def _checked(
    first: Rows,
    inverse: Rows,
    cells: list[_Cells],
    counts: npt.NDArray[np.int64],
    classes: npt.NDArray[np.int64],
) -> tuple[Rows, Rows]:
    """Compare every row with its group's first row, cell by cell; a row that differs (two findings
    with one hash) becomes a group of its own."""
    leader = first[inverse]
    wrong = (counts != counts[leader]) | (classes != classes[leader])
    for found in cells:
        rows, codes = found.rows, found.codes
        assert codes is not None
        if found.dense:
            wrong |= codes[leader] != codes
            continue
        theirs = leader[rows]
        at = np.minimum(np.searchsorted(rows, theirs), len(rows) - 1)
        same = (rows[at] == theirs) & (codes[at] == codes)
        wrong[rows[~same]] = True
    if not wrong.any():
        return first.astype(np.intp), inverse.astype(np.intp)
    alone = np.flatnonzero(wrong)
    inverse = inverse.copy()
    inverse[alone] = len(first) + np.arange(len(alone))
    return np.concatenate([first, alone]).astype(np.intp), inverse.astype(np.intp)


def _records(
    table: pa.Table,
    first: Rows,
    cells: list[_Cells],
    classes: npt.NDArray[np.int64],
    exact_day: npt.NDArray[np.bool_] | bool,
    on: dt.date | None,
) -> tuple[list[dict[str, Any]], list[Hashable]]:
    """Each distinct finding's cells (its first row as ``Table.to_pylist`` gives it, nulls left out)
    and a key that compares across tables (a day that is a date counts by its class)."""
    group_of = np.full(table.num_rows, -1, dtype=np.int64)
    group_of[first] = np.arange(len(first))
    records: list[dict[str, Any]] = [{} for _ in first]
    typed: list[list[tuple[str, str, Hashable]]] = [[] for _ in first]
    exact = np.broadcast_to(np.asarray(exact_day, dtype=bool), (table.num_rows,))
    for found in cells:
        leaders = found.rows[group_of[found.rows] >= 0]
        if not len(leaders):
            continue
        values = found.array.take(pa.array(leaders)).to_pylist()
        type_name = str(found.array.type)
        counted = exact[leaders].tolist() if found.name == _DATE else [True] * len(leaders)
        for group, value, keyed in zip(group_of[leaders].tolist(), values, counted, strict=True):
            records[group][found.name] = value
            if keyed:
                typed[group].append((found.name, type_name, _hashable(value)))
    when = (today(), on)
    keys: list[Hashable] = [
        (when, int(classes[row]), tuple(sorted(typed[number], key=lambda item: item[0])))
        for number, row in enumerate(first.tolist())
    ]
    return records, keys


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    if isinstance(value, float) and value != value:
        return "nan"
    return value  # type: ignore[no-any-return]
