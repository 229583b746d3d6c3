"""Read an Anki collection without ever writing to it: copy it (and its -wal) to a temp folder, open the copy read-only.

Accepts `collection.anki2` / `.anki21` (Anki's profile folder, or that folder itself) and exported `.colpkg` files
(a zip holding `collection.anki21b`, zstd-compressed, or `collection.anki21` / `collection.anki2`). The AGPL `anki`
package is never imported: the tables are read with sqlite3.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from quizgen.errors import Problem, QuizgenError, rel

SQLITE_MAGIC = b"SQLite format 3\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
PACKAGE_MEMBERS = ("collection.anki21b", "collection.anki21", "collection.anki2")
"""Newest format first: Anki 2.1.50+ exports also carry a dummy `collection.anki2` that only says "please update"."""
REQUIRED_TABLES = {"col", "notes", "cards", "revlog"}
FIELD_SEPARATOR = "\x1f"
MAX_CARD_DATA = 10_000
"""A card's `data` longer than this (Anki keeps a few dozen characters) is not read: its FSRS memory is replayed."""
ANKI_HINT = "pass the collection.anki2 from your Anki profile folder, or a .colpkg made by File > Export"


class CollectionError(QuizgenError):
    """The collection cannot be read, or holds nothing of ours."""


def collection_problem(path: Path, message: str) -> CollectionError:
    return CollectionError(Problem(rel(path), None, "collection", message))


@dataclass(frozen=True, slots=True)
class NoteRow:
    id: int
    guid: str
    mid: int
    """The notetype id."""
    fields: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CardRow:
    id: int
    nid: int
    ord: int
    type: int
    """0 new, 1 learning, 2 review, 3 relearning."""
    queue: int
    ivl: int
    """Days for review cards."""
    factor: int
    """SM-2 ease factor in permille (2500 = 250 %); 0 for new cards."""
    reps: int
    lapses: int
    difficulty: float | None
    """FSRS difficulty (1-10) when the learner uses FSRS, else None."""
    stability: float | None = None
    """FSRS stability in days, as Anki's scheduler keeps it (with the learner's own parameters), else None."""
    decay: float | None = None
    """The FSRS-6 forgetting curve's decay Anki keeps with the card (its parameters' last one), else None."""
    last_review_s: int | None = None
    """When Anki last counted an answer to the card (seconds), if it keeps that, else None."""


@dataclass(frozen=True, slots=True)
class Review:
    card_id: int
    time_ms: int
    """When it was answered: the review log's id is its time in milliseconds."""
    ease: int
    """1 Again, 2 Hard, 3 Good, 4 Easy; 0 for manual changes (reschedule, reset), which are not answers."""
    kind: int = 1
    """The review log's type: 0 learning, 1 review, 2 relearning, 3 filtered deck, 4 manual, 5 rescheduled."""
    last_ivl: int = 0
    """The card's interval before this answer: days when positive, seconds (negative) while learning."""
    ivl: int = 0
    """The interval this answer gave: days when positive, seconds (negative) while learning."""


@dataclass(frozen=True)
class CollectionData:
    """The notes a caller asked for, their cards and the review log of those cards."""

    path: Path
    notes: list[NoteRow]
    cards: list[CardRow]
    reviews: list[Review]
    field_names: dict[int, tuple[str, ...]]
    """Notetype id -> its field names in order."""


NoteFilter = Callable[[str, int, tuple[str, ...], dict[int, tuple[str, ...]]], bool]
"""(guid, notetype id, tags, field names per notetype) -> is this note wanted?"""


def read_collection(path: Path, wanted: NoteFilter) -> CollectionData:
    """Read the wanted notes, their cards and reviews from a copy of the collection; raise one clear error if unreadable."""
    with open_copy(path) as db:
        try:
            return _read(db, path, wanted)
        except sqlite3.DatabaseError as exc:
            raise _sqlite_problem(path, exc) from None


