"""import-text on what people actually have: a WeChat/Cubox Markdown export with broken bold labels, glued headings
and promotion; saved web pages (WeChat, 36氪, 知乎, a blog); 1 MB of adversarial Markdown."""

from __future__ import annotations

import time
from pathlib import Path

import yaml
from adversarial import adversarial
from conftest import invoke, paragraphs

from quizgen.curate.markdown import split_article

HERE = Path(__file__).parent / "fixtures"
SPEAKERS = [
    {"id": "editor", "name": "暗涌编辑部", "role": "整理者", "narrator": True},
    {"id": "host", "name": "于丽丽", "role": "记者", "labels": ["暗涌", "问", "Q"]},
    {"id": "liang", "name": "梁某", "role": "创始人", "labels": ["梁某", "答", "A"]},
]

EXPORT = """\
# 疯狂的幻方：一家隐形AI巨头的大模型之路

原创 于丽丽 暗涌Waves

[https://mp.weixin.qq.com/s/AbCdEf__x](https://mp.weixin.qq.com/s/AbCdEf__x)

2023年05月25日 08:00

![图片](https://mmbiz.qpic.cn/cover.png)**做研究，做探索**

**「暗涌」** **：你们为什么要做大模型？**

**梁某：** 我们要做的是通用人工智能，这是一件很长期的事情。

****「暗涌」：****很多人会好奇，这件事和量化有什么关系？

梁某 ：没有直接关系。

**「****暗涌」：那你们怎么招人？**

【梁某】看能力，不看经验。

**\\>**"看能力，不看经验。"

**你们会融资吗？**

短期不会。

图片来源｜视觉中国

![图片](https://mmbiz.qpic.cn/a.png)**尾声**

Q: 最后一个问题？

A: 好。

你觉得这条路能走通吗？

排版｜小北

暗涌Waves 51篇原创内容 公众号

**推荐阅读**

[另一篇](https://mp.weixin.qq.com/s/1)
"""


def _draft(text: str, **kw):
    return split_article(text, speakers=SPEAKERS, default_speaker="editor", outlet="暗涌Waves", **kw)


def test_wechat_export_credits_every_question_and_keeps_every_heading() -> None:
    draft = _draft(EXPORT)
    assert draft.problems == []
    assert (draft.data["date"], draft.data["url"]) == ("2023-05-25", "https://mp.weixin.qq.com/s/AbCdEf__x")
    assert paragraphs(draft.data) == [
        ("做研究，做探索", "host", "你们为什么要做大模型？"),
        ("做研究，做探索", "liang", "我们要做的是通用人工智能，这是一件很长期的事情。"),
        ("做研究，做探索", "host", "很多人会好奇，这件事和量化有什么关系？"),
        ("做研究，做探索", "liang", "没有直接关系。"),
        ("做研究，做探索", "host", "那你们怎么招人？"),
        ("做研究，做探索", "liang", "看能力，不看经验。"),
        ("做研究，做探索", "host", "你们会融资吗？"),
        ("做研究，做探索", "liang", "短期不会。"),
        ("尾声", "host", "最后一个问题？"),
        ("尾声", "liang", "好。"),
        ("尾声", "liang", "你觉得这条路能走通吗？"),
    ]
    assert not any("图片" in t or "原创内容" in t or "排版" in t for _, _, t in paragraphs(draft.data))
    skipped = "\n".join(draft.skipped)
    for what in ("pull quote", "caption '图片来源｜视觉中国'", "credit '排版｜小北'", "account promotion", "'read more' list from '推荐阅读'"):
        assert what in skipped, what
    assert any("p007 is a bold question without a label" in w for w in draft.warnings)
    assert any("p011 is credited to 'liang' but ends with a question mark" in w for w in draft.warnings)
    kept = paragraphs(_draft(EXPORT, keep_extras=True).data)
    assert any(t == "排版｜小北" for _, _, t in kept) and any("原创内容" in t for _, _, t in kept)


