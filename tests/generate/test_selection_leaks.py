"""Quiz assembly: no selected question's printed text gives away another selected question's answer."""

from __future__ import annotations

import dataclasses
import re

import pytest
from conftest import REPO

from quizgen.generate.questions import Generator, build_set, printed_text, select
from quizgen.load.content import load_content, load_recipe, load_templates
from quizgen.models import Filters
from quizgen.text.answers import normalize_answer


@pytest.fixture(scope="module")
def shipped():
    content = load_content(REPO / "content")
    templates = load_templates(REPO / "templates")
    gen = Generator(content, templates)
    return content, templates, gen.questions()


def _answers(q) -> set[str]:
    """The answers a printed text could give away (true/false, who, reasons and order are answered otherwise)."""
    if q.type not in ("cloze", "basic", "typed", "mcq"):
        return set()
    return {a for a in (normalize_answer(x) for x in (q.answer, *q.accept)) if len(a) >= 2}


def _leaks(questions) -> list[tuple[str, str, str]]:
    out = []
    for q in questions:
        for other in questions:
            if other is not q:
                text = printed_text(other)
                out += [(q.id, a, other.id) for a in _answers(q) if _whole_figure(a, text)]
    return out


def _whole_figure(a: str, text: str) -> bool:
    """`a` in `text`, a figure only as a whole: «9天» is not in «19天»."""
    return re.search(rf"(?<!\d){re.escape(a)}(?!\d)", text) is not None


def test_the_short_quiz_gives_no_answer_away(shipped) -> None:
    content, templates, _ = shipped
    recipe = load_recipe(REPO / "decks" / "short-quiz.toml", content, templates).recipe
    qset = build_set(content, templates, recipe)
    assert len(qset.questions) == recipe.count
    assert _leaks(qset.questions) == []


@pytest.mark.parametrize("seed", range(12))
def test_no_drawn_set_gives_an_answer_away(shipped, seed: int) -> None:
    _, _, questions = shipped
    chosen = select(questions, Filters(count=40, per_item=1), seed=seed)
    assert len(chosen) == 40 and _leaks(chosen) == []
    assert select(questions, Filters(count=40, per_item=1), seed=seed) == chosen  # deterministic with the seed


def test_a_question_whose_text_answers_another_gives_way(shipped) -> None:
    """Two questions that leak into each other: whichever draws the earlier key stays, the other gives way."""
    _, _, questions = shipped
    cloze = next(q for q in questions if q.type == "cloze" and q.kind == "fact" and len(normalize_answer(q.answer)) >= 2)
    leaky = dataclasses.replace(next(q for q in questions if q.item_id != cloze.item_id and q.type == "basic"),
                                prompt=f"已知{cloze.answer}，那么呢？")
    pair = select([cloze, leaky], Filters(count=1), seed=3)
    assert len(pair) == 1
    with pytest.raises(Exception, match="gives their answer away"):
        select([cloze, leaky], Filters(count=2), seed=3)
