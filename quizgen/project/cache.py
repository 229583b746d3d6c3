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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quizgen.errors import QuizgenError

if TYPE_CHECKING:
    from quizgen.models import QuestionSet
    from quizgen.project.paths import Paths

FORMAT = "quizgen-deck/2"


@dataclass(frozen=True)
class _Deck:
    """What build_package and Paths read of a set when its notes are already known."""

    output: str
    deck_id: int
    deck_name: str
    title: str


LIBRARIES = ("genanki", "jieba", "jinja2", "markupsafe", "pydantic", "pyyaml", "openpyxl", "zstandard")
"""Libraries whose version can change an output byte (GUIDs, blanks, HTML, archives): part of every inputs digest."""

CODE = Path(__file__).resolve().parents[1]
"""quizgen's own code: part of every inputs digest."""


def input_files(folder: Path, *, skip: Path | None = None) -> list[Path]:
    """Every file under a folder, sorted (the inputs digest hashes them)."""
    if not folder.is_dir():
        return []
    # every entry but folders: a dangling symlink or an unreadable file is an input too, and must not look "up to date"
    return sorted(p for p in folder.rglob("*") if not p.is_dir() and "__pycache__" not in p.parts and (skip is None or skip not in p.parents))


def _library_versions() -> str:
    from importlib import metadata  # noqa: PLC0415 - only when a digest is taken

    versions = []
    for lib in LIBRARIES:
        try:
            versions.append(f"{lib}={metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{lib}=none")
    return ";".join(versions)


def inputs_digest(kind: str, roots: Iterable[tuple[str, Path]], *, files: Iterable[Path] = (), skip: Path | None = None) -> str:
    """The one inputs digest: Python, the libraries' versions, quizgen's code, then every file under `roots` and `files`.

    An unreadable file hashes as its error, so it never looks unchanged; the full path then reports it.
    """
    import sys  # noqa: PLC0415 - only this path needs it

    h = hashlib.sha256(f"{FORMAT}\0{kind}\0{sys.version}\0{_library_versions()}\0".encode())

    def add(name: str, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            data = f"unreadable: {exc.strerror}".encode()
        h.update(f"{name}\0{len(data)}\0".encode("utf-8", "surrogateescape") + data)  # a name in another encoding too

    for f in files:
        add(f"file:{f.name}", f)
    for label, root in (*roots, ("code", CODE)):
        h.update(f"root:{label}\0".encode())
        for f in input_files(root, skip=skip):
            add(str(f.relative_to(root)), f)
    return h.hexdigest()


def build_digest(paths: Paths) -> str:
    """`quizgen build`'s key: content, templates and recipes (the note state is an output, not an input)."""
    return inputs_digest("build", (("content", paths.content), ("templates", paths.templates), ("decks", paths.decks)), skip=paths.decks / "state")


def set_cache_entry(target: Path, paths: Paths) -> tuple[Path, str] | None:
    """A recipe's question-set cache file (one per recipe) and the digest of its inputs; None without a cache folder."""
    from quizgen.fsutil import user_cache_dir  # noqa: PLC0415 - loaded on use, so light commands start fast

    folder = user_cache_dir("sets")
    if folder is None:
        return None
    key = inputs_digest("set", (("content", paths.content), ("questions", paths.templates / "questions")), files=(target,))
    name = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:24]
    return folder / f"{name}.json", key


def _deck_key(target: Path, paths: Paths) -> str:
    """The digest of every input of `quizgen anki RECIPE`, note state included (the full path checks it all)."""
    return inputs_digest("deck", (("content", paths.content), ("templates", paths.templates), ("state", paths.decks / "state")), files=(target,))


@dataclass(frozen=True)
class DeckCache:
    """One recipe's entry: where it lives and the key of the inputs as they are now."""

    file: Path
    key: str

    @classmethod
    def for_recipe(cls, target: Path, paths: Paths) -> DeckCache | None:
        """The entry for a recipe and folders; None without a usable cache folder or with an unreadable input."""
        from quizgen.fsutil import user_cache_dir  # noqa: PLC0415 - loaded on use, so light commands start fast

        folder = user_cache_dir("decks")
        if folder is None:
            return None
        key = _deck_key(target, paths)
        where = "\0".join(str(p.resolve()) for p in (target, paths.content, paths.templates, paths.decks))
        return cls(folder / f"{hashlib.sha256(where.encode()).hexdigest()[:24]}.marshal", key)

    def files(self, paths: Paths) -> dict[Path, bytes] | None:
        """The deck and its new note state, placed as render_set places them; None when the entry is missing or stale."""
        try:
            key, header, notes, retired, elsewhere = marshal.loads(self.file.read_bytes())  # noqa: S302 - plain data only (marshal runs no code); key checked next
        except Exception:  # noqa: BLE001 - a missing or damaged entry only costs speed
            return None
        if key != self.key:
            return None
        from quizgen.outputs.anki.package import NoteState, Retirement, build_package, load_notetypes  # noqa: PLC0415 - loaded on use, so light commands start fast

        deck = _Deck(*header)
        nts = load_notetypes(paths.templates)
        models = nts.all()
        state_file = paths.state_for(deck, None)  # type: ignore[arg-type]  # reads .output only
        state = NoteState.load(state_file, shipping={n[0] for n in notes})  # the live notes are shipped anew
        built = build_package(deck, nts, state, notes=[(g, models[m], f, t, n, d, due, i) for g, m, f, t, n, d, due, i in notes],  # type: ignore[arg-type]  # a _Deck has what build_package reads
                              retired=[Retirement(*r) for r in retired], elsewhere=set(elsewhere))
        return {paths.out_dir(deck) / f"{deck.output}.apkg": built.data, state_file: state.dumps()}  # type: ignore[arg-type]  # the value has the attributes the callee reads

    def store(self, qset: QuestionSet, paths: Paths) -> None:
        """Remember a recipe's deck after the full path rendered and wrote it (under the key taken before it ran)."""
        from quizgen.fsutil import write_many  # noqa: PLC0415 - loaded on use, so light commands start fast
        from quizgen.outputs.anki.package import NoteState, deck_notes, load_notetypes  # noqa: PLC0415 - loaded on use, so light commands start fast
        from quizgen.project.paths import owned_elsewhere  # noqa: PLC0415 - loaded on use, so light commands start fast

        nts = load_notetypes(paths.templates)
        index = {id(m): i for i, m in enumerate(nts.all())}
        elsewhere = owned_elsewhere(qset, paths)
        specs, retired = deck_notes(qset, nts, NoteState.load(paths.state_for(qset, None), slim=True), elsewhere=elsewhere, bank=qset.bank)
        notes = [(g, index[id(m)], f, t, n, d, due, i) for g, m, f, t, n, d, due, i in specs]
        header = (qset.output, qset.deck_id, qset.deck_name, qset.title)
        with contextlib.suppress(QuizgenError, ValueError):  # a cache that cannot be written only costs speed
            write_many({self.file: marshal.dumps((self.key, header, notes, [(r.guid, r.reason, r.note) for r in retired], sorted(elsewhere)))})
