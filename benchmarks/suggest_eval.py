"""Evaluate suggest() on real hazard descriptions with their officially cited clauses.

    python benchmarks/suggest_eval.py              # the tables (Markdown)
    python benchmarks/suggest_eval.py --calibrate  # fit the confidence model's constants

The labelled set (benchmarks/data/suggest_eval.jsonl) was gathered from public enforcement notices and
typical cases; benchmarks/data/suggest_eval_SOURCES.md records where each item came from. Items with
``labels`` have a clause an authority cited: top-1 and top-3 accuracy are measured on them, for
suggest() and for a plain keyword-overlap baseline in the same run, with and without the sector the
source gives. Items with ``"expect": "none"`` describe hazards outside every encoded provision (a
reservoir, an airport, a school, a special-equipment operator): suggest() should say ``no_match`` (and,
where the text names it, the unencoded standard of the register); ``not_labels`` must not come first.
"""

from __future__ import annotations

import dataclasses
import json
import math
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import hazardrules
from hazardrules.interfaces import suggest as suggest_module
from hazardrules.interfaces.suggest import _index
from hazardrules.pack.sectors import resolve_sector

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


def out_of_scope(pack: hazardrules.Pack, items: list[dict[str, Any]]) -> dict[str, Any]:
    """For the items that no encoded provision matches: how often suggest() says so."""
    flagged = named = wrong_first = 0
    named_expected = 0
    for item in items:
        result = hazardrules.suggest(item["text"], pack=pack)
        flagged += result.no_match
        governed = set(item.get("governed_by", ()))
        if governed & {u.id for u in result.unencoded}:
            named += 1
        named_expected += bool(governed)
        if result.candidates and result.candidates[0].rule in item.get("not_labels", ()):
            wrong_first += 1
    return {"items": len(items), "no_match": flagged, "named": named, "nameable": named_expected, "wrong_first": wrong_first}


def false_alarms(pack: hazardrules.Pack, items: list[dict[str, Any]], use_sector: bool) -> int:
    """Labelled items that suggest() wrongly calls no_match."""
    return sum(
        hazardrules.suggest(i["text"], sector=i["sector"] if use_sector else None, pack=pack).no_match for i in items
    )


# -- calibration of the confidence model ------------------------------------------------------------
def features(pack: hazardrules.Pack, items: list[dict[str, Any]]) -> list[tuple[list[float], int]]:
    """One row per candidate (top 5, with and without the sector): its features and whether it is right."""
    index = _index(pack)
    rows = []
    for item in items:
        for use_sector in (False, True):
            sector = item["sector"] if use_sector else None
            if use_sector and not sector:
                continue
            slug = resolve_sector(pack, sector) if sector else None
            ranked, _ = index.rank(item["text"])
            groups = [g for g in index.group(ranked, slug) if slug is None or slug in index.rules[g.position].sectors]
            best = groups[0].score if groups else 0.0
            for group in groups[:5]:
                rule = index.rules[group.position]
                also = [c.provision_id for c in rule.also_cites]
                right = correct(item, rule.id, also) if item["labels"] else False
                x = [
                    index.coverage(item["text"], group.position),
                    math.log1p(group.score),
                    group.score / best if best else 0.0,
                ]
                rows.append((x, int(right)))
    return rows


def fit(rows: list[tuple[list[float], int]], l2: float = 0.01) -> list[float]:
    """Logistic regression (intercept first) by Newton's method, with a little L2 on the weights."""
    import numpy as np

    x = np.array([[1.0, *features] for features, _ in rows])
    y = np.array([label for _, label in rows], dtype=float)
    weights = np.zeros(x.shape[1])
    penalty = np.diag([0.0] + [l2 * len(rows)] * (x.shape[1] - 1))
    for _ in range(100):
        p = 1 / (1 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - y) + penalty @ weights
        hessian = (x.T * (p * (1 - p))) @ x + penalty
        step = np.linalg.solve(hessian, gradient)
        weights = weights - step
        if float(np.abs(step).max()) < 1e-9:
            break
    return [float(w) for w in weights]


def reliability(rows: list[tuple[list[float], int]], weights: list[float]) -> list[tuple[str, int, float, float]]:
    bins: dict[int, list[tuple[float, int]]] = {}
    for x, y in rows:
        z = weights[0] + sum(w * v for w, v in zip(weights[1:], x, strict=True))
        p = 1 / (1 + math.exp(-z))
        bins.setdefault(min(int(p * 5), 4), []).append((p, y))
    out = []
    for b in sorted(bins):
        values = bins[b]
        out.append(
            (f"{b / 5:.1f}–{(b + 1) / 5:.1f}", len(values), statistics.mean(p for p, _ in values), statistics.mean(y for _, y in values))
        )
    return out


def calibrate() -> int:
    pack = hazardrules.load_pack()
    rows = features(pack, load())
    weights = fit(rows)
    names = ["INTERCEPT", "COVERAGE", "LOG_SCORE", "RELATIVE"]
    print(", ".join(names) + " = " + ", ".join(f"{w:.2f}" for w in weights))
    print(f"\n{len(rows)} candidates ({sum(y for _, y in rows)} right)\n")
    print("| predicted | candidates | mean confidence | share right |")
    print("| --- | --- | --- | --- |")
    for label, count, predicted, actual in reliability(rows, weights):
        print(f"| {label} | {count} | {predicted:.2f} | {actual:.2f} |")
    return 0


def main() -> int:
    pack = hazardrules.load_pack()
    every = load()
    items = [i for i in every if i["labels"]]
    outside = [i for i in every if not i["labels"]]
    started = time.perf_counter()
    hazardrules.suggest("预热", pack=pack)  # builds the index (jieba dictionary + BM25)
    build = time.perf_counter() - started
    latencies = []
    for _ in range(5):
        for item in every:
            t = time.perf_counter()
            hazardrules.suggest(item["text"], sector=item["sector"], pack=pack)
            latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    print(
        f"suggest() evaluation — {len(items)} labelled descriptions "
        f"({len({label for i in items for label in i['labels']})} distinct clauses) and {len(outside)} that no "
        f"encoded provision matches, {pack.name} {pack.version} ({len(pack.rule_index)} rules), "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}\n"
    )
    print("| method | sector given | top-1 | top-3 |")
    print("| --- | --- | --- | --- |")
    bare = dataclasses.replace(pack, synonyms=(), distinctions=())
    methods = (
        ("keyword overlap (baseline)", baseline, pack),
        ("suggest without synonyms (jieba + BM25)", ours, bare),
        ("suggest (jieba + BM25 + synonyms)", ours, pack),
    )
    for name, method, used in methods:
        for use_sector in (False, True):
            one, three = score(method, used, items, use_sector)
            print(f"| {name} | {'yes' if use_sector else 'no'} | {one:.0%} | {three:.0%} |")
    found = out_of_scope(pack, outside)
    print(
        f"\nOutside every encoded provision ({found['items']} items): no_match said for {found['no_match']}; "
        f"the unencoded standard named for {found['named']} of the {found['nameable']} that have one; a "
        f"forbidden clause first for {found['wrong_first']}. Labelled items wrongly called no_match: "
        f"{false_alarms(pack, items, False)} without the sector, {false_alarms(pack, items, True)} with it "
        f"(threshold {suggest_module.NO_MATCH})."
    )
    print(
        f"\nindex build (first call): {build * 1000:.0f} ms; per query: "
        f"p50 {statistics.median(latencies):.1f} ms, p99 {latencies[int(len(latencies) * 0.99) - 1]:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(calibrate() if "--calibrate" in sys.argv[1:] else main())
