"""A class that fills in printed answer sheets, and phones and scanners that capture them: the truth to measure
`quizgen scan` against (tests/test_scan.py, bench/bench_scan.py).

Sheets come from the real path: the quiz renderer's HTML, printed to PDF by headless Chromium (quizgen.pdf), rasterised
by pypdfium2. Marks are drawn the way students make them (dark and light pencil, pen, partly filled, crossed out and
re-marked, erased and re-marked, a tick, a stray line, two letters, a blank); then the page is photographed or scanned:
rotation up to 15 degrees, perspective, blur, uneven light and shadow, noise, JPEG quality 40-90, a folded corner.
Every random choice comes from a seeded random.Random, so page N of a run is always the same page.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from quizgen.grade.scan.layout import BUBBLE_RX, BUBBLE_RY, HEIGHT, WIDTH, Page, PageId

DPI = 200
MM = DPI / 25.4

STYLES = {  # how a student marks a chosen bubble, and how often
    "pencil": 40, "pen": 14, "light": 12, "partial": 10, "crossed": 5, "erased": 6, "tick": 3, "stray": 5, "two": 2,
}
DOUBTFUL_STYLES = {"light", "partial", "crossed", "erased", "tick", "stray", "two"}
"""Marks that a reader may rightly be unsure of: each must be read right or flagged."""
BLANK_SHARE = 0.06


@dataclass
class Truth:
    """What the student meant on one field, and which bubbles physically carry a mark."""

    kind: str
    number: int
    value: str
    style: str
    marked: list[list[bool]]
    """Per row and bubble: carries a mark (a fill, light or partial or crossed through, or a tick)."""


@dataclass
class SimPage:
    image: np.ndarray
    page_id: PageId
    truth: dict[tuple[str, int], Truth]
    student_id: str
    covered: bool = False
    """A fold or the frame hides part of the page: some bubbles may be unreadable (and must be flagged)."""
    conditions: dict[str, float] = field(default_factory=dict)


# --- printing ---------------------------------------------------------------------------------


def rasterise(pdf: Path, dpi: int = DPI) -> list[np.ndarray]:
    """Each page of a PDF as a grayscale image (pypdfium2, as `quizgen scan` reads scanner PDFs)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        pages = []
        for i in range(len(doc)):
            bitmap = doc[i].render(scale=dpi / 72, grayscale=True)
            pages.append(np.array(bitmap.to_pil().convert("L")))
        return pages
    finally:
        doc.close()


# --- marking ----------------------------------------------------------------------------------


def _to_px(h: np.ndarray, x: float, y: float) -> tuple[float, float]:
    p = cv2.perspectiveTransform(np.array([[[x, y]]], dtype=np.float64), h)[0, 0]
    return float(p[0]), float(p[1])


