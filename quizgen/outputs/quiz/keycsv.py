"""The machine-readable answer key printed quizzes come with: one CSV row per version and question, for grading."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from quizgen.fsutil import csv_bytes
from quizgen.outputs.quiz.layout import Item, Version, plan_versions
from quizgen.text.typography import with_gap

if TYPE_CHECKING:
    from quizgen.models import QuestionSet

COLUMNS = ("version", "number", "question_id", "item_id", "type", "answer", "points", "options")
"""Required first, in this order (the issue's contract)."""
EXTRA = ("quiz", "section_id", "section_index", "section_title", "part", "paragraph_id", "speaker", "accept", "prompt", "evidence",
         "title")
"""What grading and its report need beyond the answer: the quiz it belongs to, accepted spellings, where to re-read
(`part`: the labelled part of the section the paragraph is in, source.yaml `parts`; empty when none; `title`: the
quiz's title, for the pages grading prints)."""
SEP = "|"
"""Joins option texts and accepted answers inside one cell."""
BLANK = "＿＿＿"


def key_answer(item: Item) -> str:
    """The answer as a student writes it on the sheet: a letter, a letter sequence, or the text itself."""
    if item.question.options:
        return "".join(item.answer_letters)
    return item.question.answer


def _prompt(item: Item) -> str:
    q = item.question
    if q.type == "cloze":
        before, _, after = q.cloze_parts
        return with_gap(before, BLANK, after)
    return q.prompt


def key_rows(qset: QuestionSet, plan: list[Version]) -> list[dict[str, str]]:
    """One row per version and printed question, in printed order."""
    rows = []
    for version in plan:
        for item in version.items:
            q = item.question
            rows.append({
                "version": version.label,
                "number": str(item.number),
                "question_id": q.id,
                "item_id": q.item_id,
                "type": q.type,
                "answer": key_answer(item),
                "points": str(q.points),
                "options": SEP.join(o.text for o in item.options),
                "quiz": qset.output,
                "section_id": q.ref.section_id,
                "section_index": str(q.ref.section_index),
                "section_title": q.ref.section_title,
                "part": q.ref.part_title or "",
                "paragraph_id": q.ref.paragraph_id,
                "speaker": q.ref.speaker_name,
                "accept": SEP.join(q.accept),
                "prompt": _prompt(item),
                "evidence": q.ref.evidence,
                "title": qset.title,
            })
    return rows


def key_csv_for(qset: QuestionSet, plan: list[Version]) -> bytes:
    """The key CSV of versions already planned (the ones written beside it)."""
    return csv_bytes(COLUMNS + EXTRA, key_rows(qset, plan))


def key_csv(qset: QuestionSet, *, versions: int, seed: int) -> bytes:
    """The key CSV of a set's printed versions: the same layout, order and letters as render.write_quiz prints."""
    return key_csv_for(qset, plan_versions(qset, versions=versions, seed=seed))


def key_fingerprint(rows: list[dict[str, str]]) -> str:
    """A short hash of what identifies a printed quiz (versions, numbers, questions, answers, options)."""
    h = hashlib.sha256()
    for row in rows:
        h.update("\x1f".join(row[c] for c in ("version", "number", "question_id", "answer", "options")).encode("utf-8") + b"\x1e")
    return h.hexdigest()[:12]
