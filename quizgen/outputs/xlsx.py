"""A spreadsheet question bank (.xlsx) in the layout Chinese course platforms commonly import.

Columns: 题型, 题干, 选项A … 选项F, 正确答案, 解析, 难度, 知识点 (the section title), 来源 (`source/paragraph`).
A platform that names them differently gets its own headers from `options.xlsx_columns` (in a recipe,
`xlsx_columns = {"题型" = "类型"}`; TOML wants Chinese keys quoted); mapping a column to "" leaves it out.
- 题型: 单选题 (mcq, who), 判断题 (tf), 填空题 (cloze, typed), 排序题 (order), 简答题 (basic, reasons).
- 正确答案: the option letter; 正确 or 错误; every accepted answer joined by `|`; the letters in order (`CAB`); the model answer.
- 难度: 易 / 中 / 难 by the question's format (see `common.DIFFICULTY`): an honest prior, not a measured difficulty.
Every cell is a string, so a text starting with `=` stays text and never becomes a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from quizgen.errors import OutputError, Problem
from quizgen.models import Question, QuestionSet
from quizgen.outputs.common import CHOICE, SHORT, accepted, difficulty, feedback_lines, letters, model_answer, rezip, stamp, stem

if TYPE_CHECKING:  # the registry in outputs/__init__.py imports this module
    from quizgen.outputs import OutputOptions

OPTION_COLUMNS = tuple(f"选项{letter}" for letter in letters(6))
COLUMNS = ("题型", "题干", *OPTION_COLUMNS, "正确答案", "解析", "难度", "知识点", "来源")
KIND = {"mcq": "单选题", "who": "单选题", "tf": "判断题", "cloze": "填空题", "typed": "填空题", "order": "排序题",
        "basic": "简答题", "reasons": "简答题"}
ANSWER_SEPARATOR = "|"
SHEET = "题库"
WIDTHS = {"题干": 60, "解析": 60, "正确答案": 24, "知识点": 24}


def headers(columns: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """(our column, the header to write) for every column kept, in the default order."""
    columns = dict(columns or {})
    unknown = sorted(set(columns) - set(COLUMNS))
    if unknown:
        raise OutputError([Problem("xlsx_columns", None, key, f"unknown column; use one of {', '.join(COLUMNS)}") for key in unknown])
    return [(c, columns.get(c, c)) for c in COLUMNS if columns.get(c, c)]


def correct_answer(q: Question) -> str:
    if q.type in CHOICE:
        return letters(len(q.options))[q.correct or 0]
    if q.type in SHORT:
        return ANSWER_SEPARATOR.join(accepted(q))
    if q.type == "order":
        return "".join(letters(len(q.options))[i] for i in q.order)
    return model_answer(q)


def row(q: Question) -> dict[str, str]:
    """One question as the default columns."""
    options = q.options if q.type in CHOICE or q.type == "order" else ()
    if len(options) > len(OPTION_COLUMNS):
        raise OutputError(Problem(q.id, None, "options", f"{len(options)} options do not fit columns 选项A-选项F"))
    cells = {
        "题型": KIND[q.type], "题干": stem(q), "正确答案": correct_answer(q), "解析": "\n".join(feedback_lines(q)),
        "难度": difficulty(q), "知识点": q.ref.section_title, "来源": f"{q.source_id}/{q.ref.paragraph_id}",
    }
    cells.update(zip(OPTION_COLUMNS, options, strict=False))
    return cells


def _core_times(when: str) -> Callable[[str, bytes], bytes]:
    """Put our time into docProps/core.xml (openpyxl writes the current time when saving)."""

    def fix(name: str, body: bytes) -> bytes:
        if name != "docProps/core.xml":
            return body
        text = body.decode("utf-8")
        for tag in ("created", "modified"):
            text = re.sub(rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)", rf"\g<1>{when}\g<2>", text)
        return text.encode("utf-8")
    return fix


def render(qset: QuestionSet, options: OutputOptions | None = None) -> dict[str, bytes]:
    """The set as one worksheet, a question per row, in set order."""
    from openpyxl import Workbook  # noqa: PLC0415 - only when a spreadsheet is asked for
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: PLC0415 - heavy library loaded only by the commands that use it
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415 - heavy library loaded only by the commands that use it
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    cols = headers(getattr(options, "xlsx_columns", None))
    when = stamp(qset, options)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([header for _, header in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"  # a recipe's column name that starts with "=" is a heading, not a formula
    for q in qset.questions:
        cells = row(q)
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", cells.get(c, "")) for c, _ in cols])
        for cell in ws[ws.max_row]:
            cell.data_type = "s"  # text that starts with "=" is text, not a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    for i, (c, _) in enumerate(cols, 1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(c, 12)
    naive = when.replace(tzinfo=None)
    wb.properties.creator = "quizgen"
    wb.properties.title = qset.title
    wb.properties.created = naive
    wb.properties.modified = naive
    buf = io.BytesIO()
    wb.save(buf)  # stamps "modified" with the current time: rezip puts ours back
    return {f"{qset.output}-bank.xlsx": rezip(buf.getvalue(), when, _core_times(naive.strftime("%Y-%m-%dT%H:%M:%SZ")))}
