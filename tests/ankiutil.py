"""A real Anki collection for tests: import packages, review cards, read notes back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
from anki.scheduler.v3 import CardAnswer


@dataclass(frozen=True)
class ImportLog:
    new: int
    updated: int
    duplicate: int
    conflicting: int
    first_field_match: int
    missing_notetype: int


class AnkiCollection:
    """A fresh collection in a temp folder, importing packages the way Anki desktop does by default."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.col = Collection(str(folder / "collection.anki2"))

    def close(self) -> None:
        self.col.close()

    def import_apkg(self, path: Path) -> ImportLog:
        options = ImportAnkiPackageOptions(
            merge_notetypes=False,
            update_notes=IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            update_notetypes=IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            with_scheduling=False,
            with_deck_configs=False,
        )
        log = self.col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options)).log
        return ImportLog(new=len(log.new), updated=len(log.updated), duplicate=len(log.duplicate),
                         conflicting=len(log.conflicting), first_field_match=len(log.first_field_match),
                         missing_notetype=len(log.missing_notetype))

    def notes(self) -> dict[str, object]:
        return {self.col.get_note(nid).guid: self.col.get_note(nid) for nid in self.col.find_notes("")}

    def card_ids(self) -> list[int]:
        return list(self.col.find_cards(""))

    def review_first_card(self, guid: str) -> int:
        """Answer the first card of the note with this GUID as Good; return the card id."""
        nid = next(n for n in self.col.find_notes("") if self.col.get_note(n).guid == guid)
        card = self.col.get_card(self.col.card_ids_of_note(nid)[0])
        card.start_timer()
        states = self.col._backend.get_scheduling_states(card.id)
        self.col.sched.answer_card(self.col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD))
        return card.id

    def schedule(self, card_id: int) -> tuple[int, int, int, int, int]:
        c = self.col.get_card(card_id)
        return (c.type, c.queue, c.due, c.ivl, c.reps)

    def notetype_names(self) -> list[str]:
        return sorted(nt.name for nt in self.col.models.all_names_and_ids())

    def deck_names(self) -> list[str]:
        return sorted(d.name for d in self.col.decks.all_names_and_ids())
