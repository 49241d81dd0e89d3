"""Service load: requests/s, p50/p99 latency and server memory of ``hazardrules serve`` at N
concurrent clients, and the NDJSON stream's records/s.

Starts ``python -m hazardrules serve --port 0`` on 127.0.0.1 as its own process, sends only to that
address, and stops by itself: every level is bounded by a request count and a time limit. The
client (httpx, asyncio, one connection per simulated client) runs in this process, on the same
machine: on 2 shared cores the figures are what one box serving itself gives, not a ceiling. The
findings are every worked example of every rule, in turn (``POST /v1/classify``). Memory is the
server's resident size (VmRSS) after each level and its peak (VmHWM) at the end. The figures go
into benchmarks/RESULTS.md (their own section; run.py keeps it). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests._examples import all_examples  # noqa: E402

START, END = "<!-- service_load: start -->", "<!-- service_load: end -->"


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def start(threads: int) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "hazardrules", "serve", "--port", "0", "--no-access-log"]
    process = subprocess.Popen(
        [*command, "--threads", str(threads)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    if "serving on" not in first:
        process.kill()
        raise SystemExit(f"the server did not start: {first}")
    url = first.rsplit(" ", 1)[1].strip()
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not answer /health")


async def level(url: str, bodies: list[bytes], clients: int, requests: int, seconds: float) -> dict[str, Any]:
    """``clients`` concurrent clients sharing ``requests`` requests, stopping after ``seconds``."""
    latencies: list[float] = []
    failures = 0
    counter = iter(range(requests))
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal failures
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as session:
            for number in counter:
                if time.perf_counter() > deadline:
                    return
                body = bodies[number % len(bodies)]
                began = time.perf_counter()
                response = await session.post(
                    "/v1/classify", content=body, headers={"content-type": "application/json"}
                )
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200:
                    failures += 1

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "clients": clients,
        "requests": len(latencies),
        "failures": failures,
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def stream(url: str, bodies: list[bytes], records: int) -> dict[str, Any]:
    data = b"\n".join(bodies[i % len(bodies)] for i in range(records)) + b"\n"
    began = time.perf_counter()
    first = None
    count = 0
    with httpx.stream(
        "POST",
        url + "/v1/classify/stream",
        content=data,
        timeout=600,
        headers={"content-type": "application/x-ndjson"},
    ) as response:
        for line in response.iter_lines():
            if line:
                count += 1
                if first is None:
                    first = time.perf_counter() - began
    elapsed = time.perf_counter() - began
    return {"records": count, "bytes": len(data), "seconds": elapsed, "rps": count / elapsed, "first": first}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def report(args: argparse.Namespace, rows: list[dict[str, Any]], streamed: dict[str, Any], peak: int) -> str:
    load = os.getloadavg()[0]
    lines = [
        START,
        "## Service load (`python benchmarks/service_load.py`)",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, CPython {platform.python_version()}, "
        f"{os.cpu_count()} cores (shared), load average {load:.1f} at the end. `hazardrules serve "
        f"--threads {args.threads}` (uvicorn, one process) on 127.0.0.1; the client (httpx, asyncio, one "
        "keep-alive connection per client) runs on the same two cores, so both share them. "
        "Findings: every rule example in turn, `POST /v1/classify` (single-issue findings, about 200 "
        f"bytes each). Each level: at most {args.requests:,} requests and {args.seconds:g} s.",
        "",
        "| concurrent clients | requests | failed | requests/s | p50 | p99 | server RSS after |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['clients']} | {row['requests']:,} | {row['failures']} | {row['rps']:,.0f} | "
            f"{ms(row['p50'])} | {ms(row['p99'])} | {row['rss'] / 1024:.0f} MB |"
        )
    lines += [
        "",
        f"Server peak RSS (VmHWM) over the whole run: {peak / 1024:.0f} MB.",
        "",
        f"NDJSON stream (`POST /v1/classify/stream`, one request of {streamed['records']:,} findings, "
        f"{streamed['bytes'] / 1e6:.1f} MB): {streamed['rps']:,.0f} records/s, "
        f"{streamed['seconds']:.1f} s in all, first line after {ms(streamed['first'])} (the body is read "
        "in full, then the verdicts are written slice by slice as they are classified).",
        END,
        "",
    ]
    return "\n".join(lines)


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
    parser.add_argument("--clients", default="1,4,16,64", help="concurrency levels (default 1,4,16,64)")
    parser.add_argument("--requests", type=int, default=3000, help="requests per level at most")
    parser.add_argument("--seconds", type=float, default=30, help="time per level at most")
    parser.add_argument("--stream", type=int, default=5000, help="findings in the stream request")
    parser.add_argument("--threads", type=int, default=4, help="the server's --threads")
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    # Every rule example that is a finding classify takes (a few give no facts at all: no_facts).
    bodies = [json.dumps(f, ensure_ascii=False).encode() for _, _, f, _ in all_examples() if f["facts"]]
    process, url = start(args.threads)
    try:
        asyncio.run(level(url, bodies, 4, 200, 30))  # warm up (imports, caches)
        rows = []
        for clients in (int(c) for c in args.clients.split(",")):
            row = asyncio.run(level(url, bodies, clients, args.requests, args.seconds))
            row["rss"] = memory(process.pid)["VmRSS"]
            rows.append(row)
            print(
                f"{clients:>3} clients: {row['requests']:,} requests, {row['failures']} failed, "
                f"{row['rps']:,.0f}/s, p50 {ms(row['p50'])}, p99 {ms(row['p99'])}, "
                f"RSS {row['rss'] / 1024:.0f} MB",
                flush=True,
            )
        streamed = stream(url, bodies, args.stream)
        print(f"stream: {streamed['records']:,} records, {streamed['rps']:,.0f}/s", flush=True)
        peak = memory(process.pid)["VmHWM"]
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()
    section = report(args, rows, streamed, peak)
    print(section)
    if not args.no_write:
        write_results(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
