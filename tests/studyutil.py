"""A learner studying a real Anki collection through Anki's own scheduler, with scripted answers."""

from __future__ import annotations

from collections.abc import Iterable

from anki.cards import Card
from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer

AGAIN, HARD, GOOD = CardAnswer.AGAIN, CardAnswer.HARD, CardAnswer.GOOD
DAY_MS = 86_400_000


def raise_limits(col: Collection) -> None:
    """Let the learner study every new card and review today (Anki's default is 20 new cards a day)."""
    for conf in col.decks.all_config():
        conf["new"]["perDay"] = 9999
        conf["rev"]["perDay"] = 9999
        col.decks.update_config(conf)


def study(col: Collection, deck_name: str, script: dict[int, list[CardAnswer.Rating.V]] | None = None, *, limit: int = 5000) -> int:
    """Answer every card the scheduler offers in this deck (and its sub-decks) until none is left for today.

    `script` maps a card id to the answers it gets, in order, the first times it is shown; afterwards it gets Good.
    With Anki's default learning steps (1 and 10 minutes, within the 20-minute learn-ahead limit), a new card answered
    Good twice graduates; every Again sends it back to the first step. Returns the number of answers given.
    """
    pending = {cid: list(answers) for cid, answers in (script or {}).items()}
    col.decks.select(col.decks.id(deck_name, create=False))
    answers = 0
    while True:
        queued = col.sched.get_queued_cards()
        if not queued.cards:
            return answers
        top = queued.cards[0]
        card = Card(col, backend_card=top.card)
        card.start_timer()
        todo = pending.get(card.id)
        rating = todo.pop(0) if todo else GOOD
        col.sched.answer_card(col.sched.build_answer(card=card, states=top.states, rating=rating))
        answers += 1
        assert answers < limit, "the scheduler keeps offering cards"


def due_today(col: Collection, card_ids: Iterable[int]) -> None:
    """Make review cards due again today, as if their interval had passed."""
    col.sched.set_due_date(list(card_ids), "0")


def mature(col: Collection, card_ids: Iterable[int], days: int = 30) -> None:
    """Give review cards an interval of `days` (Anki's "set due date" with `!`), making them mature when >= 21."""
    col.sched.set_due_date(list(card_ids), f"{days}!")


def backdate(col: Collection, card_ids: Iterable[int], days: int) -> None:
    """Move these cards' review history `days` days into the past, as if they had been studied then."""
    ids = list(card_ids)
    col.db.execute(f"update revlog set id = id - ? where cid in ({','.join('?' * len(ids))})", days * DAY_MS, *ids)
