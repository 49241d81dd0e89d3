"""Thin DataFrame adapters over the batch API: pandas and polars convert to Arrow and back.

``pip install 'hazardrules[pandas]'`` or ``'hazardrules[polars]'``. The frame has the columns
``classify_table`` reads (``sector``, ``id``, ``observed_on`` and one column per fact, null where
unknown); the result is a frame of the same kind, one row per finding, in the same order.
"""

from __future__ import annotations

from typing import Any

from ..verdict.tables import classify_table


def classify_pandas(frame: Any, **options: Any) -> Any:
    """``classify_table`` for a pandas DataFrame; returns a pandas DataFrame (``status`` and
    ``sector`` as categories, each list as a numpy array of text)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    return classify_table(table, **options).to_pandas()


def classify_polars(frame: Any, **options: Any) -> Any:
    """``classify_table`` for a polars DataFrame; returns a polars DataFrame."""
    import polars as pl

    out = pl.from_arrow(classify_table(frame.to_arrow(), **options))
    assert isinstance(out, pl.DataFrame)
    return out
