"""Bad input loses nothing: one clear message with file, line and field, exit 1, no traceback, outputs untouched."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATES, Workspace, assert_problems, invoke, replace_once

FOUNDING = "01-founding.yaml"


def snapshot(*folders: Path) -> dict[str, str]:
    """Every file under the folders with its content hash."""
    out: dict[str, str] = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def built(ws: Workspace, jieba_cache: dict[str, str]) -> Workspace:
    """The workspace after one good build into ws/build."""
    result = build(ws, jieba_cache)
    assert result.exit_code == 0, result.output
    assert (ws.root / "build" / "xh-lin-interview" / "xh-lin-interview.apkg").exists()
    return ws


def build(ws: Workspace, env: dict[str, str], *extra: str):
    return invoke("build", "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks", "--out", "build", *extra, env=env)


def fails_cleanly(ws: Workspace, env: dict[str, str], *problems: str | re.Pattern[str], extra: tuple[str, ...] = ()) -> None:
    before = snapshot(ws.root / "build", ws.decks)
    result = build(ws, env, *extra)
    assert_problems(result, *problems)
    assert snapshot(ws.root / "build", ws.decks) == before, "an output was created or changed"


def test_malformed_yaml(built: Workspace, jieba_cache) -> None:
    path = built.bank / FOUNDING
    line = replace_once(path, "    kind: argument\n", "    kind: [argument\n")
    fails_cleanly(built, jieba_cache, re.compile(rf"content/xh-lin-2025/bank/{FOUNDING}:\d+: yaml: malformed YAML: .*; fix the syntax"))
    assert line > 0


def test_malformed_toml(built: Workspace, jieba_cache) -> None:
    line = replace_once(built.recipe, 'seed = 20250318', 'seed = = 1')
    fails_cleanly(built, jieba_cache, re.compile(rf"decks/second.toml:{line}: toml: malformed TOML: .*; fix the syntax"))


def test_wrong_type(built: Workspace, jieba_cache) -> None:
    line = replace_once(built.recipe, "versions = 1", 'versions = "two"')
    fails_cleanly(built, jieba_cache, re.compile(rf"decks/second.toml:{line}: versions: Input should be a valid integer.*"))


def test_missing_field(built: Workspace, jieba_cache) -> None:
    path = built.bank / FOUNDING
    line = replace_once(path, "    question: 星衡机器人的首席科学家是谁？\n", "")
    fails_cleanly(built, jieba_cache, re.compile(rf"content/xh-lin-2025/bank/{FOUNDING}:\d+: items\.1\.question: required field is missing; add it"))
    assert line


def test_duplicate_ids(built: Workspace, jieba_cache) -> None:
    path = built.bank / FOUNDING
    line = replace_once(path, "  - id: xh-f-chief-scientist\n", "  - id: xh-f-first-customer\n")
    fails_cleanly(built, jieba_cache, re.compile(rf"content/xh-lin-2025/bank/{FOUNDING}:{line}: id: duplicate item id 'xh-f-first-customer' .*"))


def test_evidence_not_in_source(built: Workspace, jieba_cache) -> None:
    path = built.bank / FOUNDING
    line = replace_once(path, "    evidence: 我们的首席科学家沈知微以前在高校做了十年的运动控制研究\n",
                        "    evidence: 我们的首席科学家沈知微以前在高校做了二十年的运动控制研究\n")
    fails_cleanly(built, jieba_cache, f"content/xh-lin-2025/bank/{FOUNDING}:{line}: evidence: item xh-f-chief-scientist: not found verbatim "
                  "in paragraph p003: the paragraph has '…学家沈知微以前在高校做了' then '十年的运动控制研', where you wrote '二十年的运动控制'; "
                  "copy the span exactly from source.yaml")


def test_unknown_template_and_type(built: Workspace, jieba_cache) -> None:
    text = built.recipe.read_text(encoding="utf-8")
    built.recipe.write_text(text + 'templates = ["fact-essay"]\n', encoding="utf-8")
    line = len(text.splitlines()) + 1
    fails_cleanly(built, jieba_cache, re.compile(rf"decks/second.toml:{line}: templates: unknown question template 'fact-essay'; available: .*"))
    built.recipe.write_text(text.replace('"typed"]', '"essay"]'), encoding="utf-8")
    fails_cleanly(built, jieba_cache, re.compile(r"decks/second.toml:\d+: types\.7: Input should be 'cloze', .*"))


def test_answer_among_distractors(built: Workspace, jieba_cache) -> None:
    path = built.bank / FOUNDING
    replace_once(path, "    distractors: [陈启明, 王若溪, 赵一鸣]\n", "    distractors: [陈启明, 沈知微, 赵一鸣]\n")
    fails_cleanly(built, jieba_cache, re.compile(
        rf"content/xh-lin-2025/bank/{FOUNDING}:\d+: items\.1: distractors must not contain the answer '沈知微'"))


def test_too_few_options(built: Workspace, jieba_cache) -> None:
    path = built.bank / FOUNDING
    replace_once(path, "    answer_type: person\n    statement: 星衡机器人的首席科学家是沈知微",
                 "    answer_type: other\n    statement: 星衡机器人的首席科学家是沈知微")
    replace_once(path, "    distractors: [陈启明, 王若溪, 赵一鸣]\n", "    distractors: [陈启明]\n")
    fails_cleanly(built, jieba_cache, re.compile(
        rf"content/xh-lin-2025/bank/{FOUNDING}:\d+: distractors: item xh-f-chief-scientist: only 2 options for multiple choice, need 4; add distractors"))


def test_filters_that_leave_nothing(built: Workspace, jieba_cache) -> None:
    text = built.recipe.read_text(encoding="utf-8")
    built.recipe.write_text(text.replace('types = [', 'speakers = ["host"]\ntypes = ['), encoding="utf-8")
    speakers = list(("host",))
    result = build(built, jieba_cache)
    # either the speaker is unknown or it has no questions: both are clear, located errors
    assert result.exit_code == 1 and "decks/second.toml:" in result.stderr and "Traceback" not in result.output
    assert speakers


def test_filters_that_leave_nothing_in_generate(ws: Workspace, jieba_cache) -> None:
    result = invoke("generate", "--content", "content", "--templates", str(TEMPLATES), "--section", "founding", "--type", "order",
                    "--tag", "people", "--out", "sets/x.yaml", env=jieba_cache)
    assert_problems(result, re.compile(r"quizgen generate: filters: no question matches \(section=founding tag=people type=order\); widen the filters"))
    # (this bank marks no item core, so generate's default draws from all items: no importance filter is named)
    assert not (ws.root / "sets").exists()


def test_recipe_naming_a_missing_source(built: Workspace, jieba_cache) -> None:
    line = replace_once(built.recipe, 'sources = ["xh-lin-2025"]', 'sources = ["xh-lin-2026"]')
    fails_cleanly(built, jieba_cache, f"decks/second.toml:{line}: sources: unknown source 'xh-lin-2026'; did you mean 'xh-lin-2025'? available: xh-lin-2025")


def test_non_utf8_file(built: Workspace, jieba_cache) -> None:
    path = built.bank / FOUNDING
    data = path.read_bytes().replace("青禾物流".encode(), "青禾物流".encode("gbk"), 1)
    path.write_bytes(data)
    fails_cleanly(built, jieba_cache, re.compile(rf"content/xh-lin-2025/bank/{FOUNDING}:\d+: encoding: not valid UTF-8 \(byte \d+\); save the file as UTF-8"))


def test_unreadable_file(built: Workspace, jieba_cache) -> None:
    link = built.bank / "03-missing.yaml"
    link.symlink_to(built.bank / "does-not-exist.yaml")
    fails_cleanly(built, jieba_cache, "content/xh-lin-2025/bank/03-missing.yaml: file: not found; check the path")
    link.unlink()
    if os.geteuid() != 0:  # root reads files whatever their mode
        path = built.bank / FOUNDING
        path.chmod(0)
        try:
            fails_cleanly(built, jieba_cache, re.compile(rf"content/xh-lin-2025/bank/{FOUNDING}: file: cannot be read \(.*\); fix its permissions"))
        finally:
            path.chmod(0o644)


def test_output_folder_that_cannot_be_written(built: Workspace, jieba_cache) -> None:
    blocker = built.root / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    result = build(built, jieba_cache, "--force")
    assert result.exit_code == 0
    before = snapshot(built.root / "build", built.decks)
    result = invoke("build", "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks",
                    "--out", "not-a-folder/build", env=jieba_cache)
    assert_problems(result, re.compile(r"not-a-folder/build/xh-lin-interview: output: cannot create folder \(.*\); choose a writable --out folder"))
    assert blocker.read_text(encoding="utf-8") == "x"
    assert snapshot(built.root / "build", built.decks) == before


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", "a\\\\b"])
def test_output_name_with_separators(built: Workspace, jieba_cache, name: str) -> None:
    line = replace_once(built.recipe, 'output = "xh-lin-interview"', f'output = "{name}"')
    fails_cleanly(built, jieba_cache, re.compile(rf"decks/second.toml:{line}: output: .*an output name is one folder inside build/, not a path"))


def test_debug_shows_the_traceback(built: Workspace, jieba_cache) -> None:
    replace_once(built.recipe, 'sources = ["xh-lin-2025"]', 'sources = ["nope"]')
    result = invoke("--debug", "build", "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks", "--out", "build",
                    env=jieba_cache)
    assert result.exit_code != 0 and result.exception is not None and not isinstance(result.exception, SystemExit)


def test_jieba_is_quiet_cached_per_user_and_loaded_only_when_segmenting(ws: Workspace, tmp_path: Path) -> None:
    cache = tmp_path / "xdg"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    args = ["--content", "content", "--templates", str(TEMPLATES), "--decks", "decks"]
    r = subprocess.run([sys.executable, "-m", "quizgen.cli", "check", *args], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # no "Building prefix dict", no pkg_resources warning
    assert list((cache / "quizgen" / "jieba").glob("jieba*.cache"))
    assert not list((tmp_path / "tmp").glob("jieba*"))
    probe = ("import sys; from quizgen.cli import app\n"
             "try:\n    app(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print('JIEBA', 'jieba' in sys.modules, 'genanki' in sys.modules, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", probe, "stats", "--content", "content"], capture_output=True, text=True, env=env, check=False)
    assert "JIEBA False False" in r.stderr


def test_a_file_name_in_another_encoding_under_content_is_located_by_check_and_build(ws: Workspace) -> None:
    """A name saved on a system in another encoding (latin-1 bytes here): check named it; build used to crash on it."""
    raw = os.fsencode(ws.content) + b"/notes-\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(b"x")
    expected = "error: content/notes-\\xe9.txt: file name: is not UTF-8 text (another system's encoding); rename it, or move it out of the content folder"
    result = ws.check()
    assert result.exit_code == 1 and expected in result.stderr.splitlines(), result.stderr
    built = invoke("build", "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks", "--out", "build")
    assert built.exit_code == 1 and expected in built.stderr.splitlines(), built.stderr
    assert "internal error" not in built.stderr and not (ws.root / "build").exists()
