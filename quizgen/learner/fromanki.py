"""The items a learner keeps failing in Anki, as a question set asked in other forms than the failed cards."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from quizgen.errors import Problem, SelectionError, rel
from quizgen.learner.history import History, load_history
from quizgen.learner.rank import ItemFailures, current_ms, rank_failures, rank_recall
from quizgen.load.content import load_content, load_templates
from quizgen.models import Filters, Question, QuestionSet


@dataclass(frozen=True)
class Pick:
    failures: ItemFailures
    question: Question
    other_form: bool
    """False when the bank offers no other question for the item, so the failed one is asked again."""


@dataclass(frozen=True)
class FailingSet:
    qset: QuestionSet
    picks: list[Pick]
    qualifying: int
    """Items with enough Again presses (before --count was applied)."""
    history: History

    @property
    def shortfall(self) -> str | None:
        """One line saying that fewer items qualified than were asked for, if so."""
        asked = self.qset.filters.count
        if asked and self.qualifying < asked:
            return f"only {self.qualifying} item(s) qualify (asked for {asked}); the set has those {self.qualifying}"
        return None


def failing_set(collection: Path, *, content_dir: Path, templates_dir: Path, count: int, since_days: int | None,
                min_again: int, seed: int, title: str | None, output: str, now: int | None = None,
                include_retired: bool = False, by: str = "again") -> FailingSet:
    """Rank the collection's items by failures, take the worst `count` (0: all), and ask each in another form."""
    from quizgen.generate.questions import Generator, stable_id  # noqa: PLC0415 - jieba only when generating

    content = load_content(content_dir)
    templates = load_templates(templates_dir)
    history = load_history(collection, content=content, templates=templates, templates_dir=templates_dir,
                           include_retired=include_retired)
    # asides: no recipe deck asks them (a learner who has not upgraded yet still holds them unmarked)
    cards = history.cards if include_retired else [c for c in history.cards if getattr(c.item.item, "importance", "detail") != "aside"]
    order = {sid: i for i, sid in enumerate(content.sources)}
    types: dict[str, str] = {t.id: str(t.type) for t in templates.values()}
    now_ms = current_ms() if now is None else now
    if by == "recall":  # the items the learner is most likely to have forgotten now (FSRS), not only the most failed
        ranked = rank_recall(cards, now_ms=now_ms, source_order=order, types=types)
    else:
        ranked = rank_failures(cards, now_ms=now_ms, since_days=since_days, min_again=min_again, source_order=order, types=types)
    if not ranked:
        window = f" in the last {since_days} day(s)" if since_days is not None else ""
        hints = [h for h, on in (("lower --min-again", min_again > 1), ("widen --since", since_days is not None)) if on]
        advice = " or ".join(hints) if hints else "study the deck in Anki first"
        raise SelectionError(Problem(rel(collection), None, "--min-again",
                                     f"no item was answered Again {min_again} or more time(s){window}; {advice}"))
    chosen = ranked[:count] if count else ranked
    sources = tuple(sid for sid in content.sources if any(f.source_id == sid for f in chosen))
    gen = Generator(content, templates)
    questions = gen.questions(sources)
    gen.problems.raise_if_any()
    by_item: dict[tuple[str, str], list[Question]] = {}
    for q in questions:
        by_item.setdefault((q.source_id, q.item_id), []).append(q)
    picks = [p for f in chosen if (p := _pick(f, by_item.get((f.source_id, f.item_id), []), seed)) is not None]
    if title is None:
        src = content.sources[sources[0]].source if len(sources) == 1 else None
        title = f"{src.short_title or src.title}：常错题" if src is not None else "常错题"
    qset = QuestionSet(title=title, output=output, deck_name=title, deck_id=stable_id(output), seed=seed, versions=1,
                       sources=sources, filters=Filters(count=count, per_item=1), questions=tuple(p.question for p in picks))
    return FailingSet(qset=qset, picks=picks, qualifying=len(ranked), history=history)


def _weak(q: Question) -> bool:
    """Forms that test little of a failed item: true/false (a coin toss), and who-said-it for anything but a quote."""
    return q.type == "tf" or (q.type == "who" and q.kind != "quote")


def _pick(failures: ItemFailures, questions: list[Question], seed: int) -> Pick | None:
    """Another form than the failed cards: another type (not a weak one if possible), else another template, else the same.

    A seeded choice within the first tier that has any question, so the same collection and seed give the same set.
    """
    if not questions:
        return None
    others = [q for q in questions if q.template_id not in failures.failed_templates]
    other_type = [q for q in others if q.type not in failures.failed_types]
    tiers = ([q for q in other_type if not _weak(q)], other_type, others, questions)
    pool = next(t for t in tiers if t)
    question = random.Random(f"{seed}:{failures.source_id}:{failures.item_id}").choice(sorted(pool, key=lambda q: q.position))
    return Pick(failures=failures, question=question, other_form=bool(others))
