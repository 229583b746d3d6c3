"""Where everything is on a machine-readable answer sheet, in millimetres: one function, used to print and to read.

The sheet is drawn (templates/quiz/sheets.html.j2) from exactly the shapes `layout` returns, and `quizgen scan` reads
the bubbles where the same call, made from the key CSV, says they are. Coordinates are relative to the drawing area
(WIDTH x HEIGHT, origin top left), whose four corners carry ArUco markers: the reader maps a photo onto this area
through them, so where the browser puts the area on the paper does not matter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 178.0, 262.0
"""The drawing area: A4 less the quiz pages' print margins (16 mm sides and top, 18 mm bottom), less 1 mm to spare."""
MARKER = 12.0
"""Side of each corner marker (6 x 6 cells of 2 mm: a 4 x 4 ArUco code in a black border)."""
MARKER_IDS = (0, 1, 2, 3)
"""Top left, top right, bottom left, bottom right (cv2.aruco DICT_4X4_50)."""
MARKER_BITS = {
    0: ("0100", "1010", "1100", "1101"),
    1: ("1111", "0000", "0110", "0101"),
    2: ("1100", "1100", "1101", "0010"),
    3: ("0110", "0110", "1011", "1001"),
}
"""The inner 4 x 4 cells of DICT_4X4_50 markers 0-3, 1 = black (tests/test_scan_sheet.py checks them against OpenCV):
written out so that printing a quiz never imports OpenCV."""
QR_X, QR_Y, QR_SIZE = 100.0, 0.0, 26.0
"""The QR code, quiet zone included: top middle, away from the corners a fold would cover."""
BUBBLE_RX, BUBBLE_RY = 2.5, 1.6
"""Half-width and half-height of a bubble (an ellipse 5 x 3.2 mm)."""
PITCH_X, ROW = 7.2, 5.6
"""Bubble centres: horizontally within a row, and from one row to the next."""
DIGIT_PITCH_X, DIGIT_ROW = 6.6, 4.4
NUMBER_W = 8.0
"""Room for a question number left of its bubbles."""
LEFT, RIGHT = 2.0, WIDTH - 2.0
FIRST_TOP, LATER_TOP, BOTTOM = 104.0, 30.0, HEIGHT - MARKER - 2.0
"""Where questions start on the first page (below the student number) and on later pages, and where they must end."""
CHUNK = 5
"""Questions per bordered block, as Chinese answer cards group them (1-5, 6-10, …)."""
GAP = 4.0
MAX_DIGITS = 14
MAX_OPTIONS = 12

CHOICE_TYPES = ("mcq", "tf", "who")
KIND_TITLES = {
    "choice": "选择题：把所选字母涂满涂黑，每题只涂一个",
    "order": "排序题：每行涂一个字母，第 1 行涂排第一的步骤，依次类推",
    "mark": "教师评分：老师批改试卷上的答案后，在此涂所得分数（学生不要填涂）",
}


@dataclass(frozen=True)
class Slot:
    """One printed question, as much as the sheet needs: its number, how it is answered and with how many bubbles."""

    number: int
    type: str
    options: int
    points: int

    @property
    def kind(self) -> str:
        """choice (one letter), order (a letter per position), mark (the teacher fills in the points)."""
        return "choice" if self.type in CHOICE_TYPES else "order" if self.type == "order" else "mark"


@dataclass(frozen=True)
class Bubble:
    x: float
    y: float
    value: str
    """What filling it means: a letter, a digit, or points."""


@dataclass(frozen=True)
class Field:
    """Bubbles read together: a question, or one digit of the student number. One bubble is filled per row."""

    kind: str
    """choice, order, mark, or id (a digit of the student number)."""
    number: int
    """The question number (id: the digit's position, from 1)."""
    rows: tuple[tuple[Bubble, ...], ...]
    box: tuple[float, float, float, float]
    """x, y, width, height: the part of the page shown to the teacher when this field is in doubt."""
    tens: bool = False
    """mark worth more than 10 points: a tens row (0, 10, 20…) above a units row."""

    @property
    def bubbles(self) -> tuple[Bubble, ...]:
        return tuple(b for row in self.rows for b in row)


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    size: float
    content: str
    anchor: str = "start"
    bold: bool = False


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    kind: str = "frame"
    """frame (a thin printed border) or write (a box to write in by hand)."""


@dataclass(frozen=True)
class Page:
    page: int
    pages: int
    fields: tuple[Field, ...]
    texts: tuple[Text, ...]
    rects: tuple[Rect, ...]
    name_box: tuple[float, float, float, float]

    @property
    def questions(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind != "id")

    @property
    def digits(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind == "id")


