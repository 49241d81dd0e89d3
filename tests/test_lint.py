"""``lint`` passes on the shipped pack and names file, rule and problem on broken copies."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

import hazardrules
from hazardrules.interfaces.cli import main
from hazardrules.pack.format import ProvisionSpec, RuleSpec
from hazardrules.pack.sources import load_source

GM = "standards/gm-2023.yaml"


def edit(root: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    file = root / name
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rule_id)


def messages(report: hazardrules.interfaces.lint.LintReport) -> list[str]:  # type: ignore[name-defined]
    return [str(p) for p in report.errors]


def test_shipped_pack_is_clean(sources_dir: Path) -> None:
    report = hazardrules.lint(sources=sources_dir)
    assert report.errors == []
    assert report.rules == len(hazardrules.load_pack().rules())
    assert report.texts_checked >= report.rules


def test_missing_sources_directory_is_an_error(pack_copy: Path, tmp_path: Path) -> None:
    report = hazardrules.lint(pack_copy, sources=tmp_path / "nowhere")
    assert any("does not exist" in str(p) for p in report.errors)


BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "unknown fact",
        lambda d: rule(d, "gm-2023:3.1").update(condition="contractor.presnt and not contractor.coordinated"),
        "gm-2023:3.1: condition: unknown fact 'contractor.presnt' (did you mean 'contractor.present'?)",
    ),
    (
        "type error",
        lambda d: rule(d, "gm-2023:3.2").update(condition="special_worker.uncertified_on_duty > 3"),
        "gm-2023:3.2: condition: '>' compares numbers, but special_worker.uncertified_on_duty is a boolean",
    ),
    (
        "duplicate id",
        lambda d: rule(d, "gm-2023:3.2").update(id="gm-2023:3.1"),
        "gm-2023:3.1: duplicate rule id",
    ),
    (
        "path missing from source",
        lambda d: rule(d, "gm-2023:3.3").update(id="gm-2023:3.9", label="第三条第（九）项"),
        "gm-2023:3.9: path 3.9 does not exist in the official source",
    ),
    (
        "text differs",
        lambda d: rule(d, "gm-2023:3.2").update(text="特种作业人员未持证上岗的"),
        "gm-2023:3.2: text differs from the official source",
    ),
    (
        "wrong example",
        lambda d: rule(d, "gm-2023:3.2")["examples"][0].update(expect="does_not_hold"),
        "gm-2023:3.2: example 1 (does_not_hold): the rule comes out 'holds'",
    ),
    (
        "label does not match path",
        lambda d: rule(d, "gm-2023:3.1").update(label="第三条第（二）项"),
        "gm-2023:3.1: label '第三条第（二）项' reads as path 3.2, not 3.1",
    ),
    (
        "derivation cycle",
        lambda d: d.setdefault("derivations", []).extend(
            [
                {
                    "id": "gm-2023:a",
                    "derives": "contractor.coordinated",
                    "value": False,
                    "when": "not contractor.inspected_regularly",
                    "basis": "test",
                },
                {
                    "id": "gm-2023:b",
                    "derives": "contractor.inspected_regularly",
                    "value": False,
                    "when": "not contractor.coordinated",
                    "basis": "test",
                },
            ]
        ),
        "derivation cycle: contractor.coordinated → contractor.inspected_regularly → contractor.coordinated",
    ),
    (
        "unverified source marked verified",
        lambda d: rule(d, "gm-2023:3.3").update(text_status="unverified"),
        "gm-2023:3.3: the source has verified this text",
    ),
    (
        "unknown field",
        lambda d: rule(d, "gm-2023:3.1").update(conditon="x"),
        "gm-2023:3.1: conditon: Extra inputs are not permitted",
    ),
    (
        "missing kind of example",
        lambda d: rule(d, "gm-2023:3.2").update(examples=rule(d, "gm-2023:3.2")["examples"][:2]),
        "gm-2023:3.2: needs an example that comes out 'undetermined'",
    ),
]


@pytest.mark.parametrize(("name", "change", "expected"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_broken_copy_is_reported(
    pack_copy: Path, sources_dir: Path, name: str, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    edit(pack_copy, GM, change)
    report = hazardrules.lint(pack_copy, sources=sources_dir)
    assert not report.ok
    assert any(m.startswith(GM) and expected in m for m in messages(report)), messages(report)


def test_all_problems_are_reported_in_one_run(pack_copy: Path, sources_dir: Path) -> None:
    chosen = [BREAKAGES[i] for i in (0, 1, 4, 6, 7)]  # independent of one another

    def break_everything(data: dict[str, Any]) -> None:
        for _, change, _ in chosen:
            change(data)

    edit(pack_copy, GM, break_everything)
    found = messages(hazardrules.lint(pack_copy, sources=sources_dir))
    for _, _, expected in chosen:
        assert any(expected in m for m in found), (expected, found)


def test_malformed_yaml_names_the_file(pack_copy: Path) -> None:
    (pack_copy / "facts" / "broken.yaml").write_text("facts:\n  a.b: [unclosed\n", encoding="utf-8")
    report = hazardrules.lint(pack_copy)
    assert any(p.file == "facts/broken.yaml" and "invalid YAML" in p.message for p in report.errors)


def test_python_tags_are_refused_not_run(pack_copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"!!python/object/apply:os.system ['touch {marker}']\n"
    (pack_copy / "facts" / "evil.yaml").write_text(f"facts: {payload}", encoding="utf-8")
    report = hazardrules.lint(pack_copy)
    assert not report.ok
    assert not marker.exists()


def test_condition_cannot_run_code(pack_copy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = f"__import__('os').system('touch {marker}')"
    edit(pack_copy, GM, lambda d: rule(d, "gm-2023:3.2").update(condition=evil))
    report = hazardrules.lint(pack_copy)
    assert any("gm-2023:3.2: condition:" in m for m in messages(report))
    assert not marker.exists()


def test_duplicate_yaml_keys_are_errors(pack_copy: Path) -> None:
    (pack_copy / "facts" / "dup.yaml").write_text(
        "facts:\n  x.a: {type: bool, label: a, question: a}\n  x.a: {type: bool, label: b, question: b}\n",
        encoding="utf-8",
    )
    report = hazardrules.lint(pack_copy)
    assert any("duplicate key 'x.a'" in str(p) for p in report.errors)


def test_load_pack_raises_with_every_problem(pack_copy: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        rule(data, "gm-2023:3.1").update(condition="nope.fact")
        rule(data, "gm-2023:3.2").update(condition="(")

    edit(pack_copy, GM, change)
    with pytest.raises(hazardrules.PackError) as caught:
        hazardrules.load_pack(pack_copy)
    text = str(caught.value)
    assert "gm-2023:3.1" in text and "gm-2023:3.2" in text and GM in text


def test_cli_lint_exit_codes(pack_copy: Path, sources_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(pack_copy), "--sources", str(sources_dir)]) == 0
    edit(pack_copy, GM, BREAKAGES[0][1])
    assert main(["lint", str(pack_copy), "--sources", str(sources_dir)]) == 1
    out = capsys.readouterr().out
    assert "unknown fact 'contractor.presnt'" in out


def test_lint_reads_the_packs_own_texts(pack_copy: Path) -> None:
    report = hazardrules.lint(pack_copy)
    assert report.ok, messages(report)
    assert report.sources == str(pack_copy / "sources")
    assert report.texts_checked >= report.rules


def test_lint_without_texts_fails(pack_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(pack_copy / "sources")
    report = hazardrules.lint(pack_copy)
    assert any("no official texts" in m for m in messages(report))
    assert main(["lint", str(pack_copy)]) == 1
    assert "0 texts checked" in capsys.readouterr().out


def test_lint_that_checked_no_text_fails(pack_copy: Path, tmp_path: Path) -> None:
    empty = tmp_path / "texts"
    empty.mkdir()
    report = hazardrules.lint(pack_copy, sources=empty)
    assert report.texts_checked == 0
    assert any("no rule text was checked" in m for m in messages(report))


def add_evidence(url: str | None, how: str) -> Callable[[dict[str, Any]], None]:
    entry = {"how": how} if url is None else {"url": url, "how": how}
    return lambda d: rule(d, "gm-2023:3.1")["evidence"].append(entry)


EVIDENCE_BREAKAGES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "mirror passed off as official",
        add_evidence("http://anzhuopai.com/x.html", "official_page"),
        "gm-2023:3.1: evidence http://anzhuopai.com/x.html is marked official_page but is not on a",
    ),
    (
        "government page marked as mirror",
        add_evidence("https://www.mem.gov.cn/a.html", "mirror"),
        "gm-2023:3.1: evidence https://www.mem.gov.cn/a.html is on a government site",
    ),
    (
        "verified without evidence",
        lambda d: rule(d, "gm-2023:3.2").update(evidence=[]),
        "gm-2023:3.2: a verified text needs evidence and verified_on",
    ),
    (
        "publication differs from the source",
        lambda d: d["standard"]["official_publication"].update(url="https://example.com/gm"),
        "gm-2023: official_publication.url 'https://example.com/gm' differs from the source's",
    ),
    (
        "publication claimed as seen",
        lambda d: d["standard"]["official_publication"].update(seen=True),
        "gm-2023: official_publication.seen is true but the source has not seen it",
    ),
    ("evidence without url or ref", add_evidence(None, "mirror"), "evidence needs either 'url' or 'ref'"),
]


@pytest.mark.parametrize(
    ("name", "change", "expected"), EVIDENCE_BREAKAGES, ids=[b[0] for b in EVIDENCE_BREAKAGES]
)
def test_evidence_problems_are_reported(
    pack_copy: Path, name: str, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    edit(pack_copy, GM, change)
    report = hazardrules.lint(pack_copy)
    assert not report.ok
    assert any(expected in m for m in messages(report)), messages(report)


def test_no_mirror_is_marked_official_in_the_shipped_pack(pack: hazardrules.Pack, sources_dir: Path) -> None:
    for standard in pack.standards.values():
        # a standard cites its official publication whenever the official texts know it; where they know
        # none (road-2023, fishing-2022) it cites none, or a government page (never a mirror)
        source = load_source(sources_dir, standard.slug, standard.meta.document_number)
        known = source is not None and source.publication is not None and source.publication.url
        ours = standard.meta.official_publication
        if known:
            assert ours is not None, standard.slug
        elif ours is not None:
            assert (urlsplit(ours.url).hostname or "").endswith("gov.cn"), standard.slug
        items: list[RuleSpec | ProvisionSpec] = [*standard.parsed_rules, *standard.provisions.values()]
        for item in items:
            for entry in item.evidence:
                host = (urlsplit(entry.url).hostname or "") if entry.url else ""
                assert (entry.how in ("official_page", "government_page")) == host.endswith("gov.cn"), entry


# -- aggregation instructions: each installation answers for itself -----------------------------------
@pytest.mark.parametrize(
    ("file", "change", "item", "wording"),
    [
        (
            "facts/fireworks.yaml",
            lambda d: d["facts"]["fireworks.external_distance_m"].update(
                question="该工（库）房与最近的外部目标之间的实际距离是多少米？"
            ),
            "fireworks.external_distance_m",
            "最近的",
        ),
        (
            "facts/fireworks.yaml",
            lambda d: d["facts"]["fireworks.building_workers"].update(
                notes="对整个现场，任一工（库）房超员即为是。"
            ),
            "fireworks.building_workers",
            "整个现场",
        ),
        (
            "facts/fireworks.yaml",
            lambda d: d["installations"]["fireworks_building"].update(
                examples="有多栋的，按最不利的一栋回答"
            ),
            "installation kind fireworks_building",
            "最不利",
        ),
        (
            GM,
            lambda d: rule(d, "gm-2023:11.3")["notes"].append(
                {"text": "企业有多套干式除尘系统的，按最差的一套作答。"}
            ),
            "gm-2023:11.3",
            "最差",
        ),
        (
            GM,
            lambda d: rule(d, "gm-2023:6.6")["notes"].append(
                {"text": "一个装置事实覆盖全部场所，任一场所未设置即回答“未设置”。"}
            ),
            "gm-2023:6.6",
            "覆盖全部",
        ),
        (
            "standards/hc-2017.yaml",
            lambda d: rule(d, "hc-2017:10")["notes"].append(
                {"text": "未经正规设计的装置是否都已诊断，按全厂回答。"}
            ),
            "hc-2017:10",
            "是否都已",
        ),
    ],
)
def test_an_aggregation_instruction_about_installations_is_an_error(
    pack_copy: Path, file: str, change: Callable[[dict[str, Any]], None], item: str, wording: str
) -> None:
    edit(pack_copy, file, change)
    report = hazardrules.lint(pack_copy)
    found = [p for p in report.errors if "answer for several installations at once" in p.message]
    assert [(p.item, wording in p.message) for p in found] == [(item, True)]


def test_aggregation_wording_about_the_enterprise_or_one_installations_parts_is_allowed(
    pack_copy: Path,
) -> None:
    # An enterprise fact may sum up the site; a question may list one installation's own parts.
    def change(data: dict[str, Any]) -> None:
        data["facts"]["fireworks.building_workers"]["notes"] = (
            "该工（库）房内任一岗位超员，按本栋合计人数回答。"
        )

    edit(pack_copy, "facts/fireworks.yaml", change)
    report = hazardrules.lint(pack_copy)
    assert not [p for p in report.errors if "several installations" in p.message]
    # toxic_gas.fixed_alarms is a fact of the enterprise (gm-2023 第五条（十一）'s places are not
    # installations, see its note): it sums up the site, and that is allowed.
    enterprise_fact = hazardrules.load_pack(pack_copy).facts["toxic_gas.fixed_alarms"]
    assert enterprise_fact.installation is None and "有任何一处" in enterprise_fact.question


@pytest.mark.parametrize(
    "cited", ["../shared/sources/hc-2017.yaml", "shared/sources/gm-2023.yaml", "见共享来源"]
)
def test_a_note_citing_a_collection_outside_the_pack_is_an_error(pack_copy: Path, cited: str) -> None:
    """Auditors read the pack's notes; they have the pack's own official texts, not the project's
    development collection beside it."""
    edit(
        pack_copy,
        "standards/hc-2017.yaml",
        lambda d: rule(d, "hc-2017:10")["notes"].append({"text": f"依据：{cited}"}),
    )
    report = hazardrules.lint(pack_copy)
    found = [p for p in report.errors if "no user or auditor has" in p.message]
    assert len(found) == 1 and found[0].file.endswith("hc-2017.yaml") and found[0].item.startswith("line ")
