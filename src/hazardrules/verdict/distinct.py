"""Rows of a register that describe the same finding, so that ``classify_table`` judges each once.

A register repeats itself: the same kind of hazard in the same sector is recorded again and again. Two
rows are the same finding when every cell is equal except the ``id`` and a text ``description``
(neither changes a summary verdict), and their days fall between the same two dates at which a
standard or a register document of the pack starts or stops being in force, on the same side of
today — so the same law governs every sector on both days. The grouping is exact: rows are hashed
cell by cell (only the cells that hold a value, so a wide, sparse register costs what it holds), and
every row is then compared with its group's first row; a row that differs (a hash collision) is a
group of its own.

Each group also gets a key that compares across tables, so that a register read batch by batch, or
split over Spark's executors, judges a finding already judged in an earlier batch from memory: its
cells as pairs of codes — the column (its name and type) and the value — that mean the same in every
table of the process (``_Codebook``), equal exactly when the cells are equal as Python values.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
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
    keys: list[bytes] | None  # each distinct finding's key, the same in every table (None: not worked out)
    sizes: npt.NDArray[np.int64]  # each distinct finding's number of cells that tell findings apart
    cells: tuple[_Cells, ...]  # every cell that holds a value, column by column

    def records(self, numbers: Sequence[int]) -> list[dict[str, Any]]:
        """The cells of the distinct findings ``numbers``: each one's first row as ``Table.to_pylist``
        gives it, nulls left out."""
        leaders_of = self.first[np.asarray(numbers, dtype=np.intp)]
        wanted = np.zeros(len(self.inverse), dtype=bool)  # a byte a row: cheaper to look up than place
        wanted[leaders_of] = True
        place = np.empty(len(self.inverse), dtype=np.int64)
        place[leaders_of] = np.arange(len(numbers))
        records: list[dict[str, Any]] = [{} for _ in numbers]
        for found in self.cells:
            leaders = found.rows[wanted[found.rows]]
            if len(leaders):
                name, values = found.name, _values(found.array, leaders)
                for position, value in zip(place[leaders].tolist(), values, strict=True):
                    records[position][name] = value
        return records


@dataclass(frozen=True, slots=True)
class _Cells:
    name: str
    array: pa.Array
    rows: Rows  # the rows where the column holds a value (in no particular order)
    codes: npt.NDArray[np.uint64] | None  # per such row, a code equal for equal values (in this table)
    values: pa.Array | None = None  # each code's value, where known (a text column's dictionary)
    dense: bool = field(init=False)  # a value on every row

    def __post_init__(self) -> None:
        object.__setattr__(self, "dense", len(self.rows) == len(self.array))


def distinct(table: pa.Table, pack: Pack, on: dt.date | None, *, keys_up_to: int) -> Distinct:
    """Group the rows of ``table`` into distinct findings; their keys are worked out only when there
    are at most ``keys_up_to`` of them."""
    size = table.num_rows
    bad_date = np.zeros(size, dtype=bool)  # observed_on given but no date (classify refuses it)
    days = cols.row_days(table, on, bad_date)
    kind = table.column(_DATE).type if _DATE in table.column_names else None
    by_class = kind is not None and (cols.is_text(kind) or pa.types.is_date32(kind))
    cells: list[_Cells] = []  # every cell that holds a value (the records)
    hashed: list[_Cells] = []  # the cells that tell findings apart (a valid day counts by its class)
    arrays: dict[str, pa.Array] = {}
    for name in table.column_names:
        column = table.column(name)
        if (name in IGNORED_TEXT and cols.is_text(column.type)) or column.null_count == len(column):
            continue
        arrays[name] = cols.combined(column)
    for (name, array), (rows, bools) in zip(arrays.items(), _held(list(arrays.values())), strict=True):
        if name == _DATE and by_class:
            cells.append(_Cells(name, array, rows, None))
            rows = rows[bad_date[rows]]
            if not len(rows):
                continue
            bools = None
        codes, values = (bools, None) if bools is not None else _coded(array, rows)
        hashed.append(_Cells(name, array, rows, codes, values))
        if name != _DATE or not by_class:
            cells.append(hashed[-1])
    classes = _day_classes(pack, days) if on is None else np.zeros(size, dtype=np.int64)
    # a row's digest: the sum of its cells' hashes (each cell's code offset by its column's salt)
    digest = classes.astype(np.uint64)
    digest += np.uint64(0x9E3779B97F4A7C15)
    digest = _mixed(digest)
    salts = _mix(np.arange(1, len(hashed) + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    counts = np.zeros(size, dtype=np.int64)
    sparse: list[_Cells] = []
    for found, salt in zip(hashed, salts, strict=True):
        assert found.codes is not None
        if found.dense:  # a value on every row (sector): added in place
            digest += _mixed(found.codes + salt)
            counts += 1
        else:
            sparse.append(found)
    rows = np.concatenate([found.rows for found in sparse]) if sparse else np.zeros(0, dtype=np.intp)
    salted = np.zeros(0, dtype=np.uint64)
    if sparse:
        salted = np.concatenate([found.codes for found in sparse])
        sparse_salts = salts[[number for number, found in enumerate(hashed) if not found.dense]]
        salted += np.repeat(sparse_salts, [len(found.rows) for found in sparse])
    np.add.at(digest, rows, _mix(salted))
    counts += np.bincount(rows, minlength=size)
    first, inverse = _groups(digest)
    if size > TOGETHER_UP_TO or not _alike(first, inverse, hashed, rows, salted, counts, classes):
        first, inverse = _checked(first, inverse, hashed, counts, classes)
    keys = _keys(first, hashed, salts, rows, salted, classes, on) if len(first) <= keys_up_to else None
    return Distinct(first, inverse, days, keys, counts[first], tuple(cells))


def known_rows(array: pa.Array) -> Rows:
    """The rows where ``array`` holds a value, in no particular order, found from the validity bitmap's
    non-zero 64-bit words (a sparse column of a million rows costs its values, not its length)."""
    size, nulls = len(array), array.null_count
    bitmap = array.buffers()[0] if nulls else None
    if bitmap is None or nulls == size or pa.types.is_dictionary(array.type) or array.offset % 8:
        return np.flatnonzero(cols.validity(array)).astype(np.intp)
    at, word = _words(np.frombuffer(bitmap, dtype=np.uint8)[array.offset // 8 :], size)
    found = [where * 64 + _position(low) for low, (where,) in _lowest_bits(word, at)]
    return np.concatenate(found).astype(np.intp) if len(found) != 1 else found[0].astype(np.intp)


TOGETHER_UP_TO = 131_072  # rows up to which every column's bitmap is read, and checked, in one pass


def _held(arrays: list[pa.Array]) -> list[tuple[Rows, npt.NDArray[np.uint64] | None]]:
    """For each array, the rows where it holds a value and, for a boolean array, its values there (0
    or 1). A short table's bitmaps are read all at once (a column then costs a copy of its bitmap,
    not a dozen numpy calls); a long table's column by column (small arrays that stay in the
    processor's cache, where a copy of every bitmap would not)."""
    out: list[tuple[Rows, npt.NDArray[np.uint64] | None]] = []
    together: dict[int, list[int]] = {}  # arrays read together, by length
    for number, array in enumerate(arrays):
        size, nulls = len(array), array.null_count
        plain = not pa.types.is_dictionary(array.type) and not array.offset % 8
        if 0 < nulls < size <= TOGETHER_UP_TO and plain:
            together.setdefault(size, []).append(number)
            out.append(_EMPTY)
            continue
        rows = known_rows(array)
        out.append((rows, _bits(array, rows).astype(np.uint64) if _is_bool(array) else None))
    for numbers in together.values():
        for number, held in zip(numbers, _held_together([arrays[n] for n in numbers]), strict=True):
            out[number] = held
    return out


