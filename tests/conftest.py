from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import hazardrules
from hazardrules.pack.sources import find_sources_dir

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"


@pytest.fixture(scope="session")
def pack() -> hazardrules.Pack:
    return hazardrules.load_pack()


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    found = find_sources_dir(REPO)
    if found is None:
        pytest.fail("the official texts (../shared/sources) must sit beside the checkout for the tests")
    return found


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped rule pack, for tests that break it on purpose."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target
