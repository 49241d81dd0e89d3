"""The JSON Schemas and the OpenAPI document generated from the pack: valid documents, a finding
schema that knows every fact, and agreement with classify() — what the schema accepts, classify
accepts, what it refuses, classify refuses — and every real output validates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import hazardrules
from hazardrules.interfaces.cli import main
from hazardrules.interfaces.schema import DIALECT, KINDS, documents, openapi, schema
from hazardrules.interfaces.wire_vocabulary import sector_facts, vocabulary
from hazardrules.verdict.codes import codes

from ._examples import all_examples

EXAMPLES = all_examples()
TYPE_CODES = {"wrong_type", "unknown_fact", "out_of_range", "invalid"}


@pytest.fixture(scope="module")
def docs(pack: hazardrules.Pack) -> dict[str, Any]:
    return documents(pack)


def validator(document: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_every_document_is_2020_12_with_its_own_id(pack: hazardrules.Pack, docs: dict[str, Any]) -> None:
    ids = []
    for name, document in docs.items():
        if name == "openapi.json":
            continue
        Draft202012Validator.check_schema(document)
        assert document["$schema"] == DIALECT, name
        ids.append(document["$id"])
    assert len(ids) == len(set(ids)) == len(docs) - 1
    digest = pack.digest.removeprefix("sha256:")[:16]
    assert all(digest in i for i in ids if ":pack-file:" not in i)
    assert {f"{k}.schema.json" for k in KINDS} <= set(docs)


def test_openapi_document_is_valid_and_every_ref_resolves(pack: hazardrules.Pack) -> None:
    from openapi_spec_validator import validate

    document = openapi(pack)
    validate(document)
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert len(refs) > 100
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in document["components"]["schemas"], ref
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    expected = {"classify", "classifyStream", "checklist", "listRules", "showRule", "facts", "suggest"}
    assert operations >= expected | {"health", "version"}


def test_the_finding_schema_knows_every_fact(pack: hazardrules.Pack, docs: dict[str, Any]) -> None:
    finding = docs["finding.schema.json"]
    defs = finding["$defs"]
    assert set(finding["properties"]["facts"]["properties"]) == set(pack.facts)
    json_type = {
        "bool": "boolean",
        "number": "number",
        "integer": "integer",
        "enum": "string",
        "set": "array",
    }
    for name, spec in pack.facts.items():
        fact = defs[f"Fact.{name}"]
        assert fact["type"] == json_type[spec.type], name
        assert fact["title"] == spec.label and fact["description"].startswith(spec.question)
        choice = fact["items"] if spec.type == "set" else fact
        if spec.values:
            assert choice["enum"] == list(spec.values)
            assert choice["x-enum-descriptions"] == list(spec.values.values())
        if spec.unit:
            assert fact["x-unit"] == spec.unit and spec.unit in fact["description"]
        if spec.minimum is not None:
            assert fact["minimum"] == spec.minimum
        for kind in pack.installation_kinds:  # a kind answers its own facts and its broader kinds'
            answers = name in defs[f"Installation.{kind}"]["properties"]["facts"]["properties"]
            assert answers == (spec.installation in pack.kind_lineage(kind)), (kind, name)
    kinds = [v["$ref"].rsplit(".", 1)[1] for v in defs["Installation"]["oneOf"]]
    assert kinds == list(pack.installation_kinds)
    assert all(defs[f"Installation.{k}"]["properties"]["kind"] == {"const": k} for k in kinds)
    assert defs["SectorSlug"]["enum"] == list(pack.sectors)


def test_every_rule_example_and_verdict_validates(docs: dict[str, Any]) -> None:
    findings = validator(docs["finding.schema.json"])
    verdicts = validator(docs["verdict.schema.json"])
    by_sector: dict[str, Draft202012Validator] = {}
    pack = hazardrules.load_pack()
    for number, (_, _, finding, _) in enumerate(EXAMPLES):
        findings.validate(finding)
        sector = finding["sector"]
        if sector not in by_sector:
            by_sector[sector] = validator(schema(pack, "finding", sector))
        if not by_sector[sector].is_valid(finding):  # a sector's schema refuses only unread facts
            unread = {f for w in hazardrules.classify(finding, complete=True).warnings for f in w.facts}
            allowed = set(sector_facts(pack, sector))
            given = {*finding["facts"], *(f for i in finding.get("installations", []) for f in i["facts"])}
            assert given - allowed and given - allowed <= unread, finding
        # The verdicts of every 20th example, and a whole-site verdict of every 200th: jsonschema checks
        # each fact name against the enum of the whole vocabulary one by one (about 30 ms a verdict).
        if number % 20:
            continue
        for complete in (False, True) if number % 200 == 0 else (False,):
            try:
                verdict = hazardrules.classify(finding, complete=complete)
            except hazardrules.FindingError as exc:  # an example that gives no facts at all
                assert not complete and [p.code for p in exc.problems] == ["no_facts"]
                continue
            verdicts.validate(json.loads(verdict.model_dump_json()))


def _first(spec: Any) -> str:
    return next(iter(spec.values))


def _bad_findings(pack: hazardrules.Pack) -> list[tuple[dict[str, Any], str]]:
    by_type = {
        t: next(n for n, f in pack.facts.items() if f.type == t and not f.installation)
        for t in ("bool", "enum", "set")
    }
    counted = next(n for n, f in pack.facts.items() if f.type == "integer" and f.minimum == 0)
    kind, kind_fact = next((f.installation, n) for n, f in pack.facts.items() if f.installation)
    other_kind = next(k for k in pack.installation_kinds if kind not in pack.kind_lineage(k))
    base = {"sector": "metallurgy", "observed_on": "2024-03-01"}
    return [
        ({**base, "facts": {"contractor.presnt": True}}, "unknown_fact"),
        ({**base, "facts": {by_type["bool"]: "yes"}}, "wrong_type"),
        ({**base, "facts": {by_type["enum"]: "no_such_value"}}, "wrong_type"),
        ({**base, "facts": {by_type["set"]: ["no_such_value"]}}, "wrong_type"),
        ({**base, "facts": {by_type["set"]: _first(pack.facts[by_type["set"]])}}, "wrong_type"),
        ({**base, "facts": {counted: -1}}, "out_of_range"),
        ({**base, "facts": {counted: 2**60}}, "out_of_range"),
        ({**base, "facts": {by_type["bool"]: True}, "inspector": "x"}, "invalid"),
        ({"facts": {by_type["bool"]: True}}, "invalid"),
        ({**base, "observed_on": "2024-3-1", "facts": {by_type["bool"]: True}}, "invalid_date"),
        ({**base, "installations": [{"id": "1", "kind": "no_such_kind"}]}, "unknown_installation_kind"),
        (
            {**base, "installations": [{"id": "1", "kind": other_kind, "facts": {kind_fact: True}}]},
            "misplaced_fact",
        ),
    ]


def test_invalid_findings_fail_the_schema_and_classify_alike(
    pack: hazardrules.Pack, docs: dict[str, Any]
) -> None:
    findings = validator(docs["finding.schema.json"])
    errors = validator(docs["error.schema.json"])
    cases = _bad_findings(pack)
    for finding, code in cases:
        assert not findings.is_valid(finding), finding
        with pytest.raises(hazardrules.FindingError) as caught:
            hazardrules.classify(finding)
        assert code in {p.code for p in caught.value.problems}, (finding, caught.value)
        errors.validate(caught.value.to_dict())


_NAMES = sorted(hazardrules.load_pack().facts)
_VALUES = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer()),
    st.sampled_from(sorted({v for f in hazardrules.load_pack().facts.values() for v in f.values or {}})),
    st.text(max_size=5),
    st.lists(st.sampled_from(["grade1", "absent", "x"]), max_size=3),
    st.none(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    facts=st.dictionaries(
        st.one_of(st.sampled_from(_NAMES), st.just("no.such_fact")), _VALUES, min_size=1, max_size=3
    )
)
def test_schema_and_classify_agree_on_fact_values(facts: dict[str, Any], docs: dict[str, Any]) -> None:
    finding = {"sector": "metallurgy", "observed_on": "2024-03-01", "facts": facts}
    valid = validator(docs["finding.schema.json"]).is_valid(finding)
    try:
        hazardrules.classify(finding)
        refused = False
    except hazardrules.FindingError as exc:
        refused = bool({p.code for p in exc.problems} & TYPE_CODES)
    assert valid != refused, (finding, valid)


DAYS = [
    dt.date(2018, 1, 1),
    dt.date(2021, 1, 1),
    dt.date(2023, 6, 1),
    dt.date(2024, 6, 1),
    dt.date(2026, 6, 1),
]


def _value(spec: Any) -> Any:
    first = next(iter(spec.values or {"-": ""}))
    return {"bool": True, "number": 1, "integer": 1, "enum": first, "set": [first]}[spec.type]


def _unread(sector: str, day: dt.date, facts: dict[str, Any]) -> set[str] | None:
    """The given facts the verdict warns about as fact_not_read; None without a standard in force."""
    try:
        verdict = hazardrules.classify({"sector": sector, "facts": facts}, on=day)
    except hazardrules.FindingError as exc:
        if [p.code for p in exc.problems] == ["no_standard"]:
            return None
        raise
    if not verdict.standards:  # without a standard in force nothing is read, nothing warned
        return None
    return {f for w in verdict.warnings if w.code == "fact_not_read" for f in w.facts}


def test_a_sector_schema_never_refuses_a_fact_its_rules_read(pack: hazardrules.Pack) -> None:
    """Every fact a sector's schema leaves out is warned about as not read, given alone or with all
    the others left out (more facts can route a deferred matter to another standard's rules)."""
    checked = 0
    for sector in pack.sectors:
        allowed = set(sector_facts(pack, sector))
        facts = schema(pack, "finding", sector)["properties"]["facts"]["properties"]
        assert set(facts) == allowed
        left_out = {name: _value(spec) for name, spec in pack.facts.items() if name not in allowed}
        for day in DAYS:
            try:
                unread = _unread(sector, day, left_out)
            except hazardrules.FindingError:  # the values contradict one another: one fact at a time
                unread = set()
                for name, value in left_out.items():
                    try:
                        alone = _unread(sector, day, {name: value})
                    except hazardrules.FindingError:
                        alone = {name}
                    unread |= {name} if alone is None else alone
            if unread is None:
                continue
            checked += len(left_out)
            assert set(left_out) <= unread, (sector, day, sorted(set(left_out) - unread)[:5])
    assert checked > 1000


def test_sector_schemas_accept_only_their_sector(pack: hazardrules.Pack) -> None:
    document = validator(schema(pack, "finding", "冶金"))
    fact = next(iter(sector_facts(pack, "metallurgy")))
    for sector in ("metallurgy", "冶金"):
        assert document.is_valid({"sector": sector, "facts": {fact: _value(pack.facts[fact])}})
    assert not document.is_valid({"sector": "chemical", "facts": {fact: _value(pack.facts[fact])}})
    assert schema(pack, "finding", "冶金")["$id"].endswith(":finding:metallurgy")


def test_checklists_vocabularies_and_suggestions_validate(
    pack: hazardrules.Pack, docs: dict[str, Any]
) -> None:
    checklists = validator(docs["checklist.schema.json"])
    facts = validator(docs["facts.schema.json"])
    validated = 0
    for sector in pack.sectors:
        for standard in pack.standards_for(sector):  # a day each of the sector's standards is in force
            day = standard.meta.effective or standard.meta.published or dt.date(2024, 1, 1)
            try:
                sheet = hazardrules.checklist(sector, on=day)
            except hazardrules.FindingError:  # not in force for the sector that day after all
                continue
            checklists.validate(json.loads(sheet.model_dump_json()))
            validated += 1
        facts.validate(json.loads(vocabulary(pack, sector).model_dump_json()))
    facts.validate(json.loads(vocabulary(pack).model_dump_json()))
    assert validated >= len([s for s in pack.sectors if pack.standards_for(s)])
    suggestions = validator(docs["suggestions.schema.json"])
    for text, sector in [("动火作业人员无焊工证", "冶金"), ("粉尘爆炸危险场所未设置泄爆装置", None)]:
        found = hazardrules.suggest(text, sector=sector, k=3)
        assert found.candidates
        suggestions.validate(json.loads(found.model_dump_json()))


def test_batch_output_lines_validate_as_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], docs: dict[str, Any]
) -> None:
    lines = [json.dumps(f, ensure_ascii=False) for _, _, f, _ in EXAMPLES[:30]]
    lines += ['{"sector": "metallurgy", "facts": {"x.y": 1}}', "not json", '{"a": 1, "a": 2}']
    path = tmp_path / "findings.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["classify", str(path)]) == 1
    records = validator(docs["record.schema.json"])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == len(lines)
    for record in out:
        records.validate(record)
    assert [r["error"]["problems"][0]["code"] for r in out[-3:]] == [
        "unknown_fact",
        "malformed_json",
        "duplicate_key",
    ]


