"""A blank next to Chinese has no space around it, in the key CSV and in the platform exports alike."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from conftest import PROJECT, invoke

from quizgen.load.sets import load_set_file
from quizgen.outputs.common import stem
from quizgen.text.typography import with_gap

CHINESE = r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]"
SPACED = re.compile(rf"{CHINESE} +＿|＿ +{CHINESE}")


def test_with_gap_drops_spaces_only_next_to_chinese() -> None:
    assert with_gap("降低 ", "＿＿", " 左右") == "降低＿＿左右"
    assert with_gap("再加上 ", "＿＿", " AI 当助手") == "再加上＿＿ AI 当助手"
    assert with_gap("用了 ", "＿＿", "。") == "用了＿＿。"


def test_cloze_blanks_in_the_key_csv_and_exports_sit_flush_with_chinese(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(PROJECT)
    out = tmp_path / "sets" / "every-cloze.yaml"
    result = invoke("generate", "--type", "cloze", "--count", "0", "--importance", "all", "-o", str(out))
    assert result.exit_code == 0, result.output
    result = invoke("quiz", str(out), "--out", str(tmp_path / "build"))
    assert result.exit_code == 0, result.output
    key = (tmp_path / "build" / "every-cloze" / "every-cloze-key.csv").read_text(encoding="utf-8-sig")
    prompts = [row["prompt"] for row in csv.DictReader(io.StringIO(key)) if row["type"] == "cloze"]
    assert prompts and all("＿" in p for p in prompts)
    assert [p for p in prompts if SPACED.search(p)] == []
    stems = [stem(q) for q in load_set_file(out).questions]
    assert [s for s in stems if SPACED.search(s)] == []
