"""The ``hazardrules`` command line."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import json
import os
import sys
import traceback
from collections import Counter
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

from .._version import __version__
from ..errors import FindingError, FindingProblem, HazardRulesError, PackError
from ..models import Summary, Verdict
from ..pack.model import Pack
from ..pack.resources import load_pack
from ..verdict.finding import strict_date
from .commands import add_commands
from .describe import TEXT_STATUS, rule_detail, rule_summary, rule_text
from .gate import FAIL_ON, gate
from .lint import lint
from .reader import InputError, Record, open_findings
from .table import Column, Table, render
from .verdict_view import COLUMNS, error_cells, render_error_text, render_text

# Exit codes (docs/cli.md); classify --fail-on adds 5 and 6 (gate.py).
OK = 0  # every record classified (whatever the verdicts)
BAD_RECORDS = 1  # some records could not be classified (each reported); lint found problems
USAGE = 2  # a wrong command line or argument (argparse uses 2 as well)
FILE_ERROR = 3  # the rule pack, or the input file, cannot be read
INTERRUPTED = 4  # stopped before the end: Ctrl-C, output closed or full, or an internal error


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        _silence_stdout()
        _error("interrupted: the output is incomplete")
    except BrokenPipeError:
        _silence_stdout()
        _error("standard output was closed (broken pipe) before everything was written")
    except OSError as exc:  # writing the output: a full disk, a closed or failing stdout
        _silence_stdout()
        _error(f"cannot write the output: {exc.strerror or exc}")
    return INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return USAGE
    if sys.stdout is None:
        raise OSError(errno.EBADF, "standard output is closed")
    try:
        code = int(args.handler(args))
    except PackError as exc:
        _error(str(exc))
        return FILE_ERROR
    except _InputError as exc:
        _error(str(exc))
        return FILE_ERROR
    except HazardRulesError as exc:
        _error(str(exc))
        return USAGE
    except (KeyboardInterrupt, OSError):
        raise
    except Exception:
        _error("internal error (a bug: please report it with this message):\n" + traceback.format_exc())
        return INTERRUPTED
    sys.stdout.flush()  # a full disk shows here rather than at exit
    return code


class _InputError(HazardRulesError):
    """The input file cannot be read at all."""


def _error(message: str) -> None:
    if sys.stderr is not None:
        with contextlib.suppress(OSError):
            print(f"hazardrules: {message}", file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null so the interpreter's last flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hazardrules",
        description="Classify safety-inspection findings under China's major-accident-hazard standards.",
    )
    parser.add_argument("--rules", metavar="DIR", help="use the rule pack in DIR instead of the shipped one")
    parser.add_argument("--version", action="version", version=f"hazardrules {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser(
        "example",
        help="print a bundled example finding (try: hazardrules example | hazardrules classify -)",
    )
    p.add_argument(
        "name",
        nargs="?",
        default="finding",
        choices=EXAMPLES,
        help="finding (an uncertified welder, the default) or fireworks-storehouses (a fireworks "
        "plant with three storehouses, one over its approved charge)",
    )
    p.set_defaults(handler=_example)

    p = sub.add_parser("classify", help="classify findings (JSON object, JSON array or JSON Lines)")
    p.add_argument("file", help="a file of findings, or - for standard input")
    p.add_argument(
        "--format",
        choices=("json", "table", "text"),
        default="json",
        help="json (default: JSON Lines for JSON Lines in, an array for an array), table (one line per "
        "finding) or text (each verdict in Chinese, with its questions and warnings)",
    )
    p.add_argument(
        "--encoding",
        metavar="NAME",
        help="the input's encoding if not UTF-8, e.g. gb18030 (Excel on Chinese Windows) or utf-16",
    )
    p.add_argument("--complete", action="store_true", help="whole-site inspection: list every open question")
    p.add_argument("--on", type=_date, help="apply the standards in force on this date (YYYY-MM-DD)")
    p.add_argument("--select", action="append", metavar="ID", help="only these rules (id or prefix)")
    p.add_argument("--ignore", action="append", metavar="ID", help="skip these rules (id or prefix)")
    p.add_argument(
        "--readings",
        metavar="all|none|ID,…",
        type=_readings,
        help="documented readings (not the law) that may set facts: all (default), none, or reading ids",
    )
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        help="exit 5 if a verdict is major; with undetermined, also 6 if one is undetermined",
    )
    _batch_options(p)
    p.set_defaults(handler=_classify)

    rules = sub.add_parser("rules", help="list or show rules").add_subparsers(metavar="ACTION")
    p = rules.add_parser("list", help="list the rules")
    p.add_argument("--standard", metavar="SLUG")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=_rules_list)
    p = rules.add_parser("show", help="show one rule: text, logic, examples")
    p.add_argument("id")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=_rules_show)

    p = sub.add_parser("checklist", help="the inspection questions for a sector, grouped by provision")
    p.add_argument("--sector", required=True, help="sector slug, Chinese name or industry code")
    p.add_argument(
        "--with",
        dest="with_",
        default="",
        metavar="SCOPES",
        help="comma-separated special situations, e.g. dust,ammonia,confined_space",
    )
    p.add_argument("--on", type=_date, help="the standards in force on this date (YYYY-MM-DD)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=_checklist)

    p = sub.add_parser("facts", help="the fact vocabulary: questions, types, units, value codes and labels")
    p.add_argument("--sector", help="only the facts this sector's rules read (slug, Chinese name or code)")
    p.add_argument("--standard", metavar="SLUG", help="only the facts this standard's rules read")
    p.add_argument("--kinds", action="store_true", help="list the installation kinds instead")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=_facts)

    p = sub.add_parser("suggest", help="candidate clauses for a free-text hazard description")
    p.add_argument("text", help="the hazard description (隐患描述); - reads it from standard input")
    p.add_argument("--sector", help="sector slug, Chinese name or industry code")
    p.add_argument("-k", type=int, default=5, help="number of candidates (default 5)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=_suggest)

    p = sub.add_parser("standards", help="the register of the law: every standard known, encoded or not")
    p.add_argument("--on", type=_date, help="say which are in force on this date (YYYY-MM-DD)")
    p.add_argument("--sector", help="only the standards of this sector (slug, Chinese name or code)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=_standards)

    p = sub.add_parser("codes", help="the stable codes of warnings, notes, gaps and errors")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=_codes)

    p = sub.add_parser("lint", help="validate a rule pack and check its texts against the sources")
    p.add_argument("dir", nargs="?", help="rule-pack directory (default: the shipped pack)")
    p.add_argument("--sources", metavar="DIR", help="official texts (default: the pack's sources/ folder)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=_lint)

    add_commands(sub)  # schema, serve
    return parser


def _date(text: str) -> dt.date:
    day, message = strict_date(text, "date")
    if day is None:
        raise argparse.ArgumentTypeError(message or "not a date")
    return day


def _readings(text: str) -> str | list[str]:
    """``--readings``: all, none, or comma-separated reading ids."""
    if text in ("all", "none"):
        return text
    return [part.strip() for part in text.split(",") if part.strip()]


def _pack(args: argparse.Namespace) -> Pack:
    return load_pack(args.rules)


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# -- classify ------------------------------------------------------------------------------------
def _classify(args: argparse.Namespace) -> int:
    from ..verdict.arguments import reading_switch
    from ..verdict.classify import classify
    from ..verdict.select import selector

    pack = _pack(args)
    selector(pack, args.select, args.ignore)  # a pattern matching no rule is a usage error, up front
    reading_switch(pack, args.readings)  # so is an unknown reading
    if _batched(args):
        return _classify_batches(args, pack)
    name = "<stdin>" if args.file == "-" else args.file
    raw: IO[bytes]
    if args.file == "-":
        if sys.stdin is None:
            raise _InputError("standard input is closed")
        raw = sys.stdin.buffer
    else:
        try:
            raw = open(args.file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise _InputError(f"cannot read {name}: {exc.strerror}") from None
    try:
        try:
            reader = open_findings(raw, args.encoding)
        except InputError as exc:
            raise _InputError(f"{name}: {exc}") from None
        out = _Output(args.format, reader.shape, pack, args.detail)
        bad = crashed = total = 0
        statuses: Counter[str] = Counter()
        for record in reader:
            total += 1
            where = f"{name}:{record.line}: " + ("" if record.index is None else f"element {record.index}: ")
            result: Any
            if record.error is not None:
                bad += 1
                error = FindingError([FindingProblem(record.error.code, record.error.message)])
                result = _error_object(record, error)
                _error_line(f"{where}{record.error.message}")
                out.write(result)
                continue
            try:
                result = classify(
                    record.value,
                    on=args.on,
                    complete=args.complete,
                    select=args.select,
                    ignore=args.ignore,
                    pack=pack,
                    readings=args.readings,
                    detail=args.detail,
                )
                statuses[result.status] += 1
            except FindingError as exc:
                bad += 1
                result = _error_object(record, exc)
                _error_line(f"{where}{exc}")
            except Exception as exc:  # a bug met by this record: report it, go on with the others
                crashed += 1
                problem = FindingProblem("internal_error", f"internal error: {type(exc).__name__}: {exc}")
                result = _error_object(record, FindingError([problem]))
                _error_line(f"{where}internal error (a bug: please report it):\n{traceback.format_exc()}")
            out.write(result)
        out.close()
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
    if bad or crashed:
        _error(f"{name}: {total} record(s), {total - bad - crashed} classified, {bad + crashed} not")
    gated = None if crashed else gate(statuses, args.fail_on)
    if gated is not None:
        _error(f"{name}: {gated[1]}")
        return gated[0]
    return INTERRUPTED if crashed else BAD_RECORDS if bad else OK


def _error_object(record: Record, error: FindingError) -> dict[str, Any]:
    where: dict[str, Any] = {"line": record.line}
    if record.index is not None:
        where["index"] = record.index
    return {**where, "error": error.to_dict()}


def _error_line(message: str) -> None:
    if sys.stderr is not None:
        with contextlib.suppress(OSError):
            sys.stderr.write(message + "\n")


class _Output:
    """Writes each result as it comes: JSON Lines, one JSON array, pretty JSON objects or a table."""

    def __init__(self, form: str, shape: str, pack: Pack, detail: str = "full") -> None:
        self.stream = sys.stdout
        reconfigure = getattr(self.stream, "reconfigure", None)
        if reconfigure is not None:  # JSON is UTF-8; nothing un-encodable may stop the batch
            reconfigure(encoding="utf-8", errors="backslashreplace")
        self.form = form if form in ("table", "text") else shape
        self.pack = pack
        self.count = 0
        self.table: Table[Any] | None = None
        if self.form == "table":
            self.table = Table(_COLUMNS if detail == "full" else _SUMMARY_COLUMNS, self.stream.write)
        elif self.form == "array":
            self.stream.write("[")

    def write(self, result: Any) -> None:
        if self.table is not None:
            if isinstance(result, Verdict | Summary):
                self.table.row(result)
            else:
                self.table.line(error_cells(result), span_from=2)
        elif self.form == "text":
            if isinstance(result, Verdict):
                text = render_text(result, self.pack)
            else:
                text = render_error_text(result)
            self.stream.write(("\n" if self.count else "") + text)
        elif self.form == "lines":
            text = result.model_dump_json() if isinstance(result, Verdict | Summary) else _json(result, None)
            self.stream.write(text + "\n")
        else:
            text = _json(_jsonable(result), 2)
            if self.form == "array":
                text = ("," if self.count else "") + "\n  " + text.replace("\n", "\n  ")
            self.stream.write(text if self.form == "array" else text + "\n")
        self.count += 1
        self.stream.flush()

    def close(self) -> None:
        if self.form == "array":
            self.stream.write("\n]\n" if self.count else "]\n")
        self.stream.flush()


def _json(data: Any, indent: int | None) -> str:
    return json.dumps(data, ensure_ascii=False, indent=indent)


def _jsonable(result: Any) -> Any:
    return result.model_dump(mode="json") if isinstance(result, Verdict | Summary) else result


# The table of `classify --format table` (its columns are listed in verdict_view.COLUMNS).
_COLUMNS = COLUMNS


def _summary_held(summary: Summary) -> str:
    return ", ".join(summary.hits) or "-"


def _summary_needed(summary: Summary) -> str:
    missing = summary.missing_facts
    return (", ".join(missing[:4]) + (" …" if len(missing) > 4 else "")) or "-"


_SUMMARY_COLUMNS: list[Column[Summary]] = [
    Column("检查发现", 20, lambda v: v.finding_id or "-"),
    Column("结论", 12, lambda v: v.status),
    Column("成立的条款", 36, _summary_held),
    Column("仍需", 44, _summary_needed),
    Column("警告代码", None, lambda v: "、".join(v.warnings) or "-"),
]


def _batch_options(p: argparse.ArgumentParser) -> None:
    """Options of `classify` for registers (interfaces/batch_cli.py)."""
    from .batch_cli import FORMATS, INPUTS

    p.add_argument(
        "--detail",
        choices=("full", "summary"),
        default="full",
        help="full: the explained verdict (default); summary: status, rule ids, missing facts, codes",
    )
    p.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write to FILE (its suffix picks the format: .parquet .csv .xlsx .jsonl)",
    )
    p.add_argument("--to", choices=FORMATS, help="output format (default: from --output, else JSON)")
    p.add_argument("--input-format", choices=INPUTS, help="input format (default: from the file's suffix)")
    p.add_argument(
        "--batch-size",
        type=int,
        default=65_536,
        metavar="N",
        help="rows read and classified at a time (registers)",
    )


def _batched(args: argparse.Namespace) -> bool:
    """Whether the register path serves this command (Parquet/CSV in or out, or an output file)."""
    from .batch_cli import input_format, output_format

    tabular = ("parquet", "csv", "xlsx")
    return (
        args.output is not None
        or input_format(args.file, args.input_format) != "json"
        or output_format(args.output, args.to) in tabular
    )


def _classify_batches(args: argparse.Namespace, pack: Pack) -> int:
    from .batch_cli import input_format, run

    if args.batch_size < 1:
        raise HazardRulesError("--batch-size must be at least 1")
    name = "<stdin>" if args.file == "-" else args.file
    if args.file == "-":
        if sys.stdin is None:
            raise _InputError("standard input is closed")
        raw: IO[bytes] = sys.stdin.buffer
    else:
        try:
            raw = open(args.file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise _InputError(f"cannot read {name}: {exc.strerror}") from None
    try:
        reader = None
        if input_format(args.file, args.input_format) == "json":
            try:
                reader = open_findings(raw, args.encoding)
            except InputError as exc:
                raise _InputError(f"{name}: {exc}") from None
        total, bad = run(args, pack, raw, name, reader, _error_line)
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
    if bad:
        _error(f"{name}: {total} record(s), {total - bad} classified, {bad} not")
    return BAD_RECORDS if bad else OK


def _error_cells(result: dict[str, Any]) -> list[str]:
    error = result["error"]
    where = f"line {result['line']}" + (f" [{result['index']}]" if "index" in result else "")
    finding = error.get("finding_id") or where
    return [finding, "error", error["problems"][0]["message"], ""]


# -- rules ---------------------------------------------------------------------------------------
def _rules_list(args: argparse.Namespace) -> int:
    pack = _pack(args)
    if args.standard is not None:
        pack.standard(args.standard)  # raises with the known slugs
    rules = list(pack.compiled_rules(args.standard))
    if args.format == "json":
        print(_dump([rule_summary(pack, r) for r in rules]))
        return 0
    rows = [["规则", "条款", "条文核对", "条文"]]
    for rule in rules:
        text = rule.spec.text if len(rule.spec.text) <= 40 else rule.spec.text[:39] + "…"
        rows.append([rule.id, rule.spec.label, TEXT_STATUS[rule.spec.text_status].split("（")[0], text])
    print(render(rows))
    print(f"\n共 {len(rules)} 条规则")
    return 0


def _rules_show(args: argparse.Namespace) -> int:
    pack = _pack(args)
    rule = pack.compiled_rule(args.id)
    if args.format == "json":
        print(_dump(rule_detail(pack, rule)))
    else:
        print(rule_text(pack, rule))
    return 0


# -- checklist -----------------------------------------------------------------------------------
def _checklist(args: argparse.Namespace) -> int:
    from .checklist import checklist, render_text, scope_facts

    pack = _pack(args)
    chosen = [w.strip() for w in args.with_.split(",") if w.strip()]
    sheet = checklist(args.sector, with_=chosen, on=args.on, pack=pack)
    if args.format == "json":
        print(sheet.model_dump_json(indent=2))
    else:
        print(render_text(sheet, scope_facts(pack)))
    return 0


# -- facts ---------------------------------------------------------------------------------------
def _facts(args: argparse.Namespace) -> int:
    from .vocabulary import facts, installation_kinds, render_kinds, render_text

    pack = _pack(args)
    if args.kinds:
        kinds = installation_kinds(pack)
        as_json = args.format == "json"
        print(_dump([k.model_dump(mode="json") for k in kinds]) if as_json else render_kinds(kinds))
        return 0
    try:
        entries = facts(args.sector, standard=args.standard, pack=pack)
    except FindingError as exc:  # an unknown or ambiguous sector: a usage error that says why
        raise HazardRulesError(str(exc)) from None
    if args.format == "json":
        print(_dump([e.model_dump(mode="json") for e in entries]))
        return 0
    scope = "、".join(x for x in (args.sector and f"行业 {args.sector}", args.standard) if x) or "全部"
    print(render_text(entries, f"事实词汇（{scope}）"))
    return 0


# -- suggest -------------------------------------------------------------------------------------
def _suggest(args: argparse.Namespace) -> int:
    from .suggest import suggest

    text = sys.stdin.read() if args.text == "-" else args.text
    result = suggest(text, sector=args.sector, k=args.k, pack=_pack(args))
    if args.format == "json":
        print(result.model_dump_json(indent=2))
        return 0
    print(_suggest_text(result))
    return 0


def _suggest_text(result: Any) -> str:
    """``suggest`` as text: the message first (no match, an unencoded standard), then the candidates."""
    lines = [result.note]
    if result.truncated:
        lines.append("(the description was cut to its first 2000 characters)")
    if result.message:
        lines += ["", result.message]
    for note in result.notes:
        lines += ["", f"注意：{note}"]
    if not result.candidates:
        lines += ["", "no candidate clause found"]
    elif result.no_match:
        lines += ["", "（以下候选置信度低，只是字面相近，仅供参考）"]
    for number, candidate in enumerate(result.candidates, 1):
        mark = "" if candidate.text_status == "verified" else "【条文未经核实】"
        lines += [
            "",
            f"{number}. {candidate.rule}  {candidate.citation.title} {candidate.citation.label}{mark}"
            f"  confidence {candidate.confidence:.2f}",
            f"   {candidate.text}",
            f"   matched: {'、'.join(candidate.matched) or '-'}",
        ]
        if candidate.same_in:
            lines.append(f"   the same obligation in: {', '.join(candidate.same_in)}")
        if candidate.also_cites:
            lines.append(f"   also cite if confirmed: {', '.join(candidate.also_cites)}")
        lines += [f"   □ {question.question}（{question.fact}）" for question in candidate.confirm]
    if result.elsewhere is not None:
        other = result.elsewhere
        lines += [
            "",
            f"a better match in another standard, which does not apply to this sector: {other.rule} "
            f"{other.citation.title} {other.citation.label} (confidence {other.confidence:.2f})",
        ]
    return "\n".join(lines)


# -- standards, codes ----------------------------------------------------------------------------
def _standards(args: argparse.Namespace) -> int:
    from ..pack.sectors import resolve_sector
    from .register import render_text, standards

    pack = _pack(args)
    sector = resolve_sector(pack, args.sector) if args.sector else None
    entries = standards(args.on, sector=sector, pack=pack)
    if args.format == "json":
        print(_dump([e.model_dump(mode="json") for e in entries]))
    else:
        print(render_text(entries, args.on))
    return 0


def _codes(args: argparse.Namespace) -> int:
    from ..verdict.codes import codes

    found = codes()
    if args.format == "json":
        print(
            _dump(
                [
                    {"code": c.code, "where": c.where, "meaning": c.meaning, "reserved": c.reserved}
                    for c in found
                ]
            )
        )
    else:
        print(render([["code", "where", "meaning"], *([c.code, c.where, c.meaning] for c in found)]))
    return 0


# -- lint, schema --------------------------------------------------------------------------------
def _lint(args: argparse.Namespace) -> int:
    report = lint(args.dir or args.rules, sources=args.sources)
    if args.format == "json":
        print(
            _dump(
                {
                    "ok": report.ok,
                    "root": report.root,
                    "sources": report.sources,
                    "rules": report.rules,
                    "examples": report.examples,
                    "texts_checked": report.texts_checked,
                    "problems": [
                        {"file": p.file, "item": p.item, "message": p.message, "severity": p.severity}
                        for p in report.problems
                    ],
                }
            )
        )
    else:
        for problem in report.problems:
            print(f"{problem.severity}: {problem}")
        sources = report.sources or "not found"
        print(
            f"{report.root}: {report.rules} rules, {report.examples} examples, "
            f"{report.texts_checked} texts checked against {sources}: "
            f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
        )
    return 0 if report.ok else 1


# The bundled example findings (examples/<name>.json; hazardrules/examples in a wheel).
EXAMPLES = ("finding", "fireworks-storehouses")


def example_finding(name: str = "finding") -> str:
    """A bundled example finding: ``hazardrules/examples`` in a wheel, ``examples/`` in a checkout."""
    packaged = files("hazardrules") / "examples" / f"{name}.json"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[3] / "examples" / f"{name}.json"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    raise HazardRulesError(
        f"this installation of hazardrules has no bundled example {name!r} (hazardrules/examples)"
    )


def _example(args: argparse.Namespace) -> int:
    sys.stdout.write(example_finding(args.name))
    return 0
