"""Moodle XML: a `<quiz>` with a category per source and section, then each question in its Moodle form.

mcq/who -> multichoice (one right answer, shuffled by Moodle); tf -> truefalse; cloze/typed -> shortanswer (every accepted
answer at 100 %); order -> matching (each position picks its step); basic/reasons -> essay (model answer in graderinfo).
Texts are HTML (`format="html"`) that shows exactly the plain text, written by an XML serializer that escapes it again:
no CDATA, so no `]]>` can end a section early.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from quizgen.models import Question, QuestionSet
from quizgen.outputs.common import CHOICE, ESSAY, SHORT, accepted, by_section, feedback_lines, html_lines, html_text, model_answer, stem, tags

if TYPE_CHECKING:  # the registry in outputs/__init__.py imports this module
    from quizgen.outputs import OutputOptions

PENALTY = "0.3333333"


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html", **attrs: str) -> ET.Element:
    """<tag format=...><text>value</text></tag>; `value` is already in the element's format."""
    el = ET.SubElement(parent, tag, {**({"format": fmt} if fmt else {}), **attrs})
    ET.SubElement(el, "text").text = value
    return el


def _leaf(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def _answer(parent: ET.Element, fraction: str, text: str, fmt: str = "html") -> None:
    el = _text(parent, "answer", text, fmt, fraction=fraction)
    _text(el, "feedback", "")


def shortanswer_pattern(text: str) -> str:
    """Moodle compares short answers as patterns where * is a wildcard; \\* is a literal star."""
    return text.replace("*", "\\*")


def _category(quiz: ET.Element, path: str, info: str) -> None:
    el = ET.SubElement(quiz, "question", type="category")
    _text(el, "category", path, None)
    _text(el, "info", html_text(info))


def _question(quiz: ET.Element, q: Question) -> None:
    qtype = ("multichoice" if q.type in CHOICE else "truefalse" if q.type == "tf" else "shortanswer" if q.type in SHORT
             else "matching" if q.type == "order" else "essay")
    el = ET.SubElement(quiz, "question", type=qtype)
    _text(el, "name", q.id, None)
    _text(el, "questiontext", html_text(stem(q)))
    _text(el, "generalfeedback", html_lines(feedback_lines(q, with_answer=q.type in ESSAY)))
    _leaf(el, "defaultgrade", f"{q.points:.7f}")
    _leaf(el, "penalty", "0.0000000" if q.type in ESSAY else "1.0000000" if q.type == "tf" else PENALTY)
    _leaf(el, "hidden", "0")
    _leaf(el, "idnumber", q.id)
    if q.type in CHOICE:
        _leaf(el, "single", "true")
        _leaf(el, "shuffleanswers", "true")
        _leaf(el, "answernumbering", "ABCD")
        _leaf(el, "showstandardinstruction", "0")
        for i, option in enumerate(q.options):
            _answer(el, "100" if i == q.correct else "0", html_text(option))
    elif q.type == "tf":
        _answer(el, "100" if q.correct == 0 else "0", "true", "moodle_auto_format")
        _answer(el, "0" if q.correct == 0 else "100", "false", "moodle_auto_format")
    elif q.type in SHORT:
        _leaf(el, "usecase", "0")
        for answer in accepted(q):
            _answer(el, "100", shortanswer_pattern(answer), "moodle_auto_format")
    elif q.type == "order":
        _leaf(el, "shuffleanswers", "true")
        for n, step in enumerate(q.steps, 1):
            sub = _text(el, "subquestion", html_text(f"第 {n} 步"))
            ET.SubElement(ET.SubElement(sub, "answer"), "text").text = step  # the choices in the menu are plain text
    else:
        _leaf(el, "responseformat", "editor")
        _leaf(el, "responserequired", "1")
        _leaf(el, "responsefieldlines", "10")
        _leaf(el, "attachments", "0")
        _text(el, "graderinfo", html_lines([f"参考答案：{model_answer(q)}"]))
        _text(el, "responsetemplate", "")
    if q.type in CHOICE or q.type in ("order",):
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(el, tag, "")
    tag_el = ET.SubElement(el, "tags")
    for tag in tags(q):
        _text(tag_el, "tag", tag, None)


def render(qset: QuestionSet, options: OutputOptions | None = None) -> dict[str, bytes]:
    """The set as one Moodle XML file."""
    quiz = ET.Element("quiz")
    for cat, questions in by_section(qset):
        ref = questions[0].ref
        _category(quiz, cat, f"{ref.source_title} · {ref.section_title}")
        for q in questions:
            _question(quiz, q)
    ET.indent(quiz)
    body = ET.tostring(quiz, encoding="unicode")
    return {f"{qset.output}-moodle.xml": f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()}
