"""A rule pack is data from other people: each hostile or careless pack gives a PackError naming the
file, the rule and the problem — never a crash, a hang, or code run — and lint and ``rules show``
report it the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import hazardrules
from hazardrules import PackError
from hazardrules.interfaces.cli import main
from hazardrules.lang.parser import MAX_DEPTH, MAX_LENGTH
from hazardrules.pack.loader import MAX_FILE_BYTES
from hazardrules.pack.safe_yaml import MAX_VALUES

GM = "standards/gm-2023.yaml"
EVIL = "standards/evil.yaml"


def edit_rule(rule_id: str, **changes: Any) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / GM
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        next(r for r in data["rules"] if r["id"] == rule_id).update(changes)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    return change


def evil_rule(extra: str, head: str = "") -> Callable[[Path], None]:
    """A standard file whose rule ``evil:1`` carries ``extra`` (YAML lines, indented under it)."""

    def change(root: Path) -> None:
        text = head + "rules:\n  - id: evil:1\n    label: 第一条\n    condition: contractor.present\n" + extra
        (root / EVIL).write_text(text, encoding="utf-8")

    return change


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """10⁹ values from ten lines: each level lists the previous one ten times."""
    lines = ["    bomb:", "      l0: &l0 [" + ", ".join(["x"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"      l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def write(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda root: (root / name).write_bytes(data)


SUM_400 = " + ".join(["blast_furnace.top_pressure_setpoint_kpa"] * 400) + " > 1"
HOSTILE: list[tuple[str, Callable[[Path], None], str, str | None, str]] = [
    ("alias bomb in a rule", evil_rule(alias_bomb()), EVIL, "evil:1", f"more than {MAX_VALUES:,} values"),
    ("alias cycle", evil_rule("    loop: &a [*a]\n"), EVIL, "evil:1", "refers to a node that contains it"),
    ("deep YAML", evil_rule("    deep: " + "[" * 100 + "]" * 100 + "\n"), EVIL, "evil:1", "levels deep"),
    (
        "5,000-digit integer",
        evil_rule("    n: " + "9" * 5000 + "\n"),
        EVIL,
        "evil:1",
        "longer than 30 digits",
    ),
    (
        "python tag",
        evil_rule("    x: !!python/object/apply:os.system ['true']\n"),
        EVIL,
        None,
        "invalid YAML",
    ),
    ("duplicate key", evil_rule("    condition: contractor.coordinated\n"), EVIL, None, "duplicate key"),
    (
        "not UTF-8",
        write(EVIL, "rules:\n  - id: evil:1\n    label: 第一条\n".encode("gb18030")),
        EVIL,
        None,
        "not UTF-8",
    ),
    ("huge file", write(EVIL, b"# " + b"x" * MAX_FILE_BYTES + b"\n"), EVIL, None, "larger than"),
    ("400-term sum", edit_rule("gm-2023:4.5", condition=SUM_400), GM, "gm-2023:4.5", "nested more than"),
    (
        "division by zero",
        edit_rule("gm-2023:4.5", condition="blast_furnace.top_pressure_setpoint_kpa / 0 > 1"),
        GM,
        "gm-2023:4.5",
        "division by zero",
    ),
    (
        "deep parentheses",
        edit_rule("gm-2023:3.1", condition="(" * 200 + "contractor.present" + ")" * 200),
        GM,
        "gm-2023:3.1",
        f"nested more than {MAX_DEPTH} levels",
    ),
    (
        "deep not",
        edit_rule("gm-2023:3.1", condition="not " * 500 + "contractor.present"),
        GM,
        "gm-2023:3.1",
        "nested",
    ),
    (
        "long condition",
        edit_rule("gm-2023:3.1", condition=" or ".join(["contractor.present"] * 2000)),
        GM,
        "gm-2023:3.1",
        f"longer than {MAX_LENGTH}",
    ),
    (
        "condition that is not text",
        edit_rule("gm-2023:3.1", condition=["contractor.present"]),
        GM,
        "gm-2023:3.1",
        "condition",
    ),
]


@pytest.mark.parametrize(
    ("change", "file", "item", "message"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
)
def test_hostile_pack_is_a_pack_error_naming_file_rule_and_problem(
    pack_copy: Path,
    capsys: pytest.CaptureFixture[str],
    change: Callable[[Path], None],
    file: str,
    item: str | None,
    message: str,
) -> None:
    change(pack_copy)
    with pytest.raises(PackError) as caught:
        hazardrules.load_pack(pack_copy)
    matching = [p for p in caught.value.problems if p.file == file and message in p.message]
    assert matching, caught.value.problems
    if item is not None:
        assert matching[0].item == item
    # The command line says the same, with the pack-error exit code; lint reports it.
    assert main(["--rules", str(pack_copy), "rules", "show", "gm-2023:3.1"]) == 3
    assert message in capsys.readouterr().err
    assert main(["lint", str(pack_copy), "--sources", str(pack_copy / "nowhere")]) == 1
    assert message in capsys.readouterr().out


def test_the_bound_on_aliases_leaves_ordinary_sharing_alone(pack_copy: Path) -> None:
    """The shipped pack shares value lists through aliases; a few thousand shared values load."""
    assert "*device" in (pack_copy / "facts" / "chemicals.yaml").read_text(encoding="utf-8")
    evil_rule(alias_bomb(levels=3))(pack_copy)  # 1,000 values: fine as YAML (the schema refuses it)
    with pytest.raises(PackError) as caught:
        hazardrules.load_pack(pack_copy)
    assert not any("aliases" in p.message for p in caught.value.problems)


def test_fact_ranges_are_checked_in_the_vocabulary(pack_copy: Path) -> None:
    path = pack_copy / "facts" / "fireworks.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("minimum: 0", "minimum: 5\n    maximum: 1", 1), encoding="utf-8")
    with pytest.raises(PackError, match="minimum is larger than maximum"):
        hazardrules.load_pack(pack_copy)


def test_a_division_by_a_fact_that_is_zero_is_unknown_not_a_crash(pack_copy: Path) -> None:
    condition = (
        "special_worker.uncertified_on_duty or "
        "blast_furnace.top_pressure_setpoint_kpa / blast_furnace.top_pressure_design_max_kpa > 1"
    )
    edit_rule("gm-2023:3.2", condition=condition)(pack_copy)
    pack = hazardrules.load_pack(pack_copy)
    zero = {"blast_furnace.top_pressure_setpoint_kpa": 100, "blast_furnace.top_pressure_design_max_kpa": 0}

    def verdict(**facts: Any) -> hazardrules.Verdict:
        # only the edited rule: the blast furnace described also decides 第四条（五） (setpoint > design)
        finding = {"sector": "metallurgy", "facts": {**zero, **facts}}
        return hazardrules.classify(finding, pack=pack, select=["gm-2023:3.2"])

    undecided = verdict(**{"special_worker.uncertified_on_duty": False})
    assert undecided.status == "undetermined"
    assert "gm-2023:3.2" in {u.rule for u in undecided.undetermined}
    assert verdict(**{"special_worker.uncertified_on_duty": True}).status == "major"  # true or unknown
