"""The batch path (classify_table) against a classify() loop, its memory, Spark local, and growth.

    python benchmarks/batch.py            # about 10 minutes on 2 cores; writes its section of RESULTS.md
    python benchmarks/batch.py --quick    # a smoke run (seconds), nothing worth comparing
    python benchmarks/batch.py --spark    # adds Spark local[2] on the 1,000,000-finding register

Measurements, not tests: nothing here asserts a time. Every figure of one run comes from the same
machine in the same run; the per-record loop is timed on a sample and its rate is findings/s.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests._examples import all_examples  # noqa: E402

import hazardrules  # noqa: E402
from hazardrules.verdict.arrow_columns import POOL  # noqa: E402
from hazardrules.verdict.batch import classify_table, findings_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
BEGIN, END = "<!-- batch:begin -->", "<!-- batch:end -->"
PACK = hazardrules.load_pack()


def single_issue() -> list[dict[str, Any]]:
    """Every rule example without listed installations: a sector and the facts of one situation."""
    return [f for _, _, f, _ in all_examples() if "installations" not in f]


def whole_site(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """For random sectors, every fact the sector's rules read, answered at random (two-valued)."""
    import hypothesis.strategies as st  # noqa: F401  (fact_values builds strategies)

    rng = random.Random(seed)
    sectors = [s for s in PACK.sectors if PACK.standards_for(s)]
    reads: dict[str, list[str]] = {}
    for sector in sectors:
        facts: set[str] = set()
        for standard in PACK.standards_for(sector):
            for unit in standard.by_sector.get(sector, ()):
                facts |= {f for f in unit.touch if PACK.facts[f].matter is None}
        reads[sector] = sorted(facts)
    out = []
    for number in range(count):
        sector = rng.choice(sectors)
        facts = {name: _random_value(rng, name) for name in reads[sector]}
        out.append({"id": f"S-{number}", "sector": sector, "observed_on": "2025-06-01", "facts": facts})
    return out


def _random_value(rng: random.Random, name: str) -> Any:
    spec = PACK.facts[name]
    if spec.type == "bool":
        return rng.random() < 0.3
    if spec.type in ("number", "integer"):
        low = 0 if spec.minimum is None else int(spec.minimum)
        return rng.randint(low, low + 100)
    values = sorted(spec.values or {})
    if spec.type == "enum":
        return rng.choice(values)
    return sorted(rng.sample(values, rng.randint(0, min(2, len(values)))))


def distinct_count(table: pa.Table) -> int:
    from hazardrules.verdict.distinct import distinct

    return len(distinct(table, PACK, None, keys_up_to=0).first)


def shape(table: pa.Table) -> tuple[int, int]:
    """Rows and distinct findings."""
    return table.num_rows, distinct_count(table)


def jittered(findings: list[dict[str, Any]], rows: int, seed: int = 3) -> list[dict[str, Any]]:
    """``rows`` findings drawn from those with a number among their facts, each number moved at
    random (within the fact's bounds): nearly every row is a different finding."""
    rng = random.Random(seed)
    numeric = [
        f for f in findings if any(PACK.facts[k].type in ("number", "integer") for k in f.get("facts", {}))
    ]
    out = []
    for _ in range(rows):
        finding = rng.choice(numeric)
        facts = dict(finding["facts"])
        for name, value in facts.items():
            spec = PACK.facts[name]
            if spec.type in ("number", "integer") and not isinstance(value, bool):
                low = spec.minimum if spec.minimum is not None else value - 1000
                high = spec.maximum if spec.maximum is not None else value + 1000
                moved = rng.uniform(low, high) if spec.type == "number" else rng.randint(int(low), int(high))
                facts[name] = moved
        out.append({**finding, "facts": facts})
    return out


def tiled(table: pa.Table, rows: int, seed: int = 1) -> pa.Table:
    picks = np.random.default_rng(seed).integers(0, table.num_rows, rows)
    return table.take(pa.array(picks)).combine_chunks()


