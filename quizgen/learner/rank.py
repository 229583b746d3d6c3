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
from dataclasses import dataclass, replace

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
    recall: float | None = None
    """FSRS: the lowest recall probability now among the item's cards (`--by recall`), else None."""

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
                  source_order: dict[str, int] | None = None, types: dict[str, str] | None = None,
                  studied: bool = False) -> list[ItemFailures]:
    """Items with at least `min_again` Again presses since `since_days` days before now (all history if None), worst first.

    `studied`: every item answered at least once instead (with min_again 0)."""
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
        if (again < max(min_again, 1) and not studied) or (studied and not any(ch.reviews for ch in group)):
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


# --- memory: FSRS recall probabilities from the review log -----------------------------------

ROLLOVER_HOUR = 4
"""Anki's default start of the next day (4 am): reviews before it count to the day before, as in Anki's elapsed days."""
ANSWER_KINDS = (0, 1, 2, 3)
"""Review-log types that are answers to the card (learning, review, relearning, filtered); 4 and 5 are manual changes."""


@dataclass(frozen=True)
class Memory:
    stability: float
    """Days until recall falls to 90 %."""
    difficulty: float
    recall_now: float
    recall_week: float
    """Expected recall in 7 days without a review."""
    from_anki: bool = False
    """The stability is Anki's own (the learner uses FSRS, with whatever parameters); else replayed from the log."""


def anki_day(time_ms: int, *, rollover_hour: int = ROLLOVER_HOUR) -> int:
    """The day an answer counts to in Anki: local days that start at the rollover hour."""
    import datetime as dt  # noqa: PLC0415 - only this path needs it

    local = dt.datetime.fromtimestamp(time_ms / 1000).astimezone()
    offset = local.utcoffset()
    seconds = time_ms // 1000 + (int(offset.total_seconds()) if offset else 0) - rollover_hour * 3600
    return seconds // 86400


def memory_states(cards: Iterable[CardHistory], *, now_ms: int, parameters: tuple[float, ...] | None = None,
                  rollover_hour: int = ROLLOVER_HOUR) -> dict[int, Memory]:
    """Card id -> its FSRS memory (stability, difficulty) and its recall probability now and in 7 days, on the
    published FSRS-6 forgetting curve.

    When the learner uses FSRS, Anki keeps each card's memory (computed with the learner's own, perhaps optimised,
    parameters): that is used as it is, so the figures are Anki's. Otherwise the memory is replayed from the card's
    answers with the `fsrs` package (Anki's default parameters unless given). Elapsed time is counted in Anki's days
    (local days starting at the rollover hour), as Anki's scheduler does: a second answer the same day uses FSRS's
    short-term formula. Cards never answered have no memory and are left out.
    """
    import datetime as dt  # noqa: PLC0415 - only this path needs it

    from fsrs import Card, Rating, Scheduler  # noqa: PLC0415 - only for the commands that read a collection

    scheduler = Scheduler(parameters=parameters) if parameters else Scheduler()
    scheduler.enable_fuzzing = False
    epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    today = anki_day(now_ms, rollover_hour=rollover_hour)
    default_decay = float(scheduler.parameters[20])
    out: dict[int, Memory] = {}
    for ch in cards:
        answers = [r for r in ch.reviews if r.kind in ANSWER_KINDS]
        if not answers:
            continue
        row = ch.card
        decay = default_decay
        if row.stability is not None and row.difficulty is not None:  # Anki's own memory of the card
            stability, difficulty, from_anki = row.stability, row.difficulty, True
            decay = row.decay if row.decay is not None else default_decay
            last_day = anki_day(row.last_review_s * 1000 if row.last_review_s else answers[-1].time_ms, rollover_hour=rollover_hour)
        else:
            card = Card()
            for n, r in enumerate(answers):
                # whole Anki days apart (plus seconds that keep the answers in order within a day)
                when = epoch + dt.timedelta(days=anki_day(r.time_ms, rollover_hour=rollover_hour), seconds=n)
                card, _ = scheduler.review_card(card, Rating(r.ease), review_datetime=when)
            assert card.stability is not None and card.difficulty is not None and card.last_review is not None
            stability, difficulty, from_anki = card.stability, card.difficulty, False
            last_day = (card.last_review - epoch).days
        elapsed = max(today - last_day, 0)
        out[row.id] = Memory(stability=stability, difficulty=difficulty, from_anki=from_anki,
                             recall_now=forgetting_curve(elapsed, stability, decay),
                             recall_week=forgetting_curve(elapsed + 7, stability, decay))
    return out


def forgetting_curve(days: float, stability: float, decay: float) -> float:
    """FSRS-6's forgetting curve: (1 + factor * t / S) ^ -decay, with factor = 0.9 ^ (-1 / decay) - 1 (recall is 90 %
    when t = S)."""
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * days / stability) ** -decay)


def rank_recall(cards: Iterable[CardHistory], *, now_ms: int, source_order: dict[str, int] | None = None,
                types: dict[str, str] | None = None) -> list[ItemFailures]:
    """Every studied item, the one most at risk now first: by the lowest FSRS recall probability among its cards."""
    cards = list(cards)
    memory = memory_states(cards, now_ms=now_ms)
    every = {(f.source_id, f.item_id): f for f in rank_failures(cards, now_ms=now_ms, min_again=0, source_order=source_order,
                                                                  types=types, studied=True)}
    out = []
    for key, f in every.items():
        recalls = [memory[ch.card.id].recall_now for ch in cards if ch.key == key and ch.card.id in memory]
        if recalls:
            out.append(replace(f, recall=min(recalls)))
    return sorted(out, key=lambda f: (round(f.recall or 0.0, 9), f.position, f.item_id))
