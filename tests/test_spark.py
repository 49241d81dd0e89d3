"""The Spark recipe in local mode: a generated register of 1,000,000 findings through ``mapInArrow``.

Needs pyspark (the test extra) and a Java runtime (``.ci/run`` installs Debian's); skipped without.
"""

from __future__ import annotations

import collections
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pyspark_sql = pytest.importorskip("pyspark.sql")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    reason = "no Java runtime for Spark (apt-get install openjdk-17-jre-headless)"
    pytest.skip(reason, allow_module_level=True)

import numpy as np  # noqa: E402

import hazardrules  # noqa: E402
from hazardrules.interfaces.spark import classify_dataframe  # noqa: E402

from ._examples import all_examples  # noqa: E402

FINDINGS = 1_000_000
PACK = hazardrules.load_pack()
SUMMARY = ("hits", "undetermined", "missing_facts", "warnings")
# pyspark 4.x warns that it is not yet tested with pandas 3 (the batch path does not use pandas).
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture(scope="module")
def spark() -> Any:
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers must import this hazardrules
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("hazardrules-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.files.maxPartitionBytes", str(4 << 20))  # a partition per few row groups
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "65536")
        .config("spark.driver.memory", "3g")
        .getOrCreate()
    )
    yield session
    session.stop()


def summary(finding: dict[str, Any]) -> tuple[Any, ...]:
    try:
        s = hazardrules.classify(finding, detail="summary")
    except hazardrules.FindingError as exc:
        return ("error", exc.problems[0].code)
    return (s.status, tuple(s.hits), tuple(s.undetermined), tuple(s.missing_facts), tuple(s.warnings))


@pytest.mark.slow
def test_a_million_findings_on_spark_local(spark: Any, tmp_path: Path) -> None:
    # A register of three standards' sectors (about 240 fact columns; all ~1,100 facts of the pack
    # would make the JVM's side of the test several times slower). Spark's vectorised Parquet reader
    # does not read nested (list) columns, and a file with one is read row by row on the JVM, so the
    # register has no set facts; those are covered by the differential tests of the batch API.
    base = [
        f
        for rule, _, f, _ in all_examples()
        if rule.startswith(("gm-2023", "hc-2017", "fw-2017"))
        and "installations" not in f
        and not any(PACK.facts[k].type == "set" for k in f.get("facts", {}))
    ]
    table = hazardrules.findings_table(base)
    assert not any(pa.types.is_list(t) for t in table.schema.types)
    picks = np.arange(FINDINGS) % len(base)
    register = table.take(pa.array(picks))
    register = register.set_column(0, "id", pa.array([f"F-{i}" for i in range(FINDINGS)], pa.string()))
    path = tmp_path / "register.parquet"
    pq.write_table(register, path, row_group_size=100_000)
    started = time.perf_counter()

    frame = spark.read.parquet(str(path))
    classify_dataframe(frame).write.parquet(str(tmp_path / "verdicts"))
    took = time.perf_counter() - started
    print(f"spark local[2]: {FINDINGS:,} findings read, classified and written in {took:.1f} s")
    out = pq.read_table(tmp_path / "verdicts", columns=["id", "status", *SUMMARY])
    assert out.num_rows == FINDINGS
    counts = collections.Counter(out.column("status").to_pylist())

    per_base = [summary({**f, "id": "x"}) for f in base]
    expected: collections.Counter[Any] = collections.Counter()
    for index, times in enumerate(np.bincount(picks, minlength=len(base)).tolist()):
        status = per_base[index][0]
        expected[None if status == "error" else status] += times
    assert counts == expected

    ids = out.column("id").to_pylist()
    for row in np.random.default_rng(3).integers(0, FINDINGS, 300).tolist():
        got = out.slice(row, 1).to_pylist()[0]
        expect = per_base[int(ids[row][2:]) % len(base)]
        if got["status"] is None:
            assert expect[0] == "error"
            continue
        assert (got["status"], *(tuple(got[k]) for k in SUMMARY)) == expect