def test_a_label_left_in_the_text_is_a_warning_naming_the_line() -> None:
    draft = _draft("# 标题\n\n发布时间: 2023-05-25\n原文链接: https://x.example/a\n\n**暗涌：** 暗涌：你好？\n")
    assert draft.warnings == ["line 6: p001 still starts with the label '暗涌' after import; remove it from the text and check the paragraph's speaker"]


def test_metadata_origins_are_printed_and_overridable(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(EXPORT, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(SPEAKERS, allow_unicode=True), encoding="utf-8")
    result = invoke("import-text", str(tmp_path / "a.md"), "--id", "demo", "--speakers", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "o.yaml"),
                    "--outlet", "暗涌Waves", "--date", "2023-05-26")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "meta title '疯狂的幻方：一家隐形AI巨头的大模型之路' from line 1 (title heading)" in lines
    assert "meta url 'https://mp.weixin.qq.com/s/AbCdEf__x' from line 5 (source link)" in lines
    assert "meta date '2023-05-26' from --date" in lines
    assert yaml.safe_load((tmp_path / "o.yaml").read_text(encoding="utf-8"))["date"] == "2023-05-26"


def test_one_megabyte_of_adversarial_markdown_is_linear() -> None:
    text = adversarial()
    start = time.perf_counter()
    draft = _draft(text)
    assert time.perf_counter() - start < 10  # bench/bench_import.py prints the real figure (about 2 s)
    assert draft.data["sections"]


PAGES = {
    "wechat.html": ("对话梁某：做研究，不做应用", "暗涌Waves", "2023-05-25", "http://mp.weixin.qq.com/s/AbCdEf",
                    [("做研究，做探索", "host"), ("做研究，做探索", "liang"), ("做研究，做探索", "host"), ("做研究，做探索", "liang")]),
    "36kr.html": ("对话栖云储能：门槛在售后", "36氪", "2025-03-08", "https://36kr.com/p/3201845566123456",
                  [("一、售后才是门槛", "host"), ("一、售后才是门槛", "liang"), ("二、不拼电芯，拼软件", "host"), ("二、不拼电芯，拼软件", "liang")]),
    "zhihu.html": ("为什么县城咖啡馆越开越多？", "知乎", "2024-11-08", "https://www.zhihu.com/question/600000001/answer/3000000002",
                   [("导语", "editor"), ("一、谁在县城喝咖啡", "editor"), ("二、房租之外的账", "editor")]),
    "blog.html": ("一台服务器起步", "陈思远的博客", "2025-06-14", "https://blog.example.com/2025/06/one-server",
                  [("导语", "editor"), ("装上就能用", "editor"), ("装上就能用", "editor")]),
}


def test_saved_web_pages_import_like_markdown(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(SPEAKERS, allow_unicode=True), encoding="utf-8")
    for name, (title, outlet, date, url, shape) in PAGES.items():
        out = tmp_path / name / "source.yaml"
        result = invoke("import-text", str(HERE / name), "--id", "page", "--speakers", str(tmp_path / "s.yaml"), "-o", str(out))
        assert result.exit_code == 0, (name, result.output)
        data = yaml.safe_load(out.read_text(encoding="utf-8"))
        assert (data["title"], data["outlet"], str(data["date"]), data["url"]) == (title, outlet, date, url), name
        assert [(s["title"], p["speaker"]) for s in data["sections"] for p in s["paragraphs"]] == shape, name
        texts = [p["text"] for s in data["sections"] for p in s["paragraphs"]]
        assert not any(w in t for t in texts for w in ("排版", "原创内容", "题图", "著作权", "推荐阅读")), (name, texts)
        assert (out.parent / "article.md").read_text(encoding="utf-8").startswith("---\ntitle: ")
        assert f"wrote {out.parent / 'article.md'}: the page's text" in result.stdout
