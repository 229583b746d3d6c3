"""Atomic writes: a temp file in the target folder, then os.replace."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
from pathlib import Path

from quizgen.errors import OutputError, Problem, rel


def user_cache_dir(*parts: str) -> Path | None:
    """quizgen's per-user cache folder (XDG_CACHE_HOME or ~/.cache), created on demand; None when it cannot be."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base, "quizgen", *parts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK | os.X_OK) else None


def ensure_dir(folder: Path) -> None:
    """Create an output folder, turning OS errors into a clear domain error."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(Problem(rel(folder), None, "output", f"cannot create folder ({exc.strerror}); choose a writable --out folder")) from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(Problem(rel(folder), None, "output", "folder is not writable; fix its permissions or choose another --out folder"))


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_many({target: text.encode("utf-8")})


def write_many(files: dict[Path, bytes]) -> None:
    """Write files atomically (temp file in the target folder, then os.replace), all of them or none."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            ensure_dir(target.parent)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp_name, 0o644)
            staged.append((Path(tmp_name), target))
    except OSError as exc:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise OutputError(Problem(rel(target), None, "output", f"cannot write ({exc.strerror}); choose a writable --out folder")) from exc
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
    for tmp, target in staged:
        os.replace(tmp, target)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is run as a formula by Excel, WPS or LibreOffice (OWASP, CSV injection)."""
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_text(value: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula: a `'` before text that starts like one (numbers stay as
    they are). Text already starting with `'` and then such a character gets one more, so `unguard` is exact."""
    rest = value.lstrip("'")
    if rest.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(rest):
        return "'" + value
    return value


def unguard(cell: str) -> str:
    """The text `spreadsheet_text` was given: its `'` taken off exactly when it added one."""
    if cell.startswith("'"):
        rest = cell.lstrip("'")
        if rest.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(rest):
            return cell[1:]
    return cell


def csv_bytes(header: tuple[str, ...] | list[str], rows: list[dict[str, str]] | list[list[str]]) -> bytes:
    """UTF-8 with BOM (so Excel on Chinese Windows opens it as UTF-8), CRLF line ends, quoted as needed, every text
    cell spreadsheet-safe (`spreadsheet_text`)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([spreadsheet_text(str(c)) for c in header])
    for row in rows:
        cells = [row[c] for c in header] if isinstance(row, dict) else row
        writer.writerow([spreadsheet_text(c) if isinstance(c, str) else c for c in cells])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
