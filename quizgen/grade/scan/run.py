"""`quizgen scan`: photos and scans of the class's answer sheets -> the class sheet `grade` reads, and a review page.

Read every page (refusing, never guessing, those without markers or a QR code of this quiz's printing), put the pages
of each student's sheet together by version and serial, read the student number, then write the responses CSV (one
row per sheet, the `quiz=… key=…` marker in a # row) and scan-review.html (every doubtful mark with its crop) at once.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quizgen.errors import ContentError, Problem, rel
from quizgen.fsutil import csv_bytes, write_many
from quizgen.grade.key import WRITTEN, Entry, Key, read_key
from quizgen.grade.scan import images
from quizgen.grade.scan.layout import LayoutError, Page, PageId, Slot, layout
from quizgen.grade.scan.reader import REASONS, FieldRead, PageRead, Refused, crop_png, find_page, read_fields, read_qr, rectify
from quizgen.grade.sheet import FIXED, POINTS_COLUMN, column_name
from quizgen.load.dataio import decode_csv, parse_csv, read_csv_bytes
from quizgen.templating import environment, template_errors

REVIEW = "scan-review.html"
REVIEW_TEMPLATE = "scan-review.html.j2"
ROSTER_COLUMNS = ("student_id", "name")


@dataclass
class Sheet:
    """One student's answer sheet: its pages as read, by page number."""

    version: str
    serial: int
    pages: int
    read: dict[int, PageRead] = field(default_factory=dict)
    student_id: str = ""
    name: str = ""
    id_reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Doubts about the whole sheet (a missing page, an id not in the roster, the same id twice)."""

    @property
    def sources(self) -> str:
        return "；".join(self.read[p].source for p in sorted(self.read))


@dataclass(frozen=True)
class Doubt:
    """A field the teacher should look at: where it is in the responses sheet, what was read, and why."""

    sheet: Sheet
    row: int
    column: str
    read: FieldRead | None
    entry: Entry | None
    reasons: tuple[str, ...]
    crop: str
    """data: URI of the PNG crop (empty when there is none, e.g. a missing page)."""

    @property
    def why(self) -> str:
        return "；".join(REASONS.get(r, r) for r in self.reasons)


@dataclass
class ScanResult:
    paths: list[Path]
    sheets: list[Sheet]
    refused: list[PageRead]
    doubts: list[Doubt]
    rows: list[list[str]]
    header: list[str]


def slots(key: Key, version: str) -> list[Slot]:
    """The questions of a version as the sheet lays them out (the renderer makes the same from the printed items)."""
    return [Slot(number=e.number, type=e.type, options=len(e.options), points=e.points) for e in key.versions[version]]


def page_layout(key: Key, pid: PageId) -> Page:
    """The layout the page was printed with, rebuilt from the key and the page's QR code."""
    pages = layout(slots(key, pid.version), digits=pid.digits, title=key.name, version=pid.version, serial=pid.serial,
                   versions=len(key.versions))
    if len(pages) != pid.pages:
        raise Refused(f"这页的二维码说答题卡共 {pid.pages} 页，而这份答案（key）排出来是 {len(pages)} 页：请用印刷时的 key CSV")
    return pages[pid.page - 1]


def read_page(gray: np.ndarray, source: str, key: Key) -> PageRead:
    """One page: refused with its reason, or every field read, with crops of the doubtful ones and of the name box."""
    out = PageRead(source=source)
    try:
        homography = find_page(gray)
        pid = read_qr(gray, homography)
        if pid.quiz != key.quiz:
            raise Refused(f"这页是测验 {pid.quiz} 的答题卡，不是 {key.quiz} 的：请用那个测验的 key CSV")
        if pid.key != key.fingerprint:
            raise Refused(f"这页来自 {pid.quiz} 的另一次印刷（key {pid.key}，不是 {key.fingerprint}）：请用与答题卡一起印出的 key CSV")
        if pid.version not in key.versions:
            raise Refused(f"版本 {pid.version} 不在这份 key 里")
        try:
            page_fields = page_layout(key, pid)
        except LayoutError as exc:
            raise Refused(f"这份 key 排不出答题卡：{exc}") from exc
        page = rectify(gray, homography)
        out.fields, _ = read_fields(page, page_fields)
        out.page_id = pid
        for f in out.fields:
            if f.doubtful:
                out.crops[(f.field.kind, f.field.number)] = crop_png(page, f.field.box)
        out.crops[("name", 0)] = crop_png(page, page_fields.name_box, margin=0.5)
    except Refused as exc:
        out.refused = str(exc)
    return out


