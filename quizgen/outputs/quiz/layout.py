"""The plan of a printed quiz: which question goes where in each version, with which option letters and blank widths."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from quizgen.errors import ContentError, Problem, QuizgenError
from quizgen.models import Question, QuestionSet
from quizgen.rand import rng_for
from quizgen.text.labels import letter_label
from quizgen.text.typography import gap_sides

CHOICE_TYPES = ("mcq", "tf", "who")
"""Answered by letter on the answer sheet."""
GROUP_ORDER = ("mcq", "who", "tf", "cloze", "typed", "basic", "order", "reasons")
"""Objective questions first, the long written answers last, as Chinese exam papers do."""
NUMERALS = "一二三四五六七八九十"
CHARS_PER_LINE = 30
"""Handwritten characters that fit on one answer line across an A4 page."""


# --- the plan: which question, where, with which letters, per version -------------------------


@dataclass(frozen=True)
class Option:
    letter: str
    text: str
    correct: bool


@dataclass(frozen=True)
class Item:
    """One question as asked in one version."""

    number: int
    question: Question
    options: tuple[Option, ...]
    """Lettered choices (mcq, tf, who) or steps to order (order), in this version's order."""
    answer_letters: tuple[str, ...]
    """mcq/tf/who: the right letter; order: the letters in the right order."""
    lines: tuple[tuple[str, int], ...]
    """Written answers on paper: (label, number of lines) per answer block."""
    blank_em: float
    """Width of a fill-in blank (cloze, typed): one width for the whole set, sized by its longest expected answer."""

    @property
    def answer(self) -> str:
        """The right answer as the key prints it (letters for lettered questions)."""
        q = self.question
        if q.type == "order":
            return " → ".join(self.answer_letters)
        if q.type in CHOICE_TYPES:
            right = next(o for o in self.options if o.correct)
            return f"{right.letter}．{right.text}"
        return q.answer

    @property
    def cloze_around(self) -> tuple[str, str]:
        """A cloze's text before and after the gap, without a space between the gap and Chinese (kept next to Latin)."""
        before, _, after = self.question.cloze_parts
        return gap_sides(before, after)

    @property
    def choice(self) -> bool:
        return self.question.type in CHOICE_TYPES

    @property
    def columns(self) -> int:
        """Options per row on paper: four short ones side by side, long ones one per line."""
        if self.question.type == "order":
            return 1
        longest = max((len(o.text) for o in self.options), default=0)
        return 4 if longest <= 8 else 2 if longest <= 18 else 1

    @property
    def ordered_steps(self) -> tuple[Option, ...]:
        """order: the lettered steps in the right order (for the key)."""
        by_letter = {o.letter: o for o in self.options}
        return tuple(by_letter[letter] for letter in self.answer_letters)


@dataclass(frozen=True)
class Group:
    numeral: str
    type: str
    title: str
    instructions: str | None
    items: tuple[Item, ...]

    @property
    def points(self) -> int:
        return sum(i.question.points for i in self.items)

    @property
    def each(self) -> int | None:
        """Points per question when all questions of the group have the same."""
        values = {i.question.points for i in self.items}
        return values.pop() if len(values) == 1 else None


@dataclass(frozen=True)
class Version:
    label: str
    groups: tuple[Group, ...]

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for g in self.groups for i in g.items)

    @property
    def points(self) -> int:
        return sum(g.points for g in self.groups)

    @property
    def choice_groups(self) -> tuple[Group, ...]:
        """The groups answered on the answer sheet."""
        return tuple(g for g in self.groups if g.type in CHOICE_TYPES)


