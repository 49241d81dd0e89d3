"""``hazardrules classify`` over registers: Parquet, CSV and JSON Lines in and out, batch by batch.

Input is read in batches of ``--batch-size`` rows (a Parquet file by row groups, CSV by blocks, JSON
through the per-record reader), each batch classified by the columnar path
(:func:`hazardrules.verdict.batch.classify_table`) and written before the next is read, so memory
stays bounded by one batch whatever the register's size. CSV and Excel output is for people: Chinese
headers, the status in words, the provisions that hold with their labels, lists joined by "；", and a
byte-order mark on CSV so that Excel reads it as UTF-8.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import HazardRulesError
from ..pack.model import Pack
from ..verdict.codes import CODES

FORMATS = ("jsonl", "json", "parquet", "csv", "xlsx")
INPUTS = ("json", "parquet", "csv")

STATUS_WORDS = {"major": "构成重大事故隐患", "not_major": "不构成重大事故隐患", "undetermined": "无法判定"}
HEADERS = {
    "id": "编号",
    "status": "判定结果",
    "sector": "行业",
    "on": "判定日期",
    "standards": "适用标准",
    "hits": "成立的条款",
    "hit_labels": "成立的条款（条文序号）",
    "undetermined": "待定条款",
    "missing_facts": "尚需查明的事实",
    "warnings": "警告",
    "notes": "说明",
    "gaps": "未收录的适用规定",
    "error": "错误",
    "verdict": "完整判定（JSON）",
}
EXCEL_ROWS = 1_048_575  # an Excel sheet's rows, less the header


def input_format(path: str, given: str | None) -> str:
    if given:
        return given
    suffix = Path(path).suffix.lower()
    return {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}.get(suffix, "json")


def output_format(path: str | None, given: str | None) -> str:
    if given:
        return given
    if path is None:
        return "jsonl"
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"pq": "parquet", "ndjson": "jsonl"}.get(suffix, suffix if suffix in FORMATS else "jsonl")


def _arrow() -> Any:
    try:
        import pyarrow
    except ModuleNotFoundError:
        raise HazardRulesError(
            "Parquet, CSV and Excel need the arrow extra: pip install 'hazardrules[arrow]'"
        ) from None
    return pyarrow


def run(
    args: Any,
    pack: Pack,
    source: IO[bytes],
    name: str,
    reader: Any | None,
    error_line: Any,
) -> tuple[int, int]:
    """Classify the input batch by batch into the chosen output; return (records, bad records)."""
    pa = _arrow()
    from ..verdict import batch as batching

    fmt_in = input_format(args.file, args.input_format)
    fmt_out = output_format(args.output, args.to)
    options = {
        "on": args.on,
        "complete": args.complete,
        "select": args.select,
        "ignore": args.ignore,
        "pack": pack,
        "verdicts": "all" if args.detail == "full" and fmt_out not in ("csv", "xlsx") else None,
    }
    if fmt_in == "json":
        assert reader is not None
        batches = _json_batches(reader, args.batch_size, pack, name, error_line)
    elif fmt_in == "parquet":
        batches = _parquet_batches(source, args.batch_size)
    else:
        batches = _csv_batches(source, args.batch_size, pack)
    writer = _writer(fmt_out, args.output, pack, args.detail)
    progress = _Progress()
    total = bad = 0
    try:
        for table, errors in batches:
            out = batching.classify_table(table, **options)
            if errors:
                out = _with_errors(pa, out, errors)
            total += out.num_rows
            bad += out.num_rows - out.column("error").null_count
            if fmt_in != "json":
                for row in _error_rows(out):
                    error_line(f"{name}: row {total - out.num_rows + row['row'] + 1}: {row['message']}")
            writer.write(out)
            progress.update(total)
    finally:
        progress.close()
        writer.close()
    return total, bad


def _with_errors(pa: Any, out: Any, errors: list[tuple[int, str]]) -> Any:
    """Insert the records the reader could not read (their position, their error) into ``out``."""
    from ..verdict.batch import OUTPUT_SCHEMA

    rows = out.to_pylist()
    for position, error in errors:
        blank = dict.fromkeys(OUTPUT_SCHEMA.names)
        blank.update({name: None for name in out.column_names})
        blank["error"] = error
        rows.insert(position, blank)
    return pa.Table.from_pylist(rows, schema=out.schema)


def _error_rows(out: Any) -> Iterator[dict[str, Any]]:
    errors = out.column("error")
    if errors.null_count == len(errors):
        return
    for row, text in enumerate(errors.to_pylist()):
        if text is not None:
            problems = json.loads(text).get("problems", [{}])
            yield {"row": row, "message": problems[0].get("message", text)}


def _json_batches(
    reader: Any, size: int, pack: Pack, name: str, error_line: Any
) -> Iterator[tuple[Any, list[tuple[int, str]]]]:
    from ..errors import FindingError, FindingProblem
    from ..verdict.batch import findings_table

    good: list[Any] = []
    errors: list[tuple[int, str]] = []
    for record in reader:
        if record.error is not None:
            where = f"{name}:{record.line}: " + ("" if record.index is None else f"element {record.index}: ")
            error_line(f"{where}{record.error.message}")
            problem = FindingError([FindingProblem(record.error.code, record.error.message)])
            errors.append((len(good) + len(errors), json.dumps(problem.to_dict(), ensure_ascii=False)))
        else:
            good.append(record.value)
        if len(good) + len(errors) >= size:
            yield findings_table(good, pack), errors
            good, errors = [], []
    if good or errors:
        yield findings_table(good, pack), errors


def _parquet_batches(source: IO[bytes], size: int) -> Iterator[tuple[Any, list[tuple[int, str]]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(source)
    except (pa.ArrowInvalid, OSError) as exc:
        raise HazardRulesError(f"cannot read the Parquet input: {exc}") from None
    for batch in file.iter_batches(batch_size=size):
        yield pa.Table.from_batches([batch]), []


def _csv_batches(source: IO[bytes], size: int, pack: Pack) -> Iterator[tuple[Any, list[tuple[int, str]]]]:
    """CSV as an inspector's spreadsheet saves it: a header of fact names, empty cells unknown,
    true/false, numbers, a choice's value, and a set's values separated by ``;``."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as csv

    kinds = {"bool": pa.bool_(), "integer": pa.int64(), "number": pa.float64()}
    types = {name: kinds.get(spec.type, pa.string()) for name, spec in pack.facts.items()}
    types.update({"id": pa.string(), "sector": pa.string(), "observed_on": pa.string()})
    sets = {name for name, spec in pack.facts.items() if spec.type == "set"}
    try:
        stream = csv.open_csv(
            source,
            read_options=csv.ReadOptions(block_size=1 << 22, encoding="utf8"),
            convert_options=csv.ConvertOptions(column_types=types, strings_can_be_null=True),
        )
    except pa.ArrowInvalid as exc:
        raise HazardRulesError(f"cannot read the CSV input: {exc}") from None
    pending: list[Any] = []
    count = 0
    try:
        for batch in stream:
            pending.append(batch)
            count += batch.num_rows
            if count >= size:
                yield _split_sets(pa, pc, pa.Table.from_batches(pending), sets), []
                pending, count = [], 0
    except pa.ArrowInvalid as exc:
        raise HazardRulesError(f"cannot read the CSV input: {exc}") from None
    if pending:
        yield _split_sets(pa, pc, pa.Table.from_batches(pending), sets), []


