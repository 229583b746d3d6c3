"""The leak guard reads meaning, not strings: figures in any form, phrase answers by their words, one sentence, the page."""

from __future__ import annotations

import dataclasses
import functools
import re

import pytest
from conftest import REPO

from quizgen.errors import SelectionError
from quizgen.generate.leaks import LeakGuard, PageText
from quizgen.generate.questions import Generator, build_set, select, tf_balance, tf_balanced
from quizgen.load.content import load_content, load_recipe, load_templates
from quizgen.models import Filters
from quizgen.text.answers import answer_forms, normalize_figures
from quizgen.text.segment import Segmenter


@functools.cache
def shipped():
    content = load_content(REPO / "content")
    templates = load_templates(REPO / "templates")
    segmenter = Segmenter([s.userdict for s in content.sources.values() if s.userdict])
    return content, templates, tuple(Generator(content, templates, segmenter=segmenter).questions()), segmenter


def _q(type_: str, **changes):
    _, _, questions, _ = shipped()
    return dataclasses.replace(next(q for q in questions if q.type == type_), **changes)


@pytest.mark.parametrize(("a", "b"), [("一万张", "1万张"), ("10,000张", "一万张"), ("十九天", "19 天"), ("３.２万名", "32000名"),
                                      ("两千三百", "2300")])
def test_figures_compare_in_digits(a: str, b: str) -> None:
    assert normalize_figures(a) == normalize_figures(b)


def test_answer_forms_split_the_latin_alias() -> None:
    assert {"英伟达", "nvidia"} <= set(answer_forms("英伟达（NVIDIA）"))
    assert "nvlink" in answer_forms("NVLink", ["NVLINK"])


def test_a_figure_in_another_form_is_given_away() -> None:
    cloze = _q("basic", id="a:fact-basic", item_id="a", answer="一万张", accept=())
    stem = _q("mcq", id="b:fact-mcq", item_id="b", prompt="公司买了 1万张 GPU，用了多久？")
    guard = LeakGuard()
    assert guard.admits(stem)
    leak = guard.check(cloze)
    assert leak is not None and leak.by == "b:fact-mcq" and "「一万张」" in leak.why


def test_a_paraphrased_phrase_answer_is_given_away_by_its_words() -> None:
    _, _, _, segmenter = shipped()
    goal = _q("basic", id="a:fact-basic", item_id="a", answer="让首个 token 在几毫秒内出来", accept=())
    other = _q("mcq", id="b:fact-mcq", item_id="b", prompt="黄仁勋说，几毫秒之内首个 token 就得出来，为此英伟达发明了什么？")
    assert LeakGuard().admits(other) and LeakGuard().check(goal) is None  # alone, nothing leaks
    guard = LeakGuard(cut=segmenter.cut)
    guard.add(other)
    leak = guard.check(goal)
    assert leak is not None and "首个" in leak.why and "token" in leak.why
    assert LeakGuard().admits(other) and not LeakGuard(cut=segmenter.cut).check(goal)  # containment alone misses it


def test_two_items_cut_from_one_sentence_never_share_a_drawn_set() -> None:
    one = _q("tf", id="a:fact-tf", item_id="a")
    two = dataclasses.replace(_q("who", id="b:quote-who", item_id="b"), ref=one.ref)
    guard = LeakGuard()
    assert guard.admits(one)
    leak = guard.check(two)
    assert leak is not None and "same sentence" in leak.why and leak.by == "a:fact-tf"
    assert select([one, two], Filters(count=1), seed=1) and len(select([one, two], Filters(), seed=1)) == 2


def test_who_said_it_questions_with_one_key_are_not_drawn_together() -> None:
    _, _, questions, _ = shipped()
    who = [q for q in questions if q.type == "who"]
    chosen = select(who, Filters(count=min(3, len({q.answer for q in who}))), seed=5)
    assert len({q.answer for q in chosen}) == len(chosen)


def test_the_page_gives_nothing_away_in_the_shipped_recipes() -> None:
    content, templates, questions, segmenter = shipped()
    for name in ("short-quiz.toml", "interview.toml"):
        recipe = load_recipe(REPO / "decks" / name, content, templates).recipe
        leaks: list = []
        build_set(content, templates, recipe, questions=questions, segmenter=segmenter, leaks=leaks)
        assert [x.line() for x in leaks if x.page and not x.by.startswith("sub-deck")] == []
        # the section headings that state figures (…埃隆用了 19 天) name their sub-decks by `deck_title`; 「AI 推理和训练的未来」
        # names the topic 推理 of one cloze, which the sub-deck may say
        assert {x.question for x in leaks if x.by.startswith("sub-deck")} <= {"infer-f-old-equipment:fact-cloze"}
        if name == "short-quiz.toml":
            assert all(not x.kept for x in leaks)  # a drawn set only leaves out; it never keeps a give-away


