"""Domain errors that carry `file:line: field: message` problems."""

from __future__ import annotations

import os
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHOWN = 200
"""At most this many characters of an offending value appear in a message (an echoed alias bomb printed 312 MB)."""
_MESSAGE = 4 * SHOWN
"""A whole problem message is cut here as a last guard, whatever built it."""
_repr = reprlib.Repr()  # keyword arguments only from Python 3.12
_repr.maxlevel = 3
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 8
_repr.maxstring = _repr.maxother = _repr.maxlong = SHOWN


def brief(value: Any, limit: int = SHOWN) -> str:
    """A value for a message: text as it is, anything else as its repr, cut to about `limit` characters.

    Nested values are walked only as deep and wide as can be shown, so a huge value costs no more than a small one.
    """
    text = value if isinstance(value, str) else _repr.repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def brief_repr(value: Any, limit: int = SHOWN) -> str:
    """`brief` of the repr, for values quoted in a message (`got 'abc'`)."""
    return brief(_repr.repr(value), limit)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input, located as precisely as we can."""

    file: str
    line: int | None
    field: str
    message: str

    def __post_init__(self) -> None:
        if len(self.message) > _MESSAGE:
            object.__setattr__(self, "message", brief(self.message, _MESSAGE))

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