def _split_sets(pa: Any, pc: Any, table: Any, sets: set[str]) -> Any:
    for index, name in enumerate(table.column_names):
        if name in sets and pa.types.is_string(table.schema.field(name).type):
            table = table.set_column(index, name, pc.split_pattern(table.column(name), ";"))
    return table


# -- writers -------------------------------------------------------------------------------------------
class _Progress:
    """Records done and the rate, on one line of standard error — only when it is a terminal."""

    def __init__(self) -> None:
        self.shown = sys.stderr is not None and sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if not self.shown or now - self.last < 0.2:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        sys.stderr.write(f"\r已判定 {done:,} 条（{rate:,.0f} 条/秒）")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown and self.last:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _writer(fmt: str, path: str | None, pack: Pack, detail: str) -> Any:
    if fmt == "parquet":
        if path is None:
            raise HazardRulesError("Parquet output needs a file: --output verdicts.parquet")
        return _ParquetWriter(path)
    if fmt == "csv":
        return _CsvWriter(path, pack)
    if fmt == "xlsx":
        if path is None:
            raise HazardRulesError("Excel output needs a file: --output verdicts.xlsx")
        return _ExcelWriter(path, pack)
    return _JsonWriter(path, detail)


class _ParquetWriter:
    def __init__(self, path: str) -> None:
        self.path = path
        self.writer: Any = None

    def write(self, table: Any) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class _JsonWriter:
    def __init__(self, path: str | None, detail: str) -> None:
        self.stream: IO[str] = sys.stdout if path is None else open(path, "w", encoding="utf-8")  # noqa: SIM115
        self.detail = detail

    def write(self, table: Any) -> None:
        lines = []
        for row in table.to_pylist():
            if row.get("verdict") is not None:
                lines.append(row["verdict"])
            elif row["error"] is not None:
                lines.append(json.dumps({"error": json.loads(row["error"])}, ensure_ascii=False))
            else:
                row.pop("verdict", None)
                row.pop("error")
                row["finding_id"] = row.pop("id")
                row["on"] = row["on"].isoformat()
                lines.append(json.dumps(row, ensure_ascii=False))
        self.stream.write("\n".join(lines) + ("\n" if lines else ""))
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not sys.stdout:
            self.stream.close()


