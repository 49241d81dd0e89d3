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


# -- classify --format table / text: what an inspector sees without the JSON ---------------------------
TWO_FURNACES = {
    "id": "M-1",
    "sector": "metallurgy",
    "observed_on": "2024-03-01",
    "facts": {"contractor.present": True, "molten_metal.wet_areas": ["slag_pit_under_furnace"]},
    "installations": [
        {
            "id": f"{number}号转炉",
            "kind": "steelmaking_furnace",
            "facts": {
                "steelmaking_furnace.water_cooled_elements": True,
                "steelmaking_furnace.outlet_temp_alarm": "working",
                "steelmaking_furnace.flow_diff_alarm": alarm,
                "steelmaking_furnace.cooling_alarm_interlock": "working",
            },
        }
        for number, alarm in ((1, "failed"), (2, "working"))
    ],
}
UNREAD_VALUE = {
    "id": "T-3",
    "sector": "机械",
    "facts": {"molten_metal.wet_areas": ["slag_pit_under_furnace"]},
}
NOT_ENCODED = {
    "id": "C-9",
    "sector": "chemical",
    "observed_on": "2026-11-20",
    "facts": {"enterprise.hazchem_unit": True, "management.principal_assessed": False},
}
TABLE_FINDINGS = [TWO_FURNACES, UNREAD_VALUE, NOT_ENCODED]


def _cells(line: str, spans: list[tuple[int, int | None]]) -> list[str]:
    """Cut a table line at terminal-cell offsets (a CJK character is two cells)."""
    from hazardrules.interfaces.table import width

    cells, column, current, used = [], 0, [], 0
    for char in line:
        end = spans[column][1]
        if end is not None and used >= end + 2 and column + 1 < len(spans):
            cells.append("".join(current).strip())
            current, column = [], column + 1
        current.append(char)
        used += width(char)
    cells.append("".join(current).strip())
    return cells + [""] * (len(spans) - len(cells))


def _table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[list[str], list[dict[str, str]]]:
    file = tmp_path / "f.jsonl"
    file.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in TABLE_FINDINGS), "utf-8")
    code, out, _ = run(capsys, "classify", str(file), "--format", "table")
    assert code == 0
    header, rule, *rows = out.splitlines()
    spans: list[tuple[int, int | None]] = []
    offset = 0
    for dashes in rule.split("  "):
        spans.append((offset, offset + len(dashes)))
        offset += len(dashes) + 2
    spans[-1] = (spans[-1][0], None)
    titles = _cells(header, spans)
    return titles, [dict(zip(titles, _cells(row, spans), strict=True)) for row in rows]


def test_table_headers_are_chinese(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    titles, _ = _table(capsys, tmp_path)
    assert titles == [
        "检查发现",
        "结论",
        "成立的条款（装置）",
        "同时引用",
        "已排除",
        "仍需",
        "警告（代码：说明）",
    ]


def test_table_shows_every_part_of_each_verdict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Each column against the JSON verdict of the same finding: dropping any column fails here."""
    _, rows = _table(capsys, tmp_path)
    verdicts = [hazardrules.classify(f) for f in TABLE_FINDINGS]
    assert [row["检查发现"] for row in rows] == [v.finding_id for v in verdicts]
    assert [row["结论"].split("（")[0] for row in rows] == [v.status for v in verdicts]
    furnaces, unread, not_encoded = zip(rows, verdicts, strict=True)
    # The rules that hold, each with the installation it holds for (and only that one).
    row, verdict = furnaces
    for hit in verdict.hits:
        assert hit.citation.label in row["成立的条款（装置）"]
    held_for = [h.installation.id for h in verdict.hits if h.installation is not None]
    assert held_for == ["1号转炉"] and "［1号转炉］" in row["成立的条款（装置）"]
    assert "2号转炉" not in row["成立的条款（装置）"]
    cited = {c.citation.label for h in verdict.hits for c in h.also_cites}
    assert cited == {"第十四条"} and row["同时引用"] == "gm-2023 第十四条"
    assert row["仍需"].startswith(f"{len(verdict.missing_facts)} 项：{verdict.missing_facts[0]}")
    # The number of rules examined and cleared, and each warning with its code and Chinese message.
    row, verdict = unread
    assert verdict.cleared and row["已排除"] == str(len({c.rule for c in verdict.cleared}))
    (warning,) = verdict.warnings
    assert row["警告（代码：说明）"] == f"{warning.code}：{warning.message}"
    assert warning.code == "value_not_read" and "炉下渣坑" in row["警告（代码：说明）"]
    # A standard that governs but is not encoded is what is still needed.
    row, verdict = not_encoded
    assert verdict.gaps and row["仍需"] == "另行判定：AQ 3067—2026"
    assert rows[0]["已排除"] == "0" and rows[0]["警告（代码：说明）"] == "-"


def test_table_error_row_names_the_code(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "f.jsonl"
    file.write_text(json.dumps(BAD) + "\n", "utf-8")
    code, out, _ = run(capsys, "classify", str(file), "--format", "table")
    assert code == 1
    assert out.splitlines()[2].split()[:3] == ["b", "error（错误）", "unknown_fact：unknown"]


def test_text_shows_hits_questions_cleared_gaps_and_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = tmp_path / "f.jsonl"
    file.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in TABLE_FINDINGS), "utf-8")
    code, out, _ = run(capsys, "classify", str(file), "--format", "text")
    assert code == 0
    furnaces, unread, not_encoded = out.split("\n\n")
    pack = hazardrules.load_pack()
    verdict = hazardrules.classify(TWO_FURNACES)
    assert "结论：major（构成重大事故隐患）" in furnaces
    assert "gm-2023 第四条第（四）项［炼钢炉 1号转炉］：转炉、电弧炉" in furnaces
    assert "同时引用：gm-2023 第十四条：本标准所列情形中" in furnaces
    for name in verdict.missing_facts:
        assert f"  - {name}：{pack.facts[name].question}" in furnaces
    assert "警告：无" in furnaces
    cleared = hazardrules.classify(UNREAD_VALUE).cleared
    assert f"已排除的条款：{len(cleared)} 条\n  gm-2023 第七条第（三）项：" in unread
    (warning,) = hazardrules.classify(UNREAD_VALUE).warnings
    assert f"警告：\n  {warning.code}：{warning.message}" in unread
    assert "未能适用的标准（缺口）：\n  standard_not_encoded：该行业当日适用" in not_encoded
    assert "仅供参考（已不再施行的标准）：\n  superseded_reference：" in not_encoded


def test_text_error_names_the_code_and_its_meaning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "f.jsonl"
    file.write_text(json.dumps(BAD) + "\n", "utf-8")
    code, out, _ = run(capsys, "classify", str(file), "--format", "text")
    assert code == 1
    assert out.splitlines() == [
        "检查发现 b（第 1 行）",
        "结论：error（错误），未判定",
        "  unknown_fact（未知的事实名称。）：unknown fact 'contractor.presnt' "
        "(did you mean 'contractor.present'?)",
    ]
