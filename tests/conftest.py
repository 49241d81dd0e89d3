from __future__ import annotations

import shutil
import subprocess
import sys
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


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site, built once (warnings as errors) for the docs and browser tests."""
    out = tmp_path_factory.mktemp("html")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(REPO / "docs"), out],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out
