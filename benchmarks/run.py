"""Benchmarks: ``python benchmarks/run.py`` prints a table and writes benchmarks/RESULTS.md.

Measured, over the full shipped rule pack, in one run (so the ratios compare like with like):

- findings per second and p50/p99 latency of ``hazardrules.classify`` for single-issue findings
  (every rule example of the pack) and for whole-site findings (every fact the sector's rules read
  given a random value, ``complete=True``), with three engines: ``native`` (compiled closures),
  ``durable`` (durable-rules) and ``naive`` (a loop over the rules that parses and interprets every
  condition again for every finding, with ``hazardrules.lang.explain``);
- the same for the engines alone (``engine.evaluate`` on prepared facts, no verdict built);
- pack load time, cold (first load in a fresh interpreter) and cached; ``import hazardrules`` time
  (fresh interpreter);
- memory after N durable-rules classifications (``--leak N``);
- a cProfile of the native engine: where the remaining time goes.

Options: ``--quick`` (short timings, for a smoke run), ``--leak N`` (default 100000),
``--seconds S`` (time per measurement), ``--no-write``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import gc
import importlib.metadata
import io
import os
import platform
import pstats
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

import hazardrules  # noqa: E402
from hazardrules.engine import registry as _engines  # noqa: E402
from hazardrules.engine.native import StandardResult  # noqa: E402
from hazardrules.errors import FindingError, FindingProblem  # noqa: E402
from hazardrules.interfaces.describe import rule_detail  # noqa: E402
from hazardrules.lang import explain, parse  # noqa: E402
from hazardrules.pack.model import CompiledRule, CompiledStandard, Pack  # noqa: E402
from hazardrules.verdict.finding import prepare  # noqa: E402


# -- the naive engine: parse and interpret every condition for every finding ------------------------
class NaiveEngine:
    """What a straightforward implementation does: no compilation, no caching."""

    name = "naive"

    def evaluate(
        self,
        pack: Pack,
        standard: CompiledStandard,
        rules: Sequence[CompiledRule],
        facts: Mapping[str, Any],
    ) -> StandardResult:
        env = dict(facts)
        origin = {}
        for derivation in standard.derivations:
            spec = derivation.spec
            if explain(parse(spec.when), env).value is not True:
                continue
            current = env.get(spec.derives)
            if current is None:
                env[spec.derives] = spec.value
                origin[spec.derives] = derivation
            elif current != spec.value:
                source = (
                    f"derivation {origin[spec.derives].spec.id}" if spec.derives in origin else "the finding"
                )
                message = (
                    f"fact {spec.derives!r} is {current!r} by {source}, but derivation {spec.id} "
                    f"({spec.basis}) makes it {spec.value!r} because {spec.when}"
                )
                raise FindingError([FindingProblem("conflict", message, f"facts.{spec.derives}")])
        values = []
        for rule in rules:
            applies = (
                True if rule.spec.applies.when is None else explain(parse(rule.spec.applies.when), env).value
            )
            value = explain(parse(rule.spec.condition), env).value
            if applies is False or value is False:
                values.append((rule, False))
            elif applies is None or value is None:
                values.append((rule, None))
            else:
                values.append((rule, True))
        return StandardResult(standard, env, origin, values)


_engines._LOADED["naive"] = NaiveEngine()  # type: ignore[assignment]
ENGINES = ("native", "durable", "naive")


# -- workloads ---------------------------------------------------------------------------------------
def single_issue_findings(pack: Pack) -> list[dict[str, Any]]:
    """Every worked example of every rule: a sector and the few facts of one situation."""
    out = []
    for rule in pack.compiled_rules():
        for example in rule_detail(pack, rule)["examples"]:
            out.append(example["finding"])
    return out


def sector_facts(pack: Pack, sector: str, day: dt.date) -> list[str]:
    read: set[str] = set()
    for standard in pack.standards_for(sector):
        if standard.in_force(day):
            for rule in standard.by_sector.get(sector, ()):
                read |= rule.touch
                if rule.applies is not None:
                    read.update(rule.applies.facts)
    return sorted(read)


def random_value(pack: Pack, name: str, rng: random.Random) -> Any:
    spec = pack.facts[name]
    if spec.type == "bool":
        return rng.random() < 0.5
    if spec.type == "integer":
        return rng.randint(0, 100)
    if spec.type == "number":
        return round(rng.uniform(0, 1000), 2)
    values = sorted(spec.values or {})
    if spec.type == "enum":
        return rng.choice(values)
    return rng.sample(values, rng.randint(0, len(values)))


def whole_site_findings(pack: Pack, count: int, seed: int = 2024) -> list[dict[str, Any]]:
    """Whole-site inspections: every fact the sector's rules read, answered (two-valued)."""
    rng = random.Random(seed)
    day = dt.date.today()
    sectors = [s for s in sorted(pack.sectors) if sector_facts(pack, s, day)]
    out: list[dict[str, Any]] = []
    while len(out) < count:
        sector = sectors[len(out) % len(sectors)]
        facts = {name: random_value(pack, name, rng) for name in sector_facts(pack, sector, day)}
        finding = {"id": f"site-{len(out)}", "sector": sector, "facts": facts}
        try:
            hazardrules.classify(finding, pack=pack)
        except FindingError:  # a random answer contradicting a derivation: draw again
            continue
        out.append(finding)
    return out


