"""Atomic writes: a temp file in the target folder, then os.replace."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from quizgen.errors import OutputError, Problem, brief, rel

OUTPUT_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
OUTPUT_NAME_LENGTH = 100
"""An output name (a recipe's or set's `output`): one folder and file stem, never a path (models.OutputName adds the
'..' and Windows device-name rules)."""


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


_PROJECT_FILES = {"readme.md", "readme", "pyproject.toml", "makefile", "uv.lock", "mkdocs.yml", "tags.yaml"}


def _is_project_input(path: Path) -> bool:
    """A file the project is made of: content/, templates/, a recipe, the README…, or anything git tracks."""
    resolved = path.resolve()
    try:
        parts = resolved.relative_to(Path.cwd().resolve()).parts
    except ValueError:
        parts = ()
    if parts and (parts[0] in ("content", "templates", "docs", "quizgen", "tests") or (parts[0] == "decks" and resolved.suffix == ".toml")):
        return True
    if resolved.name.lower() in _PROJECT_FILES or resolved.name in ("source.yaml", "article.md", "speakers.yaml"):
        return True
    import subprocess  # noqa: PLC0415 - only this check needs it

    try:
        tracked = subprocess.run(["git", "ls-files", "--error-unmatch", resolved.name], cwd=resolved.parent,  # noqa: S607 - git from PATH is the user's git
                                 capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return tracked.returncode == 0


def overwrites_input(target: Path, inputs: tuple[Path, ...]) -> bool:
    """Writing `target` would replace one of `inputs`: the same file, by whatever path (links included)."""
    return target.exists() and any(source.exists() and target.samefile(source) for source in inputs)


def guard_target(target: Path, option: str, *, suffixes: tuple[str, ...], inputs: tuple[Path, ...] = (), made_here: str | None = None,
                 force: bool = False) -> None:
    """Refuse a file name a user gave for output when writing it would lose something: a folder, the command's own input,
    a file of the project (never, not even with --force), or a file quizgen did not write (`made_here`: a marker its own
    files of this kind contain near the start) unless `force`."""
    shown = str(target)
    if not shown or shown in (".", "..") or shown.endswith(("/", os.sep)) or target.is_dir():
        raise OutputError(Problem(rel(target) if shown else "''", None, option, "is a folder or empty; name the file to write, e.g. build/sets/moat.yaml"))
    if target.exists() and _is_project_input(target):
        raise OutputError(Problem(rel(target), None, option, "is a file of the project (bank, source, recipe, template, README or tracked by git); "
                                  "quizgen never overwrites it: choose another file name"))
    if target.suffix.lower() not in suffixes:
        kind = " (a folder is not enough)" if not target.suffix else ""
        raise OutputError(Problem(rel(target), None, option, f"name a {' or '.join(suffixes)} file to write{kind}"))
    if overwrites_input(target, inputs):
        raise OutputError(Problem(rel(target), None, option, "is this command's own input; write the result to another file"))
    if not target.exists():
        return
    if force:
        return
    if made_here is not None:
        with contextlib.suppress(OSError), open(target, "rb") as fh:
            if made_here.encode("utf-8") in fh.read(4096):
                return
    raise OutputError(Problem(rel(target), None, option, "exists and was not written by quizgen; pass --force to replace it, or choose another file name"))


def write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_many({target: text.encode("utf-8")})


JOURNAL = ".quizgen-journal.json"
"""In an output folder while a journalled write renames its files: what goes where, so a killed run can be completed."""
_JOURNALLED_TEMP = re.compile(r"^\..+\.build\.[a-z0-9_]{8}\.tmp$")
"""The temp files a journalled `write_many` stages (`.<name>.build.<8 random characters>.tmp`): only writers holding
the project lock make them, so the lock's holder may delete any it finds."""
written: list[Path] = []
"""Every file this process has written (so an interrupted command can say what it left)."""


def write_many(files: dict[Path, bytes], *, journal: Path | None = None) -> None:
    """Write files atomically (temp file in the target folder, then os.replace), all of them or none.

    Every temp file is complete on disk before the first rename. SIGINT and SIGTERM wait until the renames are done.
    With `journal`, the pairs are written there (atomically) before the first rename and removed after the last, so
    that a kill no signal can stop (SIGKILL, power loss) leaves a record `recover` completes: a later run then sees
    all the new files, never a mix.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            ensure_dir(target.parent)
            prefix = f".{target.name}.build." if journal is not None else f".{target.name}."
            fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
            staged.append((Path(tmp_name), target))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if journal is not None:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.chmod(tmp_name, 0o644)
    except OSError as exc:
        _discard(staged)
        raise OutputError(Problem(rel(target), None, "output", f"cannot write ({exc.strerror}); choose a writable --out folder")) from exc
    except BaseException:
        _discard(staged)
        raise
    with _signals_held():
        if journal is not None:
            body = json.dumps([[str(t.resolve()), str(g.resolve())] for t, g in staged], ensure_ascii=False).encode("utf-8")
            _atomic(journal, body)
        for tmp, target in staged:
            os.replace(tmp, target)
            written.append(target)
        if journal is not None:
            for folder in {target.parent for _, target in staged}:
                _fsync_dir(folder)
            journal.unlink()


def _discard(staged: list[tuple[Path, Path]]) -> None:
    for tmp, _ in staged:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _atomic(target: Path, data: bytes) -> None:
    """One small file, durably: a temp file synced, renamed, and its folder synced."""
    ensure_dir(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.build.", suffix=".tmp", dir=target.parent)  # a kill's leftover is swept
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp_name, target)
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM arrive only after the block (the renames are never cut in half by Ctrl-C or `kill`)."""
    import signal  # noqa: PLC0415 - only around renames
    import threading  # noqa: PLC0415

    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def recover(journal: Path) -> int | None:
    """Complete a journalled write that was killed during its renames (every temp file was complete before the
    first one): the number of files it moved into place, or None when there was nothing to complete."""
    try:
        data = journal.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        pairs = [(Path(tmp), Path(target)) for tmp, target in json.loads(data)]
    except (ValueError, TypeError) as exc:
        raise OutputError(Problem(rel(journal), None, "journal", f"unreadable ({brief(str(exc))}); delete it, then run "
                                  "`quizgen build --force` to write every output again")) from None
    moved = 0
    with _signals_held():
        for tmp, target in pairs:
            if tmp.exists():
                os.replace(tmp, target)
                moved += 1
        for folder in {target.parent for _, target in pairs}:
            _fsync_dir(folder)
        journal.unlink()
    return moved


def remove_stale_temp(folders: Iterable[Path], *, recursive: bool = False) -> int:
    """Delete the temp files killed journalled writes left behind (call with the project lock held); how many."""
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob(".*.tmp") if recursive else folder.glob(".*.tmp"):
            if path.is_file() and _JOURNALLED_TEMP.match(path.name):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    return removed


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
