"""The record-at-a-time reader: every line its own record, arrays streamed, every problem per record."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hazardrules.interfaces.reader import (
    MAX_NESTING,
    MAX_RECORD_CHARS,
    InputError,
    Record,
    open_findings,
)

from ._stream import BAD


def read(data: bytes, encoding: str | None = None) -> tuple[str, list[Record]]:
    reader = open_findings(io.BufferedReader(io.BytesIO(data)), encoding)  # type: ignore[arg-type]
    return reader.shape, list(reader)


def summary(records: list[Record]) -> list[tuple[int, int | None, Any]]:
    return [(r.line, r.index, r.value if r.error is None else r.error.code) for r in records]


A, B = {"id": "a"}, {"id": "b"}
LINE_A, LINE_B = json.dumps(A).encode(), json.dumps(B).encode()


# -- JSON Lines: one bad line never takes the others down -------------------------------------------
@pytest.mark.parametrize("first", [b"{broken", b"null", b'{"id": "x", "facts": {', b"[1, 2", b"\xff{}"])
def test_a_bad_first_line_loses_nothing(first: bytes) -> None:
    _, records = read(first + b"\n" + LINE_A + b"\n\n" + LINE_B + b"\n")
    values = [r.value for r in records if r.error is None]
    assert values[-2:] == [A, B]
    assert [r.line for r in records][-2:] == [2, 4]


def test_a_utf8_bom_is_skipped_on_a_stream_too() -> None:
    assert summary(read(b"\xef\xbb\xbf" + LINE_A + b"\n" + LINE_B)[1]) == [(1, None, A), (2, None, B)]


def test_crlf_and_no_final_newline() -> None:
    assert summary(read(LINE_A + b"\r\n" + LINE_B)[1]) == [(1, None, A), (2, None, B)]


@pytest.mark.parametrize(("kind", "entry"), sorted(BAD.items()))
def test_every_bad_kind_is_that_line_alone(kind: str, entry: tuple[bytes, str]) -> None:
    data, code = entry
    _, records = read(LINE_A + b"\n" + data + b"\n" + LINE_B + b"\n")
    assert records[0].value == A and records[-1].value == B and records[-1].line == 3
    assert len(records) == 3
    if code in {"malformed_json", "not_utf8", "lone_surrogate", "number_too_large", "too_deep"} | {
        "duplicate_key",
        "not_json",
        "too_long",
    }:
        assert records[1].error is not None and records[1].error.code == code
    else:  # read fine; the finding itself is bad (classify says why)
        assert records[1].error is None


def test_duplicate_keys_are_refused_at_any_depth() -> None:
    _, records = read(b'{"facts": {"a.b": true, "a.b": false}}\n{"facts": {}, "facts": {"a.b": 1}}\n')
    assert [r.error.code if r.error else None for r in records] == ["duplicate_key", "duplicate_key"]


def test_nesting_limit_is_exact() -> None:
    def nested(levels: int) -> bytes:
        return b'{"a": ' * (levels - 1) + b"{}" + b"}" * (levels - 1)

    _, records = read(nested(MAX_NESTING) + b"\n" + nested(MAX_NESTING + 1) + b"\n")
    assert records[0].error is None
    assert records[1].error is not None and records[1].error.code == "too_deep"


def test_a_valid_surrogate_pair_is_text_a_lone_one_is_not() -> None:
    _, records = read(b'{"id": "\\ud83d\\ude00"}\n{"id": "\\ude00\\ud83d"}\n')
    assert records[0].value == {"id": "\U0001f600"}
    assert records[1].error is not None and records[1].error.code == "lone_surrogate"


def test_over_long_line_is_skipped_without_being_held() -> None:
    long = b'{"id": "' + b"x" * (3 * MAX_RECORD_CHARS) + b'"}'
    assert summary(read(LINE_A + b"\n" + long + b"\n" + LINE_B)[1]) == [
        (1, None, A),
        (2, None, "too_long"),
        (3, None, B),
    ]


# -- encodings ---------------------------------------------------------------------------------
def test_gbk_bytes_are_that_records_error_with_a_hint_and_encoding_reads_them() -> None:
    chinese = json.dumps({"id": "甲-1", "description": "外包单位"}, ensure_ascii=False)
    data = chinese.encode("gb18030") + b"\n" + LINE_A + b"\n"
    _, records = read(data)
    assert records[0].error is not None and records[0].error.code == "not_utf8"
    assert "--encoding gb18030" in records[0].error.message
    assert records[1].value == A
    _, records = read(data, "gb18030")
    assert [r.value for r in records] == [json.loads(chinese), A]


def test_utf16_without_encoding_is_an_input_error_and_with_it_is_read() -> None:
    data = (json.dumps(A) + "\n" + json.dumps(B) + "\n").encode("utf-16")
    with pytest.raises(InputError, match="--encoding utf-16"):
        read(data)
    assert [r.value for r in read(data, "utf-16")[1]] == [A, B]


def test_bad_bytes_in_utf16_are_that_records_error() -> None:
    data = (
        json.dumps(A).encode("utf-16-le")
        + b"\n\x00"
        + b"\x00\xd8"
        + b"\n\x00"
        + json.dumps(B).encode("utf-16-le")
    )
    assert summary(read(b"\xff\xfe" + data, "utf-16")[1]) == [
        (1, None, A),
        (2, None, "not_utf8"),
        (3, None, B),
    ]


def test_unknown_encoding() -> None:
    with pytest.raises(InputError, match="unknown encoding"):
        read(LINE_A, "no-such-codec")


# -- pretty-printed objects --------------------------------------------------------------------
def test_an_object_over_several_lines_is_one_record() -> None:
    pretty = [json.dumps(A, indent=2).encode(), json.dumps(B, indent=4).encode(), LINE_A]
    shape, records = read(b"\n".join(pretty))  # lines 1-3, 4-6 and 7
    assert shape == "object"
    assert summary(records) == [(1, None, A), (4, None, B), (7, None, A)]


def test_a_malformed_object_over_several_lines_points_at_its_error() -> None:
    data = b'{\n  "sector": "metallurgy",\n  "facts": {,}\n}\n' + LINE_A + b"\n"
    _, records = read(data)
    assert records[0].error is not None and "line 3, column 13" in records[0].error.message
    assert records[-1].value == A and records[-1].line == 5


def test_a_truncated_line_never_swallows_the_good_lines_after_it() -> None:
    lines = [b'{"id": "t", "facts": {"a": [1, 2'] + [json.dumps({"id": str(i)}).encode() for i in range(50)]
    _, records = read(b"\n".join(lines))
    assert [r.value for r in records[1:]] == [{"id": str(i)} for i in range(50)]
    assert records[0].error is not None and records[0].line == 1


# -- JSON arrays -------------------------------------------------------------------------------
def test_array_elements_carry_their_index_and_line() -> None:
    data = b'[{"id": "a"}, {"id": "b"},\n  {"id": tru},\n  {"id": "c", "id": "d"},\n  null\n]\n'
    shape, records = read(data)
    assert shape == "array"
    assert summary(records) == [
        (1, 0, {"id": "a"}),
        (1, 1, {"id": "b"}),
        (2, 2, "malformed_json"),
        (3, 3, "duplicate_key"),
        (4, 4, None),
    ]


def test_pretty_printed_array() -> None:
    data = json.dumps([A, {"id": "b", "facts": {"x.y": [1, {"z": "]"}]}}, B], indent=2).encode()
    _, records = read(data)
    assert [(r.line, r.index) for r in records] == [(2, 0), (5, 1), (16, 2)]
    assert [r.value for r in records] == json.loads(data)


@pytest.mark.parametrize(
    ("data", "codes"), [(b"[]", []), (b"[1,,2,]", [None, "malformed_json", None, "malformed_json"])]
)
def test_empty_arrays_and_empty_elements(data: bytes, codes: list[str | None]) -> None:
    assert [r.error.code if r.error else None for r in read(data)[1]] == codes


def test_content_after_the_array_is_read_as_json_lines() -> None:
    _, records = read(b"[" + LINE_A + b"] " + LINE_B + b"\n" + LINE_A + b"\n")
    assert summary(records) == [(1, 0, A), (1, None, B), (2, None, A)]


def test_a_broken_array_is_read_again_as_json_lines_from_the_broken_element() -> None:
    data = b'[{"id": "a"},\n{broken\n{"id": "b"},\n{"id": "c"}\n]\n'
    records = read(data)[1]
    assert [r.value for r in records if r.error is None] == [A, B, {"id": "c"}]
    assert {r.line for r in records if r.error is not None} == {2}


def test_an_unclosed_array_loses_no_element() -> None:
    records = read(b"[\n" + LINE_A + b"\n" + LINE_B + b"\n")[1]
    assert [r.value for r in records if r.error is None] == [A, B]
    assert [r.error.code for r in records if r.error is not None] == ["malformed_json"]


def test_an_over_long_element_is_skipped_and_the_array_goes_on() -> None:
    long = b'{"id": "' + b"x" * (2 * MAX_RECORD_CHARS) + b'"}'
    assert summary(read(b"[" + LINE_A + b"," + long + b"," + LINE_B + b"]")[1]) == [
        (1, 0, A),
        (1, 1, "too_long"),
        (1, 2, B),
    ]


class _Counting(io.RawIOBase):
    """A raw stream that produces a long one-line JSON array on demand, counting what was read."""

    def __init__(self, elements: int) -> None:
        self.data = (
            b"["
            + b",".join(json.dumps({"id": str(i), "pad": "x" * 60}).encode() for i in range(elements))
            + b"]"
        )
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self.data[self.served : self.served + len(buffer)]
        buffer[: len(chunk)] = chunk
        self.served += len(chunk)
        return len(chunk)


def test_an_array_is_streamed_not_read_whole() -> None:
    raw = _Counting(20_000)  # about 1.7 MB on one line
    records = iter(open_findings(io.BufferedReader(raw)))
    first = next(records)
    assert first.value is not None and first.value["id"] == "0"
    assert raw.served < len(raw.data) / 10
    assert sum(1 for _ in records) == 19_999


# -- properties --------------------------------------------------------------------------------
GOOD_LINES = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.one_of(st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=10), st.none()),
    max_size=4,
).map(lambda d: ("good", d))
BAD_LINES = st.sampled_from(sorted(k for k in BAD if k not in ("too_long", "long_name"))).map(
    lambda k: ("bad", k)
)


@given(st.lists(st.one_of(GOOD_LINES, BAD_LINES, st.just(("blank", None))), max_size=30))
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_one_record_per_non_blank_line_whatever_the_mix(items: list[tuple[str, Any]]) -> None:
    lines = []
    for kind, value in items:
        if kind == "good":
            lines.append(json.dumps(value, ensure_ascii=False).encode())
        elif kind == "bad":
            lines.append(BAD[value][0])
        else:
            lines.append(b"  ")
    _, records = read(b"\n".join([LINE_A, *lines]))  # a good first line: JSON Lines
    expected = [(1, A)] + [
        (number, value) for number, (kind, value) in enumerate(items, start=2) if kind != "blank"
    ]
    assert [r.line for r in records] == [number for number, _ in expected]
    for record, (_, value), item in zip(
        records, expected, [("good", A), *[i for i in items if i[0] != "blank"]], strict=True
    ):
        if item[0] == "good":
            assert record.error is None and record.value == value


ELEMENTS = st.one_of(
    st.dictionaries(
        st.text(max_size=5),
        st.one_of(st.booleans(), st.text(max_size=5), st.lists(st.integers(-(10**20), 10**20), max_size=3)),
        max_size=3,
    ),
    st.integers(-(10**20), 10**20),
    st.text(max_size=5),
    st.none(),
    st.lists(st.text(max_size=3), max_size=3),
)


@given(st.lists(ELEMENTS, max_size=20), st.sampled_from([None, 0, 1, 2]), st.sampled_from(["", "\n", "  "]))
@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_any_array_compact_or_pretty_gives_its_elements_in_order(
    elements: list[Any], indent: int | None, after: str
) -> None:
    data = json.dumps(elements, indent=indent, ensure_ascii=False).encode() + after.encode() + LINE_A
    shape, records = read(data)
    assert shape == "array"
    assert [r.value for r in records] == [*elements, A]
    assert [r.index for r in records] == [*range(len(elements)), None]
