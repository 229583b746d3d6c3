"""Write a set's files the way the commands do: render through the outputs registry, then one all-or-nothing write."""

from __future__ import annotations

from pathlib import Path

from quizgen.fsutil import write_many
from quizgen.models import QuestionSet
from quizgen.outputs import NOTE_STATE, OutputOptions, render


def write_quiz(qset: QuestionSet, *, templates_dir: Path, out_dir: Path, versions: int, seed: int,
               interactive: bool = False, pdf: bool = False, answer_sheets: int = 0, id_digits: int = 8) -> list[Path]:
    """The quiz format's files written into out_dir; the paths in render order (versions, key CSV, sheets, self-check, PDFs)."""
    options = OutputOptions(templates=templates_dir, versions=versions, seed=seed, interactive=interactive, pdf=pdf,
                            answer_sheets=answer_sheets, id_digits=id_digits)
    files = {out_dir / name: data for name, data in render(qset, ["quiz"], options).items()}
    write_many(files)
    return list(files)


def write_deck(qset: QuestionSet, *, templates_dir: Path, out_path: Path, state_path: Path, now: int | None = None) -> Path:
    """The anki format's package written to out_path and its note state to state_path, together."""
    options = OutputOptions(templates=templates_dir, state_file=state_path, now=now)
    rendered = render(qset, ["anki"], options)
    write_many({out_path: rendered[f"{qset.output}.apkg"], state_path: rendered[NOTE_STATE]})
    return out_path
