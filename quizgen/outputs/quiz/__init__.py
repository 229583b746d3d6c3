"""Printable quizzes: an HTML page per version (exam, answer sheet, key), the self-check page, PDFs via Chromium."""

from __future__ import annotations

from quizgen.models import QuestionSet
from quizgen.outputs import OutputOptions
from quizgen.outputs.quiz.html import render_quiz


def render(qset: QuestionSet, options: OutputOptions) -> dict[str, bytes]:
    """`<output>-A.html`… (and `-interactive.html`, `-A.pdf`… when asked for)."""
    return render_quiz(qset, templates_dir=options.templates, versions=options.versions, seed=options.seed,
                       interactive=options.interactive, pdf=options.pdf, answer_sheets=options.answer_sheets,
                       id_digits=options.id_digits)
