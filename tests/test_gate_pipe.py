"""``classify --fail-on major|undetermined`` (exit codes 5 and 6 for gating scripts) and the pipe
protocol: ``hazardrules classify -`` as a co-process answers each line before the next is sent."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

import pytest

import hazardrules
from hazardrules.interfaces import cli, gate
from hazardrules.interfaces.cli import main

from ._examples import all_examples

MAJOR = {"id": "m", "sector": "metallurgy", "facts": {"special_worker.uncertified_on_duty": True}}
OPEN = {"id": "u", "sector": "metallurgy", "facts": {"contractor.present": True}}
BAD = {"id": "b", "sector": "metallurgy", "facts": {"contractor.presnt": True}}
COMMAND = [sys.executable, "-m", "hazardrules", "classify", "-"]


def _not_major() -> dict[str, Any]:
    for _, _, finding, expect in all_examples():
        if expect == "does_not_hold" and hazardrules.classify(finding).status == "not_major":
            return finding
    raise AssertionError("no example gives not_major")


CLEAR = _not_major()


def _exit(tmp_path: Path, capsys: pytest.CaptureFixture[str], findings: list[Any], *options: str) -> int:
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in findings), encoding="utf-8")
    code = main(["classify", str(path), *options])
    capsys.readouterr()
    return code


def test_statuses_are_what_the_cases_say() -> None:
    assert hazardrules.classify(MAJOR).status == "major"
    assert hazardrules.classify(OPEN).status == "undetermined"
    assert hazardrules.classify(CLEAR).status == "not_major"


@pytest.mark.parametrize(
    ("findings", "fail_on", "expected"),
    [
        ([CLEAR, OPEN, MAJOR], None, cli.OK),
        ([CLEAR], "major", cli.OK),
        ([CLEAR], "undetermined", cli.OK),
        ([CLEAR, OPEN], "major", cli.OK),
        ([CLEAR, OPEN], "undetermined", gate.FOUND_UNDETERMINED),
        ([CLEAR, MAJOR], "major", gate.FOUND_MAJOR),
        ([OPEN, MAJOR, CLEAR], "undetermined", gate.FOUND_MAJOR),
        ([CLEAR, BAD], "major", cli.BAD_RECORDS),
        ([CLEAR, BAD], None, cli.BAD_RECORDS),
        ([BAD, MAJOR], "major", gate.FOUND_MAJOR),
        ([BAD, OPEN], "undetermined", gate.FOUND_UNDETERMINED),
    ],
)
def test_fail_on_exit_codes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    findings: list[Any],
    fail_on: str | None,
    expected: int,
) -> None:
    options = ("--fail-on", fail_on) if fail_on else ()
    assert _exit(tmp_path, capsys, findings, *options) == expected


def test_fail_on_says_why_on_stderr_and_keeps_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(MAJOR) + "\n" + json.dumps(MAJOR) + "\n", encoding="utf-8")
    assert main(["classify", str(path), "--fail-on", "major"]) == 5
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2
    assert "2 major verdict(s) (--fail-on major)" in captured.err


def test_the_codes_are_distinct_from_issue_13s() -> None:
    assert {gate.FOUND_MAJOR, gate.FOUND_UNDETERMINED}.isdisjoint(
        {cli.OK, cli.BAD_RECORDS, cli.USAGE, cli.FILE_ERROR, cli.INTERRUPTED}
    )
    with pytest.raises(SystemExit) as usage:
        main(["classify", "-", "--fail-on", "minor"])
    assert usage.value.code == cli.USAGE


def _reader(stream: IO[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    return lines


@pytest.mark.parametrize("options", [(), ("--fail-on", "major")])
def test_classify_dash_is_a_co_process(options: tuple[str, ...]) -> None:
    """One compact JSON line in, one JSON line out, before the next line is written."""
    process = subprocess.Popen(
        [*COMMAND, *options],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    answers = _reader(process.stdout)
    errors = _reader(process.stderr)
    try:
        for finding in [CLEAR, BAD, MAJOR, OPEN, CLEAR]:
            process.stdin.write(json.dumps(finding, ensure_ascii=False) + "\n")
            process.stdin.flush()
            answer = json.loads(answers.get(timeout=120))  # the answer comes while stdin stays open
            if finding is BAD:
                assert answer["error"]["finding_id"] == "b"
                assert answer["error"]["problems"][0]["code"] == "unknown_fact"
                assert "unknown fact" in errors.get(timeout=120)
            else:
                assert answer["finding_id"] == finding.get("id")
                assert answer["status"] == hazardrules.classify(finding).status
        process.stdin.close()
        assert answers.get(timeout=120) == ""  # nothing more after the last answer
        code = process.wait(timeout=120)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()
    assert code == (gate.FOUND_MAJOR if options else cli.BAD_RECORDS)
