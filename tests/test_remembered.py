"""The memory of findings judged in earlier tables (``verdict.remembered``) and its use by
``classify_table``: a finding met again in another table is taken from memory, never another's."""

from __future__ import annotations

from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")

import hazardrules  # noqa: E402
from hazardrules.verdict import batch  # noqa: E402
from hazardrules.verdict.batch import findings_table  # noqa: E402
from hazardrules.verdict.remembered import Remembered  # noqa: E402


def summaries(names: list[str], errors: list[str | None] | None = None) -> Any:
    return pa.table({"status": names, "error": errors or [None] * len(names)})


def test_remembered_rows_come_back_under_their_keys() -> None:
    memory = Remembered(10)
    memory.add(["a", "b"], summaries(["major", "not_major"]))
    memory.add(["c", "a"], summaries(["undetermined", "overwritten?"]))  # "a" is kept as it was
    numbers, rows = memory.find(["x", "c", "a", "b"])
    assert numbers == [1, 2, 3]
    assert rows is not None and rows.column("status").to_pylist() == ["undetermined", "major", "not_major"]
    assert memory.find(["x"]) == ([], None)


def test_errors_and_repeated_keys_are_not_remembered_twice() -> None:
    memory = Remembered(10)
    memory.add(["a", "b", "a"], summaries(["major", "x", "not_major"], [None, '{"problems": []}', None]))
    assert len(memory) == 1
    numbers, rows = memory.find(["b", "a"])
    assert numbers == [1] and rows is not None and rows.column("status").to_pylist() == ["major"]


def test_a_full_memory_starts_again() -> None:
    memory = Remembered(3)
    memory.add(["a", "b"], summaries(["major", "major"]))
    memory.add(["c", "d"], summaries(["not_major", "undetermined"]))  # 4 > 3: the first two forgotten
    numbers, rows = memory.find(["a", "b", "c", "d"])
    assert numbers == [2, 3] and rows is not None
    assert rows.column("status").to_pylist() == ["not_major", "undetermined"]


def test_many_parts_are_put_together() -> None:
    memory = Remembered(1_000)
    for number in range(40):
        memory.add([number], summaries([f"s{number}"]))
    numbers, rows = memory.find(list(range(39, -1, -1)))
    assert numbers == list(range(40))
    assert rows is not None and rows.column("status").to_pylist() == [f"s{n}" for n in range(39, -1, -1)]


def test_a_table_of_known_findings_is_answered_from_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same findings in another table — rows in another order, columns in another order, other
    ids — are judged by nobody again, and get the answers they got the first time."""
    from ._examples import all_examples

    examples = [f for _, _, f, _ in all_examples()[:60] if "installations" not in f]
    register = [{**f, "id": str(n)} for n, f in enumerate(examples)]
    first = findings_table(register)
    before = hazardrules.classify_table(first)
    judged: list[int] = []
    for name in ("_routed_row", "_classify_slice"):
        original = getattr(batch, name)

        def spy(*args: Any, _original: Any = original) -> Any:
            judged.append(1)
            return _original(*args)

        monkeypatch.setattr(batch, name, spy)
    again = first.take(pa.array(list(range(first.num_rows))[::-1]))
    again = again.select(sorted(again.column_names, reverse=True))
    ids = pa.array([f"x{n}" for n in range(again.num_rows)])
    again = again.set_column(again.column_names.index("id"), "id", ids)
    after = hazardrules.classify_table(again)
    assert not judged
    expected = before.drop_columns(["id"]).to_pylist()[::-1]
    assert after.drop_columns(["id"]).to_pylist() == expected


def test_other_findings_are_not_taken_from_memory() -> None:
    """Findings met one table after another (each rule's examples that hold and that do not, which
    differ in a value or two) each get their own answer, whatever the memory holds by then."""
    from ._examples import all_examples
    from .test_batch import expected, got

    batch._MEMO.clear()
    examples = [f for _, _, f, _ in all_examples() if "installations" not in f][:400]
    for finding in [*examples, *examples[::-1]]:
        table = findings_table([finding])
        (row,) = hazardrules.classify_table(table).to_pylist()
        assert got(row) == expected(batch.row_finding(table, 0)), finding
    assert batch._MEMO  # findings were remembered


def test_threads_sharing_the_memory_get_their_own_answers() -> None:
    """Several threads judging tables at once (a service's workers) share the memory of findings and
    the codebook: each table still gets exactly the answers it gets alone."""
    from concurrent.futures import ThreadPoolExecutor

    from ._examples import all_examples

    examples = [f for _, _, f, _ in all_examples() if "installations" not in f][:300]
    tables = [findings_table(examples[n::4] + examples[: n * 7]) for n in range(8)]
    from hazardrules.verdict import distinct

    batch._MEMO.clear()
    alone = [hazardrules.classify_table(table).to_pylist() for table in tables]
    batch._MEMO.clear()
    distinct._BOOK[0] = distinct._Codebook()  # new values coded by the threads themselves
    for _ in ("an empty memory", "the memory the threads left"):
        with ThreadPoolExecutor(4) as pool:
            together = list(pool.map(lambda table: hazardrules.classify_table(table).to_pylist(), tables))
        assert together == alone
