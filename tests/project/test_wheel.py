"""The installed tool: the built wheel carries the templates, and in a fresh venv it builds a project outside the checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if not Path(found).exists():
        pytest.skip("uv is not installed (it comes with the test extra)")
    return found


def test_the_listed_packages_are_the_packages_on_disk() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "quizgen").rglob("__init__.py")}
    assert listed == on_disk | {"quizgen.templates"}


def test_the_wheel_installed_in_a_fresh_venv_builds_a_project_outside_the_checkout(tmp_path: Path) -> None:
    uv = _uv()
    dist = tmp_path / "dist"
    subprocess.run([uv, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("quizgen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*") if p.is_file())
    assert shipped and all(f"quizgen/{name}" in names for name in shipped)

    venv = tmp_path / "fresh"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, capture_output=True)
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)], check=True, capture_output=True)

    project = tmp_path / "my-project"
    project.mkdir()
    shutil.copytree(ROOT / "content", project / "content")
    shutil.copytree(ROOT / "decks", project / "decks")
    run = subprocess.run([str(venv / "bin" / "quizgen"), "build"], cwd=project, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (project / "templates").exists()
    decks = sorted(p.name for p in (project / "build").rglob("*.apkg"))
    quizzes = sorted(p.name for p in (project / "build").rglob("*-A.html"))
    assert len(decks) == len(list((project / "decks").glob("*.toml"))) and quizzes
    # the templates came from the installed package, not from this checkout
    installed = subprocess.run([str(venv / "bin" / "python"), "-c", "import quizgen, pathlib; print(pathlib.Path(quizgen.__file__).parent)"],
                               cwd=project, capture_output=True, text=True, check=True).stdout.strip()
    assert (Path(installed) / "templates" / "quiz" / "print.html.j2").is_file() and not installed.startswith(str(ROOT))