# -- timing ------------------------------------------------------------------------------------------
@dataclass
class Timing:
    count: int
    total: float
    p50: float
    p99: float

    @property
    def per_second(self) -> float:
        return self.count / self.total


def measure(
    calls: Mapping[str, Callable[[Any], Any]], items: Sequence[Any], seconds: float
) -> dict[str, Timing]:
    """Time each call over every item, in interleaved rounds (a slow spell of the machine then
    slows every engine alike), until each has had about ``seconds``."""
    for call in calls.values():  # warm up (durable-rules compiles its rulesets on first use)
        for item in items:
            call(item)
    latencies: dict[str, list[int]] = {name: [] for name in calls}
    spent = dict.fromkeys(calls, 0)
    clock = time.perf_counter_ns
    while min(spent.values()) < seconds * 1e9:
        for name, call in calls.items():
            if spent[name] >= seconds * 1e9:
                continue
            out = latencies[name]
            for item in items:
                start = clock()
                call(item)
                out.append(clock() - start)
            spent[name] = sum(out)
    timings = {}
    for name, values in latencies.items():
        values.sort()
        timings[name] = Timing(
            len(values),
            sum(values) / 1e9,
            values[len(values) // 2] / 1e3,
            values[min(len(values) - 1, int(len(values) * 0.99))] / 1e3,
        )
    return timings


def classify_one(finding: dict[str, Any], engine: str, complete: bool) -> None:
    hazardrules.classify(finding, complete=complete, engine=engine)


def evaluate_only(pack: Pack, engine_name: str) -> Callable[[dict[str, Any]], None]:
    """The engine alone: prepared facts in, StandardResult out, for every standard in force."""
    engine = _engines.get_engine(engine_name)
    cache: dict[int, tuple[Any, list[tuple[CompiledStandard, tuple[CompiledRule, ...]]]]] = {}

    def run(finding: dict[str, Any]) -> None:
        key = id(finding)
        if key not in cache:
            prepared = prepare(pack, finding)
            day = prepared.finding.observed_on or dt.date.today()
            work = [
                (s, s.by_sector.get(prepared.sector, ()))
                for s in pack.standards_for(prepared.sector)
                if s.in_force(day)
            ]
            cache[key] = (prepared.facts, work)
        facts, work = cache[key]
        for standard, rules in work:
            engine.evaluate(pack, standard, rules, facts)

    return run


def subprocess_seconds(code: str, runs: int) -> float:
    values = []
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        values.append(float(out.stdout.strip()))
    return statistics.median(values)


def resident_mb() -> float | None:
    statm = Path("/proc/self/statm")
    if not statm.exists():
        return None
    return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- reporting ---------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        durable = importlib.metadata.version("durable_rules")
    except importlib.metadata.PackageNotFoundError:
        durable = "not installed"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "hazardrules": hazardrules.__version__,
        "durable-rules": durable,
        "pydantic": importlib.metadata.version("pydantic"),
    }


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def fmt_us(value: float) -> str:
    return f"{value:,.0f} µs" if value >= 100 else f"{value:,.1f} µs"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


