"""Question sets -> Anki packages: fixed notetypes, one sub-deck per section, stable GUIDs, honest mtimes."""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from quizgen.errors import ContentError, Problem, rel
from quizgen.rand import note_guid_for, source_date_epoch, stable_id
from quizgen.text.labels import letter_label
from quizgen.text.typography import gap_sides

if TYPE_CHECKING:  # not at run time: a cached deck is written without loading pydantic or YAML (see quizgen/project/cache.py)
    from quizgen.models import Question, QuestionSet



_SPECIAL = re.compile(r"[&<>\"'{}\n]")


def esc(text: str) -> str:
    """Plain text -> safe Anki field HTML: escaped, braces defused (no stray {{c1:: or {{Field}}), newlines kept."""
    if not _SPECIAL.search(text):
        return text  # most text needs nothing, and a deck at 100x scale escapes 1.4 million fields
    return html.escape(text, quote=True).replace("{", "&#123;").replace("}", "&#125;").replace("\n", "<br>")


# --- notetypes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notetypes:
    basic: genanki.Model
    cloze: genanki.Model
    mcq: genanki.Model
    typed: genanki.Model

    def all(self) -> list[genanki.Model]:
        return [self.basic, self.cloze, self.mcq, self.typed]


def load_notetypes(templates_dir: Path) -> Notetypes:
    """Read templates/anki/notetypes.yaml and cards.css into genanki models with their fixed IDs."""
    from quizgen.load.dataio import load_yaml  # noqa: PLC0415 - loaded on use, so light commands start fast

    path = templates_dir / "anki" / "notetypes.yaml"
    css_path = templates_dir / "anki" / "cards.css"
    data = load_yaml(path)
    css = css_path.read_text(encoding="utf-8") if css_path.exists() else ""
    models: dict[str, genanki.Model] = {}
    for nt in data["notetypes"]:
        kind = genanki.Model.CLOZE if nt["type"] == "cloze" else genanki.Model.FRONT_BACK
        model = genanki.Model(
            nt["id"], nt["name"], fields=[{"name": f} for f in nt["fields"]],
            templates=[{"name": t["name"], "qfmt": t["qfmt"].strip(), "afmt": t["afmt"].strip()} for t in nt["templates"]],
            css=css, model_type=kind, sort_field_index=0,
        )
        models[nt["name"]] = model
    by_fields = {tuple(f["name"] for f in m.fields): m for m in models.values()}
    try:
        return Notetypes(
            basic=by_fields[("Front", "Back", "ReverseFront", "ReverseBack", "Explanation", "Evidence", "Source", "QuestionID")],
            cloze=by_fields[("Text", "Explanation", "Evidence", "Source", "QuestionID")],
            mcq=by_fields[("Question", "A", "B", "C", "D", "Answer", "Explanation", "Evidence", "Source", "QuestionID")],
            typed=by_fields[("Question", "Answer", "Explanation", "Evidence", "Source", "QuestionID")],
        )
    except KeyError as exc:
        raise ContentError(Problem(rel(path), None, "notetypes", f"a notetype with fields {list(exc.args[0])} is required")) from exc


# --- notes ------------------------------------------------------------------------------------


