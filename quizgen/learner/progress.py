"""How far a learner is through each source: per section, key point and importance, from their Anki collection.

- **total**: cards of quizgen notes in the collection whose item belongs to the group;
- **seen**: those answered at least once (any review-log answer, ease 1-4);
- **mature**: review cards with an interval of 21 days or more (Anki's own definition);
- **retention**: over the last 30 days, the share of *review* answers that were not Again (ease 2-4 of ease 1-4),
  as Anki's statistics and the True Retention add-on count it: only answers of the review log's type 1 (a review
  card shown when due), so learning and relearning steps and filtered-deck answers are left out; **young** (the
  card's interval before the answer under 21 days) and **mature** (21 or more) apart;
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
from quizgen.learner.rank import DAY_MS, ItemFailures, current_ms, memory_states, rank_failures
from quizgen.load.content import BankItem, Content, LoadedSource, load_content, load_templates
from quizgen.models import KeyPoint

RETENTION_DAYS = 30
MATURE_DAYS = 21
REVIEW = 1
"""The review log's type of an answer to a review card shown when due."""
LEECH_LAPSES = 8
"""Anki's default leech threshold: a card forgotten this many times is a leech."""
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
    """Review answers (revlog type 1) in the last 30 days."""
    correct: int
    """Of which not Again."""
    failed: tuple[Failed, ...]
    young: tuple[int, int] = (0, 0)
    """(review answers, not Again) of cards whose interval was under 21 days."""
    mature_reviews: tuple[int, int] = (0, 0)
    """(review answers, not Again) of cards whose interval was 21 days or more."""
    recall: tuple[float, float] | None = None
    """FSRS: the mean expected recall of the group's studied cards (today, in 7 days); None when none is studied."""
    leeches: tuple[str, ...] = ()
    """Items with a card forgotten LEECH_LAPSES times or more (Anki's leech threshold)."""

    @property
    def retention(self) -> float | None:
        return self.correct / self.answers if self.answers else None

    @property
    def young_retention(self) -> float | None:
        return self.young[1] / self.young[0] if self.young[0] else None

    @property
    def mature_retention(self) -> float | None:
        return self.mature_reviews[1] / self.mature_reviews[0] if self.mature_reviews[0] else None


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
    memory = {k: (m.recall_now, m.recall_week) for k, m in memory_states(history.cards, now_ms=now_ms).items()}
    sources = []
    for sid, loaded in content.sources.items():
        cards = [c for c in history.cards if c.item.source_id == sid]
        if not cards:
            continue
        row = _row_maker(cards, ranked, now_ms, memory)
        # a group with no card of the learner's says nothing: left out
        sections = tuple(r for s in loaded.source.sections if (r := row(s.id, s.title, _in_section(s.id))).total)
        keypoints = tuple(r for kp in load_keypoints(loaded) or () if (r := row(kp.id, kp.text, _member(kp))).total)
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
               now_ms: int, memory: dict[int, tuple[float, float]]) -> Callable[[str, str, Callable[[BankItem], bool]], Row]:
    start = now_ms - RETENTION_DAYS * DAY_MS

    def row(row_id: str, title: str, belongs: Callable[[BankItem], bool]) -> Row:
        mine = [c for c in cards if belongs(c.item)]
        recent = [r for c in mine for r in c.reviews if r.time_ms >= start and r.kind == REVIEW]
        young = [r for r in recent if r.last_ivl < MATURE_DAYS]
        ripe = [r for r in recent if r.last_ivl >= MATURE_DAYS]
        items = {c.key: c.item for c in mine}
        worst = sorted((ranked[k] for k in items if k in ranked), key=ItemFailures.key)[:TOP_FAILED]
        studied = [m for c in mine if (m := memory.get(c.card.id)) is not None]
        recall = (sum(m[0] for m in studied) / len(studied), sum(m[1] for m in studied) / len(studied)) if studied else None
        return Row(id=row_id, title=title, total=len(mine), seen=sum(1 for c in mine if c.reviews),
                   mature=sum(1 for c in mine if c.card.type == 2 and c.card.ivl >= MATURE_DAYS),
                   answers=len(recent), correct=sum(1 for r in recent if r.ease > 1),
                   failed=tuple(Failed(f.item_id, item_label(items[(f.source_id, f.item_id)]), f.again) for f in worst),
                   young=(len(young), sum(1 for r in young if r.ease > 1)), mature_reviews=(len(ripe), sum(1 for r in ripe if r.ease > 1)),
                   recall=recall, leeches=tuple(dict.fromkeys(c.item.id for c in mine if c.card.lapses >= LEECH_LAPSES)))

    return row


def item_label(item: BankItem) -> str:
    """A short reminder of what an item asks, for reports."""
    it = item.item
    text = str(getattr(it, "question", None) or getattr(it, "term", None) or getattr(it, "text", None) or getattr(it, "claim", ""))
    return text if len(text) <= 40 else text[:39] + "…"


def load_keypoints(loaded: LoadedSource) -> list[KeyPoint] | None:
    """The source's key points as the content loader read them (keypoints.yaml), or None when it has none."""
    return [kp.keypoint for kp in loaded.keypoints] or None
