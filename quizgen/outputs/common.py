"""What the learning-platform formats share: question stems, feedback, accepted answers, categories, fixed timestamps."""

from __future__ import annotations

import datetime as dt
import html
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator

from quizgen.models import Question, QuestionSet
from quizgen.rand import source_date_epoch
from quizgen.text.labels import option_letters
from quizgen.text.typography import with_gap

BLANK = "______"
"""What stands for the cloze blank in a question stem."""

CHOICE = ("mcq", "who")
SHORT = ("cloze", "typed")
ESSAY = ("basic", "reasons")

DIFFICULTY = {"tf": "易", "who": "易", "mcq": "中", "cloze": "中", "typed": "中", "order": "难", "basic": "难", "reasons": "难"}
"""难度 by response format, not by measured results (there are none yet): recognising a statement or a speaker is easiest,
recalling an exact word or choosing among four plausible options takes more, and ordering or writing out an argument most.
A core point (`importance: core`) stays at its format's level; we do not claim an item is harder than its format says."""


def difficulty(q: Question) -> str:
    """易 / 中 / 难 from the question's type (see DIFFICULTY)."""
    return DIFFICULTY.get(q.type, "中")


def stem(q: Question) -> str:
    """The question as a learner reads it, plain text: the cloze sentence shows a blank where the answer goes."""
    if q.type == "cloze" and q.cloze_text is not None:
        before, _, after = q.cloze_parts
        return with_gap(before, BLANK, after)
    return q.prompt


def accepted(q: Question) -> tuple[str, ...]:
    """Every answer that earns full marks, the canonical one first, without repeats."""
    return tuple(dict.fromkeys(a for a in (q.answer, *q.accept) if a.strip()))


def model_answer(q: Question) -> str:
    """The answer a grader compares with: essays show the model answer, order questions the steps in order."""
    if q.type == "order" and q.steps:
        return " → ".join(q.steps)
    return q.answer


def where(q: Question) -> str:
    """Where the evidence is: section, paragraph and speaker (the category or 来源 column names the source)."""
    r = q.ref
    return f"{r.label} · {r.paragraph_id} · {r.speaker_name}"


def feedback_lines(q: Question, *, with_answer: bool = False) -> list[str]:
    """General feedback, plain text: (the model answer,) the explanation, any note, the evidence with its paragraph."""
    lines = [f"参考答案：{model_answer(q)}"] if with_answer else []
    if q.explanation.strip():  # an empty explanation is no paragraph
        lines.append(q.explanation)
    note = getattr(q, "note", None)
    if note:
        lines.append(f"注：{note}")
    lines.append(f"依据（{where(q)}）：「{q.ref.evidence}」")
    return lines


def html_text(text: str) -> str:
    """Plain text as HTML that shows exactly that text (tags, entities and braces stay visible)."""
    return html.escape(text, quote=False).replace("\r\n", "\n").replace("\n", "<br>")


def html_lines(lines: Iterable[str]) -> str:
    """One <p> per non-empty line (an empty one would print as a blank paragraph)."""
    return "".join(f"<p>{html_text(line)}</p>" for line in lines if line.strip())


def category(q: Question) -> str:
    """The Moodle category path of a question: one per source and section."""
    return f"$course$/quizgen/{q.source_id}/{q.ref.section_id}"


def by_section(qset: QuestionSet) -> Iterator[tuple[str, list[Question]]]:
    """(category, its questions in set order), sections in the order they first appear in the set."""
    groups: dict[str, list[Question]] = {}
    for q in qset.questions:
        groups.setdefault(category(q), []).append(q)
    yield from groups.items()


def letters(n: int) -> str:
    """The letters of n options (the one labeller, text.labels)."""
    return option_letters(n)


# --- reproducible archives ------------------------------------------------------------------------

ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest time a zip entry can hold


def stamp(qset: QuestionSet, options: object | None) -> dt.datetime:
    """The one time written into archives: options.epoch, else SOURCE_DATE_EPOCH, else the newest source date."""
    epoch = getattr(options, "epoch", None)
    if epoch is None:
        epoch = source_date_epoch()
    if epoch is not None:
        when = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    else:
        dates = [q.ref.source_date for q in qset.questions if q.ref.source_date is not None]
        when = dt.datetime.combine(max(dates), dt.time(), tzinfo=dt.UTC) if dates else ZIP_EPOCH
    return max(when, ZIP_EPOCH)


def zip_bytes(entries: Iterable[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """A zip of these entries in this order, every entry stamped with `when` and the same permissions."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def rezip(data: bytes, when: dt.datetime, transform: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """Repack a zip written by a library with fixed timestamps (keeping entry order), transforming entries on the way."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    if transform is not None:
        entries = [(name, transform(name, body)) for name, body in entries]
    return zip_bytes(entries, when)


def tags(q: Question) -> tuple[str, ...]:
    """Tags for platforms that keep them: where the question comes from, its type and importance, and the item's tags."""
    importance = getattr(q, "importance", None) or "detail"
    return tuple(dict.fromkeys(("quizgen", f"type-{q.type}", f"importance-{importance}", *q.tags)))