class _Note(genanki.Note):
    """A note that writes its own modification time, so unchanged notes keep theirs across builds."""

    def __init__(self, *args: Any, mod: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.mod = mod

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


def note_guid(q: Question) -> str:
    """Stable GUID from the source, item and template IDs: never from field text."""
    return note_guid_for(q.source_id, q.item_id, q.template_id)


def _source_line(q: Question) -> str:
    return f"{q.ref.label} · 段落 {q.ref.paragraph_id} · {q.ref.speaker_name}"


def _ol(items: list[str], *, lettered: bool = False) -> str:
    if lettered:
        return "<ol>" + "".join(f"<li><b>{letter_label(i)}</b> {esc(s)}</li>" for i, s in enumerate(items)) + "</ol>"
    return "<ol>" + "".join(f"<li>{esc(s)}</li>" for s in items) + "</ol>"


def _explanation(q: Question) -> str:
    """The Explanation field: the explanation, then the note where the source is wrong (the notetypes stay as shipped)."""
    parts = [f'<div class="qg-expl-text">{esc(q.explanation)}</div>' if q.explanation else "",
             f'<div class="qg-note">注：{esc(q.note)}</div>' if q.note else ""]
    if not q.note:
        return esc(q.explanation)
    return "".join(parts)


def _typed_explanation(q: Question) -> str:
    """A typed card's Explanation: how Anki compared the answer and, where the bank accepts several, every form."""
    others = [a for a in dict.fromkeys(q.accept) if a != q.answer]
    how = "Anki 逐字比较你的输入和上面的答案，写法稍有不同也会标出差异。"
    if others:
        how += f"以下写法也算对，请自评为答对：{'、'.join(f'「{a}」' for a in others)}。"
    line = f'<div class="qg-accept">{esc(how)}</div>'
    rest = _explanation(q)
    return line + (f'<div class="qg-expl-text">{rest}</div>' if rest and not q.note else rest)


def note_fields(q: Question, nts: Notetypes) -> tuple[genanki.Model, list[str]]:
    """The notetype and field values (HTML) for one question."""
    tail = [_typed_explanation(q) if q.type == "typed" else _explanation(q), esc(q.ref.evidence), esc(_source_line(q)), esc(q.id)]
    if q.type == "cloze":
        before, blank, after = q.cloze_parts
        # spaces between the gap and Chinese go inside it: the front shows no space around […], the back reads as the source
        b, a = gap_sides(before, after)
        lead, trail = before[len(b):], after[: len(after) - len(a)]
        text = f"{esc(b)}{{{{c1::{esc(lead + blank + trail)}}}}}{esc(a)}"
        return nts.cloze, [text, *tail]
    if q.type in ("mcq", "tf", "who"):
        opts = [esc(o) for o in q.options] + [""] * (4 - len(q.options))
        assert q.correct is not None
        answer = f"{letter_label(q.correct)}. {esc(q.options[q.correct])}"
        return nts.mcq, [esc(q.prompt), *opts[:4], answer, *tail]
    if q.type == "typed":
        return nts.typed, [esc(q.prompt), esc(q.answer), *tail]
    if q.type == "order":
        front = f"{esc(q.prompt)}{_ol(list(q.options), lettered=True)}"
        back = f"<b>{esc(q.answer)}</b>{_ol(list(q.steps))}"
        return nts.basic, [front, back, "", "", *tail]
    if q.type == "reasons":
        *reasons, conclusion = q.steps
        back = f"{_ol(reasons)}<div>结论：{esc(conclusion)}</div>"
        return nts.basic, [esc(q.prompt), back, "", "", *tail]
    # basic
    return nts.basic, [esc(q.prompt), esc(q.answer), esc(q.reverse_prompt or ""), esc(q.reverse_answer or ""), *tail]


def note_tags(q: Question) -> list[str]:
    """Hierarchical tags: source, section, kind, speaker, question type, topics."""
    tags = [
        f"quizgen::source::{q.source_id}",
        f"quizgen::section::{q.ref.section_index:02d}-{q.ref.section_id}",
        f"quizgen::kind::{q.kind}",
        f"quizgen::speaker::{q.ref.speaker_id}",
        f"quizgen::type::{q.type}",
        *(f"quizgen::topic::{t}" for t in q.tags),
    ]
    return [sys.intern(t) for t in tags]  # a deck repeats a few dozen tags on every note: one copy each


# --- the state file: every note a deck has shipped ------------------------------------------

FORMAT = "quizgen-notes/2"
READABLE = ("quizgen-notes/1", FORMAT)
RETIRED_TAG = "quizgen::retired"
RETIRED_DECK = "已停用"
RETIRED_LINES = {
    "wrong": "已停用：此题有误，已从题库删除{note}。请删除本卡，不要再记。",
    "removed": "已停用：此题已从题库删除{note}。可删除或暂停本卡。",
    "replaced": "已停用：同一要点现由本牌组的另一张卡来问。可删除本卡。",
    "out": "已停用：此题已不在本牌组中{note}。可删除或暂停本卡。",
}
"""Why a note was retired -> the one line its front opens with (removed; removed because it was wrong; asked by
another card of the deck now; no longer selected by the deck, e.g. demoted to an aside)."""
LIVE_KEYS = ("hash", "mod", "model", "deck", "item", "fields", "tags")


@dataclass
class NoteState:
    """guid -> the note as last shipped (content hash, mod time, notetype, sub-deck, item, fields, tags) and, once
    the deck no longer carries it, why it was retired. Committed, so rebuilds keep unchanged notes' mod times and a
    note the deck drops is shipped once more, marked retired, with the fields the learner last got.

    quizgen-notes/1 files (hash and mod only) are read as they are; their entries gain the rest when next shipped.
    """

    entries: dict[str, dict[str, Any]]
    deck_id: int = 0
    """The deck this state belongs to (0: unknown, a quizgen-notes/1 file)."""
    generated: bool = False
    """A generated set's deck (from-anki, generate), not a recipe's: recipes keep shared notes first."""

    @classmethod
    def load(cls, path: Path, *, slim: bool = False, shipping: Collection[str] = ()) -> NoteState:
        """The state at `path` (none yet: empty). `slim`: each entry's fields and tags read as () (what a state holds
        and how each note stands, for ownership and retirements, in a tenth of the memory; not for shipping).
        `shipping`: the GUIDs the deck ships live now, whose old fields and tags `shipped` replaces: read as () too."""
        if not path.exists():
            return cls({})
        try:
            from quizgen.load.dataio import STATE_BYTES, read_capped  # noqa: PLC0415 - the deck path starts light

            raw = read_capped(path, STATE_BYTES)
            data = _state_lines(raw, lambda guid: slim or guid in shipping)
            if data is None:  # not laid out as `dumps` writes it (edited by hand, merged): parsed whole
                data = json.loads(raw.decode("utf-8"), object_hook=slim_entry if slim else None)
            del raw
            if data.get("format", READABLE[0]) not in READABLE:
                raise ValueError(f"unknown format {data.get('format')!r}")
            notes = dict(data["notes"])
            for entry in notes.values():  # every note repeats its sub-deck and tags: one copy of each (~1/4 of the state)
                if isinstance(entry.get("deck"), str):
                    entry["deck"] = sys.intern(entry["deck"])
                if isinstance(entry.get("tags"), list):
                    entry["tags"] = [sys.intern(t) if isinstance(t, str) else t for t in entry["tags"]]
            return cls(notes, deck_id=int(data.get("deck_id", 0)), generated=bool(data.get("generated", False)))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ContentError(Problem(rel(path), None, "notes", f"unreadable note state ({exc}); delete it to start fresh (re-imports will then update every note once)")) from exc

    def live(self) -> set[str]:
        """The GUIDs this deck ships as live notes (a quizgen-notes/1 file: every note it remembers)."""
        return {g for g, e in self.entries.items() if "retired" not in e and "elsewhere" not in e}

    def mod_for(self, guid: str, digest: str, now: int) -> int:
        entry = self.entries.get(guid)
        if entry and entry.get("hash") == digest:
            return int(entry["mod"])
        mod = max(now, int(entry["mod"]) + 1) if entry else now
        self.entries[guid] = {**(entry or {}), "hash": digest, "mod": mod}
        return mod

    def shipped(self, guid: str, model: int, fields: list[str], tags: list[str], deck: str, item: tuple[str, str, str]) -> None:
        """Remember a live note as shipped: its fields are what a later retired copy shows."""
        entry = self.entries[guid]
        entry.pop("retired", None)
        entry.pop("elsewhere", None)
        entry.update(model=model, deck=deck, item="/".join(item), fields=fields, tags=tags)

    def dumps(self) -> bytes:
        """The state file, UTF-8: one line per note (sorted) for reviewable diffs, by the C JSON encoder, each line
        encoded as it is made (a 68,400-note state is 67 MB: the text is never held twice over)."""
        enc = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
        head = f'{{\n "format": "{FORMAT}",\n "deck_id": {self.deck_id},\n'
        if self.generated:
            head += ' "generated": true,\n'
        if not self.entries:
            return (head + ' "notes": {}\n}\n').encode("utf-8")
        out = io.BytesIO()
        out.write((head + ' "notes": {\n').encode())
        sep = b""
        for g in sorted(self.entries):
            out.write(sep + f"  {enc(g)}: {enc(self.entries[g])}".encode())
            sep = b",\n"
        out.write(b"\n }\n}\n")
        return out.getvalue()


_HEAD = re.compile(rb' "(format|deck_id|generated)": ("[^"\\]*"|-?\d+|true|false),')


def _state_lines(data: bytes, drop: Callable[[str], bool]) -> dict[str, Any] | None:
    """A state file laid out as `dumps` writes it, read a line at a time (never the whole text decoded at once: a
    68,400-note state is 67 MB), with `drop`ped GUIDs' fields and tags read as (); None if any line differs from that
    layout, or the JSON is not valid: then the caller parses the whole text (and reports what is wrong)."""
    if not data.endswith(b"\n"):
        return None
    lines = _lines(data)
    if next(lines, None) != b"{":
        return None
    out: dict[str, Any] = {}
    for line in lines:
        if line in (b' "notes": {}', b' "notes": {'):
            break
        m = _HEAD.fullmatch(line)
        if m is None or m.group(1).decode() in out:
            return None
        out[m.group(1).decode()] = json.loads(m.group(2))
    else:
        return None
    notes: dict[str, Any] = {}
    if line == b' "notes": {':
        for line in lines:
            last = not line.endswith(b",")
            try:
                one = json.loads(b"{" + (line if last else line[:-1]) + b"}")
            except ValueError:
                return None
            if not line.startswith(b'  "') or len(one) != 1:
                return None
            ((guid, entry),) = one.items()
            if isinstance(entry, dict) and drop(guid):
                slim_entry(entry)
            notes[guid] = entry
            if last:
                break
        else:
            return None
        if list(lines) != [b" }", b"}"]:
            return None
    elif list(lines) != [b"}"]:
        return None
    out["notes"] = notes
    return out


def _lines(data: bytes) -> Iterator[bytes]:
    """The newline-ended lines of `data`, one slice at a time."""
    pos = 0
    while (end := data.find(b"\n", pos)) >= 0:
        yield data[pos:end]
        pos = end + 1


def slim_entry(obj: dict[str, Any]) -> dict[str, Any]:
    """A state entry without its fields' and tags' values (json's object_hook: each one is dropped as it is read)."""
    if "hash" in obj:
        for key in ("fields", "tags"):
            if key in obj:
                obj[key] = ()
    return obj


@dataclass(frozen=True)
class Retirement:
    guid: str
    reason: str
    """A key of RETIRED_LINES."""
    note: str = ""
    """Why, in the bank's words (retired.yaml), shown on the card."""


def retirements(state: NoteState, live: set[str], *, elsewhere: set[str], bank: dict[str, str] | None,
                set_items: set[str]) -> tuple[list[Retirement], set[str]]:
    """Notes the state remembers but the deck no longer ships, each with its reason, and the GUIDs another deck
    ships now (left alone: retiring them here would move the other deck's cards on every import).

    `bank`: "<source>/<item>" -> "" for an item in the bank, "wrong: note" / "removed: note" for one withdrawn
    (retired.yaml); None when unknown (a generated set read from its file): then every reason is "out".
    Entries of quizgen-notes/1 files that were never shipped since carry no fields and cannot be retired.
    """
    out, away = [], set()
    for guid, entry in sorted(state.entries.items()):
        if guid in live:
            continue
        if guid in elsewhere:
            away.add(guid)
            continue
        if "fields" not in entry:
            continue
        source, item, _ = str(entry["item"]).split("/")
        key = f"{source}/{item}"
        status = bank.get(key) if bank is not None else ""
        if bank is None or status == "":
            reason, note = ("replaced", "") if key in set_items else ("out", "")
        elif status is None:
            reason, note = "removed", ""
        else:
            reason, _, note = status.partition(":")
            note = note.strip()
        out.append(Retirement(guid, reason, note))
    return out, away


def retired_fields(fields: list[str], field_names: list[str], r: Retirement) -> list[str]:
    """The note's last shipped fields, its front (and reverse front) opening with the one line that says why."""
    note = f"（{esc(r.note)}）" if r.note else ""
    line = f'<div class="qg-retired" style="color:#b00020;font-weight:bold">{RETIRED_LINES[r.reason].format(note=note)}</div>'
    out = list(fields)
    for i, name in enumerate(field_names):
        if i == 0 or (name == "ReverseFront" and out[i]):
            out[i] = line + out[i]
    return out


# --- package ----------------------------------------------------------------------------------


def deck_name_for(qset: QuestionSet, q: Question) -> str:
    sub = f"{q.ref.section_index:02d} {q.ref.deck_title or q.ref.section_title}"
    if len(qset.sources) > 1:
        return f"{qset.deck_name}::{q.ref.source_title}::{sub}"
    return f"{qset.deck_name}::{sub}"


@dataclass(frozen=True)
class BuiltDeck:
    data: bytes
    """The .apkg file's bytes."""
    timestamp: int
    notes: int


Spec = tuple[str, genanki.Model, list[str], list[str], str, str, int, str]
"""(guid, model, fields, tags, deck name, content hash, due, "<source>/<item>/<template>") of one live note."""


def deck_guid(q: Question, deck_id: int, elsewhere: Collection[str]) -> str:
    """The note's GUID in this deck: the shared one (`note_guid`), unless another deck owns that note; then one of this
    deck's own, so importing either deck never moves the other's cards (see docs/how-to/anki-upgrades.md)."""
    guid = note_guid(q)
    return note_guid_for(q.source_id, q.item_id, q.template_id, deck=deck_id) if guid in elsewhere else guid


def note_specs(qset: QuestionSet, nts: Notetypes, elsewhere: Collection[str] = ()) -> list[Spec]:
    """One spec per live note, in interview order."""
    out: list[Spec] = []
    seen: set[str] = set()
    for due, q in enumerate(qset.questions, start=1):
        guid = deck_guid(q, qset.deck_id, elsewhere)
        if guid in seen:
            continue
        seen.add(guid)
        model, fields = note_fields(q, nts)
        tags = note_tags(q)
        name = deck_name_for(qset, q)
        # the item's digest too: an edit that shows on no field of this card still reaches the learner's note
        digest = hashlib.sha256(json.dumps([model.model_id, fields, tags, name, q.item_digest], ensure_ascii=False).encode()).hexdigest()
        out.append((guid, model, fields, tags, name, digest, due, f"{q.source_id}/{q.item_id}/{q.template_id}"))
    return out


def deck_notes(qset: QuestionSet, nts: Notetypes, state: NoteState, *, elsewhere: Collection[str] = (),
               bank: dict[str, str] | None = None, notes: list[Spec] | None = None) -> tuple[list[Spec], list[Retirement]]:
    """The deck's live notes (`notes`, when already made: `note_specs`) and the notes it retires (see `retirements`)."""
    if notes is None:
        notes = note_specs(qset, nts, elsewhere)
    retired, _ = retirements(state, {n[0] for n in notes}, elsewhere=set(elsewhere), bank=bank,
                             set_items={n[7].rsplit("/", 1)[0] for n in notes} | qset.covered)
    return notes, retired


def build_package(qset: QuestionSet, nts: Notetypes, state: NoteState, *, now: int | None = None,
                  notes: Iterable[Spec] | None = None, retired: Iterable[Retirement] | None = None,
                  elsewhere: Collection[str] = (), bank: dict[str, str] | None = None) -> BuiltDeck:
    """The .apkg for a set: notes in interview order, one sub-deck per section, mod times from the state file; then
    the notes the deck no longer carries, once more, retired (see `retirements`), suspended.

    `notes`, `retired`: the set's `deck_notes`, when already known (a cached deck: then only the set's deck id, deck
    name and title are read). Notes are streamed into genanki's SQLite file (never all held at once), and its temp
    folder is always removed. `state` is updated to what the package ships.
    """
    if now is None:
        # SOURCE_DATE_EPOCH makes a rebuild reproducible; an edited note still moves forward (see NoteState.mod_for)
        epoch = source_date_epoch()
        now = epoch if epoch is not None else int(time.time())
    if notes is None or retired is None:
        notes, retired = deck_notes(qset, nts, state, elsewhere=elsewhere, bank=bank)
    state.deck_id = qset.deck_id
    parent = genanki.Deck(qset.deck_id, qset.deck_name, description=f"{qset.title}（由 quizgen 生成）")
    decks: dict[str, genanki.Deck] = {}
    models = {int(m.model_id): m for m in nts.all()}
    with tempfile.TemporaryDirectory(prefix="quizgen-") as tmp:
        db = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db)
        try:
            cursor = conn.cursor()
            # a throwaway file: no journal and no fsync (each of the schema's statements would otherwise sync the disk)
            cursor.execute("PRAGMA journal_mode = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.executescript(APKG_SCHEMA)
            cursor.executescript(APKG_COL)
            # One pass over the notes. Each note's mod time comes from the state file, but note and card ids count up
            # from the package's timestamp, the newest mod time, known only after the last note: ids are counted
            # from 0 here and shifted once at the end (the same ids as counting from the timestamp, never colliding).
            id_gen = itertools.count(0)
            stamp, count, live = None, 0, set()

            def write(guid: str, model: genanki.Model, fields: list[str], tags: list[str], name: str, digest: str, due: int) -> None:
                nonlocal stamp, count
                mod = state.mod_for(guid, digest, now)
                stamp = mod if stamp is None else max(stamp, mod)
                count += 1
                deck = parent if name == qset.deck_name else decks.get(name)
                if deck is None:
                    deck = decks[name] = genanki.Deck(stable_id(f"{qset.deck_id}::{name}"), name)
                _Note(model=model, fields=fields, tags=tags, guid=guid, due=due, mod=mod).write_to_db(cursor, mod, deck.deck_id, id_gen)

            last_due = 0
            for guid, model, fields, tags, name, digest, due, item in notes:
                write(guid, model, fields, tags, name, digest, due)
                state.shipped(guid, int(model.model_id), fields, tags, name, tuple(item.split("/")))  # type: ignore[arg-type]  # three parts
                live.add(guid)
                last_due = max(last_due, due)
            for n, r in enumerate(retired, start=last_due + 1):
                entry = state.entries[r.guid]
                model = models.get(int(entry["model"]))
                if model is None:
                    continue  # a notetype no longer shipped: its note cannot be updated without a copy of the notetype
                fields = retired_fields(list(entry["fields"]), [f["name"] for f in model.fields], r)
                tags = [*entry["tags"], RETIRED_TAG]
                name = f"{qset.deck_name}::{RETIRED_DECK}"
                digest = hashlib.sha256(json.dumps([model.model_id, fields, tags, name, r.reason], ensure_ascii=False).encode()).hexdigest()
                write(r.guid, model, fields, tags, name, digest, n)
                state.entries[r.guid]["retired"] = r.reason
            for guid, entry in state.entries.items():
                if guid not in live and "retired" not in entry and guid in elsewhere:
                    entry["elsewhere"] = True  # another deck ships it now: not retired here, not live here either
            # retired cards arrive suspended where the learner imports scheduling too (see docs/how-to/anki-upgrades.md)
            cursor.execute("UPDATE cards SET queue = -1 WHERE nid IN (SELECT id FROM notes WHERE tags LIKE ?)", (f"% {RETIRED_TAG} %",))
            stamp = now if stamp is None else stamp
            base = stamp * 1000
            cursor.execute("UPDATE notes SET id = id + ?", (base,))
            cursor.execute("UPDATE cards SET id = id + ?, nid = nid + ?", (base, base))
            id_gen = itertools.count(base + next(id_gen))
            # decks and notetypes last; the parent is written last so notetypes default to it
            for deck in [*decks.values(), parent]:
                for model in nts.all():
                    deck.add_model(model)
                deck.write_to_db(cursor, stamp, id_gen)
            conn.commit()
        finally:
            conn.close()
        out = Path(tmp) / "deck.apkg"
        # members dated by the package's own stamp, not the temp file's mtime: the same deck gives the same bytes
        when = time.gmtime(min(max(stamp, 315532800), 4354819199))[:6]  # zip dates run from 1980 to 2107
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            # the collection streamed in (at 100x scale it is tens of MB: never held whole)
            member = zipfile.ZipInfo("collection.anki2", date_time=when)
            member.compress_type = zipfile.ZIP_DEFLATED
            with db.open("rb") as src, zf.open(member, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            zf.writestr(zipfile.ZipInfo("media", date_time=when), b"{}", compress_type=zipfile.ZIP_DEFLATED)
        return BuiltDeck(data=out.read_bytes(), timestamp=stamp, notes=count)
