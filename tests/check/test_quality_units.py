"""mcq-unit reads a figure's unit without its approximate words (多, 余, 来, 几, 左右, 上下, 约)."""

from __future__ import annotations

import pytest

from quizgen.check.quality import _unit


@pytest.mark.parametrize(("option", "unit"), [
    ("10 万倍", "倍"), ("19 天", "天"), ("四万多套", "套"), ("四十多万套", "套"), ("二十余家", "家"),
    ("十来个", "个"), ("几十年", "年"), ("三千台左右", "台"), ("五十人上下", "人"), ("约 3000 台", "台"),
    ("大约两周", "周"), ("几百人", "人"),
])
def test_unit_leaves_out_approximate_words(option: str, unit: str) -> None:
    assert _unit(option) == unit


def test_approximate_figures_are_not_reported_as_another_unit(ws) -> None:
    bank = ws.source_dir / "bank" / "02-scale.yaml"
    text = bank.read_text(encoding="utf-8")
    old = "distractors: [2000 台, 3000 台, 10000 台]"
    assert old in text
    bank.write_text(text.replace(old, "distractors: [两千多台, 三千台左右, 约一万台]"), encoding="utf-8")
    result = ws.check()
    assert "[mcq-unit]" not in result.output, result.output
    # a distractor in another unit is still reported
    bank.write_text(text.replace(old, "distractors: [两千多台, 三千台左右, 一万多套]"), encoding="utf-8")
    result = ws.check()
    assert result.exit_code == 1
    assert "[mcq-unit] item xh-f-plan-this-year" in result.stderr and "'一万多套'" in result.stderr, result.output
