"""What grading a printed quiz as a teacher turned up: ids keep their leading zeros, several letters are wrong, feedback
names the student and the quiz on every page, the report names the quiz and speaks Chinese, GIFT refuses `->`."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import pytest
from conftest import invoke
from conftest_browser import TEMPLATES, parse_html
from export_util import export_set
from gradeutil import read_key_rows, short_quiz_set
from writers import write_quiz

from quizgen.errors import OutputError
from quizgen.outputs import gift


@pytest.fixture(scope="module")
def key(tmp_path_factory) -> Path:
    qset = short_quiz_set()
    paths = write_quiz(qset, templates_dir=TEMPLATES, out_dir=tmp_path_factory.mktemp("short"), versions=qset.versions, seed=qset.seed)
    return next(p for p in paths if p.name.endswith("-key.csv"))


def _answers(key: Path, version: str, right: bool) -> list[str]:
    rows = [r for r in read_key_rows(key.read_bytes()) if r["version"] == version]
    out = []
    for r in sorted(rows, key=lambda r: int(r["number"])):
        if r["type"] in ("mcq", "tf", "who"):
            wrong = next(c for c in "ABCD"[: len(r["options"].split("|"))] if c != r["answer"])
            out.append(r["answer"] if right else wrong)
        else:
            out.append(r["answer"] if right else "不知道")
    return out


def _scores(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "scores.csv").read_bytes().decode("utf-8-sig"), newline="")))


def test_the_template_keeps_ids_as_text(key, tmp_path):
    from openpyxl import load_workbook

    copy = tmp_path / key.name
    copy.write_bytes(key.read_bytes())
    assert invoke("responses-template", str(copy)).exit_code == 0
    sheet = load_workbook(tmp_path / "bg2-short-quiz-responses.xlsx")["答卷"]
    assert {sheet.cell(row=r, column=1).number_format for r in range(2, 1001)} == {"@"}


def test_an_id_typed_as_a_number_is_padded_back_with_a_warning(key, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "答卷"
    count = len(_answers(key, "A", True))
    sheet.append(["student_id", "name", "version", *range(1, count + 1)])
    sheet.append(["0230101", "甲", "A", *_answers(key, "A", True)])
    sheet.append([230102, "乙", "A", *_answers(key, "A", False)])  # typed into a General cell: a number
    sheet.append(["0230103", "丙", "B", *_answers(key, "B", True)])
    book.save(tmp_path / "class.xlsx")
    result = invoke("grade", str(tmp_path / "class.xlsx"), "--key", str(key), "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES))
    assert result.exit_code == 0, result.output
    assert [s["student_id"] for s in _scores(tmp_path / "out")] == ["0230101", "0230102", "0230103"]
    assert result.stderr.splitlines() == [
        f"warning: {tmp_path / 'class.xlsx'}:3: column A (student_id): 230102 was typed as a number; read as 0230102, like the "
        "other ids; format the column as text to keep leading zeros"]


def test_a_csv_id_that_lost_its_zero_is_padded_too(key, tmp_path):
    count = len(_answers(key, "A", True))
    lines = [",".join(["student_id", "name", "version", *map(str, range(1, count + 1))]),
             ",".join(["0230101", "甲", "A", *_answers(key, "A", True)]), ",".join(["230102", "乙", "A", *_answers(key, "A", True)])]
    (tmp_path / "class.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("grade", str(tmp_path / "class.csv"), "--key", str(key), "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES))
    assert result.exit_code == 0, result.output
    assert [s["student_id"] for s in _scores(tmp_path / "out")] == ["0230101", "0230102"]
    assert "230102 has lost its leading zeros" in result.stderr


def test_ids_without_leading_zeros_are_left_alone(key, tmp_path):
    count = len(_answers(key, "A", True))
    lines = [",".join(["student_id", "name", "version", *map(str, range(1, count + 1))]),
             ",".join(["20240001", "甲", "A", *_answers(key, "A", True)]), ",".join(["999", "乙", "A", *_answers(key, "A", True)])]
    (tmp_path / "class.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("grade", str(tmp_path / "class.csv"), "--key", str(key), "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES))
    assert result.exit_code == 0 and result.stderr == ""
    assert [s["student_id"] for s in _scores(tmp_path / "out")] == ["20240001", "999"]


def test_a_doubled_letter_is_several_letters_and_scores_wrong(key, tmp_path):
    rows = sorted((r for r in read_key_rows(key.read_bytes()) if r["version"] == "A"), key=lambda r: int(r["number"]))
    first = next(i for i, r in enumerate(rows) if r["type"] == "mcq")
    answers = _answers(key, "A", True)
    doubled = list(answers)
    doubled[first] = answers[first] * 2  # CC where C is right
    lines = [",".join(["student_id", "name", "version", *map(str, range(1, len(rows) + 1))]),
             ",".join(["s1", "甲", "A", *answers]), ",".join(["s2", "乙", "A", *doubled])]
    (tmp_path / "class.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("grade", str(tmp_path / "class.csv"), "--key", str(key), "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES))
    assert result.exit_code == 0, result.output
    full, less = (float(s["score"]) for s in _scores(tmp_path / "out"))
    assert less == full - int(rows[first]["points"])


def test_report_and_feedback_name_the_quiz_by_its_title_in_chinese(key, tmp_path):
    count = len(_answers(key, "A", True))
    lines = [",".join(["student_id", "name", "version", *map(str, range(1, count + 1))])]
    lines += [",".join([f"s{i}", f"学生{i}", "AB"[i % 2], *_answers(key, "AB"[i % 2], i % 3 == 0)]) for i in range(6)]
    (tmp_path / "class.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("grade", str(tmp_path / "class.csv"), "--key", str(key), "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES))
    assert result.exit_code == 0, result.output
    title = "黄仁勋 BG2 访谈：随堂小测"
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert f"<title>成绩分析：{title}</title>" in report
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", report) + re.findall(r"<!-- (.*?) -->", report)
    words = [w for label in labels for w in re.findall(r"[A-Za-z_]{2,}", label)]
    assert set(words) <= {"r_pb"}, words  # every axis label is Chinese (r_pb is the statistic's own name)
    assert "得分" in report and "人数" in report
    doc = parse_html((tmp_path / "out" / "feedback.html").read_text(encoding="utf-8"))
    tables = doc.find_all("table", cls="student")
    assert len(tables) == 6
    for table, line in zip(tables, lines[1:], strict=True):
        head = table.find("thead").text
        sid, name = line.split(",")[:2]
        assert name in head and sid in head and title in head


def test_gift_refuses_a_short_answer_with_an_arrow_and_names_it():
    qset = export_set()
    target = next(q for q in qset.questions if q.type in ("cloze", "typed"))
    broken = qset.model_copy(update={"questions": tuple(dataclasses.replace(q, accept=(*q.accept, "A->B")) if q is target else q
                                                        for q in qset.questions)})
    with pytest.raises(OutputError) as caught:
        gift.render(broken, None)
    (problem,) = caught.value.problems
    assert problem.field == f"questions.{target.id}" and "'A->B'" in problem.message and "--format moodle" in problem.message
    assert gift.render(qset, None)  # without the arrow the same set exports


def test_feedback_for_35_students_prints_each_on_their_own_pages_with_name_and_quiz(key, tmp_path):
    """Printed by headless Chromium: every student starts a new sheet, and every page names the student and the quiz."""
    import subprocess

    from conftest_browser import require_chromium, require_poppler

    from quizgen.outputs.quiz.pdf import PrintJob, print_pdfs

    require_chromium()
    require_poppler()
    header = "student_id,name,version," + ",".join(str(n) for n in range(1, 21)) + "\n"
    lines = []
    for n in range(35):
        version = "AB"[n % 2]
        answers = _answers(key, version, right=n % 3 == 0)  # a third right throughout: short feedback; the rest long
        lines.append(f"0230{n + 101:03d},学生{n + 1:02d},{version}," + ",".join(answers))
    sheet = tmp_path / "class.csv"
    sheet.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("grade", str(sheet), "--key", str(key), "--out", str(tmp_path / "g"))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "g" / "feedback.html").read_text(encoding="utf-8")
    pdf = tmp_path / "feedback.pdf"
    pdf.write_bytes(print_pdfs([PrintJob(html, "<span></span>")])[0])
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout)[1])
    assert pages >= 35
    owner = []
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        names = set(re.findall(r"学生\d\d", text))
        assert len(names) == 1, (page, names)  # one student per page, named on it
        assert "黄仁勋 BG2 访谈：随堂小测" in text, page  # and the quiz
        owner.append(names.pop())
    assert sorted(set(owner)) == [f"学生{n:02d}" for n in range(1, 36)]
    assert owner == sorted(owner)  # each student's pages together, in the sheet's order