def test_the_headline_would_give_19_days_away() -> None:
    """The article's title (…马斯克19天创造工程奇迹) in the quiz header answers the core 19-days question."""
    content, templates, questions, segmenter = shipped()
    recipe = load_recipe(REPO / "decks" / "short-quiz.toml", content, templates).recipe
    leaks: list = []
    with_title = recipe.model_copy(update={"header": "title", "count": 0, "per_item": 1, "pick": "preferred"})
    build_set(content, templates, with_title, questions=questions, segmenter=segmenter, leaks=leaks)
    assert any(x.by == "quiz header" and x.question.startswith("xai-f-19-days") and "19 天" in x.why for x in leaks)
    qset = build_set(content, templates, recipe, questions=questions, segmenter=segmenter)
    assert qset.header == ("黄仁勋 BG2 访谈（机器之心，2024年10月21日）",)


def test_a_page_text_only_hides_the_questions_it_heads() -> None:
    q = _q("basic", id="a:fact-basic", item_id="a", answer="推理", accept=())
    elsewhere = LeakGuard(page=[PageText("sub-deck", "AI 推理的未来", section_id="not-" + q.ref.section_id)])
    here = LeakGuard(page=[PageText("sub-deck", "AI 推理的未来", section_id=q.ref.section_id)])
    # another source's section of the same id (two articles may both have an `intro`) heads other questions
    other_source = LeakGuard(page=[PageText("sub-deck", "AI 推理的未来", section_id=q.ref.section_id, source_id="not-" + q.source_id)])
    this_source = LeakGuard(page=[PageText("sub-deck", "AI 推理的未来", section_id=q.ref.section_id, source_id=q.source_id)])
    assert elsewhere.check(q) is None and other_source.check(q) is None and other_source.answered(q) is None
    assert here.check(q) is not None and here.check(q).page
    assert this_source.check(q) is not None and this_source.answered(q) is not None


@pytest.mark.parametrize("seed", range(20))
def test_drawn_sets_balance_true_and_false(seed: int) -> None:
    _, _, questions, _ = shipped()
    chosen = select(questions, Filters(count=40, per_item=1), seed=seed)
    assert tf_balanced(chosen), tf_balance(chosen)
    only_tf = select(questions, Filters(types=("tf",), count=10, per_item=1), seed=seed)
    t, f = tf_balance(only_tf)
    assert t + f == 10 and 4 <= t <= 6


def test_an_unbalanced_section_is_refused() -> None:
    _, _, questions, _ = shipped()
    true_only = [q for q in questions if q.type == "tf" and q.correct == 0][:12]
    assert len(select(true_only, Filters(count=3), seed=1)) == 3  # below five, no balance to keep
    with pytest.raises(SelectionError, match="true/false left out to keep 正确 and 错误 balanced"):
        select(true_only, Filters(count=5), seed=1)


def test_an_automatic_false_statement_never_contradicts_itself() -> None:
    """A swapped figure is the only change: the statement holds no other form of the answer, nor the distractor twice."""
    _, _, questions, _ = shipped()
    content = shipped()[0]
    facts = {(it.source_id, it.id): it.item for it in content.items()}
    for q in questions:
        item = facts[(q.source_id, q.item_id)]
        if q.type == "tf" and q.correct == 1 and not getattr(item, "false_statement", None):
            rest = normalize_figures(q.prompt)
            assert not any(f in rest for f in answer_forms(item.answer, item.accept) if len(f) >= 2), q.id


def test_generate_names_both_questions_of_each_blocked_pair(tmp_path) -> None:
    from conftest import invoke

    result = invoke("generate", "--content", str(REPO / "content"), "--templates", str(REPO / "templates"), "-n", "20",
                    "--seed", "3", "-o", str(tmp_path / "s.yaml"))
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if line.startswith("note: left out ")]
    assert notes and all(re.match(r"note: left out [\w-]+:[\w-]+: ", n) for n in notes)
    assert any(re.search(r"(of|and) [\w-]+:[\w-]+", n) for n in notes)  # the other question is named too


