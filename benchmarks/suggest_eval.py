"""Evaluate suggest() on real hazard descriptions with their officially cited clauses.

    python benchmarks/suggest_eval.py

The labelled set (benchmarks/data/suggest_eval.jsonl) was gathered from public enforcement notices and
typical cases; benchmarks/data/suggest_eval_SOURCES.md records where each item came from. Scores top-1
and top-3 accuracy for suggest() and for a plain keyword-overlap baseline measured in the same run,
with and without the sector the source gives, plus per-query latency. Prints a Markdown table.
"""

from __future__ import annotations

import dataclasses
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import hazardrules
from hazardrules.interfaces.suggest import _index

DATA = Path(__file__).parent / "data" / "suggest_eval.jsonl"


def load() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def correct(item: dict[str, Any], rule: str, also: list[str]) -> bool:
    """A candidate is right when it is the cited clause (or inside a cited article), or when the
    cited provision is one the candidate says to cite beside it (工贸 第十四条)."""
    return any(rule == label or rule.startswith(label + ".") or label in also for label in item["labels"])


def baseline(pack: hazardrules.Pack, text: str, sector: str | None, k: int) -> list[tuple[str, list[str]]]:
    """Keyword overlap: the number of distinct jieba words shared with the rule's text."""
    index = _index(pack)
    query = set(index.words(text))
    scored = []
    for order, rule in enumerate(index.rules):
        if sector and sector not in rule.sectors:
            continue
        overlap = len(query & set(index.words(rule.spec.text)))
        if overlap:
            scored.append((-overlap, order, rule.id))
    return [(rule_id, []) for _, _, rule_id in sorted(scored)[:k]]


def ours(pack: hazardrules.Pack, text: str, sector: str | None, k: int) -> list[tuple[str, list[str]]]:
    result = hazardrules.suggest(text, sector=sector, k=k, pack=pack)
    return [(c.rule, c.also_cites) for c in result.candidates]


def score(
    method: Any, pack: hazardrules.Pack, items: list[dict[str, Any]], use_sector: bool
) -> tuple[float, float]:
    top1 = top3 = 0
    for item in items:
        ranked = method(pack, item["text"], item["sector"] if use_sector else None, 3)
        hits = [correct(item, rule, also) for rule, also in ranked]
        top1 += bool(hits[:1] and hits[0])
        top3 += any(hits)
    return top1 / len(items), top3 / len(items)


def main() -> int:
    pack = hazardrules.load_pack()
    items = load()
    started = time.perf_counter()
    hazardrules.suggest("预热", pack=pack)  # builds the index (jieba dictionary + BM25)
    build = time.perf_counter() - started
    latencies = []
    for _ in range(5):
        for item in items:
            t = time.perf_counter()
            hazardrules.suggest(item["text"], sector=item["sector"], pack=pack)
            latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    print(
        f"suggest() evaluation — {len(items)} labelled descriptions "
        f"({len({label for i in items for label in i['labels']})} distinct clauses), "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}\n"
    )
    print("| method | sector given | top-1 | top-3 |")
    print("| --- | --- | --- | --- |")
    bare = dataclasses.replace(pack, synonyms=())
    methods = (
        ("keyword overlap (baseline)", baseline, pack),
        ("suggest without synonyms (jieba + BM25)", ours, bare),
        ("suggest (jieba + BM25 + synonyms)", ours, pack),
    )
    for name, method, used in methods:
        for use_sector in (False, True):
            one, three = score(method, used, items, use_sector)
            print(f"| {name} | {'yes' if use_sector else 'no'} | {one:.0%} | {three:.0%} |")
    print(
        f"\nindex build (first call): {build * 1000:.0f} ms; per query: "
        f"p50 {statistics.median(latencies):.1f} ms, p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
