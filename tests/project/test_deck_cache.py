"""`quizgen anki RECIPE` from the per-user deck cache: the same package and note state as the full path, taken only
when every input is unchanged, and without pydantic (neither our models nor Typer's option coercion)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import TEMPLATES, Workspace, invoke, replace_once

DECK = Path("out/xh-lin-interview/xh-lin-interview.apkg")
STATE = Path("decks/state/xh-lin-interview.json")


def _anki(env: dict[str, str], templates: Path = TEMPLATES):
    return invoke("anki", "decks/second.toml", "--out", "out", "--content", "content", "--templates", str(templates), "--decks", "decks", env=env)


def _outputs() -> tuple[bytes, bytes]:
    """The deck's SQLite file (zip entry times aside, the whole package) and the note state."""
    with zipfile.ZipFile(DECK) as zf:
        assert zf.namelist() == ["collection.anki2", "media"] and zf.read("media") == b"{}"
        return zf.read("collection.anki2"), STATE.read_bytes()


@pytest.fixture
def full_runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The targets of the runs that took the full path (loading, validating, selecting)."""
    import quizgen.project.plan as project

    calls: list[Path] = []
    real = project.resolve

    def spy(target: Path, *args, **kwargs):
        calls.append(target)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(project, "resolve", spy)
    return calls


@pytest.fixture
def cache_env(tmp_path: Path, jieba_cache: dict[str, str]) -> dict[str, str]:
    """A per-user cache folder of this test's own, with jieba's dictionary cache already in it."""
    xdg = tmp_path / "xdg"
    shutil.copytree(Path(jieba_cache["XDG_CACHE_HOME"]), xdg, dirs_exist_ok=True)
    shutil.rmtree(xdg / "quizgen" / "decks", ignore_errors=True)
    return {"XDG_CACHE_HOME": str(xdg)}


def _warm(env: dict[str, str], full_runs: list[Path], templates: Path = TEMPLATES) -> None:
    """Runs until one comes from the cache: the first stores an entry, the second (the note state is new) another."""
    for _ in range(3):
        assert _anki(env, templates).exit_code == 0
    assert len(full_runs) == 2
    full_runs.clear()


def test_a_cached_deck_is_the_deck_the_full_path_writes(ws: Workspace, cache_env: dict[str, str], full_runs: list[Path]) -> None:
    _warm(cache_env, full_runs)
    result = _anki(cache_env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"wrote {DECK}"]
    assert full_runs == []
    cached = _outputs()
    shutil.rmtree(Path(cache_env["XDG_CACHE_HOME"]) / "quizgen" / "decks")
    assert _anki(cache_env).exit_code == 0
    assert len(full_runs) == 1
    assert _outputs() == cached  # every note, card, deck, notetype and mod time, and the note state, byte for byte


def _edit_bank(ws: Workspace, templates: Path) -> None:
    replace_once(ws.bank / "01-founding.yaml", "question: 星衡机器人的第一个客户是哪家公司？", "question: 星衡机器人最早的客户是哪一家？")


def _edit_css(ws: Workspace, templates: Path) -> None:
    css = templates / "anki" / "cards.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.card { color: black; }\n", encoding="utf-8")


def _edit_state(ws: Workspace, templates: Path) -> None:
    STATE.write_text(STATE.read_text(encoding="utf-8").replace('"mod": ', '"mod": 1', 1), encoding="utf-8")


def _break_state(ws: Workspace, templates: Path) -> None:
    STATE.write_text("{", encoding="utf-8")


def _edit_recipe(ws: Workspace, templates: Path) -> None:
    replace_once(ws.recipe, "seed = ", "seed = 1")


@pytest.mark.parametrize("edit", [_edit_bank, _edit_css, _edit_state, _break_state, _edit_recipe])
def test_any_edited_input_takes_the_full_path(edit, ws: Workspace, cache_env: dict[str, str], full_runs: list[Path]) -> None:
    templates = ws.root / "templates"
    shutil.copytree(TEMPLATES, templates)
    _warm(cache_env, full_runs, templates)
    edit(ws, templates)
    result = _anki(cache_env, templates)
    assert full_runs == [Path("decks/second.toml")]
    if edit is _break_state:  # checked as before: one located problem, nothing written
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stderr.startswith(f"error: {STATE}:")
        return
    assert result.exit_code == 0, result.output
    if edit is _edit_bank:
        with zipfile.ZipFile(DECK) as zf:
            assert "星衡机器人最早的客户是哪一家？".encode() in zf.read("collection.anki2")


def test_the_cached_path_loads_no_model_and_no_jieba(ws: Workspace, cache_env: dict[str, str], full_runs: list[Path]) -> None:
    """A cache hit validates and generates nothing (Typer itself imports pydantic to coerce options, since the
    private-API shim that avoided it is gone: `make bench` measures the start-up instead)."""
    _warm(cache_env, full_runs)
    probe = ("import sys; from quizgen.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('jieba', 'quizgen.models', 'quizgen.load.content', 'quizgen.generate.questions') if m in sys.modules), file=sys.stderr)")
    argv = ["anki", "decks/second.toml", "--out", "out", "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks"]
    env = {**os.environ, **cache_env}
    r = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [f"wrote {DECK}"]
    assert "LOADED []" in r.stderr, r.stderr


def test_options_are_still_checked_by_typer(ws: Workspace) -> None:
    bad = invoke("quiz", "decks/second.toml", "--versions", "0")
    assert bad.exit_code == 2 and "--versions" in bad.stderr
    missing = invoke("anki")
    assert missing.exit_code == 2 and "missing argument 'target'" in missing.stderr.lower()
    wrong = invoke("--debug", "anki", "decks/nothing.toml", "--out", "out", "--content", "content", "--templates", str(TEMPLATES))
    assert isinstance(wrong.exception, Exception)  # --debug still reaches the command: the error is raised, not printed
