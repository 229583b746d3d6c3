"""`quizgen scan` on the real path: the short quiz's machine-readable sheets printed by headless Chromium, rasterised,
filled in by a simulated class (tests/grade/scansim.py), photographed or scanned, read back, then graded."""

from __future__ import annotations

import csv
import io
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import assert_problems, invoke
from conftest_browser import TEMPLATES, require_chromium
from gradeutil import short_quiz_set
from scansim import STYLES, SimPage, rasterise, simulate_page
from writers import write_quiz

from quizgen.grade.key import MARKED, WRITTEN, Key, read_key
from quizgen.grade.scan.layout import MARKER_BITS, MARKER_IDS, Page, PageId, Slot, layout
from quizgen.grade.scan.reader import find_page, read_qr
from quizgen.grade.scan.run import page_layout, read_page

CLEAR = {"pencil": 70, "pen": 30}
"""Marks no reader should doubt: a class that fills its bubbles as told."""


@dataclass(frozen=True)
class Printed:
    folder: Path
    key_path: Path
    key: Key
    clean: dict[str, list[tuple[np.ndarray, np.ndarray, Page, PageId]]]
    """version -> each printed sheet: the clean raster, its homography, its layout and its QR id."""


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Printed:
    require_chromium()
    qset = short_quiz_set()
    folder = tmp_path_factory.mktemp("printed")
    paths = write_quiz(qset, templates_dir=TEMPLATES, out_dir=folder, versions=qset.versions, seed=qset.seed, pdf=True,
                       answer_sheets=18, id_digits=8)
    key_path = next(p for p in paths if p.name.endswith("-key.csv"))
    key = read_key(key_path)
    clean = {}
    for version in key.versions:
        pages = rasterise(folder / f"{qset.output}-{version}-sheets.pdf")
        found = []
        for image in pages:
            h = find_page(image)
            pid = read_qr(image, h)
            found.append((image, h, page_layout(key, pid), pid))
        clean[version] = found
    return Printed(folder, key_path, key, clean)


def _students(printed: Printed, count: int, *, styles: dict[str, int], seed: str) -> list[SimPage]:
    """`count` students, alternating versions A and B, each on their own printed sheet, with distinct ids."""
    out = []
    versions = list(printed.clean)
    for n in range(count):
        image, h, page, pid = printed.clean[versions[n % len(versions)]][n // len(versions)]
        out.append(simulate_page(image, h, page, pid, f"{seed}-{n}", student_id=f"0230{n + 101:04d}", styles=styles))
    return out


def _jpeg(path: Path, image: np.ndarray) -> Path:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    path.write_bytes(data.tobytes())
    return path


def _rows(csv_path: Path) -> list[dict[str, str]]:
    text = csv_path.read_bytes().decode("utf-8-sig")
    return [r for r in csv.DictReader(io.StringIO(text, newline="")) if not r["student_id"].startswith("#")]


# --- the printed sheet ------------------------------------------------------------------------


def test_corner_markers_are_opencvs_own() -> None:
    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for marker_id in MARKER_IDS:
        image = cv2.aruco.generateImageMarker(dictionary, marker_id, 6)  # one pixel per cell, border included
        bits = tuple("".join("1" if image[r, c] < 128 else "0" for c in range(1, 5)) for r in range(1, 5))
        assert bits == MARKER_BITS[marker_id], marker_id


def test_page_id_reads_back_and_refuses_other_codes() -> None:
    pid = PageId(quiz="bg2-short-quiz", key="abc123", version="B", page=1, pages=2, serial=17, digits=8)
    assert PageId.parse(pid.text()) == pid
    for other in ("https://example.com", "QZS1|q|k|A|3|2|1|8", "QZS1|q|k|A|1|1|1|99", "QZS1||k|A|1|1|1|8"):
        assert PageId.parse(other) is None, other


def test_a_question_the_sheet_cannot_hold_is_refused_by_number() -> None:
    from quizgen.grade.scan.layout import LayoutError

    with pytest.raises(LayoutError, match="question 3 has 13 options"):
        layout([Slot(1, "mcq", 4, 1), Slot(2, "tf", 2, 1), Slot(3, "mcq", 13, 1)], digits=8)


def test_every_printed_sheet_is_one_a4_page_with_its_own_serial(printed: Printed) -> None:
    import pypdfium2 as pdfium

    for version, sheets in printed.clean.items():
        assert [pid.serial for *_, pid in sheets] == list(range(1, 19))
        assert {(pid.version, pid.pages, pid.key) for *_, pid in sheets} == {(version, 1, printed.key.fingerprint)}
        doc = pdfium.PdfDocument(str(printed.folder / f"bg2-short-quiz-{version}-sheets.pdf"))
        try:
            width, height = doc[0].get_size()
        finally:
            doc.close()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
    html = (printed.folder / "bg2-short-quiz-A-sheets.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in html and html.count('class="page scan-sheet"') == 18
    quiz_page = (printed.folder / "bg2-short-quiz-A.html").read_text(encoding="utf-8")
    assert "机读答题卡上用 2B 铅笔涂黑" in quiz_page  # the quiz tells students where to answer


# --- reading ----------------------------------------------------------------------------------


def test_a_class_of_35_goes_from_photos_to_grades_with_no_typing(printed: Printed, tmp_path: Path) -> None:
    students = _students(printed, 35, styles=CLEAR, seed="class")
    photos = tmp_path / "photos"
    photos.mkdir()
    for n, sim in enumerate(students[:30]):
        _jpeg(photos / f"IMG_{n:04d}.jpg", sim.image)
    # the last five come from the school's scanner as one PDF
    from PIL import Image

    frames = [Image.fromarray(sim.image) for sim in students[30:]]
    frames[0].save(photos / "scan.pdf", save_all=True, append_images=frames[1:], resolution=150)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"{s.student_id},学生{n + 1}\n" for n, s in enumerate(students)), encoding="utf-8")

    responses = tmp_path / "grades" / "responses.csv"
    result = invoke("scan", str(photos), "--key", str(printed.key_path), "--roster", str(roster), "-o", str(responses))
    assert result.exit_code == 0, result.output
    assert "read 35 sheet(s)" in result.stdout and "0 page(s) refused" in result.stdout
    rows = _rows(responses)
    assert sorted(r["student_id"] for r in rows) == sorted(s.student_id for s in students)
    assert {r["name"] for r in rows} == {f"学生{n + 1}" for n in range(35)}

    graded = invoke("grade", str(responses), "--key", str(printed.key_path), "--out", str(tmp_path / "grades"))
    assert graded.exit_code == 0, graded.output
    scores = {r["student_id"]: float(r["score"]) for r in csv.DictReader(io.StringIO(
        (tmp_path / "grades" / "scores.csv").read_bytes().decode("utf-8-sig"), newline=""))}
    for sim in students:
        assert scores[sim.student_id] == pytest.approx(_expected_score(printed.key, sim)), sim.student_id