def test_codes_in_the_schemas_are_the_registry(docs: dict[str, Any]) -> None:
    verdict = docs["verdict.schema.json"]["$defs"]
    assert verdict["Warning"]["properties"]["code"]["enum"] == [c.code for c in codes("warnings")]
    assert verdict["Note"]["properties"]["code"]["enum"] == [c.code for c in codes("notes")]
    problem = docs["error.schema.json"]["$defs"]["Problem"]["properties"]["code"]["enum"]
    assert problem == [c.code for c in codes("error")] + [c.code for c in codes("request")]


def test_cli_schema_prints_and_writes_the_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pack: hazardrules.Pack
) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    expected = documents(pack)
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")}
    assert written == set(expected)
    for name, document in expected.items():
        assert json.loads((tmp_path / name).read_text(encoding="utf-8")) == document
    assert main(["schema", "--kind", "finding", "--sector", "冶金"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == schema(pack, "finding", "metallurgy")
    assert main(["schema", "verdict"]) == 0
    assert json.loads(capsys.readouterr().out)["$id"] == expected["verdict.schema.json"]["$id"]
    assert main(["schema", "--kind", "verdict", "--sector", "冶金"]) == 2
    assert "--sector" in capsys.readouterr().err


def test_the_site_publishes_the_documents(site: Path, docs: dict[str, Any]) -> None:
    for name, document in docs.items():
        published = site / "schemas" / name
        assert json.loads(published.read_text(encoding="utf-8")) == document, name
    page = (site / "json-shapes.html").read_text(encoding="utf-8")
    assert 'href="schemas/finding.schema.json"' in page and 'href="schemas/openapi.json"' in page
    codes_page = (site / "_generated" / "codes.html").read_text(encoding="utf-8")
    assert all(code.code in codes_page for code in codes())


def test_the_command_line_knows_every_kind() -> None:
    from hazardrules.interfaces import commands

    assert commands._KINDS == KINDS


def test_a_site_run_as_several_sectors(pack: hazardrules.Pack, docs: dict[str, Any]) -> None:
    finding = {
        "id": "F-002",
        "sector": ["metal_mine_underground", "tailings_pond"],
        "observed_on": "2025-06-01",
        "facts": {
            "underground.hydrogeology_type": "complex",
            "underground.key_watertight_doors_per_design": False,
        },
        "installations": [
            {
                "id": "1号尾矿库",
                "kind": "tailings_pond",
                "facts": {"tailings.phreatic_depth_m": 5, "tailings.control_phreatic_depth_m": 6},
            }
        ],
    }
    validator(docs["finding.schema.json"]).validate(finding)
    both = schema(pack, "finding", "metal_mine_underground,尾矿库")
    assert both["$id"].endswith(":finding:metal_mine_underground+tailings_pond")
    validator(both).validate(finding)
    assert not validator(schema(pack, "finding", "metal_mine_underground")).is_valid(finding)
    assert not validator(docs["finding.schema.json"]).is_valid({**finding, "sector": []})
    verdict = json.loads(hazardrules.classify(finding).model_dump_json())
    assert verdict["sectors"] == ["metal_mine_underground", "tailings_pond"]
    validator(docs["verdict.schema.json"]).validate(verdict)
