"""`quizgen build`: every recipe's deck and quizzes, skipped entirely when no input changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import rel

if TYPE_CHECKING:
    from .paths import Paths

STAMP = ".quizgen-build.json"


def input_files(folder: Path, *, skip: Path | None = None) -> list[Path]:
    """Every file under a folder, sorted (caches and the build stamp hash them)."""
    if not folder.is_dir():
        return []
    # every entry but folders: a dangling symlink or an unreadable file is an input too, and must not look "up to date"
    return sorted(p for p in folder.rglob("*") if not p.is_dir() and "__pycache__" not in p.parts and (skip is None or skip not in p.parents))


def fingerprint(paths: Paths) -> str:
    """Hash of every input: content, templates, recipes and quizgen's own code (note state excluded: it is an output)."""
    h = hashlib.sha256()
    code = Path(__file__).resolve().parent
    for root in (paths.content, paths.templates, paths.decks, code):
        for f in input_files(root, skip=paths.decks / "state"):
            try:
                data = f.read_bytes()
            except OSError as exc:
                data = f"unreadable: {exc.strerror}".encode()
            h.update(str(f.relative_to(root)).encode() + b"\0" + data + b"\0")
    return h.hexdigest()


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


def build_all(paths: Paths, *, force: bool = False) -> Iterator[str]:
    """Validate everything, render every output of every recipe, then write them all at once; yield one line per file."""
    digest = fingerprint(paths)
    if not force and (outputs := _up_to_date(paths, digest)) is not None:
        yield f"up to date: {len(outputs)} file(s) in {rel(paths.out)} (use --force to rebuild)"
        return
    from .fsutil import write_many  # noqa: PLC0415 - heavy imports only when there is work
    from .project import plan_all, render_plan  # noqa: PLC0415

    # Everything is rendered before anything is written: an error anywhere (a recipe, a template, Chromium)
    # leaves build/ and decks/state/ exactly as they were.
    files = render_plan(plan_all(paths.content, paths.templates, paths.decks), paths)
    written = [p for p in files if paths.out in p.parents]  # outputs, not the note state kept beside the recipes
    stamp = {"fingerprint": digest, "outputs": sorted(str(p.relative_to(paths.out)) for p in written)}
    files[paths.out / STAMP] = (json.dumps(stamp, indent=1) + "\n").encode("utf-8")
    write_many(files)
    for path in written:
        yield f"wrote {rel(path)}"