def version_label(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet-style labels."""
    return letter_label(index)


def _letters(n: int) -> list[str]:
    return [version_label(i) for i in range(n)]


def plan_versions(qset: QuestionSet, *, versions: int, seed: int) -> list[Version]:
    """Group the set's questions by type and heading, then shuffle questions and options per version from the seed."""
    if versions < 1:
        raise QuizgenError(Problem("quizgen quiz", None, "--versions", "must be at least 1"))
    if not qset.questions:
        raise ContentError(Problem(qset.output, None, "questions", "the set has no questions; widen the recipe's filters"))
    for q in qset.questions:
        _check_question(q, qset.output)
    heads: dict[tuple[str, str], list[Question]] = {}
    for q in qset.questions:  # set order (the interview's), so groups of one type keep their first appearance order
        heads.setdefault((q.type, q.title), []).append(q)
    rank = {t: i for i, t in enumerate(GROUP_ORDER)}
    keys = sorted(heads, key=lambda k: rank.get(k[0], len(rank)))  # stable: groups of one type keep set order
    # one width for every blank of the set: a blank as wide as its answer tells how long the answer is
    width = max((_blank_em(_blank_answer(q)) for q in qset.questions if q.type in ("cloze", "typed")), default=4.0)
    out = []
    for index in range(versions):
        label = version_label(index)
        groups: list[Group] = []
        number = 0
        for gi, key in enumerate(keys):
            questions = list(heads[key])
            rng_for(seed, label, key[1]).shuffle(questions)
            items = []
            for q in questions:
                number += 1
                items.append(_item(q, number, rng_for(seed, label, q.id), width))
            shared = {q.instructions for q in questions}
            groups.append(Group(numeral=_numeral(gi + 1), type=key[0], title=key[1],
                                instructions=shared.pop() if len(shared) == 1 else None, items=tuple(items)))
        out.append(Version(label=label, groups=tuple(groups)))
    return out


def _check_question(q: Question, where: str) -> None:
    """The renderer's assumptions about each type, as clear errors instead of a broken page."""
    problem = None
    if len(q.options) > 26:
        problem = "has more than 26 options"
    elif q.type in ("mcq", "who", "tf") and (len(q.options) < 2 or q.correct is None or not 0 <= q.correct < len(q.options)):
        problem = "needs at least two options and a valid `correct` index"
    elif q.type == "order" and (len(q.options) < 2 or sorted(q.order) != list(range(len(q.options)))
                                or [q.options[i] for i in q.order] != list(q.steps)):
        problem = "needs `order` to list, for each of `steps`, its index in `options`"
    elif q.type == "cloze" and (q.cloze_text is None or q.cloze_start is None or q.cloze_end is None):
        problem = "needs cloze_text, cloze_start and cloze_end"
    elif q.type == "reasons" and len(q.steps) < 2:
        problem = "needs the reasons and the conclusion in `steps`"
    if problem:
        raise ContentError(Problem(where, None, f"questions.{q.id}", f"{q.type} question {problem}"))


def _numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十: group numbers as Chinese exams write them."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def _blank_answer(q: Question) -> str:
    return q.answer if q.type != "cloze" else q.cloze_parts[1]


def _item(q: Question, number: int, rng: random.Random, blank_em: float) -> Item:
    perm = list(range(len(q.options)))
    if q.type in ("mcq", "who", "order"):
        rng.shuffle(perm)  # tf keeps 正确 / 错误 in place
    while q.type == "order" and len(perm) > 1 and tuple(perm) == tuple(q.order):
        rng.shuffle(perm)  # the steps must never be printed in their right order
    letters = _letters(len(perm))
    if q.type == "order":
        right = set()
        where = {old: new for new, old in enumerate(perm)}
        answer_letters = tuple(letters[where[i]] for i in q.order)
    else:
        right = {q.correct}
        answer_letters = tuple(letters[new] for new, old in enumerate(perm) if old == q.correct)
    options = tuple(Option(letter=letters[new], text=q.options[old], correct=old in right) for new, old in enumerate(perm))
    return Item(number=number, question=q, options=options, answer_letters=answer_letters,
                lines=_answer_lines(q), blank_em=blank_em)


def _blank_em(answer: str) -> float:
    """A blank a little wider than the answer written by hand; never so narrow that it gives the answer away."""
    return float(min(max(4, math.ceil(len(answer) * 1.6) + 2), 24))


def _lines_for(text: str) -> int:
    return max(1, math.ceil(len(text) / CHARS_PER_LINE))


def _answer_lines(q: Question) -> tuple[tuple[str, int], ...]:
    if q.type == "basic":
        return (("", _lines_for(q.answer)),)
    if q.type == "reasons":  # the stem states the conclusion: the learner writes the reasons
        *reasons, _ = q.steps
        return tuple((f"理由（{i}）", _lines_for(r)) for i, r in enumerate(reasons, 1))
    return ()


# --- the source line --------------------------------------------------------------------------
