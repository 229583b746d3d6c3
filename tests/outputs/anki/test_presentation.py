"""How questions read (issue 8): instructions chosen by the kind of answer, the genre from the source, Chinese
typography, keys and card backs that show answer, evidence and note once, and ordering steps never in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, TEMPLATES, Workspace
from writers import write_deck

from quizgen.generate.questions import Generator, answer_kind
from quizgen.load.content import load_content, load_templates
from quizgen.models import Filters, QuestionSet
from quizgen.outputs.anki.package import load_notetypes, note_fields, note_guid
from quizgen.outputs.quiz.html import Templates, render_print
from quizgen.outputs.quiz.layout import plan_versions
from quizgen.text.typography import gap_sides, join_cjk, tidy


def _questions(ws: Workspace):
    content = load_content(ws.content)
    gen = Generator(content, load_templates(TEMPLATES))
    questions = gen.questions()
    assert not gen.problems.problems, gen.problems.problems
    return {q.id: q for q in questions}


def _set(questions, ids=None) -> QuestionSet:
    chosen = tuple(q for q in questions.values() if ids is None or q.id in ids)
    return QuestionSet(title="测验", output="t", deck_name="测验", deck_id=1, seed=3, sources=("xh-lin-2025",),
                       filters=Filters(), questions=chosen)


# --- instructions and genre -------------------------------------------------------------------


def test_instructions_fit_the_kind_of_answer(ws: Workspace) -> None:
    qs = _questions(ws)
    assert qs["xh-f-delivered-last-year:fact-cloze"].instructions == "在横线上填写数字和单位。"
    assert qs["xh-f-delivered-last-year:fact-basic"].instructions == "写出数字和单位。"
    assert qs["xh-f-first-customer:fact-cloze"].instructions == "在横线上填写名称。"
    assert qs["xh-f-first-customer:fact-basic"].instructions == "写出名称。"


def test_answer_kind_word_or_sentence() -> None:
    from quizgen.models import Fact

    base = {"kind": "fact", "id": "x", "paragraph": "p1", "evidence": "e", "question": "q", "answer_type": "other"}
    assert answer_kind(Fact(**base, answer="数据管道", statement="涉及数据管道。")) == "word"
    long = "每个算法都需要不同的重构方式和架构"
    assert answer_kind(Fact(**base, answer=long, statement=long)) == "phrase"  # a long phrase is not a sentence
    clause = "先要有算法，再要有架构"
    assert answer_kind(Fact(**base, answer=clause, statement=clause)) == "sentence"
    assert answer_kind(Fact(**base, answer="硬件、软件", statement="硬件、软件")) == "list"
    assert answer_kind(Fact(**base, answer="人形机器人和自动驾驶汽车", statement="人形机器人和自动驾驶汽车")) == "list"
    assert answer_kind(Fact(**base, answer="上层科学和底层架构之间的融合", statement="上层科学和底层架构之间的融合")) == "phrase"
    assert answer_kind(Fact(**{**base, "answer_type": "person"}, answer="埃隆·马斯克", statement="埃隆·马斯克")) == "person"
    assert answer_kind(Fact(**{**base, "answer_type": "company"}, answer="Dell 或 HP", statement="Dell 或 HP")) == "list"


def test_instructions_fit_the_answer() -> None:
    content = load_content(REPO / "content")
    qs = Generator(content, load_templates(REPO / "templates")).questions()
    for q in qs:
        if q.template_id == "fact-typed":  # the 「·」 hint only where a person's name is typed
            assert ("「·」" in (q.instructions or "")) == (content_item(content, q).answer_type == "person"), q.id
        if q.template_id in ("fact-basic", "fact-cloze") and "、" in q.answer and content_item(content, q).answer_type != "number":
            assert "列举" in (q.instructions or ""), q.id
        if q.instructions in ("用一句话回答。",):
            assert any(m in q.answer for m in "，,；;。"), q.id
        if q.type == "reasons":
            assert q.instructions == "写出说话人给出的理由。"


def content_item(content, q):
    return next(it.item for it in content.sources[q.source_id].items if it.id == q.item_id)


def test_genre_comes_from_the_source(ws: Workspace) -> None:
    qs = _questions(ws)
    assert qs["xh-t-data-loop:term-basic"].prompt == "访谈中的「数据回流」指什么？"
    assert qs["xh-f-first-customer:fact-tf"].instructions == "判断下列说法是否与访谈内容相符。"
    ws.source_yaml.write_text(ws.source_yaml.read_text(encoding="utf-8").replace("genre: 访谈", "genre: 演讲"), encoding="utf-8")
    qs = _questions(ws)
    assert qs["xh-t-data-loop:term-basic"].prompt == "演讲中的「数据回流」指什么？"
    assert qs["xh-t-data-loop:term-basic"].instructions == "用演讲中的说法解释下列概念。"
    html = render_print(Templates(TEMPLATES), _set(qs), plan_versions(_set(qs), versions=1, seed=1)[0], versions=1)
    assert "题目均出自演讲原文，请按演讲中的说法作答。" in html and "访谈" not in html.split("<body")[1].split("answer-key")[0].replace("访谈》", "")


def test_no_template_or_code_hard_codes_a_genre_or_a_person() -> None:
    for path in [*(REPO / "templates/questions").glob("*.yaml"), *(REPO / "templates/quiz").glob("*.j2"), *(REPO / "quizgen").glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", '"""')) and '"""' not in line)
        for word in ("访谈中", "访谈内容", "访谈原文", "黄仁勋", "BG2 访谈"):
            assert word not in code, f"{path.name}: {word}"


# --- typography -------------------------------------------------------------------------------


def test_join_cjk_spaces_chinese_and_latin_at_the_seams_only() -> None:
    assert join_cjk(["谈到", "OpenAI", "时，谁说了这句话"]) == "谈到 OpenAI 时，谁说了这句话"
    assert join_cjk(["「", "NVLink", "」指什么？"]) == "「NVLink」指什么？"
    assert join_cjk(["访谈中的「", "数据回流", "」"]) == "访谈中的「数据回流」"
    assert join_cjk(["OpenAI是", "公司"]) == "OpenAI是公司"  # inside a field the source's spacing stays


def test_tidy_removes_spaces_around_full_width_marks() -> None:
    assert tidy("增长了 10 倍 。") == "增长了 10 倍。"
    assert tidy("（ 见上文 ）") == "（见上文）"
    assert tidy("GPU 和 CPU") == "GPU 和 CPU"


def test_gap_keeps_its_space_next_to_latin() -> None:
    assert gap_sides("再加上 ", " AI 当助手") == ("再加上", " AI 当助手")
    assert gap_sides("共有 ", " 名员工") == ("共有", "名员工")
    assert gap_sides("用了 GPU ", "。") == ("用了 GPU ", "。")


def test_printed_gap_has_no_space_next_to_chinese_and_the_anki_gap_keeps_the_source_spacing(ws: Workspace, tmp_path: Path) -> None:
    qs = _questions(ws)
    q = qs["xh-f-delivered-last-year:fact-cloze"]
    assert q.cloze_parts == ("星衡机器人去年交付了 ", "1200 台", "机器人。")
    html = render_print(Templates(TEMPLATES), _set(qs, {q.id}), plan_versions(_set(qs, {q.id}), versions=1, seed=1)[0], versions=1)
    assert "星衡机器人去年交付了<span class=\"blank\"" in html
    _, fields = note_fields(q, load_notetypes(TEMPLATES))
    assert fields[0] == "星衡机器人去年交付了{{c1:: 1200 台}}机器人。"


# --- keys and card backs ----------------------------------------------------------------------


def test_explanations_never_repeat_the_question(ws: Workspace) -> None:
    qs = _questions(ws)
    assert qs["xh-f-first-customer:fact-cloze"].explanation == ""  # the key shows the answer and the evidence already
    assert qs["xh-f-delivered-last-year:fact-cloze"].explanation == "对比：今年计划交付 5000 台。"
    assert qs["xh-t-data-loop:term-basic"].explanation == ""
    for q in qs.values():
        assert q.explanation != q.prompt


def test_false_statement_key_says_what_was_changed(ws: Workspace) -> None:
    qs = _questions(ws)
    tf = qs["xh-f-first-customer:fact-tf"]
    if tf.answer == "错误":
        assert tf.explanation == "题中的「顺川快运」与原文的「第一个客户是青禾物流」不符。"
    for q in qs.values():
        if q.type == "tf" and q.answer == "错误":
            assert "不符" in q.explanation


def test_key_shows_answer_evidence_and_note_once_in_that_order(ws: Workspace) -> None:
    ws.add_to_item("xh-f-first-customer", "    note: 原文未说明试用是否收费。\n")
    qs = _questions(ws)
    q = qs["xh-f-first-customer:fact-cloze"]
    assert q.note == "原文未说明试用是否收费。"
    qset = _set(qs, {q.id})
    html = render_print(Templates(TEMPLATES), qset, plan_versions(qset, versions=1, seed=1)[0], versions=1)
    key = html.split('class="page answer-key"')[1]
    a, e, n = key.index("【答案】"), key.index("【原文】"), key.index("【注】</span>原文未说明试用是否收费。")
    assert a < e < n
    assert "【解析】" not in key  # nothing to add beyond the answer and the evidence
    assert "星衡机器人的第一个客户是青禾物流" not in key  # the statement is not repeated as an "explanation"


def test_note_reaches_the_anki_card_back_without_a_notetype_change(ws: Workspace, tmp_path: Path) -> None:
    from ankiutil import AnkiCollection

    ws.add_to_item("xh-f-first-customer", "    note: 原文未说明试用是否收费。\n")
    qs = _questions(ws)
    qset = _set(qs)
    write_deck(qset, templates_dir=TEMPLATES, out_path=tmp_path / "d.apkg", state_path=tmp_path / "s.json", now=1_700_000_000)
    col = AnkiCollection(tmp_path / "col")
    try:
        log = col.import_apkg(tmp_path / "d.apkg")
        assert (log.new, log.conflicting) == (len(qset.questions), 0)
        note = col.notes()[note_guid(qs["xh-f-first-customer:fact-cloze"])]
        assert "注：原文未说明试用是否收费。" in note["Explanation"]
        assert "{{c1::" in note["Text"]
    finally:
        col.close()


# --- ordering ---------------------------------------------------------------------------------


SEQUENCE = """\
items:
  - id: seq
    kind: argument
    paragraph: p005
    claim: 数据回流让下一代机器更好。
    question: 为什么机器在现场跑得越多，下一代就越好？
    reasons:
      - 每台机器的运行数据都传回来。
      - 这些数据用来改进下一批。
    conclusion: 机器在现场跑得越多，下一代就越好。
    sequential: true
    evidence: 用来改进下一批
