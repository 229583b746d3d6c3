"""A per-user cache of recipe decks: `quizgen anki RECIPE` with every input unchanged writes the deck from plain data.

An entry holds a recipe's deck header and its notes exactly as anki.py made them (guid, notetype, fields, tags,
sub-deck, content hash, due) in plain tuples, so a hit loads no pydantic model, validates nothing and generates
nothing. It is used only when every input the full path reads is byte-identical to the run that stored it: the
recipe, content/, templates/ (question templates, notetypes, card CSS), every note-state file in decks/state/ (the
full path checks them all), quizgen's code, jieba's and genanki's code, and Python. The deck's note state is then
read and updated as on the full path, by the same build_package, so the package and the state come out the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import QuizgenError

if TYPE_CHECKING:
    from .models import QuestionSet
    from .paths import Paths

FORMAT = "quizgen-deck/1"


@dataclass(frozen=True)
class _Deck:
    """What build_package and Paths read of a set when its notes are already known."""

    output: str
    deck_id: int
    deck_name: str
    title: str


def _inputs_key(target: Path, paths: Paths) -> str | None:
    """Hash of every input of `quizgen anki RECIPE`; None when one cannot be read (the full path reports it)."""
    import importlib.util  # noqa: PLC0415
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from .build import input_files  # noqa: PLC0415

    h = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())

    def add(name: str, data: bytes) -> None:
        h.update(f"{name}\0{len(data)}\0".encode() + data)

    try:
        add("recipe", target.read_bytes())
        for lib in ("jieba", "genanki"):  # jieba's segmentation shapes the cloze blanks; genanki makes the GUIDs
            spec = importlib.util.find_spec(lib)
            if spec is not None and spec.origin:
                add(lib, "\0".join(f"{f}\0{os.stat(f).st_mtime_ns}" for f in sorted(Path(spec.origin).parent.glob("*.py"))).encode())
        code = Path(__file__).resolve().parent
        for label, root in (("content", paths.content), ("templates", paths.templates), ("state", paths.decks / "state"), ("code", code)):
            add(label, b"")
            for f in input_files(root):
                add(str(f.relative_to(root)), f.read_bytes())
    except OSError:
        return None
    return h.hexdigest()


@dataclass(frozen=True)
class DeckCache:
    """One recipe's entry: where it lives and the key of the inputs as they are now."""

    file: Path
    key: str

    @classmethod
    def for_recipe(cls, target: Path, paths: Paths) -> DeckCache | None:
        """The entry for a recipe and folders; None without a usable cache folder or with an unreadable input."""
        from .fsutil import user_cache_dir  # noqa: PLC0415

        folder = user_cache_dir("decks")
        key = _inputs_key(target, paths) if folder is not None else None
        if folder is None or key is None:
            return None
        where = "\0".join(str(p.resolve()) for p in (target, paths.content, paths.templates, paths.decks))
        return cls(folder / f"{hashlib.sha256(where.encode()).hexdigest()[:24]}.marshal", key)

    def files(self, paths: Paths) -> dict[Path, bytes] | None:
        """The deck and its new note state, placed as render_set places them; None when the entry is missing or stale."""
        try:
            key, header, notes = marshal.loads(self.file.read_bytes())
        except Exception:  # noqa: BLE001 - a missing or damaged entry only costs speed
            return None
        if key != self.key:
            return None
        from .anki import NoteState, build_package, load_notetypes  # noqa: PLC0415

        deck = _Deck(*header)
        nts = load_notetypes(paths.templates)
        models = nts.all()
        state_file = paths.state_for(deck, None)  # type: ignore[arg-type] - reads .output only
        state = NoteState.load(state_file)
        built = build_package(deck, nts, state, notes=((g, models[m], f, t, n, d, due) for g, m, f, t, n, d, due in notes))  # type: ignore[arg-type]
        return {paths.out_dir(deck) / f"{deck.output}.apkg": built.data, state_file: state.dumps().encode("utf-8")}  # type: ignore[arg-type]

    def store(self, qset: QuestionSet, paths: Paths) -> None:
        """Remember a recipe's deck after the full path rendered and wrote it (under the key taken before it ran)."""
        from .anki import _note_specs, load_notetypes  # noqa: PLC0415
        from .fsutil import write_many  # noqa: PLC0415

        nts = load_notetypes(paths.templates)
        index = {id(m): i for i, m in enumerate(nts.all())}
        notes = [(g, index[id(m)], f, t, n, d, due) for g, m, f, t, n, d, due in _note_specs(qset, nts)]
        header = (qset.output, qset.deck_id, qset.deck_name, qset.title)
        with contextlib.suppress(QuizgenError, ValueError):  # a cache that cannot be written only costs speed
            write_many({self.file: marshal.dumps((self.key, header, notes))})
