"""The package's layers import only downward: lang < pack < engine < verdict < interfaces."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hazardrules"
# Lower number = lower layer. The shapes (models, errors, version) sit under everything.
LAYERS = {
    "models": 0,
    "errors": 0,
    "_version": 0,
    "lang": 1,
    "pack": 2,
    "engine": 3,
    "verdict": 4,
    "interfaces": 5,
}


def _layer_of(module: str) -> int | None:
    head = module.split(".")[0]
    return LAYERS.get(head)


def _imports(path: Path) -> list[str]:
    """Modules imported by ``path``, as dotted names relative to the package."""
    here = path.relative_to(PACKAGE).with_suffix("").parts
    package = here[:-1]  # a module and a package's __init__ both resolve relative to their folder
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - (node.level - 1)])
                target = ".".join([*base, node.module] if node.module else base)
                if node.module is None:
                    out.extend(".".join([*base, alias.name]) for alias in node.names)
                else:
                    out.append(target)
            elif node.module and node.module.startswith("hazardrules."):
                out.append(node.module.removeprefix("hazardrules."))
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.startswith("hazardrules.")]
            out.extend(name.removeprefix("hazardrules.") for name in names)
    return out


def test_no_import_runs_back_up() -> None:
    wrong: list[str] = []
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _layer_of(".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        if own is None:
            continue  # the top-level __init__ and __main__ may import every layer
        for target in _imports(path):
            checked += 1
            layer = _layer_of(target)
            if layer is not None and layer > own:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert checked > 50
    assert not wrong, "imports running back up the layers:\n" + "\n".join(wrong)
