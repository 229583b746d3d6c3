"""The project's build lock: one writer at a time on build/ and decks/state/, and the repair of a killed write."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from quizgen.errors import OutputError, Problem, rel
from quizgen.fsutil import JOURNAL, recover, remove_stale_temp, user_cache_dir

if TYPE_CHECKING:
    from quizgen.project.paths import Paths

LOCK = ".quizgen-build.lock"
LOCK_WAIT = "QUIZGEN_LOCK_WAIT"
"""Seconds a build waits for another one on the same project (default 600)."""


def _lock_wait() -> float:
    raw = os.environ.get(LOCK_WAIT, "").strip()
    try:
        return float(raw) if raw else 600.0
    except ValueError:
        raise OutputError(Problem(LOCK_WAIT, None, "environment", f"{raw!r} is not a number of seconds; unset it or give one")) from None


@contextlib.contextmanager
def project_lock(paths: Paths, say: Callable[[str], None] | None = None) -> Iterator[list[str]]:
    """Hold the project's build lock while writing build/ and decks/state/: a second build waits, saying for whom;
    then complete a build a kill interrupted and delete temp files killed runs left. Yields the lines to report about
    that repair. The lock file lives in the user's cache folder (one per output folder), so a run that fails writes
    nothing into the project."""
    import fcntl  # noqa: PLC0415 - POSIX locking, only for writing commands
    import hashlib  # noqa: PLC0415

    folder = user_cache_dir("locks")
    key = hashlib.sha256(str(paths.out.resolve()).encode("utf-8")).hexdigest()[:24]
    lock = folder / f"{key}.lock" if folder is not None else paths.out.parent / f".{paths.out.name}{LOCK}"
    with open(lock, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            if say is not None:
                say(f"waiting for another quizgen build on this project (pid {holder}, {rel(lock)})")
            wait = _lock_wait()
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OutputError(Problem(rel(paths.out), None, "lock", f"another quizgen build (pid {holder}) has held this project for "
                                                  f"{wait:g} s; wait for it to finish or stop it (set {LOCK_WAIT} to wait longer)")) from None
                    time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            report = []
            moved = recover(paths.out / JOURNAL)
            if moved is not None:
                report.append(f"completed an interrupted build: {moved} file(s) moved into place")
            stale = remove_stale_temp([paths.out], recursive=True) + remove_stale_temp([paths.decks / "state"])
            if stale:
                report.append(f"removed {stale} temp file(s) an interrupted run left")
            yield report
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)
