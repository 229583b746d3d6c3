"""The README stays short and true; the docs site builds strictly and its reference pages cover what the code registers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import typer

from quizgen.check.quality import RULES
from quizgen.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_readme_is_short_and_starts_with_the_two_make_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 8 * 1024
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block is not None
    commands = [line.split("#")[0].split() for line in block.group(1).splitlines() if line.strip()]
    assert commands[:2] == [["make"], ["make", "test"]]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"(?m)^all:", makefile) and re.search(r"(?m)^test:", makefile)


def test_every_relative_link_in_the_readme_exists() -> None:
    for target in re.findall(r"\]\(([^)#]+)\)", README.read_text(encoding="utf-8")):
        if not re.match(r"[a-z]+:", target):
            assert (ROOT / target).exists(), target


def test_the_site_builds_strictly_with_every_command_and_rule(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", XDG_CACHE_HOME=str(tmp_path / "cache"))
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)], cwd=ROOT,
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    commands_html = (site / "reference" / "commands" / "index.html").read_text(encoding="utf-8")
    for name in typer.main.get_command(app).commands:  # type: ignore[attr-defined]  # the app's command is a click Group
        assert f"quizgen {name}" in commands_html, name
    rules_html = (site / "reference" / "quality-rules" / "index.html").read_text(encoding="utf-8")
    assert all(rule in rules_html for rule in RULES)
    fields_html = (site / "reference" / "fields" / "index.html").read_text(encoding="utf-8")
    assert "evidence" in fields_html and "Recipe" in fields_html
    for page in ("tutorial", "architecture", "how-to/add-a-source", "how-to/grade-a-class", "how-to/export-to-moodle-canvas",
                 "how-to/study-what-you-fail", "how-to/write-good-items"):
        assert (site / page / "index.html").is_file(), page
