"""The durable-rules engine against the native one (differential tests, hypothesis).

- Every rule example of the shipped pack: both engines give the same verdict.
- Random two-valued findings over the whole shipped pack (every fact the sector's rules read has a
  value): the same verdict, hits first.
- A synthetic pack of random conditions over every kind of fact, with derivation chains and
  conflicts, sharded and tree-shaped on purpose: every rule's three-valued value, the derived facts
  and the conflict errors are the same.
- Where durable-rules cannot be imported (Python 3.13, not installed), asking for the engine raises
  :class:`hazardrules.HazardRulesError` saying why and how to install it.
"""

from __future__ import annotations

import datetime as dt
import glob
import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules.engine import registry as _engines
from hazardrules.engine.native import StandardResult
from hazardrules.engine.registry import NativeEngine, get_engine
from hazardrules.pack.model import CompiledStandard, Pack

from ._examples import all_examples
from ._strategies import fact_values
from ._synthetic import BOOLS, READINGS, synthetic_findings, synthetic_pack, write_synthetic_pack
from .test_soundness import site_findings

REPO = Path(__file__).resolve().parents[1]
DURABLE_IMPORTS = importlib.util.find_spec("durable") is not None and sys.version_info < (3, 13)
needs_durable = pytest.mark.skipif(not DURABLE_IMPORTS, reason="durable-rules does not import here")


@pytest.fixture(scope="module")
def durable() -> Any:
    pytest.importorskip("durable.lang", reason="durable-rules does not import here (Python 3.13?)")
    return get_engine("durable")


def comparable(verdict: hazardrules.Verdict) -> dict[str, Any]:
    out = verdict.model_dump(mode="json")
    out.pop("engine")
    return out


# -- the shipped pack --------------------------------------------------------------------------------
EXAMPLES = all_examples()


@pytest.mark.parametrize(
    ("rule_id", "number", "finding", "expect"),
    EXAMPLES,
    ids=[f"{r}#{n}-{e}" for r, n, _, e in EXAMPLES],
)
def test_every_rule_example_same_verdict(
    durable: Any, rule_id: str, number: int, finding: dict[str, Any], expect: str
) -> None:
    for complete in (True, False):
        native = verdict_or_error(finding, complete=complete)
        other = verdict_or_error(finding, complete=complete, engine="durable")
        assert other == native
    selected = hazardrules.classify(finding, complete=True, select=[rule_id], engine="durable")
    held = {h.rule for h in selected.hits}
    open_ = {u.rule for u in selected.undetermined}
    outcome = "holds" if rule_id in held else "undetermined" if rule_id in open_ else "does_not_hold"
    assert outcome == expect


PACK = hazardrules.load_pack()
TODAY = dt.date(2025, 6, 1)


def sector_facts(sector: str) -> list[str]:
    """Every fact the rules of the sector read (conditions, applicability, derivation inputs)."""
    read: set[str] = set()
    for standard in PACK.standards_for(sector):
        if not standard.in_force(TODAY):
            continue
        for rule in standard.by_sector.get(sector, ()):
            read |= rule.touch
            if rule.applies is not None:
                read.update(rule.applies.facts)
            read.update(f for c in rule.also_cites for f in c.when.facts)
    return sorted(read)


SECTORS = sorted(s for s in PACK.sectors if sector_facts(s))


def two_valued(name: str) -> st.SearchStrategy[Any]:
    return fact_values(PACK, name)


@st.composite
def whole_site_findings(draw: st.DrawFn) -> dict[str, Any]:
    sector = draw(st.sampled_from(SECTORS))
    names = sector_facts(sector)
    extra = draw(st.lists(st.sampled_from(sorted(PACK.facts)), unique=True, max_size=5))
    return {
        "sector": sector,
        "observed_on": TODAY.isoformat(),
        "facts": {name: draw(two_valued(name)) for name in sorted({*names, *extra})},
    }


def verdict_or_error(finding: dict[str, Any], **options: Any) -> Any:
    try:
        return comparable(hazardrules.classify(finding, **options))
    except hazardrules.FindingError as exc:
        return ("error", [(p.code, p.message, p.field) for p in exc.problems])