class Pen:
    """Draws marks in the page's pixels, through the homography from layout millimetres."""

    def __init__(self, image: np.ndarray, h: np.ndarray, rng: random.Random):
        self.image = image.astype(np.float32)
        self.h, self.rng = h, rng
        self.scale = float(np.sqrt(abs(np.linalg.det(h[:2, :2]))))  # px per mm

    def fill(self, x: float, y: float, tone: float, *, share: float = 1.0, texture: float = 0.08) -> None:
        """A filled oval over the bubble at (x, y) mm; tone 0 = black, 1 = paper; share < 1 leaves part of it empty."""
        rng, s = self.rng, self.scale
        cx, cy = _to_px(self.h, x + rng.uniform(-0.35, 0.35), y + rng.uniform(-0.25, 0.25))
        ax, ay = BUBBLE_RX * s * rng.uniform(0.88, 1.12), BUBBLE_RY * s * rng.uniform(0.85, 1.15)
        y0, y1 = max(0, round(cy - ay - 4)), round(cy + ay + 5)
        x0, x1 = max(0, round(cx - ax - 4)), round(cx + ax + 5)
        mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
        cv2.ellipse(mask, (round(cx) - x0, round(cy) - y0), (round(ax), round(ay)), rng.uniform(-8, 8), 0, 360, 255, -1, cv2.LINE_AA)
        if share < 1.0:  # a part of the oval, cut by a line at a random angle
            angle = rng.uniform(0, 2 * math.pi)
            yy, xx = np.mgrid[y0:y1, x0:x1]
            cut = (xx - cx) * math.cos(angle) + (yy - cy) * math.sin(angle)
            mask[cut > ax * (2 * share - 1)] = 0
        sub = mask.astype(np.float32) / 255
        grain = np.random.default_rng(rng.randrange(2**32)).normal(0, texture, sub.shape).astype(np.float32)
        self.image[y0:y1, x0:x1] *= 1 - sub * (1 - np.clip(tone + grain, 0, 1))

    def stroke(self, points_mm: list[tuple[float, float]], tone: float, width_mm: float = 0.4) -> None:
        pts = np.round([_to_px(self.h, x, y) for x, y in points_mm]).astype(np.int32)
        x0, y0 = np.maximum(pts.min(axis=0) - 8, 0)
        x1, y1 = pts.max(axis=0) + 9
        layer = np.full((y1 - y0, x1 - x0), 255, dtype=np.uint8)
        cv2.polylines(layer, [pts - [x0, y0]], False, round(255 * tone), max(1, round(width_mm * self.scale)), cv2.LINE_AA)
        region = self.image[y0:y1, x0:x1]
        region *= layer[: region.shape[0], : region.shape[1]].astype(np.float32) / 255

    def erase(self, x: float, y: float, residue: float) -> None:
        """Rub out what is at (x, y): back towards paper, leaving `residue` of the darkness (and some of the outline)."""
        s = self.scale
        cx, cy = _to_px(self.h, x, y)
        ax, ay = round(BUBBLE_RX * s * 1.25), round(BUBBLE_RY * s * 1.3)
        y0, y1, x0, x1 = max(0, round(cy) - ay), round(cy) + ay + 1, max(0, round(cx) - ax), round(cx) + ax + 1
        region = self.image[y0:y1, x0:x1]
        paper = float(np.percentile(self.image[max(0, y0 - 20):y1 + 20, max(0, x0 - 20):x1 + 20], 90))
        mask = np.zeros(region.shape, dtype=np.float32)
        cv2.ellipse(mask, (round(cx) - x0, round(cy) - y0), (ax, ay), 0, 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), 2.0)
        self.image[y0:y1, x0:x1] = region * (1 - mask) + (paper - (paper - region) * residue) * mask

    def done(self) -> np.ndarray:
        return np.clip(self.image, 0, 255).astype(np.uint8)


def _mark(pen: Pen, row: tuple, index: int, style: str, rng: random.Random) -> None:
    b = row[index]
    if style in ("pencil", "crossed", "erased", "stray", "two"):
        pen.fill(b.x, b.y, rng.uniform(0.18, 0.42))
    elif style == "pen":
        pen.fill(b.x, b.y, rng.uniform(0.05, 0.2), texture=0.03)
    elif style == "light":
        pen.fill(b.x, b.y, rng.uniform(0.5, 0.62), texture=0.06)
    elif style == "partial":
        pen.fill(b.x, b.y, rng.uniform(0.15, 0.4), share=rng.uniform(0.5, 0.75))
    elif style == "tick":
        pen.stroke([(b.x - 1.6, b.y - 0.1), (b.x - 0.4, b.y + 1.2), (b.x + 2.0, b.y - 1.5)], rng.uniform(0.05, 0.3), 0.5)


def mark_row(pen: Pen, row: tuple, rng: random.Random, *, allow_blank: bool = True, styles: dict[str, int] = STYLES
             ) -> tuple[str, str, list[bool]]:
    """A student's mark on one row: (the value meant, the style, which bubbles carry a mark)."""
    marked = [False] * len(row)
    if allow_blank and rng.random() < BLANK_SHARE:
        return "", "blank", marked
    style = rng.choices(list(styles), weights=list(styles.values()))[0]
    pick = rng.randrange(len(row))
    others = [i for i in range(len(row)) if i != pick]
    if style == "crossed" and others:  # filled one, crossed it out with an X, filled another
        first = rng.choice(others)
        _mark(pen, row, first, "pencil", rng)
        b = row[first]
        pen.stroke([(b.x - 2.8, b.y - 2.0), (b.x + 2.8, b.y + 2.0)], 0.1, 0.45)
        pen.stroke([(b.x - 2.8, b.y + 2.0), (b.x + 2.8, b.y - 2.0)], 0.1, 0.45)
        marked[first] = True
    elif style == "erased" and others:  # filled one, rubbed it out, filled another
        first = rng.choice(others)
        _mark(pen, row, first, "pencil", rng)
        pen.erase(row[first].x, row[first].y, rng.uniform(0.04, 0.22))
    elif style == "stray":  # a pencil line wandering near the row, through no bubble's middle
        b = row[rng.randrange(len(row))]
        y = b.y + rng.choice([-1, 1]) * rng.uniform(2.0, 2.6)
        pen.stroke([(b.x - rng.uniform(3, 8), y + rng.uniform(-0.5, 0.5)), (b.x + rng.uniform(3, 8), y + rng.uniform(-0.5, 0.5))],
                   rng.uniform(0.3, 0.6), 0.35)
    value = row[pick].value
    _mark(pen, row, pick, style, rng)
    marked[pick] = True
    if style == "two" and others:  # meant two letters: the reader must say so
        second = rng.choice(others)
        _mark(pen, row, second, "pencil", rng)
        marked[second] = True
        value = "".join(row[i].value for i in sorted((pick, second)))
    return value, style, marked


