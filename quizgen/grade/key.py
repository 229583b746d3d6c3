"""Read the key CSV written beside every printed quiz (quizgen/outputs/quiz/keycsv.py) and check it is whole."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from quizgen.errors import ContentError, Problem, brief, rel
from quizgen.fsutil import OUTPUT_NAME, OUTPUT_NAME_LENGTH, unguard
from quizgen.load.dataio import decode_csv, parse_csv, read_csv_bytes
from quizgen.outputs.quiz.keycsv import COLUMNS, SEP, key_fingerprint
from quizgen.text.labels import option_letters

QUESTION_TYPES = ("cloze", "basic", "mcq", "tf", "who", "reasons", "order", "typed")
"""models.QUESTION_TYPES, repeated: grading never needs pydantic, and importing it costs a third of a second."""
CHOICE = ("mcq", "tf", "who")
LETTERED = (*CHOICE, "order")
WRITTEN = ("cloze", "typed")
MARKED = ("basic", "reasons")
"""Short answers: the teacher enters the points."""


@dataclass(frozen=True)
class Entry:
    """One question as printed in one version."""

    version: str
    number: int
    question_id: str
    item_id: str
    type: str
    answer: str
    points: int
    options: tuple[str, ...]
    accept: tuple[str, ...] = ()
    section_id: str = ""
    section_index: int = 0
    section_title: str = ""
    part: str = ""
    """The labelled part of the section (empty when none, and in keys written before parts)."""
    paragraph_id: str = ""
    speaker: str = ""
    prompt: str = ""
    evidence: str = ""

    @property
    def label(self) -> str:
        """Where in the source, as card backs show it: «section · part», or the section alone."""
        return f"{self.section_title} · {self.part}" if self.part else self.section_title

    @cached_property
    def letters(self) -> str:
        return option_letters(len(self.options))

    @property
    def answers(self) -> tuple[str, ...]:
        """Written questions: the key's answer and every accepted spelling."""
        return (self.answer, *self.accept)

    @property
    def shown_answer(self) -> str:
        """The right answer for people: 'C．text' for one letter, the sequence for ordering, else the text."""
        if self.type in CHOICE:
            return f"{self.answer}．{self.options[ord(self.answer) - ord('A')]}"
        if self.type == "order":
            return " → ".join(self.answer)
        return self.answer


@dataclass(frozen=True)
class Key:
    file: str
    quiz: str
    fingerprint: str
    versions: dict[str, tuple[Entry, ...]]
    """Version label -> its questions in printed order (index = number - 1)."""
    title: str = ""
    """The quiz's title as printed (keys written before it had a `title` column: the quiz id)."""

    @property
    def name(self) -> str:
        """What pages call the quiz: its title, else its id."""
        return self.title or self.quiz

    @property
    def questions(self) -> tuple[Entry, ...]:
        """Each question once, as the first version prints it: the order of items.csv and the report."""
        return next(iter(self.versions.values()))

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def max_points(self) -> int:
        return sum(e.points for e in self.questions)


_VERSION = re.compile(r"[A-Z]{1,3}")
_QUIZ = re.compile(OUTPUT_NAME)
MAX_POINTS = 100


def read_key(path: Path) -> Key:
    """Read and check a key CSV; every problem as `file:row: column: message`."""
    return parse_key(read_csv_bytes(path) if path.exists() else _missing(path), rel(path))


def _missing(path: Path) -> bytes:
    raise ContentError(Problem(rel(path), None, "--key", "file not found; it is written beside the quiz as <output>-key.csv by `quizgen quiz` or `quizgen build`"))


