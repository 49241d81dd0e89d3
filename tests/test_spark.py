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
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "65536")
        .config("spark.driver.memory", "2g")
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
    base = [f for _, _, f, _ in all_examples()]
    table = hazardrules.findings_table(base)
    picks = np.arange(FINDINGS) % len(base)
    register = table.take(pa.array(picks))
    register = register.set_column(0, "id", pa.array([f"F-{i}" for i in range(FINDINGS)], pa.string()))
    path = tmp_path / "register.parquet"
    pq.write_table(register, path, row_group_size=100_000)

    started = time.perf_counter()
    frame = spark.read.parquet(str(path)).repartition(4)
    out = classify_dataframe(frame)
    counts = {row["status"]: row["count"] for row in out.groupBy("status").count().collect()}

    expected: collections.Counter[Any] = collections.Counter()
    per_base = [summary({**f, "id": "x"}) for f in base]
    for index, times in enumerate(np.bincount(picks, minlength=len(base)).tolist()):
        status = per_base[index][0]
        expected[None if status == "error" else status] += times
    assert counts == dict(expected)
    assert sum(counts.values()) == FINDINGS
    took = time.perf_counter() - started
    print(f"spark local[2]: {FINDINGS:,} findings classified and counted in {took:.1f} s")

    sample = [f"F-{i}" for i in range(0, FINDINGS, 9973)]
    rows = out.where(out.id.isin(sample)).collect()
    assert len(rows) == len(sample)
    for row in rows:
        expect = per_base[int(row["id"][2:]) % len(base)]
        if row["status"] is None:
            assert expect[0] == "error"
            continue
        got = (row["status"], *(tuple(row[k]) for k in ("hits", "undetermined", "missing_facts", "warnings")))
        assert got == expect
