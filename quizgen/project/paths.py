"""Where a run reads and writes: kept free of heavy imports so `quizgen build` can skip work quickly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quizgen.models import QuestionSet


def default_templates() -> Path:
    """`templates/` of the project in the current folder, else the copy installed inside the package (a wheel ships
    the checkout's templates/ as quizgen/templates), else the checkout's own templates/ (an editable install)."""
    local = Path("templates")
    if local.is_dir():
        return local
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "templates", package.parent / "templates"):
        if (folder / "questions").is_dir():
            return folder
    return local


@dataclass(frozen=True)
class Paths:
    content: Path
    templates: Path
    decks: Path
    out: Path

    def state_for(self, qset: QuestionSet, set_file: Path | None) -> Path:
        """Where a deck's note state lives: decks/state/ for recipes, beside the set file for generated sets."""
        if set_file is not None:
            return set_file.with_name(set_file.stem + ".notes.json")
        return self.decks / "state" / f"{qset.output}.json"

    def out_dir(self, qset: QuestionSet) -> Path:
        return self.out / qset.output
