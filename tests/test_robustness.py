"""Hostile and careless callers: malformed findings and Python-only values (hypothesis), facts no rule
reads, the arguments of classify(), and errors that cross process boundaries intact."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hazardrules
from hazardrules import ArgumentError, FindingError, FindingProblem, PackError, Problem
from hazardrules.errors import shorten
from hazardrules.lang import ExpressionError
from hazardrules.pack.safe_yaml import UnsafeYaml

from ._strategies import fact_values

PACK = hazardrules.load_pack()
SECTORS = sorted(PACK.sectors)
DURABLE = importlib.util.find_spec("durable") is not None and sys.version_info < (3, 13)
ENGINES = ["native", "durable"] if DURABLE else ["native"]

# -- malformed findings -------------------------------------------------------------------------
JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(sorted(PACK.facts)),
)
JSONISH = st.recursive(
    JSON_LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
PYTHON_ONLY = st.one_of(
    st.sets(st.text(max_size=3), max_size=3),
    st.frozensets(st.sampled_from(["a", "b"])),
    st.tuples(st.text(max_size=3)),
    st.binary(max_size=5),
    st.decimals(allow_nan=True),
    st.datetimes(),
    st.dates(),
    st.complex_numbers(),
    st.builds(object),
    st.integers(min_value=2**53),
    st.just(10**5000),
    st.just(-(10**5000)),
    st.sampled_from([float("nan"), float("inf"), -float("inf")]),
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),
    st.text(min_size=5000, max_size=6000),
)
ANYTHING = st.one_of(JSONISH, PYTHON_ONLY)
NAMES = st.one_of(st.sampled_from(sorted(PACK.facts)), st.text(max_size=30), st.just("x" * 100_000))


@st.composite
def malformed_findings(draw: st.DrawFn) -> Any:
    finding: dict[Any, Any] = {
        "id": draw(st.one_of(st.text(max_size=10), ANYTHING)),
        "sector": draw(st.one_of(st.sampled_from(SECTORS), ANYTHING)),
        "facts": draw(st.dictionaries(NAMES, st.one_of(ANYTHING, st.booleans()), max_size=5)),
    }
    if draw(st.booleans()):
        finding["observed_on"] = draw(st.one_of(st.dates().map(str), st.dates(), st.datetimes(), ANYTHING))
    if draw(st.booleans()):
        finding[draw(st.text(max_size=10))] = draw(ANYTHING)
    for key in draw(st.lists(st.sampled_from(["id", "sector", "facts"]), max_size=2)):
        finding.pop(key, None)
    return draw(st.one_of(st.just(finding), ANYTHING))


@given(malformed_findings(), st.sampled_from(ENGINES))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_anything_gives_a_verdict_or_a_finding_error(finding: Any, engine: str) -> None:
    try:
        verdict = hazardrules.classify(finding, engine=engine)
    except FindingError as exc:
        message = str(exc)
        assert len(message) < 8_000  # values are cut, problems are capped
        text = json.dumps(exc.to_dict(), ensure_ascii=False)
        text.encode("utf-8")  # writable: no lone surrogate reaches an error
        again = pickle.loads(pickle.dumps(exc))
        assert again.to_dict() == exc.to_dict() and str(again) == message
        return
    json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")


def test_huge_values_never_end_up_whole_in_a_message() -> None:
    name = "y" * 20_000_000
    with pytest.raises(FindingError) as caught:
        hazardrules.classify({"id": "z" * 1_000_000, "sector": "metallurgy", "facts": {name: True}})
    assert len(str(caught.value)) < 1_000
    assert len(caught.value.problems[0].field or "") < 200


def test_many_unknown_names_cost_a_few_suggestions_and_a_capped_list() -> None:
    facts = {f"contractor.presnt{i}": True for i in range(10_000)}
    with pytest.raises(FindingError) as caught:
        hazardrules.classify({"sector": "metallurgy", "facts": facts})
    problems = caught.value.problems
    hints = [p for p in problems if "did you mean" in p.message]
    assert 0 < len(hints) <= 5
    assert problems[-1].code == "too_many_problems" and "9980 more" in problems[-1].message
    assert len(problems) == 21


# -- fact values: ranges and strict dates -------------------------------------------------------
@pytest.mark.parametrize(
    ("facts", "code"),
    [
        ({"fireworks.building_workers": -1}, "out_of_range"),
        ({"fireworks.internal_distance_m": -0.5}, "out_of_range"),
        ({"fireworks.building_workers": 2**53}, "out_of_range"),
        ({"fireworks.building_workers": 10**5000}, "out_of_range"),
        ({"fireworks.building_workers": 1.5}, "wrong_type"),
        ({"fireworks.internal_distance_m": float("inf")}, "wrong_type"),
    ],
)
def test_values_outside_the_declared_range(facts: dict[str, Any], code: str) -> None:
    with pytest.raises(FindingError) as caught:
        hazardrules.classify({"sector": "fireworks_production", "facts": facts})
    assert [p.code for p in caught.value.problems] == [code]


def test_declared_ranges_are_what_the_checks_use() -> None:
    counts = [name for name, spec in PACK.facts.items() if spec.unit == "人"]
    # an elevation (标高) is a height above a datum and may be negative; every other length is a distance
    distances = [name for name, spec in PACK.facts.items() if spec.unit == "m" and "标高" not in spec.label]
    assert counts and distances
    for name in counts + distances:
        spec = PACK.facts[name]
        assert spec.minimum == 0, name
        low = {"sector": "fireworks_production", "facts": {name: spec.minimum}}
        hazardrules.classify(low)  # the bound itself is allowed
        with pytest.raises(FindingError, match="at least 0"):
            hazardrules.classify({**low, "facts": {name: spec.minimum - 1}})


@pytest.mark.parametrize(
    "observed_on", [1709251200, "20240301", "2024-03-01T00:00:00", "2024-02-30", True, 2024.0]
)
def test_observed_on_is_a_real_date_written_yyyy_mm_dd(observed_on: Any) -> None:
    with pytest.raises(FindingError) as caught:
        hazardrules.classify({"sector": "metallurgy", "observed_on": observed_on, "facts": {}})
    assert [p.code for p in caught.value.problems] == ["invalid_date"]


@pytest.mark.parametrize("observed_on", ["2024-03-01", dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 23, 59)])
def test_observed_on_forms_that_are_accepted(observed_on: Any) -> None:
    facts = {"contractor.present": True}
    verdict = hazardrules.classify({"sector": "metallurgy", "observed_on": observed_on, "facts": facts})
    assert verdict.on == dt.date(2024, 3, 1)


@pytest.mark.parametrize("where", ["observed_on", "on"])
def test_a_day_after_today_is_warned_about(where: str) -> None:
    finding: dict[str, Any] = {"sector": "metallurgy", "facts": {"contractor.present": True}}
    options: dict[str, Any] = {}
    if where == "observed_on":
        finding["observed_on"] = "9999-12-31"
    else:
        options["on"] = "9999-12-31"
    verdict = hazardrules.classify(finding, **options)
    assert verdict.on == dt.date(9999, 12, 31)
    assert [w.code for w in verdict.warnings].count("date_in_future") == 1
    today = hazardrules.classify({**finding, "observed_on": dt.date.today().isoformat()})
    assert "date_in_future" not in [w.code for w in today.warnings]


# -- facts no applicable rule reads -------------------------------------------------------------
def _read_by(sector: str) -> set[str]:
    """Every fact something applied to ``sector`` reads: rules, derivations, deferrals, and the rules
    of the standards a deferral routes to."""
    read: set[str] = {name for name, spec in PACK.facts.items() if spec.matter}
    todo = [(standard, sector) for standard in PACK.standards_for(sector)]
    seen: set[tuple[str, str]] = set()
    while todo:
        standard, as_sector = todo.pop()
        if (standard.slug, as_sector) in seen:
            continue
        seen.add((standard.slug, as_sector))
        for rule in standard.by_sector.get(as_sector, ()):
            read |= rule.touch
            read |= set(rule.condition.facts) | set(rule.applies.facts if rule.applies else ())
            read |= {f for c in rule.also_cites for f in c.when.facts}
        read |= {f for d in standard.derivations for f in d.when.facts}
        for route in standard.routes.values():
            read |= set(route.when.facts)
            if route.standard in PACK.standards:
                todo.append((PACK.standards[route.standard], route.as_sector))
    return read


IRRELEVANT = {sector: sorted(set(PACK.facts) - _read_by(sector)) for sector in SECTORS}


@st.composite
def findings_with_extras(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    sector = draw(st.sampled_from([s for s in SECTORS if IRRELEVANT[s] and PACK.standards_for(s)]))
    relevant = sorted(_read_by(sector) & set(PACK.facts))
    names = draw(st.lists(st.sampled_from(relevant), unique=True, max_size=6))
    extras = draw(st.lists(st.sampled_from(IRRELEVANT[sector]), unique=True, min_size=1, max_size=6))
    finding = {
        "sector": sector,
        "observed_on": "2025-01-01",
        "facts": {n: draw(fact_values(PACK, n)) for n in names},
    }
    return finding, {n: draw(fact_values(PACK, n)) for n in extras}


def _decision(finding: dict[str, Any], complete: bool) -> Any:
    try:
        verdict = hazardrules.classify(finding, complete=complete)
    except FindingError as exc:
        return sorted(p.code for p in exc.problems)
    return (
        verdict.status,
        sorted((h.rule, json.dumps(h.because, sort_keys=True)) for h in verdict.hits),
        sorted(u.rule for u in verdict.undetermined),
        sorted(verdict.missing_facts),
    )


@given(findings_with_extras(), st.booleans())
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_facts_no_rule_of_the_sector_reads_never_change_the_decision(
    case: tuple[dict[str, Any], dict[str, Any]], complete: bool
) -> None:
    finding, extras = case
    with_extras = {**finding, "facts": {**finding["facts"], **extras}}
    before = _decision(finding, complete)
    if isinstance(before, list) and not finding["facts"]:
        return  # no facts at all is not a verdict either way
    after = _decision(with_extras, complete)
    if after == ["conflict"]:
        return  # the extra facts contradict the finding through a derivation: an error, rightly
    assert after == before


# -- the arguments of classify() ----------------------------------------------------------------
GOOD = {"sector": "metallurgy", "facts": {"special_worker.uncertified_on_duty": True}}


@pytest.mark.parametrize("on", [dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 8, 30), "2024-03-01"])
def test_on_takes_a_date_a_datetime_or_iso_text(on: Any) -> None:
    assert hazardrules.classify(GOOD, on=on).on == dt.date(2024, 3, 1)


@pytest.mark.parametrize("on", ["20240301", "2024-3-1", "yesterday", 1709251200, 2024.5, ["2024-03-01"]])
def test_on_refuses_anything_else(on: Any) -> None:
    with pytest.raises(ArgumentError, match="on must be a date written YYYY-MM-DD"):
        hazardrules.classify(GOOD, on=on)


def test_a_bare_string_select_is_one_prefix() -> None:
    as_string = hazardrules.classify(GOOD, select="gm-2023:3", ignore="gm-2023:3.1")
    as_list = hazardrules.classify(GOOD, select=["gm-2023:3"], ignore=["gm-2023:3.1"])
    assert as_string.model_dump() == as_list.model_dump()
    assert hazardrules.classify(GOOD, select="gm-2023:11").status != "major"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"select": [3]}, "non-empty text"),
        ({"select": [""]}, "non-empty text"),
        ({"ignore": b"gm-2023"}, "not bytes"),
        ({"select": 3}, "not int"),
        ({"select": "gm-2099"}, "matches no rule"),
        ({"complete": "yes"}, "complete must be True or False"),
        ({"pack": 3}, "pack must be a Pack"),
        ({"pack": "/no/such/dir"}, "not a rule-pack directory"),
    ],
)
def test_wrong_arguments_are_argument_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        hazardrules.classify(GOOD, **options)


def test_pack_as_a_path_is_loaded_once_and_again_when_it_changes(pack_copy: Path) -> None:
    first = hazardrules.classify(GOOD, pack=pack_copy)
    assert first.model_dump() == hazardrules.classify(GOOD, pack=str(pack_copy)).model_dump()
    manifest = pack_copy / "pack.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("version:", "version: '9'\nx:"), "utf-8")
    with pytest.raises(PackError):  # the change is seen: the edited manifest is invalid
        hazardrules.classify(GOOD, pack=pack_copy)


# -- exceptions across processes ----------------------------------------------------------------
PROBLEMS = st.lists(
    st.builds(FindingProblem, st.text(max_size=10), st.text(max_size=30), st.none() | st.text(max_size=10)),
    min_size=1,
    max_size=4,
)


@given(PROBLEMS, st.none() | st.text(max_size=20))
def test_finding_errors_survive_pickling(problems: list[FindingProblem], finding_id: str | None) -> None:
    error = FindingError(problems, finding_id)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is FindingError
    assert (again.problems, again.finding_id, str(again)) == (problems, finding_id, str(error))


@pytest.mark.parametrize(
    "error",
    [
        PackError([Problem("standards/x.yaml", "x:1", "condition: unknown fact", "error")]),
        ExpressionError("unexpected 'and'", 4, "a.b and and"),
        ArgumentError("select: 'x' matches no rule"),
        hazardrules.RuleNotFound("no rule 'gm-2023:99'"),
        hazardrules.HazardRulesError("plain"),
        UnsafeYaml("anchors and aliases", 12, "gm-2023:3.1"),
    ],
)
def test_every_error_survives_pickling(error: Exception) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert vars(again) == vars(error)


def test_a_process_pool_gives_999_verdicts_and_1_error() -> None:
    findings: list[dict[str, Any]] = [
        {"id": f"F{i}", "sector": "metallurgy", "facts": {"special_worker.uncertified_on_duty": i % 2 == 0}}
        for i in range(1000)
    ]
    findings[500] = {"id": "bad", "sector": "metallurgy", "facts": {"contractor.presnt": True}}
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(hazardrules.classify, f) for f in findings]
        outcomes = [f.exception() or f.result() for f in futures]
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], FindingError)
    assert errors[0].finding_id == "bad" and errors[0].problems[0].code == "unknown_fact"
    verdicts = [o for o in outcomes if isinstance(o, hazardrules.Verdict)]
    assert len(verdicts) == 999
    for finding, verdict in zip([f for i, f in enumerate(findings) if i != 500], verdicts, strict=True):
        assert verdict.model_dump() == hazardrules.classify(finding).model_dump()


def test_shorten_keeps_short_text_and_says_how_much_was_cut() -> None:
    assert shorten("abc") == "abc"
    assert shorten("x" * 100, 10) == "xxxxxxxxxx…(+90 chars)"
