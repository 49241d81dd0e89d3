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
    held = _held(list(arrays.values()))
    rows_of = dict(zip(arrays, (rows for rows, _ in held), strict=True))
    # the cells of text columns (but a full one, or a day read by its class) and of lists of text,
    # coded all at once
    texts = [
        name
        for name, array in arrays.items()
        if _plain_text(array.type) and len(rows_of[name]) < len(array) and not (name == _DATE and by_class)
    ]
    lists = [name for name, array in arrays.items() if _plain_text_list(array.type) and len(rows_of[name])]
    coded = dict(zip(texts, _texts_coded([(arrays[name], rows_of[name]) for name in texts]), strict=True))
    coded.update(zip(lists, _lists_coded([(arrays[name], rows_of[name]) for name in lists]), strict=True))
    for (name, array), (rows, bools) in zip(arrays.items(), held, strict=True):
        if name == _DATE and by_class:
            cells.append(_Cells(name, array, rows, None))
            rows = rows[bad_date[rows]]
            if not len(rows):
                continue
            bools = None
        if bools is not None:
            codes, values = bools, None
        else:
            codes, values = coded[name] if name in coded else _coded(array, rows)
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
    for found, salt in zip(hashed, salts, strict=True):
        if found.dense:  # a value on every row (sector): added in place
            assert found.codes is not None
            digest += _mixed(found.codes + salt)
            counts += 1
    for block in _blocks(hashed, salts, CELLS_AT_ONCE):
        np.add.at(digest, block.rows, _mixed(block.salted))
        np.add.at(counts, block.rows, 1)
    first, inverse = _groups(digest)
    first, inverse, leaders = _checked(first, inverse, hashed, salts, counts, classes)
    keys = _keys(first, hashed, salts, leaders, classes, on) if len(first) <= keys_up_to else None
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


TOGETHER_UP_TO = 131_072  # rows up to which columns' bitmaps are read side by side, a block at a time
BITMAPS_AT_ONCE = 1 << 20  # bytes of bitmaps copied side by side at once (the copy stays in the cache)


