"""The ``hazardrules`` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from importlib.resources import files
from pathlib import Path
from typing import IO, Any

from .._version import __version__
from ..errors import FindingError, HazardRulesError
from ..models import Finding, Verdict
from ..pack.format import FactsFile, PackManifest, SectorsFile, StandardFile
from ..pack.model import Pack
from ..pack.resources import load_pack
from .describe import TEXT_STATUS, rule_detail, rule_summary, rule_text
from .lint import lint


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except HazardRulesError as exc:
        print(f"hazardrules: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. piped into head
        return 0


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
        help="print the bundled example finding (try: hazardrules example | hazardrules classify -)",
    )
    p.set_defaults(handler=_example)

    p = sub.add_parser("classify", help="classify findings (JSON object, JSON array or JSON Lines)")
    p.add_argument("file", help="a file of findings, or - for standard input")
    p.add_argument("--format", choices=("json", "table"), default="json")
    p.add_argument("--complete", action="store_true", help="whole-site inspection: list every open question")
    p.add_argument("--on", type=_date, help="apply the standards in force on this date (YYYY-MM-DD)")
    p.add_argument("--select", action="append", metavar="ID", help="only these rules (id or prefix)")
    p.add_argument("--ignore", action="append", metavar="ID", help="skip these rules (id or prefix)")
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

    p = sub.add_parser("schema", help="print JSON Schemas")
    p.add_argument("which", nargs="?", choices=("all", "finding", "verdict", "pack"), default="all")
    p.set_defaults(handler=_schema)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _pack(args: argparse.Namespace) -> Pack:
    return load_pack(args.rules)


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# -- classify ------------------------------------------------------------------------------------
def _classify(args: argparse.Namespace) -> int:
    from ..verdict.classify import classify

    pack = _pack(args)
    name = "<stdin>" if args.file == "-" else args.file
    stream: IO[str]
    if args.file == "-":
        stream = sys.stdin
    else:
        try:
            stream = open(args.file, encoding="utf-8-sig")  # noqa: SIM115 - closed below
        except OSError as exc:
            print(f"hazardrules: error: cannot read {name}: {exc.strerror}", file=sys.stderr)
            return 1
    bad = 0
    outputs: list[Any] = []
    try:
        mode, records = _read_findings(stream)
        for where, record in records:
            if isinstance(record, _Broken):
                result: Any = {
                    "line": where,
                    "error": {"problems": [{"code": "malformed_json", "message": record.message}]},
                }
                print(f"{name}:{where}: malformed JSON: {record.message}", file=sys.stderr)
                bad += 1
            else:
                try:
                    verdict = classify(
                        record,
                        on=args.on,
                        complete=args.complete,
                        select=args.select,
                        ignore=args.ignore,
                        pack=pack,
                    )
                    result = verdict
                except FindingError as exc:
                    bad += 1
                    result = {"line": where, "error": exc.to_dict()}
                    print(f"{name}:{where}: {exc}", file=sys.stderr)
            if mode == "lines" and args.format == "json":
                _emit_line(result)
            else:
                outputs.append(result)
    finally:
        if stream is not sys.stdin:
            stream.close()
    if args.format == "table":
        print(_table(outputs))
    elif mode == "object":
        print(_dump(_jsonable(outputs[0])))
    elif mode == "array":
        print(_dump([_jsonable(o) for o in outputs]))
    if bad:
        print(f"hazardrules: {bad} bad record(s) in {name}", file=sys.stderr)
    return 1 if bad else 0


class _Broken:
    def __init__(self, message: str) -> None:
        self.message = message


def _read_findings(stream: IO[str]) -> tuple[str, Iterator[tuple[int, Any]]]:
    """Detect the input shape; return (object|array|lines, iterator of (line number, record))."""
    lines = iter(stream)
    number = 0
    first = ""
    for number, first in enumerate(lines, start=1):  # noqa: B007 - number is used below
        if first.strip():
            break
    else:
        return "array", iter(())
    head = first.lstrip()
    if head.startswith("{"):
        try:
            record = json.loads(first)
        except json.JSONDecodeError:
            record = None
        if record is not None:
            return "lines", _json_lines(number, record, lines)
    text = first + "".join(lines)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return "object", iter([(number + exc.lineno - 1, _Broken(f"{exc.msg} (column {exc.colno})"))])
    if isinstance(document, list):
        return "array", iter((number, item) for item in document)
    return "object", iter([(number, document)])


def _json_lines(number: int, first: Any, lines: Iterator[str]) -> Iterator[tuple[int, Any]]:
    yield number, first
    for number, line in enumerate(lines, start=number + 1):  # noqa: B020
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, _Broken(f"{exc.msg} (column {exc.colno})")


def _jsonable(result: Any) -> Any:
    return result.model_dump(mode="json") if isinstance(result, Verdict) else result


def _emit_line(result: Any) -> None:
    if isinstance(result, Verdict):
        sys.stdout.write(result.model_dump_json() + "\n")
    else:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _table(results: list[Any]) -> str:
    rows = [["finding", "status", "rules that hold", "still needed"]]
    for result in results:
        if isinstance(result, Verdict):
            held = ", ".join(f"{h.citation.standard} {h.citation.label}" for h in result.hits) or "-"
            needed = ", ".join(result.missing_facts[:4]) + (" …" if len(result.missing_facts) > 4 else "")
            rows.append([result.finding_id or "-", result.status, held, needed or "-"])
        else:
            rows.append([f"line {result['line']}", "error", result["error"]["problems"][0]["message"], ""])
    return _render_table(rows)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _render_table(rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


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
    print(_render_table(rows))
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


# -- suggest -------------------------------------------------------------------------------------
def _suggest(args: argparse.Namespace) -> int:
    from .suggest import suggest

    text = sys.stdin.read() if args.text == "-" else args.text
    result = suggest(text, sector=args.sector, k=args.k, pack=_pack(args))
    if args.format == "json":
        print(result.model_dump_json(indent=2))
        return 0
    print(result.note)
    if result.truncated:
        print("(the description was cut to its first 2000 characters)")
    if not result.candidates:
        print("\nno candidate clause found")
    for number, candidate in enumerate(result.candidates, 1):
        mark = "" if candidate.text_status == "verified" else "【条文未经核实】"
        print(
            f"\n{number}. {candidate.rule}  {candidate.citation.title} {candidate.citation.label}{mark}"
            f"  score {candidate.score:g}"
        )
        print(f"   {candidate.text}")
        print(f"   matched: {'、'.join(candidate.matched) or '-'}")
        if candidate.also_cites:
            print(f"   also cite if confirmed: {', '.join(candidate.also_cites)}")
        for question in candidate.confirm:
            print(f"   □ {question.question}（{question.fact}）")
    if result.elsewhere is not None:
        other = result.elsewhere
        print(
            f"\nbest match overall belongs to another sector's standard: {other.rule} "
            f"{other.citation.title} {other.citation.label}"
        )
    return 0


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
        print(_dump([{"code": c.code, "where": c.where, "meaning": c.meaning} for c in found]))
    else:
        print(_render_table([["code", "where", "meaning"], *([c.code, c.where, c.meaning] for c in found)]))
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


def example_finding() -> str:
    """The bundled example finding: ``hazardrules/examples`` in a wheel, ``examples/`` in a checkout."""
    packaged = files("hazardrules") / "examples" / "finding.json"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[3] / "examples" / "finding.json"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    raise HazardRulesError("this installation of hazardrules has no bundled example (hazardrules/examples)")


def _example(args: argparse.Namespace) -> int:
    sys.stdout.write(example_finding())
    return 0


def _schema(args: argparse.Namespace) -> int:
    schemas: dict[str, Any] = {}
    if args.which in ("all", "finding"):
        schemas["finding"] = Finding.model_json_schema()
    if args.which in ("all", "verdict"):
        schemas["verdict"] = Verdict.model_json_schema()
    if args.which in ("all", "pack"):
        schemas["pack"] = {
            "pack.yaml": PackManifest.model_json_schema(),
            "sectors.yaml": SectorsFile.model_json_schema(),
            "facts/*.yaml": FactsFile.model_json_schema(),
            "standards/*.yaml": StandardFile.model_json_schema(),
        }
    print(_dump(schemas if args.which == "all" else schemas[args.which]))
    return 0
