from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import hazardrules

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"


@pytest.fixture(scope="session")
def pack() -> hazardrules.Pack:
    return hazardrules.load_pack()


SOURCES = RULES / "sources"


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The official texts that travel with the pack (``rules/sources``)."""
    assert (SOURCES / "gm-2023.yaml").is_file(), "rules/sources/ is missing from the checkout"
    return SOURCES


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped rule pack, for tests that break it on purpose."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target