def assemble(reads: Sequence[PageRead]) -> list[Sheet]:
    """Pages -> sheets: a first page starts a sheet; a later page joins the latest sheet of its version and serial that
    lacks it (photocopied sheets share a serial: scan them in order), else starts a sheet of its own."""
    sheets: list[Sheet] = []
    for r in reads:
        pid = r.page_id
        assert pid is not None
        target = None
        if pid.page > 1:
            target = next((s for s in reversed(sheets) if (s.version, s.serial, s.pages) == (pid.version, pid.serial, pid.pages)
                           and pid.page not in s.read), None)
        if target is None:
            target = Sheet(version=pid.version, serial=pid.serial, pages=pid.pages)
            sheets.append(target)
        target.read[pid.page] = r
    return sheets


def _identify(sheets: list[Sheet], roster: dict[str, str] | None) -> None:
    """Each sheet's student number from its bubbles (a digit not read is `?`), its name from the roster."""
    for n, sheet in enumerate(sheets, start=1):
        first = sheet.read.get(1)
        missing = [p for p in range(1, sheet.pages + 1) if p not in sheet.read]
        if missing:
            sheet.notes.append(f"缺少第 {'、'.join(map(str, missing))} 页：这些页上的题按未答计，请补拍或补扫后重新运行")
        if first is None:
            sheet.student_id = f"?{sheet.version}{sheet.serial:04d}-{n}"
            sheet.id_reasons.append("missing-page")
            continue
        digits = [f for f in first.fields if f.field.kind == "id"]
        text = ""
        for d in digits:  # a faint but lone mark is read (and shown to the teacher); two marks or none is a `?`
            ok = len(d.value) == 1
            text += d.value if ok else "?"
            if d.doubtful or not ok:
                sheet.id_reasons += list(d.reasons) or ["faint"]
        sheet.student_id = text if text.strip("?") else f"?{sheet.version}{sheet.serial:04d}-{n}"
        if roster is not None:
            if sheet.student_id in roster:
                sheet.name = roster[sheet.student_id]
            elif "?" not in sheet.student_id:
                sheet.notes.append(f"学号 {sheet.student_id} 不在名单里：可能涂错或读错，请核对")
    seen = Counter(s.student_id for s in sheets)
    for sheet in sheets:
        if seen[sheet.student_id] > 1:
            sheet.notes.append(f"学号 {sheet.student_id} 出现在 {seen[sheet.student_id]} 张答题卡上：同一张拍了两次，或有人涂错了学号")


def read_roster(path: Path) -> dict[str, str]:
    """student_id,name (CSV in any encoding the class sheet may have); ids as text, leading zeros kept."""
    where = rel(path)
    if not path.is_file():
        raise ContentError(Problem(where, None, "--roster", "file not found"))
    rows = parse_csv(decode_csv(read_csv_bytes(path), where), where)
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if tuple(header[:2]) != ROSTER_COLUMNS:
        raise ContentError(Problem(where, 1, "header", "expected the columns student_id,name (one row per student)"))
    out: dict[str, str] = {}
    for line, cells in enumerate(rows[1:], start=2):
        if not cells or not cells[0].strip() or cells[0].strip().startswith("#"):
            continue
        sid = cells[0].strip()
        if sid in out:
            raise ContentError(Problem(where, line, "column A (student_id)", f"{sid!r} is listed twice; each student once"))
        out[sid] = cells[1].strip() if len(cells) > 1 else ""
    return out


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else ""


