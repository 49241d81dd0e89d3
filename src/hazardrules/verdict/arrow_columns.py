"""Reading Arrow columns as numpy: validity masks, boolean bits, numbers and the day of each row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..engine.columnar import Mask
from .finding import strict_date, today

EPOCH = dt.date(1970, 1, 1)

# The batch path's own Arrow buffers (its output above all: about 100 MB for a million rows) come from
# the C library's allocator, not pyarrow's default (mimalloc). mimalloc gives freed memory back to the
# system after a delay (1 s in pyarrow 26), so a call coming later than that wrote into pages the system
# had to hand out afresh, and on a virtual machine that costs more than the work done in them (a third
# of a remembered register's time: docs/registers.md); ``malloc`` keeps freed memory for the next call.
POOL = pa.system_memory_pool()


def take(values: pa.Array | pa.ChunkedArray | pa.Table, indices: Any) -> Any:
    """``values.take(indices)``, its buffers from :data:`POOL`."""
    return pc.take(values, indices, memory_pool=POOL)


def dictionary_encoded(array: pa.Array | pa.ChunkedArray) -> Any:
    """``array.dictionary_encode()``, its buffers from :data:`POOL`."""
    return pc.dictionary_encode(array, memory_pool=POOL)


def date_of(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=days)


def is_text(kind: pa.DataType) -> bool:
    """Arrow's text types: string, large_string and string_view (what polars hands over)."""
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind))


def combined(column: pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def validity(array: pa.Array) -> Mask:
    if array.null_count == 0:
        return np.ones(len(array), dtype=bool)
    if array.null_count == len(array):
        return np.zeros(len(array), dtype=bool)
    bitmap = array.buffers()[0]
    if bitmap is None or pa.types.is_dictionary(array.type):
        return np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    return bits(bitmap, array.offset, len(array))


def bits(buffer: pa.Buffer, offset: int, size: int) -> Mask:
    """An Arrow bitmap (validity, or a boolean array's values) as a numpy bool array."""
    raw = np.frombuffer(buffer, dtype=np.uint8)
    first = offset // 8
    bits = np.unpackbits(raw[first : (offset + size + 7) // 8 + 1], bitorder="little")
    start = offset - first * 8
    return bits[start : start + size].astype(bool)


def numbers(array: pa.Array, dtype: type[np.generic]) -> npt.NDArray[Any]:
    """A primitive array's values as numpy (whatever sits under a null: callers mask it)."""
    values = np.frombuffer(array.buffers()[1], dtype=np.dtype(array.type.to_pandas_dtype()))
    return values[array.offset : array.offset + len(array)].astype(dtype)


def row_days(table: pa.Table, on: dt.date | None, route: Mask) -> npt.NDArray[np.int64]:
    size = table.num_rows
    default = ((on or today()) - EPOCH).days
    days = np.full(size, default, dtype=np.int64)
    if "observed_on" not in table.column_names:
        return days
    column = combined(table.column("observed_on"))
    valid = validity(column)
    if not valid.any():
        return days
    kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_date64(kind):
        column = column.cast(pa.date32()) if not pa.types.is_timestamp(kind) else pc.cast(column, pa.date32())
        kind = column.type
    if pa.types.is_date32(kind):
        given = np.asarray(
            column.cast(pa.int32()).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64
        )
    elif is_text(kind):
        encoded = dictionary_encoded(column.cast(pa.string(), memory_pool=POOL))
        parsed: list[int] = []
        for text in encoded.dictionary.to_pylist():
            day, message = strict_date(text, "observed_on")
            parsed.append(-(10**9) if day is None or message else (day - EPOCH).days)
        lookup = np.asarray(parsed or [0], dtype=np.int64)
        indices = np.asarray(encoded.indices.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
        given = lookup[indices]
        route |= valid & (given == -(10**9))
    else:
        route |= valid
        return days
    if on is None:
        days = np.where(valid, given, days)
    return days