def parse_key(data: bytes, where: str) -> Key:
    text = decode_csv(data, where)
    rows = [[unguard(c) for c in row] for row in parse_csv(text, where)]  # the `'` keycsv put before formula-like text
    if not rows:
        raise ContentError(Problem(where, 1, "header", "empty file; expected a key CSV written by `quizgen quiz`"))
    header = [h.strip() for h in rows[0]]
    if tuple(header[: len(COLUMNS)]) != COLUMNS:
        raise ContentError(Problem(where, 1, "header", f"expected the columns {','.join(COLUMNS)} first; is this a key CSV written by `quizgen quiz`?"))
    problems: list[Problem] = []
    versions: dict[str, list[Entry]] = {}
    quiz = title = ""
    for line, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, [c.strip() for c in cells] + [""] * (len(header) - len(cells)), strict=False))
        entry = _entry(row, where, line, problems)
        if entry is None:
            continue
        quiz = quiz or row.get("quiz", "")
        title = title or row.get("title", "")
        versions.setdefault(entry.version, []).append(entry)
    if not versions and not problems:
        problems.append(Problem(where, 2, "version", "the key has no questions"))
    if problems:
        raise ContentError(problems)
    first = next(iter(versions.values()))
    ids = sorted(e.question_id for e in first)
    for label, entries in versions.items():
        numbers = [e.number for e in entries]
        if numbers != list(range(1, len(entries) + 1)):
            problems.append(Problem(where, None, "number", f"version {label} is not numbered 1..{len(entries)} in order"))
        if sorted(e.question_id for e in entries) != ids:
            problems.append(Problem(where, None, "question_id", f"version {label} does not ask the same questions as version {next(iter(versions))}"))
    if len(set(ids)) != len(ids):
        problems.append(Problem(where, None, "question_id", "a question appears twice in one version"))
    if problems:
        raise ContentError(problems)
    fingerprint = key_fingerprint([{"version": e.version, "number": str(e.number), "question_id": e.question_id, "answer": e.answer,
                                    "options": SEP.join(e.options)} for es in versions.values() for e in es])
    return Key(file=where, quiz=quiz, fingerprint=fingerprint, versions={k: tuple(v) for k, v in versions.items()}, title=title)


def _entry(row: dict[str, str], where: str, line: int, problems: list[Problem]) -> Entry | None:
    def bad(column: str, message: str) -> None:
        problems.append(Problem(where, line, column, message))

    qtype = row.get("type", "")
    if qtype not in QUESTION_TYPES:
        bad("type", f"unknown question type {qtype!r}; expected one of {', '.join(QUESTION_TYPES)}")
        return None
    if not row.get("version"):
        bad("version", "is empty")
        return None
    if not _VERSION.fullmatch(row["version"]):
        bad("version", f"{brief(row['version'], 20)!r} is not a version label; the quiz prints versions as letters A, B, … AA")
        return None
    try:
        number, points = int(row["number"]), int(row["points"])
    except ValueError:
        bad("number" if not row["number"].isdigit() else "points", "must be a whole number")
        return None
    if not 1 <= points <= MAX_POINTS:
        bad("points", f"{points} is not a question's points; write a whole number from 1 to {MAX_POINTS}, as the quiz printed it")
        return None
    quiz = row.get("quiz", "")
    if quiz and (not _QUIZ.fullmatch(quiz) or len(quiz) > OUTPUT_NAME_LENGTH or ".." in quiz):
        bad("quiz", f"{brief(quiz, 40)!r} is not a quiz's output name (letters, digits, '.', '_', '-'; no path); "
                    "use the key CSV the quiz was printed with")
        return None
    options = tuple(row["options"].split(SEP)) if row.get("options") else ()
    answer = row.get("answer", "")
    if qtype in LETTERED:
        letters = option_letters(len(options))
        if len(options) < 2:
            bad("options", f"a {qtype} question needs its options")
            return None
        if qtype == "order" and sorted(answer) != sorted(letters) or qtype != "order" and (len(answer) != 1 or answer not in letters):
            bad("answer", f"{answer!r} is not {'an ordering of' if qtype == 'order' else 'one of'} the letters {letters}")
            return None
    elif not answer and qtype not in MARKED:
        bad("answer", "is empty")
        return None
    accept = tuple(a for a in row.get("accept", "").split(SEP) if a)
    return Entry(version=row["version"], number=number, question_id=row["question_id"], item_id=row["item_id"], type=qtype,
                 answer=answer, points=points, options=options, accept=accept, section_id=row.get("section_id", ""),
                 section_index=int(row["section_index"]) if row.get("section_index", "").isdigit() else 0,
                 section_title=row.get("section_title", ""), part=row.get("part", ""), paragraph_id=row.get("paragraph_id", ""),
                 speaker=row.get("speaker", ""), prompt=row.get("prompt", ""), evidence=row.get("evidence", ""))
