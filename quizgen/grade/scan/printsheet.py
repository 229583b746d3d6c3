"""The machine-readable answer sheets of one printed version: what templates/quiz/sheets.html.j2 draws, from the layout."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

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
    Rect,
    Slot,
    Text,
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


def qr_path(text: str, *, mask: int | None = None) -> tuple[str, int]:
    """The QR code of `text` as one SVG path in the drawing area's millimetres, quiet zone included in QR_SIZE, and
    its mask. `mask` None lets segno score all eight masks (the standard's choice, 6x the time); the sheets of one
    version and page differ only in the serial, so they reuse the mask chosen for the first."""
    import segno  # noqa: PLC0415 - only when sheets are printed

    qr = segno.make(text, error="q", micro=False, boost_error=False, mask=mask)
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
    return "".join(parts), int(qr.mask)


def sheet_pages(slots: Sequence[Slot], *, quiz: str, key: str, title: str, version: str, versions: int, serial: int,
                digits: int, masks: dict[int, int] | None = None) -> list[SheetPage]:
    """The pages of one sheet (one student's copy, with its serial). `masks`: page -> QR mask, shared by the sheets
    of one version (filled by the first)."""
    pages = layout(slots, digits=digits, title=title, version=version, serial=serial, versions=versions)
    masks = {} if masks is None else masks
    out = []
    for p in pages:
        pid = PageId(quiz=quiz, key=key, version=version, page=p.page, pages=p.pages, serial=serial, digits=digits)
        path, masks[p.page] = qr_path(pid.text(), mask=masks.get(p.page))
        out.append(SheetPage(layout=p, page_id=pid, qr_path=path, examples=example_bubbles(digits) if p.page == 1 else ()))
    return out


def _n(x: float) -> str:
    return f"{x:.2f}"


@functools.lru_cache(maxsize=256)
def _rects_svg(rects: tuple[Rect, ...]) -> str:
    return "".join(f'<rect class="{r.kind}" x="{_n(r.x)}" y="{_n(r.y)}" width="{_n(r.w)}" height="{_n(r.h)}"/>\n' for r in rects)


@functools.lru_cache(maxsize=256)
def _shapes_svg(fields: tuple[Field, ...], examples: tuple[tuple[float, float, str], ...]) -> str:
    """The bubbles and examples of a page: the same on every sheet of a version, so drawn once."""
    rx, ry = BUBBLE_RX, BUBBLE_RY
    out = []
    for field in fields:
        out.append(f'<g class="field" data-kind="{field.kind}" data-number="{field.number}">\n')
        out += [f'<ellipse class="bubble" cx="{_n(b.x)}" cy="{_n(b.y)}" rx="{rx}" ry="{ry}"/><text class="bubble-label" '
                f'x="{_n(b.x)}" y="{_n(b.y + 0.8)}" text-anchor="middle">{escape(b.value)}</text>\n' for b in field.bubbles]
        out.append("</g>\n")
    for x, y, how in examples:
        out.append(f'<ellipse class="bubble" cx="{_n(x)}" cy="{_n(y)}" rx="{rx}" ry="{ry}"/>\n')
        if how == "right":
            out.append(f'<ellipse class="ink" cx="{_n(x)}" cy="{_n(y)}" rx="{rx}" ry="{ry}"/>\n')
        elif how == "tick":
            out.append(f'<path class="stroke" d="M{_n(x - 1.6)} {_n(y)}l1.2 1.2l2.4 -2.6"/>\n')
        elif how == "cross":
            out.append(f'<path class="stroke" d="M{_n(x - 1.5)} {_n(y - 1.1)}l3 2.2M{_n(x - 1.5)} {_n(y + 1.1)}l3 -2.2"/>\n')
        else:
            out.append(f'<path class="ink" d="M{_n(x - rx)} {_n(y)}a{rx} {ry} 0 0 1 {2 * rx} 0z"/>\n')
    return "".join(out)


BOLD = ' font-weight="700"'


def _texts_svg(texts: tuple[Text, ...]) -> str:
    return "".join(f'<text x="{_n(t.x)}" y="{_n(t.y)}" font-size="{_n(t.size)}" text-anchor="{t.anchor}"'
                   f"{BOLD if t.bold else ''}>{escape(t.content)}</text>\n" for t in texts)


def page_svg(p: SheetPage) -> Markup:
    """The SVG inside one page but its markers and QR code: frames, texts, bubbles, examples (escaped here;
    built in Python rather than Jinja, since a class's sheets repeat the same thousands of shapes)."""
    return Markup(_rects_svg(p.layout.rects) + _texts_svg(p.layout.texts) + _shapes_svg(p.layout.fields, p.examples))  # noqa: S704 - every value above is escaped or a number


def context(sheets: list[list[SheetPage]]) -> dict[str, Any]:
    """What the template needs besides the pages: the drawing area and the shapes every page shares."""
    size = MARKER / 6
    markers = "".join(f"M{x:.3f} {y:.3f}h{size:.3f}v{size:.3f}h{-size:.3f}z" for m in MARKER_IDS for x, y in marker_cells(m))
    return {"sheets": sheets, "width": WIDTH, "height": HEIGHT, "marker_path": markers, "rx": BUBBLE_RX, "ry": BUBBLE_RY,
            "page_svg": page_svg}
