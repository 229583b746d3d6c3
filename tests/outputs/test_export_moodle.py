"""Moodle XML export, read back question by question with an XML parser and an HTML parser."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from export_util import HOSTILE, export_set, html_as_text

from quizgen.outputs import moodle
from quizgen.outputs.common import accepted, by_section, model_answer, stem, tags

NAME = "every-question-moodle.xml"
MOODLE_TYPE = {"mcq": "multichoice", "who": "multichoice", "tf": "truefalse", "cloze": "shortanswer", "typed": "shortanswer",
               "order": "matching", "basic": "essay", "reasons": "essay"}


@pytest.fixture(scope="module")
def exported() -> tuple[bytes, ET.Element]:
    files = moodle.render(export_set(), None)
    assert list(files) == [NAME]
    return files[NAME], ET.fromstring(files[NAME])


def shown(el: ET.Element | None, *, tags_allowed: set[str] = frozenset()) -> str:
    """The text Moodle shows for an html-format field: the field is HTML whose only tags are ours."""
    assert el is not None and el.get("format") == "html"
    text, found = html_as_text(el.findtext("text") or "")
    assert found <= tags_allowed, found
    return text


def test_a_category_per_source_and_section_then_its_questions(exported) -> None:
    _, quiz = exported
    expected: list[tuple[str, str]] = []
    for cat, questions in by_section(export_set()):
        expected.append(("category", cat))
        expected.extend((MOODLE_TYPE[q.type], q.id) for q in questions)
    got = [("category", q.findtext("category/text")) if q.get("type") == "category" else (q.get("type"), q.findtext("name/text"))
           for q in quiz.findall("question")]
    assert got == expected
    assert all(c.startswith("$course$/quizgen/") and c.count("/") == 3 for kind, c in got if kind == "category")


def test_each_question_reads_back_as_the_same_text_and_answers(exported) -> None:
    _, quiz = exported
    elements = [q for q in quiz.findall("question") if q.get("type") != "category"]
    qset = export_set()
    assert len(elements) == len(qset.questions)
    for q, el in zip(qset.questions, elements, strict=True):
        assert el.findtext("idnumber") == q.id
        assert [t.findtext("text") for t in el.findall("tags/tag")] == list(tags(q))
        assert float(el.findtext("defaultgrade")) == q.points
        assert shown(el.find("questiontext")) == stem(q), q.id
        feedback = shown(el.find("generalfeedback"), tags_allowed={"p"})
        assert q.ref.evidence in feedback and q.ref.paragraph_id in feedback and q.ref.speaker_name in feedback
        answers = el.findall("answer")
        if q.type in ("mcq", "who"):
            assert el.findtext("single") == "true"
            assert [shown(a) for a in answers] == list(q.options)
            fractions = [a.get("fraction") for a in answers]
            assert fractions.count("100") == 1 and fractions[q.correct] == "100", q.id
            assert set(fractions) == {"100", "0"}
        elif q.type == "tf":
            assert {a.findtext("text"): a.get("fraction") for a in answers} == (
                {"true": "100", "false": "0"} if q.correct == 0 else {"true": "0", "false": "100"})
        elif q.type in ("cloze", "typed"):
            assert [a.get("fraction") for a in answers] == ["100"] * len(accepted(q))
            # a short answer is a pattern where * is a wildcard: \* is a literal star
            assert [a.findtext("text").replace("\\*", "*") for a in answers] == list(accepted(q))
        elif q.type == "order":
            subs = el.findall("subquestion")
            assert [(shown(s), s.findtext("answer/text")) for s in subs] == [(f"第 {n} 步", s) for n, s in enumerate(q.steps, 1)]
        else:
            assert not answers
            assert f"参考答案：{model_answer(q)}" == shown(el.find("graderinfo"), tags_allowed={"p"})


def test_hostile_text_survives_as_text(exported) -> None:
    data, quiz = exported
    assert b"<![CDATA[" not in data
    texts = [shown(el.find("questiontext")) for el in quiz.findall("question") if el.get("type") != "category"]
    assert sum(HOSTILE in t for t in texts) >= 5
    assert "合作方是哪家公司？ {{c1::x}} =1+1" in texts


def test_second_export_is_byte_identical(exported) -> None:
    data, _ = exported
    assert moodle.render(export_set(), None)[NAME] == data
