"""The outputs pipeline: the format registry, `quizgen export`, and builds that write everything or nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import TEMPLATES, Workspace, assert_problems, invoke, replace_once

from quizgen import outputs
from quizgen.outputs import FORMATS, NOTE_STATE, OutputOptions


def _snapshot(*folders: Path) -> dict[str, bytes]:
    """Every file under the folders (path -> bytes); a missing folder is empty."""
    return {str(p): p.read_bytes() for folder in folders if folder.exists() for p in sorted(folder.rglob("*")) if p.is_file()}


def _recipe_set(ws: Workspace):
    from quizgen.project.paths import Paths
    from quizgen.project.plan import resolve

    return resolve(ws.recipe, Paths(content=ws.content, templates=TEMPLATES, decks=ws.decks, out=ws.root / "out"))[0]


# --- the registry -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_registered_format_is_a_pure_renderer_of_named_bytes(name: str, ws: Workspace, jieba_cache: dict[str, str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", jieba_cache["XDG_CACHE_HOME"])
    qset = _recipe_set(ws)
    before = _snapshot(ws.root)
    files = outputs.module(name).render(qset, OutputOptions.for_set(qset, TEMPLATES, state_file=ws.decks / "state" / "x.json", now=1))
    assert files and all(isinstance(k, str) and isinstance(v, bytes) and v for k, v in files.items())
    assert all(k == NOTE_STATE or (k.startswith(qset.output) and "/" not in k) for k in files), list(files)
    assert _snapshot(ws.root) == before  # nothing written, not even the note state


def test_anki_returns_the_deck_and_its_note_state_and_quiz_its_pages(ws: Workspace, jieba_cache: dict[str, str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", jieba_cache["XDG_CACHE_HOME"])
    qset = _recipe_set(ws)
    files = outputs.render(qset, ["anki", "quiz"], OutputOptions(templates=TEMPLATES, versions=2, seed=3, interactive=True, now=1))
    assert list(files) == [f"{qset.output}.apkg", NOTE_STATE, f"{qset.output}-A.html", f"{qset.output}-B.html",
                           f"{qset.output}-key.csv", f"{qset.output}-interactive.html"]
    assert b'"format": "quizgen-notes/2"' in files[NOTE_STATE]


def test_an_unknown_format_is_named_with_the_available_ones() -> None:
    with pytest.raises(outputs.QuizgenError) as info:
        outputs.module("pptx")
    assert str(info.value) == f"quizgen: format: unknown format 'pptx'; available: {', '.join(sorted(FORMATS))}"


def test_a_recipe_format_is_checked_against_the_registry(ws: Workspace) -> None:
    line = replace_once(ws.recipe, 'formats = ["anki", "quiz"]', 'formats = ["anki", "pptx", "quiz"]')
    assert_problems(ws.check(), re.compile(rf"decks/second\.toml:{line}: formats: unknown format 'pptx'; available: anki, .*quiz.*"))


# --- quizgen export ---------------------------------------------------------------------------


def _export(env: dict[str, str], target: str, *args: str):
    return invoke("export", target, *args, "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks", env=env)


def test_export_renders_a_recipe_in_several_formats_byte_identically(ws: Workspace, jieba_cache: dict[str, str]) -> None:
    first = _export(jieba_cache, "decks/second.toml", "--format", "quiz", "--format", "anki", "--out", "out")
    assert first.exit_code == 0, first.output
    out = Path("out/xh-lin-interview")
    assert first.stdout.splitlines() == [f"wrote {out / n}" for n in
                                         ("xh-lin-interview-A.html", "xh-lin-interview-key.csv", "xh-lin-interview-interactive.html", "xh-lin-interview.apkg")]
    assert (ws.decks / "state" / "xh-lin-interview.json").exists()  # the deck's note state, written with it
    pages = _snapshot(ws.root / "out")
    pages = {k: v for k, v in pages.items() if k.endswith(".html")}
    again = _export(jieba_cache, "decks/second.toml", "--format", "quiz", "--out", "out")
    assert again.exit_code == 0, again.output
    assert {k: v for k, v in _snapshot(ws.root / "out").items() if k.endswith(".html")} == pages


def test_export_renders_a_generated_set_with_its_note_state_beside_it(ws: Workspace, jieba_cache: dict[str, str]) -> None:
    made = invoke("generate", "--content", "content", "--templates", str(TEMPLATES), "--count", "5", "-o", "sets/mini.yaml", env=jieba_cache)
    assert made.exit_code == 0, made.output
    result = _export(jieba_cache, "sets/mini.yaml", "-f", "anki", "--out", "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["wrote out/mini/mini.apkg"]
    assert (ws.root / "sets" / "mini.notes.json").exists()


def test_export_refuses_an_unknown_format_before_any_work(ws: Workspace, jieba_cache: dict[str, str]) -> None:
    result = _export(jieba_cache, "decks/second.toml", "--format", "anki", "--format", "docx", "--out", "out")
    assert_problems(result, re.compile(r"quizgen: format: unknown format 'docx'; available: .*"))
    assert not (ws.root / "out").exists() and not (ws.decks / "state").exists()


# --- all or nothing ---------------------------------------------------------------------------


def _build(env: dict[str, str], templates: Path, *extra: str):
    return invoke("build", "--content", "content", "--templates", str(templates), "--decks", "decks", "--out", "build", *extra, env=env)


@pytest.mark.parametrize("built_before", [False, True])
def test_a_failing_output_anywhere_leaves_build_and_note_state_byte_identical(ws: Workspace, jieba_cache: dict[str, str],
                                                                              built_before: bool) -> None:
    templates = ws.root / "templates"
    shutil.copytree(TEMPLATES, templates)
    if built_before:
        assert _build(jieba_cache, templates).exit_code == 0
    # an edited item: the deck and its note state would change; the recipe renders anki first, then the quiz
    assert 'formats = ["anki", "quiz"]' in ws.recipe.read_text(encoding="utf-8")
    replace_once(ws.bank / "01-founding.yaml", "    kind: fact\n    paragraph: p002\n",
                 "    kind: fact\n    paragraph: p002\n    explanation: 一处修改。\n")
    before = _snapshot(ws.root / "build", ws.decks / "state")
    assert bool(before) == built_before
    print_tpl = templates / "quiz" / "print.html.j2"
    print_tpl.write_text(print_tpl.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")

    result = _build(jieba_cache, templates, "--force")
    assert result.exit_code == 1, result.output
    assert "print.html.j2" in result.stderr and "Traceback" not in result.output
    assert _snapshot(ws.root / "build", ws.decks / "state") == before
    assert not list(ws.root.rglob("*.tmp"))  # no temp files left behind


def test_a_cached_recipe_set_follows_every_edit_of_the_bank(ws: Workspace, jieba_cache: dict[str, str]) -> None:
    page = ws.root / "out" / "xh-lin-interview" / "xh-lin-interview-A.html"
    old, new = "星衡机器人的第一个客户是哪家公司？", "星衡机器人最早的客户是哪一家？"
    for _ in range(2):  # the second run may come from the per-user cache of recipe sets
        assert _export(jieba_cache, "decks/second.toml", "--format", "quiz", "--out", "out").exit_code == 0
        assert old in page.read_text(encoding="utf-8")
    replace_once(ws.bank / "01-founding.yaml", f"question: {old}", f"question: {new}")
    assert _export(jieba_cache, "decks/second.toml", "--format", "quiz", "--out", "out").exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert new in html and old not in html


def test_a_recipe_listing_a_format_twice_is_refused(ws: Workspace) -> None:
    line = replace_once(ws.recipe, 'formats = ["anki", "quiz"]', 'formats = ["anki", "quiz", "anki"]')
    assert_problems(ws.check(), f"decks/second.toml:{line}: formats: lists a format twice; list each format once")


def test_exports_carry_no_empty_paragraph_for_an_empty_explanation() -> None:
    """GIFT and Moodle feedback start with the evidence when a question has no explanation (issue 18)."""
    from export_util import export_set

    from quizgen.outputs import gift, moodle

    qset = export_set()
    assert any(not q.explanation for q in qset.questions)
    for module in (gift, moodle):
        for name, data in module.render(qset).items():
            text = data.decode("utf-8")
            assert "<p></p>" not in text and "&lt;p&gt;&lt;/p&gt;" not in text, (module.__name__, name)
