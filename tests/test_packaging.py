"""The wheel ships the rule pack: build it, install it in fresh virtual environments outside the
checkout (one per supported Python found on the machine) and classify a finding there."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import hazardrules

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


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("hazardrules-*.tar.gz")
    return built


def test_wheel_contains_the_rule_pack(wheel: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "hazardrules/rules/pack.yaml" in names
    assert "hazardrules/rules/standards/gm-2023.yaml" in names
    assert "hazardrules/py.typed" in names
    for source in (REPO / "rules" / "sources").iterdir():  # the official texts travel with the pack
        assert f"hazardrules/rules/sources/{source.name}" in names
    assert "hazardrules/examples/finding.json" in names


def test_wheel_and_sdist_carry_the_license(wheel: Path, sdist: Path) -> None:
    import tarfile
    import zipfile

    license_text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(name).decode("utf-8") == license_text
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA")))
        assert b"License-Expression: Apache-2.0" in metadata
        assert b"Project-URL: Documentation" in metadata
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        root = names[0].split("/")[0]
        member = archive.extractfile(f"{root}/LICENSE")
        assert member is not None and member.read().decode("utf-8") == license_text
        assert f"{root}/CHANGELOG.md" in names
        assert f"{root}/rules/sources/gm-2023.yaml" in names


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
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
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
    summary = lint.stdout.strip().splitlines()[-1]
    assert str(venv) in summary and " 0 texts checked" not in summary, summary
    # A pack without its texts checks nothing, and lint says so with a failing exit.
    bare = tmp_path / "bare"
    shutil.copytree(Path(answer["root"]), bare, ignore=shutil.ignore_patterns("sources"))
    bare_lint = subprocess.run(
        [str(bin_ / "hazardrules"), "lint", str(bare)], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert bare_lint.returncode == 1 and "no official texts" in bare_lint.stdout, bare_lint.stdout
    example = subprocess.run(
        [str(bin_ / "hazardrules"), "example"], check=True, capture_output=True, text=True, env=env
    )
    module = subprocess.run(
        [str(bin_ / "python"), "-m", "hazardrules", "classify", "-", "--format", "table"],
        input=example.stdout,
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert "major" in module.stdout and "第三条第（二）项" in module.stdout
    version = subprocess.run(
        [str(bin_ / "hazardrules"), "--version"], check=True, capture_output=True, text=True, env=env
    )
    assert version.stdout.strip() == f"hazardrules {hazardrules.__version__}"