def test_in_a_deck_a_common_word_on_another_card_about_something_else_gives_nothing_away() -> None:
    _, _, _, segmenter = shipped()
    gap = _q("basic", id="a:fact-basic", item_id="a", answer="推理", accept=(), prompt="旧设备如今用来做什么工作？")
    unrelated = _q("mcq", id="b:fact-mcq", item_id="b", prompt="黄仁勋说，推理时代的芯片公司靠什么竞争？", options=())
    related = _q("mcq", id="c:fact-mcq", item_id="c", prompt="黄仁勋说，旧设备如今用来做推理工作，这对公司意味着什么？", options=())
    deck = LeakGuard(cut=segmenter.cut, same_sentence=False, context=3)
    deck.add(unrelated)
    assert deck.check(gap) is None
    deck.add(related)
    assert deck.check(gap) is not None and deck.check(gap).by == "c:fact-mcq"
    drawn = LeakGuard(cut=segmenter.cut)  # a printed quiz shows both at once: any mention gives it away
    drawn.add(unrelated)
    assert drawn.check(gap) is not None


@functools.cache
def interview_deck():
    content, templates, questions, segmenter = shipped()
    recipe = load_recipe(REPO / "decks" / "interview.toml", content, templates).recipe
    leaks: list = []
    qset = build_set(content, templates, recipe, segmenter=segmenter, questions=questions, leaks=leaks)
    return qset, leaks


def test_no_card_of_the_interview_deck_gives_another_away() -> None:
    """Every pair of cards, both ways, with the deck's rule (shared context): nothing prints another card's answer."""
    content, _, _, segmenter = shipped()
    qset, leaks = interview_deck()
    assert not [x for x in leaks if x.kept]
    deck = LeakGuard(cut=segmenter.cut, same_sentence=False, context=3)
    cards = list(qset.questions)
    assert [q.id for q in cards if deck.answered(q, cards) or deck.prints_answer(q, cards)] == []


def test_a_deck_card_that_would_be_given_away_is_asked_another_way_or_left_out() -> None:
    qset, leaks = interview_deck()
    ids = {q.id for q in qset.questions}
    by_question = {x.question: x for x in leaks}
    # 「对推理将增长 1000000000 倍的说法…这就是我们所说的 __」 printed the 十亿倍 another card asks: asked as a question instead
    assert "xai-f-industrial-revolution:fact-cloze" in by_question and "xai-f-industrial-revolution:fact-basic" in ids
    assert "asked as fact-basic instead" in by_question["xai-f-industrial-revolution:fact-cloze"].why
    # the reasons card asks why 英伟达 is out to 创造市场: the fact card with that gap adds nothing, so it is left out
    leak = by_question["infra-f-create-markets:fact-cloze"]
    assert leak.covered and leak.by == "infra-a-create-markets:argument-reasons"
    assert not any(i.startswith("infra-f-create-markets:") for i in ids) and "infra-a-create-markets:argument-reasons" in ids
    assert "bg2-huang-2024/infra-f-create-markets" in qset.covered
    # of two cards that give each other away, the core item's stays
    content, *_ = shipped()
    importance = {it.item.id: it.item.importance for it in content.items()}
    for x in leaks:
        if x.covered and not x.page:
            assert (importance[x.question.split(":")[0]], importance[x.by.split(":")[0]]) != ("core", "detail"), x.line()


def test_a_left_out_deck_card_retires_as_asked_by_another_card() -> None:
    from quizgen.outputs.anki.package import NoteState, retirements

    qset, _ = interview_deck()
    state = NoteState({"old-guid": {"hash": "x", "mod": 1, "item": "bg2-huang-2024/infra-f-create-markets/fact-cloze", "fields": ["a"]},
                       "gone-guid": {"hash": "y", "mod": 1, "item": "bg2-huang-2024/no-such-item/fact-cloze", "fields": ["b"]}})
    live = {f"{q.item_id}:{q.template_id}" for q in qset.questions}
    retired, _ = retirements(state, live, elsewhere=set(), bank=None,
                             set_items={f"{q.source_id}/{q.item_id}" for q in qset.questions} | qset.covered)
    assert {r.guid: r.reason for r in retired} == {"old-guid": "replaced", "gone-guid": "out"}


@pytest.mark.parametrize("per_item", [0, 1])
def test_the_deck_index_finds_exactly_what_comparing_every_pair_finds(per_item: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index only narrows which chosen cards a new one is compared with: every deck (every question of every type,
    and one preferred question per item) is the same, with the same reports, as when every pair is compared."""
    _, _, questions, segmenter = shipped()
    filters = Filters(types=("cloze", "reasons", "who", "basic", "typed", "mcq", "order", "tf"), pick="preferred" if per_item else "random",
                      per_item=per_item)

    def run() -> tuple[list[str], list[str]]:
        leaks: list = []
        chosen = select(questions, filters, seed=1, guard=LeakGuard(cut=segmenter.cut), leaks=leaks)
        return [q.id for q in chosen], [x.line() for x in leaks]

    indexed = run()
    monkeypatch.setattr(LeakGuard, "index", lambda self, pool: None)
    assert run() == indexed
    assert indexed[1], "the deck has give-aways to find"
