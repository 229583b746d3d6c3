"""One photographed or scanned page -> which sheet it is (QR code) and what each field's bubbles say, with doubts.

The page is found by its four ArUco corner markers (three are enough: a folded corner may hide one), mapped onto the
layout's millimetres by a homography, identified by its QR code, and each bubble's fill is measured against the page's
own blank bubbles and its own printed black, after evening out the light. Nothing is guessed: a page without markers
or a readable QR code is refused, and a field whose bubbles do not say one clear thing is flagged with its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import cv2
import numpy as np

from quizgen.grade.scan.layout import (
    BUBBLE_RX,
    BUBBLE_RY,
    HEIGHT,
    MARKER,
    MARKER_IDS,
    QR_SIZE,
    QR_X,
    QR_Y,
    WIDTH,
    Field,
    Page,
    PageId,
    marker_cells,
    marker_corners,
)

PX = 6.0
"""Pixels per millimetre of the rectified page the bubbles are read on."""
QR_PX = 10.0
DETECT_SIDE = 1800
"""Markers are looked for on a copy at most this many pixels long (a 12 MP photo is shrunk): fast, and enough."""
FILLED, EMPTY = 0.42, 0.20
"""Fill (0 = the page's blank bubbles, 1 = its printed black): at least FILLED is a mark, at most EMPTY is no mark;
in between is doubtful (light pencil, an erasure, a small stray mark)."""
FAINT_MARK = 0.28
"""A lone doubtful bubble at least this full, with the rest of its row clearly empty, is read as that mark (flagged)."""
HIDDEN = 0.35
"""A bubble whose printed outline shows less than this share of the page's usual contrast, and that is not filled,
cannot be read: covered by a fold, a finger, glare or the edge of the photo."""

LOCAL_SHADE = 0.12
"""The most darkness a bubble's surroundings may take off its own (see `measure`)."""

REASONS = {
    "several": "涂了不止一个",
    "faint": "涂得太浅",
    "erased": "有擦痕或浅痕",
    "hidden": "看不清（被遮挡、折角或反光）",
    "blank-row": "排序题有一行没涂",
    "over": "分数超过该题满分",
    "missing-page": "缺少这一页",
    "no-mark": "老师尚未评分",
}
"""Why a field is shown to the teacher, in the words of the review page."""


@dataclass(frozen=True)
class FieldRead:
    field: Field
    value: str
    """What goes in the class sheet: letters, a digit, points; empty for nothing marked."""
    reasons: tuple[str, ...]
    """Why it is doubtful (keys of REASONS); empty when it says one clear thing."""
    fills: tuple[tuple[float, ...], ...]
    """Each bubble's fill, per row (for the review page and the bench)."""

    @property
    def doubtful(self) -> bool:
        return bool(self.reasons)


@dataclass
class PageRead:
    """What one page says. `refused` is set (and nothing else is) when the page cannot be read at all."""

    source: str
    """file, or file and page number (`scans.pdf p3`)."""
    page_id: PageId | None = None
    fields: list[FieldRead] = field(default_factory=list)
    refused: str = ""
    crops: dict[tuple[str, int], bytes] = field(default_factory=dict)
    """PNG crops of the doubtful fields (kind, number), and of the name box under ("name", 0)."""


class Refused(Exception):
    """This page cannot be read (the reason, in the review page's words)."""


@cache
def _detector() -> cv2.aruco.ArucoDetector:
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    params.adaptiveThreshWinSizeMax = 53  # big windows too: blurred or dim photos
    params.adaptiveThreshWinSizeStep = 8
    return cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), params)


