"""Anki: the set's .apkg and the deck's new note state (so both are written together, or neither)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizgen.outputs import NOTE_STATE, OutputOptions
from quizgen.outputs.anki.package import NoteState, build_package, deck_notes, load_notetypes, note_specs

if TYPE_CHECKING:
    from quizgen.models import QuestionSet


def render(qset: QuestionSet, options: OutputOptions) -> dict[str, bytes]:
    """`<output>.apkg` and, under NOTE_STATE, the note state that goes with it."""
    nts = load_notetypes(options.templates)
    notes = note_specs(qset, nts, options.elsewhere)
    # the live notes' old fields are not read (each is shipped anew): only the notes the deck may retire keep theirs
    state = NoteState.load(options.state_file, shipping={n[0] for n in notes}) if options.state_file is not None else NoteState({})
    state.generated = options.generated
    bank = getattr(qset, "bank", None)
    notes, retired = deck_notes(qset, nts, state, elsewhere=options.elsewhere, bank=bank, notes=notes)
    built = build_package(qset, nts, state, now=options.now, notes=notes, retired=retired, elsewhere=options.elsewhere, bank=bank)
    del notes, retired  # the state holds what dumps reads
    return {f"{qset.output}.apkg": built.data, NOTE_STATE: state.dumps()}
