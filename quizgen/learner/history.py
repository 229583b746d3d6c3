"""A collection's cards from quizgen decks, each tied to its bank item and question template, with its review log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from quizgen.errors import QuizgenError
from quizgen.learner.collection import CardRow, CollectionData, NoteRow, Review, collection_problem, read_collection
from quizgen.load.content import BankItem, Content
from quizgen.models import QuestionTemplate
from quizgen.rand import note_guid_for

QUESTION_ID_FIELD = "QuestionID"
SOURCE_TAG = "quizgen::source::"
RETIRED_TAG = "quizgen::retired"


@dataclass(frozen=True, slots=True)
class CardHistory:
    """One card of ours: which item and question template it asks, its scheduling state and its answers."""

    card: CardRow
    item: BankItem
    template_id: str
    reviews: tuple[Review, ...]
    """Answers only (ease 1-4), oldest first; manual reschedules are left out."""
    retired: bool = False
    """Its note is tagged quizgen::retired: no deck carries it any more."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.item.source_id, self.item.id)


@dataclass(frozen=True)
class History:
    path: Path
    cards: list[CardHistory]
    skipped_notes: int
    """Notes from quizgen decks whose item is no longer in the bank (or whose source is not loaded)."""


def known_guids(content: Content, templates: dict[str, QuestionTemplate]) -> dict[str, tuple[str, str, str]]:
    """GUID -> (source, item, template) for every question any template could make from the bank (no generation needed)."""
    out: dict[str, tuple[str, str, str]] = {}
    for loaded in content.sources.values():
        for item in loaded.items:
            for tpl in templates.values():
                if tpl.kind == item.kind:
                    out[note_guid_for(loaded.id, item.id, tpl.id)] = (loaded.id, item.id, tpl.id)
    return out


def notetype_ids(templates_dir: Path) -> set[int]:
    """The fixed ids of the notetypes quizgen fills (none if notetypes.yaml is missing or unsound: `check` reports it)."""
    from quizgen.outputs.anki.package import load_notetypes  # noqa: PLC0415 - the one notetypes reader; genanki only here

    try:
        return {int(m.model_id) for m in load_notetypes(templates_dir).all()}
    except (QuizgenError, OSError, KeyError, TypeError, ValueError):
        return set()


def load_history(path: Path, *, content: Content, templates: dict[str, QuestionTemplate], templates_dir: Path,
                 include_retired: bool = False) -> History:
    """Read the collection's notes from quizgen decks and tie each card to its bank item; one clear error if none.

    Cards of retired notes (quizgen::retired) are left out unless `include_retired`: no shipped deck asks them, so
    neither `from-anki` nor `progress` should send the learner back to them."""
    guids = known_guids(content, templates)
    ours = notetype_ids(templates_dir)

    def wanted(guid: str, mid: int, tags: tuple[str, ...], names: dict[int, tuple[str, ...]]) -> bool:
        # by GUID (the stable identity), by our fixed notetype ids, or by a QuestionID field on a quizgen-tagged note
        return (guid in guids or mid in ours
                or (QUESTION_ID_FIELD in names.get(mid, ()) and any(t.startswith("quizgen::") for t in tags)))

    data = read_collection(path, wanted)
    if not data.notes:
        raise collection_problem(path, "no notes from quizgen decks in this collection; import a deck made by `quizgen anki` or "
                             "`quizgen build` and study it first")
    items = {(it.source_id, it.id): it for loaded in content.sources.values() for it in loaded.items}
    resolved: dict[int, tuple[BankItem, str]] = {}
    for note in data.notes:
        key = guids.get(note.guid) or _from_fields(note, data, content)
        if key and (key[0], key[1]) in items:
            resolved[note.id] = (items[(key[0], key[1])], key[2])
    skipped = len(data.notes) - len(resolved)
    if not resolved:
        raise collection_problem(path, f"{len(data.notes)} note(s) from quizgen decks, but none asks an item of the bank in "
                             f"{content.root}; pass --content with the content the decks were built from")
    answers = _answers(data.reviews)
    retired = {n.id for n in data.notes if RETIRED_TAG in n.tags}
    cards = [CardHistory(card=c, item=resolved[c.nid][0], template_id=resolved[c.nid][1], reviews=tuple(answers.get(c.id, ())),
                         retired=c.nid in retired)
             for c in data.cards if c.nid in resolved]
    if not include_retired:
        cards = [c for c in cards if not c.retired]
    return History(path=path, cards=cards, skipped_notes=skipped)


def _from_fields(note: NoteRow, data: CollectionData, content: Content) -> tuple[str, str, str] | None:
    """(source, item, template) from the QuestionID field (`<item id>:<template id>`) and the source tag."""
    names = data.field_names.get(note.mid, ())
    if QUESTION_ID_FIELD not in names:
        return None
    index = names.index(QUESTION_ID_FIELD)
    if index >= len(note.fields) or note.fields[index].count(":") != 1:
        return None
    item_id, template_id = note.fields[index].strip().split(":")
    tagged = [t[len(SOURCE_TAG):] for t in note.tags if t.startswith(SOURCE_TAG)]
    candidates = tagged or [sid for sid, loaded in content.sources.items() if any(it.id == item_id for it in loaded.items)]
    return (candidates[0], item_id, template_id) if len(candidates) == 1 else None


def _answers(reviews: Iterable[Review]) -> dict[int, list[Review]]:
    out: dict[int, list[Review]] = {}
    for r in reviews:
        if 1 <= r.ease <= 4:
            out.setdefault(r.card_id, []).append(r)
    return out
