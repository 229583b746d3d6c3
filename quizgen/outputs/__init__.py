"""Output formats: one module per format, each `render(qset, options) -> {relative name: bytes}`, pure (no writing).

To add a format: write `quizgen/outputs/<name>.py` with a `render(qset, options)` function (names are relative to the
set's output folder), add one line to FORMATS below, and one test file `tests/test_output_<name>.py`. Recipes may then
list it in `formats`, and `quizgen export TARGET --format <name>` renders it. Modules are imported only when used,
so `quizgen --help` stays fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from quizgen.errors import Problem, QuizgenError

if TYPE_CHECKING:
    from quizgen.models import QuestionSet

FORMATS: dict[str, str] = {
    "anki": "quizgen.outputs.anki",   # .apkg deck (+ its note state)
    "quiz": "quizgen.outputs.quiz",   # printable HTML versions, key CSV, self-check page, PDF through Chromium
    "gift": "quizgen.outputs.gift",   # Moodle's GIFT text format
    "moodle": "quizgen.outputs.moodle",  # Moodle XML
    "qti": "quizgen.outputs.qti",     # QTI 1.2 zip as Canvas imports it
    "xlsx": "quizgen.outputs.xlsx",   # spreadsheet question bank (题型, 题干, 选项A…)
}
"""Format name -> module. One line per format."""

NOTE_STATE = "@note-state"
"""The name under which a renderer returns the deck's new note state: the caller decides where it lives
(decks/state/<output>.json for a recipe, beside a generated set's file)."""


@dataclass(frozen=True)
class OutputOptions:
    """Everything a renderer may need besides the set; each format reads what concerns it."""

    templates: Path = Path("templates")
    """The templates folder (anki/ notetypes and card CSS, quiz/ Jinja templates)."""
    versions: int = 1
    seed: int = 0
    interactive: bool = False
    """quiz: also the offline self-check page."""
    pdf: bool = False
    """quiz: also a PDF per version, printed by headless Chromium."""
    answer_sheets: int = 0
    """quiz: machine-readable answer sheets per version (`<output>-A-sheets.html`), for `quizgen scan`."""
    id_digits: int = 8
    """quiz: digits of the student number on those sheets."""
    state_file: Path | None = None
    """anki: the deck's current note state file (read, never written here); None or missing: a fresh deck."""
    now: int | None = None
    """anki: the time new or edited notes get (default: SOURCE_DATE_EPOCH or the clock)."""
    elsewhere: frozenset[str] = frozenset()
    """anki: GUIDs other decks ship: this deck asks those questions with GUIDs of its own and never retires them."""
    generated: bool = False
    """anki: a generated set's deck, not a recipe's (recipes keep shared GUIDs first)."""
    xlsx_columns: Mapping[str, str] | None = None
    """xlsx: default column header -> the header a platform expects (an empty string drops the column)."""
    epoch: int | None = None
    """Seconds since 1970 stamped into archives and document properties; None: SOURCE_DATE_EPOCH, else the newest source date."""

    @classmethod
    def for_set(cls, qset: QuestionSet, templates: Path, **overrides: Any) -> OutputOptions:
        """Options from a set's own settings (versions, seed; a recipe's column map), with explicit overrides."""
        values: dict[str, Any] = {"versions": qset.versions, "seed": qset.seed, "xlsx_columns": getattr(qset, "xlsx_columns", None) or None}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(templates=templates, **values)


class Renderer(Protocol):
    def __call__(self, qset: QuestionSet, options: OutputOptions) -> dict[str, bytes]: ...


def names() -> list[str]:
    """Registered format names, sorted."""
    return sorted(FORMATS)


def unknown(formats: Iterable[str]) -> list[str]:
    """The names among `formats` that no module renders."""
    return [f for f in formats if f not in FORMATS]


def module(name: str) -> ModuleType:
    """The module of a registered format (imported on first use)."""
    if name not in FORMATS:
        raise QuizgenError(Problem("quizgen", None, "format", f"unknown format {name!r}; available: {', '.join(names())}"))
    return importlib.import_module(FORMATS[name])


def render(qset: QuestionSet, formats: Iterable[str], options: OutputOptions) -> dict[str, bytes]:
    """Render a set in each format, in order; every name is unique across formats."""
    files: dict[str, bytes] = {}
    for fmt in formats:
        for name, data in module(fmt).render(qset, options).items():
            if name in files:
                raise QuizgenError(Problem(qset.output, None, "formats", f"two formats both make {name!r}; list each format once"))
            files[name] = data
    return files