class LayoutError(ValueError):
    """The questions do not fit a sheet (a question with too many options): say which, the caller names the file."""


def marker_origin(marker_id: int) -> tuple[float, float]:
    """Top-left corner of a marker in the drawing area."""
    right, bottom = marker_id in (1, 3), marker_id in (2, 3)
    return (WIDTH - MARKER if right else 0.0, HEIGHT - MARKER if bottom else 0.0)


def marker_corners(marker_id: int) -> tuple[tuple[float, float], ...]:
    """The marker's outer corners in OpenCV's order: top left, top right, bottom right, bottom left."""
    x, y = marker_origin(marker_id)
    return ((x, y), (x + MARKER, y), (x + MARKER, y + MARKER), (x, y + MARKER))


def marker_cells(marker_id: int) -> list[tuple[float, float]]:
    """Top-left corners of the black 2 mm cells of a marker (border included)."""
    x0, y0 = marker_origin(marker_id)
    cell = MARKER / 6
    bits = MARKER_BITS[marker_id]
    out = []
    for r in range(6):
        for c in range(6):
            border = r in (0, 5) or c in (0, 5)
            if border or bits[r - 1][c - 1] == "1":
                out.append((x0 + c * cell, y0 + r * cell))
    return out


# --- the QR code's text -----------------------------------------------------------------------

QR_FORMAT = "QZS1"


@dataclass(frozen=True)
class PageId:
    """What a page's QR code says: which quiz and printing, which version, which page of which sheet."""

    quiz: str
    key: str
    version: str
    page: int
    pages: int
    serial: int
    digits: int

    def text(self) -> str:
        return "|".join((QR_FORMAT, self.quiz, self.key, self.version, str(self.page), str(self.pages), str(self.serial), str(self.digits)))

    @classmethod
    def parse(cls, text: str) -> PageId | None:
        """The page id, or None for a QR code that is not one of ours."""
        parts = text.split("|")
        if len(parts) != 8 or parts[0] != QR_FORMAT or not all(p.isdigit() for p in parts[4:]):
            return None
        page, pages, serial, digits = map(int, parts[4:])
        if not (1 <= page <= pages and 1 <= digits <= MAX_DIGITS and parts[1] and parts[3]):
            return None
        return cls(quiz=parts[1], key=parts[2], version=parts[3], page=page, pages=pages, serial=serial, digits=digits)


# --- the layout -------------------------------------------------------------------------------


def _row(x0: float, y: float, values: Sequence[str], pitch: float = PITCH_X) -> tuple[Bubble, ...]:
    return tuple(Bubble(x=round(x0 + i * pitch, 3), y=round(y, 3), value=v) for i, v in enumerate(values))


def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]


@dataclass
class _Block:
    """A bordered group of fields, placed as a whole."""

    w: float
    h: float
    draw: object
    """(x, y) -> (fields, texts, rects)"""


def _choice_block(slots: Sequence[Slot]) -> _Block:
    width = max(s.options for s in slots)
    w, h = NUMBER_W + width * PITCH_X + 1.5, len(slots) * ROW + 2.4

    def draw(x: float, y: float):
        fields, texts = [], []
        for r, s in enumerate(slots):
            cy = y + 1.2 + ROW / 2 + r * ROW
            row = _row(x + NUMBER_W + PITCH_X / 2, cy, _letters(s.options))
            fields.append(Field("choice", s.number, (row,), (x, cy - ROW / 2, w, ROW)))
            texts.append(Text(x + NUMBER_W - 1.2, cy + 1.1, 3.0, str(s.number), "end", True))
        return fields, texts, [Rect(x, y, w, h)]

    return _Block(w, h, draw)


def _order_block(s: Slot) -> _Block:
    label_w = 9.0
    w, h = NUMBER_W + label_w + s.options * PITCH_X + 1.5, s.options * ROW + 2.4

    def draw(x: float, y: float):
        rows, texts = [], [Text(x + NUMBER_W - 1.2, y + 1.2 + ROW / 2 + 1.1, 3.0, str(s.number), "end", True)]
        for r in range(s.options):
            cy = y + 1.2 + ROW / 2 + r * ROW
            rows.append(_row(x + NUMBER_W + label_w + PITCH_X / 2, cy, _letters(s.options)))
            texts.append(Text(x + NUMBER_W + label_w - 1.5, cy + 1.0, 2.6, f"第{r + 1}", "end"))
        return [Field("order", s.number, tuple(rows), (x, y, w, h))], texts, [Rect(x, y, w, h)]

    return _Block(w, h, draw)


