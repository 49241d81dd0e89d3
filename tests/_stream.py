"""A JSON Lines stream of findings with bad lines of every kind at known places.

Shared by the stream test (tests/test_stream.py, ~10,000 lines) and the benchmark
(benchmarks/stream_check.py, 1,000,000 lines). Each line comes with what it should give: a good
finding (its id), a blank line (nothing), or the error code of a bad one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from hazardrules.interfaces.reader import MAX_RECORD_CHARS


def _finding(facts: dict[str, object], **extra: object) -> bytes:
    return json.dumps({"sector": "metallurgy", **extra, "facts": facts}, ensure_ascii=False).encode()


# kind → (the line's bytes, the expected error code)
BAD: dict[str, tuple[bytes, str]] = {
    "truncated": (
        b'{"id": "t", "sector": "metallurgy", "facts": {"contractor.present": tr',
        "malformed_json",
    ),
    "malformed": (b"{broken", "malformed_json"),
    "null": (b"null", "invalid"),
    "array_line": (b'[{"sector": "metallurgy"}]', "invalid"),
    "gbk": (_finding({}, id="中文编号").decode().encode("gb18030"), "not_utf8"),
    "utf16": ('{"sector": "metallurgy", "facts": {}}'.encode("utf-16-le"), "malformed_json"),
    "surrogate_id": (b'{"id": "\\ud800", "sector": "metallurgy", "facts": {}}', "lone_surrogate"),
    "surrogate_fact": (b'{"sector": "metallurgy", "facts": {"a\\udfffb": true}}', "lone_surrogate"),
    "huge_int": (
        b'{"sector": "metallurgy", "facts": {"fireworks.building_workers": ' + b"9" * 5001 + b"}}",
        "number_too_large",
    ),
    "deep": (b'{"a": ' * 1100 + b"1" + b"}" * 1100, "too_deep"),
    "duplicate_fact": (
        b'{"sector": "metallurgy", "facts": {"special_worker.uncertified_on_duty": true, '
        b'"special_worker.uncertified_on_duty": false}}',
        "duplicate_key",
    ),
    "duplicate_facts": (
        b'{"sector": "metallurgy", "facts": {"special_worker.uncertified_on_duty": true}, "facts": {}}',
        "duplicate_key",
    ),
    "nan": (b'{"sector": "metallurgy", "facts": {"fireworks.building_workers": NaN}}', "not_json"),
    "unknown_fact": (_finding({"contractor.presnt": True}), "unknown_fact"),
    "long_name": (_finding({"x" * 100_000: True}), "unknown_fact"),
    "wrong_type": (_finding({"contractor.present": "yes"}), "wrong_type"),
    "negative_count": (_finding({"fireworks.building_workers": -1}), "out_of_range"),
    "python_huge_int": (_finding({"fireworks.building_workers": 10**20}), "out_of_range"),
    "epoch_date": (_finding({}, observed_on=1709251200), "invalid_date"),
    "unknown_sector": (b'{"sector": "mining", "facts": {}}', "unknown_sector"),
    "too_long": (b'{"id": "' + b"x" * (MAX_RECORD_CHARS + 10) + b'"}', "too_long"),
}

GOOD: list[dict[str, object]] = [
    {"special_worker.uncertified_on_duty": True},  # major
    {"contractor.present": True},  # undetermined
    {"contractor.present": True, "contractor.coordinated": True, "contractor.inspected_regularly": True},
    {"fireworks.building_workers": 3},  # read by no rule of the sector: a warning, still a verdict
]


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    data: bytes
    expect: str | None  # None: a good finding; "" a blank line; otherwise the error code
    finding_id: str | None = None


def stream(total: int, bad_at: dict[int, str], blank_every: int = 997) -> Iterator[Line]:
    """``total`` lines; line ``n`` is ``BAD[bad_at[n]]`` when given, else good or blank."""
    for number in range(1, total + 1):
        kind = bad_at.get(number)
        if kind is not None:
            data, code = BAD[kind]
            yield Line(number, data, code)
        elif number % blank_every == 0:
            yield Line(number, b"   ", "")
        else:
            finding_id = f"G{number}"
            facts = GOOD[number % len(GOOD)]
            data = _finding(facts, id=finding_id, observed_on="2024-03-01")
            yield Line(number, data, None, finding_id)


def spread(total: int, kinds: list[str], copies: int, first: str | None = "null") -> dict[int, str]:
    """Each kind ``copies`` times at evenly spread, known lines (and ``first`` on line 1)."""
    places: dict[int, str] = {1: first} if first else {}
    slots = len(kinds) * copies
    for slot in range(slots):
        number = 2 + slot * (total - 2) // slots + (slot % 7)
        places[number] = kinds[slot % len(kinds)]
    return places