CATEGORIES = [  # (label, substrings of "file:function"), first match wins
    ("verdict models (pydantic, built without validation)", (":construct", "_node", "models.py", "pydantic")),
    ("finding validation (Finding model, fact types, sector)", ("verdict/finding.py", "pack/sectors.py")),
    ("rule evaluation (plans, closures, derivations)", ("engine/native.py", "lang/compile.py", "engine/registry.py")),
    ("explanations (traces, because, missing)", ("verdict/explanation.py", "lang/explain.py", "lang/nodes.py")),
    ("deferral", ("verdict/deferral.py",)),
    ("classify and verdict assembly", ("verdict/classify.py", "verdict/select.py", "pack/resources.py")),
]


def profile(call: Callable[[Any], Any], items: Sequence[Any], rounds: int) -> tuple[str, str]:
    """Return (share of time by part, top functions) for ``call`` over ``items``."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for item in items:
            call(item)
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    shares: dict[str, float] = {}
    for (file, _, name), (_, _, tottime, _, _) in raw.items():
        where = f"{file}:{name}"
        label = next(
            (lab for lab, keys in CATEGORIES if any(k in where for k in keys)), "other (Python runtime)"
        )
        shares[label] = shares.get(label, 0.0) + tottime
    parts = table(
        [[label, f"{100 * t / total:.0f} %"] for label, t in sorted(shares.items(), key=lambda kv: -kv[1])],
        ["part", "share of time"],
    )
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(14)
    lines = [ln for ln in stream.getvalue().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
    top = "\n".join(ln.replace(str(REPO) + "/", "").replace(sys.prefix + "/", "") for ln in lines[start:])
    return parts, top


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short timings (a smoke run)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per measurement")
    parser.add_argument("--leak", type=int, default=None, help="durable classifications for the memory check")
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    seconds = args.seconds or (0.3 if args.quick else 3.0)
    leak_n = args.leak if args.leak is not None else (2_000 if args.quick else 100_000)

    pack = hazardrules.load_pack()
    info = machine()
    single = single_issue_findings(pack)
    site = whole_site_findings(pack, 24)
    print(
        f"pack {pack.name} {pack.version} ({pack.digest[:19]}…): {len(pack.rule_index)} rules, "
        f"{len(pack.standards)} standards; {len(single)} single-issue and {len(site)} whole-site findings"
    )

    # Every engine must give the same verdicts before its speed means anything.
    for finding in [*single, *site]:
        complete = finding in site
        dumps = []
        for name in ENGINES:
            verdict = hazardrules.classify(finding, complete=complete, engine=name).model_dump(mode="json")
            verdict.pop("engine")
            dumps.append(verdict)
        assert dumps[0] == dumps[1] == dumps[2], f"engines disagree on {finding}"

    workloads = {
        "single-issue": (single, False),
        "whole-site (complete=True)": (site, True),
    }
    results: dict[tuple[str, str, str], Timing] = {}
    for label, (items, complete) in workloads.items():
        classify_calls = {
            name: functools.partial(classify_one, engine=name, complete=complete) for name in ENGINES
        }
        evaluate_calls = {name: evaluate_only(pack, name) for name in ENGINES}
        for what, calls, budget in (
            ("classify", classify_calls, seconds),
            ("evaluate", evaluate_calls, seconds / 2),
        ):
            gc.collect()
            for name, timing in measure(calls, items, budget).items():
                results[(what, label, name)] = timing
                print(f"  {what:8} {label:28} {name:8} {timing.per_second:>10,.0f} findings/s", flush=True)

    rows = []
    for what in ("classify", "evaluate"):
        for label in workloads:
            native = results[(what, label, "native")]
            for name in ENGINES:
                t = results[(what, label, name)]
                ratio = (
                    "1×" if name == "native" else f"native {native.per_second / t.per_second:,.1f}× faster"
                )
                rows.append([what, label, name, fmt_rate(t.per_second), fmt_us(t.p50), fmt_us(t.p99), ratio])
    speed = table(rows, ["measured", "findings", "engine", "findings/s", "p50", "p99", "ratio"])

    load_cold = subprocess_seconds(
        "import time, hazardrules; t = time.perf_counter(); hazardrules.load_pack(); "
        "print(time.perf_counter() - t)",
        3 if args.quick else 7,
    )
    import_time = subprocess_seconds(
        "import time; t = time.perf_counter(); import hazardrules; print(time.perf_counter() - t)",
        3 if args.quick else 7,
    )
    hazardrules.load_pack()
    start = time.perf_counter()
    for _ in range(1000):
        hazardrules.load_pack()
    cached = (time.perf_counter() - start) / 1000
    reload_times = []
    for _ in range(3 if args.quick else 7):
        start = time.perf_counter()
        hazardrules.load_pack(REPO / "rules")
        reload_times.append(time.perf_counter() - start)
    startup = table(
        [
            ["`import hazardrules` (fresh interpreter, median)", f"{import_time * 1e3:,.0f} ms"],
            [
                "pack load, cold (first `load_pack()` in a fresh interpreter, median)",
                f"{load_cold * 1e3:,.0f} ms",
            ],
            [
                "pack load, warm but uncached (`load_pack(path)` again in the same process)",
                f"{statistics.median(reload_times) * 1e3:,.0f} ms",
            ],
            ["pack load, cached (`load_pack()` after the first)", f"{cached * 1e6:,.2f} µs"],
        ],
        ["what", "time"],
    )

    # Memory after many durable-rules classifications (each has its own state, deleted after).
    durable_eval = evaluate_only(pack, "durable")
    probe = [f for f in single[:50]]
    marks: list[tuple[int, float | None]] = []
    done = 0
    start = time.perf_counter()
    steps = 10
    for step in range(steps + 1):
        target = leak_n * step // steps
        while done < target:
            durable_eval(probe[done % len(probe)])
            done += 1
        gc.collect()
        marks.append((done, resident_mb()))
    leak_seconds = time.perf_counter() - start
    memory = table(
        [[f"{n:,}", f"{mb:,.1f} MB" if mb is not None else "n/a"] for n, mb in marks],
        ["durable classifications (standards evaluated)", "resident memory"],
    )

    native_single = lambda f: hazardrules.classify(f)  # noqa: E731
    native_site = lambda f: hazardrules.classify(f, complete=True)  # noqa: E731
    rounds = 1 if args.quick else 5
    single_parts, single_top = profile(native_single, single, rounds)
    site_parts, site_top = profile(native_site, site, rounds * 4)

    report = f"""# Benchmark results

