"""The spreadsheet question bank, read back with openpyxl: every question, its answer, and the column map."""

from __future__ import annotations

import io
import zipfile

import pytest
from export_util import HOSTILE, export_set
from openpyxl import load_workbook

from quizgen.errors import OutputError
from quizgen.outputs import OutputOptions, xlsx
from quizgen.outputs.common import accepted, model_answer, stamp, stem

NAME = "every-question-bank.xlsx"


def _rows(data: bytes) -> list[tuple]:
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["题库"]
    return [tuple("" if v is None else v for v in r) for r in wb.active.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def exported() -> tuple[bytes, list[dict]]:
    files = xlsx.render(export_set(), None)
    assert list(files) == [NAME]
    rows = _rows(files[NAME])
    assert rows[0] == ("题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "正确答案", "解析", "难度", "知识点", "来源")
    return files[NAME], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_every_question_is_a_row_with_its_answer(exported) -> None:
    _, rows = exported
    qset = export_set()
    assert len(rows) == len(qset.questions)
    for q, r in zip(qset.questions, rows, strict=True):
        assert r["题干"] == stem(q), q.id
        assert r["知识点"] == q.ref.section_title and r["来源"] == f"{q.source_id}/{q.ref.paragraph_id}"
        assert r["难度"] in ("易", "中", "难")
        assert q.ref.evidence in r["解析"] and q.explanation in r["解析"]
        options = [r[c] for c in xlsx.OPTION_COLUMNS]
        if q.type in ("mcq", "who"):
            assert r["题型"] == "单选题"
            assert options[: len(q.options)] == list(q.options) and not any(options[len(q.options):])
            assert len(r["正确答案"]) == 1 and options["ABCDEF".index(r["正确答案"])] == q.answer  # one right option
            assert options.count(q.answer) == 1
        elif q.type == "tf":
            assert (r["题型"], r["正确答案"]) == ("判断题", q.answer) and not any(options)
        elif q.type in ("cloze", "typed"):
            assert r["题型"] == "填空题" and r["正确答案"].split("|") == list(accepted(q))
        elif q.type == "order":
            assert r["题型"] == "排序题"
            assert [options["ABCDEF".index(letter)] for letter in r["正确答案"]] == list(q.steps)
        else:
            assert (r["题型"], r["正确答案"]) == ("简答题", model_answer(q))


def test_hostile_text_stays_text(exported) -> None:
    data, rows = exported
    assert sum(HOSTILE in r["题干"] for r in rows) >= 5
    formula_like = [r for r in rows if r["选项A"].startswith("=") or r["选项B"].startswith("=") or r["选项C"].startswith("=")
                    or r["选项D"].startswith("=")]
    assert formula_like  # a distractor "=SUM(A1)" is in the set ...
    wb = load_workbook(io.BytesIO(data))
    assert all(c.data_type == "s" for row in wb.active.iter_rows(min_row=2) for c in row if c.value)  # ... and is a string


def test_second_export_is_byte_identical_with_fixed_times(exported) -> None:
    data, _ = exported
    assert xlsx.render(export_set(), None)[NAME] == data
    zf = zipfile.ZipFile(io.BytesIO(data))
    when = stamp(export_set(), None)
    assert {i.date_time for i in zf.infolist()} == {when.timetuple()[:6]}
    core = zf.read("docProps/core.xml").decode()
    assert core.count(when.strftime("%Y-%m-%dT%H:%M:%SZ")) == 2  # created and modified


def test_epoch_option_sets_the_time(exported) -> None:
    data = xlsx.render(export_set(), OutputOptions(epoch=1_700_000_000))[NAME]
    assert "2023-11-14T22:13:20Z" in zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()


def test_the_column_map_renames_and_drops_columns() -> None:
    options = OutputOptions(xlsx_columns={"题型": "类型", "来源": "", "选项E": "", "选项F": ""})
    rows = _rows(xlsx.render(export_set(), options)[NAME])
    assert rows[0] == ("类型", "题干", "选项A", "选项B", "选项C", "选项D", "正确答案", "解析", "难度", "知识点")
    assert rows[1][0] in xlsx.KIND.values()


def test_an_unknown_column_is_a_clear_error() -> None:
    with pytest.raises(OutputError) as err:
        xlsx.render(export_set(), OutputOptions(xlsx_columns={"题目": "x"}))
    assert str(err.value).startswith("xlsx_columns: 题目: unknown column; use one of 题型, 题干")