_EMPTY: tuple[Rows, None] = (np.zeros(0, dtype=np.intp), None)


def _held_together(arrays: list[pa.Array]) -> list[tuple[Rows, npt.NDArray[np.uint64] | None]]:
    """``_held`` for arrays of one length with a validity bitmap starting on a byte: the bitmaps
    copied side by side, their non-zero words found at once and their bits read at once."""
    size = len(arrays[0])
    width = (size + 63) // 64  # words per bitmap
    length = (size + 7) // 8  # bytes per bitmap
    valid = np.zeros((len(arrays), width * 8), dtype=np.uint8)
    bools = [number for number, array in enumerate(arrays) if _is_bool(array)]
    value = np.zeros((len(arrays), width * 8), dtype=np.uint8) if bools else valid
    for number, array in enumerate(arrays):
        start = array.offset // 8
        valid[number, :length] = np.frombuffer(array.buffers()[0], np.uint8, length, start)
    for number in bools:
        array = arrays[number]
        value[number, :length] = np.frombuffer(array.buffers()[1], np.uint8, length, array.offset // 8)
    words = valid.view("<u8")
    if size % 64:  # the bits past the last row
        words[:, -1] &= np.uint64((1 << (size % 64)) - 1)
    at = np.flatnonzero(words)
    word, bits = words.reshape(-1)[at], value.view("<u8").reshape(-1)[at]
    column, at = np.divmod(at, width)
    found = [
        (of, where * 64 + _position(low), ((held & low) != 0).astype(np.uint64))
        for low, (of, where, held) in _lowest_bits(word, column, at, bits)
    ]
    columns = np.concatenate([f[0] for f in found]) if found else np.zeros(0, dtype=np.intp)
    order = np.argsort(columns, kind="stable")
    rows = (np.concatenate([f[1] for f in found])[order] if found else columns).astype(np.intp)
    codes = np.concatenate([f[2] for f in found])[order] if found else np.zeros(0, dtype=np.uint64)
    ends = np.cumsum(np.bincount(columns, minlength=len(arrays))).tolist()
    out: list[tuple[Rows, npt.NDArray[np.uint64] | None]] = []
    for number, end in enumerate(ends):
        begin = ends[number - 1] if number else 0
        out.append((rows[begin:end], codes[begin:end] if _is_bool(arrays[number]) else None))
    return out


def _lowest_bits(
    word: npt.NDArray[np.uint64], *along: npt.NDArray[Any]
) -> Iterator[tuple[npt.NDArray[np.uint64], tuple[npt.NDArray[Any], ...]]]:
    """Each word's bits set, lowest first, a pass at a time (most words hold one): the bit taken from
    each word that still holds one, and the arrays ``along`` at those words."""
    while len(word):
        low = word & (~word + np.uint64(1))
        yield low, along
        word = word ^ low
        left = np.flatnonzero(word)
        word, along = word[left], tuple(a[left] for a in along)


_DE_BRUIJN = np.uint64(0x03F79D71B4CB0A89)
_POSITIONS = np.zeros(64, dtype=np.intp)
_POSITIONS[[((1 << k) * 0x03F79D71B4CB0A89 % 2**64) >> 58 for k in range(64)]] = np.arange(64)


def _position(bits: npt.NDArray[np.uint64]) -> Rows:
    """The position of the one bit set in each word (a de Bruijn sequence's multiplication)."""
    return np.asarray(_POSITIONS[(bits * _DE_BRUIJN) >> np.uint64(58)], dtype=np.intp)


def _words(raw: npt.NDArray[np.uint8], size: int) -> tuple[Rows, npt.NDArray[np.uint64]]:
    """A bitmap's 64-bit words that are not zero, and where they are: bit k of word w is row 64 × w + k
    (Arrow's bitmaps put the first row in the lowest bit); the bits past ``size`` are left out."""
    full = size // 64
    words = raw[: full * 8].view("<u8")
    at = np.flatnonzero(words != 0)
    last = int.from_bytes(raw[full * 8 : (size + 7) // 8].tobytes(), "little") & ((1 << (size % 64)) - 1)
    if last:
        return np.append(at, full), np.append(words[at], np.uint64(last))
    return at, words[at]


def _is_bool(array: pa.Array) -> bool:
    return bool(pa.types.is_boolean(array.type))


def _coded(array: pa.Array, rows: Rows) -> tuple[npt.NDArray[np.uint64], pa.Array | None]:
    """Per row of ``rows``, a code that is equal exactly when the values are equal (as classify reads
    them: a value's type counts, so 1 and 1.0 differ; codes compare within one column only), and for
    text the value of each code (the dictionary the codes index)."""
    kind = array.type
    if pa.types.is_boolean(kind):
        return _bits(array, rows).astype(np.uint64), None
    if pa.types.is_integer(kind):
        values = np.frombuffer(array.buffers()[1], dtype=np.dtype(kind.to_pandas_dtype()))
        held = values[array.offset : array.offset + len(array)][rows]
        # the number itself (an unsigned one's bits): equal codes exactly for equal numbers
        return (
            held.view(np.uint64) if held.dtype == np.uint64 else held.astype(np.int64).view(np.uint64)
        ), None
    if pa.types.is_floating(kind) and not pa.types.is_float16(kind):
        values = np.frombuffer(array.buffers()[1], dtype=np.dtype(kind.to_pandas_dtype()))
        held = values[array.offset : array.offset + len(array)][rows].astype(np.float64)
        # -0.0 and 0.0 are one number to every rule; the bits of NaN do not matter either
        held = np.where(np.isnan(held), np.nan, held + 0.0)
        return held.view(np.uint64), None
    taken = array if len(rows) == len(array) else array.take(pa.array(rows))  # every row: in order
    if pa.types.is_dictionary(kind):
        taken = taken.dictionary_decode()
    if cols.is_text(taken.type) or pa.types.is_binary(taken.type) or pa.types.is_large_binary(taken.type):
        encoded = pc.dictionary_encode(taken)
        return np.asarray(encoded.indices.to_numpy(zero_copy_only=False)).astype(
            np.uint64
        ), encoded.dictionary
    if _is_text_list(taken.type):
        return _list_codes(taken).astype(np.uint64), None
    seen: dict[str, int] = {}
    out = np.empty(len(rows), dtype=np.uint64)
    for position, value in enumerate(taken.to_pylist()):
        text = json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)
        out[position] = seen.setdefault(text, len(seen))
    return out, None


def _bits(array: pa.Array, rows: Rows) -> npt.NDArray[np.uint8]:
    """A boolean array's values at ``rows``, as 0 and 1."""
    values = np.frombuffer(array.buffers()[1], dtype=np.uint8)
    at = rows + array.offset
    return np.asarray((values[at >> 3] >> (at & 7).astype(np.uint8)) & 1, dtype=np.uint8)


def _is_text_list(kind: pa.DataType) -> bool:
    return (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and cols.is_text(kind.value_type)


def _list_codes(lists: pa.Array) -> npt.NDArray[np.int64]:
    """Codes of lists of text (none of them null), equal exactly when the lists are: a row per list,
    its length then its items' codes (a null item -1), and the distinct rows numbered."""
    offsets = np.asarray(lists.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)
    lengths = np.diff(offsets)
    longest = int(lengths.max(initial=0))
    if longest * len(lists) > 4_000_000:
        return _joined_list_codes(lists)
    encoded = pc.dictionary_encode(lists.flatten())
    items = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
    owner = np.repeat(np.arange(len(lists)), lengths)
    place = np.arange(len(items)) - np.repeat(offsets[:-1] - offsets[0], lengths)
    base = max(len(encoded.dictionary) + 1, longest + 1)  # an item's code + 1, or the length
    if base ** (longest + 1) < 2**63:  # the list as one number: its length, then its items, in base ``base``
        weights = base ** np.arange(1, longest + 1, dtype=np.int64)
        packed = lengths.copy()
        np.add.at(packed, owner, (items + 1) * weights[place])
        return packed
    grid = np.full((len(lists), longest + 1), -2, dtype=np.int64)
    grid[:, 0] = lengths
    grid[owner, place + 1] = items
    return np.asarray(np.unique(grid, axis=0, return_inverse=True)[1], dtype=np.int64).reshape(-1)


def _joined_list_codes(lists: pa.Array) -> npt.NDArray[np.int64]:
    """``_list_codes`` for long lists: each item escaped (a backslash doubled, NUL and a null item
    written with a backslash), joined with NUL, and the list's length."""
    items = lists.flatten().cast(pa.string())
    items = pc.replace_substring(items, "\\", "\\\\")
    items = pc.replace_substring(items, "\0", "\\0")
    items = pc.fill_null(items, "\\N")
    rebuilt = pa.ListArray.from_arrays(pc.subtract(lists.offsets, lists.offsets[0]).cast(pa.int32()), items)
    joined = pc.binary_join(rebuilt, "\0")
    text = np.asarray(pc.dictionary_encode(joined).indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    lengths = np.asarray(pc.list_value_length(lists).to_numpy(zero_copy_only=False), dtype=np.int64)
    pairs = text * (int(lengths.max(initial=0)) + 1) + lengths
    return np.asarray(np.unique(pairs, return_inverse=True)[1], dtype=np.int64).reshape(-1)


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """A 64-bit mixing function (splitmix64's finaliser), element-wise; wraps around by design."""
    return _mixed(np.array(values, dtype=np.uint64))


def _mixed(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``_mix`` in place (``x`` is overwritten and returned): one scratch array, not one per step —
    a million rows' temporaries are memory touched for the first time, slow on a virtual machine."""
    shifted = np.empty_like(x)
    with np.errstate(over="ignore"):
        for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, None)):
            np.right_shift(x, np.uint64(shift), out=shifted)
            x ^= shifted
            if factor is not None:
                x *= np.uint64(factor)
    return x


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


def _groups(digest: npt.NDArray[np.uint64]) -> tuple[Rows, Rows]:
    """Rows with one digest form a group, numbered in the order of their first rows: each group's
    first row and each row's group (Arrow's hash table; numpy's sort when that order is not met)."""
    inverse = np.asarray(
        pc.dictionary_encode(pa.array(digest, pa.uint64())).indices.to_numpy(zero_copy_only=False),
        dtype=np.intp,
    )
    if not len(inverse):
        return np.zeros(0, dtype=np.intp), inverse
    seen = np.maximum.accumulate(inverse)
    first = np.flatnonzero(np.concatenate([[True], seen[1:] > seen[:-1]]))
    if inverse[0] == 0 and len(first) == seen[-1] + 1 and (inverse[first] == np.arange(len(first))).all():
        return first.astype(np.intp), inverse
    _, first, inverse = np.unique(digest, return_index=True, return_inverse=True)
    return first.astype(np.intp), inverse.reshape(-1).astype(np.intp)


def _alike(
    first: Rows,
    inverse: Rows,
    cells: list[_Cells],
    rows: Rows,
    salted: npt.NDArray[np.uint64],
    counts: npt.NDArray[np.int64],
    classes: npt.NDArray[np.int64],
) -> bool:
    """Whether every group's rows are the same finding, checked at once: for each group and column,
    either no row of the group holds a value there, or every row does and all of them the same
    (``rows`` and ``salted``: the cells of the columns that do not hold a value on every row, column
    after column, codes offset by their column's salt). When this says no, ``_checked`` finds which
    rows differ."""
    leader = first[inverse]
    if (counts != counts[leader]).any() or (classes != classes[leader]).any():
        return False
    for found in cells:
        if found.dense and (found.codes[leader] != found.codes).any():  # type: ignore[index]
            return False
    if not len(rows):
        return True
    sizes = [len(found.rows) for found in cells if not found.dense]
    column = np.repeat(np.arange(len(sizes), dtype=np.uint64), sizes)
    group = inverse[rows]
    key = group.astype(np.uint64) * np.uint64(len(sizes)) + column
    pair = np.asarray(pc.dictionary_encode(pa.array(key, pa.uint64())).indices.to_numpy(), dtype=np.intp)
    pairs = int(pair.max()) + 1
    held = np.bincount(pair, minlength=pairs)  # rows of the group that hold a value in the column
    owner = np.empty(pairs, dtype=np.intp)
    owner[pair] = group
    if (held != np.bincount(inverse, minlength=len(first))[owner]).any():
        return False
    low = np.full(pairs, np.iinfo(np.uint64).max, dtype=np.uint64)
    high = np.zeros(pairs, dtype=np.uint64)
    np.minimum.at(low, pair, salted)
    np.maximum.at(high, pair, salted)
    return bool((low == high).all())


def _checked(
    first: Rows,
    inverse: Rows,
    cells: list[_Cells],
    counts: npt.NDArray[np.int64],
    classes: npt.NDArray[np.int64],
) -> tuple[Rows, Rows]:
    """Compare every row with its group's first row, cell by cell; a row that differs (two findings
    with one hash) becomes a group of its own."""
    leader = first[inverse].astype(np.int32 if len(inverse) < 2**31 else np.intp)
    wrong = (counts != counts[leader]) | (classes != classes[leader])
    code_at = np.zeros(len(inverse), dtype=np.uint64)  # scratch: one column's codes by row
    held = np.zeros(len(inverse), dtype=bool)  # scratch: the rows where that column holds a value
    for found in cells:
        rows, codes = found.rows, found.codes
        assert codes is not None
        if found.dense:
            wrong |= codes[leader] != codes
            continue
        code_at[rows] = codes
        held[rows] = True
        theirs = leader[rows]
        # a row's cells all found, equal, in its first row's, and as many: the same finding
        differs = ~held[theirs] | (code_at[theirs] != codes)
        if differs.any():
            wrong[rows[differs]] = True
        held[rows] = False
    if not wrong.any():
        return first.astype(np.intp), inverse.astype(np.intp)
    alone = np.flatnonzero(wrong)
    inverse = inverse.copy()
    inverse[alone] = len(first) + np.arange(len(alone))
    return np.concatenate([first, alone]).astype(np.intp), inverse.astype(np.intp)


def _keys(
    first: Rows,
    hashed: list[_Cells],
    salts: npt.NDArray[np.uint64],
    rows: Rows,
    salted: npt.NDArray[np.uint64],
    classes: npt.NDArray[np.int64],
    on: dt.date | None,
) -> list[bytes]:
    """Each distinct finding's key: the codebook's codes of its first row's cells that tell findings
    apart (``rows`` and ``salted``: those of the columns without a value on every row, column after
    column, as hashed), ordered by column, with today, ``on`` and the class of its day."""
    book = _codebook()
    leading = np.zeros(len(classes), dtype=bool)  # a byte a row: cheaper to look up than group_of
    leading[first] = True
    group_of = np.empty(len(classes), dtype=np.int64)
    group_of[first] = np.arange(len(first))
    sparse = [number for number, found in enumerate(hashed) if not found.dense]
    ends = np.cumsum([len(hashed[number].rows) for number in sparse], dtype=np.int64)
    led = np.flatnonzero(leading[rows])  # the cells of first rows, column after column
    column = np.searchsorted(ends, led, side="right")
    bounds = np.searchsorted(column, np.arange(len(sparse) + 1)).tolist()
    groups = [group_of[rows[led]]]
    codes = [salted[led] - salts[sparse][column]]
    ids = [np.asarray([book.column(hashed[n]) for n in sparse], dtype=np.uint64)[column]]
    for position, number in enumerate(sparse):
        begin, end = bounds[position], bounds[position + 1]
        if begin < end and not _stable(hashed[number].array.type):
            at = rows[led[begin:end]]
            codes[0][begin:end] = book.values(hashed[number], at, codes[0][begin:end])
    for found in hashed:
        if found.dense:
            assert found.codes is not None
            local = found.codes[first]
            groups.append(np.arange(len(first)))
            codes.append(local if _stable(found.array.type) else book.values(found, first, local))
            ids.append(np.full(len(first), book.column(found), dtype=np.uint64))
    # the class of the day, as a cell of a column no table has (the last code)
    groups.append(np.arange(len(first)))
    codes.append(classes[first].astype(np.uint64))
    ids.append(np.full(len(first), np.iinfo(np.uint64).max, dtype=np.uint64))
    group, code, ids_ = np.concatenate(groups), np.concatenate(codes), np.concatenate(ids)
    order = np.lexsort((ids_, group))
    pairs = np.stack([ids_[order], code[order]], axis=1).astype("<u8").tobytes()
    starts = [0, *(np.cumsum(np.bincount(group, minlength=len(first))) * 16).tolist()]  # 16 bytes a pair
    # the same for every finding: the codebook's generation, today and ``on``
    when = np.asarray(
        [book.generation, today().toordinal(), on.toordinal() if on is not None else 0], dtype="<u8"
    ).tobytes()
    # bytes, not tuples: a key is not an object the garbage collector follows (nor counts)
    return [when + pairs[starts[number] : starts[number + 1]] for number in range(len(first))]


def _stable(kind: pa.DataType) -> bool:
    """Whether a column's codes (``_coded``) are the same in every table: a boolean's bit, a number's."""
    return bool(
        pa.types.is_boolean(kind)
        or pa.types.is_integer(kind)
        or (pa.types.is_floating(kind) and not pa.types.is_float16(kind))
    )


class _Codebook:
    """Codes for columns (a name and a type) and for values in a column that mean the same in every
    table of the process: two cells get one code exactly when their values are equal as Python
    values (NaN equal to NaN), which is when ``classify`` reads them alike."""

    SIZE = 1 << 20  # values at most: a fuller book is replaced by an empty one of another generation

    _generations = itertools.count()

    def __init__(self) -> None:
        self.generation = next(self._generations)
        self.size = 0
        self._lock = threading.Lock()
        self._columns: dict[tuple[str, str], int] = {}
        self._values: dict[tuple[int, Hashable], int] = {}

    def column(self, found: _Cells) -> int:
        key = (found.name, str(found.array.type))
        code = self._columns.get(key)
        if code is None:
            with self._lock:
                code = self._columns.setdefault(key, len(self._columns))
        return code

    def values(self, found: _Cells, rows: Rows, local: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
        """The codes of the values of ``found`` at ``rows``, whose codes in this table are ``local``."""
        column = self.column(found)
        if found.values is not None:  # the value of each local code: every row's value is a first row's
            inverse = local.astype(np.intp)
            keys = [(column, value) for value in found.values.to_pylist()]
        else:
            _, first, inverse = np.unique(local, return_index=True, return_inverse=True)
            keys = [(column, _hashable(v)) for v in found.array.take(pa.array(rows[first])).to_pylist()]
        codes = [self._values.get(key) for key in keys]
        if None in codes:
            with self._lock:
                for number, key in enumerate(keys):
                    if codes[number] is None:
                        codes[number] = self._values.setdefault(key, len(self._values))
                self.size = len(self._values)
        return np.asarray(codes, dtype=np.uint64)[inverse.reshape(-1)]


_BOOK: list[_Codebook] = [_Codebook()]


def _codebook() -> _Codebook:
    """The process's codebook (a new one, of another generation, once it is full)."""
    book = _BOOK[0]
    if book.size > _Codebook.SIZE:
        book = _BOOK[0] = _Codebook()
    return book


def _values(array: pa.Array, rows: Rows) -> list[Any]:
    """The values at ``rows`` as Python values (as ``to_pylist`` gives them)."""
    kind = array.type
    if pa.types.is_boolean(kind):
        held: list[Any] = _bits(array, rows).astype(bool).tolist()
        return held
    if pa.types.is_integer(kind) or (pa.types.is_floating(kind) and not pa.types.is_float16(kind)):
        values = np.frombuffer(array.buffers()[1], dtype=np.dtype(kind.to_pandas_dtype()))
        return values[array.offset : array.offset + len(array)][rows].tolist()  # type: ignore[no-any-return]
    return array.take(pa.array(rows)).to_pylist()  # type: ignore[no-any-return]


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    if isinstance(value, float) and value != value:
        return "nan"
    return value  # type: ignore[no-any-return]