def fill_sheet(image: np.ndarray, h: np.ndarray, page: Page, rng: random.Random, *, student_id: str,
               styles: dict[str, int] = STYLES) -> tuple[np.ndarray, dict]:
    """Mark every field of a clean page as a student (and, for marked questions, the teacher) would."""
    pen = Pen(image, h, rng)
    truth: dict[tuple[str, int], Truth] = {}
    for f in page.fields:
        if f.kind == "id":  # the student number: careful, dark marks
            digit = student_id[f.number - 1]
            index = [b.value for b in f.rows[0]].index(digit)
            style = rng.choices(["pencil", "pen", "light"], weights=[70, 25, 5])[0]
            _mark(pen, f.rows[0], index, style, rng)
            marked = [[i == index for i in range(len(f.rows[0]))]]
            truth[(f.kind, f.number)] = Truth(f.kind, f.number, digit, style, marked)
        elif f.kind == "order":
            letters = [b.value for b in f.rows[0]]
            rng.shuffle(letters)
            marked, row_styles = [], []
            for row, letter in zip(f.rows, letters, strict=False):
                style = rng.choices(["pencil", "pen", "light"], weights=[70, 20, 10])[0]
                index = [b.value for b in row].index(letter)
                _mark(pen, row, index, style, rng)
                marked.append([i == index for i in range(len(row))])
                row_styles.append(style)
            truth[(f.kind, f.number)] = Truth(f.kind, f.number, "".join(letters), "light" if "light" in row_styles else "pencil", marked)
        elif f.kind == "mark" and f.tens:
            raise NotImplementedError("the simulated quizzes have no question worth more than 10 points")
        else:
            value, style, row_marked = mark_row(pen, f.rows[0], rng, allow_blank=f.kind == "choice",
                                                styles=styles if f.kind == "choice" else {"pen": 60, "pencil": 35, "light": 5})
            truth[(f.kind, f.number)] = Truth(f.kind, f.number, value, style, [row_marked])
    name_x, name_y, name_w, name_h = page.name_box  # a handwritten name: a few strokes
    for k in range(3):
        x = name_x + 6 + 14 * k
        pen.stroke([(x, name_y + 3), (x + 8, name_y + 4), (x + 2, name_y + name_h - 3), (x + 9, name_y + name_h - 2)], 0.15, 0.5)
    return pen.done(), truth


# --- photographing and scanning ---------------------------------------------------------------


def _fold(image: np.ndarray, h: np.ndarray, rng: random.Random) -> None:
    """Fold one corner of the paper over: a triangle of the back of the sheet, its edge casting a thin shadow."""
    corner = rng.randrange(4)
    a, b = rng.uniform(10, 28), rng.uniform(10, 28)
    px, py = (WIDTH + 16 if corner in (1, 3) else -16), (HEIGHT + 17 if corner in (2, 3) else -16)  # the paper's corner (mm)
    sx, sy = (-1 if corner in (1, 3) else 1), (-1 if corner in (2, 3) else 1)
    tri = [(px, py), (px + sx * (a + 16), py), (px, py + sy * (b + 16))]
    pts = np.round([_to_px(h, x, y) for x, y in tri]).astype(np.int32)
    cv2.fillConvexPoly(image, pts, rng.randrange(200, 236), cv2.LINE_AA)
    cv2.line(image, tuple(pts[1]), tuple(pts[2]), 120, 2, cv2.LINE_AA)


