"""Apache Spark: classify a register spread over many machines with ``mapInArrow`` and the batch API.

Spark hands each Python worker the partition's rows as Arrow record batches; each batch goes through
:func:`hazardrules.verdict.batch.classify_table` and comes back as Arrow, so no row is ever turned
into a Python object on the way (except the few the vector path hands to ``classify()``). See
``docs/spark.md`` for ``spark-submit`` and how the rule pack reaches the executors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

# The output's schema in Spark's DDL (the same columns as classify_table's, in the same order).
SCHEMA = (
    "id string, status string, sector string, on date, standards array<string>, hits array<string>, "
    "undetermined array<string>, missing_facts array<string>, warnings array<string>, "
    "notes array<string>, gaps array<string>, error string"
)


def classify_batches(
    batches: Iterable[Any],
    *,
    pack_dir: str | None = None,
    on: dt.date | str | None = None,
    complete: bool = False,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    names: list[str] | None = None,
) -> Iterator[Any]:
    """What each executor runs: Arrow record batches of findings in, record batches of summaries out.

    ``pack_dir`` is a rule-pack directory on the executor (shipped with ``--archives``); ``None``
    uses the pack inside the installed wheel. ``names`` renames the batches' columns (Spark resolves
    a dotted name such as ``contractor.present`` as a field of a struct, so the columns travel
    under positional names and take their fact names back here).
    """
    import pyarrow as pa

    from ..pack.resources import load_pack
    from ..verdict.batch import classify_table

    pack = load_pack(pack_dir)
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if names is not None:
            table = table.rename_columns(names)
        out = classify_table(
            table,
            on=on,
            complete=complete,
            select=select,
            ignore=ignore,
            pack=pack,
            text="plain",  # Spark reads no dictionary-encoded columns
        )
        yield from out.to_batches()


def classify_dataframe(
    frame: Any,
    *,
    pack_dir: str | None = None,
    on: dt.date | str | None = None,
    complete: bool = False,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
) -> Any:
    """A Spark DataFrame of findings (one row per finding, one column per fact) → one of summaries."""
    names = list(frame.columns)
    options = {
        "names": names,
        "pack_dir": pack_dir,
        "on": on,
        "complete": complete,
        "select": select,
        "ignore": ignore,
    }

    def run(batches: Iterable[Any]) -> Iterator[Any]:
        return classify_batches(batches, **options)  # type: ignore[arg-type]

    positional = frame.toDF(*[f"c{i}" for i in range(len(names))])
    return positional.mapInArrow(run, SCHEMA)