def find_page(gray: np.ndarray) -> np.ndarray:
    """The homography from the layout's millimetres to the image's pixels, from the corner markers found."""
    scale = min(1.0, DETECT_SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    corners, ids, _ = _detector().detectMarkers(small)
    best: dict[int, np.ndarray] = {}
    for quad, marker_id in zip(corners, np.asarray(ids if ids is not None else [], dtype=int).reshape(-1), strict=False):
        quad = quad.reshape(4, 2) / scale
        if marker_id in MARKER_IDS and (marker_id not in best or cv2.contourArea(quad) > cv2.contourArea(best[marker_id])):
            best[int(marker_id)] = quad
    if len(best) < 3:
        raise Refused(f"找不到页角的定位标记（找到 {len(best)} 个，至少要 3 个）：请拍下整张答题卡，四角都在画面里")
    src = np.array([p for m in sorted(best) for p in marker_corners(m)], dtype=np.float64)
    dst = np.array([p for m in sorted(best) for p in best[m]], dtype=np.float64)
    homography, _ = cv2.findHomography(src, dst, 0)
    if homography is None or not _plausible(homography, src, dst):
        raise Refused("定位标记的位置对不上一张答题卡：请重新拍摄，让纸张平整")
    return homography


def _plausible(h: np.ndarray, src: np.ndarray, dst: np.ndarray) -> bool:
    """The markers agree with one flat page: every corner within 2 % of the marker's size of where the page puts it."""
    got = cv2.perspectiveTransform(src.reshape(-1, 1, 2), h).reshape(-1, 2)
    side = np.median([np.linalg.norm(dst[i] - dst[i + 1]) for i in range(0, len(dst), 4)])
    return bool(np.max(np.linalg.norm(got - dst, axis=1)) < max(2.0, 0.2 * side))


def rectify(gray: np.ndarray, homography: np.ndarray, *, px: float = PX,
            region: tuple[float, float, float, float] = (0.0, 0.0, WIDTH, HEIGHT)) -> np.ndarray:
    """The page (or a region of it, x, y, w, h in mm) drawn straight, at `px` pixels per millimetre."""
    x, y, w, h = region
    to_mm = np.array([[1 / px, 0, x], [0, 1 / px, y], [0, 0, 1]])
    return cv2.warpPerspective(gray, homography @ to_mm, (round(w * px), round(h * px)),
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def read_qr(gray: np.ndarray, homography: np.ndarray) -> PageId:
    """The page's id from its QR code, read where the layout puts it (and only there: never a neighbour sheet's code)."""
    import zxingcpp  # noqa: PLC0415

    pad = 4.0
    crop = rectify(gray, homography, px=QR_PX, region=(QR_X - pad, QR_Y - pad, QR_SIZE + 2 * pad, QR_SIZE + 2 * pad))
    texts = set()
    for image in (crop, cv2.GaussianBlur(crop, (0, 0), 1.2), _sharpen(crop)):
        for found in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)):
            if found.valid:
                texts.add(found.text)
        if texts:
            break
    ids = {pid for t in texts if (pid := PageId.parse(t)) is not None}
    if not ids:
        if texts:
            raise Refused("二维码不是 quizgen 答题卡的：这页不是本测验的机读答题卡")
        raise Refused("读不出页面上的二维码：请在光线均匀处重新拍摄或扫描，二维码要清晰")
    if len(ids) > 1:
        raise Refused("这页上有两个不同的二维码：一次只拍一张答题卡")
    return ids.pop()


def _sharpen(image: np.ndarray) -> np.ndarray:
    blurred = cv2.GaussianBlur(image, (0, 0), 2.0)
    return cv2.addWeighted(image, 1.8, blurred, -0.8, 0)


# --- bubbles --------------------------------------------------------------------------------------


@cache
def _offsets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pixel offsets (dy, dx) around a bubble's centre at PX: its inside, its printed outline, the paper around it."""
    ry, rx = BUBBLE_RY * PX, BUBBLE_RX * PX
    span = int(np.ceil(2.0 * rx))
    dy, dx = np.mgrid[-span:span + 1, -span:span + 1]
    r = np.sqrt((dx / rx) ** 2 + (dy / ry) ** 2)
    masks = {"inside": r <= 0.72, "ring": (r >= 0.85) & (r <= 1.15), "around": (r >= 1.45) & (r <= 1.75) & (np.abs(dy) <= ry * 1.9)}
    return {k: (dy[m].astype(np.intp), dx[m].astype(np.intp)) for k, m in masks.items()}


