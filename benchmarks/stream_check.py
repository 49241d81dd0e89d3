"""Stream check: a batch never loses a good record, and memory stays flat, at a million lines.

``python benchmarks/stream_check.py`` generates a 1,000,000-line JSON Lines file with bad lines of
every kind (tests/_stream.py: malformed, truncated, null, GBK bytes, UTF-16 bytes, lone surrogates,
5,001-digit integers, 1,100 levels of nesting, duplicate keys, NaN, over-long lines, unknown facts,
out-of-range values, …) at known places, runs ``python -m hazardrules classify`` on it as a separate
process, and checks every output line against the input: each good record classified (its id, the
status the library gives the same finding in this process), each bad one reported at its line with
its code. It samples the classifier's resident memory as it goes and prints records in/out, errors
by code, maximum RSS and time; then the same for a 100,000-element JSON array and for
``--format table``. The figures go into benchmarks/RESULTS.md (their own section; run.py keeps it).

Nothing here asserts a time; the checks are on content, and the script exits 1 if one fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from tests._stream import BAD, GOOD, Line, spread, stream  # noqa: E402

import hazardrules  # noqa: E402

START, END = "<!-- stream_check: start -->", "<!-- stream_check: end -->"


@dataclass
class Run:
    name: str
    records_in: int = 0
    records_out: int = 0
    classified: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    rss_samples_mb: list[float] = field(default_factory=list)
    max_rss_mb: float = 0.0
    seconds: float = 0.0
    exit_code: int = 0


def expected_statuses() -> list[str]:
    """The status of each good template, computed by the library in this process."""
    return [
        hazardrules.classify({"sector": "metallurgy", "observed_on": "2024-03-01", "facts": facts}).status
        for facts in GOOD
    ]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# The classifier, as `hazardrules classify …`, printing its own peak resident size (VmHWM) at exit:
# the rusage a parent gets counts the pages the child had between fork and exec (this process's).
CHILD = """
import atexit, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("VmHWM " + line.split()[1] + "\\n")
atexit.register(peak)
from hazardrules.interfaces.cli import main
sys.exit(main(sys.argv[1:]))
"""


def classify(path: Path, extra: list[str], run: Run, every: int) -> Iterator[str]:
    """Run the command line on ``path``; yield its output lines, sampling its memory every ``every``."""
    started = time.perf_counter()
    command = [sys.executable, "-c", CHILD, "classify", str(path), *extra]
    with (
        tempfile.TemporaryFile("w+") as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True) as process,
    ):
        assert process.stdout is not None
        for count, line in enumerate(process.stdout):
            if count % every == 0:
                run.rss_samples_mb.append(round(rss_mb(process.pid), 1))
            yield line
        run.exit_code = process.wait()
        errors.seek(0)
        peaks = [line.split()[1] for line in errors if line.startswith("VmHWM ")]
    run.max_rss_mb = int(peaks[-1]) / 1024 if peaks else float("nan")
    run.seconds = time.perf_counter() - started


def check_lines(total: int, work: Path) -> Run:
    run = Run(f"JSON Lines, {total:,} lines, --format json")
    places = spread(total, sorted(BAD), copies=max(1, total // 40_000))
    path = work / "findings.jsonl"
    records: list[Line] = []  # without their data: only what the check needs
    with path.open("wb") as out:
        for line in stream(total, places):
            out.write(line.data + b"\n")
            if line.expect != "":
                records.append(Line(line.number, b"", line.expect, line.finding_id))
    run.records_in = len(records)
    statuses = expected_statuses()
    outputs = classify(path, [], run, 50_000)
    for line, text in zip(records, outputs, strict=False):
        run.records_out += 1
        result = json.loads(text)
        if line.expect is None:
            want = statuses[line.number % len(GOOD)]
            if result.get("finding_id") != line.finding_id or result.get("status") != want:
                run.mismatches.append(f"line {line.number}: {text[:120]}")
            run.classified += 1
        else:
            codes = [p["code"] for p in result.get("error", {}).get("problems", [])]
            if result.get("line") != line.number or line.expect not in codes:
                run.mismatches.append(f"line {line.number}: expected {line.expect}, got {text[:120]}")
            run.errors[line.expect] += 1
    run.records_out += sum(1 for _ in outputs)  # anything left over is a mismatch too
    if run.records_out != run.records_in:
        run.mismatches.append(f"{run.records_in} records in, {run.records_out} out")
    return run


def check_array(total: int, work: Path, form: str) -> Run:
    run = Run(f"JSON array, {total:,} elements, --format {form}")
    path = work / "findings.json"
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for number in range(total):
            facts = GOOD[number % len(GOOD)]
            finding = {
                "id": f"A{number}",
                "sector": "metallurgy",
                "observed_on": "2024-03-01",
                "facts": facts,
            }
            out.write(("," if number else "") + json.dumps(finding, ensure_ascii=False) + "\n")
        out.write("]\n")
    run.records_in = total
    lines = classify(path, ["--format", form], run, 5_000 if form == "table" else 250_000)
    if form == "table":
        body = [line for line in lines][2:]
        run.records_out = run.classified = len(body)
        for number, line in enumerate(body):
            if not line.startswith(f"A{number} "):
                run.mismatches.append(f"row {number}: {line[:80]}")
                break
    else:
        text = "".join(lines)
        results = json.loads(text)
        run.records_out = run.classified = len(results)
        for number, result in enumerate(results):
            if result.get("finding_id") != f"A{number}":
                run.mismatches.append(f"element {number}: {str(result)[:80]}")
                break
    if run.records_out != run.records_in:
        run.mismatches.append(f"{run.records_in} records in, {run.records_out} out")
    return run


def report(runs: list[Run]) -> str:
    python = f"{platform.python_implementation()} {platform.python_version()}"
    machine = f"{_cpu_model()}, {platform.machine()}, {os.cpu_count()} cores, {python}"
    lines = [
        START,
        "## Stream check (`python benchmarks/stream_check.py`)",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {machine}; hazardrules {hazardrules.__version__};",
        f"load average {os.getloadavg()[1]:.1f} over the last 5 minutes (the cores are shared: records/s",
        "here say the batch went through, not how fast classify is; see the engine figures above).",
        "The classifier runs as its own process (`hazardrules classify FILE`); memory is its resident",
        "size, sampled along the way, and its peak (VmHWM). Every output line was checked against the",
        "input: good records by id and by the status the library gives the same finding; bad ones by",
        "line number and error code.",
        "",
        "| input | records in | out | classified | bad | max RSS | RSS samples (MB) | time | records/s "
        "| exit | checks |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        bad = sum(run.errors.values())
        samples = ", ".join(f"{s:.0f}" for s in run.rss_samples_mb)
        checks = "all match" if not run.mismatches else f"{len(run.mismatches)} MISMATCH"
        lines.append(
            f"| {run.name} | {run.records_in:,} | {run.records_out:,} | {run.classified:,} | {bad:,} | "
            f"{run.max_rss_mb:.0f} MB | {samples} | {run.seconds:.0f} s | "
            f"{run.records_in / run.seconds:,.0f} | {run.exit_code} | {checks} |"
        )
    for run in runs:
        if run.errors:
            lines += ["", f"Bad records by code ({run.name}):", ""]
            lines += [f"- `{code}`: {count:,}" for code, count in sorted(run.errors.items())]
    lines.append(END)
    return "\n".join(lines) + "\n"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def write_results(section: str) -> None:
    path = HERE / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--array", type=int, default=100_000)
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        runs = [
            check_lines(args.lines, work),
            check_array(args.array, work, "json"),
            check_array(args.array, work, "table"),
        ]
    section = report(runs)
    print(section)
    for run in runs:
        for mismatch in run.mismatches[:20]:
            print(f"MISMATCH {run.name}: {mismatch}")
    if not args.no_write:
        write_results(section)
    return 1 if any(run.mismatches for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
