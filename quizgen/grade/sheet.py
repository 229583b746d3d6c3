"""The class sheet: read it from CSV (UTF-8, UTF-8 with BOM, UTF-16, GB18030) or .xlsx; write the empty template."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from quizgen.errors import ContentError, Problem, rel
from quizgen.load.dataio import decode_csv, parse_csv, read_csv_bytes, read_xlsx
from quizgen.text.labels import letter_label

if TYPE_CHECKING:
    from quizgen.grade.key import Key

FIXED = ("student_id", "name", "version")
POINTS_COLUMN = "points"
"""Optional column for short-answer marks written as `5=2; 7=3` (question 5 got 2 points, question 7 got 3)."""
COMMENT = "#"
"""A row whose first cell starts with # is an instruction, not a student."""
MARKER = re.compile(r"quiz=(?P<quiz>[A-Za-z0-9._-]+)(?:\s+key=(?P<key>[0-9a-f]+))?")
SHEET_NAME = "答卷"
HELP_SHEET = "说明"


@dataclass
class Sheet:
    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    """(row number as a spreadsheet shows it, cells as text)"""
    quiz: str | None = None
    key: str | None = None
    """From the `quiz=… key=…` marker the template writes; None when the teacher removed it."""
    strict_width: bool = True
    """CSV: a row with fewer cells than the header lost some (a spreadsheet leaves no gaps)."""
    warnings: list[str] = field(default_factory=list)
    """What was read but may not be what the teacher meant (an id typed as a number, padded back): said, not refused."""


def column_name(index: int) -> str:
    """0 -> A, 26 -> AA: the letter a spreadsheet shows above the column."""
    return letter_label(index)


def _cell(value: object) -> str:
    """A workbook cell as the text the teacher sees."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "对" if value else "错"  # Excel turns a typed TRUE/FALSE into a boolean
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.month}月{value.day}日"  # Excel turns a typed 10月4日 into a date
    return str(value)


def read_sheet(path: Path) -> Sheet:
    """Read the responses (.csv or .xlsx); rows starting with # are instructions and are skipped."""
    where = rel(path)
    if not path.exists():
        raise ContentError(Problem(where, None, "responses", "file not found"))
    numeric: set[int] = set()
    if path.suffix.lower() == ".xlsx":
        rows, help_text, numeric = _xlsx_rows(path, where)
        strict = False
    elif path.suffix.lower() in (".csv", ".txt", ".tsv"):
        rows, help_text, strict = parse_csv(decode_csv(read_csv_bytes(path), where), where), "", True
    else:
        raise ContentError(Problem(where, None, "responses", "expected a .csv or .xlsx file"))
    while rows and not any(c.strip() for c in rows[0]):
        rows = rows[1:]
    if not rows:
        raise ContentError(Problem(where, 1, "header", f"empty sheet; expected the columns {','.join(FIXED)},1,2,…"))
    sheet = Sheet(file=where, header=[h.strip() for h in rows[0]], rows=[], strict_width=strict)
    markers = [help_text]
    for number, cells in enumerate(rows[1:], start=2):
        if cells and cells[0].strip().startswith(COMMENT):
            markers.append(" ".join(cells))
            continue
        if any(c.strip() for c in cells):
            sheet.rows.append((number, cells))
    for text in markers:
        if m := MARKER.search(text):
            sheet.quiz, sheet.key = m["quiz"], m["key"]
            break
    _pad_ids(sheet, numeric)
    return sheet


def _pad_ids(sheet: Sheet, numeric: set[int]) -> None:
    """Ids with leading zeros (0230101) come back from a number-formatted cell as 230101: where the class's ids are
    written with leading zeros, an all-digit id that is shorter is padded to their length, with a warning."""
    ids = [(n, cells[0].strip()) for n, cells in sheet.rows if cells and cells[0].strip().isdigit()]
    zeros = Counter(len(sid) for n, sid in ids if sid.startswith("0") and n not in numeric)
    if not zeros:
        return
    width = zeros.most_common(1)[0][0]
    for n, cells in sheet.rows:
        sid = cells[0].strip() if cells else ""
        if sid.isdigit() and len(sid) < width:
            how = "was typed as a number" if n in numeric else "has lost its leading zeros (a spreadsheet saved it as a number)"
            cells[0] = sid.zfill(width)
            sheet.warnings.append(f"{sheet.file}:{n}: column A (student_id): {sid} {how}; read as {cells[0]}, like the other "
                                  "ids; format the column as text to keep leading zeros")


