"""``classify_table``: the columnar batch path gives ``classify()``'s answer on every row.

The differential property tests draw whole registers (lists of findings) over the shipped pack —
three-valued, on days across the standards' changes, with installations, facts of other sectors and
wrong values now and then — and over a synthetic pack of random conditions (arithmetic, set and
choice facts, derivation chains and conflicts), and compare every row with
``classify(the row's finding, detail="summary")``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import hazardrules  # noqa: E402
from hazardrules.verdict import batch  # noqa: E402
from hazardrules.verdict.batch import findings_table, row_finding  # noqa: E402

from ._register import findings  # noqa: E402
from ._synthetic import synthetic_findings, synthetic_pack  # noqa: E402

FIELDS = (
    "status",
    "sector",
    "on",
    "standards",
    "hits",
    "undetermined",
    "missing_facts",
    "warnings",
    "notes",
    "gaps",
)


def expected(finding: Any, **options: Any) -> Any:
    try:
        summary = hazardrules.classify(finding, detail="summary", **options)
    except hazardrules.FindingError as exc:
        return exc.to_dict()
    data = summary.model_dump(mode="json")
    return {k: data[k] for k in FIELDS}


def got(row: dict[str, Any]) -> Any:
    if row["error"] is not None:
        assert row["status"] is None
        return json.loads(row["error"])
    out = {k: row[k] for k in FIELDS}
    out["on"] = out["on"].isoformat()
    return out


def sets_as_lists(finding: dict[str, Any]) -> dict[str, Any]:
    facts = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in finding.get("facts", {}).items()}
    return {**finding, "facts": facts}


@contextlib.contextmanager
def vector_path() -> Iterator[None]:
    """Distinct findings judged by the columnar engine (not classify() one by one), no memory of
    findings judged in an earlier table, the table's bitmaps read column by column (as a long table's
    are), and its cells hashed and checked a column at a time."""
    from hazardrules.verdict import distinct

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "LOOP_UP_TO", 0)
        patch.setattr(batch, "KEYS_UP_TO", 0)
        patch.setattr(distinct, "TOGETHER_UP_TO", 0)
        patch.setattr(distinct, "CELLS_AT_ONCE", 1)
        patch.setattr(distinct, "CHECKED_AT_ONCE", 1)
        yield


def check(register: list[dict[str, Any]], **options: Any) -> None:
    """Every row as classify() says, both when the distinct findings are judged one by one (and
    remembered across tables) and when the columnar engine judges them."""
    table = findings_table(register, options.get("pack"))
    whole = hazardrules.classify_table(table, **options)
    assert whole.schema.remove_metadata() == batch.OUTPUT_SCHEMA  # whichever path judged the rows
    out = whole.to_pylist()
    with vector_path():
        by_vector = hazardrules.classify_table(table, **options)
        assert by_vector.schema.remove_metadata() == batch.OUTPUT_SCHEMA
        assert by_vector.to_pylist() == out
    assert len(out) == len(register)
    for number, (finding, row) in enumerate(zip(register, out, strict=True)):
        again = row_finding(table, number)
        assert again == sets_as_lists(finding)  # the table holds the finding (3 == 3.0)
        assert got(row) == expected(again, **options), finding
        assert row["id"] == finding.get("id")


@given(st.lists(findings(), min_size=1, max_size=25), st.booleans())
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
def test_every_row_is_classify_over_the_whole_pack(register: list[dict[str, Any]], complete: bool) -> None:
    check(register, complete=complete)


@given(st.lists(findings(odd=False, installations=False), min_size=1, max_size=25), st.booleans())
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
def test_every_plain_row_is_classify(register: list[dict[str, Any]], complete: bool) -> None:
    check(register, complete=complete)


@given(
    st.lists(st.tuples(synthetic_findings(), st.sampled_from(["one", "two"])), min_size=1, max_size=20),
    st.booleans(),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_row_is_classify_on_random_conditions(
    items: list[tuple[dict[str, Any], str]], complete: bool
) -> None:
    check([{"sector": s, "facts": f} for f, s in items], complete=complete, pack=synthetic_pack())


def test_vector_path_covers_plain_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Single-issue findings of the rule examples do not go through classify() one by one."""
    from ._examples import all_examples

    register = [f for _, _, f, _ in all_examples() if "installations" not in f]
    routed: list[int] = []
    original = batch._classify_routed

    def spy(state: Any, options: Any, out: Any) -> None:
        routed.append(int(state.route.sum()))
        original(state, options, out)

    monkeypatch.setattr(batch, "_classify_routed", spy)
    monkeypatch.setattr(batch, "LOOP_UP_TO", 0)
    monkeypatch.setattr(batch, "KEYS_UP_TO", 0)
    check(register)
    assert routed  # the vector path ran
    pack = hazardrules.load_pack()
    # rows classify() must answer: a matter of another standard (工贸 第二条), an installation that answers
    # facts of the enterprise (its kind's implies, any_installation derivations), a documented reading
    lifting = {k for k, spec in pack.installation_kinds.items() if spec.implies}
    lifting |= {pack.facts[f].installation for d in pack.lifted for f in d.when.facts}
    by_reading = {
        f for s in pack.standards.values() for d in s.derivations if d.spec.reading for f in d.when.facts
    }

    def must_route(name: str) -> bool:
        return bool(pack.facts[name].matter) or pack.facts[name].installation in lifting or name in by_reading

    expected = sum(1 for f in register if any(must_route(k) for k in f.get("facts", {})))
    assert sum(routed) <= 2 * (expected + len(register) // 20)  # check() classifies the table twice


@pytest.mark.parametrize(
    "options",
    [
        {"on": "2024-03-01"},
        {"select": ["gm-2023:3"]},
        {"ignore": "gm-2023:4"},
        {"complete": True, "select": ["hc-2017", "gm-2023:11"]},
    ],
)
def test_options_are_classifys(options: dict[str, Any]) -> None:
    from ._examples import all_examples

    check([f for _, _, f, _ in all_examples()][:200], **options)


def test_slices_and_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "BATCH_ROWS", 7)
    monkeypatch.setattr(batch, "CHUNK_CELLS", 20)
    from ._examples import all_examples

    register = [{**f, "id": str(i)} for i, (_, _, f, _) in enumerate(all_examples()[:50])]
    check(register)