@needs_durable
@given(whole_site_findings(), st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_two_valued_findings_over_the_whole_pack_same_verdict(
    finding: dict[str, Any], complete: bool
) -> None:
    native = verdict_or_error(finding, complete=complete)
    other = verdict_or_error(finding, complete=complete, engine="durable")
    if isinstance(native, dict) and isinstance(other, dict):
        assert [h["rule"] for h in other["hits"]] == [h["rule"] for h in native["hits"]]
    assert other == native


@needs_durable
@given(st.data())
@settings(max_examples=150, deadline=None)
def test_three_valued_findings_over_the_whole_pack_same_verdict(data: st.DataObject) -> None:
    sector = data.draw(st.sampled_from(SECTORS))
    names = data.draw(st.lists(st.sampled_from(sector_facts(sector)), unique=True))
    finding = {
        "sector": sector,
        "observed_on": TODAY.isoformat(),
        "facts": {name: data.draw(two_valued(name)) for name in names},
    }
    complete = data.draw(st.booleans())
    assert verdict_or_error(finding, complete=complete, engine="durable") == verdict_or_error(
        finding, complete=complete
    )


def outcome(
    engine: Any,
    pack: Pack,
    standard: CompiledStandard,
    sector: str,
    facts: dict[str, Any],
    off: frozenset[str] = frozenset(),
) -> Any:
    rules = standard.by_sector[sector]
    try:
        result: StandardResult = engine.evaluate(pack, standard, rules, facts, off)
    except hazardrules.FindingError as exc:
        return ("error", [(p.code, p.message, p.field) for p in exc.problems])
    return (
        [(rule.id, value) for rule, value in result.values],
        sorted(result.env.items(), key=lambda kv: kv[0]),
        sorted((fact, d.spec.id) for fact, d in result.origin.items()),
    )


def check_synthetic(
    durable: Any,
    pack: Pack,
    facts: dict[str, Any],
    sector: str,
    verdicts: bool = True,
    off: frozenset[str] = frozenset(),
) -> None:
    standard = pack.standards["syn"]
    expected = outcome(NativeEngine(), pack, standard, sector, facts, off)
    assert outcome(durable, pack, standard, sector, facts, off) == expected
    if not verdicts:
        return
    readings = [r for r in READINGS if r not in off]
    # through classify too (a subset selected: the whole-standard ruleset)
    finding = {
        "sector": sector,
        "facts": {k: sorted(v) if isinstance(v, frozenset) else v for k, v in facts.items()},
    }
    for options in ({"complete": True}, {"select": ["syn:1", "syn:2", "syn:30"]}):
        native = verdict_or_error(finding, pack=pack, readings=readings, **options)
        assert verdict_or_error(finding, pack=pack, engine="durable", readings=readings, **options) == native


@given(
    synthetic_findings(),
    st.sampled_from(["one", "two"]),
    st.integers(0, 3),
    st.frozensets(st.sampled_from(READINGS)),
)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_synthetic_pack_three_valued_same_values(
    durable: Any, facts: dict[str, Any], sector: str, verdicts: int, off: frozenset[str]
) -> None:
    """Every rule's value, the derived facts and the conflicts, with any documented readings off."""
    check_synthetic(durable, synthetic_pack(), facts, sector, verdicts=verdicts == 0, off=off)


@pytest.fixture
def cramped(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Force many shards and a deep marker tree, as a large pack would."""
    from hazardrules.engine import durable as _durable

    monkeypatch.setattr(_durable, "MAX_PROPERTIES", 20)
    monkeypatch.setattr(_durable, "FAN_OUT", 3)
    engine = get_engine("durable")
    engine.reset()
    yield
    engine.reset()


@given(synthetic_findings(), st.sampled_from(["one", "two"]))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_synthetic_pack_sharded_same_values(
    durable: Any, cramped: None, facts: dict[str, Any], sector: str
) -> None:
    check_synthetic(durable, synthetic_pack(), facts, sector, verdicts=False)
    assert len([n for n in durable.ruleset_names() if "-syn-" in n]) > 3


def test_derivation_conflict_is_the_same_error(durable: Any) -> None:
    synthetic = synthetic_pack()
    facts = {"b.p0": True, "b.p1": False, "x.n0": 11}
    expected = outcome(NativeEngine(), synthetic, synthetic.standards["syn"], "one", facts)
    assert expected[0] == "error"
    assert "derivation pack:p6-from-n0" in expected[1][0][1]
    assert outcome(durable, synthetic, synthetic.standards["syn"], "one", facts) == expected
    given_conflict = {"b.p0": True, "b.p1": False, "b.p6": False}
    expected = outcome(NativeEngine(), synthetic, synthetic.standards["syn"], "one", given_conflict)
    assert "by the finding" in expected[1][0][1]
    assert outcome(durable, synthetic, synthetic.standards["syn"], "one", given_conflict) == expected


def test_many_rules_all_matching_fit_durable_rules_limits(durable: Any, tmp_path: Path) -> None:
    pack = hazardrules.load_pack(write_synthetic_pack(tmp_path / "rules", 600, 11))
    facts: dict[str, Any] = {name: True for name in BOOLS} | {"x.n0": 1, "x.n1": 2, "x.n2": 3}
    check_synthetic(durable, pack, facts, "one")
    check_synthetic(durable, pack, {}, "two")


# -- what the durable engine refuses rather than risk a wrong answer ---------------------------------
@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ("x.n0 - x.n1 > 2", "neither side is a fact"),
        ("x.n0 < x.n1 / x.n2", "divides only by a non-zero number"),
        ("x.n0 < 9007199254740993", "too large"),
        (
            "at_least(6, b.p0, b.p1, b.p2, b.p3, b.p4, b.p5, b.p6, b.p7, "
            "b.p0 and b.p1, b.p1 and b.p2, b.p2 and b.p3, b.p3 and b.p4, b.p4 and b.p5)",
            "alternatives",
        ),
    ],
)
def test_unsupported_conditions_are_refused_clearly(
    durable: Any, tmp_path: Path, condition: str, reason: str
) -> None:
    root = write_synthetic_pack(tmp_path / "rules", 1, 3)
    path = root / "standards" / "syn.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"][0]["condition"] = condition
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    pack = hazardrules.load_pack(root)
    finding = {"sector": "one", "facts": {"b.p0": True}}
    hazardrules.classify(finding, pack=pack)  # native is fine
    with pytest.raises(hazardrules.HazardRulesError, match=reason) as info:
        hazardrules.classify(finding, pack=pack, engine="durable")
    assert "syn:1" in str(info.value) and "engine='native'" in str(info.value)


def test_huge_integer_in_a_finding_is_refused(durable: Any) -> None:
    synthetic = synthetic_pack()
    with pytest.raises(hazardrules.HazardRulesError, match=r"x\.i0"):
        outcome(durable, synthetic, synthetic.standards["syn"], "one", {"x.i0": 2**60})


# -- state, threads -----------------------------------------------------------------------------------
def test_rulesets_are_registered_once_under_the_pack_digest(durable: Any) -> None:
    synthetic = synthetic_pack()
    durable.reset()
    finding = {"sector": "one", "facts": {"b.p0": True}}
    for _ in range(3):
        hazardrules.classify(finding, pack=synthetic, engine="durable")
    names = durable.ruleset_names()
    tag = synthetic.digest.removeprefix("sha256:")[:16]
    assert names == [f"hazardrules-{tag}-syn-one-0"]


def test_threads_get_the_same_answers(durable: Any) -> None:
    findings = [finding for _, _, finding, _ in EXAMPLES[:40]]
    expected = [comparable(hazardrules.classify(f, complete=True)) for f in findings]
    results: dict[int, list[dict[str, Any]]] = {}

    def work(index: int) -> None:
        results[index] = [
            comparable(hazardrules.classify(f, complete=True, engine="durable")) for f in findings
        ]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[i] == expected for i in range(4))


def test_states_are_cleaned_up(durable: Any) -> None:
    """Memory stays flat: every classification deletes its durable-rules state (Linux only)."""
    statm = Path("/proc/self/statm")
    if not statm.exists():
        pytest.skip("needs /proc")
    finding = EXAMPLES[0][2]

    def resident_mb() -> float:
        return int(statm.read_text().split()[1]) * 4096 / 2**20

    # durable-rules holds at most 1024 live states: a leaking engine fails well before the end.
    for _ in range(1000):
        hazardrules.classify(finding, engine="durable")
    before = resident_mb()
    for _ in range(3000):
        hazardrules.classify(finding, engine="durable")
    assert resident_mb() - before < 4


# -- where durable-rules cannot be imported -----------------------------------------------------------
@pytest.fixture
def no_durable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make ``import durable`` fail as it does where durable-rules is not installed."""
    from hazardrules.engine import durable as _durable

    for module in ("durable", "durable.lang", "durable.engine", "durable_rules_engine"):
        monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setattr(_durable, "_loaded", None)
    monkeypatch.delitem(_engines._LOADED, "durable", raising=False)
    yield
    _engines._LOADED.pop("durable", None)


FINDING = {"sector": "metallurgy", "facts": {"special_worker.uncertified_on_duty": True}}


def test_not_installed_says_how_to_install(no_durable: None) -> None:
    with pytest.raises(hazardrules.HazardRulesError) as info:
        hazardrules.classify(FINDING, engine="durable")
    message = str(info.value)
    if sys.version_info >= (3, 13):
        assert "3.13" in message or "Python 3.1" in message
    else:
        assert "not installed" in message
    assert "pip install hazardrules[durable]" in message
    assert "3.11 or 3.12" in message
    assert hazardrules.classify(FINDING).status == "major"  # the native engine is unaffected


def test_python_3_13_says_why(no_durable: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "version_info", (3, 13, 0, "final", 0))
    with pytest.raises(hazardrules.HazardRulesError) as info:
        hazardrules.classify(FINDING, engine="durable")
    message = str(info.value)
    assert "Python 3.13.0" in message and "PyEval_CallObject" in message
    assert "pip install hazardrules[durable]" in message and "3.11 or 3.12" in message


@pytest.mark.skipif(DURABLE_IMPORTS, reason="durable-rules imports here")
def test_real_import_failure_is_a_clear_error() -> None:
    with pytest.raises(hazardrules.HazardRulesError, match=r"pip install hazardrules\[durable\]"):
        hazardrules.classify(FINDING, engine="durable")


def python_3_13() -> str | None:
    if sys.version_info[:2] == (3, 13):
        return sys.executable
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = sorted(glob.glob(f"{pyenv}/versions/3.13.*/bin/python3.13"))
    return found[-1] if found else None


@pytest.mark.slow
@pytest.mark.skipif(python_3_13() is None, reason="no Python 3.13 on this machine")
def test_on_python_3_13_the_extra_installs_and_the_engine_says_why(tmp_path: Path) -> None:
    """``pip install hazardrules[durable]`` works on 3.13 (the extra installs nothing there) and
    asking for the engine raises the error that says why."""
    python = python_3_13()
    assert python is not None
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("hazardrules-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", f"{wheel}[durable]"], check=True, cwd=tmp_path
    )
    script = (
        "import hazardrules, json, sys\n"
        "try:\n"
        "    hazardrules.classify(json.loads(sys.argv[1]), engine='durable')\n"
        "except hazardrules.HazardRulesError as exc:\n"
        "    print(exc)\n"
        "print(hazardrules.classify(json.loads(sys.argv[1])).status)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", script, json.dumps(FINDING)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    message, status = result.stdout.strip().splitlines()
    assert "Python 3.13" in message and "PyEval_CallObject" in message
    assert "pip install hazardrules[durable]" in message
    assert status == "major"


@needs_durable
@given(site_findings(), st.booleans())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_findings_with_installations_same_verdict(finding: dict[str, Any], complete: bool) -> None:
    native = verdict_or_error(finding, complete=complete)
    other = verdict_or_error(finding, complete=complete, engine="durable")
    assert other == native