def darkness(page: np.ndarray) -> np.ndarray:
    """0 (paper) .. 1 (black) after dividing by the paper's own brightness, so shadows and uneven light cancel out."""
    small = cv2.resize(page, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15)))  # ~10 mm: wider than any mark
    paper = cv2.GaussianBlur(paper, (0, 0), 3.0)
    paper = cv2.resize(paper, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.clip(1.0 - page.astype(np.float32) / np.maximum(paper.astype(np.float32), 24.0), 0.0, 1.0)


def _sample(dark: np.ndarray, centres: np.ndarray, part: str) -> np.ndarray:
    dy, dx = _offsets()[part]
    ys = np.clip(centres[:, 1:2] + dy[None, :], 0, dark.shape[0] - 1)
    xs = np.clip(centres[:, 0:1] + dx[None, :], 0, dark.shape[1] - 1)
    return dark[ys, xs].mean(axis=1)


def _ink(dark: np.ndarray) -> float:
    """The page's own printed black: the middle of the corner markers' black cells."""
    half = MARKER / 12
    values = []
    for m in MARKER_IDS:
        for x, y in marker_cells(m):
            cx, cy = round((x + half) * PX), round((y + half) * PX)
            values.append(float(dark[cy - 2:cy + 3, cx - 2:cx + 3].mean()))
    return float(np.percentile(values, 75))  # a hidden or folded marker reads light: the darker ones tell


@dataclass(frozen=True)
class Levels:
    """Per bubble: fill (0 blank .. 1 black) and whether its printed outline can be seen."""

    fill: np.ndarray
    visible: np.ndarray


def measure(dark: np.ndarray, fields: Sequence[Field]) -> Levels:
    bubbles = [b for f in fields for b in f.bubbles]
    centres = np.array([[round(b.x * PX), round(b.y * PX)] for b in bubbles], dtype=np.intp)
    inside, ring, around = (_sample(dark, centres, part) for part in ("inside", "ring", "around"))
    # the paper just around a bubble reads darker than usual where the edge of a shadow or a fold crosses it: take
    # that local shade off (a little at most, so a neighbour's sloppy fill cannot erase a light mark)
    inside = inside - np.clip(around - float(np.median(around)), 0.0, LOCAL_SHADE)
    blank = float(np.percentile(inside, 30))  # most bubbles on a page are left empty
    ink = max(_ink(dark), blank + 0.25)
    fill = np.clip((inside - blank) / (ink - blank), 0.0, 1.0)
    contrast = ring - around
    usual = float(np.median(contrast[fill < EMPTY])) if np.any(fill < EMPTY) else float(np.median(contrast))
    visible = (contrast >= HIDDEN * max(usual, 0.02)) | (fill >= FILLED)
    return Levels(fill=fill, visible=visible)


def judge(f: Field, fills: Sequence[Sequence[float]], visible: Sequence[Sequence[bool]]) -> FieldRead:
    """One field's value and doubts: each row should have one clear mark (or, for a question left blank, none)."""
    values, reasons = [], []
    for row, row_fill, row_seen in zip(f.rows, fills, visible, strict=False):
        marked = [i for i, v in enumerate(row_fill) if v >= FILLED]
        unsure = [i for i, v in enumerate(row_fill) if EMPTY < v < FILLED]
        if not all(row_seen):
            reasons.append("hidden")
        if len(marked) > 1:
            reasons.append("several")
            values.append("".join(row[i].value for i in marked))
        elif len(marked) == 1:
            if unsure:
                reasons.append("erased")
            values.append(row[marked[0]].value)
        elif unsure:
            best = max(unsure, key=lambda i: row_fill[i])
            others = [v for i, v in enumerate(row_fill) if i != best]
            if row_fill[best] >= FAINT_MARK and all(v <= EMPTY for v in others):
                values.append(row[best].value)
                reasons.append("faint")
            else:
                values.append("")
                reasons.append("faint" if len(unsure) == 1 else "several")
        else:
            values.append("")
    if f.kind == "order":
        if any(values) and not all(values):
            reasons.append("blank-row")
        value = "".join(values)
    elif f.kind == "mark" and f.tens:
        value = str(int(values[0] or 0) + int(values[1])) if values[1] and len(values[1]) == 1 and len(values[0]) <= 2 else \
            (values[0] if not values[1] else "")
    else:
        value = values[0]
    return FieldRead(field=f, value=value, reasons=tuple(dict.fromkeys(reasons)),
                     fills=tuple(tuple(round(float(v), 3) for v in r) for r in fills))


def read_fields(page: np.ndarray, layout: Page) -> tuple[list[FieldRead], np.ndarray]:
    """Every field of the page, judged; and the darkness image (for crops)."""
    dark = darkness(page)
    levels = measure(dark, layout.fields)
    out, i = [], 0
    for f in layout.fields:
        fills, seen = [], []
        for row in f.rows:
            fills.append(levels.fill[i:i + len(row)].tolist())
            seen.append(levels.visible[i:i + len(row)].tolist())
            i += len(row)
        out.append(judge(f, fills, seen))
    return out, dark


def crop_png(page: np.ndarray, box: tuple[float, float, float, float], margin: float = 1.5) -> bytes:
    """A PNG of part of the rectified page (box in mm), for the teacher to look at."""
    x, y, w, h = box
    x0, y0 = max(0, round((x - margin) * PX)), max(0, round((y - margin) * PX))
    x1, y1 = min(page.shape[1], round((x + w + margin) * PX)), min(page.shape[0], round((y + h + margin) * PX))
    ok, data = cv2.imencode(".png", page[y0:y1, x0:x1], [cv2.IMWRITE_PNG_COMPRESSION, 9])
    return data.tobytes() if ok else b""
