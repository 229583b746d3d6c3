"""Anki: the set's .apkg and the deck's new note state (so both are written together, or neither)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizgen.outputs import NOTE_STATE, OutputOptions
from quizgen.outputs.anki.package import NoteState, build_package, load_notetypes

if TYPE_CHECKING:
    from quizgen.models import QuestionSet


def render(qset: QuestionSet, options: OutputOptions) -> dict[str, bytes]:
    """`<output>.apkg` and, under NOTE_STATE, the note state that goes with it."""
    state = NoteState.load(options.state_file) if options.state_file is not None else NoteState({})
    state.generated = options.generated
    built = build_package(qset, load_notetypes(options.templates), state, now=options.now, elsewhere=options.elsewhere,
                          bank=getattr(qset, "bank", None))
    return {f"{qset.output}.apkg": built.data, NOTE_STATE: state.dumps().encode("utf-8")}