@contextlib.contextmanager
def open_copy(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a private copy of the collection; the copy is removed afterwards."""
    source = _locate(path)
    with tempfile.TemporaryDirectory(prefix="quizgen-anki-") as tmp:
        copy = _unpack(source, Path(tmp), path)
        try:
            db = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise _sqlite_problem(path, exc) from None
        try:
            _check_schema(db, path)
            yield db
        finally:
            db.close()


def _locate(path: Path) -> Path:
    """The file to read: the path itself, or the collection inside a profile folder."""
    if path.is_dir():
        for name in ("collection.anki2", "collection.anki21"):
            if (path / name).is_file():
                return path / name
        raise collection_problem(path, f"a folder without collection.anki2; {ANKI_HINT}")
    if not path.exists():
        raise collection_problem(path, f"file not found; {ANKI_HINT}")
    if not path.is_file():
        raise collection_problem(path, f"not a regular file; {ANKI_HINT}")
    return path


def _unpack(source: Path, tmp: Path, shown: Path) -> Path:
    """Copy the collection (SQLite file + -wal, or the package's collection) into tmp; return the SQLite copy."""
    head = _head(source, shown)
    target = tmp / "collection.sqlite"
    try:
        if head.startswith(SQLITE_MAGIC):
            shutil.copyfile(source, target)
            # Anki keeps recent changes in the write-ahead log until it closes: without it, today's reviews are missing
            wal = source.with_name(source.name + "-wal")
            if wal.is_file():
                shutil.copyfile(wal, tmp / "collection.sqlite-wal")
            return target
        if head.startswith(ZSTD_MAGIC):
            with source.open("rb") as fh:
                _unzstd(fh, target, shown)
            return target
        if head.startswith(b"PK") and zipfile.is_zipfile(source):
            _from_package(source, target, shown)
            return target
    except OSError as exc:
        raise collection_problem(shown, f"cannot read it ({exc.strerror or exc}); if Anki or a sync holds it, close Anki or copy the file elsewhere first") from None
    raise collection_problem(shown, f"not an Anki collection (neither SQLite nor a .colpkg zip); {ANKI_HINT}")


def _head(source: Path, shown: Path) -> bytes:
    try:
        with source.open("rb") as fh:
            return fh.read(16)
    except OSError as exc:
        raise collection_problem(shown, f"cannot read it ({exc.strerror or exc}); check its permissions, or close Anki and retry") from None


def _from_package(source: Path, target: Path, shown: Path) -> None:
    try:
        with zipfile.ZipFile(source) as zf:
            names = set(zf.namelist())
            _refuse_newer(zf, names, shown)
            member = next((m for m in PACKAGE_MEMBERS if m in names), None)
            if member is None:
                raise collection_problem(shown, f"a zip without collection.anki21b, collection.anki21 or collection.anki2; {ANKI_HINT}")
            with zf.open(member) as fh:
                if member.endswith("b"):
                    _unzstd(fh, target, shown)
                else:
                    with target.open("wb") as out:
                        _copy_collection(fh, out, shown)
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as exc:
        raise collection_problem(shown, f"a damaged .colpkg ({exc}); export the collection again") from None


NEWEST_PACKAGE = 3
"""The newest package version quizgen reads (Anki's `meta` member: 1 and 2 legacy, 3 the zstd collection.anki21b)."""
NEWER_ANKI = ("made by a newer Anki than quizgen reads; update quizgen (its `anki` package), or export again from Anki "
              "with File > Export, ticking 'Support older Anki versions'")


def _refuse_newer(zf: zipfile.ZipFile, names: set[str], shown: Path) -> None:
    """A package of a later format: a collection member of a name quizgen does not know, or a `meta` whose version is
    newer. Its `collection.anki2` is then only Anki's dummy ("please update"), which would read as an unstudied deck."""
    unknown = sorted(n for n in names if n.startswith("collection.") and n not in PACKAGE_MEMBERS)
    if unknown:
        raise collection_problem(shown, f"its collection is {unknown[0]}, a format {NEWER_ANKI}")
    if "meta" in names:
        meta = zf.read("meta")[:16] if zf.getinfo("meta").file_size <= 4096 else b""
        if len(meta) >= 2 and meta[0] == 0x08 and meta[1] > NEWEST_PACKAGE:  # field 1 (version), a small varint
            raise collection_problem(shown, f"package version {meta[1]}, {NEWER_ANKI}")


def _unzstd(fh: IO[bytes], target: Path, shown: Path) -> None:
    import zstandard  # noqa: PLC0415 - only packages of Anki 2.1.50+ need it

    try:
        with target.open("wb") as out, zstandard.ZstdDecompressor().stream_reader(fh) as reader:
            _copy_collection(reader, out, shown)
    except zstandard.ZstdError as exc:
        raise collection_problem(shown, f"the compressed collection inside is damaged ({exc}); export the collection again") from None


def _copy_collection(source: IO[bytes], out: IO[bytes], shown: Path) -> None:
    """Decompress a packaged collection, refusing at once what is no SQLite file and, past the limit, a bomb."""
    from quizgen.load.dataio import COLLECTION_BYTES, copy_capped  # noqa: PLC0415

    head = source.read(100)
    if not head.startswith(SQLITE_MAGIC):
        raise collection_problem(shown, f"the collection inside the package is not an SQLite file; {ANKI_HINT}")
    cap = COLLECTION_BYTES.value()
    declared = _declared_size(head)
    if copy_capped(source, out, min(cap, declared or cap), first=head) > min(cap, declared or cap):
        if declared and declared < cap:
            raise collection_problem(shown, f"the collection inside the package is longer than its own header says ({declared} bytes); export the collection again")
        raise collection_problem(shown, f"the collection inside the package unpacks to more than {cap} bytes; {COLLECTION_BYTES.hint()}")


def _declared_size(head: bytes) -> int:
    """The database size an SQLite header states (page size x page count), 0 when it states none that is valid."""
    if len(head) < 100 or head[24:28] != head[92:96]:  # the count is valid only when written by the last change
        return 0
    page = int.from_bytes(head[16:18], "big")
    return (65536 if page == 1 else page) * int.from_bytes(head[28:32], "big")


def _check_schema(db: sqlite3.Connection, shown: Path) -> None:
    try:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise _sqlite_problem(shown, exc) from None
    missing = REQUIRED_TABLES - tables
    if missing:
        raise collection_problem(shown, f"a SQLite database but not an Anki collection (no {', '.join(sorted(missing))} table); {ANKI_HINT}")


def _sqlite_problem(shown: Path, exc: sqlite3.Error) -> CollectionError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return collection_problem(shown, f"the collection is locked ({text}); close Anki or wait for its sync to finish, then retry")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return collection_problem(shown, f"a damaged or incomplete collection ({text}); if Anki was writing it, retry, else use Tools > Check Database in Anki")
    return collection_problem(shown, f"cannot read the collection ({text})")


# --- the tables -------------------------------------------------------------------------------


def _read(db: sqlite3.Connection, path: Path, wanted: NoteFilter) -> CollectionData:
    names = field_names(db)
    notes = []
    for nid, guid, mid, tags, flds in db.execute("select id, guid, mid, tags, flds from notes order by id"):
        tag_tuple = tuple(tags.split())
        if wanted(guid, mid, tag_tuple, names):
            notes.append(NoteRow(id=nid, guid=guid, mid=mid, fields=tuple(flds.split(FIELD_SEPARATOR)), tags=tag_tuple))
    db.execute("create temp table wanted_notes (id integer primary key)")
    db.executemany("insert into temp.wanted_notes values (?)", [(n.id,) for n in notes])
    has_data = "data" in {r[1] for r in db.execute("pragma table_info(cards)")}
    rows = db.execute(
        f"select id, nid, ord, type, queue, ivl, factor, reps, lapses, {'data' if has_data else 'null'} from cards "  # noqa: S608 - a fixed column name, no input
        "where nid in (select id from temp.wanted_notes) order by id")
    cards = [CardRow(*row[:9], **_fsrs_state(row[9])) for row in rows]
    reviews = [Review(*row) for row in db.execute(
        "select r.cid, r.id, r.ease, r.type, r.lastIvl, r.ivl from revlog r join cards c on c.id = r.cid "
        "where c.nid in (select id from temp.wanted_notes) order by r.id")]
    return CollectionData(path=path, notes=notes, cards=cards, reviews=reviews, field_names=names)


def field_names(db: sqlite3.Connection) -> dict[int, tuple[str, ...]]:
    """Notetype id -> field names: from the `fields` table (Anki 2.1.28+) or the legacy JSON in `col.models`."""
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    out: dict[int, list[str]] = {}
    if "fields" in tables:
        for ntid, _, name in db.execute("select ntid, ord, name from fields order by ntid, ord"):
            out.setdefault(ntid, []).append(name)
    else:
        row = db.execute("select models from col").fetchone()
        try:
            models = json.loads(row[0]) if row and row[0] else {}
        except (TypeError, ValueError):
            models = {}
        for mid, model in models.items() if isinstance(models, dict) else ():
            flds = model.get("flds", []) if isinstance(model, dict) else []
            out[int(mid)] = [f.get("name", "") for f in sorted(flds, key=lambda f: f.get("ord", 0))]
    return {k: tuple(v) for k, v in out.items()}


def _fsrs_state(data: object) -> dict[str, Any]:
    """The FSRS memory Anki keeps in a card's `data` ({"s": stability, "d": difficulty, "decay": …, "lrt": seconds})
    when the learner uses FSRS; missing or malformed values are None."""
    out: dict[str, Any] = {"difficulty": None, "stability": None, "decay": None, "last_review_s": None}
    if not isinstance(data, str) or not data.startswith("{") or len(data) > MAX_CARD_DATA:
        return out
    try:
        state = json.loads(data)
    except ValueError:
        return out
    if not isinstance(state, dict):
        return out

    def number(key: str, low: float, high: float) -> float | None:
        value = state.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value) if low <= value <= high else None

    out["difficulty"] = number("d", 1, 10)
    out["stability"] = number("s", 1e-3, 1e6)
    out["decay"] = number("decay", 0.01, 1)
    lrt = number("lrt", 1, 1e11)
    out["last_review_s"] = int(lrt) if lrt is not None else None
    return out
