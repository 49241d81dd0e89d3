"""Compare ``classify`` throughput of two versions of hazardrules in one run.

    python benchmarks/compare_versions.py OLD_REF [--new REF] [--seconds S] [--rounds N]

Each version is checked out (``git worktree``) into a temporary folder and run in its own interpreter
(``PYTHONPATH`` = its ``src``), on the same findings: the single-issue findings made from every rule
example of the newer pack that both versions accept, dated inside the standards' periods. Rounds
alternate between the versions so that a noisy machine affects both alike; the table gives the median
findings per second of each and their ratio. Nothing here is a test: it prints figures, and writes
them (with the machine, the load and the date) into their own section of benchmarks/RESULTS.md
(``--no-write`` to skip; ``benchmarks/run.py`` keeps the section).

What is timed is what a caller pays for ``classify(finding)`` in a loop: the default (full) verdict,
the garbage collector on as a caller has it, the previous verdict freed. Before timing, after the
warm-up, each version runs one full collection: loading a pack leaves the collector a full collection
to do soon after (a few hundred thousand objects to scan once); left to chance, it fell inside the
measured passes of one version and not the other, and changed the instruction count by up to 15 %.
Collections that classifying itself causes are measured. The two versions may say more
or less about the same finding (a newer pack asks more questions, judges installations one by one):
the verdicts' average size in JSON characters and in models is printed beside the figures, since the
time follows it, and the findings are also timed in two groups: those whose newer verdict asks no
question (a verdict of the same kind as the older version's) and those whose newer verdict asks
questions (facts of installations, open rules: more models to build). ``--instructions`` counts instructions per classify (valgrind): a figure that does
not depend on the load, but not on cache misses and mispredicted branches either, which a bigger
verdict also costs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "RESULTS.md"
START, END = "<!-- compare_versions: start -->", "<!-- compare_versions: end -->"

WORKER = r"""
import gc, json, sys, time
import hazardrules
findings = json.load(open(sys.argv[1], encoding="utf-8"))
mode, seconds = sys.argv[2], float(sys.argv[3])
def ok(f):
    try:
        hazardrules.classify(f)
        return True
    except Exception:
        return False
if mode == "accept":
    print(json.dumps([i for i, f in enumerate(findings) if ok(f)]))
    sys.exit(0)
if mode == "asks":  # which verdicts ask questions (facts still needed)
    print(json.dumps([bool(hazardrules.classify(f).questions) for f in findings]))
    sys.exit(0)
if mode == "size":  # what a verdict holds: its JSON's length, and the models in it
    from pydantic import BaseModel
    def models(value):
        if isinstance(value, BaseModel):
            return 1 + sum(models(getattr(value, name)) for name in type(value).model_fields)
        if isinstance(value, (list, tuple)):
            return sum(models(v) for v in value)
        return 0
    verdicts = [hazardrules.classify(f) for f in findings]
    chars = sum(len(v.model_dump_json()) for v in verdicts) / len(verdicts)
    print(json.dumps({"chars": chars, "models": sum(map(models, verdicts)) / len(verdicts)}))
    sys.exit(0)
for f in findings:  # warm up: plans, caches
    hazardrules.classify(f)
gc.collect()  # the collection the pack's load owes, paid now rather than inside the measured passes
if mode == "passes":
    for _ in range(int(seconds)):
        for f in findings:
            hazardrules.classify(f)
    print(json.dumps({"passes": int(seconds)}))
    sys.exit(0)
count, start = 0, time.perf_counter()
while time.perf_counter() - start < seconds:
    for f in findings:
        hazardrules.classify(f)
    count += len(findings)
