"""The README's Python example runs, and each value it shows in a comment is what the code gives."""

from __future__ import annotations

import doctest
import re
from pathlib import Path
from typing import Any

import hazardrules

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_python_example_shows_true_values() -> None:
    (block,) = python_blocks()
    namespace: dict[str, Any] = {}
    checked = 0
    statements: list[str] = []
    for line in block.splitlines():
        code, _, shown = line.partition("  # ")
        statements.append(code)
        if (
            shown.strip().startswith(("'", "(", "{", "["))
            and not code.startswith((" ", "#"))
            and "=" not in code.split("(")[0]
        ):
            exec(compile("\n".join(statements[:-1]), "README", "exec"), namespace)
            statements = []
            assert eval(code, namespace) == eval(shown, namespace), code
            checked += 1
    exec(compile("\n".join(statements), "README", "exec"), namespace)
    assert checked >= 4


def test_module_docstring_example() -> None:
    failures, tried = doctest.testmod(hazardrules, verbose=False)
    assert tried > 0 and failures == 0


def test_readme_commands_match_ci() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    install_and_run, test_command = blocks[0].strip(), blocks[1].strip()
    assert install_and_run.startswith("pip install . && hazardrules classify examples/")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci == test_command
