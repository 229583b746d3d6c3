"""Score every student's row against the key: tolerant reading of letters, loose matching of written answers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from quizgen.errors import ContentError, Problem
from quizgen.grade.key import CHOICE, MARKED, WRITTEN, Entry, Key
from quizgen.grade.sheet import FIXED, POINTS_COLUMN, Sheet, column_name
from quizgen.text.answers import answer_matches

TRUE_WORDS = {"对", "對", "√", "✓", "✔", "T", "TRUE", "正确", "正確", "是", "Y", "YES"}
FALSE_WORDS = {"错", "錯", "×", "✗", "✘", "X", "F", "FALSE", "错误", "錯誤", "否", "N", "NO"}
OMITTED = -1
OTHER = -2
"""Choice recorded in `choices`: the option index (first version's order), OMITTED, or OTHER (several letters)."""
_SEPARATORS = re.compile(r"[\s,，、;；>＞→\-—/|]+")
_POINTS = re.compile(r"^=?\s*(\d+(?:\.\d+)?)\s*分?$")
_MARK_ENTRY = re.compile(r"^(\d+)[=:](\d+(?:\.\d+)?)分?$")


@dataclass(frozen=True)
class Student:
    row: int
    student_id: str
    name: str
    version: str
    given: tuple[str, ...]
    """Answers as written, in the first version's question order."""


@dataclass(frozen=True)
class Scored:
    """The class, scored: row i is students[i], column j is key.questions[j]."""

    key: Key
    students: tuple[Student, ...]
    earned: np.ndarray
    """float (n, k): points earned."""
    omitted: np.ndarray
    """bool (n, k)"""
    choices: np.ndarray
    """int (n, k): chosen option in the first version's order for choice questions, else OMITTED/OTHER."""
    max_points: np.ndarray
    """float (k,)"""

    @property
    def totals(self) -> np.ndarray:
        return self.earned.sum(axis=1)


def score(sheet: Sheet, key: Key) -> Scored:
    """Check the sheet against the key and score it; raise with every problem found (row and column named)."""
    problems: list[Problem] = []
    columns = _check_header(sheet, key, problems)
    if problems:
        raise ContentError(problems)
    rows = _Rows(sheet, key, columns, problems)
    students, earned, omitted, choices = [], [], [], []
    for row, cells in sheet.rows:
        scored = rows.score(row, cells)
        if scored is not None:
            students.append(scored[0])
            earned.append(scored[1])
            omitted.append(scored[2])
            choices.append(scored[3])
    if not students and not problems:
        problems.append(Problem(sheet.file, 2, "student_id", "no student rows; fill in one row per student"))
    if problems:
        raise ContentError(problems)
    return Scored(key=key, students=tuple(students), earned=np.array(earned), omitted=np.array(omitted),
                  choices=np.array(choices), max_points=np.array([float(e.points) for e in key.questions]))


class _Rows:
    """Scores one row at a time, remembering the ids seen and the answers already judged."""

    def __init__(self, sheet: Sheet, key: Key, columns: dict[str, int], problems: list[Problem]):
        self.sheet, self.key, self.columns, self.problems = sheet, key, columns, problems
        self.canon = {e.question_id: j for j, e in enumerate(key.questions)}
        self.option_index = [{text: i for i, text in enumerate(e.options)} for e in key.questions]
        self.seen: dict[str, int] = {}
        self.judged: dict[tuple[str, int, str, bool], tuple[float, int | None]] = {}
        """(version, number, answer as written, given as points) -> result: a class writes the same few answers again and again."""

    def bad(self, row: int, col: int, message: str) -> None:
        label = self.sheet.header[col] if col < len(self.sheet.header) else ""
        self.problems.append(Problem(self.sheet.file, row, f"column {column_name(col)}" + (f" ({label})" if label else ""), message))

    def score(self, row: int, cells: list[str]) -> tuple[Student, np.ndarray, np.ndarray, np.ndarray] | None:
        """(student, points earned, omitted, options chosen), each in the key's question order; None when the row is bad."""
        before = len(self.problems)
        checked = self._cells(row, cells)
        if checked is None:
            return None
        cells = checked
        version = self._version(row, cells)
        if version is None:
            return None
        k = self.key.count
        points_col = self.columns.get("points")
        marks = _marks(cells[points_col], k, lambda m: self.bad(row, points_col, m)) if points_col is not None else {}
        marks_col = points_col if points_col is not None else 0
        earned = np.zeros(k)
        omitted = np.zeros(k, dtype=bool)
        choice = np.full(k, OMITTED, dtype=np.int64)
        given = [""] * k
        for number, entry in enumerate(self.key.versions[version], start=1):
            col = len(FIXED) + number - 1
            text = cells[col]
            j = self.canon[entry.question_id]
            if number in marks:  # short answers, and written answers the teacher marked on a scanned sheet
                if entry.type not in MARKED and entry.type not in WRITTEN:
                    self.bad(row, marks_col, f"question {number} of version {version} is not marked by the teacher ({entry.type}); "
                                              "write its answer in its own column")
                    continue
                if text:
                    self.bad(row, col, f"question {number} has points both here and in the {POINTS_COLUMN} column; keep one")
                    continue
                text = marks[number]
            given[j] = text
            if not text:
                omitted[j] = True
                continue
            as_points = number in marks
            result = self.judged.get((version, number, text, as_points))
            if result is None:
                result = _judge(entry, text, lambda m, col=col: self.bad(row, col, m), as_points=as_points)
                if result is None:
                    continue
                self.judged[(version, number, text, as_points)] = result
            earned[j], picked = result
            if picked is not None:
                choice[j] = self.option_index[j][entry.options[picked]] if picked >= 0 else OTHER
        if len(self.problems) > before:
            return None
        return Student(row=row, student_id=cells[0], name=cells[1], version=version, given=tuple(given)), earned, omitted, choice

    def _cells(self, row: int, cells: list[str]) -> list[str] | None:
        """The row's cells, as wide as the header; None (with a problem) when it has too many or too few, or a bad id."""
        width = len(self.sheet.header)
        extra = [i for i in range(width, len(cells)) if cells[i].strip()]
        if extra:
            self.bad(row, extra[0], f"this row has {width + len(extra)} cells but the header has {width}: too many answers; "
                                    f"the quiz has {self.key.count} questions")
            return None
        if self.sheet.strict_width and len(cells) < width:
            self.bad(row, len(cells), f"this row has {len(cells)} cells but the header has {width}: too few answers; "
                                      "leave an omitted answer empty rather than removing its cell")
            return None
        cells = [c.strip() for c in cells[:width]] + [""] * (width - len(cells))
        sid = cells[0]
        if not sid:
            self.bad(row, 0, "student_id is empty; give every student an id")
            return None
        if sid in self.seen:
            self.bad(row, 0, f"student_id {sid!r} already appears in row {self.seen[sid]}; each student once")
            return None
        self.seen[sid] = row
        return cells

    def _version(self, row: int, cells: list[str]) -> str | None:
        """The version label as printed (A, a, Ａ, A卷 all read as A); a one-version quiz needs none."""
        versions = self.key.versions
        version = unicodedata.normalize("NFKC", cells[2]).strip().upper().removesuffix("卷").strip()
        if not version and len(versions) == 1:
            return next(iter(versions))
        if version not in versions:
            what = "the version is empty" if not cells[2] else f"{cells[2]!r} is not a version of this quiz"
            self.bad(row, 2, f"{what}; expected one of {', '.join(versions)}")
            return None
        return version


def _check_header(sheet: Sheet, key: Key, problems: list[Problem]) -> dict[str, int]:
    """The header must be student_id,name,version,1..N (N = the key's question count), then optionally `points`."""
    def bad(col: int, message: str) -> None:
        problems.append(Problem(sheet.file, 1, f"column {column_name(col)}", message))

    if sheet.quiz and key.quiz and sheet.quiz != key.quiz:
        bad(0, f"this sheet is for the quiz {sheet.quiz!r} but the key is for {key.quiz!r}; pass that quiz's -key.csv")
        return {}
    if sheet.key and sheet.quiz == key.quiz and sheet.key != key.fingerprint:
        bad(0, f"this sheet was made for another printing of {key.quiz!r} (key {sheet.key}, not {key.fingerprint}): "
               "pass the key CSV written with the printed versions")
        return {}
    header = [unicodedata.normalize("NFKC", h).strip().lower() for h in sheet.header]
    for i, name in enumerate(FIXED):
        if i >= len(header) or header[i] != name:
            bad(i, f"expected {name!r} here; the sheet starts with {','.join(FIXED)},1,2,… (see `quizgen responses-template`)")
            return {}
    columns: dict[str, int] = {}
    numbers = header[len(FIXED):]
    if numbers and numbers[-1] == POINTS_COLUMN:
        columns["points"] = len(header) - 1
        numbers = numbers[:-1]
    while numbers and numbers[-1] == "":
        numbers = numbers[:-1]
    for i, name in enumerate(numbers):
        if name != str(i + 1):
            bad(len(FIXED) + i, f"expected the question number {i + 1}, found {sheet.header[len(FIXED) + i]!r}")
            return {}
    if len(numbers) != key.count:
        bad(len(FIXED) + min(len(numbers), key.count), f"the sheet has {len(numbers)} answer columns but the key {key.file} has "
            f"{key.count} questions: is this the key of this quiz?")
        return {}
    return columns


def _marks(text: str, k: int, bad) -> dict[int, str]:
    """The points column: `5=2; 7=3` -> {5: "2", 7: "3"}."""
    out: dict[int, str] = {}
    text = re.sub(r"\s*([=:])\s*", r"\1", unicodedata.normalize("NFKC", text))  # NFKC turns ：and ；into : and ;
    for part in filter(None, re.split(r"[;,、\s]+", text)):
        m = _MARK_ENTRY.match(part)
        if not m or not 1 <= int(m[1]) <= k:
            bad(f"{part!r} is not a mark; write question=points, e.g. 5=2; 7=3 (questions 1..{k})")
            continue
        out[int(m[1])] = m[2]
    return out


def _letters(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()


def _judge(entry: Entry, text: str, bad, *, as_points: bool = False) -> tuple[float, int | None] | None:
    """(points earned, option picked: index in this version, -1 for several, None for non-choice); None when unreadable."""
    if entry.type in CHOICE:
        letters = _letters(text)
        if entry.type == "tf" and letters in TRUE_WORDS | FALSE_WORDS:
            wanted = "正确" if letters in TRUE_WORDS else "错误"
            if wanted in entry.options:
                letters = entry.letters[entry.options.index(wanted)]
        if not letters or any(not ("A" <= c <= "Z") for c in letters):
            bad(f"{text!r} is not a letter; write one of {entry.letters}" + ("，or 对/错" if entry.type == "tf" else ""))
            return None
        out = [c for c in letters if c not in entry.letters]
        if out:
            bad(f"{out[0]!r} is not an option of question {entry.number} in version {entry.version} (options {entry.letters})")
            return None
        if len(letters) > 1:
            return 0.0, -1  # several letters (CC too: one letter is wanted): wrong, counted with no option
        picked = entry.letters.index(letters[0])
        return (float(entry.points) if letters[0] == entry.answer else 0.0), picked
    if entry.type == "order":
        letters = _letters(text)
        out = [c for c in letters if c not in entry.letters]
        if out:
            bad(f"{out[0]!r} is not a step of question {entry.number} in version {entry.version} (steps {entry.letters}); "
                f"write the letters in order, e.g. {entry.letters[::-1]}")
            return None
        return (float(entry.points) if letters == entry.answer else 0.0), None
    if entry.type in WRITTEN and not as_points:
        return (float(entry.points) if answer_matches(text, entry.answers) else 0.0), None
    m = _POINTS.match(unicodedata.normalize("NFKC", text).strip())  # short answers: the teacher's mark
    if not m or float(m[1]) > entry.points:
        bad(f"{text!r}: question {entry.number} is marked by the teacher; enter the points given, 0 to {entry.points}")
        return None
    return float(m[1]), None