print(json.dumps({"per_second": count / (time.perf_counter() - start), "version": hazardrules.__version__}))
"""


def _findings() -> list[dict[str, Any]]:
    sys.path.insert(0, str(REPO / "src"))
    import hazardrules
    from hazardrules.interfaces.describe import example_of

    pack = hazardrules.load_pack()
    out = []
    for rule in pack.compiled_rules():
        for example in rule.spec.examples:
            finding = example_of(pack, rule, example)["finding"]
            if finding.get("facts") and not finding.get("installations"):
                out.append(finding)
    return out


def _run(src: Path, findings_file: Path, mode: str, seconds: float) -> Any:
    env = {**os.environ, "PYTHONPATH": str(src)}
    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(findings_file), mode, str(seconds)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _instructions(src: Path, findings_file: Path, passes: int) -> int:
    """Instructions executed (valgrind callgrind) by a worker doing ``passes`` passes after warm-up,
    with string hashing fixed (``PYTHONHASHSEED=0``, both versions alike): with a random seed, the count
    of the same version varied by a few per cent between runs."""
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            WORKER,
            str(findings_file),
            "passes",
            str(passes),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stderr.splitlines() if "Collected :" in x)
    return int(line.split("Collected :")[1].strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old", help="git ref of the older version")
    parser.add_argument(
        "--new", default=None, help="git ref of the newer version (default: the working tree)"
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions per classify with valgrind (repeatable on a busy machine)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folders: dict[str, Path] = {}
        for label, ref in (("old", args.old), ("new", args.new)):
            if ref is None:
                folders[label] = REPO / "src"
                continue
            target = Path(tmp) / label
            subprocess.run(
                ["git", "-C", str(REPO), "worktree", "add", "--detach", str(target), ref],
                check=True,
                capture_output=True,
            )
            folders[label] = target / "src"
        try:
            findings = _findings()
            file = Path(tmp) / "findings.json"
            file.write_text(json.dumps(findings, ensure_ascii=False), encoding="utf-8")
            accepted = set(range(len(findings)))
            for src in folders.values():
                accepted &= set(_run(src, file, "accept", 0))
            common = [findings[i] for i in sorted(accepted)]
            file.write_text(json.dumps(common, ensure_ascii=False), encoding="utf-8")
            sizes = {label: _run(src, file, "size", 0) for label, src in folders.items()}
            # the findings split by what the new verdict holds: no question asked (a verdict of the
            # same kind as before) or questions (facts of installations, open rules: more to build)
            asks = _run(folders["new"], file, "asks", 0)
            groups = {
                name: [f for f, a in zip(common, asks, strict=True) if a == wanted]
                for name, wanted in (("no question", False), ("questions", True))
            }
            files = {"all": file}
            for name, group in groups.items():
                files[name] = Path(tmp) / f"{name}.json"
                files[name].write_text(json.dumps(group, ensure_ascii=False), encoding="utf-8")
            group_sizes = {
                (name, label): _run(src, files[name], "size", 0)
                for name in groups
                for label, src in folders.items()
            }
            figures: dict[str, list[float]] = {label: [] for label in folders}
            by_group: dict[tuple[str, str], list[float]] = {
                (name, label): [] for name in groups for label in folders
            }
            for _ in range(args.rounds):
                for label, src in folders.items():
                    figures[label].append(_run(src, file, "time", args.seconds)["per_second"])
                for name in groups:
                    for label, src in folders.items():
                        rate = _run(src, files[name], "time", args.seconds)["per_second"]
                        by_group[(name, label)].append(rate)
            counts: dict[str, float] = {}
            if args.instructions:
                for label, src in folders.items():
                    extra = _instructions(src, file, 2) - _instructions(src, file, 0)
                    counts[label] = extra / (2 * len(common))
        finally:
            for label, ref in (("old", args.old), ("new", args.new)):
                if ref is not None:
                    subprocess.run(
                        ["git", "-C", str(REPO), "worktree", "remove", "--force", str(Path(tmp) / label)],
                        capture_output=True,
                    )
    old, new = statistics.median(figures["old"]), statistics.median(figures["new"])
    lines = [
        f"machine: {_cpu()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}; load average {load_before:.1f} before the run, "
        f"{os.getloadavg()[0]:.1f} after",
        f"single-issue findings: {len(common)} (every rule example both versions accept)",
        f"rounds: {args.rounds} × {args.seconds:g} s per version, alternating",
        "",
        "| version | classify findings/s (median) | all rounds |",
        "| --- | --- | --- |",
    ]
    for label, ref in (("old", args.old), ("new", args.new or "working tree")):
        rounds = ", ".join(f"{v:,.0f}" for v in figures[label])
        lines.append(f"| {label} ({ref}) | {statistics.median(figures[label]):,.0f} | {rounds} |")
    paired = [n / o for o, n in zip(figures["old"], figures["new"], strict=True)]
    lines += [
        "",
        f"new ÷ old (throughput, medians): {new / old:.2f}; per round (each round runs old, then new): "
        + ", ".join(f"{r:.2f}" for r in paired)
        + f"; median of the rounds' ratios: {statistics.median(paired):.2f}",
    ]
    lines.append(
        "verdict per finding (the work each version does): "
        + "; ".join(
            f"{label} {sizes[label]['chars']:,.0f} characters of JSON, {sizes[label]['models']:.1f} models"
            for label in ("old", "new")
        )
    )
    for name, group in groups.items():
        ratios = [n / o for o, n in zip(by_group[(name, "old")], by_group[(name, "new")], strict=True)]
        lines.append(
            f"findings whose new verdict asks {name} ({len(group)}): "
            f"new ÷ old {statistics.median(ratios):.2f} "
            f"(median of the rounds' ratios; old {statistics.median(by_group[(name, 'old')]):,.0f}/s, "
            f"new {statistics.median(by_group[(name, 'new')]):,.0f}/s); verdicts: "
            + "; ".join(
                f"{label} {group_sizes[(name, label)]['chars']:,.0f} characters, "
                f"{group_sizes[(name, label)]['models']:.1f} models"
                for label in ("old", "new")
            )
        )
    if counts:
        lines.append(
            f"instructions per classify (callgrind): old {counts['old']:,.0f}, new {counts['new']:,.0f}; "
            f"old ÷ new: {counts['old'] / counts['new']:.2f}"
        )
    print("\n".join(lines))
    if not args.no_write:
        _write(args, lines)
    return 0


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _write(args: argparse.Namespace, lines: list[str]) -> None:
    """Put the figures into their own section of RESULTS.md, replacing the previous run's."""
    heading = [
        START,
        f"## Two versions compared (`python benchmarks/compare_versions.py {args.old}"
        + (f" --new {args.new}" if args.new else "")
        + (" --instructions" if args.instructions else "")
        + "`)",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. "
        + "Throughput is wall-clock on a shared machine (rounds alternate between the versions, so "
        + "load hits both); instructions per classify (callgrind) do not depend on the load.",
        "",
    ]
    body = [f"- {line}" if line and not line.startswith("|") else line for line in lines]
    section = "\n".join([*heading, *body, END]) + "\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    raise SystemExit(main())
