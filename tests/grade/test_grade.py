"""Grading a printed quiz: a simulated class scored and analysed, checked against independent computations."""

from __future__ import annotations

import csv
import io
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_problems, invoke
from conftest_browser import TEMPLATES, second_source_set
from gradeutil import HAND_ANSWERS, HAND_KEY, grade, read_csv, read_key_rows, short_quiz_set
from writers import write_quiz

CHOICE = ("mcq", "tf", "who")
MARKED = ("basic", "reasons")


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- a simulated class -------------------------------------------------------------------------


@dataclass
class Class:
    """What the students wrote, and what the simulation meant: the truth to check the grader against."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    earned: dict[str, dict[str, float]] = field(default_factory=dict)
    """student_id -> question_id -> points the student deserves"""
    picked: dict[str, dict[str, str]] = field(default_factory=dict)
    """student_id -> question_id -> option text chosen (choice questions, not omitted)"""
    version: dict[str, str] = field(default_factory=dict)

    def csv_text(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return buf.getvalue()


def by_version(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(r["version"], []).append(r)
    return {v: sorted(rs, key=lambda r: int(r["number"])) for v, rs in out.items()}


def simulate(key_rows: list[dict[str, str]], n: int, seed: int, *, points_column: bool = False) -> Class:
    """n students of varied ability answer the versions of a key, writing answers the way people do."""
    rng = random.Random(seed)
    versions = by_version(key_rows)
    count = len(next(iter(versions.values())))
    header = ["student_id", "name", "version", *map(str, range(1, count + 1))] + (["points"] if points_column else [])
    out = Class(header=header)
    difficulty = {r["question_id"]: rng.uniform(-1.2, 1.2) for r in key_rows}
    for i in range(n):
        sid = f"2024{i:04d}"
        ability = rng.gauss(0, 1)
        label = rng.choice(list(versions))
        cells, marks = [], []
        earned, picked = {}, {}
        for r in versions[label]:
            qid, kind, pts = r["question_id"], r["type"], int(r["points"])
            options = r["options"].split("|") if r["options"] else []
            letters = [chr(ord("A") + k) for k in range(len(options))]
            earned[qid] = 0.0
            if rng.random() < 0.04:
                cells.append("")
                continue
            right = rng.random() < 1 / (1 + math.exp(-1.7 * (ability - difficulty[qid])))
            if kind in CHOICE:
                letter = r["answer"] if right else rng.choice([x for x in letters if x != r["answer"]])
                picked[qid] = options[letters.index(letter)]
                if kind == "tf" and rng.random() < 0.4:
                    cell = rng.choice({"正确": ["对", "√", "T"], "错误": ["错", "×", "F"]}[picked[qid]])
                else:
                    cell = rng.choice([letter, letter.lower(), fullwidth(letter), f" {letter} ", fullwidth(letter.lower())])
            elif kind == "order":
                seq = r["answer"]
                while not right and seq == r["answer"]:
                    seq = "".join(rng.sample(letters, len(letters)))
                cell = rng.choice([seq, " ".join(seq), "→".join(seq), seq.lower(), ",".join(seq)])
            elif kind in ("cloze", "typed"):
                if right:
                    cell = rng.choice([r["answer"], *filter(None, r["accept"].split("|"))])
                    cell = rng.choice([cell, fullwidth(cell), f" {cell} ", cell.upper()])
                else:
                    cell = rng.choice(["不知道", "黄仁勋说过", "42"])
            else:
                got = pts if right else rng.randint(0, pts - 1)
                earned[qid] = float(got)
                if points_column and rng.random() < 0.5:
                    marks.append(f"{r['number']}={got}")
                    cell = ""
                else:
                    cell = rng.choice([str(got), f"{got}分"])
                cells.append(cell)
                continue
            earned[qid] = float(pts) if right else 0.0
            cells.append(cell)
        out.rows.append([sid, f"学生{i}", rng.choice([label, label.lower(), f"{label}卷"]), *cells]
                        + (["；".join(marks)] if points_column else []))
        out.earned[sid], out.picked[sid], out.version[sid] = earned, picked, label
    return out


# --- an independent computation from the key CSV ----------------------------------------------


def expected(cls: Class, key_rows: list[dict[str, str]]) -> dict:
    """Totals, p, d, rpb and option shares from the simulation's truth, by plain formulas and scipy."""
    from scipy.stats import pearsonr, pointbiserialr

    first = next(iter(by_version(key_rows).values()))
    qids = [r["question_id"] for r in first]
    points = {r["question_id"]: float(r["points"]) for r in first}
    students = [row[0] for row in cls.rows]
    earned = np.array([[cls.earned[s][q] for q in qids] for s in students])
    totals = earned.sum(axis=1)
    x = earned / np.array([points[q] for q in qids])
    size = max(1, int(0.27 * len(students) + 0.5))
    ranked = sorted(range(len(students)), key=lambda i: (-totals[i], i))
    upper = ranked[:size]
    lower = sorted(range(len(students)), key=lambda i: (totals[i], i))[:size]
    out = {"totals": dict(zip(students, totals, strict=False)), "p": {}, "d": {}, "rpb": {}, "shares": {}}
    for j, q in enumerate(qids):
        out["p"][q] = x[:, j].mean()
        out["d"][q] = x[upper, j].mean() - x[lower, j].mean()
        rest = totals - earned[:, j]
        if len(set(x[:, j])) < 2:
            out["rpb"][q] = math.nan
        elif set(x[:, j]) <= {0.0, 1.0}:
            out["rpb"][q] = pointbiserialr(x[:, j], rest).statistic
        else:
            out["rpb"][q] = pearsonr(x[:, j], rest).statistic
        if first[j]["type"] in CHOICE:
            texts = first[j]["options"].split("|")
            out["shares"][q] = {t: sum(cls.picked[s].get(q) == t for s in students) / len(students) for t in texts}
    return out




