"""Shared helpers: run the CLI in-process, and copy the second-source fixture into tmp_path to break it."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner, Result

from quizgen.cli import app

# Locally every run draws new examples (run with --hypothesis-seed=N to explore); CI draws the same ones every time, so
# a submission is never failed by a draw nobody saw. Both keep each test's own max_examples.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"
FIXTURES = REPO / "tests" / "fixtures"
SECOND = FIXTURES / "second_source"
SECOND_CONTENT = SECOND / "content"
SECOND_DECKS = SECOND / "decks"
SECOND_ID = "xh-lin-2025"
BROKEN = FIXTURES / "broken"
SHIPPED_ID = "bg2-huang-2024"
PROJECT = Path(os.environ.get("QUIZGEN_PROJECT") or REPO)
"""The project whose content/ and decks/ the shipped-content tests read: this repository, or (test_many_sources.py)
a copy of it with more sources added, to prove that adding a source keeps them green."""


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run `quizgen ARGS` in-process. Typer 0.29's CliRunner always keeps stdout and stderr apart."""
    return CliRunner().invoke(app, list(args), env=env)


def assert_problems(result: Result, *problems: str | re.Pattern[str]) -> None:
    """The run failed cleanly: exit 1, nothing on stdout, exactly these `error: ...` lines on stderr.

    A problem is the exact text after `error: `, or a compiled pattern that must match all of it.
    """
    assert "Traceback" not in result.output, result.output
    assert isinstance(result.exception, SystemExit), f"unexpected {result.exception!r}\n{result.output}"
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    if any(isinstance(p, re.Pattern) for p in problems):
        assert len(lines) == len(problems), lines
        for line, p in zip(lines, problems, strict=True):
            assert line.startswith("error: "), line
            assert p.fullmatch(line.removeprefix("error: ")) if isinstance(p, re.Pattern) else line == f"error: {p}", line
    else:
        assert lines == [f"error: {p}" for p in problems]


# --- editing fixture files; every helper insists its anchor is unique so a drifting fixture fails loudly ---


def paragraphs(data: dict) -> list[tuple[str, str, str]]:
    """(section title, speaker, text) per paragraph of a source.yaml draft."""
    return [(s["title"], p["speaker"], p["text"]) for s in data["sections"] for p in s["paragraphs"]]


def line_of(path: Path, needle: str) -> int:
    """1-based line where `needle` (which must occur exactly once in the file) starts."""
    text = path.read_text(encoding="utf-8")
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times in {path}"
    return text[: text.index(needle)].count("\n") + 1


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the single occurrence of `old` with `new`; return the line where the change starts."""
    line = line_of(path, old)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def insert_after(path: Path, anchor: str, new_line: str) -> int:
    """Insert `new_line` after the (unique) whole line `anchor`; return the new line's number."""
    before = replace_once(path, f"\n{anchor}\n", f"\n{anchor}\n{new_line}\n")
    line = before + 2  # the match starts with the newline that ends the line before `anchor`
    assert path.read_text(encoding="utf-8").splitlines()[line - 1] == new_line
    return line


def delete_line(path: Path, whole_line: str) -> int:
    """Delete the (unique) whole line; return the number it had."""
    line = line_of(path, f"\n{whole_line}\n") + 1  # the match starts on the line before
    assert path.read_text(encoding="utf-8").splitlines()[line - 1] == whole_line
    replace_once(path, f"\n{whole_line}\n", "\n")
    return line


@dataclass(frozen=True)
class Workspace:
    """A writable copy of tests/fixtures/second_source; the working directory while a test runs."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def decks(self) -> Path:
        return self.root / "decks"

    @property
    def source_dir(self) -> Path:
        return self.content / SECOND_ID

    @property
    def source_yaml(self) -> Path:
        return self.source_dir / "source.yaml"

    @property
    def bank(self) -> Path:
        return self.source_dir / "bank"

    @property
    def recipe(self) -> Path:
        return self.decks / "second.toml"

    def add_to_item(self, item: str, extra: str) -> None:
        """Add lines (e.g. `    importance: core\n`) right after a bank item's id line."""
        for path in self.bank.glob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            if f"  - id: {item}\n" in text:
                path.write_text(text.replace(f"  - id: {item}\n", f"  - id: {item}\n{extra}"), encoding="utf-8")
                return
        raise AssertionError(f"no bank item {item!r}")

    def rel(self, path: Path) -> str:
        """How the CLI names a file in its messages (relative to the working directory)."""
        return path.relative_to(self.root).as_posix()

    def check(self, extra: Sequence[str] = ()) -> Result:
        return invoke("check", "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks", *extra)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A fresh copy of the second source (content and decks), with the working directory inside it."""
    root = tmp_path / "ws"
    shutil.copytree(SECOND, root)
    monkeypatch.chdir(root)
    return Workspace(root)


@pytest.fixture(scope="session", autouse=True)
def _private_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every test's user cache (sets, decks, jieba, locks) in the session's temp folder, never the real ~/.cache."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def jieba_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for commands that load jieba: its dictionary cache goes to a temp folder, not ~/.cache."""
    return {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg-cache"))}