Generated by `python benchmarks/run.py` (see benchmarks/README.md for what each number means).

## Machine
{table([[k, v] for k, v in info.items()], ["", ""])}

Pack: {pack.name} {pack.version}, {len(pack.rule_index)} rules in {len(pack.standards)} standards
(`{pack.digest}`); {len(single)} single-issue findings (every rule example), {len(site)} whole-site
findings (every fact the sector's rules read, random two-valued answers, `complete=True`). All three
engines gave identical verdicts on every one of them before timing.

## Findings per second and latency
`classify` is the public call (validate the finding, evaluate, build the cited, explained verdict);
`evaluate` is the engine alone on prepared facts. All rows come from the same run; ratios are
native's findings/s over the engine's.

{speed}

## Start-up
{startup}

## Memory over {leak_n:,} durable-rules classifications
Each classification asserts the finding as a fact in its own durable-rules state, retracts it and
deletes the state ({leak_seconds:,.0f} s in all). durable-rules holds at most 1024 live states, so
a leak would also stop the run with `MemoryError` after 1024 classifications.

{memory}

## Profile of the native engine (cProfile, share of own time)
Single-issue findings:

{single_parts}

Whole-site findings (`complete=True`):

{site_parts}

Top functions, single-issue:
```
{single_top}
```

Top functions, whole-site:
```
{site_top}
```
"""
    print()
    print(speed)
    print()
    print(startup)
    print()
    print(memory)
    print()
    print("single-issue profile\n" + single_parts + "\n\nwhole-site profile\n" + site_parts)
    if not args.no_write:
        results = HERE / "RESULTS.md"
        # Keep the sections other scripts write (between their markers).
        old = results.read_text(encoding="utf-8") if results.exists() else ""
        kept = ""
        markers = [(f"<!-- {n}: start -->", f"<!-- {n}: end -->") for n in ("stream_check", "compare_versions", "service_load")]
        for start, end in [*markers, ("<!-- batch:begin -->", "<!-- batch:end -->")]:
            if start in old and end in old:
                kept += old[old.index(start) : old.index(end) + len(end)] + "\n\n"
        text = report.rstrip("\n") + "\n\n" + kept.rstrip("\n") + "\n" if kept else report
        results.write_text(text, encoding="utf-8")
        print(f"\nwrote {results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
