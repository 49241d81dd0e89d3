"""The wheel ships the rule pack: build it, install it in fresh virtual environments outside the
checkout (one per supported Python found on the machine) and classify a finding there."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FINDING = {"sector": "冶金", "facts": {"special_worker.uncertified_on_duty": True}}


def interpreters() -> list[str]:
    found = {f"{sys.version_info.major}.{sys.version_info.minor}": sys.executable}
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for minor in ("3.11", "3.12", "3.13"):
        candidates = sorted(glob.glob(f"{pyenv}/versions/{minor}.*/bin/python{minor}"))
        if minor not in found and candidates:
            found[minor] = candidates[-1]
    return [found[k] for k in sorted(found)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("hazardrules-*.whl")
    return built


def test_wheel_contains_the_rule_pack(wheel: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "hazardrules/rules/pack.yaml" in names
    assert "hazardrules/rules/standards/gm-2023.yaml" in names
    assert "hazardrules/py.typed" in names


@pytest.mark.slow
@pytest.mark.parametrize("python", interpreters())
def test_installed_wheel_classifies(python: str, wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    bin_ = venv / "bin"
    subprocess.run([str(bin_ / "pip"), "install", "-q", str(wheel)], check=True, cwd=tmp_path)
    script = (
        "import hazardrules, json, sys;"
        "v = hazardrules.classify(json.loads(sys.argv[1]));"
        "print(json.dumps({'status': v.status, 'rule': v.hits[0].rule, 'label': v.hits[0].citation.label,"
        " 'root': hazardrules.load_pack().root, 'module': hazardrules.__file__}, ensure_ascii=False))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HAZARDRULES_SOURCES")}
    result = subprocess.run(
        [str(bin_ / "python"), "-c", script, json.dumps(FINDING)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    answer = json.loads(result.stdout)
    assert answer["status"] == "major" and answer["rule"] == "gm-2023:3.2"
    assert answer["label"] == "第三条第（二）项"
    assert str(venv) in answer["module"] and str(venv) in answer["root"]
    cli = subprocess.run(
        [str(bin_ / "hazardrules"), "classify", "-"],
        input=json.dumps(FINDING),
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert json.loads(cli.stdout)["status"] == "major"
    lint = subprocess.run(
        [str(bin_ / "hazardrules"), "lint"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
