"""The official texts that ship with the pack (``rules/sources``) are the project's source collection,
byte for byte, when that collection (``../shared/sources``) sits beside the checkout."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
OURS = REPO / "rules" / "sources"
SHARED = REPO.parent / "shared" / "sources"


def test_the_pack_carries_the_official_texts() -> None:
    names = {p.name for p in OURS.iterdir()}
    assert {"README.md", "gm-2023.yaml", "hc-2017.yaml", "fw-2017.yaml"} <= names


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/sources is not beside this checkout: nothing to compare with"
)
def test_rules_sources_is_an_up_to_date_copy() -> None:
    wanted = sorted(p.name for p in SHARED.iterdir() if p.suffix == ".yaml" or p.name == "README.md")
    have = sorted(p.name for p in OURS.iterdir())
    assert have == wanted, (
        f"rules/sources/ has {sorted(set(have) - set(wanted))} extra, lacks {sorted(set(wanted) - set(have))}"
    )
    stale = []
    for name in wanted:
        theirs, ours = (SHARED / name).read_bytes(), (OURS / name).read_bytes()
        if theirs != ours:
            diff = difflib.unified_diff(
                ours.decode("utf-8", "replace").splitlines(),
                theirs.decode("utf-8", "replace").splitlines(),
                f"rules/sources/{name}",
                f"../shared/sources/{name}",
                lineterm="",
                n=1,
            )
            stale.append("\n".join(list(diff)[:40]))
    assert not stale, "rules/sources/ is stale; copy ../shared/sources/ over it:\n" + "\n\n".join(stale)