def test_column_types_an_inspector_has() -> None:
    table = pa.table(
        {
            "id": ["a", "b", "c", "d", "e"],
            "sector": pa.array(
                ["冶金", "metallurgy", "metallurgy", "metallurgy", "nowhere"]
            ).dictionary_encode(),
            "observed_on": pa.array(
                [dt.date(2024, 3, 1), None, dt.date(2024, 3, 1), None, None], pa.date32()
            ),
            "contractor.present": [True, True, None, True, True],
            "contractor.coordinated": pa.array([False, None, None, None, None]),
            "special_worker.uncertified_on_duty": pa.array([None, None, 1, None, None], pa.int64()),
            "facts": [None, '{"contractor.inspected_regularly": true}', None, "{", None],
        }
    )
    out = hazardrules.classify_table(table).to_pylist()
    assert [r["status"] for r in out] == ["major", "undetermined", None, None, None]
    assert out[0]["hits"] == ["gm-2023:3.1"] and out[0]["on"] == dt.date(2024, 3, 1)
    assert "contractor.coordinated" in out[1]["missing_facts"]  # and what decides it (compared below)
    assert json.loads(out[2]["error"])["problems"][0]["code"] == "wrong_type"
    assert json.loads(out[3]["error"])["problems"][0]["code"] == "malformed_json"
    assert json.loads(out[4]["error"])["problems"][0]["code"] == "unknown_sector"
    for number in range(2):
        assert got(out[number]) == expected(row_finding(table, number))


def test_repeated_texts_are_dictionary_encoded(tmp_path: Path) -> None:
    """The texts that repeat from row to row come as dictionaries shared by every chunk of a column
    (a row costs indices, not its texts again); the values are the plain output's, through Parquet too."""
    import pyarrow.parquet as pq

    from ._examples import all_examples

    register = [{**f, "id": str(i)} for i, (_, _, f, _) in enumerate(all_examples()[:60])] * 5
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "BATCH_ROWS", 64)
        out = hazardrules.classify_table(findings_table(register))
    for name in ("status", "sector", "hits", "missing_facts", "warnings"):
        column = out.column(name)
        assert column.num_chunks > 1
        coded = [c if pa.types.is_dictionary(c.type) else c.values for c in column.chunks]
        assert all(pa.types.is_dictionary(c.type) for c in coded), name
        assert all(c.dictionary.equals(coded[0].dictionary) for c in coded), name
    plain = hazardrules.classify_table(findings_table(register), text="plain", verdicts="major")
    assert plain.schema.remove_metadata() == batch.PLAIN_SCHEMA.append(pa.field("verdict", pa.string()))
    assert plain.drop_columns(["verdict"]).to_pylist() == out.to_pylist()
    pq.write_table(out, tmp_path / "out.parquet")
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == out.to_pylist()


