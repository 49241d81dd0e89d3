"""A synthetic rule pack: random conditions over every kind of fact, derivation chains, conflicts.

Used to test the engines (and the native engine's fast paths) on far more shapes of condition than
the shipped pack has yet.
"""

from __future__ import annotations

import atexit
import functools
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

import hazardrules
from hazardrules.pack.model import Pack

BOOLS = [f"b.p{i}" for i in range(8)]
NUMBERS = ["x.n0", "x.n1", "x.n2"]
INTEGERS = ["x.i0"]
ENUMS = {"e.k0": ["gas", "oil", "coal"], "e.k1": ["gas", "oil", "water"]}
SETS = {"s.r0": ["gas", "rest", "office"], "s.r1": ["a", "b"]}


def synthetic_facts() -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name in BOOLS:
        facts[name] = {"type": "bool", "label": name, "question": name}
    for name in NUMBERS:
        facts[name] = {"type": "number", "label": name, "question": name, "unit": "m"}
    for name in INTEGERS:
        facts[name] = {"type": "integer", "label": name, "question": name}
    for name, values in ENUMS.items():
        facts[name] = {"type": "enum", "label": name, "question": name, "values": {v: v for v in values}}
    for name, values in SETS.items():
        facts[name] = {"type": "set", "label": name, "question": name, "values": {v: v for v in values}}
    return facts


DERIVATIONS = [  # pack-wide ones go in the facts file; chains, a possible conflict, every value type
    {"id": "pack:p6-from-p0", "derives": "b.p6", "value": True, "when": "b.p0 and not b.p1"},
    {"id": "pack:p6-from-n0", "derives": "b.p6", "value": False, "when": "x.n0 > 10"},
    {"id": "pack:p7-chain", "derives": "b.p7", "value": True, "when": 'b.p6 or e.k0 == "gas"'},
    {"id": "pack:k1-from-set", "derives": "e.k1", "value": "water", "when": '"rest" in s.r0'},
    {"id": "pack:i0-from-p5", "derives": "x.i0", "value": 3, "when": "b.p5 and not b.p7"},
    {"id": "pack:n2-from-k1", "derives": "x.n2", "value": 0.5, "when": 'e.k1 == "water"'},
]
OWN_DERIVATIONS = [
    {"id": "syn:p4-from-sets", "derives": "b.p4", "value": False, "when": 'any_in(s.r1, ["a"]) and b.p3'},
    # documented readings (switchable): a chain through two of them and a possible conflict
    {
        "id": "syn:p2-read",
        "derives": "b.p2",
        "value": True,
        "when": "b.p3 and x.n1 > 1",
        "reading": "syn:r-one",
    },
    {"id": "syn:n1-read", "derives": "x.n1", "value": 2.5, "when": 'e.k0 == "oil"', "reading": "syn:r-two"},
    {
        "id": "syn:p3-read",
        "derives": "b.p3",
        "value": False,
        "when": 'b.p0 and e.k0 == "coal"',
        "reading": "syn:r-two",
    },
]
READINGS = ["syn:r-one", "syn:r-two"]


def random_condition(rng: random.Random, depth: int = 0) -> str:
    """A random, well-typed condition that the durable engine supports."""
    if depth >= 2 or rng.random() < 0.3:
        return random_atom(rng)
    kind = rng.choice(["not", "and", "or", "or", "and", "at_least"])
    if kind == "not":
        return f"not ({random_condition(rng, depth + 1)})"
    parts = [random_condition(rng, depth + 1) for _ in range(rng.randint(2, 3))]
    if kind == "at_least":
        return f"at_least({rng.randint(1, len(parts))}, {', '.join(parts)})"
    return "(" + f" {kind} ".join(parts) + ")"