def responses(key: Key, sheets: list[Sheet]) -> tuple[list[str], list[list[str]], list[Doubt]]:
    """The class sheet's header and rows (the first data row is spreadsheet row 3, after the # row), and the doubts."""
    k = key.count
    written_marks = any(e.type in WRITTEN for es in key.versions.values() for e in es)
    header = [*FIXED, *(str(n) for n in range(1, k + 1))] + ([POINTS_COLUMN] if written_marks else [])
    rows, doubts = [], []
    for index, sheet in enumerate(sheets):
        row_number = index + 3
        entries = key.versions[sheet.version]
        cells = [""] * k
        marks = []
        by_number: dict[int, tuple[FieldRead, PageRead]] = {}
        for page in sheet.read.values():
            for f in page.fields:
                if f.field.kind != "id":
                    by_number[f.field.number] = (f, page)
        if sheet.id_reasons:
            first = sheet.read.get(1)
            crop = ""
            if first is not None:
                crop = _data_uri(next((first.crops[("id", f.field.number)] for f in first.fields
                                       if f.field.kind == "id" and ("id", f.field.number) in first.crops), b""))
            doubts.append(Doubt(sheet, row_number, "A (student_id)", None, None, tuple(dict.fromkeys(sheet.id_reasons)), crop))
        for entry in entries:
            column = len(FIXED) + entry.number - 1
            got = by_number.get(entry.number)
            if got is None:
                doubts.append(Doubt(sheet, row_number, f"{column_name(column)} ({entry.number})", None, entry, ("missing-page",), ""))
                continue
            f, page = got
            reasons = list(f.reasons)
            value = f.value
            if f.field.kind == "mark":
                if not value and not reasons:
                    reasons.append("no-mark")
                if value and value.isdigit() and int(value) > entry.points:
                    reasons.append("over")
                    value = ""
                if entry.type in WRITTEN and value:
                    marks.append(f"{entry.number}={value}")
                    value = ""
            cells[entry.number - 1] = value
            if reasons:
                where = POINTS_COLUMN if f.field.kind == "mark" and entry.type in WRITTEN else str(entry.number)
                col = column_name(len(header) - 1) if where == POINTS_COLUMN else column_name(column)
                doubts.append(Doubt(sheet, row_number, f"{col} ({where})", f, entry, tuple(reasons),
                                    _data_uri(page.crops.get((f.field.kind, f.field.number), b""))))
        rows.append([sheet.student_id, sheet.name, sheet.version, *cells] + (["; ".join(marks)] if written_marks else []))
    return header, rows, doubts


def render_review(*, key: Key, sheets: list[Sheet], refused: list[PageRead], doubts: list[Doubt], responses: str,
                  templates_dir: Path, roster: dict[str, str] | None) -> str:
    """scan-review.html (templates/grade/scan-review.html.j2): every page refused, every doubtful mark with its crop,
    what was read and why, and where to correct it."""
    names = [(s, _data_uri(s.read[1].crops.get(("name", 0), b"")) if 1 in s.read else "") for s in sheets]
    found = {s.student_id for s in sheets}
    absent = sorted((sid, name) for sid, name in (roster or {}).items() if sid not in found)
    folder = templates_dir / "grade"
    with template_errors(folder, REVIEW_TEMPLATE, kind="scan review"):
        return environment(folder).get_template(REVIEW_TEMPLATE).render(
            key=key, sheets=names, refused=refused, doubts=doubts, responses=responses, absent=absent,
            noted=[s for s in sheets if s.notes], pages=sum(len(s.read) for s in sheets) + len(refused), zip=zip)


def scan(inputs: Sequence[Path], *, key_path: Path, out: Path, templates_dir: Path, roster_path: Path | None = None,
         force: bool = False, progress: Callable[[str], None] | None = None) -> ScanResult:
    """Read every page, then write the responses CSV and scan-review.html beside it, all at once."""

    if out.suffix.lower() != ".csv":
        raise ContentError(Problem(rel(out), None, "-o", "the responses sheet is a .csv file (e.g. -o build/grades/responses.csv)"))
    review = out.parent / REVIEW
    if not force and out.exists():
        raise ContentError(Problem(rel(out), None, "-o", "already exists and may hold your corrections; use --force to replace it, "
                                                         "or choose another -o"))
    key = read_key(key_path)
    roster = read_roster(roster_path) if roster_path else None
    reads = []
    for source, gray in images.pages(images.sources(inputs)):
        reads.append(read_page(gray, source.name, key))
        if progress:
            progress(f"read {source.name}: {reads[-1].refused or 'ok'}")
    good = [r for r in reads if not r.refused]
    refused = [r for r in reads if r.refused]
    if not good:
        raise ContentError([Problem(r.source, None, "page", r.refused) for r in refused])
    sheets = assemble(good)
    _identify(sheets, roster)
    header, rows, doubts = responses(key, sheets)
    marker = f"# quiz={key.quiz} key={key.fingerprint}  由 quizgen scan 读出 {len(sheets)} 张答题卡；可疑的标记见 {REVIEW}，核对后改正本表再评分"
    data = csv_bytes(header, [[marker] + [""] * (len(header) - 1), *rows])
    page = render_review(key=key, sheets=sheets, refused=refused, doubts=doubts, responses=out.name, templates_dir=templates_dir,
                         roster=roster)
    write_many({out: data, review: page.encode("utf-8")})
    return ScanResult(paths=[out, review], sheets=sheets, refused=refused, doubts=doubts, rows=rows, header=header)

