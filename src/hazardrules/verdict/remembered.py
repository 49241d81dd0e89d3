"""Summaries of findings judged in earlier tables, kept as Arrow rows (``classify_table``'s memory).

A register read batch by batch, or split over Spark's executors, meets the same findings again and
again: each batch finds its distinct findings' keys (``distinct``), takes the summaries of those
already judged from here, and judges only the others. The summaries are kept as the rows of Arrow
tables, so that a batch whose findings are all remembered costs a ``take``, not a table built again
from Python values.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Sequence

import numpy as np
import pyarrow as pa

from . import arrow_columns as cols

_PARTS_UP_TO = 16  # tables added before they are put together into one (a take over few chunks)


class Remembered:
    """Up to ``size`` summaries, each under its finding's key; full, it starts again empty."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._where: dict[Hashable, int] = {}  # a key's row in the concatenated parts
        self._parts: list[pa.Table] = []

    def __len__(self) -> int:
        return len(self._where)

    def find(self, keys: Sequence[Hashable]) -> tuple[list[int], pa.Table | None]:
        """Which of ``keys`` are remembered (their positions in ``keys``) and their summaries, in that
        order (None when none is)."""
        with self._lock:
            where = self._where
            found = [(number, row) for number, row in enumerate(map(where.get, keys)) if row is not None]
            if not found:
                return [], None
            numbers, rows = zip(*found, strict=True)
            parts = self._parts
        table = parts[0] if len(parts) == 1 else pa.concat_tables(parts)
        return list(numbers), cols.take(table, pa.array(np.asarray(rows, dtype=np.int64)))

    def add(self, keys: Sequence[Hashable], summaries: pa.Table) -> None:
        """Remember ``summaries`` (one row per key; rows with an error are not kept: an error may name
        the day, which differs between tables)."""
        kept = summaries.column("error").is_null().to_numpy(zero_copy_only=False)
        with self._lock:
            if len(self._where) + len(keys) > self.size:
                self._where, self._parts = {}, []
            where, chosen = self._where, {}
            for number, key in enumerate(keys):  # the first of equal keys, if not remembered already
                if kept[number] and key not in where and key not in chosen:
                    chosen[key] = number
            if not chosen:
                return
            if len(chosen) < len(keys):
                summaries = summaries.take(pa.array(list(chosen.values()), pa.int64()))
            start = len(where)
            where.update((key, start + number) for number, key in enumerate(chosen))
            parts = [*self._parts, summaries]
            if len(parts) > _PARTS_UP_TO:
                parts = [pa.concat_tables(parts).combine_chunks()]
            self._parts = parts
