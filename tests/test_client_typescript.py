"""A client in another language: TypeScript types generated from the OpenAPI document
(openapi-typescript) compile under ``tsc --strict``, real verdicts, findings, checklists and error
bodies type-check against them, and wrong ones do not (``@ts-expect-error`` fails the compile when
the line after it has no error). The versions are pinned in clients/typescript/package-lock.json;
CI installs Node.js and npm and sets HAZARDRULES_REQUIRE_NODE=1 so the test runs there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import hazardrules
from hazardrules.interfaces.schema import openapi
from hazardrules.interfaces.wire_vocabulary import vocabulary

from ._examples import all_examples

CLIENT = Path(__file__).resolve().parents[1] / "clients" / "typescript"


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        if os.environ.get("HAZARDRULES_REQUIRE_NODE") == "1":
            pytest.fail("Node.js and npm are required here (HAZARDRULES_REQUIRE_NODE=1)")
        pytest.skip("Node.js and npm are not installed")
    return npm


def _run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _literal(name: str, kind: str, values: list[Any]) -> str:
    return f"export const {name}: {kind}[] = {json.dumps(values, ensure_ascii=False, indent=1)};\n"


@pytest.mark.slow
def test_generated_typescript_types_accept_real_outputs_and_refuse_wrong_ones(
    tmp_path: Path, pack: hazardrules.Pack
) -> None:
    npm = _npm()
    for name in ("package.json", "package-lock.json"):
        shutil.copy(CLIENT / name, tmp_path / name)
    _run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], tmp_path)
    (tmp_path / "openapi.json").write_text(json.dumps(openapi(pack), ensure_ascii=False), encoding="utf-8")
    bin_dir = tmp_path / "node_modules" / ".bin"
    _run([str(bin_dir / "openapi-typescript"), "openapi.json", "-o", "api.d.ts"], tmp_path)

    examples = [f for _, _, f, _ in all_examples()[::6]]
    verdicts = [json.loads(hazardrules.classify(f, complete=True).model_dump_json()) for f in examples[:40]]
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify({"sector": "metallurgy", "facts": {"contractor.presnt": True}})
    bool_fact = next(n for n, f in pack.facts.items() if f.type == "bool" and not f.installation)
    enum_fact = next(n for n, f in pack.facts.items() if f.type == "enum" and not f.installation)
    source = [
        'import type { components, operations } from "./api";\n',
        'type S = components["schemas"];\n',
        _literal("findings", 'S["Finding"]', examples),
        _literal("verdicts", 'S["Verdict"]', verdicts),
        _literal("errors", 'S["Error"]', [caught.value.to_dict()]),
        _literal("sheets", 'S["Checklist"]', [json.loads(hazardrules.checklist("冶金").model_dump_json())]),
        _literal("vocabularies", 'S["Vocabulary"]', [json.loads(vocabulary(pack, "冶金").model_dump_json())]),
        """
export function cited(v: S["Verdict"]): string[] {
  return v.hits.map((h) => `${h.citation.title} ${h.citation.label}：${h.text}`);
}
export function gate(v: S["Verdict"]): 0 | 5 | 6 {
  switch (v.status) {
    case "major": return 5;
    case "undetermined": return 6;
    case "not_major": return 0;
  }
}
export function warned(v: S["Verdict"]): S["Warning"]["code"][] {
  return v.warnings.map((w) => w.code);
}
export type ClassifyBody = operations["classify"]["requestBody"]["content"]["application/json"];
""",
        # Each line after @ts-expect-error must fail to compile, or the whole check fails.
        "// @ts-expect-error a value code the fact does not have\n",
        f'export const wrongValue: S["Finding"] = {{ sector: "x", facts: {{ "{enum_fact}": "nope" }} }};\n',
        "// @ts-expect-error text for a true/false fact\n",
        f'export const wrongType: S["Finding"] = {{ sector: "x", facts: {{ "{bool_fact}": "yes" }} }};\n',
        "// @ts-expect-error a fact the vocabulary does not have\n",
        'export const unknownFact: S["Finding"] = { sector: "x", facts: { "contractor.presnt": true } };\n',
        "// @ts-expect-error a status a verdict never has\n",
        'export const wrongStatus: S["Verdict"]["status"] = "minor";\n',
        "// @ts-expect-error a warning code that is not in the registry\n",
        'export const wrongCode: S["Warning"]["code"] = "no_such_code";\n',
    ]
    (tmp_path / "check.ts").write_text("".join(source), encoding="utf-8")
    _run(
        [
            str(bin_dir / "tsc"),
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            "check.ts",
        ],
        tmp_path,
    )
