"""The per-user set cache holds data that cannot run code, checked against its key, and rebuilt when damaged."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
from conftest import TEMPLATES, Workspace

from quizgen.project.cache import set_cache_entry
from quizgen.project.paths import Paths
from quizgen.project.plan import resolve


class _Plant:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # what an attacker writes into a cache folder: unpickling it runs os.mkdir
        return (os.mkdir, (str(self.marker),))


@pytest.fixture
def paths(ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return Paths(content=ws.content, templates=TEMPLATES, decks=ws.decks, out=ws.root / "build")


def test_a_planted_pickle_runs_nothing_and_the_entry_is_rebuilt(ws: Workspace, paths: Paths, tmp_path: Path) -> None:
    fresh, _ = resolve(ws.recipe, paths)
    entry = set_cache_entry(ws.recipe, paths)
    assert entry is not None and entry[0].is_file()
    marker = tmp_path / "ran"
    entry[0].write_bytes(pickle.dumps((entry[1], _Plant(marker))))
    again, _ = resolve(ws.recipe, paths)
    assert not marker.exists()
    assert again == fresh
    assert json.loads(entry[0].read_bytes())["key"] == entry[1]  # discarded and written again as JSON


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"key": "other", "set": {}}', b"[1, 2]"])
def test_a_damaged_or_stale_entry_is_rebuilt(ws: Workspace, paths: Paths, damage: bytes) -> None:
    fresh, _ = resolve(ws.recipe, paths)
    entry = set_cache_entry(ws.recipe, paths)
    assert entry is not None
    entry[0].write_bytes(damage)
    assert resolve(ws.recipe, paths)[0] == fresh


def test_a_hit_gives_the_same_set(ws: Workspace, paths: Paths) -> None:
    fresh, _ = resolve(ws.recipe, paths)
    cached, _ = resolve(ws.recipe, paths)
    assert cached.model_dump_json() == fresh.model_dump_json()
