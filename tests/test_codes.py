"""Every code the library can emit — warning, note, gap, finding problem, record error, HTTP error —
is in the registry (``verdict/codes.py``), and every registered code is emitted somewhere (or
marked reserved). The scan reads the source, so a new ``FindingProblem("…")`` with an unregistered
code fails here; sites that pass a code through a variable are listed and reviewed."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import get_args

import pytest

import hazardrules
from hazardrules.interfaces.cli import main
from hazardrules.models import Gap, Reference
from hazardrules.verdict.codes import CODES, codes

SRC = Path(hazardrules.__file__).resolve().parent
# Calls that carry a code, and the position of the code among their positional arguments.
CODE_CALLS = {"FindingProblem": 0, "RecordError": 0, "_Refused": 0, "_notice": 0, "Refused": 1}
# Sites that pass a code along rather than naming one (each takes it from a registered source).
FORWARDED = {
    ("interfaces/cli.py", "record.error.code"),  # a RecordError of the reader
    ("interfaces/batch_cli.py", "record.error.code"),  # a RecordError of the reader (columnar batch)
    ("interfaces/reader.py", "joined.error.code"),  # a RecordError of the reader
    ("interfaces/reader.py", "exc.code"),  # a _Refused of the reader
    ("verdict/finding.py", "code"),  # out_of_range or wrong_type, both literals in check_fact
    ("verdict/finding.py", "p.code"),  # a FindingError of resolve_sector, given the list's position
    ("interfaces/service.py", "record.error.code"),  # a RecordError of the reader
    ("interfaces/service.py", "exc.problems[0].code"),  # a Refused's code
    ("interfaces/service.py", "code"),  # from _HTTP_CODES
    ("verdict/deferral.py", "code"),  # one of four literals assigned just before
    ("verdict/law.py", "code"),  # standard_status_unknown or standard_not_encoded, assigned before
    ("verdict/law.py", "gap.code"),  # own_gaps: a verdict's copy of a Gap the law made (a Gap literal)
    ("verdict/classify.py", "code"),  # _notice(code, …) checks it against the registry
    ("verdict/industry.py", "code"),  # _notice(code, …) asserts it is registered
    ("pack/industries.py", "code"),  # _error(code, …): FindingProblem of the literal codes its callers pass
    ("interfaces/verdict_view.py", "n"),  # _notice(n) formats a notice for the table: no code emitted
}


def _literals(node: ast.expr) -> list[str]:
    """The texts a code assignment can take: a literal, or either branch of ``a if … else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return [*_literals(node.body), *_literals(node.orelse)]
    return []  # not text (cli.py's exit codes), or a value passed along: the call sites are checked


def _emitted() -> tuple[set[str], set[tuple[str, str]]]:
    """(codes named in the source, sites passing a code through an expression)."""
    named: set[str] = set()
    forwarded: set[tuple[str, str]] = set()
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "codes.py":
            continue
        where = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                position = CODE_CALLS.get(name)
                found = [k.value for k in node.keywords if k.arg == "code"]
                if position is not None and len(node.args) > position:
                    found.append(node.args[position])
                for value in found:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        named.add(value.value)
                    else:
                        forwarded.add((where, ast.unparse(value)))
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                names = (
                    [ast.unparse(e) for e in target.elts]
                    if isinstance(target, ast.Tuple)
                    else [ast.unparse(target)]
                )
                if "code" in names:
                    value = node.value
                    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                        value = value.elts[names.index("code")]
                    named.update(_literals(value))
                if names == ["_HTTP_CODES"] and isinstance(node.value, ast.Dict):
                    named.update(v.value for v in node.value.values if isinstance(v, ast.Constant))
    return named, forwarded


def test_every_emitted_code_is_registered() -> None:
    named, _ = _emitted()
    assert len(named) > 30
    assert sorted(named - set(CODES)) == []


def test_every_registered_code_is_emitted_or_reserved() -> None:
    named, _ = _emitted()
    named |= set(get_args(Gap.model_fields["code"].annotation)) | {"superseded_reference"}
    silent = [c.code for c in codes() if c.code not in named and not c.reserved]
    assert silent == []
    reserved_but_emitted = [c.code for c in codes() if c.reserved and c.code in named]
    assert reserved_but_emitted == []


def test_forwarded_codes_are_the_reviewed_sites() -> None:
    _, forwarded = _emitted()
    assert forwarded == FORWARDED


def test_model_literals_match_the_registry() -> None:
    assert list(get_args(Gap.model_fields["code"].annotation)) == [c.code for c in codes("gaps")]
    assert get_args(Reference.model_fields["code"].annotation) == tuple(c.code for c in codes("reference"))


def test_codes_are_unique_snake_case_with_chinese_meanings() -> None:
    found = codes()
    assert len({c.code for c in found}) == len(found) == len(CODES)
    for code in found:
        assert code.code.isascii() and code.code == code.code.lower() and " " not in code.code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in code.meaning), code.code


def test_the_cli_lists_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["code"], c["where"], c["reserved"]) for c in listed] == [
        (c.code, c.where, c.reserved) for c in codes()
    ]


def test_the_docs_page_lists_every_code() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))
    from rulepages import codes_page

    page = codes_page()
    for code in codes():
        assert f"`{code.code}`" in page and code.meaning in page
