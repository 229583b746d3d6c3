"""Question sets -> printable A4 quizzes (exam, answer sheet, key) and an offline self-check page, through Jinja2."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from markupsafe import Markup

from quizgen.errors import ContentError, Problem
from quizgen.fsutil import user_cache_dir
from quizgen.models import QuestionSet
from quizgen.outputs.quiz.keycsv import key_csv_for, key_fingerprint, key_rows
from quizgen.outputs.quiz.layout import Version, plan_versions
from quizgen.templating import environment, template_errors
from quizgen.text.typography import chinese_date

TEMPLATE_DIR = "quiz"
PRINT_TEMPLATE = "print.html.j2"
INTERACTIVE_TEMPLATE = "interactive.html.j2"
FOOTER_TEMPLATE = "pdf-footer.html.j2"
SHEETS_TEMPLATE = "sheets.html.j2"
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


def render_print(templates: Templates, qset: QuestionSet, version: Version, *, versions: int, scan: bool = False) -> str:
    """One printable version: exam, answer sheet (unless machine-readable sheets come separately), answer key."""
    return templates.render(PRINT_TEMPLATE, **_context(qset, version), versions=versions, scan=scan,
                            scan_order=any(i.question.type == "order" for i in version.items))


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


def render_footer(templates: Templates, qset: QuestionSet, version: Version, *, versions: int, sheets: bool = False) -> str:
    """Chromium's footerTemplate for the PDF: title, version, page N of M (not for a file of answer sheets)."""
    return templates.render(FOOTER_TEMPLATE, **_context(qset, version), versions=versions, sheets=sheets)


# --- writing ----------------------------------------------------------------------------------


def render_sheets(templates: Templates, qset: QuestionSet, version: Version, *, versions: int, copies: int, digits: int,
                  key: str) -> str:
    """A version's machine-readable answer sheets, one per student with its serial, for `quizgen scan`."""
    from quizgen.grade.scan.layout import LayoutError, Slot  # noqa: PLC0415 - only when sheets are asked for
    from quizgen.grade.scan.printsheet import context, sheet_pages  # noqa: PLC0415 - only when sheets are asked for

    slots = [Slot(number=i.number, type=i.question.type, options=len(i.options), points=i.question.points) for i in version.items]
    masks: dict[int, int] = {}  # one QR mask per page of the version: chosen for the first sheet, reused
    try:
        sheets = [sheet_pages(slots, quiz=qset.output, key=key, title=qset.title, version=version.label, versions=versions,
                              serial=serial, digits=digits, masks=masks) for serial in range(1, copies + 1)]
    except LayoutError as exc:
        raise ContentError(Problem(qset.output, None, "answer_sheets", f"version {version.label}: {exc}")) from exc
    return templates.render(SHEETS_TEMPLATE, **_context(qset, version), versions=versions, **context(sheets))


def render_quiz(qset: QuestionSet, *, templates_dir: Path, versions: int, seed: int,
                interactive: bool = False, pdf: bool = False, answer_sheets: int = 0, id_digits: int = 8) -> dict[str, bytes]:
    """Render every version (and the machine-readable sheets, the self-check page, and PDFs): file name -> bytes,
    nothing written."""
    templates = Templates(templates_dir)
    plan = plan_versions(qset, versions=versions, seed=seed)
    scan = answer_sheets > 0
    pages = [render_print(templates, qset, v, versions=versions, scan=scan) for v in plan]
    files: dict[str, bytes] = {}
    for version, page in zip(plan, pages, strict=True):
        files[f"{qset.output}-{version.label}.html"] = page.encode("utf-8")
    files[f"{qset.output}-key.csv"] = key_csv_for(qset, plan)  # issue 11: the key that `quizgen grade` reads
    sheets = []
    if scan:  # one sheet per student and version, each with its serial in its QR code
        fingerprint = key_fingerprint(key_rows(qset, plan))
        sheets = [render_sheets(templates, qset, v, versions=versions, copies=answer_sheets, digits=id_digits, key=fingerprint)
                  for v in plan]
        for version, sheet in zip(plan, sheets, strict=True):
            files[f"{qset.output}-{version.label}-sheets.html"] = sheet.encode("utf-8")
    if interactive:
        files[f"{qset.output}-interactive.html"] = render_interactive(templates, qset, plan[0]).encode("utf-8")
    if pdf:
        from quizgen.outputs.quiz.pdf import PrintJob, print_pdfs  # noqa: PLC0415 - Chromium only when asked for

        footers = [render_footer(templates, qset, v, versions=versions) for v in plan]
        footers += [render_footer(templates, qset, v, versions=versions, sheets=True) for v in plan[: len(sheets)]]
        printed = print_pdfs([PrintJob(p, f) for p, f in zip([*pages, *sheets], footers, strict=True)])
        for version, data in zip(plan, printed, strict=False):
            files[f"{qset.output}-{version.label}.pdf"] = data
        for version, data in zip(plan, printed[len(plan):], strict=False):
            files[f"{qset.output}-{version.label}-sheets.pdf"] = data
    return files  # insertion order: version pages, the key CSV, the sheets, the self-check page, then the PDFs
