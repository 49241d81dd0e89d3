"""The batch API's entry points, importable without pyarrow (``pip install hazardrules[arrow]``):
pyarrow and numpy are imported on first use, with an error that says how to install them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import HazardRulesError
from ..pack.model import Pack

if TYPE_CHECKING:
    from .batch import Text, Verdicts


def _batch() -> Any:
    try:
        from . import batch
    except ModuleNotFoundError as exc:
        if exc.name in ("pyarrow", "numpy"):
            raise HazardRulesError(
                f"the batch API needs {exc.name}: pip install 'hazardrules[arrow]'"
            ) from None
        raise
    return batch


def classify_table(
    table: Any,
    *,
    on: dt.date | str | None = None,
    complete: bool = False,
    select: Iterable[str] | str | None = None,
    ignore: Iterable[str] | str | None = None,
    pack: Pack | str | os.PathLike[str] | None = None,
    verdicts: Verdicts = None,
    readings: Iterable[str] | str | None = None,
    text: Text = "dictionary",
) -> Any:
    """Classify every row of a pyarrow Table (one finding per row), as ``classify`` would.

    Returns a pyarrow Table, one row per finding in the same order: ``id``, ``status``, ``sector``,
    ``on``, ``standards``, ``hits``, ``undetermined``, ``missing_facts``, ``warnings``, ``notes``,
    ``gaps``, ``error`` — on each row what ``classify(row, detail="summary")`` says — and, with
    ``verdicts``, the full verdict JSON of the chosen rows. ``readings`` is ``classify``'s.
    The texts that repeat from row to row (``status``, ``sector``, the lists) are dictionary-encoded;
    ``text="plain"`` writes them out as plain text.
    """
    return _batch().classify_table(
        table,
        on=on,
        complete=complete,
        select=select,
        ignore=ignore,
        pack=pack,
        verdicts=verdicts,
        readings=readings,
        text=text,
    )


def findings_table(findings: Iterable[Any], pack: Pack | None = None) -> Any:
    """A pyarrow Table of findings (JSON-shaped mappings), one typed column per fact."""
    return _batch().findings_table(findings, pack)