def rate_batch(table: pa.Table, *, remembered: bool = False, **options: Any) -> tuple[float, float]:
    """Findings/s of one classify_table call; by default with an empty memory of findings (a fresh
    process), ``remembered`` keeps what earlier calls judged (a register read batch by batch)."""
    from hazardrules.verdict import batch

    if not remembered:
        batch._MEMO.clear()
    gc.collect()
    started = time.perf_counter()
    classify_table(table, **options)
    took = time.perf_counter() - started
    return table.num_rows / took, took


def median_rate(make: Any, seeds: tuple[int, ...], *, remembered: bool = False) -> tuple[float, float]:
    """The median of findings/s (and its seconds) over registers made by ``make(seed)``, each made
    after the previous one is dropped; a register made as a list of batches is read with
    ``iter_classify``, the memory of findings kept from batch to batch."""
    from hazardrules.verdict import batch

    runs = []
    for seed in seeds:
        table = make(seed)
        if isinstance(table, list):
            if not remembered:
                batch._MEMO.clear()
            gc.collect()
            started = time.perf_counter()
            for _ in batch.iter_classify(table):
                pass
            took = time.perf_counter() - started
            runs.append((sum(b.num_rows for b in table) / took, took))
        else:
            runs.append(rate_batch(table, remembered=remembered))
        del table
    return sorted(runs)[len(runs) // 2]


def grouping_time(table: pa.Table) -> float:
    """Seconds to find the distinct findings of ``table`` (best of three)."""
    from hazardrules.verdict.distinct import distinct

    times = []
    for _ in range(3):
        started = time.perf_counter()
        distinct(table, PACK, None, keys_up_to=65_536)
        times.append(time.perf_counter() - started)
    return min(times)


def rate_loop(findings: list[dict[str, Any]], **options: Any) -> float:
    gc.collect()
    started = time.perf_counter()
    for finding in findings:
        with contextlib.suppress(hazardrules.FindingError):
            hazardrules.classify(finding, **options)
    return len(findings) / (time.perf_counter() - started)


def routed_share(table: pa.Table, **options: Any) -> float:
    """The share of distinct findings the columnar engine hands to classify() (memory and the
    one-by-one path for few findings switched off, so that the engine judges them all)."""
    from hazardrules.verdict import batch

    counted = [0]
    original = batch._classify_routed

    def spy(state: Any, opts: Any, out: Any) -> None:
        counted[0] += int(state.route.sum())
        original(state, opts, out)

    batch._classify_routed = spy  # type: ignore[assignment]
    saved = batch.LOOP_UP_TO, batch.KEYS_UP_TO
    batch.LOOP_UP_TO = batch.KEYS_UP_TO = 0
    try:
        classify_table(table, **options)
    finally:
        batch._classify_routed = original  # type: ignore[assignment]
        batch.LOOP_UP_TO, batch.KEYS_UP_TO = saved
    return counted[0] / max(distinct_count(table), 1)


def cli_memory(path: Path, out: Path, detail: str = "summary") -> tuple[float, float]:
    """Peak RSS (VmHWM, MB) and seconds of `hazardrules classify PARQUET -o PARQUET --detail DETAIL`."""
    code = (
        "import sys, resource\n"
        "from hazardrules.interfaces.cli import main\n"
        f"code = main(['classify', {str(path)!r}, '-o', {str(out)!r}, '--detail', {detail!r}])\n"
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print('PEAK', peak, file=sys.stderr)\n"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    took = time.perf_counter() - started
    found = re.search(r"PEAK (\d+)", done.stderr)
    return (int(found[1]) / 1024 if found else float("nan")), took


def parquet_reading(path: Path, batch_size: int = 65_536) -> float:
    """Seconds a fresh process takes to read ``path`` in batches of ``batch_size`` rows as the CLI does
    (``--batch-size``'s default), doing nothing with them: the reading's part of the CLI's time."""
    code = (
        "import sys, time, pyarrow.parquet as pq\n"
        "started = time.perf_counter()\n"
        f"for batch in pq.ParquetFile({str(path)!r}).iter_batches(batch_size={batch_size}):\n"
        "    pass\n"
        "print(time.perf_counter() - started)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def _sectors_of(slugs: list[str]) -> set[str]:
    return {sector for slug in slugs for sector in PACK.standards[slug].by_sector}


def facts_rate(facts: int, rows: int) -> float:
    """Metallurgy findings giving ``facts`` random facts each (two-valued), out of its rules' facts."""
    rng = random.Random(facts)
    names = sorted(
        {f for u in PACK.standards["gm-2023"].by_sector["metallurgy"] for f in u.touch}
        - {f for f, spec in PACK.facts.items() if spec.matter is not None or spec.installation is not None}
    )
    findings = []
    for _ in range(3000):
        picked = rng.sample(names, min(facts, len(names)))
        findings.append(
            {
                "sector": "metallurgy",
                "observed_on": "2025-06-01",
                "facts": {n: _random_value(rng, n) for n in picked},
            }
        )
    return rate_batch(tiled(findings_table(findings), rows))[0]


def fresh_memory(megabytes: int = 256) -> str:
    """How long writing memory takes the first time (the operating system hands out pages) and once
    more: a virtual machine's first touch can cost far more than bare metal's."""
    first_started = time.perf_counter()
    block = np.ones(megabytes << 17, dtype=np.float64)  # 8 bytes each: ``megabytes`` MB
    first = time.perf_counter() - first_started
    again_started = time.perf_counter()
    block.fill(2.0)
    again = time.perf_counter() - again_started
    del block
    return f"{megabytes} MB written in {first * 1000:,.0f} ms the first time, {again * 1000:,.0f} ms again"


def allocator() -> str:
    """pyarrow's default memory pool, and for mimalloc its version and purge delay (as it prints
    them itself when MIMALLOC_VERBOSE=1)."""
    probe = "import pyarrow as pa; pa.allocate_buffer(1); print(pa.default_memory_pool().backend_name)"
    env = {k: v for k, v in os.environ.items() if k != "MIMALLOC_PURGE_DELAY"}
    done = subprocess.run(
        [sys.executable, "-c", probe], env={**env, "MIMALLOC_VERBOSE": "1"}, capture_output=True, text=True
    )
    backend = done.stdout.strip() or "unknown"
    version = re.search(r"^(v\d+\.\d+\.\d+)", done.stderr, re.M)
    delay = re.search(r"option 'purge_delay': (-?\d+)", done.stderr)
    if backend != "mimalloc" or not version or not delay:
        return backend
    return f"mimalloc {version.group(1)}, purge_delay {int(delay.group(1)):,} ms by default"


def machine(fresh: str) -> list[tuple[str, str]]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return [
        ("date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("cpu", cpu),
        ("cores", str(os.cpu_count())),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("pyarrow", pa.__version__),
        ("numpy", np.__version__),
        ("pyarrow's default memory pool", allocator()),
        ("the batch path's own buffers", f"{POOL.backend_name} (`pa.system_memory_pool()`)"),
        ("fresh memory (at the start of the run)", fresh),
        ("hazardrules", hazardrules.__version__),
        (
            "pack",
            f"{PACK.name} {PACK.version}, {len(PACK.rule_index)} rules in {len(PACK.standards)} standards",
        ),
    ]


def later_registers(base: pa.Table, rows: int) -> list[tuple[float, float]]:
    """Later registers of the same findings (in another order), each judged once the previous one is
    dropped, as a service or a Spark executor goes on (after one first call: plans compiled):
    findings/s and seconds, median of three, with the memory of findings emptied before each (the
    worst case), kept (as by default), and a register read in batches of 131,072 rows."""
    from hazardrules.verdict import batch

    if not batch._MEMO:
        rate_batch(tiled(base, rows, seed=1))
    emptied = median_rate(lambda seed: tiled(base, rows, seed=seed), seeds=(2, 3, 4))
    kept = median_rate(lambda seed: tiled(base, rows, seed=seed), seeds=(5, 6, 7), remembered=True)
    later = tiled(base, rows, seed=2)
    streamed = median_rate(
        lambda seed: later.to_batches(max_chunksize=131_072), seeds=(1, 2, 3), remembered=True
    )
    return [emptied, kept, streamed]


def later_registers_elsewhere(rows: int, pool: str | None, one_core: bool = False) -> dict[str, Any]:
    """``later_registers`` in a fresh process (with ``ARROW_DEFAULT_MEMORY_POOL`` set when given; held
    to one processor core from its start when ``one_core``, threads of pyarrow's pool included): its
    figures and its peak resident memory."""
    unset = ("MIMALLOC_PURGE_DELAY", "ARROW_DEFAULT_MEMORY_POOL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    if pool is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = pool
    core = min(os.sched_getaffinity(0))
    done = subprocess.run(
        [sys.executable, __file__, "--later-registers", str(rows)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, {core})) if one_core else None,
    )
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--spark", action="store_true")
    parser.add_argument("--later-registers", type=int, help=argparse.SUPPRESS)  # the subprocess's job
    args = parser.parse_args()
    if args.later_registers:
        rates = later_registers(findings_table(single_issue()), args.later_registers)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
        print(json.dumps({"rates": rates, "peak_mb": peak}))
        return
    fresh = fresh_memory()
    big = 20_000 if args.quick else 1_000_000
    sites = 2_000 if args.quick else 100_000
    sample = 2_000 if args.quick else 20_000
    lines: list[str] = []

    issues = single_issue()
    base = findings_table(issues)
    register = tiled(base, big)
    batch_rate, batch_time = rate_batch(register)
    first_shape = shape(register)
    del register
    (later_rate, later_time), (again_rate, again_time), (stream_rate, stream_time) = later_registers(
        base, big
    )
    # the same three, each in a fresh process: as the other rows run, held to one core, and with every
    # pyarrow buffer (not only the batch path's own) from the system allocator
    elsewhere = {
        "both cores": later_registers_elsewhere(big, None),
        "one core": later_registers_elsewhere(big, None, one_core=True),
        "ARROW_DEFAULT_MEMORY_POOL=system": later_registers_elsewhere(big, "system"),
    }
    later = tiled(base, big, seed=2)
    grouping = grouping_time(later)
    routed = routed_share(tiled(base, min(big, 100_000)))
    loop_sample = [issues[i % len(issues)] for i in range(sample)]
    loop_full = rate_loop(loop_sample)
    loop_summary = rate_loop(loop_sample, detail="summary")

    plain = [f for f in issues if not any(PACK.facts[k].matter for k in f.get("facts", {}))]
    plain_table = tiled(findings_table(plain), big)
    plain_rate, plain_time = rate_batch(plain_table)

    spread_rows = big // 10
    spread_table = findings_table(jittered(issues, spread_rows))
    spread_rate, spread_time = rate_batch(spread_table)

    site_findings = whole_site(min(sites, 5_000))
    site_table = tiled(findings_table(site_findings), sites)
    site_rate, site_time = rate_batch(site_table, complete=True)
    site_loop = rate_loop(site_findings[: max(sample // 10, 200)], complete=True)
    site_loop_summary = rate_loop(site_findings[: max(sample // 10, 200)], complete=True, detail="summary")

    def row(
        name: str,
        table: pa.Table | tuple[int, int],
        rate: float,
        took: float,
        loop: float,
        summary: float | None,
    ) -> str:
        summary_text = f"{summary:,.0f}/s" if summary else ""
        rows, count = table if isinstance(table, tuple) else shape(table)
        return (
            f"| {name} | {rows:,} | {count:,} | {rate:,.0f}/s ({took:.1f} s) | "
            f"{loop:,.0f}/s | {summary_text} | {rate / loop:.0f}× |"
        )

    lines += [
        "## Batch path: classify_table against a classify() loop",
        "",
        "Generated by `python benchmarks/batch.py`. One process (pyarrow's compute functions may use its",
        "thread pool; numpy does not); the loop's rate is measured on a sample of the same",
        "findings. The machine is shared: other jobs ran on its two cores during this run.",
        "",
        "| machine | |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in machine(fresh)],
        "",
        "classify_table judges each distinct finding once (rows equal but for id and description, on days",
        "under the same law) and remembers up to 32,768 judged findings across calls; every row but the",
        "third and fourth starts with an empty memory. The first row is the first call of a",
        "fresh process: it also pays for compiling the pack's plans and for the first touch of its",
        "memory (which costs much more, and varies more, on this virtual machine than on bare metal);",
        "every later row is measured in the same process afterwards, as a service or a Spark executor",
        "runs, each register made once the previous one is dropped. The loop is",
        '`classify()` per row (full verdicts), and with `detail="summary"`, measured warm; batch ÷ loop',
        "compares with the full loop.",
        "",
        "| workload | rows | distinct findings | classify_table | loop: classify() | "
        'loop: detail="summary" | batch ÷ loop |',
        "| --- | --- | --- | --- | --- | --- | --- |",
        row(
            "single-issue (every rule example without listed installations, drawn at random), "
            "first call of a fresh process",
            first_shape,
            batch_rate,
            batch_time,
            loop_full,
            loop_summary,
        ),
        row(
            "single-issue, a later register of the same findings (plans compiled, memory of findings "
            "emptied before it: the worst case); median of three",
            later,
            later_rate,
            later_time,
            loop_full,
            None,
        ),
        row(
            "single-issue, a later register, the memory of findings kept (as by default); median of three",
            later,
            again_rate,
            again_time,
            loop_full,
            None,
        ),
        row(
            "single-issue, a later register read in batches of 131,072 rows (`iter_classify`, bounded "
            "memory; memory of findings kept); median of three",
            later,
            stream_rate,
            stream_time,
            loop_full,
            None,
        ),
        row("single-issue, no deferred matter", plain_table, plain_rate, plain_time, loop_full, None),
        row(
            "single-issue with numbers, each number moved at random (nearly every row distinct)",
            spread_table,
            spread_rate,
            spread_time,
            loop_full,
            None,
        ),
        row("whole-site, `complete=True`", site_table, site_rate, site_time, site_loop, site_loop_summary),
        "",
        "Distinct findings of the single-issue register that took the per-record path rather than the",
        f"columnar engine when judged by it (deferred matters, errors): {routed:.1%}.",
        "",
        "### Later registers in a process of their own: on one core, and with every buffer from the system",
        "",
        "The three later-register rows again, each column in a fresh process of its own (one first call,",
        "then the same registers): as above (both of the machine's cores open to pyarrow's thread pool),",
        "held to one core from the process's start, and with `ARROW_DEFAULT_MEMORY_POOL=system` (every",
        "buffer pyarrow makes, the register's own and those of compute functions the batch path does not",
        "hand its pool, from the C library's allocator as the batch path's own buffers already are; see",
        "*the batch path's own buffers* and *fresh memory* above).",
        "",
        f"| later register (median of three) | {' | '.join(elsewhere)} |",
        "| --- | --- | --- | --- |",
        *[
            f"| {name} | "
            + " | ".join(f"{figures['rates'][number][0]:,.0f}/s" for figures in elsewhere.values())
            + " |"
            for number, name in enumerate(
                ["memory of findings emptied", "memory of findings kept", "read in batches of 131,072 rows"]
            )
        ],
        "| peak resident memory of the process | "
        + " | ".join(f"{figures['peak_mb']:,.0f} MB" for figures in elsewhere.values())
        + " |",
        "",
    ]

    with tempfile.TemporaryDirectory() as folder:
        memory_rows = []
        for rows in [20_000, 100_000] if args.quick else [200_000, 1_000_000]:
            path = Path(folder) / f"register-{rows}.parquet"
            pq.write_table(tiled(base, rows), path, row_group_size=65_536)
            peak, took = cli_memory(path, Path(folder) / "out.parquet")
            reading = parquet_reading(path)
            memory_rows.append(
                f"| {rows:,} | {peak:,.0f} MB | {took:.1f} s | {reading:.1f} s | {rows / took:,.0f}/s |"
            )
        full_rows = 2_000 if args.quick else 20_000
        path = Path(folder) / f"register-{full_rows}.parquet"
        pq.write_table(tiled(base, full_rows), path, row_group_size=65_536)
        full_peak, full_took = cli_memory(path, Path(folder) / "full.parquet", detail="full")
        lines += [
            "### Memory: `hazardrules classify register.parquet -o verdicts.parquet --detail summary`",
            "",
            "A separate process; its peak resident memory (VmHWM) includes the interpreter, pyarrow",
            "and the pack. *Reading alone* is another fresh process reading the same file in the CLI's",
            "batches (65,536 rows) and doing nothing with them: in a register of one column per fact,",
            "Parquet's decoding of every column chunk into Arrow's dense buffers (a value slot per row",
            "and column, held or not) takes much of the CLI's time.",
            "",
            "| findings | peak RSS | wall time (with start-up) | reading alone | findings/s |",
            "| --- | --- | --- | --- | --- |",
            *memory_rows,
            "",
            "With full verdicts (`--detail full`, the CLI's default; each row's verdict JSON, built by",
            "`classify()` row by row, beside the summary columns):",
            "",
            "| findings | peak RSS | wall time (with start-up) | findings/s |",
            "| --- | --- | --- | --- |",
            f"| {full_rows:,} | {full_peak:,.0f} MB | {full_took:.1f} s | {full_rows / full_took:,.0f}/s |",
            "",
        ]
        if args.spark:
            lines += spark_figures(Path(folder), big)

    growth = []
    rows = big // 5
    few = ["gm-2023", "hc-2017", "fw-2017"]
    chosen = [u for u in PACK.rule_index if u.startswith(tuple(f + ":" for f in few))]
    small = tiled(findings_table([f for f in plain if f["sector"] in _sectors_of(few)]), rows)
    growth.append(
        f"| {len(chosen)} rules (gm-2023, hc-2017, fw-2017 selected), their sectors' single-issue findings | "
        f"{rate_batch(small, select=few)[0]:,.0f}/s |"
    )
    growth.append(
        f"| {len(PACK.rule_index)} rules (the whole pack), the same findings | "
        f"{rate_batch(small)[0]:,.0f}/s |"
    )
    growth.append(
        f"| {len(PACK.rule_index)} rules, single-issue findings of every sector | "
        f"{rate_batch(tiled(findings_table(plain), rows))[0]:,.0f}/s |"
    )
    for facts in [1, 4, 16, 64]:
        growth.append(f"| metallurgy, {facts} facts per finding | {facts_rate(facts, rows):,.0f}/s |")
    lines += [
        "### Growth with rules and with facts per finding",
        "",
        f"{rows:,} findings each.",
        "",
        "| pack, findings | classify_table |",
        "| --- | --- |",
        *growth,
        "",
    ]
    lines += [
        "### Reading these figures",
        "",
        "What costs: how many distinct findings the register holds (each is judged once, by classify()",
        "when there are few, else by the columnar engine); the table's width (every column holding values",
        f"is read once to find the distinct findings: {grouping:.2f} s for the {later.num_rows:,} rows and",
        f"{later.num_columns:,} columns of the second row's register: most of a remembered register's",
        "time); and the first touch of memory, which on this virtual machine costs more than the work",
        "done in it (each row's lists are indices into dictionaries, not texts written again, for that).",
        "",
    ]
    write_section("\n".join(lines))
    print("\n".join(lines))


def spark_figures(folder: Path, rows: int) -> list[str]:
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    from hazardrules.interfaces.spark import classify_dataframe

    # As in tests/test_spark.py: three standards' sectors, flat columns (no list column, which Spark's
    # vectorised Parquet reader does not read).
    flat = [
        f
        for rule, _, f, _ in all_examples()
        if rule.startswith(("gm-2023", "hc-2017", "fw-2017"))
        and "installations" not in f
        and not any(PACK.facts[k].type == "set" for k in f.get("facts", {}))
    ]
    path = folder / "spark.parquet"
    pq.write_table(tiled(findings_table(flat), rows), path, row_group_size=100_000)
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "3g")
        .config("spark.sql.files.maxPartitionBytes", str(4 << 20))
        .getOrCreate()
    )
    try:
        frame = spark.read.parquet(str(path))
        started = time.perf_counter()
        classify_dataframe(frame).write.mode("overwrite").parquet(str(folder / "spark-out"))
        took = time.perf_counter() - started
    finally:
        spark.stop()
    return [
        "### Spark local[2] (`mapInArrow` with the batch API)",
        "",
        "| findings | time (read Parquet, classify, write Parquet) | findings/s |",
        "| --- | --- | --- |",
        f"| {rows:,} | {took:.1f} s | {rows / took:,.0f}/s |",
        "",
    ]


def write_section(text: str) -> None:
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in current and END in current:
        current = current[: current.index(BEGIN)] + block + current[current.index(END) + len(END) :]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