def _expected_score(key: Key, sim: SimPage) -> float:
    """The score the student's marks deserve: a right letter earns the question's points, a teacher's mark its value."""
    total = 0.0
    for entry in key.versions[sim.page_id.version]:
        kind = "mark" if entry.type in WRITTEN + MARKED else "order" if entry.type == "order" else "choice"
        meant = sim.truth[(kind, entry.number)].value
        if kind == "mark":
            total += float(meant)
        elif meant == entry.answer:
            total += entry.points
    return total


def test_no_mark_is_ever_misread_silently(printed: Printed) -> None:
    """Light, partial, crossed-out, erased, ticked, stray and double marks on photos and scans: every field is read
    right or shown to the teacher, and the clear marks are read without doubt."""
    silent, flagged, clear_doubted, clear = [], 0, 0, 0
    for sim in _students(printed, 36, styles=STYLES, seed="styles"):
        read = read_page(sim.image, "sim", printed.key)
        assert not read.refused, (read.refused, sim.conditions)
        assert read.page_id == sim.page_id
        for f in read.fields:
            truth = sim.truth[(f.field.kind, f.field.number)]
            if f.doubtful:
                flagged += 1
            elif f.value != truth.value:
                silent.append((f.field.kind, f.field.number, f.value, truth.value, truth.style, sim.conditions))
            if truth.style in ("pencil", "pen") and not sim.covered:
                clear += 1
                clear_doubted += f.doubtful
    assert silent == []
    assert flagged > 20  # the styles above do make doubtful marks: the reader says so
    assert clear_doubted <= 0.03 * clear, (clear_doubted, clear)


def test_every_doubt_is_on_the_review_page_with_its_crop(printed: Printed, tmp_path: Path) -> None:
    students = _students(printed, 8, styles={"light": 30, "two": 30, "crossed": 20, "pencil": 20}, seed="review")
    photos = [_jpeg(tmp_path / f"p{n}.jpg", sim.image) for n, sim in enumerate(students)]
    responses = tmp_path / "out" / "responses.csv"
    result = invoke("scan", *map(str, photos), "--key", str(printed.key_path), "-o", str(responses))
    assert result.exit_code == 0, result.output
    review = (tmp_path / "out" / "scan-review.html").read_text(encoding="utf-8")
    doubts = re.findall(r'<div class="doubt question" data-student="([^"]*)" data-row="(\d+)" data-column="([^"]*)"', review)
    expected = []
    by_id = {r["student_id"]: (n, r) for n, r in enumerate(_rows(responses), start=3)}
    for sim in students:
        read = read_page(sim.image, "sim", printed.key)
        row, _ = by_id[sim.student_id]
        for f in read.fields:
            if f.doubtful and f.field.kind in ("choice", "order"):
                expected.append((sim.student_id, str(row), str(f.field.number)))
    shown = {(sid, row, re.sub(r".*\((.*)\)", r"\1", col)) for sid, row, col in doubts}
    assert expected and set(expected) <= shown
    assert review.count('<img class="crop" src="data:image/png;base64,') >= len(expected)
    assert 'lang="zh-CN"' in review