def test_verdicts_for_chosen_rows() -> None:
    register = [
        {
            "id": "a",
            "sector": "metallurgy",
            "facts": {"contractor.present": True, "contractor.coordinated": False},
        },
        {"id": "b", "sector": "metallurgy", "facts": {"contractor.present": True}},
    ]
    out = hazardrules.classify_table(findings_table(register), verdicts="major").to_pylist()
    verdict = hazardrules.Verdict.model_validate_json(out[0]["verdict"])
    assert verdict == hazardrules.classify(register[0])
    assert out[1]["verdict"] is None
    both = hazardrules.classify_table(findings_table(register), verdicts=[1]).column("verdict").to_pylist()
    assert both[0] is None and json.loads(both[1])["status"] == "undetermined"


def test_full_verdicts_read_a_part_at_a_time_are_each_rows_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Full verdicts are built from rows read a part at a time (``_RECORDS_AT_ONCE``): each row gets
    its own finding's verdict, parts and refused rows included."""
    from hazardrules.verdict import batch

    monkeypatch.setattr(batch, "_RECORDS_AT_ONCE", 2)
    register = [
        {"id": f"r{n}", **({"sector": "metallurgy"} if n != 3 else {"sector": "nowhere"}), **finding}
        for n, finding in enumerate(
            [
                {"facts": {"contractor.present": True, "contractor.coordinated": False}},
                {"facts": {"contractor.present": True}},
                {"facts": {"contractor.present": False}},
                {"facts": {"contractor.present": True}},
                {"facts": {"contractor.present": True, "contractor.coordinated": True}},
            ]
        )
    ]
    texts = hazardrules.classify_table(findings_table(register), verdicts="all").column("verdict").to_pylist()
    for finding, text in zip(register, texts, strict=True):
        try:
            expected = hazardrules.classify(finding)
        except hazardrules.FindingError:
            assert text is None
        else:
            assert text is not None and hazardrules.Verdict.model_validate_json(text) == expected


def test_bad_arguments() -> None:
    with pytest.raises(hazardrules.ArgumentError, match="sector"):
        hazardrules.classify_table(pa.table({"id": ["a"]}))
    with pytest.raises(hazardrules.ArgumentError, match="Table"):
        hazardrules.classify_table([{"sector": "metallurgy"}])
    with pytest.raises(hazardrules.ArgumentError, match="select"):
        hazardrules.classify_table(findings_table([]), select=["nothing:1"])
    with pytest.raises(hazardrules.ArgumentError, match="text"):
        hazardrules.classify_table(findings_table([]), text="utf-8")


def test_empty_table() -> None:
    out = hazardrules.classify_table(findings_table([]))
    assert out.num_rows == 0 and out.schema.names[:2] == ["id", "status"]


def test_pandas_and_polars_adapters() -> None:
    from hazardrules.interfaces.frames import classify_pandas, classify_polars

    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    register = [
        {"id": "a", "sector": "metallurgy", "contractor.present": True, "contractor.coordinated": False},
        {"id": "b", "sector": "metallurgy", "contractor.present": True, "contractor.coordinated": None},
    ]
    expected = hazardrules.classify_table(pa.Table.from_pylist(register)).to_pylist()
    by_pandas = classify_pandas(pd.DataFrame(register))
    assert list(by_pandas["status"]) == [r["status"] for r in expected] == ["major", "undetermined"]
    assert [list(x) for x in by_pandas["missing_facts"]] == [r["missing_facts"] for r in expected]
    by_polars = classify_polars(pl.DataFrame(register))
    assert by_polars.to_arrow().to_pylist() == expected


def test_the_same_finding_under_other_ids() -> None:
    """Rows answered one by one are worked out once per distinct finding: ids are still each row's."""
    finding = {"sector": "metallurgy", "facts": {"hazchem.incompatible_mixed_storage": True}}
    broken = {"sector": "metallurgy", "facts": {"contractor.present": "yes"}}
    register = [{**finding, "id": "a"}, {**finding, "id": "b"}, finding, {**broken, "id": "c"}, broken]
    check(register)


