"""A batch never loses a good record: a 10,000-line JSON Lines stream with bad lines of every kind at
known places, read by the command line. The 1,000,000-line run is benchmarks/stream_check.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hazardrules
from hazardrules.interfaces.cli import main

from ._stream import BAD, Line, spread, stream

TOTAL = 10_000


@pytest.fixture(scope="module")
def lines() -> list[Line]:
    return list(stream(TOTAL, spread(TOTAL, sorted(BAD), copies=3)))


def test_every_good_record_classified_every_bad_one_reported_at_its_line(
    lines: list[Line], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "findings.jsonl"
    path.write_bytes(b"\n".join(line.data for line in lines) + b"\n")
    code = main(["classify", str(path)])
    captured = capsys.readouterr()
    assert code == 1  # some records were bad, none was lost, nothing crashed
    outputs = [json.loads(text) for text in captured.out.splitlines()]
    records = [line for line in lines if line.expect != ""]
    assert len(outputs) == len(records)
    codes_seen: dict[str, int] = {}
    for line, output in zip(records, outputs, strict=True):
        if line.expect is None:
            finding = json.loads(line.data)
            expected = hazardrules.classify(finding).model_dump(mode="json")
            assert output == expected, line.number
        else:
            assert output["line"] == line.number
            problem_codes = [p["code"] for p in output["error"]["problems"]]
            assert line.expect in problem_codes, (line.number, problem_codes)
            codes_seen[line.expect] = codes_seen.get(line.expect, 0) + 1
            assert f"{path}:{line.number}: " in captured.err
    assert set(codes_seen) == {code for _, code in BAD.values()}
    bad = sum(1 for line in records if line.expect is not None)
    assert f"{len(records)} record(s), {len(records) - bad} classified, {bad} not" in captured.err


def test_the_same_stream_on_stdin_with_a_bom(
    lines: list[Line], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    head = lines[:300]
    data = b"\xef\xbb\xbf" + b"\r\n".join(line.data for line in head)  # BOM, CRLF, no final newline
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(["classify", "-"])
    out = capsys.readouterr().out.splitlines()
    records = [line for line in head if line.expect != ""]
    assert code == 1 and len(out) == len(records)
    for line, text in zip(records, out, strict=True):
        output = json.loads(text)
        if line.expect is None:
            assert output["finding_id"] == line.finding_id
        else:
            assert output["line"] == line.number
