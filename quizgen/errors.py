"""Domain errors that carry `file:line: field: message` problems."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input, located as precisely as we can."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class QuizgenError(Exception):
    """Base error: the CLI prints each problem on one line and exits 1."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("quizgen", None, "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ContentError(QuizgenError):
    """The content, templates or recipes are invalid."""


class SelectionError(QuizgenError):
    """Filters or counts ask for questions the bank cannot give."""


class OutputError(QuizgenError):
    """An output cannot be written."""


class ToolMissingError(QuizgenError):
    """An optional external tool (Chromium) is not installed."""


def rel(path: Path | str) -> str:
    """Show a path relative to the working directory when it is inside it."""
    p = Path(os.path.abspath(path))  # not resolve(): a symlink is named as the user wrote it
    try:
        return str(p.relative_to(Path(os.path.abspath(Path.cwd()))))
    except ValueError:
        return str(path)
