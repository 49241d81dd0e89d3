"""The command line: classify in its three input shapes, rules list/show, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hazardrules
from hazardrules.interfaces.cli import main
from hazardrules.lang.chinese import to_chinese

EVIDENCE_KINDS = {"official_page", "government_page", "transcription", "mirror"}
GOOD = {"id": "a", "sector": "metallurgy", "facts": {"special_worker.uncertified_on_duty": True}}
BAD = {"id": "b", "sector": "metallurgy", "facts": {"contractor.presnt": True}}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_classify_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "f.json"
    file.write_text(json.dumps(GOOD, ensure_ascii=False, indent=2), encoding="utf-8")
    code, out, _ = run(capsys, "classify", str(file))
    assert code == 0
    verdict = json.loads(out)
    assert verdict["status"] == "major" and verdict["hits"][0]["rule"] == "gm-2023:3.2"


def test_classify_array_reports_bad_record_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "f.json"
    file.write_text(json.dumps([BAD, GOOD]), encoding="utf-8")
    code, out, err = run(capsys, "classify", str(file))
    assert code == 1
    results = json.loads(out)
    assert results[0]["error"]["problems"][0]["code"] == "unknown_fact"
    assert results[1]["status"] == "major"
    assert "unknown fact 'contractor.presnt'" in err


def test_classify_json_lines_with_line_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "f.jsonl"
    lines = [json.dumps(GOOD), "", "{broken", json.dumps(BAD), json.dumps(GOOD)]
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "classify", str(file))
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r.get("status") for r in records] == ["major", None, None, "major"]
    assert records[1]["line"] == 3 and records[2]["line"] == 4
    assert f"{file}:3: malformed JSON" in err
    assert f"{file}:4: finding 'b': unknown fact" in err


def test_classify_stdin_and_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO((json.dumps(GOOD) + "\n").encode())))
    code, out, _ = run(capsys, "classify", "-", "--format", "table")
    assert code == 0
    assert "major" in out and "第三条第（二）项" in out


def test_classify_malformed_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "f.json"
    file.write_text('{\n  "sector": "metallurgy",\n  "facts": {,}\n}\n', encoding="utf-8")
    code, _, err = run(capsys, "classify", str(file))
    assert code == 1 and f"{file}:3: malformed JSON" in err


def test_classify_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "classify", "/no/such/file.json")
    assert code == 3 and "cannot read /no/such/file.json" in err


def test_classify_complete_lists_open_questions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "f.json"
    file.write_text(json.dumps({"sector": "metallurgy", "facts": {}}), encoding="utf-8")
    code, out, _ = run(capsys, "classify", str(file), "--complete")
    verdict = json.loads(out)
    assert code == 0 and verdict["status"] == "undetermined"
    assert "contractor.present" in verdict["missing_facts"]


def test_rules_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "list", "--standard", "gm-2023", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and rules
    for rule in rules:
        assert {"id", "standard", "path", "label", "text", "text_status"} <= rule.keys()
        assert rule["id"] == f"{rule['standard']}:{rule['path']}"
        # The citation link is the official publication; evidence says where the wording was checked.
        assert rule["citation_url"].startswith("https://www.mem.gov.cn/")
        assert "source_url" not in rule
        if rule["text_status"] == "verified":
            assert rule["evidence"] and all(e["how"] in EVIDENCE_KINDS for e in rule["evidence"])


def test_rules_list_unknown_standard(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "rules", "list", "--standard", "nope")
    assert code == 2 and "no standard 'nope'" in err and "gm-2023" in err


def test_rules_show_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "gm-2023:3.1", "--format", "json")
    rule = json.loads(out)
    assert code == 0
    assert rule["label"] == "第三条第（一）项"
    assert {e["expect"] for e in rule["examples"]} >= {"holds", "does_not_hold"}
    for example in rule["examples"]:
        assert set(example) >= {"finding", "expect"} and "facts" in example["finding"]


def test_rules_show_text_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "show", "gm-2023:3.3")
    pack = hazardrules.load_pack()
    rule = pack.compiled_rule("gm-2023:3.3")
    assert rule.applies is not None
    assert code == 0
    assert f"适用条件：{to_chinese(rule.applies.ast, pack.facts)}" in out
    assert f"判定逻辑：{to_chinese(rule.condition.ast, pack.facts)}" in out
    assert rule.spec.text in out and "条文核对：已核实" in out
    code, _, err = run(capsys, "rules", "show", "gm-2023:99")
    assert code == 2 and "no rule 'gm-2023:99'" in err


def test_rules_show_gives_value_codes_with_labels(capsys: pytest.CaptureFixture[str]) -> None:
    pack = hazardrules.load_pack()
    rule = next(r for r in pack.compiled_rules() if any(pack.facts[f].values for f in r.condition.facts))
    code, out, _ = run(capsys, "rules", "show", rule.id)
    assert code == 0
    for name in rule.condition.facts:
        for value, label in (pack.facts[name].values or {}).items():
            assert f"{label}（{value}）" in out
    publication = pack.standard(rule.standard).official_publication
    assert publication is not None and publication.url is not None
    assert f"官方发布：{publication.url}" in out


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    schemas = json.loads(out)
    assert code == 0
    assert schemas["finding"]["title"] == "Finding" and "sector" in schemas["finding"]["required"]
    assert schemas["verdict"]["title"] == "Verdict"
    assert "standards/*.yaml" in schemas["pack"]


def test_schema_validates_real_verdicts(capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    import hazardrules

    main(["schema", "verdict"])
    schema = json.loads(capsys.readouterr().out)
    verdict = hazardrules.classify(
        {"sector": "metallurgy", "facts": {"contractor.present": True}}, complete=True
    )
    jsonschema.validate(json.loads(verdict.model_dump_json()), schema)
