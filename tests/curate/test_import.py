"""`quizgen import-text` on articles as people find them: a Q/A interview, a talk transcript, a write-up with a byline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, assert_problems, invoke, paragraphs
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.curate.markdown import split_article
from quizgen.load.content import load_content

TALK = FIXTURES / "talk_source"
TALK_ID = "xiliu-chen-2025"

INTERVIEW = """\
# 对话青禾农业周蔓：让一亩地多打两百斤粮

作者：田野观察 编辑部
发布时间：2025年3月2日 09:30
原文链接：[阅读原文](https://example.com/tianye/zhou-man)

田野观察专访

**编者按：** 本期我们请到了青禾农业的创始人周蔓，聊聊无人机植保和小农户的账本。

Q：你们最早是怎么找到第一批用户的？

A：靠一个村一个村地跑。2018 年我们在河南周口，给 *三十户* 农民免费打了一季药。
第二年，其中二十六户主动来找我们付钱。

Q：无人机植保到底省在哪里？

A：省药、省水、省人工。以前一个人背着药箱一天打二十亩，现在一架无人机一天能打三百亩，
用药量还少了三成。

问：小农户买得起吗？

答：大多数人不买，而是按亩付服务费，一亩地八块钱。
"""

WRITEUP = """\
标题：县城咖啡馆的第三年
来源：小城生意观察
日期：2024/11/08
原文链接：https://example.com/xiaocheng/coffee

**文｜王一凡**

去年冬天，我在江西的一个县城里，数到了十一家咖啡馆。三年前，这里一家都没有。

**一、谁在县城喝咖啡**

店主林可告诉我，她的客人大多是在县城工作的年轻公务员和教师，
还有不少回乡创业的人。**工作日的下午是最忙的时候**，很多人把咖啡馆当成了办公室。

**二、房租之外的账**

县城的房租只有省城的五分之一，但客流也少得多。林可算过一笔账：一杯拿铁卖十八元，
每天要卖出六十杯才能保本。

![店里的吧台](https://example.com/xiaocheng/bar.jpg)

**三、下一步**

她打算明年在店里加一个烘焙角，卖面包和蛋糕，让客人不只是在下午来。
"""

INTERVIEW_SPEAKERS = """\
- {id: editor, name: 田野观察编辑部, role: 本文整理者, narrator: true, labels: [编者按]}
- {id: host, name: 记者, role: 田野观察记者, labels: [Q, 问]}
- {id: zhou, name: 周蔓, role: 青禾农业创始人, labels: [A, 答, 周蔓]}
"""

WRITEUP_SPEAKERS = "- {id: author, name: 王一凡, role: 作者, narrator: true}\n"


def _import(tmp_path: Path, article: str, speakers: str, *args: str, source_id: str = "demo") -> tuple[object, dict]:
    (tmp_path / "a.md").write_text(article, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(speakers, encoding="utf-8")
    out = tmp_path / "source.yaml"
    result = invoke("import-text", str(tmp_path / "a.md"), "--id", source_id, "--speakers", str(tmp_path / "s.yaml"), "-o", str(out), *args)
    data = yaml.safe_load(out.read_text(encoding="utf-8")) if out.exists() else {}
    return result, data


def test_qa_interview_maps_q_and_a_through_the_speakers_file(tmp_path: Path) -> None:
    result, data = _import(tmp_path, INTERVIEW, INTERVIEW_SPEAKERS, "--genre", "访谈")
    assert result.exit_code == 0, result.output
    assert (data["title"], data["outlet"], data["date"], data["url"]) == (
        "对话青禾农业周蔓：让一亩地多打两百斤粮", "田野观察 编辑部", "2025-03-02", "https://example.com/tianye/zhou-man")
    assert paragraphs(data) == [
        ("导语", "editor", "本期我们请到了青禾农业的创始人周蔓，聊聊无人机植保和小农户的账本。"),
        ("导语", "host", "你们最早是怎么找到第一批用户的？"),
        ("导语", "zhou", "靠一个村一个村地跑。2018 年我们在河南周口，给 三十户 农民免费打了一季药。 第二年，其中二十六户主动来找我们付钱。"),
        ("导语", "host", "无人机植保到底省在哪里？"),
        ("导语", "zhou", "省药、省水、省人工。以前一个人背着药箱一天打二十亩，现在一架无人机一天能打三百亩， 用药量还少了三成。"),
        ("导语", "host", "小农户买得起吗？"),
        ("导语", "zhou", "大多数人不买，而是按亩付服务费，一亩地八块钱。"),
    ]
    assert "skipped line 7: dateline '田野观察专访': not part of the text" in result.stdout.splitlines()


def test_talk_with_headings_code_and_links(tmp_path: Path) -> None:
    article = (TALK / "content" / TALK_ID / "article.md").read_text(encoding="utf-8")
    result, data = _import(tmp_path, article, (TALK / "speakers.yaml").read_text(encoding="utf-8"), "--genre", "演讲", source_id=TALK_ID)
    assert result.exit_code == 0, result.output
    assert data["outlet"] == "开源中国开发者大会" and data["date"] == "2025-06-14"
    assert [s["title"] for s in data["sections"]] == ["导语", "一台服务器起步", "中文分词是最难的一关", "社区是怎么长起来的",
                                                      "快，但不只是快", "开源怎么养活自己"]
    paras = paragraphs(data)
    assert paras[0] == ("导语", "editor", "本文根据陈思远在 2025 开源中国开发者大会上的演讲整理，经本人审阅。")
    assert paras[1][:2] == ("导语", "host") and paras[2][:2] == ("导语", "chen")
    # the speaker carries on across ## headings; inline code keeps its words without backticks
    code = next(p for p in paras if "cargo install" in p[2])
    assert code[:2] == ("一台服务器起步", "chen")
    assert "执行 cargo install xiliu，再运行 xiliu serve，" in code[2] and "`" not in code[2]
    assert all("**" not in t and "](" not in t for _, _, t in paras)
    assert [p[1] for p in paras[-2:]] == ["host", "chen"]
    # the links list and the photo are named in the summary, not silently dropped
    skipped = [line for line in result.stdout.splitlines() if line.startswith("skipped ")]
    assert any("link '溪流项目主页'" in line for line in skipped)
    assert any("image (演讲现场)" in line for line in skipped)
    assert any("heading '相关链接': no text under it" in line for line in skipped)
    # the committed fixture is exactly this draft (reviewed, with section ids named)
    shipped = yaml.safe_load((TALK / "content" / TALK_ID / "source.yaml").read_text(encoding="utf-8"))
    assert paragraphs(shipped) == paras


def test_writeup_with_bold_headings_and_a_byline(tmp_path: Path) -> None:
    result, data = _import(tmp_path, WRITEUP, WRITEUP_SPEAKERS)
    assert result.exit_code == 0, result.output
    assert (data["title"], data["outlet"], data["date"]) == ("县城咖啡馆的第三年", "小城生意观察", "2024-11-08")
    assert paragraphs(data) == [
        ("导语", "author", "去年冬天，我在江西的一个县城里，数到了十一家咖啡馆。三年前，这里一家都没有。"),
        ("一、谁在县城喝咖啡", "author", "店主林可告诉我，她的客人大多是在县城工作的年轻公务员和教师， 还有不少回乡创业的人。工作日的下午是最忙的时候，很多人把咖啡馆当成了办公室。"),
        ("二、房租之外的账", "author", "县城的房租只有省城的五分之一，但客流也少得多。林可算过一笔账：一杯拿铁卖十八元， 每天要卖出六十杯才能保本。"),
        ("三、下一步", "author", "她打算明年在店里加一个烘焙角，卖面包和蛋糕，让客人不只是在下午来。"),
    ]
    assert "skipped line 6: byline '文｜王一凡': not part of the text" in result.stdout


def test_options_override_the_article_and_keep_the_outlet_whole(tmp_path: Path) -> None:
    result, data = _import(tmp_path, WRITEUP, WRITEUP_SPEAKERS, "--outlet", "小城 生意 观察", "--date", "2024-11-09", "--title", "别的标题")
    assert result.exit_code == 0, result.output
    assert (data["title"], data["outlet"], data["date"]) == ("别的标题", "小城 生意 观察", "2024-11-09")
    assert "replaced by --outlet" in result.stdout


def test_every_problem_at_once_with_lines(tmp_path: Path) -> None:
    article = "正文第一段，没有标题。\n\n**主持人：** 你好。\n\nQ：一？\n\nQ：二？\n\nQ：三？\n"
    result, _ = _import(tmp_path, article, "- {id: guest, name: 嘉宾, role: 嘉宾}\n", "--date", "下周", source_id="Bad_Id")
    a = str(tmp_path / "a.md")
    assert_problems(
        result,
        f"{a}: outlet: not found in the article; add a `文章作者: 媒体名` header line or `outlet:` front matter, or pass --outlet",
        f"{a}: title: not found in the article; add a `# 标题` line or `title:` front matter, or pass --title",
        f"{a}: url: not found in the article; add a `原文链接: https://…` header line or `url:` front matter, or pass --url",
        f"{a}:3: speaker: '主持人' looks like a speaker label but no speaker lists it; add it to that speaker's `labels` in the speakers file",
        f"{a}:5: speaker: 3 paragraphs start with 'Q：'; if it names a speaker, add 'Q' to that speaker's `labels` in the speakers file",
        "quizgen import-text: --date: '下周' is not a date; write it as YYYY-MM-DD",
        "quizgen import-text: --id: 'Bad_Id' is not a usable source id; use lowercase letters, digits and hyphens, "
        "starting with a letter or digit (e.g. my-talk-2025)",
    )
    assert not (tmp_path / "source.yaml").exists()


def test_bad_speakers_file_reports_every_entry(tmp_path: Path) -> None:
    speakers = "- {id: host, name: 主持人}\n- {id: Guest, name: 嘉宾, role: 嘉宾}\n"
    result, _ = _import(tmp_path, WRITEUP, speakers)
    s = str(tmp_path / "s.yaml")
    assert_problems(result, f"{s}:1: 0.role: required field is missing; add it",
                    re.compile(rf"{re.escape(s)}:2: 1\.id: String should match pattern .*"))


def test_a_tiny_article_imports_and_checks(tmp_path: Path) -> None:
    """The smallest useful article: a title, the three header lines and one paragraph."""
    article = "# 小文章\n\n文章作者: 某刊\n发布时间: 2025-01-02\n原文链接: https://example.com/x\n\n只有一段正文。\n"
    (tmp_path / "content" / "tiny").mkdir(parents=True)
    (tmp_path / "content" / "tags.yaml").write_text("tags: []\n", encoding="utf-8")
    (tmp_path / "a.md").write_text(article, encoding="utf-8")
    (tmp_path / "s.yaml").write_text("- {id: author, name: 作者, role: 作者}\n", encoding="utf-8")
    out = tmp_path / "content" / "tiny" / "source.yaml"
    result = invoke("import-text", str(tmp_path / "a.md"), "--id", "tiny", "--speakers", str(tmp_path / "s.yaml"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].startswith(f"wrote {out}: 1 sections, 1 paragraphs")
    loaded = load_content(tmp_path / "content").sources["tiny"].source
    assert [p.text for s in loaded.sections for p in s.paragraphs] == ["只有一段正文。"]


@pytest.mark.parametrize("genre", ["访谈", "演讲", "对话", "文章"])
def test_genre_is_recorded(tmp_path: Path, genre: str) -> None:
    result, _ = _import(tmp_path, WRITEUP, WRITEUP_SPEAKERS, "--genre", genre)
    assert result.exit_code == 0, result.output
    assert re.search(rf"^#? ?genre: {genre}$", (tmp_path / "source.yaml").read_text(encoding="utf-8"), re.M)


MARKDOWNISH = st.lists(st.sampled_from(list("#*_`[]()!<>|-:：\n \\1.甲乙Q") + [
    "**甲：**", "## ", "```\n", "---\n", "  \n", "文章作者: ", "发布时间: 2024-13-40", "原文链接: http://x", "![a](b)", "[t](u)"]),
    max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=MARKDOWNISH)
def test_any_text_splits_without_crashing(text: str) -> None:
    """Whatever the article holds, the splitter returns a draft or problems, never an exception."""
    speakers = [{"id": "a", "name": "甲", "role": "r", "labels": ["甲", "Q"]}, {"id": "b", "name": "乙", "role": "r", "labels": ["乙"]}]
    draft = split_article(text, speakers=speakers, default_speaker="a")
    assert all(p["text"] and p["speaker"] in ("a", "b") for s in draft.data["sections"] for p in s["paragraphs"])
    assert all(problem.file == "article.md" for problem in draft.problems)


def test_front_matter_genre_must_be_known(tmp_path: Path) -> None:
    article = "---\ntitle: 标题\noutlet: 某刊\ndate: 2025-01-02\nurl: https://example.com/x\ngenre: 播客\n---\n\n正文。\n"
    result, _ = _import(tmp_path, article, WRITEUP_SPEAKERS)
    assert_problems(result, f"{tmp_path / 'a.md'}: genre: '播客' is not a genre; use one of 访谈, 演讲, 对话, 文章 (or pass --genre)")


def test_header_lines_in_traditional_characters_are_read(tmp_path: Path) -> None:
    """A Taiwan or Hong Kong transcript writes 來源, 發佈時間, 原文鏈接: the same header lines (found following the
    how-to on a real traditional-character interview transcript)."""
    article = ("# 專訪林小文\n\n來源：島嶼觀察\n發佈時間：2022年5月23日\n原文鏈接：https://example.tw/lin\n\n"
               "記者：您是幾歲開始寫程式的？\n\n林小文：大概是十二歲，在學校的電腦教室。\n")
    speakers = "- {id: host, name: 記者, role: 採訪者, labels: [記者]}\n- {id: lin, name: 林小文, role: 受訪者, labels: [林小文]}\n"
    result, data = _import(tmp_path, article, speakers, "--genre", "访谈")
    assert result.exit_code == 0, result.output
    assert (data["title"], data["outlet"], data["date"], data["url"]) == ("專訪林小文", "島嶼觀察", "2022-05-23", "https://example.tw/lin")
    assert [(speaker, text) for _, speaker, text in paragraphs(data)] == [
        ("host", "您是幾歲開始寫程式的？"), ("lin", "大概是十二歲，在學校的電腦教室。")]
