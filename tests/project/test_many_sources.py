"""Adding a source never turns `make test` red: a copy of the project with the test sources added passes check, build
and the shipped-content tests; stats and suggest take --source."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, REPO, SECOND_ID, SHIPPED_ID, TEMPLATES, Workspace, invoke, replace_once

ADDED = {"second_source": SECOND_ID, "talk_source": "xiliu-chen-2025"}
SHIPPED_CONTENT_TESTS = [
    "tests/check/test_check.py::test_shipped_bank_passes_check",
    "tests/test_cli_basics.py::test_stats_on_shipped_content",
    "tests/test_cli_basics.py::test_source_yaml_is_the_article_split_verbatim",
    "tests/generate/test_generate.py",
]


def add_source(project: Path, fixture: Path) -> None:
    """What README's "Adding a source" asks for: the source folder, its tags in content/tags.yaml, its recipe."""
    for folder in (fixture / "content").iterdir():
        if folder.is_dir():
            shutil.copytree(folder, project / "content" / folder.name)
    tags_path = project / "content" / "tags.yaml"
    known = {t["id"] for t in yaml.safe_load(tags_path.read_text(encoding="utf-8"))["tags"]}
    extra = [t for t in yaml.safe_load((fixture / "content" / "tags.yaml").read_text(encoding="utf-8"))["tags"] if t["id"] not in known]
    with tags_path.open("a", encoding="utf-8") as fh:
        for tag in extra:
            fh.write(f"  - {{id: {tag['id']}, label: {tag['label']}}}\n")
    for recipe in (fixture / "decks").glob("*.toml"):
        shutil.copy(recipe, project / "decks" / recipe.name)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project (content, templates, decks with their note state) with both test sources added."""
    root = tmp_path_factory.mktemp("many") / "project"
    for part in ("content", "templates", "decks"):
        shutil.copytree(REPO / part, root / part)
    for fixture in ADDED:
        add_source(root, FIXTURES / fixture)
    return root


def test_check_and_build_with_three_sources(project: Path, jieba_cache: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = invoke("check", env=jieba_cache)
    assert result.exit_code == 0, result.output
    # the shipped source and the added fixtures check clean; a source the user added to content/ may still warn
    ours = {SHIPPED_ID, *ADDED.values()}
    assert [line for line in result.stderr.splitlines() if any(f"content/{sid}/" in line for sid in ours) or "content/" not in line] == []
    sources = [d for d in (project / "content").iterdir() if (d / "source.yaml").exists()]  # the shipped ones, and any added
    assert result.stdout.startswith(f"ok: {len(sources)} source(s), ")
    result = invoke("build", env=jieba_cache)
    assert result.exit_code == 0, result.output
    for output in ("bg2-interview", "bg2-short-quiz", "xh-lin-interview", "xiliu-talk"):
        assert (project / "build" / output / f"{output}.apkg").stat().st_size > 0
        assert (project / "build" / output / f"{output}-A.html").stat().st_size > 0
    # the shipped decks' note state is untouched by adding a source: re-imports change nothing
    for state in ("bg2-interview.json", "bg2-short-quiz.json"):
        assert (project / "decks" / "state" / state).read_bytes() == (REPO / "decks" / "state" / state).read_bytes()


def test_shipped_content_tests_pass_with_more_sources(project: Path, jieba_cache: dict[str, str]) -> None:
    env = {**os.environ, **jieba_cache, "QUIZGEN_PROJECT": str(project)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SHIPPED_CONTENT_TESTS],
                          cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert re.search(r"\d+ passed", proc.stdout)


def test_stats_and_suggest_take_source(project: Path, jieba_cache: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = invoke("stats", "--source", SECOND_ID, env=jieba_cache)
    assert result.exit_code == 0, result.output
    sources = {cells[0] for line in result.stdout.splitlines()
               if len(cells := [c.strip() for c in line.strip("│ ").split("│")]) == 8 and cells[1] and cells[0] != "source"}
    assert sources == {SECOND_ID}
    result = invoke("suggest", "--source", "xiliu-chen-2025", env=jieba_cache)
    assert result.exit_code == 0, result.output
    headers = [line for line in result.stdout.splitlines() if re.match(r"\S+ p\d{3} \[", line)]
    assert headers and all(h.startswith("xiliu-chen-2025 ") for h in headers)
    result = invoke("suggest", "--source", "xiliu-chen-205", env=jieba_cache)
    assert result.exit_code == 1
    known = sorted(d.name for d in (project / "content").iterdir() if (d / "source.yaml").exists())
    assert result.stderr == ("error: content: --source: unknown source 'xiliu-chen-205'; did you mean 'xiliu-chen-2025'? "
                             f"use one of {', '.join(known)}\n")


def test_suggest_keeps_spaced_userdict_terms_whole(ws: Workspace, jieba_cache: dict[str, str]) -> None:
    with (ws.source_dir / "userdict.txt").open("a", encoding="utf-8") as fh:
        fh.write("Tensor Core 30 nz\n")
    replace_once(ws.source_yaml, "而不是人形机器人？\n", "而不是人形机器人？我们的机器人用的是 Tensor Core 芯片。\n")
    result = invoke("suggest", "--content", "content", "--source", SECOND_ID, env=jieba_cache)
    assert result.exit_code == 0, result.output
    block = result.stdout.split(f"{SECOND_ID} p001 ", 1)[1].split(f"\n{SECOND_ID} ", 1)[0]
    terms = next(line for line in block.splitlines() if line.strip().startswith("terms:")).split(":", 1)[1].strip().split("、")
    assert "Tensor Core" in terms
    assert "Tensor" not in terms and "Core" not in terms


def test_generate_titles_a_set_after_its_source(tmp_path: Path, jieba_cache: dict[str, str]) -> None:
    out = tmp_path / "set.yaml"
    result = invoke("generate", "--content", str(FIXTURES / "talk_source" / "content"), "--templates", str(TEMPLATES),
                    "--count", "3", "-o", str(out), env=jieba_cache)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["title"] == "陈思远：开源搜索引擎「溪流」的五年，从一台服务器到十万用户：练习"