def _xlsx_rows(path: Path, where: str) -> tuple[list[list[str]], str, set[int]]:
    book = read_xlsx(path, where, main=SHEET_NAME, extra=(HELP_SHEET,))
    # an id typed into a General cell comes back as a number: its leading zeros are gone
    numeric = {number for number, row in enumerate(book.rows, start=1)
               if row and isinstance(row[0], (int, float)) and not isinstance(row[0], bool)}
    rows = [[_cell(v) for v in row] for row in book.rows]
    help_text = " ".join(_cell(v) for row in book.extra.get(HELP_SHEET, []) for v in row)
    return rows, help_text, numeric


# --- the empty template ----------------------------------------------------------------------


def instructions(key: Key) -> list[str]:
    """What the teacher needs to fill the sheet, one line each (the xlsx help sheet; the CSV's # row holds the first)."""
    versions = "、".join(key.versions)
    marked = [str(e.number) for e in key.questions if e.type in ("basic", "reasons")]
    lines = [
        f"# quiz={key.quiz} key={key.fingerprint}  每行一名学生：学号、姓名、试卷版本（{versions}），然后按题号填写答案；留空算未答（0 分）。",
        "选择题、判断题、“谁说的”题填字母（A、B…，大小写、全角均可）；判断题也可填 对/错 或 √/×。",
        "排序题按顺序填字母，如 CABD。填空题、输入题写答案原文（全角半角、空格、大小写不计）。",
        "简答题由老师评分：在该题格内填得分（如 2），或在 points 列写 题号=得分（如 5=2; 7=3）。",
        "完成后：quizgen grade 本文件 --key <quiz>-key.csv --out 输出文件夹",
    ]
    if marked:
        lines.append(f"本卷需老师评分的题号：{'、'.join(marked)}（按各版本的题号，版本之间题号可能不同）。")
    return lines


def template_header(key: Key) -> list[str]:
    return [*FIXED, *(str(n) for n in range(1, key.count + 1))]


def template_csv(key: Key) -> bytes:
    """The empty sheet as CSV (UTF-8 with BOM): the header, then one # row of instructions."""
    from quizgen.fsutil import csv_bytes  # noqa: PLC0415 - loaded on use, so light commands start fast

    header = template_header(key)
    return csv_bytes(header, [[instructions(key)[0]] + [""] * (len(header) - 1)])


def template_xlsx(key: Key) -> bytes:
    """The empty sheet as a workbook: 答卷 (header, version picker) and 说明 (instructions and the quiz marker)."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy library loaded only by the commands that use it
    from openpyxl.styles import Font  # noqa: PLC0415 - heavy library loaded only by the commands that use it
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    header = template_header(key)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"  # headings are text, never formulas
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 12
    for i in range(len(FIXED), len(header)):
        sheet.column_dimensions[column_name(i)].width = 6
    picker = DataValidation(type="list", formula1='"' + ",".join(key.versions) + '"', allow_blank=True)
    picker.add("C2:C1000")
    sheet.add_data_validation(picker)
    for row in range(2, 1001):  # ids are text: Excel, WPS and LibreOffice would turn 0230101 into 230101
        sheet.cell(row=row, column=1).number_format = "@"
    for column in range(len(FIXED), len(header)):  # answers stay text: Excel must not turn 10月4日 into a date
        for row in range(2, 201):
            sheet.cell(row=row, column=column + 1).number_format = "@"
    help_sheet = book.create_sheet(HELP_SHEET)
    for line in instructions(key):
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 110
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
