"""Tables for people, written row by row as results arrive (nothing is held), every cell escaped.

A column is a title, a width and a function from a result to its cell, so adding one is one line in
a list. Widths count a CJK character as two terminal cells; a cell wider than its column is cut with
"…". Control and format characters (escape sequences, bidirectional overrides, line breaks) are
shown as ``\\x1b``/``\\u202e`` escapes, and a backslash as ``\\\\``, so no value can draw a row of its
own, move the cursor or colour the terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def escape(text: str) -> str:
    """``text`` with every character a terminal would act on (not print) written as an escape."""
    if text.isprintable() and "\\" not in text:
        return text
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char.isprintable() or unicodedata.category(char) == "Zs":
            out.append(char)
        else:
            out.append(_escaped(ord(char)))
    return "".join(out)


def _escaped(code: int) -> str:
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def width(text: str) -> int:
    """Terminal cells: two for a wide (CJK) character, one otherwise."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, cells: int | None) -> str:
    """``text`` escaped, cut to ``cells`` terminal cells (with "…") and padded to exactly that."""
    text = escape(text)
    if cells is None:
        return text
    used = width(text)
    if used > cells:
        kept, used = [], 0
        for char in text:
            size = width(char)
            if used + size > cells - 1:
                break
            kept.append(char)
            used += size
        text = "".join(kept) + "…"
        used += 1
    return text + " " * (cells - used)


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    title: str
    width: int | None  # None: the last column, neither cut nor padded
    cell: Callable[[T], str]


class Table(Generic[T]):
    """Writes the header at once, then one line per :meth:`row` through ``write``."""

    def __init__(self, columns: Sequence[Column[T]], write: Callable[[str], object]) -> None:
        self.columns = columns
        self.write = write
        self.line([c.title for c in columns])
        self.write("  ".join("-" * (c.width or max(width(c.title), 12)) for c in columns) + "\n")

    def row(self, item: T) -> None:
        self.line([column.cell(item) for column in self.columns])

    def line(self, cells: Sequence[str], span_from: int | None = None) -> None:
        """One line; from column ``span_from`` on, the cells run on unpadded (a message)."""
        out = []
        for index, (column, cell) in enumerate(zip(self.columns, cells, strict=False)):
            free = span_from is not None and index >= span_from
            out.append(fit(cell, None if free else column.width))
        self.write("  ".join(out).rstrip() + "\n")


def render(rows: Sequence[Sequence[str]]) -> str:
    """A small table whose column widths fit its content (e.g. ``rules list``), cells escaped."""
    escaped = [[escape(cell) for cell in row] for row in rows]
    widths = [max(width(row[i]) for row in escaped) for i in range(len(escaped[0]))]
    lines = []
    for index, row in enumerate(escaped):
        cells = [cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
