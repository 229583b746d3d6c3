"""Where a run reads and writes: kept free of heavy imports so `quizgen build` can skip work quickly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quizgen.errors import QuizgenError

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


def owned_elsewhere(qset: QuestionSet, paths: Paths, set_file: Path | None = None,
                    current: Sequence[QuestionSet] = ()) -> frozenset[str]:
    """The GUIDs of this set's questions and old notes that other decks own: this deck gives those questions GUIDs
    of its own and never retires those notes, so importing one deck never moves another deck's cards.

    A shared GUID (`note_guid`) belongs to one deck: first one whose note state has shipped it (live or retired: the
    learner's card is in that deck, and a deck that drops it retires it rather than hand it to another, whose card it
    would then not be), then one that ships it now, then one that shipped it live last time, then a recipe's deck
    before a generated set's, then the lower deck id. Other decks are known by their note state in decks/state/ and,
    in `quizgen build`, by the sets being built (`current`).
    """
    from quizgen.outputs.anki.package import NoteState, note_guid  # noqa: PLC0415 - genanki only for decks

    def rank(guid: str, held: set[str], wants: set[str], live: set[str], generated: bool, deck_id: int) -> tuple[bool, bool, bool, bool, int]:
        return (guid not in held, guid not in wants, guid not in live, generated, deck_id)

    def shipped(st: NoteState) -> set[str]:
        return {g for g, e in st.entries.items() if "elsewhere" not in e}

    mine = paths.state_for(qset, set_file).resolve()
    folder = paths.decks / "state"
    building = {paths.state_for(o, None).resolve(): o for o in current}
    others: dict[Path, tuple[set[str], set[str], set[str], set[str], bool, int]] = {}  # state -> (held, wanted now, shipped live, remembered, generated, deck id)
    for path in sorted({*(p.resolve() for p in folder.glob("*.json")), *building}) if folder.is_dir() else building:
        if path == mine:
            continue
        try:
            st = NoteState.load(path, slim=True)
        except QuizgenError:
            continue  # `check` reports it
        live, other = st.live(), building.get(path)
        if other is not None:
            others[path] = (shipped(st), {note_guid(q) for q in other.questions}, live, set(st.entries), False, other.deck_id)
        elif st.deck_id != qset.deck_id:
            others[path] = (shipped(st), live, live, set(st.entries), st.generated, st.deck_id)
    if not others:
        return frozenset()
    own = NoteState.load(mine, slim=True)
    wants, live, held = {note_guid(q) for q in qset.questions}, own.live(), shipped(own)
    out = set()
    for o_held, o_wants, o_live, o_remembered, generated, deck_id in others.values():
        for guid in o_wants | o_remembered:
            if (guid in wants or guid in own.entries) and \
                    rank(guid, held, wants, live, set_file is not None, qset.deck_id) < rank(guid, o_held, o_wants, o_live, generated, deck_id):
                continue  # this deck keeps it
            out.add(guid)
    return frozenset(out)
