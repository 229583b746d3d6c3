"""The one place randomness and derived identities come from: every stream and id is a function of its names.

Each question (and each quiz version) draws from its own stream, so adding one item never reshuffles the others,
and the same content and seed always give the same sets, GUIDs and deck ids.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterable


def rng_for(*parts: object) -> random.Random:
    """A random stream named by its parts: rng_for(seed, "A", question_id) seeds Random("<seed>:A:<question id>")."""
    return random.Random(":".join(str(p) for p in parts))


def stable_order(key: str, candidates: Iterable[str]) -> list[str]:
    """Candidates in an order fixed by (key, candidate): adding one candidate never reorders the others."""
    return sorted(candidates, key=lambda c: hashlib.sha256(f"{key}\x1f{c}".encode()).hexdigest())


def stable_id(name: str) -> int:
    """A fixed 13-digit ID derived from a name (Anki decks whose recipe gives none, sub-decks)."""
    return 1_000_000_000_000 + int(hashlib.sha256(name.encode()).hexdigest(), 16) % 8_000_000_000_000


def note_guid_for(source_id: str, item_id: str, template_id: str, *, deck: int | None = None) -> str:
    """The one Anki note GUID formula: from curated ids only, so editing an item's text keeps its note and history.

    `deck`: a deck's own GUID for a question another deck already ships (the shared GUID stays with that deck).
    """
    import genanki  # noqa: PLC0415 - genanki only for the commands that make or read decks

    if deck is not None:
        return str(genanki.guid_for("quizgen", source_id, item_id, template_id, f"deck:{deck}"))
    return str(genanki.guid_for("quizgen", source_id, item_id, template_id))


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH (reproducible builds) in seconds, None when unset; a bad value is a clear error, not a crash."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        from quizgen.errors import ContentError, Problem  # noqa: PLC0415 - only on the error path

        raise ContentError(Problem("SOURCE_DATE_EPOCH", None, "environment",
                                   f"must be whole seconds since 1970-01-01 (got {value[:40]!r}); "
                                   "e.g. SOURCE_DATE_EPOCH=$(date -d 2024-01-01 +%s), or unset it"))
    return int(value)
