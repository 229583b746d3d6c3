"""Per-item `skip: {template-id: "reason"}`: a curator excludes a question template from one item, saying why."""

from __future__ import annotations

from conftest import TEMPLATES, replace_once

from quizgen.generate.questions import Generator
from quizgen.load.content import load_content, load_templates

ANCHOR = "    distractors: [顺川快运, 远帆供应链, 北辰仓储]\n"


def _questions(ws) -> list[str]:
    gen = Generator(load_content(ws.content), load_templates(TEMPLATES))
    return [q.id for q in gen.questions() if q.item_id == "xh-f-first-customer"]


def test_a_skipped_template_makes_no_question_of_that_item(ws) -> None:
    before = _questions(ws)
    assert "xh-f-first-customer:fact-mcq" in before
    replace_once(ws.bank / "01-founding.yaml", ANCHOR, ANCHOR + '    skip: {fact-mcq: "a binary idea: no same-form distractor is plausible"}\n')
    after = _questions(ws)
    assert after == [q for q in before if q != "xh-f-first-customer:fact-mcq"]
    result = ws.check()
    assert (result.exit_code, result.stderr) == (0, "")


def test_skip_names_a_template_of_the_items_kind_and_says_why(ws) -> None:
    path = ws.bank / "01-founding.yaml"
    line = replace_once(path, ANCHOR, ANCHOR + '    skip: {fact-mcqq: "typo", term-mcq: "wrong kind", fact-tf: ""}\n') + 1
    result = ws.check()
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = result.stderr.splitlines()
    where = f"error: {ws.rel(path)}:{line}: skip: item xh-f-first-customer:"
    assert f"{where} no question template 'fact-mcqq'; use one of fact-cloze, fact-basic, fact-mcq, fact-tf, fact-typed" in errors
    assert f"{where} template term-mcq makes questions from a term, not a fact; remove it" in errors
    assert f"{where} say why fact-tf is skipped" in errors