def _held(arrays: list[pa.Array]) -> list[tuple[Rows, npt.NDArray[np.uint64] | None]]:
    """For each array, the rows where it holds a value and, for a boolean array, its values there (0
    or 1). A short table's bitmaps are read side by side, a block of columns at a time (a column then
    costs a copy of its bitmap, not a dozen numpy calls; the block stays in the processor's cache); a
    long table's column by column (as cheap per column as a copy of its longer bitmap would be)."""
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
    for size, numbers in together.items():
        step = max(1, BITMAPS_AT_ONCE // ((size + 63) // 64 * 8))  # bitmaps a block
        for start in range(0, len(numbers), step):
            part = numbers[start : start + step]
            for number, held in zip(part, _held_together([arrays[n] for n in part]), strict=True):
                out[number] = held
    return out


_EMPTY: tuple[Rows, None] = (np.zeros(0, dtype=np.intp), None)


def _held_together(arrays: list[pa.Array]) -> list[tuple[Rows, npt.NDArray[np.uint64] | None]]:
    """``_held`` for arrays of one length with a validity bitmap starting on a byte: the bitmaps
    copied side by side, their non-zero words found at once and their bits read at once."""
    size = len(arrays[0])
    width = (size + 63) // 64  # words per bitmap
    length = (size + 7) // 8  # bytes per bitmap
    valid = np.empty((len(arrays), width * 8), dtype=np.uint8)
    valid[:, length:] = 0
    bools = [number for number, array in enumerate(arrays) if _is_bool(array)]
    value = np.empty_like(valid) if bools else valid  # only the rows of boolean arrays are read
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
    order = np.argsort(columns.astype(np.uint16) if len(arrays) <= 1 << 16 else columns, kind="stable")
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
    taken = array if len(rows) == len(array) else cols.take(array, pa.array(rows))  # every row: in order
    if pa.types.is_dictionary(kind):
        taken = taken.dictionary_decode()
    if cols.is_text(taken.type) or pa.types.is_binary(taken.type) or pa.types.is_large_binary(taken.type):
        encoded = cols.dictionary_encoded(taken)
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


def _plain_text(kind: pa.DataType) -> bool:
    """Text held as offsets and bytes (``string``, ``large_string``), which ``_texts_coded`` reads."""
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _plain_text_list(kind: pa.DataType) -> bool:
    """A list of such text, which ``_lists_coded`` reads."""
    return bool((pa.types.is_list(kind) or pa.types.is_large_list(kind)) and _plain_text(kind.value_type))


def _offsets(array: pa.Array) -> npt.NDArray[np.int64] | npt.NDArray[np.int32]:
    """The offsets of a text or list array (its own: a slice's ``offset`` counts), one more than rows."""
    kind = array.type
    wide = pa.types.is_large_string(kind) or pa.types.is_large_list(kind)
    width = np.dtype(np.int64 if wide else np.int32)
    return np.frombuffer(array.buffers()[1], width, len(array) + 1, array.offset * width.itemsize)


def _own_bytes(array: pa.Array, offsets: npt.NDArray[Any]) -> tuple[npt.NDArray[np.uint8], int]:
    """A text array's bytes (a slice's own), and the offset they start at."""
    low, high = int(offsets[0]), int(offsets[-1])
    data = array.buffers()[2]
    return (
        np.frombuffer(data, np.uint8, high - low, low) if data is not None and high > low else _NO_BYTES
    ), low


_NO_BYTES = np.zeros(0, dtype=np.uint8)


def _gathered(
    source: npt.NDArray[np.uint8], start: npt.NDArray[np.int64], length: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint8]:
    """The pieces ``source[start : start + length]``, one after another."""
    written = np.cumsum(length) - length
    return source[np.repeat(start - written, length) + np.arange(int(length.sum()), dtype=np.int64)]


def _encoded_by_column(
    cells: pa.Array, found: list[tuple[pa.Array, Rows]]
) -> list[tuple[npt.NDArray[np.uint64], pa.Array]]:
    """``cells`` (every column's, one after another) dictionary-encoded once: each column's codes,
    and the one dictionary they index."""
    encoded = cols.dictionary_encoded(cells)
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False)).astype(np.uint64)
    ends = np.cumsum([len(rows) for _, rows in found]).tolist()
    dictionary = encoded.dictionary
    return [(codes[end - len(rows) : end], dictionary) for (_, rows), end in zip(found, ends, strict=True)]


def _texts_coded(found: list[tuple[pa.Array, Rows]]) -> list[tuple[npt.NDArray[np.uint64], pa.Array]]:
    """``_coded`` for text arrays (``string``, ``large_string``) at once: each column's cells taken
    (Arrow's ``take``), put end to end and dictionary-encoded once (a code then stands for one text
    in each of these columns, and each column's codes index the one dictionary)."""
    if not found:
        return []
    taken = [cols.take(array, pa.array(rows)) for array, rows in found]
    if len({part.type for part in taken}) > 1 or sum(_own_bytes(p, _offsets(p))[0].size for p in taken) >> 31:
        # one type, with room for every byte
        taken = [part.cast(pa.large_string(), memory_pool=cols.POOL) for part in taken]
    return _encoded_by_column(pa.concat_arrays(taken, memory_pool=cols.POOL), found)


