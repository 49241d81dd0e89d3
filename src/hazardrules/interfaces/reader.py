"""Read findings one record at a time, so that no record can take another one down.

Input is JSON Lines, one JSON array, or JSON objects written over several lines (a pretty-printed
file). The shape is seen from the first record:

- The first non-blank character is ``[``: a **JSON array**, split into its elements as it is read
  (never held whole); each element is a record, reported with its index and the line it starts on.
  If the array's structure breaks (a bracket that does not match, the end of the input inside it),
  that is reported and the rest is read again from the broken element on as JSON Lines. Anything
  after the array is read as JSON Lines too.
- Otherwise **JSON Lines**: every line is its own record. The one exception is an object whose
  first line leaves brackets open (``{`` alone, a pretty-printed object): its lines are joined until
  the brackets close. If they never close within :data:`MAX_RECORD_CHARS`, or the joined text is not
  JSON, its first line is reported as a bad record and the following lines are read again one by
  one, so a truncated line never swallows the good records after it.

Per-record problems, each with a stable code: ``not_utf8`` (bytes that are not the input's
encoding, with a hint when they read as GB18030), ``malformed_json``, ``not_json`` (NaN, Infinity),
``duplicate_key``, ``lone_surrogate`` (``"\\ud800"``: not text), ``number_too_large`` (more than
:data:`MAX_INT_DIGITS` digits), ``too_deep`` (more than :data:`MAX_NESTING` levels) and
``too_long`` (a record over :data:`MAX_RECORD_CHARS` characters; the reader skips it without
holding it). Memory stays bounded by one record whatever the input.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

MAX_RECORD_CHARS = 1 << 20  # one finding is a few kB; a whole-site one with installations tens of kB
MAX_NESTING = 32  # a finding nests 3 levels (5 with installations)
MAX_INT_DIGITS = 30  # integers in findings are at most 2**53 (16 digits)
PIECE = 1 << 16  # characters read at a time within one line

Shape = Literal["lines", "array", "object"]


class InputError(Exception):
    """The input as a whole cannot be read (e.g. UTF-16 without ``--encoding``)."""


@dataclass(frozen=True, slots=True)
class RecordError:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Record:
    """One record: its value, or the error that stopped it being read."""

    line: int  # where the record starts (1-based)
    index: int | None = None  # the element's index in a JSON array
    value: Any = None
    error: RecordError | None = None


def _mark_undecodable(error: UnicodeError) -> tuple[str, int]:
    """Decode error handler: each undecodable byte becomes a lone surrogate U+DC00+byte.

    A lone surrogate can never come out of a correct decoding, so its presence in a line means
    "bytes that are not in the encoding" — found per record, after the line is split off.
    """
    if not isinstance(error, UnicodeDecodeError):
        raise error
    marks = "".join(chr(0xDC00 + byte) for byte in error.object[error.start : error.end])
    return marks, error.end


codecs.register_error("hazardrules-mark", _mark_undecodable)
_UNDECODED = re.compile("[\udc00-\udcff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_STRUCTURE = re.compile(r'[][{}"]')
_ARRAY_STRUCTURE = re.compile(r'[][{},"]')
_STRING_END = re.compile(r'["\\]')
_CLOSER = {"]": "[", "}": "{"}


def open_findings(raw: IO[bytes], encoding: str | None = None) -> FindingReader:
    """A reader over the binary stream ``raw`` (UTF-8 with or without a BOM, unless ``encoding``)."""
    chosen = encoding or "utf-8"
    try:
        info = codecs.lookup(chosen)
    except LookupError:
        raise InputError(f"unknown encoding {chosen!r}") from None
    if encoding is None:
        head = raw.peek(4)[:4] if isinstance(raw, io.BufferedReader) else b""
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(
                "the input is UTF-16 or UTF-32 (it starts with a byte-order mark): save it as UTF-8, "
                "or read it with --encoding utf-16"
            )
    name = "utf-8-sig" if info.name == "utf-8" else info.name  # a UTF-8 BOM is skipped, on stdin too
    text = io.TextIOWrapper(raw, encoding=name, errors="hazardrules-mark", newline="\n")
    return FindingReader(text, info.name)


class FindingReader:
    """Iterate over :class:`Record` objects; ``shape`` says what the input looks like."""

    def __init__(self, text: IO[str], encoding: str = "utf-8") -> None:
        self._text = text
        self._encoding = encoding
        self._line = 0
        self._pending: list[tuple[int, str | None]] = []  # whole lines to read again, last first
        self._lenient = False  # after a broken array: a line may end with the array's comma
        self.shape: Shape = "lines"
        self._records = self._read()
        self._first: Record | None = next(self._records, None)

    def __iter__(self) -> Iterator[Record]:
        if self._first is not None:
            first, self._first = self._first, None
            yield first
        yield from self._records

    # -- lines -----------------------------------------------------------------------------------
    def _piece(self) -> tuple[int, str, bool] | None:
        """The next piece of a line: (line number, text without the newline, whether the line ends)."""
        piece = self._text.readline(PIECE)
        if not piece:
            return None
        number = self._line + 1
        if piece.endswith("\n"):
            self._line = number
            return number, piece[:-1].removesuffix("\r"), True
        return number, piece, False

    def _rest_of_line(self, number: int, text: str, ended: bool, budget: int) -> str | None:
        """Complete the line begun by ``text``; None (the rest skipped) if it exceeds ``budget``."""
        parts, size = [text], len(text)
        while not ended:
            following = self._piece()
            if following is None:  # the last line, without a final newline
                self._line = number
                break
            _, more, ended = following
            size += len(more)
            if size > budget:
                parts = []
            elif parts:
                parts.append(more)
        return "".join(parts) if size <= budget else None

    def _next_line(self) -> tuple[int, str | None] | None:
        """The next whole line (None for its text when it is over-long), read again ones first."""
        if self._pending:
            return self._pending.pop()
        piece = self._piece()
        if piece is None:
            return None
        return piece[0], self._rest_of_line(*piece, MAX_RECORD_CHARS)

    def _read(self) -> Iterator[Record]:
        while True:  # up to the first record, which tells the shape
            piece = self._piece()
            if piece is None:
                return
            number, text, ended = piece
            stripped = text.lstrip()
            if stripped.startswith("["):
                self.shape = "array"
                yield from self._array(number, stripped[1:], ended)
                break
            line = self._rest_of_line(number, text, ended, MAX_RECORD_CHARS)
            if line is None:
                yield Record(number, error=_too_long())
                break
            if line.strip():
                record, multiline = self._record(number, line)
                self.shape = "object" if multiline else "lines"
                yield record
                break
        yield from self._lines()

    def _lines(self) -> Iterator[Record]:
        while True:
            got = self._next_line()
            if got is None:
                return
            number, text = got
            if text is None:
                yield Record(number, error=_too_long())
                continue
            if self._lenient:
                text = text.rstrip()
                if text == "]":
                    continue
                text = text.removesuffix(",")
            if text.strip():
                yield self._record(number, text)[0]

    def _record(self, number: int, text: str) -> tuple[Record, bool]:
        """The record starting on line ``number``: one line, or an object over several lines."""
        record = parse_record(text, number, encoding=self._encoding)
        if record.error is None or record.error.code != "malformed_json" or not text.lstrip().startswith("{"):
            return record, False
        depth = _Depth()
        depth.feed(text)
        if depth.broken or not depth.stack:
            return record, False
        lines: list[tuple[int, str | None]] = [(number, text)]
        size = len(text)
        while depth.stack and not depth.broken:
            got = self._next_line()
            if got is None:
                break
            following, more = got
            lines.append((following, more))
            size += len(more or "") + 1
            if more is None or size > MAX_RECORD_CHARS:
                break
            depth.feed(more)
        error = record.error
        assert error is not None
        if not depth.stack and not depth.broken:
            joined = parse_record("\n".join(t or "" for _, t in lines), number, encoding=self._encoding)
            if joined.error is None:
                return joined, True
            message = f"{joined.error.message} in the object over lines {number}–{lines[-1][0]}"
            error = RecordError(joined.error.code, f"{message}; its lines are read again one by one")
        # Not one object over several lines: the first line alone is the bad record; the others
        # are read again one by one.
        self._pending.extend(reversed(lines[1:]))
        return Record(number, error=error), False

    # -- arrays ----------------------------------------------------------------------------------
    def _array(self, number: int, text: str, ended: bool) -> Iterator[Record]:
        """The elements of the array whose ``[`` opens line ``number`` (``text`` is what follows it)."""
        split = _ArraySplit(number)
        while True:
            for element in split.elements(number, text, ended):
                if element.error is not None:
                    yield Record(element.line, element.index, error=element.error)
                elif element.text is None:
                    yield Record(element.line, element.index, error=_too_long())
                else:
                    record = parse_record(element.text, element.line, encoding=self._encoding)
                    yield Record(element.line, element.index, record.value, record.error)
            if split.closed is not None:  # the rest of the line after "]" is read as JSON Lines
                rest = self._rest_of_line(number, text[split.closed :], ended, MAX_RECORD_CHARS)
                if rest is None:
                    yield Record(number, error=_too_long())
                elif rest.strip():
                    self._pending.append((number, rest))
                return
            if split.broken:
                if not ended:
                    rest = self._rest_of_line(number, "", ended, MAX_RECORD_CHARS)
                    split.remember(number, rest or "", True, lost=rest is None)
                self._restart(split)
                return
            piece = self._piece()
            if piece is None:
                yield split.unclosed()
                self._restart(split)
                return
            number, text, ended = piece

    def _restart(self, split: _ArraySplit) -> None:
        """After the array broke: read again, as JSON Lines, from where the unfinished element began."""
        lines: list[tuple[int, str | None]] = []
        for number, text in split.replay:
            if number == split.start_line:
                text = text[split.start_column :]
            lines.append((number, text))
        self._pending.extend(reversed(lines))
        self._lenient = True


@dataclass(slots=True)
class _Element:
    line: int
    index: int
    text: str | None  # None: longer than the limit, not kept
    error: RecordError | None = None


class _Depth:
    """Open brackets across lines, with strings skipped (regular expressions jump between tokens)."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.in_string = False
        self.escaped = False
        self.broken = False

    def feed(self, text: str) -> None:
        position, end = 0, len(text)
        while position < end and not self.broken:
            if self.in_string:
                position = self.skip_string(text, position)
                continue
            match = _STRUCTURE.search(text, position)
            if match is None:
                break
            position = match.end()
            self.token(match.group())
        if self.in_string:
            self.broken = True  # a JSON string never spans lines

    def skip_string(self, text: str, position: int) -> int:
        if self.escaped:
            self.escaped = False
            return position + 1
        match = _STRING_END.search(text, position)
        if match is None:
            return len(text)
        if match.group() == "\\":
            self.escaped = True
        else:
            self.in_string = False
        return match.end()

    def token(self, char: str) -> None:
        if char == '"':
            self.in_string = True
        elif char == ",":
            return
        elif char in "[{":
            self.stack.append(char)
            if len(self.stack) > MAX_NESTING + 2:
                self.broken = True
        elif not self.stack or self.stack.pop() != _CLOSER[char]:
            self.broken = True


class _ArraySplit(_Depth):
    """Finds the elements of a JSON array as its text arrives, holding only the current element.

    ``replay`` keeps the lines from the one where the current element begins (up to the record
    limit), so that after a break they can be read again as JSON Lines.
    """

    def __init__(self, line: int) -> None:
        super().__init__()
        self.stack = ["["]
        self.opened_on = line
        self.index = 0
        self.parts: list[str] = []
        self.size = 0
        self.started = False
        self.start_line = line
        self.start_column = 0
        self.closed: int | None = None  # position after "]" in the last text fed
        self.replay: list[tuple[int, str]] = []
        self.replay_size = 0
        self.line_parts: list[str] = []
        self.line_offset = 0  # characters of the current line in earlier pieces
        self.line_lost = False

    def elements(self, line: int, text: str, ended: bool) -> Iterator[_Element]:
        position, mark, end = 0, 0, len(text)
        while position < end:
            if self.in_string:
                position = self.skip_string(text, position)
                continue
            match = _ARRAY_STRUCTURE.search(text, position)
            if match is None:
                break
            char = match.group()
            if len(self.stack) == 1 and char in ",]":
                self.keep(line, text, mark, match.start())
                element = self.finish(line, char, match.end())
                if element is not None:
                    yield element
                position = mark = match.end()
                if char == "]":
                    self.stack.pop()
                    self.closed = position
                    return
                continue
            position = match.end()
            self.keep(line, text, mark, position)
            mark = position
            self.token(char)
            if self.broken:
                self.remember(line, text, ended)
                yield self.error(f"unexpected {char!r}: the JSON array is broken")
                return
        self.keep(line, text, mark, end)
        if ended and self.started:
            self.parts.append("\n")
        self.remember(line, text, ended)
        if ended and self.in_string:
            self.broken = True
            yield self.error("a text value runs past the end of its line: the JSON array is broken")

    def remember(self, line: int, text: str, ended: bool, lost: bool = False) -> None:
        """Keep the current line (in pieces) for a replay, within the record limit."""
        self.line_lost = self.line_lost or lost or self.replay_size + len(text) > MAX_RECORD_CHARS
        if not self.line_lost:
            self.line_parts.append(text)
            self.replay_size += len(text)
        if ended:
            if not self.line_lost:
                self.replay.append((line, "".join(self.line_parts)))
            self.line_parts, self.line_offset, self.line_lost = [], 0, False
        else:
            self.line_offset += len(text)

    def keep(self, line: int, text: str, start: int, end: int) -> None:
        """Add ``text[start:end]`` to the current element."""
        if not self.started:
            chunk = text[start:end]
            if not chunk.strip():
                return
            start += len(chunk) - len(chunk.lstrip())
            self.started = True
            self.begin(line, self.line_offset + start)
        if self.size <= MAX_RECORD_CHARS:
            self.size += end - start
            self.parts.append(text[start:end])

    def begin(self, line: int, column: int) -> None:
        """An element (or the space before one) begins here: lines before this one are done."""
        self.start_line, self.start_column = line, column
        self.replay = []
        self.replay_size = sum(map(len, self.line_parts))

    def finish(self, line: int, char: str, after: int) -> _Element | None:
        """The element that ``char`` ("," or "]") ends; an error for an empty one, None for "[]"."""
        element = None
        if self.started:
            text = "".join(self.parts) if self.size <= MAX_RECORD_CHARS else None
            element = _Element(self.start_line, self.index, text)
        elif char == "," or self.index:
            message = "an empty element (two commas, or a comma before ']')"
            element = _Element(
                line, self.index, None, RecordError("malformed_json", f"malformed JSON: {message}")
            )
        if element is not None:
            self.index += 1
        self.parts, self.size, self.started = [], 0, False
        self.begin(line, self.line_offset + after)
        return element

    def error(self, message: str) -> _Element:
        return _Element(
            self.start_line, self.index, None, RecordError("malformed_json", f"malformed JSON: {message}")
        )

    def unclosed(self) -> Record:
        message = f"the JSON array opened on line {self.opened_on} is not closed"
        return Record(
            self.start_line, self.index, error=RecordError("malformed_json", f"malformed JSON: {message}")
        )


# -- one record ------------------------------------------------------------------------------------
class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused("duplicate_key", f"the key {_short(key)!r} appears twice in one object")
            seen.add(key)
    return found


def _integer(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise _Refused("number_too_large", f"an integer of {len(text)} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _constant(text: str) -> Any:
    raise _Refused("not_json", f"{text} is not a JSON value")


_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_int=_integer, parse_constant=_constant)


def parse_record(text: str, line: int, *, encoding: str = "utf-8") -> Record:
    """Parse one record's text (which starts on ``line``)."""
    if not text.isascii():
        bad = _UNDECODED.search(text)
        if bad is not None:
            return Record(line, error=_undecodable(text, bad.start(), line, encoding))
    try:
        value = _DECODER.decode(text)
    except _Refused as exc:
        return Record(line, error=RecordError(exc.code, exc.message))
    except json.JSONDecodeError as exc:
        where = f"column {exc.colno}"
        if exc.lineno > 1:
            where = f"line {line + exc.lineno - 1}, {where}"
        hint = " (NUL bytes: is the file UTF-16? read it with --encoding utf-16)" if "\0" in text else ""
        return Record(line, error=RecordError("malformed_json", f"malformed JSON: {exc.msg} ({where}){hint}"))
    except RecursionError:
        return Record(line, error=_too_deep())
    if text.count("[") + text.count("{") > MAX_NESTING or _SURROGATE_ESCAPE.search(text):
        problem = _inspect(value)
        if problem is not None:
            return Record(line, error=problem)
    return Record(line, value=value)


def _inspect(value: Any) -> RecordError | None:
    """Depth and lone surrogates, walked without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _LONE.search(item):
                message = f"{_short(item)!r} holds a lone surrogate (\\ud800–\\udfff), which is not text"
                return RecordError("lone_surrogate", message)
            continue
        if depth > MAX_NESTING:
            return _too_deep()
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return None


_LONE = re.compile("[\ud800-\udfff]")


def _undecodable(text: str, position: int, line: int, encoding: str) -> RecordError:
    column = position + 1
    message = f"bytes that are not {encoding.upper()} text (column {column})"
    if encoding == "utf-8":
        try:
            _original(text).decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            message += (
                "; the line reads as GBK/GB18030 (as Excel saves CSV/text on Chinese Windows): "
                "read the file with --encoding gb18030"
            )
    return RecordError("not_utf8", message)


def _original(text: str) -> bytes:
    """The bytes a marked line was decoded from (marks back to bytes, the rest re-encoded)."""
    out = bytearray()
    for char in text:
        code = ord(char)
        out.extend(bytes([code - 0xDC00]) if 0xDC00 <= code <= 0xDCFF else char.encode("utf-8"))
    return bytes(out)


def _too_long() -> RecordError:
    return RecordError("too_long", f"a record longer than {MAX_RECORD_CHARS:,} characters: skipped")


def _too_deep() -> RecordError:
    return RecordError("too_deep", f"nested more than {MAX_NESTING} levels deep")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[:limit]}…(+{len(text) - limit} chars)"
