"""A fresh clone stands on its own: nothing beside it, yet it installs, classifies, lints and builds
its documentation (the essential parts of the README's commands).

The repository at HEAD is cloned into an empty temporary folder (so no ``../shared`` sits beside
it), installed with its ``docs`` extra into a new virtual environment, and run there. pip reuses
its cache and ``PIP_FIND_LINKS`` from the environment, so this stays quick in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout (an sdist or an installed copy): nothing to clone")
    empty = tmp_path_factory.mktemp("empty")
    target = empty / "hazardrules"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(target)], check=True)
    assert sorted(p.name for p in empty.iterdir()) == ["hazardrules"]  # no shared/ beside it
    return target


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("HAZARDRULES_", "PYTHON", "VIRTUAL_ENV"))
    }
    return keep


@pytest.fixture(scope="module")
def venv(clone: Path, env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", str(venv)], clone, env)
    _run([str(venv / "bin" / "pip"), "install", "-q", ".[docs]"], clone, env)
    return venv / "bin"


def test_clone_classifies_the_bundled_example(clone: Path, venv: Path, env: dict[str, str]) -> None:
    table = _run(
        [str(venv / "hazardrules"), "classify", "examples/finding.json", "--format", "table"], clone, env
    )
    assert "major" in table.stdout and "第三条第（二）项" in table.stdout
    example = _run([str(venv / "hazardrules"), "example"], clone.parent, env)
    assert '"sector"' in example.stdout


def test_clone_lints_against_its_own_texts(clone: Path, venv: Path, env: dict[str, str]) -> None:
    result = _run([str(venv / "hazardrules"), "lint"], clone, env)
    summary = result.stdout.strip().splitlines()[-1]
    assert " 0 error(s)" in summary and "rules/sources" in summary, summary
    checked = int(summary.split(" texts checked")[0].rsplit(" ", 1)[-1])
    assert checked >= 100, summary


def test_clone_builds_the_documentation(clone: Path, venv: Path, env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "html"
    _run(
        [str(venv / "python"), "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "docs", str(out)],
        clone,
        env,
    )
    page = (out / "rules" / "gm-2023.html").read_text(encoding="utf-8")
    assert 'id="gm-2023-3-2"' in page
