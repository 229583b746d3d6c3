"""Photos and scans in: JPEG, PNG, HEIC (pillow-heif), TIFF (every page) and PDF (pypdfium2, every page), as gray
pixels, one page at a time, within limits checked before anything is decoded."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quizgen.errors import ContentError, Problem, rel

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".heif", ".tif", ".tiff", ".webp", ".bmp")
PDF_SUFFIXES = (".pdf",)
MAX_FILE_BYTES = 200 * 2**20
"""A phone photo is 2-8 MB, a scanned class of 40 sheets at 300 dpi some 50 MB."""
MAX_PIXELS = 80_000_000
"""Per page: a 48 MP phone photo fits; a decompression bomb does not."""
MAX_PDF_PAGES = 500
MAX_PAGES = 5000
"""All files together: a school year's worth of one class's sheets."""
PDF_DPI = 200
"""Scanner PDFs are drawn at this resolution: bubbles and QR code need no more."""


@dataclass(frozen=True)
class Source:
    """One page to read: a file, and its page number in a PDF or multi-page TIFF (None for a single image)."""

    path: Path
    page: int | None

    @property
    def name(self) -> str:
        return rel(self.path) + (f" 第 {self.page} 页" if self.page is not None else "")


def expand(inputs: Sequence[Path]) -> list[Path]:
    """Files as given; a folder stands for its images and PDFs, sorted by name."""
    out: list[Path] = []
    for path in inputs:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES + PDF_SUFFIXES)
        else:
            out.append(path)
    return out


def sources(inputs: Sequence[Path]) -> list[Source]:
    """Every page of every input, after checking each file exists, is of a kind we read and is within the limits."""
    problems: list[Problem] = []
    out: list[Source] = []
    files = expand(inputs)
    if not files:
        raise ContentError(Problem(", ".join(rel(p) for p in inputs) or "quizgen scan", None, "images",
                                   "no photos or scans found; pass image files (JPEG, PNG, HEIC, TIFF) or PDFs, or a folder of them"))
    for path in files:
        where = rel(path)
        suffix = path.suffix.lower()
        if not path.is_file():
            problems.append(Problem(where, None, "images", "file not found"))
            continue
        if suffix not in IMAGE_SUFFIXES + PDF_SUFFIXES:
            problems.append(Problem(where, None, "images", f"not a photo or scan quizgen reads; use {', '.join(s[1:] for s in IMAGE_SUFFIXES)} or pdf"))
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(where, None, "images", f"{size / 2**20:.0f} MB is more than the {MAX_FILE_BYTES // 2**20} MB a file may have; "
                                                          "scan at 200-300 dpi, or split the PDF"))
            continue
        try:
            count = _pdf_pages(path) if suffix in PDF_SUFFIXES else _image_frames(path)
        except ContentError as exc:
            problems += exc.problems
            continue
        multi = suffix in PDF_SUFFIXES or count > 1
        out += [Source(path, i + 1 if multi else None) for i in range(count)]
    if problems:
        raise ContentError(problems)
    if len(out) > MAX_PAGES:
        raise ContentError(Problem("quizgen scan", None, "images", f"{len(out)} pages are more than {MAX_PAGES}; scan one class at a time"))
    return out


def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium  # noqa: PLC0415

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ContentError(Problem(rel(path), None, "images", f"cannot open this PDF ({exc}); "
                                                              "is it damaged or password-protected? Save or scan it again")) from exc
    try:
        count = len(doc)
    finally:
        doc.close()
    if count > MAX_PDF_PAGES:
        raise ContentError(Problem(rel(path), None, "images", f"{count} pages are more than {MAX_PDF_PAGES} in one PDF; split it"))
    if count == 0:
        raise ContentError(Problem(rel(path), None, "images", "the PDF has no pages"))
    return count


def _open_image(path: Path):
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415

    if path.suffix.lower() in (".heic", ".heif"):
        import pillow_heif  # noqa: PLC0415

        pillow_heif.register_heif_opener()
    try:
        image = Image.open(path)
    except Image.DecompressionBombError:  # Pillow's own guard (twice its MAX_IMAGE_PIXELS), from the header alone
        raise ContentError(Problem(rel(path), None, "images", f"the image claims far more than {MAX_PIXELS // 10**6} million pixels; "
                                                              "send a smaller photo")) from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ContentError(Problem(rel(path), None, "images", f"cannot read this image ({type(exc).__name__}); "
                                                              "is it damaged? Export it again as JPEG or PNG")) from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise ContentError(Problem(rel(path), None, "images", f"{width} x {height} pixels are more than {MAX_PIXELS // 10**6} million; "
                                                              "send a smaller photo"))
    return image


def _image_frames(path: Path) -> int:
    image = _open_image(path)
    try:
        return min(getattr(image, "n_frames", 1), MAX_PDF_PAGES)
    finally:
        image.close()


def load(source: Source) -> np.ndarray:
    """The page as 8-bit gray pixels, upright as the phone saw it (EXIF orientation applied)."""
    if source.path.suffix.lower() in PDF_SUFFIXES:
        return _pdf_page(source)
    from PIL import ImageOps  # noqa: PLC0415

    image = _open_image(source.path)
    try:
        if source.page is not None:
            image.seek(source.page - 1)
            if image.size[0] * image.size[1] > MAX_PIXELS:
                raise ContentError(Problem(source.name, None, "images", f"more than {MAX_PIXELS // 10**6} million pixels"))
        try:
            frame = image.convert("L") if source.page is not None else ImageOps.exif_transpose(image).convert("L")
            return np.asarray(frame, dtype=np.uint8).copy()
        except (OSError, ValueError) as exc:
            raise ContentError(Problem(source.name, None, "images", f"cannot decode this image ({exc}); export it again as JPEG or PNG")) from exc
    finally:
        image.close()


def _pdf_page(source: Source) -> np.ndarray:
    import pypdfium2 as pdfium  # noqa: PLC0415

    doc = pdfium.PdfDocument(str(source.path))
    try:
        page = doc[(source.page or 1) - 1]
        width, height = page.get_size()
        scale = PDF_DPI / 72
        if width * height * scale * scale > MAX_PIXELS:
            scale = float(np.sqrt(MAX_PIXELS / (width * height)))
        bitmap = page.render(scale=scale, grayscale=True)
        return np.asarray(bitmap.to_pil().convert("L"), dtype=np.uint8).copy()
    except pdfium.PdfiumError as exc:
        raise ContentError(Problem(source.name, None, "images", f"cannot draw this PDF page ({exc}); scan it again")) from exc
    finally:
        doc.close()


def pages(items: Sequence[Source]) -> Iterator[tuple[Source, np.ndarray]]:
    for source in items:
        yield source, load(source)