def degrade(image: np.ndarray, h: np.ndarray, rng: random.Random, *, scanner: bool) -> tuple[np.ndarray, bool, dict]:
    """The marked page as a phone photo (or a scanner's page): returns the image, whether part of it is hidden, the settings."""
    img = image.copy()
    covered = False
    info: dict[str, float] = {}
    if rng.random() < 0.15:
        _fold(img, h, rng)
        covered = True
        info["fold"] = 1
    rows, cols = img.shape
    angle = rng.uniform(-2, 2) if scanner else rng.uniform(-15, 15)
    width_px = rng.uniform(1550, 1750) if scanner else rng.uniform(1100, 2300)
    scale = width_px / cols
    jitter = 0.0 if scanner else rng.uniform(0.0, 0.07)
    src = np.float32([[0, 0], [cols, 0], [cols, rows], [0, rows]])
    centre = np.array([cols, rows], dtype=np.float64) * scale / 2
    theta = math.radians(angle)
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    dst = []
    for x, y in src:
        p = (np.array([x, y]) * scale - centre) @ rot.T
        p += np.array([rng.uniform(-jitter, jitter), rng.uniform(-jitter, jitter)]) * width_px
        dst.append(p)
    dst = np.array(dst)
    margin = rng.uniform(20, 140) if not scanner else 10
    dst -= dst.min(axis=0) - margin
    out_w, out_h = (dst.max(axis=0) + margin).astype(int)
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    background = 245 if scanner else rng.randrange(30, 140)
    photo = cv2.warpPerspective(img, m, (int(out_w), int(out_h)), flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=background).astype(np.float32)
    info.update(angle=angle, width=width_px, jitter=jitter)
    hh, ww = photo.shape
    if not scanner:  # uneven light: a smooth gradient, and sometimes a soft shadow (a hand, the phone)
        yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
        gx, gy = rng.uniform(-0.35, 0.35), rng.uniform(-0.35, 0.35)
        light = 1.0 + gx * (xx / ww - 0.5) + gy * (yy / hh - 0.5)
        light *= rng.uniform(0.75, 1.05)
        if rng.random() < 0.4:
            shadow = np.zeros((hh, ww), dtype=np.float32)
            cx, cy = rng.uniform(0, ww), rng.uniform(0, hh)
            poly = np.array([[cx + rng.uniform(-0.5, 0.5) * ww, cy + rng.uniform(-0.5, 0.5) * hh] for _ in range(5)], dtype=np.int32)
            cv2.fillPoly(shadow, [cv2.convexHull(poly)], 1.0)
            shadow = cv2.GaussianBlur(shadow, (0, 0), rng.uniform(8, 40))
            depth = rng.uniform(0.2, 0.45)
            light *= 1 - depth * shadow
            info["shadow"] = depth
        photo *= np.clip(light, 0.3, 1.2)
        info["light"] = float(light.min())
    sigma = rng.uniform(0.0, 0.6) if scanner else rng.uniform(0.0, 1.6)
    if sigma > 0.2:
        photo = cv2.GaussianBlur(photo, (0, 0), sigma)
    if not scanner and rng.random() < 0.15:  # a slight shake
        n = rng.choice([3, 5])
        kernel = np.zeros((n, n), dtype=np.float32)
        kernel[n // 2, :] = 1 / n
        rot_k = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), rng.uniform(0, 180), 1.0)
        photo = cv2.filter2D(photo, -1, cv2.warpAffine(kernel, rot_k, (n, n)))
    noise = rng.uniform(1.0, 4.0) if scanner else rng.uniform(2.0, 9.0)
    seed = rng.randrange(2**32)
    photo += np.random.default_rng(seed).normal(0, noise, photo.shape).astype(np.float32)
    quality = rng.randrange(40, 91)
    ok, data = cv2.imencode(".jpg", np.clip(photo, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality])
    info.update(blur=sigma, noise=noise, jpeg=quality)
    return cv2.imdecode(data, cv2.IMREAD_GRAYSCALE), covered, info


def student_number(rng: random.Random, digits: int) -> str:
    return "0" + "".join(str(rng.randrange(10)) for _ in range(digits - 1))


def simulate_page(clean: np.ndarray, h: np.ndarray, page: Page, page_id: PageId, seed: str, *, student_id: str | None = None,
                  styles: dict[str, int] = STYLES) -> SimPage:
    """One student's page: marked, then photographed (70 %) or scanned (30 %); the same seed gives the same page."""
    rng = random.Random(seed)
    sid = student_id or student_number(rng, page_id.digits)
    marked, truth = fill_sheet(clean, h, page, rng, student_id=sid, styles=styles)
    scanner = rng.random() < 0.3
    image, covered, info = degrade(marked, h, rng, scanner=scanner)
    info["scanner"] = float(scanner)
    return SimPage(image=image, page_id=page_id, truth=truth, student_id=sid, covered=covered, conditions=info)

