"""The note state file: read a line at a time as `dumps` writes it, exactly as the whole-text JSON parser reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.errors import ContentError
from quizgen.outputs.anki.package import NoteState

text = st.text(alphabet=st.characters(max_codepoint=0x2FFFF, blacklist_categories=("Cs",)), max_size=12)
entry = st.fixed_dictionaries({"hash": text, "mod": st.integers(0, 2**40)},
                              optional={"model": st.integers(1, 2**40), "deck": text, "item": text, "retired": text,
                                        "fields": st.lists(text, max_size=4), "tags": st.lists(text, max_size=3)})
states = st.builds(NoteState, st.dictionaries(text, entry, max_size=6), deck_id=st.integers(0, 2**40), generated=st.booleans())


@settings(max_examples=150, deadline=None)
@given(state=states, drop=st.sets(st.integers(0, 5)))
def test_the_line_reader_reads_what_json_reads(state: NoteState, drop: set[int], tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("s") / "deck.json"
    path.write_bytes(state.dumps())
    assert NoteState.load(path).entries == json.loads(path.read_text(encoding="utf-8"))["notes"] == state.entries
    loaded = NoteState.load(path)
    assert (loaded.deck_id, loaded.generated) == (state.deck_id, state.generated)
    # shipping: those notes' old fields and tags are not kept (they are shipped anew); every other note keeps all
    shipping = {g for i, g in enumerate(sorted(state.entries)) if i in drop}
    read = NoteState.load(path, shipping=shipping).entries
    for guid, e in state.entries.items():
        slimmed = {k: () if k in ("fields", "tags") else v for k, v in e.items()}
        assert read[guid] == (slimmed if guid in shipping else e)
    assert NoteState.load(path, slim=True).entries == {g: {k: () if k in ("fields", "tags") else v for k, v in e.items()}
                                                       for g, e in state.entries.items()}


def _state(body: str) -> str:
    return '{\n "format": "quizgen-notes/2",\n "deck_id": 7,\n "notes": {\n' + body + '\n }\n}\n'


@pytest.mark.parametrize("layout", [
    _state('  "a": {"hash": "x", "mod": 1},\n  "b": {"hash": "y", "mod": 2}').replace("\n", "\r\n"),  # saved on Windows
    '{"format": "quizgen-notes/2", "deck_id": 7, "notes": {"a": {"hash": "x", "mod": 1}, "b": {"hash": "y", "mod": 2}}}',
    _state('  "a": {"hash": "x",\n     "mod": 1},\n  "b": {"hash": "y", "mod": 2}'),  # re-wrapped by an editor
    _state('  "a": {"hash": "x", "mod": 1}, "b": {"hash": "y", "mod": 2}'),
    '{\n "deck_id": 7,\n "format": "quizgen-notes/2",\n "notes": {\n  "a": {"hash": "x", "mod": 1},\n  "b": {"hash": "y", "mod": 2}\n }\n}',
])
def test_a_state_laid_out_otherwise_is_read_whole(layout: str, tmp_path: Path) -> None:
    path = tmp_path / "deck.json"
    path.write_text(layout, encoding="utf-8", newline="")
    state = NoteState.load(path)
    assert state.entries == {"a": {"hash": "x", "mod": 1}, "b": {"hash": "y", "mod": 2}} and state.deck_id == 7


@pytest.mark.parametrize("broken", [
    _state('  "a": {"hash": "x", "mod": 1},\n  "b": {"hash": "y", "mod": 2},'),  # a trailing comma: not JSON
    _state('  "a": {"hash": "x", "mod": 1},'),
    _state('  "a": {"hash": "x", "mod": 1}')[:-3],  # cut short
    _state('  "a": {"hash": "x", "mod": 1}') + "{}",
])
def test_a_state_the_json_parser_refuses_is_refused(broken: str, tmp_path: Path) -> None:
    path = tmp_path / "deck.json"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ContentError, match="unreadable note state"):
        NoteState.load(path)