def test_pages_that_cannot_be_read_are_listed_never_guessed(printed: Printed, tmp_path: Path) -> None:
    good = _students(printed, 2, styles=CLEAR, seed="refused")
    blank = np.full((1600, 1200), 235, dtype=np.uint8)
    no_qr = good[1].image.copy()
    h = find_page(no_qr)
    from quizgen.grade.scan.layout import QR_SIZE, QR_X, QR_Y

    corners = cv2.perspectiveTransform(np.array([[[QR_X, QR_Y], [QR_X + QR_SIZE, QR_Y + QR_SIZE]]], dtype=np.float64), h)[0]
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
    no_qr[max(0, y0 - 30):y1 + 30, max(0, x0 - 30):x1 + 30] = 40  # a thumb over the QR code
    files = [_jpeg(tmp_path / "good.jpg", good[0].image), _jpeg(tmp_path / "blank.jpg", blank), _jpeg(tmp_path / "thumb.jpg", no_qr)]
    responses = tmp_path / "responses.csv"
    result = invoke("scan", *map(str, files), "--key", str(printed.key_path), "-o", str(responses))
    assert result.exit_code == 0, result.output
    assert "2 page(s) refused" in result.stdout
    assert [r["student_id"] for r in _rows(responses)] == [good[0].student_id]
    review = (tmp_path / "scan-review.html").read_text(encoding="utf-8")
    assert 'data-source="blank.jpg"' in review or "blank.jpg" in review
    assert "找不到页角的定位标记" in review and "读不出页面上的二维码" in review
    # nothing readable at all: an error, and nothing written
    alone = tmp_path / "alone.csv"
    failed = invoke("scan", str(files[1]), "--key", str(printed.key_path), "-o", str(alone))
    assert failed.exit_code == 1 and "找不到页角的定位标记" in failed.stderr
    assert not alone.exists()


def test_a_sheet_of_another_printing_is_refused(printed: Printed, tmp_path: Path) -> None:
    qset = short_quiz_set()
    other = tmp_path / "other"
    other.mkdir()
    paths = write_quiz(qset, templates_dir=TEMPLATES, out_dir=other, versions=qset.versions, seed=qset.seed + 1, answer_sheets=1)
    other_key = next(p for p in paths if p.name.endswith("-key.csv"))
    sim = _students(printed, 1, styles=CLEAR, seed="other")[0]
    photo = _jpeg(tmp_path / "sheet.jpg", sim.image)
    result = invoke("scan", str(photo), "--key", str(other_key), "-o", str(tmp_path / "r.csv"))
    assert result.exit_code == 1
    assert "另一次印刷" in result.stderr and "sheet.jpg" in result.stderr


