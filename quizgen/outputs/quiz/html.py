"""Question sets -> printable A4 quizzes (exam, answer sheet, key) and an offline self-check page, through Jinja2."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from markupsafe import Markup

from quizgen.fsutil import user_cache_dir
from quizgen.models import QuestionSet
from quizgen.outputs.quiz.keycsv import key_csv_for
from quizgen.outputs.quiz.layout import Version, plan_versions
from quizgen.templating import environment, template_errors
from quizgen.text.typography import chinese_date

TEMPLATE_DIR = "quiz"
PRINT_TEMPLATE = "print.html.j2"
INTERACTIVE_TEMPLATE = "interactive.html.j2"
FOOTER_TEMPLATE = "pdf-footer.html.j2"
SCRIPT_TEMPLATE = "selfcheck.js"

def source_lines(qset: QuestionSet) -> list[str]:
    """One "title（outlet，date）" per source, in the set's order."""
    seen: dict[str, str] = {}
    for q in qset.questions:
        if q.ref.source_id in seen:
            continue
        ref = q.ref
        # outlet and date are shown when the set carries them (SourceRef.source_outlet / source_date).
        extra = [str(v) for v in (getattr(ref, "source_outlet", None), chinese_date(getattr(ref, "source_date", None))) if v]
        seen[ref.source_id] = ref.source_title + (f"（{'，'.join(extra)}）" if extra else "")
    return list(seen.values())


# --- templates --------------------------------------------------------------------------------


class Templates:
    """The quiz templates (templates/quiz/) in the one environment, compiled once per user (templating.environment)."""

    def __init__(self, templates_dir: Path):
        self.folder = templates_dir / TEMPLATE_DIR
        self.env = environment(self.folder, bytecode_cache=user_cache_dir("jinja"))

    def render(self, name: str, **context: Any) -> str:
        """Render a template by name; a missing or broken template is a ContentError naming the file."""
        with template_errors(self.folder, name, kind="quiz"):
            return self.env.get_template(name).render(**context)
        raise AssertionError("unreachable")  # template_errors always raises or returns above


def _hash(script: str) -> str:
    """CSP source for an inline script: only this exact script may run."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def _context(qset: QuestionSet, version: Version) -> dict[str, Any]:
    genres = {q.ref.genre for q in qset.questions}
    return {"qset": qset, "version": version, "sources": list(qset.header) or source_lines(qset), "genre": genres.pop() if len(genres) == 1 else None}


def render_print(templates: Templates, qset: QuestionSet, version: Version, *, versions: int) -> str:
    """One printable version: exam, answer sheet, answer key."""
    return templates.render(PRINT_TEMPLATE, **_context(qset, version), versions=versions)


def _selfcheck_data(version: Version) -> dict[str, Any]:
    """What the self-check script needs to score answers (the rest is in the page already)."""
    questions = []
    for item in version.items:
        q = item.question
        entry: dict[str, Any] = {"id": q.id, "number": item.number, "type": q.type, "points": q.points}
        if item.choice:
            entry["correct"] = item.answer_letters[0]
        elif q.type in ("reasons", "order"):
            entry["self"] = True
        else:
            entry["answers"] = [q.cloze_parts[1] if q.type == "cloze" else q.answer, *q.accept]
        questions.append(entry)
    return {"questions": questions, "total": version.points}


def render_interactive(templates: Templates, qset: QuestionSet, version: Version) -> str:
    """The self-check page: one offline file, inline CSS and script, no request leaves it."""
    script = templates.render(SCRIPT_TEMPLATE)
    return templates.render(INTERACTIVE_TEMPLATE, **_context(qset, version), data=_selfcheck_data(version),
                            script=Markup(script), script_hash=_hash(script))  # noqa: S704 - the script is ours, from templates/quiz/


def render_footer(templates: Templates, qset: QuestionSet, version: Version, *, versions: int) -> str:
    """Chromium's footerTemplate for the PDF: title, version, page N of M."""
    return templates.render(FOOTER_TEMPLATE, **_context(qset, version), versions=versions)


# --- writing ----------------------------------------------------------------------------------


def render_quiz(qset: QuestionSet, *, templates_dir: Path, versions: int, seed: int,
                interactive: bool = False, pdf: bool = False) -> dict[str, bytes]:
    """Render every version (and the self-check page, and PDFs): file name -> bytes, nothing written."""
    templates = Templates(templates_dir)
    plan = plan_versions(qset, versions=versions, seed=seed)
    pages = [render_print(templates, qset, v, versions=versions) for v in plan]
    files: dict[str, bytes] = {}
    for version, page in zip(plan, pages, strict=False):
        files[f"{qset.output}-{version.label}.html"] = page.encode("utf-8")
    files[f"{qset.output}-key.csv"] = key_csv_for(qset, plan)  # issue 11: the key that `quizgen grade` reads
    if interactive:
        files[f"{qset.output}-interactive.html"] = render_interactive(templates, qset, plan[0]).encode("utf-8")
    if pdf:
        from quizgen.outputs.quiz.pdf import PrintJob, print_pdfs  # noqa: PLC0415 - Chromium only when asked for

        footers = [render_footer(templates, qset, v, versions=versions) for v in plan]
        for version, data in zip(plan, print_pdfs([PrintJob(p, f) for p, f in zip(pages, footers, strict=False)]), strict=False):
            files[f"{qset.output}-{version.label}.pdf"] = data
    return files  # insertion order: version pages, the key CSV, the self-check page, then the PDFs
