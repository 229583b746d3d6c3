"""`quizgen build` end to end on the second source: outputs, up-to-date skips, deck and quiz agree."""

from __future__ import annotations

import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from conftest import TEMPLATES, Workspace, invoke


def _build(env: dict[str, str], *extra: str):
    return invoke("build", "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks", "--out", "build", *extra, env=env)


def _deck_question_ids(apkg: Path) -> set[str]:
    with tempfile.TemporaryDirectory() as d, zipfile.ZipFile(apkg) as zf:
        db = Path(d) / "c.anki2"
        db.write_bytes(zf.read("collection.anki2"))
        conn = sqlite3.connect(db)
        rows = conn.execute("select flds from notes").fetchall()
        conn.close()
    return {flds.split("\x1f")[-1] for (flds,) in rows}  # QuestionID is every notetype's last field


def test_build_writes_every_output_then_skips_when_nothing_changed(ws: Workspace, jieba_cache) -> None:
    first = _build(jieba_cache)
    assert first.exit_code == 0, first.output
    written = re.findall(r"^wrote (\S+)", first.stdout, flags=re.M)
    assert written == ["build/xh-lin-interview/xh-lin-interview.apkg", "build/xh-lin-interview/xh-lin-interview-A.html",
                       "build/xh-lin-interview/xh-lin-interview-key.csv", "build/xh-lin-interview/xh-lin-interview-interactive.html"]
    assert all((ws.root / p).stat().st_size > 0 for p in written)
    state = ws.decks / "state" / "xh-lin-interview.json"
    assert state.exists()

    second = _build(jieba_cache)
    assert second.exit_code == 0
    assert second.stdout.startswith("up to date: 4 file(s) in build")

    (ws.root / written[1]).unlink()  # a missing output is rebuilt
    third = _build(jieba_cache)
    assert "wrote build/xh-lin-interview/xh-lin-interview-A.html" in third.stdout

    forced = _build(jieba_cache, "--force")
    assert forced.stdout.count("wrote ") == 4


def test_a_recipes_quiz_asks_the_same_questions_as_its_deck(ws: Workspace, jieba_cache) -> None:
    result = _build(jieba_cache)
    assert result.exit_code == 0, result.output
    out = ws.root / "build" / "xh-lin-interview"
    deck_ids = _deck_question_ids(out / "xh-lin-interview.apkg")
    html = (out / "xh-lin-interview-A.html").read_text(encoding="utf-8")
    quiz_ids = set(re.findall(r'<div class="question[^"]*"[^>]*data-qid="([^"]+)"', html))
    assert deck_ids and deck_ids == quiz_ids
