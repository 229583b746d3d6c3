"""What following README's "Adding a source" on a 36氪-style 对话 write-up ran into, each fixed: a plain byline above
the header lines, a header line after the text, import-text on a missing file, a paragraph left out of source.yaml,
percentages and fractions in answers."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import Workspace, invoke, replace_once

from quizgen.curate.markdown import split_article
from quizgen.load.hints import numbers_in_answer, value_mismatch

SPEAKERS = [
    {"id": "editor", "name": "36氪编辑部", "role": "本文整理者", "narrator": True},
    {"id": "host", "name": "韩思齐", "role": "记者", "labels": ["问"]},
    {"id": "zhou", "name": "周晚晴", "role": "创始人", "labels": ["周晚晴", "答"]},
    {"id": "li", "name": "李明", "role": "CTO", "labels": ["李明"]},
]

DIALOGUE = """\
# 对话栖云储能周晚晴：户储出海，门槛在售后

文｜韩思齐　　编辑｜杜可

来源：36氪出海
发布时间：2025年3月8日 10:32
原文链接：https://36kr.com/p/3201845566123456

编者按：栖云储能2024年营收翻倍。以下为对话实录，经36氪编辑整理。

![周晚晴在深圳工厂](https://img.example.com/cover.jpg)

### 一、售后才是门槛

**问：** 户储出海真正的门槛是什么？

**答：** 是售后。我们做了三件事：

1. 本地仓四十八小时送到备件；
2. 远程诊断定位百分之八十的故障。

> 你们是唯一一家在周六早上接我电话的中国公司。

### 二、不拼电芯，拼软件

李明：电芯我们是买的，重点是能量管理系统。

周晚晴:所以我们招的软件工程师比硬件工程师多。

（本文图片均由受访者提供）

**延伸阅读：**

- [栖云储能完成B轮融资](https://36kr.com/p/1)
- [户用储能的2024](https://36kr.com/p/2)
"""


def _draft(text: str = DIALOGUE, **given: str):
    return split_article(text, speakers=SPEAKERS, default_speaker="editor", **given)


def test_dialogue_write_up_splits_into_sections_speakers_and_clean_text() -> None:
    draft = _draft()
    assert draft.problems == []
    data = draft.data
    assert (data["title"], data["outlet"], data["date"], data["url"]) == (
        "对话栖云储能周晚晴：户储出海，门槛在售后", "36氪出海", "2025-03-08", "https://36kr.com/p/3201845566123456")
    got = [(s["title"], [(p["speaker"], p["text"]) for p in s["paragraphs"]]) for s in data["sections"]]
    assert got == [
        ("导语", [("editor", "编者按：栖云储能2024年营收翻倍。以下为对话实录，经36氪编辑整理。")]),
        ("一、售后才是门槛", [
            ("host", "户储出海真正的门槛是什么？"),
            ("zhou", "是售后。我们做了三件事："),
            ("zhou", "本地仓四十八小时送到备件；"),
            ("zhou", "远程诊断定位百分之八十的故障。"),
            ("zhou", "你们是唯一一家在周六早上接我电话的中国公司。"),
        ]),
        ("二、不拼电芯，拼软件", [
            ("li", "电芯我们是买的，重点是能量管理系统。"),
            ("zhou", "所以我们招的软件工程师比硬件工程师多。"),
            ("zhou", "（本文图片均由受访者提供）"),
        ]),
    ]
    skipped = "\n".join(draft.skipped)
    assert "line 3: byline '文｜韩思齐\u3000\u3000编辑｜杜可': not part of the text" in skipped
    assert "line 11: image (周晚晴在深圳工厂)" in skipped
    # the "read more" list at the end is one summary line, not a heading and two links
    assert "line 32: 'read more' list from '延伸阅读：' to the end (lines 32–35, 2 blocks): not part of the text (--keep-extras keeps it)" in skipped


def test_header_line_after_the_text_is_pointed_at() -> None:
    text = "# 标题\n\n正文第一段，不是署名。\n\n来源：36氪出海\n发布时间：2025-03-08\n原文链接：https://36kr.com/p/1\n"
    problems = {p.field: p for p in _draft(text).problems}
    assert set(problems) == {"outlet", "date", "url"}
    assert problems["outlet"].line == 5
    assert problems["outlet"].message == (
        "the header line `来源:` comes after the text started (line 3: '正文第一段，不是署名。'), so it was read as a paragraph; "
        "move the header lines above the text (or delete line 3 if it is no text), or pass --outlet")
    assert _draft(text, outlet="36氪出海", date="2025-03-08", url="https://36kr.com/p/1").problems == []


def test_import_text_with_a_missing_file_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "article.md").write_text(DIALOGUE, encoding="utf-8")
    (tmp_path / "speakers.yaml").write_text(yaml.safe_dump(SPEAKERS, allow_unicode=True), encoding="utf-8")
    for article, speakers in (("article.md", "nope.yaml"), ("nope.md", "speakers.yaml")):
        result = invoke("import-text", article, "--id", "qiyun", "--speakers", speakers, "-o", "source.yaml")
        assert "internal error" not in result.output
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: nope."), result.stderr
    assert not (tmp_path / "source.yaml").exists()
    result = invoke("import-text", "article.md", "--id", "qiyun", "--speakers", "speakers.yaml", "--genre", "对话", "-o", "source.yaml")
    assert result.exit_code == 0, result.output
    assert "skipped line 3: byline" in result.stdout


def test_paragraphs_left_out_of_source_yaml_are_no_difference(ws: Workspace) -> None:
    # README, step 4: remove paragraphs that are not the article's text; check must not warn about it ever after
    source = yaml.safe_load(ws.source_yaml.read_text(encoding="utf-8"))
    dropped = source["sections"][0]["paragraphs"][0]["text"]
    replace_once(ws.source_yaml, f"    text: {dropped}\n", "    text: PLACEHOLDER\n")
    text = ws.source_yaml.read_text(encoding="utf-8")
    start = text.index("  - id: p001\n")
    ws.source_yaml.write_text(text[:start] + text[text.index("  - id: p002\n"):], encoding="utf-8")
    result = ws.check()
    assert result.exit_code == 0, result.output
    assert "source.yaml: sections" not in result.stderr, result.stderr


def test_percentages_and_fractions_in_answers(ws: Workspace) -> None:
    assert numbers_in_answer("百分之零点八")[0] == 0.8
    assert numbers_in_answer("百分之十八左右")[0] == 18
    assert numbers_in_answer("三点五倍") == [3.5]
    for value, answer in [(0.8, "百分之零点八"), (18, "百分之十八左右"), (0.33, "三分之一"), (33.3, "三分之一"), (0.75, "四分之三"),
                          (5, "千分之五"), (12000, "一点二万"), (48, "四十八小时")]:
        assert value_mismatch(value, answer) is None, (value, answer)
    message = value_mismatch(8, "百分之零点八")
    assert message and "a percentage as its number, 百分之十八 -> 18" in message
    assert value_mismatch(0.5, "三分之一")
    # the message for plain numbers is unchanged
    assert value_mismatch(120, "1200 台") == ("value 120 is not the number in answer '1200 台' (1200); make `value` the number "
                                             "the answer states (with 万/亿 multiplied out)")



def test_a_page_copied_with_its_title_as_level_two_heading() -> None:
    text = "## 对话周晚晴：门槛在售后\n\n来源: 36氪\n日期: 2025-03-08\n链接: https://36kr.com/p/1\n\n**问**：为什么？\n\n**答**:因为售后。\n\n## 二、软件\n\n问：再问\n"
    draft = _draft(text)
    assert draft.problems == []
    assert (draft.data["title"], draft.data["outlet"], draft.data["date"]) == ("对话周晚晴：门槛在售后", "36氪", "2025-03-08")
    assert [(s["title"], [p["speaker"] for p in s["paragraphs"]]) for s in draft.data["sections"]] == [
        ("导语", ["host", "zhou"]), ("二、软件", ["host"])]
    assert draft.skipped[0].startswith("line 1: heading '对话周晚晴：门槛在售后' (level 2) taken as the title")
    # told the title, the heading stays a section
    draft = _draft(text, title="别的标题")
    assert [s["title"] for s in draft.data["sections"]] == ["对话周晚晴：门槛在售后", "二、软件"]


def test_a_byline_with_the_date_gives_the_date() -> None:
    draft = _draft("# 标题\n\n36氪 · 2025年3月8日\n\n**问：** 你好？\n", outlet="36氪", url="https://36kr.com/p/1")
    assert draft.problems == []
    assert draft.data["date"] == "2025-03-08"
    assert draft.skipped == ["line 3: byline '36氪 · 2025年3月8日': not part of the text"]
