"""import-text: a personal `作者` is not the outlet when the article names one; alone, it is used and the summary says so."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import invoke

SPEAKERS = "- {id: author, name: 韩思齐, role: 作者, narrator: true}\n"
BODY = "发布时间：2025-04-01\n原文链接：https://example.com/a\n\n第一段正文，讲了一件事。\n"


def _import(tmp_path: Path, article: str, *args: str) -> tuple[object, dict]:
    (tmp_path / "a.md").write_text(article, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SPEAKERS, encoding="utf-8")
    out = tmp_path / "source.yaml"
    result = invoke("import-text", str(tmp_path / "a.md"), "--id", "demo", "--speakers", str(tmp_path / "s.yaml"), "-o", str(out), *args)
    return result, (yaml.safe_load(out.read_text(encoding="utf-8")) if out.exists() else {})


@pytest.mark.parametrize("outlet_line", ["来源：晚点LatePost", "公众号：晚点LatePost", "文章作者：晚点LatePost"])
def test_a_named_outlet_wins_over_a_personal_author(tmp_path: Path, outlet_line: str) -> None:
    # the author line comes first: it used to fill the outlet (first header wins)
    result, data = _import(tmp_path, f"# 标题\n\n作者：韩思齐\n{outlet_line}\n{BODY}")
    assert result.exit_code == 0, result.output
    assert data["outlet"] == "晚点LatePost"
    assert "note " not in result.stdout


def test_front_matter_outlet_wins_over_author(tmp_path: Path) -> None:
    article = f"---\ntitle: 标题\nauthor: 韩思齐\noutlet: 晚点LatePost\n---\n\n{BODY}"
    result, data = _import(tmp_path, article)
    assert result.exit_code == 0, result.output
    assert data["outlet"] == "晚点LatePost"


def test_only_a_personal_author_is_used_and_the_summary_says_so(tmp_path: Path) -> None:
    result, data = _import(tmp_path, f"# 标题\n\n作者：韩思齐\n{BODY}")
    assert result.exit_code == 0, result.output
    assert data["outlet"] == "韩思齐"
    notes = [line for line in result.stdout.splitlines() if line.startswith("note ")]
    assert len(notes) == 1
    assert notes[0].startswith("note line 3: outlet '韩思齐' taken from the author line") and "--outlet" in notes[0]


def test_outlet_option_replaces_the_author_without_a_note(tmp_path: Path) -> None:
    result, data = _import(tmp_path, f"# 标题\n\n作者：韩思齐\n{BODY}", "--outlet", "晚点 LatePost")
    assert result.exit_code == 0, result.output
    assert data["outlet"] == "晚点 LatePost"
    assert "note " not in result.stdout
    assert "meta author '韩思齐' from line 3 (header line)" in result.stdout.splitlines()
    assert "meta outlet '晚点 LatePost' from --outlet" in result.stdout.splitlines()


def test_an_editorial_author_needs_no_note(tmp_path: Path) -> None:
    result, data = _import(tmp_path, f"# 标题\n\n作者：田野观察 编辑部\n{BODY}")
    assert result.exit_code == 0, result.output
    assert data["outlet"] == "田野观察 编辑部"
    assert "note " not in result.stdout
