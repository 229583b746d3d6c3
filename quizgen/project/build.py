"""`quizgen build`: every recipe's deck and quizzes, skipped entirely when no input changed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from quizgen.errors import rel
from quizgen.fsutil import JOURNAL
from quizgen.project.cache import build_digest
from quizgen.project.lock import project_lock

if TYPE_CHECKING:
    from quizgen.project.paths import Paths

STAMP = ".quizgen-build.json"


def _up_to_date(paths: Paths, digest: str) -> list[str] | None:
    stamp = paths.out / STAMP
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    outputs = [paths.out / o for o in data.get("outputs", [])]
    if data.get("fingerprint") != digest or not all(o.exists() for o in outputs):
        return None
    return [str(o) for o in data["outputs"]]


def build_all(paths: Paths, *, force: bool = False, say: Callable[[str], None] | None = None) -> Iterator[str]:
    """Validate everything, render every output of every recipe, then write them all at once; yield one line per file.

    Under the project lock; the write is journalled, the stamp renamed last (see `project_lock` and fsutil.write_many)."""
    with project_lock(paths, say) as repaired:
        yield from repaired
        yield from _build(paths, force=force)


def _build(paths: Paths, *, force: bool) -> Iterator[str]:
    digest = build_digest(paths)
    if not force and (outputs := _up_to_date(paths, digest)) is not None:
        yield f"up to date: {len(outputs)} file(s) in {rel(paths.out)} (use --force to rebuild)"
        return
    from quizgen.fsutil import write_many  # noqa: PLC0415 - heavy imports only when there is work
    from quizgen.project.plan import plan_all, render_plan  # noqa: PLC0415 - loaded on use, so light commands start fast

    # Everything is rendered before anything is written: an error anywhere (a recipe, a template, Chromium)
    # leaves build/ and decks/state/ exactly as they were.
    # only the sets are kept: the content and every question not chosen are freed before the outputs are made
    files = render_plan(plan_all(paths.content, paths.templates, paths.decks).sets, paths)
    written = [p for p in files if paths.out in p.parents]  # outputs, not the note state kept beside the recipes
    stamp = {"fingerprint": digest, "outputs": sorted(str(p.relative_to(paths.out)) for p in written)}
    files[paths.out / STAMP] = (json.dumps(stamp, indent=1) + "\n").encode("utf-8")
    write_many(files, journal=paths.out / JOURNAL)
    for path in written:
        yield f"wrote {rel(path)}"
