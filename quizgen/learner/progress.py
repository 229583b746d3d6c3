"""How far a learner is through each source: per section, key point and importance, from their Anki collection.

- **total**: cards of quizgen notes in the collection whose item belongs to the group;
- **seen**: those answered at least once (any review-log answer, ease 1-4);
- **mature**: review cards with an interval of 21 days or more (Anki's own definition);
- **retention**: over the last 30 days, the share of answers that were not Again (ease 2-4 of ease 1-4);
- **most failed**: the group's items with the most Again presses (ranked as `from-anki` ranks them, all history).

Key points come from `content/<source>/keypoints.yaml` (`keypoints: [{id, text, paragraphs}]`). An item belongs to
the key point it names (`keypoint:`); an item naming none belongs to every key point whose paragraphs it cites.
Without that file, a source shows sections only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from quizgen.errors import rel
from quizgen.learner.history import CardHistory, History, load_history
from quizgen.learner.rank import DAY_MS, ItemFailures, current_ms, rank_failures
from quizgen.load.content import BankItem, Content, LoadedSource, load_content, load_templates
from quizgen.models import KeyPoint

RETENTION_DAYS = 30
MATURE_DAYS = 21
TOP_FAILED = 3
IMPORTANCE = (("core", "核心"), ("detail", "细节"), ("aside", "旁支"))


@dataclass(frozen=True)
class Failed:
    item_id: str
    label: str
    again: int


@dataclass(frozen=True)
class Row:
    """One group of cards: a section, a key point, an importance level, or a whole source."""

    id: str
    title: str
    total: int
    seen: int
    mature: int
    answers: int
    """Answers in the last 30 days."""
    correct: int
    """Of which not Again."""
    failed: tuple[Failed, ...]

    @property
    def retention(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True)
class SourceProgress:
    source_id: str
    title: str
    total: Row
    sections: tuple[Row, ...]
    keypoints: tuple[Row, ...]
    """Empty when the source lists no key points."""
    importance: tuple[Row, ...]
    """Empty while every item has the default importance."""


@dataclass(frozen=True)
class Progress:
    collection: str
    as_of: dt.datetime
    sources: tuple[SourceProgress, ...]
    skipped_notes: int


def read_progress(collection: Path, *, content_dir: Path, templates_dir: Path, now: int | None = None) -> Progress:
    """Read the collection and sum up every source of the content it has cards of."""
    content = load_content(content_dir)
    templates = load_templates(templates_dir)
    history = load_history(collection, content=content, templates=templates, templates_dir=templates_dir)
    return summarize(history, content, now_ms=current_ms() if now is None else now)


def summarize(history: History, content: Content, *, now_ms: int) -> Progress:
    """Progress per source from a loaded history (pure: no reading)."""
    ranked = {(f.source_id, f.item_id): f for f in rank_failures(
        history.cards, now_ms=now_ms, source_order={sid: i for i, sid in enumerate(content.sources)})}
    sources = []
    for sid, loaded in content.sources.items():
        cards = [c for c in history.cards if c.item.source_id == sid]
        if not cards:
            continue
        row = _row_maker(cards, ranked, now_ms)
        sections = tuple(row(s.id, s.title, _in_section(s.id)) for s in loaded.source.sections)
        keypoints = tuple(row(kp.id, kp.text, _member(kp)) for kp in load_keypoints(loaded) or ())
        levels = {getattr(c.item.item, "importance", "detail") for c in cards}
        importance = () if levels <= {"detail"} else tuple(
            row(level, label, _of_importance(level))
            for level, label in IMPORTANCE if level in levels)
        sources.append(SourceProgress(source_id=sid, title=loaded.source.title, total=row(sid, "合计", lambda it: True),
                                      sections=sections, keypoints=keypoints, importance=importance))
    return Progress(collection=rel(history.path), as_of=dt.datetime.fromtimestamp(now_ms // 1000, dt.UTC),
                    sources=tuple(sources), skipped_notes=history.skipped_notes)


def _in_section(section_id: str) -> Callable[[BankItem], bool]:
    return lambda item: item.section.id == section_id


def _of_importance(level: str) -> Callable[[BankItem], bool]:
    return lambda item: getattr(item.item, "importance", "detail") == level


def _member(kp: KeyPoint) -> Callable[[BankItem], bool]:
    def test(item: BankItem) -> bool:
        named = getattr(item.item, "keypoint", None)
        return named == kp.id if named else item.paragraph.id in kp.paragraphs

    return test


def _row_maker(cards: Sequence[CardHistory], ranked: dict[tuple[str, str], ItemFailures],
               now_ms: int) -> Callable[[str, str, Callable[[BankItem], bool]], Row]:
    start = now_ms - RETENTION_DAYS * DAY_MS

    def row(row_id: str, title: str, belongs: Callable[[BankItem], bool]) -> Row:
        mine = [c for c in cards if belongs(c.item)]
        recent = [r for c in mine for r in c.reviews if r.time_ms >= start]
        items = {c.key: c.item for c in mine}
        worst = sorted((ranked[k] for k in items if k in ranked), key=ItemFailures.key)[:TOP_FAILED]
        return Row(id=row_id, title=title, total=len(mine), seen=sum(1 for c in mine if c.reviews),
                   mature=sum(1 for c in mine if c.card.type == 2 and c.card.ivl >= MATURE_DAYS),
                   answers=len(recent), correct=sum(1 for r in recent if r.ease > 1),
                   failed=tuple(Failed(f.item_id, item_label(items[(f.source_id, f.item_id)]), f.again) for f in worst))

    return row


def item_label(item: BankItem) -> str:
    """A short reminder of what an item asks, for reports."""
    it = item.item
    text = str(getattr(it, "question", None) or getattr(it, "term", None) or getattr(it, "text", None) or getattr(it, "claim", ""))
    return text if len(text) <= 40 else text[:39] + "…"


def load_keypoints(loaded: LoadedSource) -> list[KeyPoint] | None:
    """The source's key points as the content loader read them (keypoints.yaml), or None when it has none."""
    return [kp.keypoint for kp in loaded.keypoints] or None
