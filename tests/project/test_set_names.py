"""A generated set never takes a recipe's output name: its deck and quiz would overwrite the recipe's in build/."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import PROJECT, assert_problems, invoke


def test_a_set_named_like_a_recipe_output_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(PROJECT)
    target = tmp_path / "bg2-short-quiz.yaml"
    result = invoke("generate", "--count", "3", "-o", str(target))
    assert_problems(result, re.compile(r"quizgen generate: --out: the set would be named 'bg2-short-quiz', the output of "
                                       r"decks/short-quiz\.toml, .*choose another file name"))
    assert not target.exists()


def test_any_other_name_is_fine(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(PROJECT)
    target = tmp_path / "my-practice.yaml"
    result = invoke("generate", "--count", "3", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "output: my-practice" in target.read_text(encoding="utf-8")