def _lists_coded(found: list[tuple[pa.Array, Rows]]) -> list[tuple[npt.NDArray[np.uint64], pa.Array]]:
    """``_coded`` for lists of text (a ``list`` or ``large_list`` of ``string`` or ``large_string``) at
    once: each cell written as bytes — each item's length in 4 bytes (all ones for a null item), then
    the item — and all cells dictionary-encoded once. Two cells get one code exactly when their lists
    are equal item by item (a null item is not an empty one); each column's codes index the one
    dictionary of those bytes."""
    if not found:
        return []
    counts: list[npt.NDArray[np.int64]] = []  # each cell's number of items
    starts: list[npt.NDArray[np.int64]] = []  # each item's first byte among all the columns' bytes
    lengths: list[npt.NDArray[np.int64]] = []  # each item's length (0 for a null item)
    heads: list[npt.NDArray[np.uint32]] = []  # what each item's 4 bytes say
    texts: list[npt.NDArray[np.uint8]] = []
    base = 0
    for array, rows in found:
        offsets = _offsets(array)
        first = offsets[rows].astype(np.int64)
        count = offsets[rows + 1].astype(np.int64) - first
        before = np.cumsum(count) - count
        items = np.repeat(first - before, count) + np.arange(int(count.sum()), dtype=np.int64)
        child = array.values  # the whole child array: the list offsets index it
        bounds = _offsets(child)
        text, low = _own_bytes(child, bounds)
        begin = bounds[items].astype(np.int64)
        length = bounds[items + 1].astype(np.int64) - begin
        if child.null_count:
            valid = _bits_of(child.buffers()[0], items + child.offset).astype(bool)
            length = np.where(valid, length, 0)
            heads.append(np.where(valid, length, 0xFFFFFFFF).astype(np.uint32))
        else:
            heads.append(length.astype(np.uint32))
        counts.append(count)
        starts.append(begin + (base - low))
        lengths.append(length)
        texts.append(text)
        base += len(text)
    count, start, length = np.concatenate(counts), np.concatenate(starts), np.concatenate(lengths)
    # the bytes written: per item, its 4 bytes (after every column's text), then its text
    source = np.concatenate([*texts, np.concatenate(heads).astype("<u4").view(np.uint8)])
    piece_start = np.stack([base + 4 * np.arange(len(start), dtype=np.int64), start], axis=1).reshape(-1)
    piece_length = np.stack([np.full(len(start), 4, dtype=np.int64), length], axis=1).reshape(-1)
    item_ends = np.concatenate([[0], np.cumsum(4 + length)])
    cell_offsets = item_ends[np.concatenate([[0], np.cumsum(count)])].astype(np.int64)
    written = _gathered(source, piece_start, piece_length)
    cells = pa.Array.from_buffers(
        pa.large_binary(), len(count), [None, pa.py_buffer(cell_offsets), pa.py_buffer(written)]
    )
    return _encoded_by_column(cells, found)