def people_rows(table: Any, pack: Pack) -> tuple[list[str], list[list[Any]]]:
    """The table as an inspector reads it: Chinese headers, words, labels, lists joined by "；"."""
    columns = [c for c in HEADERS if c in table.column_names or c == "hit_labels"]
    rows = []
    for row in table.to_pylist():
        row["status"] = STATUS_WORDS.get(row["status"], row["status"]) if row["status"] else None
        row["hit_labels"] = [_label(pack, r) for r in row["hits"] or []]
        if row["error"] is not None:
            problems = json.loads(row["error"]).get("problems", [])
            row["error"] = "；".join(_problem_words(p) for p in problems)
        out = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, list):
                value = "；".join(value)
            elif column == "on" and value is not None:
                value = value.isoformat()
            out.append(value)
        rows.append(out)
    return [HEADERS[c] for c in columns], rows


def _problem_words(problem: dict[str, Any]) -> str:
    """A problem as an inspector reads it: what its code means (in Chinese), then the code and the
    field it is about, as the table format shows them (``unknown_fact：facts.x``)."""
    code = str(problem.get("code", ""))
    known = CODES.get(code)
    words = known.meaning.rstrip("。") if known else str(problem.get("message", ""))
    field = problem.get("field")
    return f"{words}（{code}：{field}）" if field else f"{words}（{code}）"


def _label(pack: Pack, rule_id: str) -> str:
    try:
        rule = pack.compiled_rule(rule_id)
    except HazardRulesError:
        return rule_id
    title = pack.standards[rule.standard].meta.title if rule.standard in pack.standards else rule.standard
    return f"《{title}》{rule.spec.label}"


class _CsvWriter:
    def __init__(self, path: str | None, pack: Pack) -> None:
        import csv

        self.pack = pack
        if path is None:
            self.stream: IO[str] = sys.stdout
        else:
            self.stream = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 - BOM for Excel
        self.csv = csv.writer(self.stream)
        self.header = False

    def write(self, table: Any) -> None:
        headers, rows = people_rows(table, self.pack)
        if not self.header:
            self.csv.writerow(headers)
            self.header = True
        self.csv.writerows(rows)
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not sys.stdout:
            self.stream.close()


class _ExcelWriter:
    def __init__(self, path: str, pack: Pack) -> None:
        try:
            import xlsxwriter
        except ModuleNotFoundError:
            raise HazardRulesError(
                "Excel output needs XlsxWriter: pip install 'hazardrules[excel]'"
            ) from None
        self.pack = pack
        self.book = xlsxwriter.Workbook(path, {"constant_memory": True})
        self.sheet = self.book.add_worksheet("判定结果")
        self.bold = self.book.add_format({"bold": True})
        self.row = 0

    def write(self, table: Any) -> None:
        headers, rows = people_rows(table, self.pack)
        if self.row == 0:
            self.sheet.write_row(0, 0, headers, self.bold)
            self.sheet.freeze_panes(1, 0)
            self.row = 1
        for values in rows:
            if self.row > EXCEL_ROWS:
                raise HazardRulesError(
                    f"an Excel sheet holds {EXCEL_ROWS:,} rows: write Parquet or CSV instead"
                )
            self.sheet.write_row(self.row, 0, values)
            self.row += 1

    def close(self) -> None:
        self.book.close()
