"""The keyword arguments of :func:`~hazardrules.classify`, checked and normalised before anything runs.

A wrong argument is an :class:`~hazardrules.ArgumentError` saying what is accepted, never a
``TypeError`` from deep inside, and never a silently different question:

- ``on``: a ``date``, a ``datetime`` (its date is taken) or text written exactly ``YYYY-MM-DD``.
- ``complete``: ``True`` or ``False``.
- ``select`` / ``ignore``: rule ids or prefixes, as a list (any iterable of text). A bare string is
  taken as ONE id or prefix — ``select="gm-2023"`` means ``select=["gm-2023"]`` — since a string
  is never meant as a list of its characters.
- ``pack``: a :class:`~hazardrules.Pack`, or the path of a rule-pack directory (loaded once and
  reused until a file in it changes).
- ``readings``: which documented readings apply — ``None`` or ``"all"`` (default: every one),
  ``"none"`` or an empty list (none), or a list of reading ids (only those).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import ArgumentError, shorten
from ..pack.model import Pack
from ..pack.resources import default_pack, load_pack
from .finding import strict_date


class Arguments(NamedTuple):
    on: dt.date | None
    complete: bool
    select: tuple[str, ...] | None
    ignore: tuple[str, ...] | None
    pack: Pack


def arguments(on: Any, complete: Any, select: Any, ignore: Any, pack: Any) -> Arguments:
    """Check and normalise ``classify``'s arguments; raise :class:`ArgumentError` naming the wrong one."""
    day = None
    if on is not None:
        day, message = strict_date(on, "on")
        if message is not None:
            raise ArgumentError(message)
    if complete is not True and complete is not False:
        raise ArgumentError(f"complete must be True or False, not {shorten(repr(complete))}")
    return Arguments(day, complete, _patterns("select", select), _patterns("ignore", ignore), _pack(pack))


def _patterns(option: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, bytes | bytearray) or not isinstance(value, Iterable):
        kind = type(value).__name__
        raise ArgumentError(f"{option} takes rule ids or prefixes (a list of text), not {kind}")
    patterns = tuple(value)
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern:
            what = "an empty text" if pattern == "" else shorten(repr(pattern))
            raise ArgumentError(f"{option}: every rule id or prefix is a non-empty text; got {what}")
    return patterns


def _pack(value: Any) -> Pack:
    if value is None:
        return default_pack()
    if isinstance(value, Pack):
        return value
    if isinstance(value, str | os.PathLike):
        root = Path(value).resolve()
        if not root.is_dir():
            raise ArgumentError(f"pack: {str(value)!r} is not a rule-pack directory")
        return _load(root, _signature(root))
    raise ArgumentError(
        f"pack must be a Pack (hazardrules.load_pack(…)) or the path of a rule-pack directory, "
        f"not {type(value).__name__}"
    )


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of every file of the pack: a change loads it again."""
    entries: list[tuple[str, int, int]] = []
    for folder in (root, root / "facts", root / "standards"):
        if not folder.is_dir():
            continue
        with os.scandir(folder) as found:
            for entry in found:
                if entry.is_file():
                    info = entry.stat()
                    entries.append((entry.path, info.st_mtime_ns, info.st_size))
    return tuple(sorted(entries))


@functools.lru_cache(maxsize=16)
def _load(root: Path, signature: tuple[tuple[str, int, int], ...]) -> Pack:
    return load_pack(root)


def reading_switch(pack: Pack, readings: Any) -> frozenset[str]:
    """The documented readings switched off by ``classify(readings=…)``; ArgumentError naming an
    unknown reading or a wrong value."""
    if readings is None or readings == "all":
        return frozenset()
    known = pack.readings()
    if readings == "none":
        return frozenset(known)
    if isinstance(readings, str):
        readings = [readings]
    if isinstance(readings, bytes | bytearray) or not isinstance(readings, Iterable):
        raise ArgumentError(
            f"readings takes 'all', 'none' or a list of reading ids, not {type(readings).__name__}"
        )
    chosen = list(readings)
    unknown = [r for r in chosen if not isinstance(r, str) or r not in known]
    if unknown:
        listing = ", ".join(known) or "none in this pack"
        raise ArgumentError(f"readings: unknown reading(s) {shorten(repr(unknown))}; known: {listing}")
    return frozenset(known) - frozenset(chosen)
