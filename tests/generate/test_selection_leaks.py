"""Quiz assembly: no selected question's printed text gives away another selected question's answer."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import REPO

from quizgen.generate.leaks import LeakGuard
from quizgen.generate.questions import Generator, build_set, select
from quizgen.load.content import load_content, load_recipe, load_templates
from quizgen.models import Filters
from quizgen.text.answers import normalize_answer


@pytest.fixture(scope="module")
def shipped():
    content = load_content(REPO / "content")
    templates = load_templates(REPO / "templates")
    gen = Generator(content, templates)
    return content, templates, gen.questions()


def _leaks(questions) -> list[str]:
    """Every pair a fresh guard (figures in digits, accepted forms) finds among the questions, in either order."""
    out = []
    for q in questions:
        for other in questions:
            if other is not q and other.item_id != q.item_id:
                guard = LeakGuard(same_sentence=False)
                guard.add(other)
                leak = guard.check(q)
                out += [leak.line()] if leak else []
    return out


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