def _bits_of(bitmap: pa.Buffer, at: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    """The bits of ``bitmap`` at positions ``at`` (Arrow's order: the lowest bit first), as 0 and 1."""
    values = np.frombuffer(bitmap, dtype=np.uint8)
    return np.asarray((values[at >> 3] >> (at & 7).astype(np.uint8)) & 1, dtype=np.uint8)


def _bits(array: pa.Array, rows: Rows) -> npt.NDArray[np.uint8]:
    """A boolean array's values at ``rows``, as 0 and 1."""
    return _bits_of(array.buffers()[1], rows + array.offset)


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
        cols.dictionary_encoded(pa.array(digest, pa.uint64())).indices.to_numpy(zero_copy_only=False),
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


CELLS_AT_ONCE = 1 << 18  # cells hashed, or checked, at once: a block of columns (cache-sized arrays)
CHECKED_AT_ONCE = 1 << 18  # distinct findings × columns of a block checked at once (its table)


@dataclass(frozen=True, slots=True)
class _Block:
    """The cells of consecutive columns that do not hold a value on every row, side by side."""

    columns: list[int]  # the columns' numbers among the hashed ones
    rows: Rows  # each cell's row
    salted: npt.NDArray[np.uint64]  # each cell's code offset by its column's salt
    column: Rows  # each cell's column, as a position in ``columns``


def _blocks(
    hashed: list[_Cells], salts: npt.NDArray[np.uint64], cells: int, columns: int = 1 << 16
) -> Iterator[_Block]:
    """The cells of the columns without a value on every row, in blocks of at most ``cells`` cells
    (or one column) and ``columns`` columns: arrays that stay in the processor's cache, and whose
    memory the next block uses again."""
    sparse = [number for number, found in enumerate(hashed) if not found.dense]
    start = 0
    while start < len(sparse):
        end, held = start + 1, len(hashed[sparse[start]].rows)
        while end < len(sparse) and end - start < columns and held + len(hashed[sparse[end]].rows) <= cells:
            held += len(hashed[sparse[end]].rows)
            end += 1
        part = sparse[start:end]
        sizes = [len(hashed[number].rows) for number in part]
        column = np.repeat(np.arange(len(part), dtype=np.intp), sizes)
        salted = np.concatenate([hashed[number].codes for number in part])
        salted += salts[part][column]
        yield _Block(part, np.concatenate([hashed[number].rows for number in part]), salted, column)
        start = end


_Leaders = tuple[Rows, Rows, npt.NDArray[np.uint64]]  # the first rows' cells: row, column, code


def _checked(
    first: Rows,
    inverse: Rows,
    hashed: list[_Cells],
    salts: npt.NDArray[np.uint64],
    counts: npt.NDArray[np.int64],
    classes: npt.NDArray[np.int64],
) -> tuple[Rows, Rows, _Leaders]:
    """Compare every row with its group's first row, cell by cell; a row that differs (two findings
    with one hash) becomes a group of its own. Also the first rows' cells of the columns without a
    value on every row (``_Leaders``, by column: what the groups' keys are made of).

    A block of columns at a time: each first row's cells are put in a table by group and column, and
    every cell is compared with its group's entry for its column. A row whose cells are all found,
    equal, in its first row's, and as many, is the same finding."""
    leader = first[inverse]
    wrong = (counts != counts[leader]) | (classes != classes[leader])
    for found in hashed:
        if found.dense:
            wrong |= found.codes[leader] != found.codes  # type: ignore[index]
    leading = np.zeros(len(inverse), dtype=bool)
    leading[first] = True
    sparse = [number for number, found in enumerate(hashed) if not found.dense]
    position = np.zeros(len(hashed), dtype=np.intp)  # a column's position among the sparse ones
    position[sparse] = np.arange(len(sparse))
    found_rows, found_columns, found_codes = [], [], []
    width = max(1, CHECKED_AT_ONCE // max(len(first), 1))
    for block in _blocks(hashed, salts, CELLS_AT_ONCE, width):
        place = inverse[block.rows] * len(block.columns) + block.column
        mine = leading[block.rows]
        table = np.empty(len(first) * len(block.columns), dtype=np.uint64)
        held = np.zeros(len(table), dtype=bool)
        table[place[mine]] = block.salted[mine]
        held[place[mine]] = True
        differs = ~held[place] | (table[place] != block.salted)
        if differs.any():
            wrong[block.rows[differs]] = True
        column = block.column[mine]
        found_rows.append(block.rows[mine])
        found_columns.append(position[block.columns][column])
        found_codes.append(block.salted[mine] - salts[block.columns][column])
    if wrong.any():
        alone = np.flatnonzero(wrong)
        inverse = inverse.copy()
        inverse[alone] = len(first) + np.arange(len(alone))
        first = np.concatenate([first, alone])
        leading[alone] = True
        found_rows, found_columns, found_codes = [], [], []
        for number in sparse:
            cells = hashed[number]
            mine = leading[cells.rows]
            found_rows.append(cells.rows[mine])
            found_columns.append(np.full(len(found_rows[-1]), position[number], dtype=np.intp))
            found_codes.append(cells.codes[mine])  # type: ignore[index]
    if not found_rows:
        return first.astype(np.intp), inverse.astype(np.intp), (_NO_ROWS, _NO_ROWS, _NO_CODES)
    leaders = (np.concatenate(found_rows), np.concatenate(found_columns), np.concatenate(found_codes))
    return first.astype(np.intp), inverse.astype(np.intp), leaders


_NO_ROWS = np.zeros(0, dtype=np.intp)
_NO_CODES = np.zeros(0, dtype=np.uint64)


def _keys(
    first: Rows,
    hashed: list[_Cells],
    salts: npt.NDArray[np.uint64],
    leaders: _Leaders,
    classes: npt.NDArray[np.int64],
    on: dt.date | None,
) -> list[bytes]:
    """Each distinct finding's key: the codebook's codes of its first row's cells that tell findings
    apart (``leaders``: those of the columns without a value on every row, by column), ordered by
    column, with today, ``on`` and the class of its day."""
    book = _codebook()
    group_of = np.empty(len(classes), dtype=np.int64)
    group_of[first] = np.arange(len(first))
    sparse = [number for number, found in enumerate(hashed) if not found.dense]
    rows, column, local = leaders
    bounds = np.searchsorted(column, np.arange(len(sparse) + 1)).tolist()
    groups = [group_of[rows]]
    codes = [local.copy()]
    ids = [np.asarray([book.column(hashed[n]) for n in sparse], dtype=np.uint64)[column]]
    shared: dict[int, list[npt.NDArray[np.intp]]] = {}  # cells of text columns, by the dictionary
    for position, number in enumerate(sparse):
        begin, end = bounds[position], bounds[position + 1]
        found = hashed[number]
        if begin == end or _stable(found.array.type):
            continue
        if found.values is not None:  # looked up with the other columns coded with its dictionary
            shared.setdefault(id(found.values), []).append(np.arange(begin, end))
        else:
            codes[0][begin:end] = book.values(found, rows[begin:end], local[begin:end])
    for cells in shared.values():
        at = np.concatenate(cells)
        dictionary = hashed[sparse[int(column[at[0]])]].values
        assert dictionary is not None
        codes[0][at] = book.texts(dictionary, ids[0][at], local[at])
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
        if found.values is not None:  # the value of each local code
            return self.texts(found.values, np.full(len(local), column, dtype=np.uint64), local)
        _, first, inverse = np.unique(local, return_index=True, return_inverse=True)
        keys = [(column, _hashable(v)) for v in found.array.take(pa.array(rows[first])).to_pylist()]
        return np.asarray(np.asarray(self._coded(keys), dtype=np.uint64)[inverse.reshape(-1)])

    def texts(
        self, dictionary: pa.Array, columns: npt.NDArray[Any], local: npt.NDArray[Any]
    ) -> npt.NDArray[np.uint64]:
        """The codes of cells of columns coded with one ``dictionary`` (each cell's column's code
        ``columns`` and its index in the dictionary ``local``): every column's values looked up at once."""
        pair = columns.astype(np.uint64) * np.uint64(len(dictionary)) + local.astype(np.uint64)
        present, inverse = np.unique(pair, return_inverse=True)
        column, at = np.divmod(present, np.uint64(len(dictionary)))
        values = dictionary.take(pa.array(at.astype(np.int64))).to_pylist()
        keys = list(zip(column.tolist(), values, strict=True))
        return np.asarray(np.asarray(self._coded(keys), dtype=np.uint64)[inverse.reshape(-1)])

    def _coded(self, keys: list[tuple[int, Hashable]]) -> list[int]:
        codes = [self._values.get(key) for key in keys]
        if None in codes:
            with self._lock:
                for number, key in enumerate(keys):
                    if codes[number] is None:
                        codes[number] = self._values.setdefault(key, len(self._values))
                self.size = len(self._values)
        return codes  # type: ignore[return-value]


_BOOK: list[_Codebook] = [_Codebook()]


def _codebook() -> _Codebook:
    """The process's codebook (a new one, of another generation, once it is full)."""
    book = _BOOK[0]
    if book.size > _Codebook.SIZE:
        book = _BOOK[0] = _Codebook()
    return book


def row_records(table: pa.Table, rows: Sequence[int]) -> list[dict[str, Any]]:
    """The rows ``rows`` of ``table`` as ``Table.to_pylist`` gives them, null cells left out, read
    column by column: a row of a wide register holds a few values among a thousand columns, and a
    row's ``to_pylist`` makes a Python object, and a key, for every column."""
    taken = table.take(pa.array(np.asarray(rows, dtype=np.int64)))
    records: list[dict[str, Any]] = [{} for _ in range(taken.num_rows)]
    for name, column in zip(taken.column_names, taken.columns, strict=True):
        if column.null_count == len(column):
            continue
        array = cols.combined(column)
        held = known_rows(array)
        for position, value in zip(held.tolist(), _values(array, held), strict=True):
            records[position][name] = value
    return records


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