def test_a_heic_photo_is_read(printed: Printed, tmp_path: Path) -> None:
    import pillow_heif
    from PIL import Image

    sim = _students(printed, 1, styles=CLEAR, seed="heic")[0]
    pillow_heif.register_heif_opener()
    Image.fromarray(sim.image).save(tmp_path / "IMG_0001.HEIC", quality=85)
    result = invoke("scan", str(tmp_path / "IMG_0001.HEIC"), "--key", str(printed.key_path), "-o", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    assert [r["student_id"] for r in _rows(tmp_path / "r.csv")] == [sim.student_id]


# --- bad input --------------------------------------------------------------------------------


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (a decompression bomb's first step)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def test_bad_input_gets_a_located_error_and_writes_nothing(printed: Printed, tmp_path: Path) -> None:
    key = str(printed.key_path)
    out = tmp_path / "r.csv"
    (tmp_path / "bomb.png").write_bytes(_png_claiming(30_000, 30_000))
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_problems(invoke("scan", str(tmp_path / "bomb.png"), "--key", key, "-o", str(out)),
                    re.compile(r".*bomb\.png: images: .*more than 80 million pixels; send a smaller photo"))
    (tmp_path / "bomb.png").write_bytes(_png_claiming(9_000, 9_000))  # above our limit, below Pillow's own
    assert_problems(invoke("scan", str(tmp_path / "bomb.png"), "--key", key, "-o", str(out)),
                    re.compile(r".*bomb\.png: images: 9000 x 9000 pixels are more than 80 million; send a smaller photo"))
    assert_problems(invoke("scan", str(tmp_path / "notes.txt"), "--key", key, "-o", str(out)),
                    re.compile(r".*notes\.txt: images: not a photo or scan quizgen reads; .*"))
    assert_problems(invoke("scan", str(tmp_path / "broken.jpg"), "--key", key, "-o", str(out)),
                    re.compile(r".*broken\.jpg: images: cannot read this image .*"))
    assert_problems(invoke("scan", str(empty), "--key", key, "-o", str(out)), re.compile(r".*no photos or scans found.*"))
    assert_problems(invoke("scan", str(tmp_path / "missing.jpg"), "--key", key, "-o", str(out)),
                    re.compile(r".*missing\.jpg: images: file not found"))
    assert_problems(invoke("scan", str(tmp_path / "bomb.png"), "--key", key, "-o", str(tmp_path / "r.xlsx")),
                    re.compile(r".*r\.xlsx: -o: the responses sheet is a \.csv file.*"))
    assert not out.exists() and not (tmp_path / "scan-review.html").exists()


def test_an_existing_class_sheet_is_kept_without_force(printed: Printed, tmp_path: Path) -> None:
    sim = _students(printed, 1, styles=CLEAR, seed="force")[0]
    photo = _jpeg(tmp_path / "a.jpg", sim.image)
    out = tmp_path / "r.csv"
    out.write_text("student_id,name,version\n0001,corrected by hand,A\n", encoding="utf-8")
    result = invoke("scan", str(photo), "--key", str(printed.key_path), "-o", str(out))
    assert result.exit_code == 1 and "--force" in result.stderr
    assert "corrected by hand" in out.read_text(encoding="utf-8")
    assert invoke("scan", str(photo), "--key", str(printed.key_path), "-o", str(out), "--force").exit_code == 0
    assert [r["student_id"] for r in _rows(out)] == [sim.student_id]


def test_a_sheet_of_several_pages_is_put_together_whatever_the_order(tmp_path: Path) -> None:
    """The whole interview (197 questions) takes two pages a student: pages photographed in any order join their
    sheet by serial; a missing page is said, never filled in."""
    require_chromium()
    from gradeutil import ROOT

    from quizgen.project.paths import Paths
    from quizgen.project.plan import resolve

    paths = Paths(content=ROOT / "content", templates=TEMPLATES, decks=ROOT / "decks", out=tmp_path)
    qset, _ = resolve(ROOT / "decks" / "interview.toml", paths)
    written = write_quiz(qset, templates_dir=TEMPLATES, out_dir=tmp_path, versions=1, seed=qset.seed, pdf=True, answer_sheets=2)
    key_path = next(p for p in written if p.name.endswith("-key.csv"))
    key = read_key(key_path)
    pages = rasterise(tmp_path / f"{qset.output}-A-sheets.pdf")
    assert len(pages) == 4
    photos, truth, photographed = [], {}, set()
    for n, image in enumerate(pages):
        h = find_page(image)
        pid = read_qr(image, h)
        assert (pid.serial, pid.page, pid.pages) == (n // 2 + 1, n % 2 + 1, 2)
        sim = simulate_page(image, h, page_layout(key, pid), pid, f"multi-{n}", student_id=f"1000000{pid.serial}", styles=CLEAR)
        truth.update({(pid.serial, k): t.value for k, t in sim.truth.items()})
        if n != 3:  # the second student's second page is lost
            photos.append(_jpeg(tmp_path / f"photo-{(7 * n) % 5}.jpg", sim.image))  # names out of page order
            photographed |= {(pid.serial, k) for k in sim.truth}
    out = tmp_path / "responses.csv"
    result = invoke("scan", *map(str, photos), "--key", str(key_path), "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = {r["student_id"]: r for r in _rows(out)}
    assert sorted(rows) == ["10000001", "10000002"]
    for serial, sid in ((1, "10000001"), (2, "10000002")):
        for entry in key.versions["A"]:
            if entry.type in ("mcq", "tf", "who"):
                field = (serial, ("choice", entry.number))
                assert rows[sid][str(entry.number)] == (truth[field] if field in photographed else ""), (sid, entry.number)
    # the teacher's marks of the second page: all there for the first student, none guessed for the second
    for serial, sid in ((1, "10000001"), (2, "10000002")):
        marks = dict(m.split("=") for m in rows[sid]["points"].split("; ") if m)
        on_page_two = [n for (s, (kind, n)) in truth if s == serial and kind == "mark" and n > 100]
        assert on_page_two
        for number in on_page_two:
            if serial == 1:
                assert marks.get(str(number)) == truth[(serial, ("mark", number))] or str(number) in rows[sid] and rows[sid][str(number)], number
            else:
                assert str(number) not in marks and not rows[sid][str(number)], number
    review = (tmp_path / "scan-review.html").read_text(encoding="utf-8")
    assert "缺少第 2 页" in review
