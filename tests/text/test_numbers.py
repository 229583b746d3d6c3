"""Numbers with their units come out whole in `quizgen suggest`, and numeral fragments never pose as key terms."""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURES, invoke

from quizgen.text.segment import is_number_fragment, numbers_in

TALK_CONTENT = FIXTURES / "talk_source" / "content"
TALK_ID = "xiliu-chen-2025"


@pytest.mark.parametrize(("text", "expected"), [
    ("现在溪流有三百多位贡献者，其中有四十位是核心维护者。", ["三百多位", "四十位"]),
    ("GitHub 上有两万多颗星，拜访了二十家公司，快了六倍", ["两万多颗", "二十家", "六倍"]),
    ("卖出四万多套，明年四十多万套左右", ["四万多套", "四十多万套左右"]),
    ("百分之二十的用户，三分之一的时间，百分之十八左右", ["百分之二十", "三分之一", "百分之十八左右"]),
    ("每周七天，七十个人，两到三倍，几十年，十亿倍，1 亿个 AI", ["七天", "七十个", "两到三倍", "几十年", "十亿倍", "1 亿个"]),
    ("3.2 万名员工，260 亿美元，10 万倍，20%，2019 年，300 余家，10 多年", ["3.2 万名", "260 亿美元", "10 万倍", "20%", "2019 年", "300 余家", "10 多年"]),
    # articles and idioms are not figures; nor an ordinal, nor a link's letters and digits
    ("一个问题，一家公司，几种，一样，一起，一直，一点，一来，万一，十分重要，第一个，唯一的，19gW8", []),
])
def test_numbers_come_out_whole_with_their_units(text: str, expected: list[str]) -> None:
    assert numbers_in(text) == expected


def test_numeral_fragments_are_not_terms() -> None:
    assert all(map(is_number_fragment, ["三百", "二十", "七十个", "三百多", "两万多", "一件", "2019"]))
    assert not any(map(is_number_fragment, ["开源", "一样", "维护者", "Blackwell", "十年计划"]))


def test_suggest_lists_numbers_whole_and_keeps_them_out_of_terms(jieba_cache: dict[str, str]) -> None:
    result = invoke("suggest", "--content", str(TALK_CONTENT), "--top", "30", env=jieba_cache)
    assert result.exit_code == 0, result.output
    blocks: dict[str, dict[str, list[str]]] = {}
    for line in result.stdout.splitlines():
        if m := re.match(rf"{TALK_ID} (p\d+) \[", line):
            current = blocks.setdefault(m.group(1), {})
        elif m := re.match(r"  (terms|numbers):\s+(.*)", line):
            current[m.group(1)] = m.group(2).split("、")
    assert {"三百多位", "四十位"} <= set(blocks["p009"]["numbers"])
    assert {"二十家", "六倍"} <= set(blocks["p010"]["numbers"])
    assert "两万多颗" in blocks["p002"]["numbers"]
    terms = [t for b in blocks.values() for t in b.get("terms", [])]
    # jieba's cuts of those numbers (三百多, 四十位, 二十家, 两万多, 颗星) used to be listed as key terms
    assert not [t for t in terms if is_number_fragment(t) or t == "颗星"], terms
    assert "核心维护者" in blocks["p009"]["terms"]
