"""Time and peak memory of every input bomb of issue 16, each read in a fresh subprocess: each must be refused.

Prints, per bomb: its size on disk, what quizgen said, wall time and the child's peak resident memory, and the
ratio to the 2 s / 200 MB budget. Run: python bench/bench_bounds.py
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

BUDGET_S, BUDGET_MB = 2.0, 200.0

READ = {
    "yaml": "from quizgen.load.dataio import load_yaml as f",
    "toml": "from quizgen.load.dataio import load_toml as f",
    "sheet": "from quizgen.grade.sheet import read_sheet as f",
    "colpkg": ("import tempfile\nfrom quizgen.learner.collection import _unpack\n"
               "def f(p):\n    with tempfile.TemporaryDirectory() as t:\n        _unpack(p, Path(t), p)"),
}


def alias_bomb(levels: int) -> bytes:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return ("\n".join(lines) + "\nitems:\n  - question: *a" + str(levels - 1) + "\n").encode()


def workbook(sheet_xml: bytes) -> bytes:
    from openpyxl import Workbook

    buf = io.BytesIO()
    Workbook().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    return out.getvalue()


def sheet_xml(dimension: str, rows: bytes) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<dimension ref="' + dimension.encode() + b'"/><sheetData>' + rows + b"</sheetData></worksheet>")


def colpkg(gib: int, *, header: bool = False) -> bytes:
    import zstandard

    buf = io.BytesIO()
    with zstandard.ZstdCompressor(level=19).stream_writer(buf, closefd=False) as w:
        if header:
            w.write(b"SQLite format 3\x00")
        zeros = bytes(64 * 1024 * 1024)
        for _ in range(gib * 16):
            w.write(zeros)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("collection.anki21b", buf.getvalue())
    return out.getvalue()


def class_sheet(mb: int) -> bytes:
    header = "student_id,name,version," + ",".join(str(i) for i in range(1, 41)) + "\n"
    row = ",".join(["A"] * 40)
    lines = [header] + [f"s{i},学生{i},A,{row}\n" for i in range(mb * 1024 * 1024 // 100)]
    return "".join(lines).encode("utf-8")


CELL = b'<c r="A1" t="inlineStr"><is><t>x</t></is></c>'
BOMBS: list[tuple[str, str, str, Callable[[], bytes]]] = [
    ("YAML alias bomb (bank, set, speakers)", "yaml", "bomb.yaml", lambda: alias_bomb(8)),
    ("deeply nested TOML", "toml", "r.toml", lambda: b"v = " + b"[" * 50_000 + b"]" * 50_000 + b"\n"),
    ("xlsx claiming A1:XFD1048576", "sheet", "class.xlsx", lambda: workbook(sheet_xml(
        "A1:XFD1048576", b'<row r="1">' + CELL + b'</row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'))),
    ("stale dimension, 50 MB of rows inside", "sheet", "class.xlsx", lambda: workbook(sheet_xml(
        "A1:A3", b"".join(b'<row r="%d">' % i + CELL + b"</row>" for i in range(1, 1_000_001))))),
    ("60 MB class sheet (CSV)", "sheet", "class.csv", lambda: class_sheet(60)),
    (".colpkg of 4 GiB of zeros", "colpkg", "bomb.colpkg", lambda: colpkg(4)),
    (".colpkg: SQLite header, then 4 GiB of zeros", "colpkg", "bomb.colpkg", lambda: colpkg(4, header=True)),
]


def run(kind: str, path: Path) -> tuple[float, float, str]:
    code = (f"import sys\nfrom pathlib import Path\n{READ[kind]}\n"
            "try:\n    f(Path(sys.argv[1]))\n    said = 'accepted'\nexcept Exception as e:\n    said = str(e).splitlines()[0][:150]\n"
            # the high-water mark of this process's own memory (ru_maxrss would count the parent's pages before exec)
            "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]\n"
            "print(hwm, said)\n")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if out.returncode != 0 or not out.stdout.strip():
        return wall, float("nan"), (out.stderr.strip().splitlines() or ["crashed"])[-1][:150]
    kb, said = out.stdout.strip().split(" ", 1)
    return wall, int(kb) / 1024, said


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'bomb':40} {'on disk':>10} {'time':>7} {'peak':>8}  time/2s  mem/200MB  said")
        worst = 0.0
        for name, kind, filename, make in BOMBS:
            path = Path(tmp, filename)
            data = make()
            path.write_bytes(data)
            wall, mb, said = run(kind, path)
            worst = max(worst, wall / BUDGET_S, mb / BUDGET_MB)
            print(f"{name:40} {len(data) / 1024:>8.0f}KB {wall:>6.2f}s {mb:>6.0f}MB  {wall / BUDGET_S:>7.2f}  {mb / BUDGET_MB:>9.2f}  {said}")
            path.unlink()
            del data
        print(f"worst ratio to the budget (1 or more fails): {worst:.2f}")


if __name__ == "__main__":
    main()
