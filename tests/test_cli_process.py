"""The command line as a process: distinct exit codes, streamed output, escaped tables, and clean
ends for Ctrl-C, a closed pipe, a closed stdout and a full disk."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hazardrules.interfaces import cli
from hazardrules.interfaces.cli import main

GOOD = {"id": "a", "sector": "metallurgy", "facts": {"special_worker.uncertified_on_duty": True}}
OTHER = {"id": "b", "sector": "metallurgy", "facts": {"contractor.present": True}}
BAD = {"id": "c", "sector": "metallurgy", "facts": {"contractor.presnt": True}}
COMMAND = [sys.executable, "-m", "hazardrules"]


def jsonl(*findings: dict[str, Any]) -> str:
    return "".join(json.dumps(f, ensure_ascii=False) + "\n" for f in findings)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- exit codes -----------------------------------------------------------------------------------
def test_exit_codes_are_distinct(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    good.write_text(jsonl(GOOD, OTHER), encoding="utf-8")
    bad.write_text(jsonl(GOOD, BAD), encoding="utf-8")
    assert run(capsys, "classify", str(good))[0] == cli.OK == 0
    assert run(capsys, "classify", str(bad))[0] == cli.BAD_RECORDS == 1
    assert run(capsys, "classify", str(good), "--select", "gm-2099")[0] == cli.USAGE == 2
    assert run(capsys, "classify", str(tmp_path / "missing.jsonl"))[0] == cli.FILE_ERROR == 3
    assert run(capsys, "--rules", str(tmp_path), "classify", str(good))[0] == cli.FILE_ERROR
    utf16 = tmp_path / "utf16.jsonl"
    utf16.write_bytes(jsonl(GOOD).encode("utf-16"))
    code, _, err = run(capsys, "classify", str(utf16))
    assert code == cli.FILE_ERROR and "--encoding utf-16" in err
    assert run(capsys, "classify", str(utf16), "--encoding", "utf-16")[0] == cli.OK
    with pytest.raises(SystemExit) as usage:
        main(["classify", str(good), "--on", "20240301"])
    assert usage.value.code == cli.USAGE
    assert cli.INTERRUPTED == 4


def test_a_crash_on_one_record_is_reported_and_the_others_still_classified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hazardrules.verdict import classify as module

    real = module.classify

    def flaky(finding: Any, **options: Any) -> Any:
        if finding.get("id") == "b":
            raise RuntimeError("boom")
        return real(finding, **options)

    monkeypatch.setattr(module, "classify", flaky)
    file = tmp_path / "f.jsonl"
    file.write_text(jsonl(GOOD, OTHER, GOOD), encoding="utf-8")
    code, out, err = run(capsys, "classify", str(file))
    results = [json.loads(line) for line in out.splitlines()]
    assert code == cli.INTERRUPTED
    assert [r.get("status") for r in results] == ["major", None, "major"]
    assert results[1]["error"]["problems"][0]["code"] == "internal_error"
    assert f"{file}:2: internal error" in err and "RuntimeError: boom" in err


# -- streamed output ----------------------------------------------------------------------------------
class _OneLineAtATime(io.RawIOBase):
    """Standard input that hands over one line per read and checks the output so far."""

    def __init__(self, lines: list[bytes], output: io.StringIO, expect: list[str]) -> None:
        self.lines, self.output, self.expect, self.reads = lines, output, expect, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.reads >= 2:  # record 1 was read to see the shape; before record 3, record 1 is out
            assert self.expect[self.reads - 2] in self.output.getvalue()
        if self.reads >= len(self.lines):
            return 0
        line = self.lines[self.reads]
        assert len(line) <= len(buffer)
        self.reads += 1
        buffer[: len(line)] = line
        return len(line)


@pytest.mark.parametrize("form", ["json", "table", "text"])
def test_results_are_written_as_records_arrive(form: str, monkeypatch: pytest.MonkeyPatch) -> None:
    findings = [{**GOOD, "id": f"F{i}"} for i in range(5)]
    output = io.StringIO()
    stdin = _OneLineAtATime([jsonl(f).encode() for f in findings], output, [f"F{i}" for i in range(5)])
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(stdin, buffer_size=4096)))
    monkeypatch.setattr("sys.stdout", output)
    assert main(["classify", "-", "--format", form]) == 0
    assert stdin.reads == 5
    assert all(f"F{i}" in output.getvalue() for i in range(5))


def test_a_json_array_in_gives_a_json_array_out_with_element_indexes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "f.json"
    text = json.dumps([GOOD, BAD, {"id": "d", "facts": {}, "facts ": 1}, OTHER], indent=2)
    file.write_text(text, "utf-8")
    line = text.splitlines().index('    "id": "c",')  # the element's "{" is on the line before (1-based)
    code, out, err = run(capsys, "classify", str(file))
    results = json.loads(out)
    assert code == 1 and len(results) == 4
    assert results[1] == {"line": line, "index": 1, "error": results[1]["error"]}
    assert results[2]["index"] == 2 and results[3]["finding_id"] == "b"
    assert f"{file}:{line}: element 1: finding 'c': unknown fact" in err


# -- tables -------------------------------------------------------------------------------------
def test_table_cells_escape_control_and_format_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = "x\x1b[31m\n" + "y" * 30 + "  major"
    file = tmp_path / "f.jsonl"
    file.write_text(jsonl({**GOOD, "id": forged}, {**BAD, "id": "\u202eevil\\"}), encoding="utf-8")
    code, out, _ = run(capsys, "classify", str(file), "--format", "table")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 4  # header, rule, two rows: the id drew no row of its own
    assert "\x1b" not in out and "\u202e" not in out
    assert lines[2].startswith("x\\x1b[31m\\x0ayyyy") and "…" in lines[2]
    assert lines[3].startswith("\\u202eevil\\\\")
    # The first column keeps its width (20) whatever the id: the status starts after it.
    assert [line[22:].split()[0] for line in lines[2:]] == ["major（重大隐患）", "error（错误）"]


def test_text_escapes_a_forged_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "f.jsonl"
    file.write_text(jsonl({**GOOD, "id": "x\x1b[31m\n结论：not_major"}), encoding="utf-8")
    code, out, _ = run(capsys, "classify", str(file), "--format", "text")
    assert code == 0 and "\x1b" not in out
    verdicts = [line for line in out.splitlines() if line.startswith("结论")]
    assert verdicts == ["结论：major（构成重大事故隐患）"]


def test_rules_list_escapes_text_from_the_pack(capsys: pytest.CaptureFixture[str]) -> None:
    from hazardrules.interfaces.table import escape, fit, render

    assert escape("a\tb\x07\u200bc\\") == "a\\x09b\\x07\\u200bc\\\\"
    assert fit("中文abc", 5) == "中文…"
    assert fit("ab", 4) == "ab  "
    assert render([["h"], ["\x1b"]]).splitlines()[-1] == "\\x1b"


# -- the process ----------------------------------------------------------------------------------
@pytest.fixture
def many(tmp_path: Path) -> Path:
    file = tmp_path / "many.jsonl"
    file.write_text(jsonl(*[{**GOOD, "id": f"F{i}"} for i in range(3000)]), encoding="utf-8")
    return file


def test_a_full_disk_is_a_clean_error(many: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [*COMMAND, "classify", str(many)], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert done.returncode == 4
    assert "cannot write the output: No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_a_closed_stdout_is_not_success(many: Path) -> None:
    done = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *COMMAND, "classify", str(many)], capture_output=True, text=True
    )
    assert done.returncode == 4
    assert "standard output is closed" in done.stderr and "Traceback" not in done.stderr


def test_a_broken_pipe_is_quiet_and_not_success(many: Path) -> None:
    with subprocess.Popen(
        [*COMMAND, "classify", str(many)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        assert json.loads(first)["finding_id"] == "F0"
        process.stdout.close()  # like `| head -1`
        err = process.stderr.read()
        assert process.wait() == 4
    assert "broken pipe" in err and "Traceback" not in err and "Exception ignored" not in err


def _default_sigint() -> None:
    # A job started in the background inherits SIGINT ignored, and Python then leaves it ignored.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_is_a_clean_stop() -> None:
    with subprocess.Popen(
        [*COMMAND, "classify", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    ) as process:
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        process.stdin.write(jsonl(GOOD))
        process.stdin.flush()
        assert json.loads(process.stdout.readline())["finding_id"] == "a"  # running, waiting for more
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
        assert process.returncode == 4
    assert "interrupted" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")
def test_stdin_bom_and_crlf_through_a_real_pipe() -> None:
    data = ("\ufeff" + jsonl(GOOD, BAD).replace("\n", "\r\n")).encode("utf-8")
    done = subprocess.run([*COMMAND, "classify", "-"], input=data, capture_output=True)
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1
    assert results[0]["status"] == "major" and results[1]["line"] == 2