def close(a: str, b: float, tol: float = 2e-6) -> bool:
    return (a == "" and math.isnan(b)) or (a != "" and abs(float(a) - b) <= tol)


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def short_key(tmp_path_factory) -> Path:
    """The short quiz as the recipe prints it (its versions and seed), with its key CSV."""
    qset = short_quiz_set()
    out = tmp_path_factory.mktemp("short")
    paths = write_quiz(qset, templates_dir=TEMPLATES, out_dir=out, versions=qset.versions, seed=qset.seed)
    return next(p for p in paths if p.name.endswith("-key.csv"))


@pytest.fixture(scope="module")
def all_types_key(tmp_path_factory) -> Path:
    """The second source's quiz: every question type, short answers included."""
    qset = second_source_set()
    out = tmp_path_factory.mktemp("second")
    paths = write_quiz(qset, templates_dir=TEMPLATES, out_dir=out, versions=3, seed=11)
    return next(p for p in paths if p.name.endswith("-key.csv"))


@pytest.fixture(scope="module")
def short_class(short_key) -> Class:
    return simulate(read_key_rows(short_key.read_bytes()), 300, seed=2024)




@pytest.fixture(scope="module")
def graded(short_key, short_class, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("graded")
    responses = folder / "class.csv"
    responses.write_text(short_class.csv_text(), encoding="utf-8-sig")
    result = grade(responses, short_key, folder / "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"wrote {folder / 'out' / n}" for n in ("scores.csv", "items.csv", "report.html", "feedback.html")]
    return folder / "out"


# --- the simulated class ----------------------------------------------------------------------


def check_against_truth(out: Path, cls: Class, key_rows: list[dict[str, str]]) -> None:
    want = expected(cls, key_rows)
    scores = read_csv(out / "scores.csv")
    assert [s["student_id"] for s in scores] == [row[0] for row in cls.rows]
    first = next(iter(by_version(key_rows).values()))
    max_points = sum(int(r["points"]) for r in first)
    sections = {r["question_id"]: r["section_id"] for r in first}
    for s in scores:
        assert float(s["score"]) == pytest.approx(want["totals"][s["student_id"]], abs=1e-9), s["student_id"]
        assert s["version"] == cls.version[s["student_id"]]
        assert float(s["max"]) == max_points
        assert float(s["percent"]) == pytest.approx(100 * float(s["score"]) / max_points, abs=1e-4)
        for sid in set(sections.values()):
            deserved = sum(v for q, v in cls.earned[s["student_id"]].items() if sections[q] == sid)
            assert float(s[sid]) == pytest.approx(deserved, abs=1e-9)
    items = read_csv(out / "items.csv")
    assert list(items[0])[:8] == ["question_id", "item_id", "type", "n", "p", "d", "rpb", "flags"]
    assert [i["question_id"] for i in items] == [r["question_id"] for r in first]  # one row per question, merged
    for item in items:
        q = item["question_id"]
        assert int(item["n"]) == len(cls.rows)
        assert re.fullmatch(r"\d\.\d{6}", item["p"]), item["p"]  # at least 4 decimals
        assert close(item["p"], want["p"][q]), (q, item["p"], want["p"][q])
        assert close(item["d"], want["d"][q]), (q, item["d"], want["d"][q])
        assert close(item["rpb"], want["rpb"][q]), (q, item["rpb"], want["rpb"][q])
        if q in want["shares"]:
            texts = next(r for r in first if r["question_id"] == q)["options"].split("|")
            for k, text in enumerate(texts):
                assert close(item[f"{chr(ord('A') + k)}_all"], want["shares"][q][text]), (q, text)


def test_a_simulated_class_is_graded_as_an_independent_computation_says(graded, short_class, short_key):
    check_against_truth(graded, short_class, read_key_rows(short_key.read_bytes()))


def test_every_question_type_with_teacher_marks_in_the_points_column(all_types_key, tmp_path):
    rows = read_key_rows(all_types_key.read_bytes())
    assert {r["type"] for r in rows} >= {"order", "basic", "reasons", "typed", "cloze", "mcq", "tf", "who"}
    cls = simulate(rows, 80, seed=5, points_column=True)
    responses = tmp_path / "class.csv"
    responses.write_text(cls.csv_text(), encoding="utf-8")
    result = grade(responses, all_types_key, tmp_path / "out")
    assert result.exit_code == 0, result.output
    check_against_truth(tmp_path / "out", cls, rows)


def test_encodings_and_a_workbook_give_the_same_grades(short_key, short_class, graded, tmp_path):
    from openpyxl import Workbook

    text = short_class.csv_text()
    inputs = {"utf8.csv": text.encode("utf-8"), "bom.csv": text.encode("utf-8-sig"), "gbk.csv": text.encode("gb18030")}
    book = Workbook()
    sheet = book.active
    sheet.append(short_class.header)
    for row in short_class.rows:
        sheet.append([int(c) if c.isdigit() and len(c) > 3 else c for c in row])  # student ids as numbers, as Excel keeps them
    book.save(tmp_path / "class.xlsx")
    for name, data in inputs.items():
        (tmp_path / name).write_bytes(data)
    for name in [*inputs, "class.xlsx"]:
        result = grade(tmp_path / name, short_key, tmp_path / name.replace(".", "-"))
        assert result.exit_code == 0, (name, result.output)
        for out in ("scores.csv", "items.csv"):
            assert (tmp_path / name.replace(".", "-") / out).read_bytes() == (graded / out).read_bytes(), (name, out)


def test_grading_twice_writes_the_same_bytes(graded, short_class, short_key, tmp_path):
    responses = tmp_path / "class.csv"
    responses.write_text(short_class.csv_text(), encoding="utf-8-sig")
    assert grade(responses, short_key, tmp_path / "again").exit_code == 0
    for name in ("scores.csv", "items.csv", "report.html", "feedback.html"):
        assert (tmp_path / "again" / name).read_bytes() == (graded / name).read_bytes(), name


def test_a_flipped_key_makes_its_rpb_negative_and_is_flagged(graded, short_key, short_class, tmp_path):
    rows = read_key_rows(short_key.read_bytes())
    items = {i["question_id"]: i for i in read_csv(graded / "items.csv")}
    # the mcq that discriminates best: a wrong key there must show
    target = max((r for r in rows if r["type"] == "mcq"), key=lambda r: float(items[r["question_id"]]["rpb"]))["question_id"]
    assert "check-key" not in items[target]["flags"]
    first = next(r for r in rows if r["question_id"] == target)
    wrong_text = next(t for i, t in enumerate(first["options"].split("|")) if chr(ord("A") + i) != first["answer"])
    data = short_key.read_bytes().decode("utf-8-sig")
    flipped = []
    for line in csv.reader(io.StringIO(data, newline="")):
        if line[2] == target:  # the same wrong option in every version, at its letter there
            line[5] = chr(ord("A") + line[7].split("|").index(wrong_text))
        flipped.append(line)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(flipped)
    bad_key = tmp_path / "flipped-key.csv"
    bad_key.write_text(buf.getvalue(), encoding="utf-8-sig")
    responses = tmp_path / "class.csv"
    responses.write_text(short_class.csv_text(), encoding="utf-8")
    result = grade(responses, bad_key, tmp_path / "out")
    assert result.exit_code == 0, result.output
    after = {i["question_id"]: i for i in read_csv(tmp_path / "out" / "items.csv")}
    assert float(after[target]["rpb"]) < 0
    flags = after[target]["flags"].split()
    assert "check-key" in flags and "weak" in flags
    assert any(f.startswith("distractor-upper:") for f in flags)  # the real answer, now a "distractor", draws the upper group
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    first_question = re.search(r'<div class="question" id="([^"]+)"', report)[1]
    assert first_question == target  # the most troubled question comes first
    assert "核对答案" in report


# --- a small example worked by hand --------------------------------------------------------------

# right/wrong, a perfect Guttman pattern:    q1 q2 q3  total
# s1: 1 1 1 = 3;  s2: 1 1 0 = 2;  s3: 1 0 0 = 1 (q3 omitted);  s4: 0 0 0 = 0
# p = 3/4, 2/4, 1/4.  Totals 3, 2, 1, 0: mean 1.5, median 1.5, population variance 5/4, sample sd sqrt(5/3).
# KR-20 = k/(k-1) * (1 - sum pq / var) = 3/2 * (1 - (3/16 + 4/16 + 3/16) / (20/16)) = 3/2 * 1/2 = 3/4.
# SEM = sqrt(5/3) * sqrt(1 - 3/4) = sqrt(5/12).
# Groups of 27 %: round(0.27 * 4) = 1 student each: upper s1, lower s4, so d = 1 - 0 = 1 for every question.
# rpb(q1): x = 1 1 1 0, rest = 2 1 0 0: deviations x .25 .25 .25 -.75, rest 1.25 .25 -.75 -.75;
#          sum of products .75, sums of squares .75 and 2.75: r = .75 / sqrt(.75 * 2.75) = sqrt(3/11).
# rpb(q2): x = 1 1 0 0, rest = 2 1 1 0: deviations .5 .5 -.5 -.5 and 1 0 0 -1: r = 1 / sqrt(1 * 2) = sqrt(1/2).
# rpb(q3): x = 1 0 0 0, rest = 2 2 1 0: deviations .75 -.25 -.25 -.25 and .75 .75 -.25 -1.25: r = .75 / sqrt(.75 * 2.75) = sqrt(3/11).
HAND = {"p": [0.75, 0.5, 0.25], "d": [1.0, 1.0, 1.0], "rpb": [math.sqrt(3 / 11), math.sqrt(1 / 2), math.sqrt(3 / 11)]}


def test_a_small_example_worked_by_hand(tmp_path):
    (tmp_path / "key.csv").write_text(HAND_KEY, encoding="utf-8")
    (tmp_path / "class.csv").write_text(HAND_ANSWERS, encoding="utf-8")
    result = grade(tmp_path / "class.csv", tmp_path / "key.csv", tmp_path / "out")
    assert result.exit_code == 0, result.output
    scores = read_csv(tmp_path / "out" / "scores.csv")
    assert [(s["student_id"], s["score"], s["max"], s["s1"], s["s2"]) for s in scores] == [
        ("s1", "3", "3", "2", "1"), ("s2", "2", "3", "2", "0"), ("s3", "1", "3", "1", "0"), ("s4", "0", "3", "0", "0")]
    assert scores[2]["percent"] == "33.3333"
    items = read_csv(tmp_path / "out" / "items.csv")
    for j, item in enumerate(items):
        assert close(item["p"], HAND["p"][j]) and close(item["d"], HAND["d"][j]) and close(item["rpb"], HAND["rpb"][j]), item
    assert items[2]["omitted"] == "0.250000"
    # q3: 甲 (the key) 1/4, 乙 2/4, 丙 none, 丁 none; the upper group (s1) chose 甲, the lower (s4) 乙
    assert [items[2][f"{c}_{g}"] for c in "ABCD" for g in ("all", "upper", "lower")] == [
        "0.250000", "1.000000", "0.000000", "0.500000", "0.000000", "1.000000",
        "0.000000", "0.000000", "0.000000", "0.000000", "0.000000", "0.000000"]
    assert items[2]["flags"].split() == ["too-hard", "unused-distractor:C", "unused-distractor:D"]
    assert items[0]["flags"].split() == ["unused-distractor:B", "unused-distractor:C"]
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    stat = dict(re.findall(r'data-stat="(\w+)">([^<]*)<', report))
    assert stat == {"n": "4", "mean": "1.50", "median": "1.50", "sd": f"{math.sqrt(5 / 3):.2f}", "kr20": "0.75",
                    "sem": f"{math.sqrt(5 / 12):.2f}"}


def test_statistics_agree_with_scipy_and_pingouin_on_random_data():
    import pandas as pd
    import pingouin
    from scipy.stats import pointbiserialr

    from quizgen.grade.stats import kr20, point_biserial

    for seed in range(5):
        rng = np.random.default_rng(seed)
        n, k = rng.integers(30, 300), rng.integers(5, 40)
        ability = rng.normal(size=(n, 1))
        x = (rng.random((n, k)) < 1 / (1 + np.exp(-(ability - rng.normal(size=k))))).astype(float)
        x[:, 0] = 1.0  # a question everyone got right has no correlation
        ours = point_biserial(x, x)
        assert math.isnan(ours[0])
        for j in range(1, k):
            rest = x.sum(axis=1) - x[:, j]
            assert ours[j] == pytest.approx(pointbiserialr(x[:, j], rest).statistic, abs=1e-12)
        alpha, _ = pingouin.cronbach_alpha(pd.DataFrame(x))
        assert kr20(x) == pytest.approx(alpha, abs=1e-12)
        p = x.mean(axis=0)  # and the textbook KR-20 formula
        assert kr20(x) == pytest.approx(k / (k - 1) * (1 - (p * (1 - p)).sum() / x.sum(axis=1).var()), abs=1e-12)


# --- bad input: one message naming the row and column, exit 1, nothing written -----------------


def _lines(cls: Class, n: int = 5) -> list[str]:
    return cls.csv_text().splitlines()[: n + 1]


def _edit(lines: list[str], row: int, change) -> str:
    """row is the spreadsheet row (1 = header)."""
    cells = next(csv.reader([lines[row - 1]]))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(change(cells))
    return "\r\n".join([*lines[: row - 1], buf.getvalue(), *lines[row:]]) + "\r\n"


def _option_count(key: Path, version: str, number: int) -> int:
    row = next(r for r in read_key_rows(key.read_bytes()) if r["version"] == version and r["number"] == str(number))
    return len(row["options"].split("|"))


BAD = {
    "unknown version": (3, lambda c: [*c[:2], "Q", *c[3:]], r"column C \(version\): 'Q' is not a version of this quiz; expected one of A, B"),
    "too many answers": (4, lambda c: [*c, "A"], r"column X: this row has 24 cells but the header has 23: too many answers; the quiz has 20 questions"),
    "too few answers": (2, lambda c: c[:-1], r"column W \(20\): this row has 22 cells but the header has 23: too few answers; .*"),
    "letter out of range": (5, lambda c: [*c[:3], "Ｚ", *c[4:]], r"column D \(1\): 'Z' is not an option of question 1 in version [AB] \(options ABCD\)"),
    "not a letter": (5, lambda c: [*c[:3], "?", *c[4:]], r"column D \(1\): '\?' is not a letter; write one of ABCD"),
    "duplicate student": (6, lambda c: ["20240001", *c[1:]], r"column A \(student_id\): student_id '20240001' already appears in row 3; each student once"),
    "empty student id": (2, lambda c: ["", *c[1:]], r"column A \(student_id\): student_id is empty; give every student an id"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_row_is_refused_with_its_row_and_column_and_nothing_is_written(case, short_class, short_key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    row, change, message = BAD[case]
    assert short_key.read_bytes().count(b"\nA,1,") == 1 and _option_count(short_key, "A", 1) == 4
    (tmp_path / "class.csv").write_text(_edit(_lines(short_class), row, change), encoding="utf-8")
    result = grade(tmp_path / "class.csv", short_key, tmp_path / "out")
    assert_problems(result, re.compile(rf"class\.csv:{row}: {message}"))
    assert not (tmp_path / "out").exists()


def test_a_failed_grading_leaves_earlier_results_as_they_were(short_class, short_key, tmp_path):
    (tmp_path / "class.csv").write_text("\r\n".join(_lines(short_class)) + "\r\n", encoding="utf-8")
    assert grade(tmp_path / "class.csv", short_key, tmp_path / "out").exit_code == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    (tmp_path / "class.csv").write_text(_edit(_lines(short_class), 3, lambda c: [*c[:2], "Q", *c[3:]]), encoding="utf-8")
    assert grade(tmp_path / "class.csv", short_key, tmp_path / "out").exit_code == 1
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before


def test_an_unreadable_encoding_is_refused(short_class, short_key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = short_class.csv_text().encode("utf-8")
    (tmp_path / "class.csv").write_bytes(data.replace(b"\r\n", b"\r\n\x81\xff,", 2).replace(b"\r\n\x81\xff,", b"\r\n", 1))
    result = grade(tmp_path / "class.csv", short_key, tmp_path / "out")
    assert_problems(result, "class.csv:3: column A: cannot read the text here: the file is neither UTF-8 nor GB18030; "
                            "save it from your spreadsheet as “CSV UTF-8” and try again")
    assert not (tmp_path / "out").exists()


def test_a_key_of_another_quiz_is_refused(short_class, all_types_key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class.csv").write_text(short_class.csv_text(), encoding="utf-8")
    count = len(by_version(read_key_rows(all_types_key.read_bytes()))["A"])
    assert count != 20
    result = grade(tmp_path / "class.csv", all_types_key, tmp_path / "out")
    column = chr(ord("A") + 3 + min(count, 20))
    assert_problems(result, re.compile(rf"class\.csv:1: column {column}: the sheet has 20 answer columns but the key .*-key\.csv has "
                                       rf"{count} questions: is this the key of this quiz\?"))
    assert not (tmp_path / "out").exists()


def test_a_bad_mark_for_a_short_answer_is_refused(all_types_key, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = read_key_rows(all_types_key.read_bytes())
    basic = next(r for r in rows if r["version"] == "A" and r["type"] == "basic")
    cls = simulate(rows, 6, seed=1, points_column=True)
    number = int(basic["number"])
    lines = cls.csv_text().splitlines()
    (tmp_path / "class.csv").write_text(_edit(lines, 2, lambda c: [*c[:2], "A", *c[3:3 + number - 1], "9", *c[3 + number:-1], ""]),
                                        encoding="utf-8")
    result = grade(tmp_path / "class.csv", all_types_key, tmp_path / "out")
    column = chr(ord("A") + 2 + number)
    assert_problems(result, f"class.csv:2: column {column} ({number}): '9': question {number} is marked by the teacher; "
                            f"enter the points given, 0 to {basic['points']}")


# --- the empty class sheet --------------------------------------------------------------------


def test_responses_template_from_a_key_then_filled_and_graded(short_key, short_class, tmp_path):
    key = tmp_path / short_key.name
    key.write_bytes(short_key.read_bytes())
    result = invoke("responses-template", str(key))
    assert result.exit_code == 0, result.output
    xlsx, csv_path = tmp_path / "bg2-short-quiz-responses.xlsx", tmp_path / "bg2-short-quiz-responses.csv"
    assert result.stdout.splitlines() == [f"wrote {xlsx}", f"wrote {csv_path}"]
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "student_id,name,version," + ",".join(map(str, range(1, 21)))
    assert lines[1].startswith("# quiz=bg2-short-quiz key=") and len(lines) == 2
    from openpyxl import load_workbook

    book = load_workbook(xlsx)
    assert book.sheetnames == ["答卷", "说明"]
    assert [c.value for c in book["答卷"][1]] == ["student_id", "name", "version", *map(str, range(1, 21))]
    assert "quiz=bg2-short-quiz" in book["说明"]["A1"].value
    # filling the sheet below its instruction row, as a teacher does
    csv_path.write_text("\r\n".join([*lines, *short_class.csv_text().splitlines()[1:]]) + "\r\n", encoding="utf-8-sig")
    graded = invoke("grade", str(csv_path), "--key", str(key), "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES))
    assert graded.exit_code == 0, graded.output
    assert len(read_csv(tmp_path / "out" / "scores.csv")) == len(short_class.rows)
    # the template never overwrites a sheet that may hold answers
    again = invoke("responses-template", str(key))
    assert_problems(again, f"{csv_path.with_suffix('.xlsx')}: --out: already exists and may hold answers; "
                           "use --force to replace it, or choose another --out")
    assert invoke("responses-template", str(key), "--force").exit_code == 0


def test_responses_template_from_a_recipe_matches_the_printed_key(short_key, tmp_path, monkeypatch):
    from conftest import REPO

    monkeypatch.chdir(tmp_path)
    result = invoke("responses-template", str(REPO / "decks" / "short-quiz.toml"), "--content", str(REPO / "content"),
                    "--templates", str(TEMPLATES), "--decks", str(REPO / "decks"))
    assert result.exit_code == 0, result.output
    made = (tmp_path / "build" / "bg2-short-quiz" / "bg2-short-quiz-responses.csv").read_text(encoding="utf-8-sig")
    from quizgen.grade.key import read_key

    assert f"key={read_key(short_key).fingerprint}" in made  # the same printing as the key beside the HTML


def test_a_sheet_made_for_another_quiz_is_refused(short_key, all_types_key, tmp_path):
    key = tmp_path / short_key.name
    key.write_bytes(short_key.read_bytes())
    assert invoke("responses-template", str(key)).exit_code == 0
    sheet = tmp_path / "bg2-short-quiz-responses.csv"
    result = grade(sheet, all_types_key, tmp_path / "out")
    assert_problems(result, f"{sheet}:1: column A: this sheet is for the quiz 'bg2-short-quiz' but the key is for 'xh-lin-interview'; "
                            "pass that quiz's -key.csv")


# --- the report on paper ------------------------------------------------------------------------


def test_help_does_not_import_the_grading_libraries():
    import subprocess
    import sys

    code = "import quizgen.cli, sys; print(sorted(m for m in ('numpy', 'openpyxl', 'matplotlib', 'scipy') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_report_and_feedback_pages_are_offline_and_complete(graded, short_class):
    report = (graded / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in report and "size: A4" in report
    assert report.count("<svg") == 2  # histogram and difficulty x discrimination, inline
    assert not re.search(r'(src|href)="(?!#)', report), "the page must not fetch anything"
    assert "<script" not in report
    for needle in ("KR-20", "SEM", "标准差", "中位数", "【原文】"):
        assert needle in report
    feedback = (graded / "feedback.html").read_text(encoding="utf-8")
    assert feedback.count('<table class="student"') == len(short_class.rows)
    assert '<html lang="zh-CN">' in feedback


@pytest.mark.browser
def test_report_prints_cleanly_in_headless_chromium(graded, short_class, short_key, tmp_path):
    from conftest_browser import page_count, pages, pdf_font_names, require_chromium, require_poppler, run, squash

    from quizgen.outputs.quiz.pdf import PrintJob, print_pdfs

    require_chromium()
    require_poppler()
    few = Class(header=short_class.header, rows=short_class.rows[:12])  # feedback for a dozen students prints quicker
    (tmp_path / "few.csv").write_text(few.csv_text(), encoding="utf-8")
    assert grade(tmp_path / "few.csv", short_key, tmp_path / "few").exit_code == 0
    report, feedback = print_pdfs([PrintJob((graded / "report.html").read_text(encoding="utf-8"), "<span></span>"),
                                   PrintJob((tmp_path / "few" / "feedback.html").read_text(encoding="utf-8"), "<span></span>")])
    (tmp_path / "report.pdf").write_bytes(report)
    (tmp_path / "feedback.pdf").write_bytes(feedback)
    assert "(A4)" in run("pdfinfo", str(tmp_path / "report.pdf"))
    rows = run("pdffonts", str(tmp_path / "report.pdf")).splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), "every font embedded:\n" + "\n".join(rows)
    assert any(re.search(r"Noto(Serif|Sans)CJK", n, re.I) for n in pdf_font_names(report))
    text = squash("".join(pages(tmp_path / "report.pdf")))
    assert "成绩分析" in text and "难度×区分度" in text and "逐题分析" in text
    assert f"人数n{len(short_class.rows)}" in text
    # one page (or more) per student, and every page starts with that student's name, id and the quiz's title
    starts = [squash(p)[:80] for p in pages(tmp_path / "feedback.pdf")]
    assert page_count(tmp_path / "feedback.pdf") >= len(few.rows)
    owners = []
    for start in starts:
        owner = [row for row in few.rows if start.startswith(f"{row[1]}学号{row[0]}")]
        assert len(owner) == 1, start
        assert "黄仁勋BG2访谈：随堂小测" in start, start
        owners.append(owner[0][0])
    assert list(dict.fromkeys(owners)) == [row[0] for row in few.rows]  # each student's pages together, in sheet order


def test_the_workbook_template_filled_in_is_graded_like_the_csv(short_key, short_class, graded, tmp_path):
    from openpyxl import load_workbook

    key = tmp_path / short_key.name
    key.write_bytes(short_key.read_bytes())
    assert invoke("responses-template", str(key)).exit_code == 0
    path = tmp_path / "bg2-short-quiz-responses.xlsx"
    book = load_workbook(path)
    for r, row in enumerate(short_class.rows, start=2):
        for c, value in enumerate(row, start=1):
            book["答卷"].cell(row=r, column=c, value=value)
    book.save(path)
    result = grade(path, key, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "scores.csv").read_bytes() == (graded / "scores.csv").read_bytes()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_a_tiny_class_still_gets_a_report(short_key, short_class, tmp_path, n):
    tiny = Class(header=short_class.header, rows=short_class.rows[:n])
    (tmp_path / "class.csv").write_text(tiny.csv_text(), encoding="utf-8")
    result = grade(tmp_path / "class.csv", short_key, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "<svg" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_a_sheet_made_for_another_printing_of_the_same_quiz_is_refused(short_key, tmp_path, monkeypatch):
    from conftest import REPO

    monkeypatch.chdir(tmp_path)
    result = invoke("responses-template", str(REPO / "decks" / "short-quiz.toml"), "--seed", "99", "--out", ".",
                    "--content", str(REPO / "content"), "--templates", str(TEMPLATES), "--decks", str(REPO / "decks"))
    assert result.exit_code == 0, result.output
    result = grade(tmp_path / "bg2-short-quiz-responses.csv", short_key, tmp_path / "out")
    assert_problems(result, re.compile(r"bg2-short-quiz-responses\.csv:1: column A: this sheet was made for another printing of "
                                       r"'bg2-short-quiz' \(key [0-9a-f]{12}, not [0-9a-f]{12}\): pass the key CSV written with the printed versions"))
    assert not (tmp_path / "out").exists()


def _key_with(short_key: Path, tmp_path: Path, name: str, change) -> Path:
    rows = read_key_rows(short_key.read_bytes())
    for row in rows:
        change(row)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
    return path


@pytest.mark.parametrize(("column", "value", "message"), [
    ("points", "0", "points: 0 is not a question's points; write a whole number from 1 to 100, as the quiz printed it"),
    ("points", "-2", "points: -2 is not a question's points; write a whole number from 1 to 100, as the quiz printed it"),
    ("version", 'A"', """version: 'A"' is not a version label; the quiz prints versions as letters A, B, … AA"""),
    ("quiz", "../../escaped", "quiz: '../../escaped' is not a quiz's output name (letters, digits, '.', '_', '-'; no path); "
                              "use the key CSV the quiz was printed with"),
])
def test_a_key_csv_edited_out_of_shape_is_refused_where_it_is(short_key, tmp_path, column, value, message):
    key = _key_with(short_key, tmp_path, "key.csv", lambda row: row.update({column: value}) if row["version"] == "A" and row["number"] == "1" else None)
    for args in (("responses-template", str(key), "--out", str(tmp_path / "t")),
                 ("grade", str(tmp_path / "sheet.csv"), "--key", str(key), "--out", str(tmp_path / "g"))):
        (tmp_path / "sheet.csv").write_text("student_id,name,version,1\n", encoding="utf-8")
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        assert f"error: {key}:2: {message}" in result.stderr.splitlines(), result.stderr
    assert not (tmp_path / "t").exists() and not (tmp_path / "g").exists()
    assert not list(tmp_path.parent.parent.glob("escaped*"))
