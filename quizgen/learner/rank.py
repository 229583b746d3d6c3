"""Rank bank items by how the learner fails them in Anki.

An item's cards are pooled (a term's reverse card, or the same item in two decks). The ranking key, in order:

1. **Recency-weighted Again presses**: each Again (revlog ease 1) counts ``0.5 ** (days / 30)``, where ``days`` is
   the whole number of days between the press and now: a press today counts 1, 30 days ago 0.5, 60 days ago 0.25.
   Three Agains two months ago (0.75) rank below one Again today (1).
2. **Lapses**: how often a learned card was forgotten (the cards' lapse counters, summed).
3. **Difficulty**: the highest FSRS difficulty among its cards when the learner uses FSRS, then the lowest SM-2 ease
   factor (every lapse and Hard press lowers it).
4. The interview's order, so equal items keep a stable order.

Only items with at least `min_again` Again presses (counted plainly, not weighted) in the window qualify.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from quizgen.learner.history import CardHistory
from quizgen.rand import source_date_epoch

HALF_LIFE_DAYS = 30
DAY_MS = 86_400_000
AGAIN = 1


@dataclass(frozen=True)
class ItemFailures:
    source_id: str
    item_id: str
    again: int
    """Again presses in the window."""
    score: float
    """Recency-weighted Again presses."""
    lapses: int
    difficulty: float | None
    ease: int | None
    failed_templates: tuple[str, ...]
    """Question templates of the cards answered Again, most presses first."""
    failed_types: tuple[str, ...]
    position: tuple[int, tuple[int, int]]
    """(source index, item position): the interview's order."""

    def key(self) -> tuple[float, int, float, int, tuple[int, tuple[int, int]], str]:
        """Sort key: worst first."""
        return (-round(self.score, 9), -self.lapses, -(self.difficulty or 0.0), self.ease or 100_000, self.position, self.item_id)


def current_ms() -> int:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible runs), in milliseconds."""
    epoch = source_date_epoch()
    return epoch * 1000 if epoch is not None else int(time.time() * 1000)


def weight(time_ms: int, now_ms: int) -> float:
    """What one Again press counts: halves every 30 days, by whole days before now."""
    days = max(0, (now_ms - time_ms) // DAY_MS)
    return 0.5 ** (days / HALF_LIFE_DAYS)


def rank_failures(cards: Iterable[CardHistory], *, now_ms: int, since_days: int | None = None, min_again: int = 1,
                  source_order: dict[str, int] | None = None, types: dict[str, str] | None = None) -> list[ItemFailures]:
    """Items with at least `min_again` Again presses since `since_days` days before now (all history if None), worst first."""
    start = now_ms - since_days * DAY_MS if since_days is not None else None
    grouped: dict[tuple[str, str], list[CardHistory]] = {}
    for ch in cards:
        grouped.setdefault(ch.key, []).append(ch)
    order = source_order or {}
    out = []
    for (source_id, item_id), group in grouped.items():
        again = 0
        score = 0.0
        per_template: dict[str, int] = {}
        for ch in group:
            for r in ch.reviews:
                if r.ease == AGAIN and (start is None or r.time_ms >= start):
                    again += 1
                    score += weight(r.time_ms, now_ms)
                    per_template[ch.template_id] = per_template.get(ch.template_id, 0) + 1
        if again < max(min_again, 1):
            continue
        failed = tuple(sorted(per_template, key=lambda t: (-per_template[t], t)))
        factors = [ch.card.factor for ch in group if ch.card.factor > 0]
        difficulties = [ch.card.difficulty for ch in group if ch.card.difficulty is not None]
        item = group[0].item
        out.append(ItemFailures(
            source_id=source_id, item_id=item_id, again=again, score=score, lapses=sum(ch.card.lapses for ch in group),
            difficulty=max(difficulties) if difficulties else None, ease=min(factors) if factors else None,
            failed_templates=failed, failed_types=tuple(dict.fromkeys((types or {}).get(t, t) for t in failed)),
            position=(order.get(source_id, 0), item.position)))
    return sorted(out, key=ItemFailures.key)