"""


def test_only_sequential_arguments_become_ordering_questions(ws: Workspace) -> None:
    founding = ws.bank / "01-founding.yaml"
    founding.write_text(founding.read_text(encoding="utf-8").replace("    sequential: true\n", ""), encoding="utf-8")
    assert not any(q.type == "order" for q in _questions(ws).values())
    (ws.bank / "03-seq.yaml").write_text(SEQUENCE, encoding="utf-8")
    assert "seq:argument-order" in _questions(ws)


@pytest.mark.parametrize("seed", range(3))
def test_no_printed_version_shows_the_steps_in_their_order(ws: Workspace, seed: int) -> None:
    (ws.bank / "03-seq.yaml").write_text(SEQUENCE, encoding="utf-8")
    qs = _questions(ws)
    qset = _set(qs, {"seq:argument-order"})
    for version in plan_versions(qset, versions=40, seed=seed):
        item = version.items[0]
        shown = [o.text for o in item.options]
        assert shown != list(item.question.steps), version.label
    assert list(qs["seq:argument-order"].options) != list(qs["seq:argument-order"].steps)  # nor the Anki card


def test_mixed_instructions_move_from_the_group_heading_to_each_question(ws: Workspace) -> None:
    qs = _questions(ws)
    ids = {"xh-f-delivered-last-year:fact-basic", "xh-f-first-customer:fact-basic"}
    qset = _set(qs, ids)
    html = render_print(Templates(TEMPLATES), qset, plan_versions(qset, versions=1, seed=1)[0], versions=1)
    assert 'class="group-instructions"' not in html
    assert '<span class="q-hint">（写出数字和单位）</span>' in html
    assert '<span class="q-hint">（写出名称）</span>' in html


# --- cards a learner trusts -------------------------------------------------------------------


def test_cards_show_each_thing_once_and_typed_backs_every_accepted_form(ws: Workspace, tmp_path: Path) -> None:
    """A quote fill-in's back shows the quote once (its 原文 is where it stands); a typed card's back lists every
    accepted form and says how Anki compared them; the notetypes stay as shipped (nothing conflicts on import)."""
    from ankiutil import AnkiCollection

    content = load_content(REPO / "content")
    questions = {q.id: q for q in Generator(content, load_templates(REPO / "templates")).questions()}
    quote = questions["agi-q-reinvented:quote-cloze"]
    typed = next(q for q in questions.values() if q.type == "typed" and len(set(q.accept) - {q.answer}) >= 1)
    qset = _set(questions, [quote.id, typed.id])
    write_deck(qset, templates_dir=TEMPLATES, out_path=tmp_path / "d.apkg", state_path=tmp_path / "s.json", now=1_700_000_000)
    col = AnkiCollection(tmp_path / "col")
    try:
        log = col.import_apkg(tmp_path / "d.apkg")
        assert (log.new, log.conflicting) == (2, 0)
        notes = col.notes()
        q_note, t_note = notes[note_guid(quote)], notes[note_guid(typed)]
        body = "了计算，因为我们已经在过去 10 年中"
        assert body in q_note["Text"] and body not in q_note["Evidence"] and "……" in q_note["Evidence"]
        assert "逐字比较" in t_note["Explanation"]
        for form in set(typed.accept) - {typed.answer}:
            assert f"「{form}」" in t_note["Explanation"], form
        assert t_note["Answer"] == typed.answer  # what {{type:Answer}} compares with stays the answer alone
    finally:
        col.close()


def test_a_year_is_asked_as_a_year() -> None:
    content = load_content(REPO / "content")
    qs = {q.id: q for q in Generator(content, load_templates(REPO / "templates")).questions()}
    assert qs["safe-f-dgx1-2016:fact-cloze"].instructions == "在横线上填写年份。"
    years = [q for q in qs.values() if q.template_id in ("fact-cloze", "fact-basic") and content_item(content, q).answer_type == "date"]
    assert years
    for q in years:
        assert "数字和单位" not in (q.instructions or ""), q.id
        if q.answer.strip().endswith("年") and q.answer.strip()[:4].isdigit():
            assert "年份" in (q.instructions or ""), q.id