_IDS = st.none() | st.text(st.characters(codec="utf-8"), max_size=6)


@given(st.lists(st.tuples(_IDS, st.sampled_from(["[]", '["x"]'])), max_size=20))
def test_error_cells_are_the_errors_json_dumps_writes(rows: list[tuple[str | None, str]]) -> None:
    """A refused row's error, written column-wise, is what ``json.dumps`` writes for its id (quotes,
    backslashes and control characters escaped; no id: null) — and it reads back as that id."""
    from hazardrules.verdict.batch import _error_cells, _error_head

    ids = pa.array([i for i, _ in rows], pa.string())
    tails = pa.array([', "problems": ' + t + "}" for _, t in rows], pa.string())
    cells = _error_cells(ids, tails).to_pylist()
    assert cells == [_error_head(i) + t for i, t in zip(ids.to_pylist(), tails.to_pylist(), strict=True)]
    assert [json.loads(c)["finding_id"] for c in cells] == [i for i, _ in rows]


@pytest.mark.parametrize("readings", [None, "none"])
def test_sectors_as_written_and_readings(readings: str | None) -> None:
    """Sector notes depend on how the sector is written (a code, a word); readings can be switched off."""
    from ._examples import all_examples

    pack = hazardrules.load_pack()
    register = []
    for number, (_, _, finding, _) in enumerate(all_examples()[:300]):
        if not isinstance(finding.get("sector"), str):
            continue
        name = pack.sectors[finding["sector"]].name
        register.append({**finding, "sector": name if number % 2 else finding["sector"]})
    register += [{"sector": "3110", "facts": {"contractor.present": True}}]
    check(register, readings=readings)


def repeated(draw_from: Any) -> Any:
    """Registers that repeat findings under other ids and on other days (as real registers do)."""
    days = st.dates(dt.date(2016, 1, 1), dt.date(2027, 12, 31)).map(dt.date.isoformat)
    entry = st.tuples(st.integers(0, 5), st.none() | days, st.none() | st.text(max_size=3))
    return st.lists(draw_from, min_size=1, max_size=6).flatmap(
        lambda pool: st.lists(entry, min_size=1, max_size=30).map(
            lambda picks: [
                {
                    **pool[n % len(pool)],
                    **({"observed_on": d} if d else {}),
                    **({"id": i} if i is not None else {}),
                }
                for n, d, i in picks
            ]
        )
    )


@given(repeated(findings(installations=False)), st.booleans())
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
def test_repeated_findings_are_each_rows_own(register: list[dict[str, Any]], complete: bool) -> None:
    """A finding met again under another id or on another day gets that row's own verdict (its day,
    its id, the law of its day), whether it was judged in this table or remembered from another."""
    check(register, complete=complete)


def test_rows_with_one_hash_are_still_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """If two different findings hashed alike, each is still compared cell by cell with its group's
    first row: a collision costs time, never a verdict."""
    from hazardrules.verdict import distinct

    # every hash zero: every row falls in one group, and the check alone tells the findings apart
    monkeypatch.setattr(distinct, "_mixed", lambda values: np.zeros_like(np.asarray(values, dtype=np.uint64)))
    from ._examples import all_examples

    register = [{**f, "id": str(i)} for i, (_, _, f, _) in enumerate(all_examples()[:40])]
    register += register[:10]
    check(register)


def test_distinct_groups_are_exact() -> None:
    """The grouping: equal cells (id aside) and days between the same changes of law share a group."""
    from hazardrules.verdict.distinct import distinct

    pack = hazardrules.load_pack()
    base = {"sector": "metallurgy", "facts": {"contractor.present": True}}
    register = [
        {**base, "id": "a", "observed_on": "2024-05-01"},
        {**base, "id": "b", "observed_on": "2024-05-02"},  # same law: same group
        {**base, "observed_on": "2016-05-02"},  # before the 工贸 standard of 2023: another law
        {"sector": "metallurgy", "facts": {"contractor.present": False}, "observed_on": "2024-05-01"},
        {**base, "observed_on": "2024-13-01"},  # no date: its own group
    ]
    groups = distinct(findings_table(register, pack), pack, None, keys_up_to=100)
    assert groups.inverse[0] == groups.inverse[1]
    assert len(set(groups.inverse.tolist())) == 4
    assert groups.records([int(groups.inverse[0])])[0]["sector"] == "metallurgy"
