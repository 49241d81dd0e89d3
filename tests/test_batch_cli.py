"""``hazardrules classify`` over registers: Parquet, CSV, JSON Lines and Excel, batch by batch."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

import hazardrules  # noqa: E402
from hazardrules.interfaces.cli import main  # noqa: E402
from hazardrules.verdict.codes import CODES  # noqa: E402

from ._examples import all_examples  # noqa: E402

REGISTER = [{**f, "id": f"F-{i}"} for i, (_, _, f, _) in enumerate(all_examples()[:120])]


def summary_of(finding: dict[str, Any]) -> Any:
    try:
        data = hazardrules.classify(finding, detail="summary").model_dump(mode="json")
    except hazardrules.FindingError as exc:
        return {"error": exc.to_dict()}
    return {k: data[k] for k in ("finding_id", "status", "hits", "undetermined", "missing_facts", "warnings")}


def write_jsonl(path: Path, findings: list[Any], bad_line: bool = False) -> Path:
    lines = [json.dumps(f, ensure_ascii=False) for f in findings]
    if bad_line:
        lines.insert(3, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_to_parquet_in_small_batches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "register.jsonl", REGISTER, bad_line=True)
    target = tmp_path / "verdicts.parquet"
    code = main(["classify", str(source), "-o", str(target), "--detail", "summary", "--batch-size", "17"])
    table = pq.read_table(target)
    assert table.num_rows == len(REGISTER) + 1
    rows = table.to_pylist()
    assert json.loads(rows[3]["error"])["problems"][0]["code"] == "malformed_json"
    del rows[3]
    bad = 1
    for finding, row in zip(REGISTER, rows, strict=True):
        expected = summary_of(finding)
        if "error" in expected:
            bad += 1
            assert json.loads(row["error"]) == expected["error"]
            continue
        got = {"finding_id": row["id"], **{k: row[k] for k in list(expected)[1:]}}
        assert got == expected
    assert code == 1  # some records could not be classified, each reported
    err = capsys.readouterr().err
    assert "register.jsonl:4" in err and f"{bad} not" in err
    assert "已判定" not in err  # no progress bar when standard error is not a terminal


def test_parquet_in_json_lines_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = [f for f in REGISTER if "error" not in summary_of(f)][:40]
    source = tmp_path / "register.parquet"
    pq.write_table(hazardrules.findings_table(good), source, row_group_size=9)
    assert main(["classify", str(source), "--detail", "summary", "--batch-size", "5"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [{k: line[k] for k in summary_of(good[0])} for line in lines] == [summary_of(f) for f in good]


def test_full_detail_to_json_lines_is_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = [f for f in REGISTER if "error" not in summary_of(f)][:10]
    source = tmp_path / "register.parquet"
    pq.write_table(hazardrules.findings_table(good), source)
    assert main(["classify", str(source)]) == 0
    verdicts = [hazardrules.Verdict.model_validate_json(x) for x in capsys.readouterr().out.splitlines()]
    assert verdicts == [hazardrules.classify(f) for f in good]


def test_csv_in_csv_out_for_an_inspector(tmp_path: Path) -> None:
    source = tmp_path / "register.csv"
    source.write_text(
        "id,sector,observed_on,contractor.present,contractor.coordinated,molten_metal.wet_areas\n"
        "A,冶金,2024-03-01,true,false,\n"
        "B,metallurgy,,true,,\n"
        "C,metallurgy,2024-03-01,,,emergency_pit;furnace_pit\n"
        "D,metallurgy,2024-03-01,,,\n",
        encoding="utf-8",
    )
    target = tmp_path / "verdicts.csv"
    main(["classify", str(source), "-o", str(target)])
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel opens it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "判定结果", "行业"]
    assert rows[1][1] == "构成重大事故隐患" and "第三条第（一）项" in rows[1][6]
    assert rows[2][1] == "无法判定" and "contractor.coordinated" in rows[2][8]
    facts = {"molten_metal.wet_areas": ["emergency_pit", "furnace_pit"]}
    expected = summary_of({"id": "C", "sector": "metallurgy", "observed_on": "2024-03-01", "facts": facts})
    words = {"major": "构成重大事故隐患", "not_major": "不构成重大事故隐患", "undetermined": "无法判定"}
    assert rows[3][1] == words[expected["status"]]
    assert rows[3][5] == "；".join(expected["hits"])
    assert rows[3][8] == "；".join(expected["missing_facts"])
    # a refused row: what its problem means, in Chinese, with the code and field a program matches on
    assert rows[4][1] == "" and rows[4][-1] == f"{CODES['no_facts'].meaning.rstrip('。')}（no_facts：facts）"


def test_excel_output_has_chinese_headers(tmp_path: Path) -> None:
    pytest.importorskip("xlsxwriter")
    source = write_jsonl(tmp_path / "register.jsonl", REGISTER[:20])
    target = tmp_path / "verdicts.xlsx"
    main(["classify", str(source), "-o", str(target)])
    with zipfile.ZipFile(target) as book:
        strings = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "判定结果" in strings and "构成重大事故隐患" in strings


def test_parquet_output_needs_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_jsonl(tmp_path / "register.jsonl", REGISTER[:3])
    assert main(["classify", str(source), "--to", "parquet"]) == 2
    assert "--output" in capsys.readouterr().err