def random_atom(rng: random.Random) -> str:
    number = lambda: rng.choice(NUMBERS + INTEGERS)  # noqa: E731
    literal = lambda: rng.choice(["0", "1", "3", "10", "2.5", "-1", "0.1", "0.00001"])  # noqa: E731
    op = rng.choice(["<", "<=", ">", ">=", "==", "!="])
    enum = rng.choice(sorted(ENUMS))
    value = rng.choice(ENUMS[enum])
    choices = [
        lambda: rng.choice(BOOLS),
        lambda: rng.choice(["true", "false"]),
        lambda: f"{rng.choice(BOOLS)} == {rng.choice(['true', 'false'])}",
        lambda: f"{rng.choice(BOOLS)} != {rng.choice(BOOLS)}",
        lambda: f"{number()} {op} {literal()}",
        lambda: f"{literal()} {op} {number()}",
        lambda: f"{number()} {op} {number()}",
        lambda: f"{number()} {op} {number()} * 0.98",
        lambda: f"{number()} * 0.5 + 1 {op} {number()}",
        lambda: f"{number()} {op} {number()} / 4 - {literal()}",
        lambda: f"{number()} {op} -{number()}",
        lambda: f"{number()} in [1, 3, 2.5]",
        lambda: f"{number()} not in [0, 10]",
        lambda: f'{enum} {rng.choice(["==", "!="])} "{value}"',
        lambda: f"e.k0 {rng.choice(['==', '!='])} e.k1",
        lambda: f'{enum} in ["{value}", "{rng.choice(ENUMS[enum])}"]',
        lambda: f'{enum} not in ["{value}"]',
        lambda: f'"{rng.choice(SETS["s.r0"])}" {rng.choice(["in", "not in"])} s.r0',
        lambda: f"{enum} {rng.choice(['in', 'not in'])} s.r0",
        lambda: f'any_in(s.r0, ["{rng.choice(SETS["s.r0"])}", "office"])',
        lambda: f'not any_in(s.r1, ["{rng.choice(SETS["s.r1"])}"])',
        lambda: f"{rng.choice(['1 < 2', '3 == 4', '2 in [1, 2]'])}",
    ]
    return rng.choice(choices)()


def write_synthetic_pack(root: Path, rules: int, seed: int) -> Path:
    rng = random.Random(seed)
    (root / "facts").mkdir(parents=True)
    (root / "standards").mkdir()
    dump = lambda data: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)  # noqa: E731
    (root / "pack.yaml").write_text(dump({"name": "synthetic", "version": str(seed)}), encoding="utf-8")
    sectors = {"one": {"name": "一"}, "two": {"name": "二"}}
    (root / "sectors.yaml").write_text(dump({"sectors": sectors}), encoding="utf-8")
    derivations = [{**d, "basis": "test"} for d in DERIVATIONS]
    facts_file = {"facts": synthetic_facts(), "derivations": derivations}
    (root / "facts" / "syn.yaml").write_text(dump(facts_file), encoding="utf-8")
    specs = []
    for number in range(1, rules + 1):
        spec: dict[str, Any] = {
            "id": f"syn:{number}",
            "label": f"第{number}条",
            "text": f"synthetic rule {number}",
            "text_status": "unverified",
            "condition": random_condition(rng),
            "examples": [{"expect": "undetermined", "facts": {}}],
        }
        if rng.random() < 0.3:
            spec["applies"] = {"when": random_condition(rng, 2)}
        if rng.random() < 0.3:
            spec["applies"] = {**spec.get("applies", {}), "sectors": [rng.choice(["one", "two"])]}
        specs.append(spec)
    standard = {
        "standard": {
            "slug": "syn",
            "title": "synthetic",
            "document_number": "test",
            "issuer": "test",
            "sectors": ["one", "two"],
        },
        "rules": specs,
        "derivations": [{**d, "basis": "test"} for d in OWN_DERIVATIONS],
        "readings": [{"id": r, "title": r, "publisher": "测试", "official": False} for r in READINGS],
    }
    (root / "standards" / "syn.yaml").write_text(dump(standard), encoding="utf-8")
    return root


@functools.cache
def synthetic_pack() -> Pack:
    """Built once per session (not a fixture: hypothesis would print it with a failing example)."""
    root = Path(tempfile.mkdtemp(prefix="hazardrules-synthetic-"))
    atexit.register(shutil.rmtree, root, True)
    return hazardrules.load_pack(write_synthetic_pack(root / "rules", 160, 7))


def number_values() -> st.SearchStrategy[Any]:
    edges = [0, 1, 3, 10, 2.5, -1, 0.1, 1e-05, 0.00001, 2, 4, 0.98, 10.2, -0.0, 5e-324, 1e16, 1.5e300]
    return st.one_of(
        st.sampled_from(edges), st.integers(-3, 12), st.floats(-20, 20, allow_nan=False, allow_infinity=False)
    )


@st.composite
def synthetic_findings(draw: st.DrawFn) -> dict[str, Any]:
    """Three-valued: each fact absent (unknown) or given."""
    facts: dict[str, Any] = {}
    for name in BOOLS:
        if draw(st.booleans()):
            facts[name] = draw(st.booleans())
    for name in NUMBERS:
        if draw(st.booleans()):
            facts[name] = draw(number_values())
    for name in INTEGERS:
        if draw(st.booleans()):
            facts[name] = draw(st.integers(-3, 12))
    for name, values in ENUMS.items():
        if draw(st.booleans()):
            facts[name] = draw(st.sampled_from(values))
    for name, values in SETS.items():
        if draw(st.booleans()):
            facts[name] = frozenset(draw(st.lists(st.sampled_from(values), unique=True)))
    return facts
