"""GIFT, Moodle's plain-text question format: one `$CATEGORY:` per source and section, `::id::` titles.

Every text is written as HTML (`[html]`) that shows exactly the plain text, then GIFT's special characters
(`~ = # { } :` and backslash) are escaped, so tags, braces and template syntax arrive as text.
One thing GIFT cannot say: Moodle takes a short answer that contains `->` for a matching pair (`-` and `>` have no
escape, and a short answer is plain text, not HTML), and its importer then rejects the whole file. Such a set is
refused for this format, naming the question: export it as Moodle XML, which holds any answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizgen.errors import OutputError, Problem
from quizgen.models import Question, QuestionSet
from quizgen.outputs.common import CHOICE, ESSAY, SHORT, accepted, by_section, feedback_lines, html_lines, html_text, stem, tags

if TYPE_CHECKING:  # the registry in outputs/__init__.py imports this module
    from quizgen.outputs import OutputOptions

_SPECIAL = str.maketrans({c: "\\" + c for c in "\\~=#{}:"})


def escape(text: str) -> str:
    """Text with GIFT's special characters escaped."""
    return text.translate(_SPECIAL)


def _html(text: str) -> str:
    return escape(html_text(text))


def _short_answer(text: str) -> str:
    # Moodle compares short answers as patterns where * is a wildcard; \* is a literal star. An answer that starts with
    # % would read as a weight (=%50%…), and GIFT has no escape for it: an explicit full weight goes first.
    out = escape(text).replace("*", "\\*")
    return "%100%" + out if out.startswith("%") else out


def _option(text: str) -> str:
    # a choice starting with % would read as a weight (~%50%…); as HTML, &#37; shows the same character
    out = _html(text)
    return escape("&#37;") + out[1:] if out.startswith("%") else out


def _check_short(q: Question, output: str) -> None:
    """A short answer with `->` would make Moodle's GIFT importer abort the whole file: refuse it, named."""
    bad = next((a for a in accepted(q) if "->" in a), None)
    if bad is not None:
        raise OutputError(Problem(output, None, f"questions.{q.id}", f"the accepted answer {bad!r} contains '->', which GIFT "
                                  "cannot hold in a short answer (Moodle reads it as a matching pair and rejects the whole "
                                  "file); export this set with --format moodle instead, or change that answer"))


def _question(q: Question) -> str:
    head = f"// [id:{q.id}] " + " ".join(f"[tag:{t}]" for t in tags(q))
    title = f"::{escape(q.id)}::[html]{_html(stem(q))}"
    feedback = f"####{escape(html_lines(feedback_lines(q, with_answer=q.type in ESSAY)))}"
    if q.type in CHOICE:
        body = [("=" if i == q.correct else "~") + _option(opt) for i, opt in enumerate(q.options)]
    elif q.type == "tf":
        body = ["T" if q.correct == 0 else "F"]
    elif q.type in SHORT:
        body = [" ".join("=" + _short_answer(a) for a in accepted(q))]
    elif q.type == "order":
        # matching: each position picks its step (the step text is the plain-text side, where `->` may occur)
        body = [f"={_html(f'第 {n} 步')} -> {escape(step)}" for n, step in enumerate(q.steps, 1)]
    else:  # basic, reasons: an essay graded against the model answer in the feedback
        body = []
    return "\n".join([head, title + "{", *body, feedback, "}"])


def render(qset: QuestionSet, options: OutputOptions | None = None) -> dict[str, bytes]:
    """The set as one GIFT file."""
    for q in qset.questions:
        if q.type in SHORT:
            _check_short(q, qset.output)
    blocks: list[str] = []
    for cat, questions in by_section(qset):
        blocks.append(f"$CATEGORY: {cat}")
        blocks.extend(_question(q) for q in questions)
    return {f"{qset.output}.gift.txt": ("\n\n".join(blocks) + "\n").encode("utf-8")}
