"""The machine-readable answer sheets of one printed version: what templates/quiz/sheets.html.j2 draws, from the layout."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
    Page,
    PageId,
    Slot,
    example_bubbles,
    layout,
    marker_cells,
)

QR_QUIET = 4
"""Modules of white around the QR code (the standard's minimum)."""


@dataclass(frozen=True)
class SheetPage:
    """One printed page: its layout, its QR code (an SVG path in mm) and who it belongs to."""

    layout: Page
    page_id: PageId
    qr_path: str
    examples: tuple[tuple[float, float, str], ...]


def qr_path(text: str) -> str:
    """The QR code of `text` as one SVG path in the drawing area's millimetres, quiet zone included in QR_SIZE."""
    import segno  # noqa: PLC0415 - only when sheets are printed

    qr = segno.make(text, error="q", micro=False, boost_error=False)
    matrix = qr.matrix
    n = len(matrix)
    cell = QR_SIZE / (n + 2 * QR_QUIET)
    x0, y0 = QR_X + QR_QUIET * cell, QR_Y + QR_QUIET * cell
    parts = []
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                parts.append(f"M{x0 + start * cell:.3f} {y0 + r * cell:.3f}h{(c - start) * cell:.3f}v{cell:.3f}h{-(c - start) * cell:.3f}z")
            else:
                c += 1
    return "".join(parts)


def sheet_pages(slots: Sequence[Slot], *, quiz: str, key: str, title: str, version: str, versions: int, serial: int,
                digits: int) -> list[SheetPage]:
    """The pages of one sheet (one student's copy, with its serial)."""
    pages = layout(slots, digits=digits, title=title, version=version, serial=serial, versions=versions)
    out = []
    for p in pages:
        pid = PageId(quiz=quiz, key=key, version=version, page=p.page, pages=p.pages, serial=serial, digits=digits)
        out.append(SheetPage(layout=p, page_id=pid, qr_path=qr_path(pid.text()), examples=example_bubbles(digits) if p.page == 1 else ()))
    return out


def context(sheets: list[list[SheetPage]]) -> dict[str, Any]:
    """What the template needs besides the pages: the drawing area and the shapes every page shares."""
    size = MARKER / 6
    markers = "".join(f"M{x:.3f} {y:.3f}h{size:.3f}v{size:.3f}h{-size:.3f}z" for m in MARKER_IDS for x, y in marker_cells(m))
    return {"sheets": sheets, "width": WIDTH, "height": HEIGHT, "marker_path": markers, "rx": BUBBLE_RX, "ry": BUBBLE_RY}