def _mark_values(points: int) -> tuple[list[str], list[str] | None]:
    """Units row and, above 10 points, a tens row."""
    if points <= 10:
        return [str(v) for v in range(points + 1)], None
    return [str(v) for v in range(10)], [str(10 * t) for t in range(points // 10 + 1)]


def _mark_block(slots: Sequence[Slot]) -> _Block:
    rows_of = [(1 if s.points <= 10 else 2) for s in slots]
    width = max(len(_mark_values(s.points)[0]) for s in slots)
    w, h = NUMBER_W + width * PITCH_X + 1.5, sum(rows_of) * ROW + 2.4

    def draw(x: float, y: float):
        fields, texts = [], []
        top = y + 1.2
        for s, n in zip(slots, rows_of, strict=False):
            units, tens = _mark_values(s.points)
            rows = []
            if tens:
                rows.append(_row(x + NUMBER_W + PITCH_X / 2, top + ROW / 2, tens))
            rows.append(_row(x + NUMBER_W + PITCH_X / 2, top + ROW / 2 + (n - 1) * ROW, units))
            fields.append(Field("mark", s.number, tuple(rows), (x, top, w, n * ROW), tens=tens is not None))
            texts.append(Text(x + NUMBER_W - 1.2, top + ROW / 2 + 1.1, 3.0, str(s.number), "end", True))
            top += n * ROW
        return fields, texts, [Rect(x, y, w, h)]

    return _Block(w, h, draw)


def _blocks(slots: Sequence[Slot]) -> list[tuple[str, list[_Block]]]:
    """Consecutive questions of one kind form a band; a band is blocks of up to CHUNK questions (one per order question)."""
    bands: list[tuple[str, list[Slot]]] = []
    for s in slots:
        if s.kind == "choice" and not 2 <= s.options <= MAX_OPTIONS or s.kind == "order" and not 2 <= s.options <= MAX_OPTIONS:
            raise LayoutError(f"question {s.number} has {s.options} options; a sheet holds 2 to {MAX_OPTIONS}")
        if s.kind == "mark" and not 0 <= s.points <= 99:
            raise LayoutError(f"question {s.number} is worth {s.points} points; a sheet marks 0 to 99")
        if bands and bands[-1][0] == s.kind:
            bands[-1][1].append(s)
        else:
            bands.append((s.kind, [s]))
    out = []
    for kind, group in bands:
        if kind == "order":
            out.append((kind, [_order_block(s) for s in group]))
        else:
            make = _choice_block if kind == "choice" else _mark_block
            out.append((kind, [make(group[i:i + CHUNK]) for i in range(0, len(group), CHUNK)]))
    return out


def _id_grid(digits: int) -> tuple[list[Field], list[Text], list[Rect]]:
    x0, y0 = 16.0, 44.0
    fields, texts, rects = [], [Text(2.0, y0 + 5.0, 3.4, "学号", bold=True)], []
    for d in range(digits):
        cx = x0 + DIGIT_PITCH_X / 2 + d * DIGIT_PITCH_X
        rects.append(Rect(cx - 2.7, y0 + 1.5, 5.4, 6.5, "write"))
        row = tuple(Bubble(x=round(cx, 3), y=round(y0 + 12.0 + v * DIGIT_ROW, 3), value=str(v)) for v in range(10))
        fields.append(Field("id", d + 1, (row,), (x0 - 1.0, y0, digits * DIGIT_PITCH_X + 2.0, 12.0 + 10 * DIGIT_ROW)))
    rects.append(Rect(x0 - 1.0, y0, digits * DIGIT_PITCH_X + 2.0, 12.0 + 10 * DIGIT_ROW - 0.8))
    return fields, texts, rects


def _header(title: str, version: str, serial: int, page: int, pages: int, versions: int) -> tuple[list[Text], list[Rect], tuple]:
    label = f"（{version} 卷）" if versions > 1 else ""
    size = min(3.6, 80.0 / max(1, len(title)))
    texts = [Text(16.0, 6.5, 5.2, f"机读答题卡{label}", bold=True), Text(16.0, 13.0, size, title),
             Text(130.0, 7.0, 3.0, f"No. {serial:04d}"), Text(130.0, 12.5, 3.0, f"第 {page} 页 / 共 {pages} 页")]
    if versions > 1:
        texts.append(Text(150.0, 22.0, 8.0, version, "middle", True))
    if page == 1:
        texts += [Text(2.0, 36.0, 3.4, "姓名", bold=True), Text(96.0, 36.0, 3.4, "班级", bold=True)]
        name, klass = (16.0, 28.0, 74.0, 12.0), (108.0, 28.0, 40.0, 12.0)
    else:
        texts.append(Text(16.0, 22.0, 3.0, "姓名"))
        name, klass = (26.0, 17.0, 60.0, 8.0), None
    rects = [Rect(*name, "write")] + ([Rect(*klass, "write")] if klass else [])
    return texts, rects, name


def _instructions(digits: int) -> list[Text]:
    x = 16.0 + digits * DIGIT_PITCH_X + 8.0
    lines = ["填涂说明", "1. 用 2B 铅笔把所选的圆圈涂满涂黑：", "", "2. 不要打勾、画叉、只涂一半：", "",
             "3. 改答时用橡皮擦干净，再涂新答案。", "4. 学号每列写一位数字，再涂对应数字。", "5. 保持答题卡平整，不要折叠、弄脏。"]
    return [Text(x, 50.0 + i * 5.6, 3.6 if i == 0 else 3.0, line, bold=i == 0) for i, line in enumerate(lines) if line]


def example_bubbles(digits: int) -> tuple[tuple[float, float, str], ...]:
    """Filled-in examples beside the instructions: (x, y, how) with how = right, tick, cross, half."""
    x = 16.0 + digits * DIGIT_PITCH_X + 14.0
    return ((x, 59.6, "right"), (x, 70.8, "tick"), (x + 9.0, 70.8, "cross"), (x + 18.0, 70.8, "half"))


def layout(slots: Sequence[Slot], *, digits: int, title: str = "", version: str = "A", serial: int = 1,
           versions: int = 1) -> list[Page]:
    """The pages of one version's sheet: student number and name on the first, the questions in number order."""
    if not 1 <= digits <= MAX_DIGITS:
        raise LayoutError(f"a student number of {digits} digits does not fit; use 1 to {MAX_DIGITS}")
    placed: list[list[tuple[str, _Block, float, float]]] = [[]]
    headings: list[list[tuple[str, float, bool]]] = [[]]
    y = FIRST_TOP
    for kind, blocks in _blocks(slots):
        i = 0
        first = True
        while i < len(blocks):
            line: list[_Block] = []
            width = LEFT
            while i < len(blocks) and (not line or width + blocks[i].w <= RIGHT):
                line.append(blocks[i])
                width += blocks[i].w + GAP
                i += 1
            height = max(b.h for b in line)
            if y + 5.0 + height > BOTTOM:  # a new page for this line, its band's heading repeated
                if not placed[-1] and not headings[-1]:
                    raise LayoutError("a block of questions is taller than a page")
                placed.append([])
                headings.append([])
                y = LATER_TOP
                first = True
            if first:
                headings[-1].append((kind, y + 3.6, len(headings) > 1 and any(h[0] == kind for hs in headings[:-1] for h in hs)))
                y += 5.0
                first = False
            x = LEFT
            for b in line:
                placed[-1].append((kind, b, x, y))
                x += b.w + GAP
            y += height + 3.0
    pages = len(placed)
    out = []
    for p, (blocks_here, heads) in enumerate(zip(placed, headings, strict=False), start=1):
        texts, rects, name = _header(title, version, serial, p, pages, versions)
        fields: list[Field] = []
        if p == 1:
            f, t, r = _id_grid(digits)
            fields += f
            texts += t + _instructions(digits)
            rects += r
        for kind, y_text, more in heads:
            texts.append(Text(LEFT, y_text, 3.2, KIND_TITLES[kind] + ("（续）" if more else ""), bold=True))
        for _, block, x, y0 in blocks_here:
            f, t, r = block.draw(x, y0)  # type: ignore[operator]
            fields += f
            texts += t
            rects += r
        out.append(Page(page=p, pages=pages, fields=tuple(fields), texts=tuple(texts), rects=tuple(rects), name_box=name))
    return out


def slot_count(pages: Sequence[Page]) -> int:
    return sum(len(p.questions) for p in pages)


def ellipse_points(b: Bubble, scale: float = 1.0, n: int = 24) -> list[tuple[float, float]]:
    """Points around a bubble (for drawing it in tests)."""
    return [(b.x + scale * BUBBLE_RX * math.cos(2 * math.pi * i / n), b.y + scale * BUBBLE_RY * math.sin(2 * math.pi * i / n)) for i in range(n)]
