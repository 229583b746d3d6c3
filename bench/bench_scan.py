"""Scanning benchmark: how well `quizgen scan` reads the short quiz's answer sheets. Run by `make bench`.

The sheets are the real ones (rendered, printed to PDF by headless Chromium, rasterised); a simulated class fills them
(dark and light pencil, pen, partly filled, crossed out and re-marked, erased and re-marked, ticks, stray lines, two
letters, blanks) and phones or a scanner capture them (rotation up to 15 degrees, perspective, blur, shake, uneven light
and shadow, noise, JPEG quality 40-90, folded corners): tests/grade/scansim.py, seeded, so every run sees the same pages.
Each page is read from its JPEG bytes as `quizgen scan` reads a photo. It reports, it never fails.

    python bench/bench_scan.py [PAGES]     (default 1000)
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "grade"), str(ROOT / "tests")]

import cv2  # noqa: E402 - after the path above
import numpy as np  # noqa: E402

from quizgen.grade.key import Key, read_key  # noqa: E402
from quizgen.grade.scan.reader import EMPTY, FILLED, find_page, read_qr  # noqa: E402
from quizgen.grade.scan.run import page_layout, read_page  # noqa: E402

SHEETS = 4
"""Printed sheets per version the simulated pages are drawn on (each has its own serial)."""

_state: dict[str, object] = {}


def _print(folder: Path) -> Path:
    from gradeutil import short_quiz_set
    from writers import write_quiz

    qset = short_quiz_set()
    paths = write_quiz(qset, templates_dir=ROOT / "templates", out_dir=folder, versions=qset.versions, seed=qset.seed, pdf=True,
                       answer_sheets=SHEETS, id_digits=8)
    return next(p for p in paths if p.name.endswith("-key.csv"))


def _init(key_path: str) -> None:
    from scansim import rasterise

    key = read_key(Path(key_path))
    clean = []
    for version in key.versions:
        for image in rasterise(Path(key_path).with_name(f"{key.quiz}-{version}-sheets.pdf")):
            h = find_page(image)
            pid = read_qr(image, h)
            clean.append((image, h, page_layout(key, pid), pid))
    _state.update(key=key, clean=clean)


def _one(n: int) -> dict[str, float]:
    from scansim import simulate_page

    key: Key = _state["key"]  # type: ignore[assignment]
    clean = _state["clean"]
    image, h, page, pid = clean[n % len(clean)]  # type: ignore[index]
    sim = simulate_page(image, h, page, pid, f"bench-{n}")
    ok, data = cv2.imencode(".jpg", sim.image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    start = time.perf_counter()
    gray = cv2.imdecode(np.frombuffer(data.tobytes(), np.uint8), cv2.IMREAD_GRAYSCALE)
    read = read_page(gray, f"page {n}", key)
    seconds = time.perf_counter() - start
    out = Counter(pages=1, seconds=seconds, covered=sim.covered)
    if read.refused:
        out["refused"] += 1
        return dict(out)
    out["identified"] += 1
    out["misassigned"] += read.page_id != sim.page_id
    for f in read.fields:
        truth = sim.truth[(f.field.kind, f.field.number)]
        out["fields"] += 1
        doubtful_style = truth.style not in ("pencil", "pen", "blank")
        out["doubtful_marks"] += doubtful_style
        if f.doubtful:
            out["flagged"] += 1
            out["flagged_doubtful"] += doubtful_style
            out["flagged_right_value"] += f.value == truth.value
        elif f.value == truth.value:
            out["right"] += 1
        else:
            out["silent_wrong"] += 1
        out["clear_marks"] += not doubtful_style
        out["clear_flagged"] += (not doubtful_style) and f.doubtful
        for fills, marked in zip(f.fills, truth.marked, strict=True):
            for fill, is_marked in zip(fills, marked, strict=True):
                out["bubbles"] += 1
                call = "mark" if fill >= FILLED else "empty" if fill <= EMPTY else "doubt"
                out["bubbles_right"] += (call == "mark") == is_marked if call != "doubt" else f.doubtful
    return dict(out)


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory(prefix="quizgen-bench-scan-") as tmp:
        key_path = _print(Path(tmp))
        workers = max(1, min(2, os.cpu_count() or 1))
        start = time.perf_counter()
        total: Counter[str] = Counter()
        with multiprocessing.get_context("spawn").Pool(workers, initializer=_init, initargs=(str(key_path),)) as pool:
            for result in pool.imap_unordered(_one, range(pages), chunksize=8):
                total.update(result)
        wall = time.perf_counter() - start
    n, fields = total["pages"], max(1, total["fields"])
    print(f"scan: {n} synthetic pages of the short quiz ({SHEETS} printed sheets per version; {total['covered']} with a folded corner)")
    print(f"  bubbles read right      {total['bubbles_right'] / max(1, total['bubbles']):.5f}  ({total['bubbles_right']} of {total['bubbles']}; a doubtful call counts only when flagged)")
    print(f"  fields read right       {(total['right'] + total['flagged_right_value']) / fields:.5f}  (unflagged {total['right'] / fields:.4f}, flagged with the right value {total['flagged_right_value'] / fields:.4f})")
    print(f"  silently wrong fields   {total['silent_wrong']}  (of {fields}; target 0)")
    print(f"  doubtful marks flagged  {total['flagged_doubtful'] / max(1, total['doubtful_marks']):.4f}  ({total['flagged_doubtful']} of {total['doubtful_marks']} light, partial, crossed, erased, ticked, stray or double marks; the rest read right)")
    print(f"  clear marks flagged     {total['clear_flagged'] / max(1, total['clear_marks']):.4f}  ({total['clear_flagged']} of {total['clear_marks']}: work for the teacher for nothing)")
    print(f"  pages refused           {total['refused']}  identified {total['identified']}  misassigned {total['misassigned']}")
    print(f"  seconds per page        {total['seconds'] / max(1, n):.3f}  (decode + read, one process; {wall / max(1, n):.3f} wall with simulation, {workers} workers)")


if __name__ == "__main__":
    main()
