"""The set every export test reads back: every question the shipped bank makes, plus a source of hostile text.

Not a conftest: the tests/outputs/test_export_*.py modules import it by name. Built once per test session.
"""

from __future__ import annotations

import functools
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import yaml

from quizgen.generate.questions import Generator
from quizgen.load.content import load_content, load_templates
from quizgen.models import Filters, Question, QuestionSet

ROOT = Path(__file__).resolve().parents[1]

# Everything a format could mistake for its own syntax: HTML, Anki/Jinja braces, GIFT's ~ = # { } : and
# backslash, XML's ]]> and entities, quotes, Moodle's * wildcard and ->, a fake category and id.
HOSTILE = r"""<b>粗体</b> <script>alert("x")</script> {{c1::leak}} {x} a:b ::t:: ~=# C:\dir\n ]]> &amp; 'single' * -> $CATEGORY: // [id:fake]"""

SOURCE = {
    "id": "hostile-export",
    "title": "危险来源 <i>斜体</i> ]]> {{Title}}",
    "outlet": "测试",
    "date": "2024-02-02",
    "url": "https://example.invalid/x?a=<b>&c=]]>",
    "speakers": [
        {"id": "host", "name": "主持人 <u>甲</u>", "role": "主持人"},
        {"id": "guest", "name": "嘉宾 {乙}:\\", "role": "嘉宾"},
    ],
    "sections": [
        {"id": "s1", "title": "第一节 ]]> {{c2::y}}", "paragraphs": [
            {"id": "p001", "speaker": "host", "text": f"问题：{HOSTILE} 公司增长了多少？"},
            {"id": "p002", "speaker": "guest", "text": f"回答：{HOSTILE} 公司增长了 10 倍，而不是 4 倍，也不是 2 倍或 3 倍。"
                                                       "合作方是 A{B}:C 公司。"},
        ]},
    ],
}

BANK = {
    "section": "s1",
    "items": [
        {"id": "hx-growth", "kind": "fact", "paragraph": "p002", "question": f"{HOSTILE} 公司增长了多少倍？",
         "answer": "10 倍", "answer_type": "number", "value": 10, "unit": "倍",
         "statement": f"{HOSTILE} 公司增长了 10 倍。", "evidence": HOSTILE, "distractors": ["4 倍", "2 倍", "3 倍"],
         "accept": ["十倍", "10倍*"], "explanation": f"解释 {HOSTILE}", "false_statement": f"{HOSTILE} 公司增长了 4 倍。"},
        {"id": "hx-partner", "kind": "fact", "paragraph": "p002", "question": "合作方是哪家公司？ {{c1::x}} =1+1",
         "answer": "A{B}:C", "answer_type": "company", "statement": "合作方是 A{B}:C 公司。", "evidence": "合作方是 A{B}:C 公司。",
         "distractors": ["=SUM(A1)", "<b>D</b>", "E\\F ~#"], "accept": ["A{B}:C 公司"]},
        {"id": "hx-line", "kind": "quote", "paragraph": "p002", "text": HOSTILE, "context": "测试 ]]> </textarea>", "cloze": "alert"},
        {"id": "hx-arg", "kind": "argument", "paragraph": "p002", "claim": f"论点 {HOSTILE}", "question": f"为什么 {HOSTILE}？",
         "reasons": [f"理由一 {HOSTILE}", "理由二 {{c2::x}} ]]>", "理由三 a -> b = c"], "conclusion": "结论 </script> ~#", "evidence": HOSTILE},
        {"id": "hx-term", "kind": "term", "paragraph": "p002", "term": "{{Front}}", "definition": f"定义 {HOSTILE}", "evidence": HOSTILE},
        {"id": "hx-term2", "kind": "term", "paragraph": "p002", "term": "]]>", "definition": "另一个定义 :: =", "evidence": "]]>"},
        {"id": "hx-term3", "kind": "term", "paragraph": "p002", "term": "~=#", "definition": "第三个定义 \\", "evidence": "~=#"},
        {"id": "hx-term4", "kind": "term", "paragraph": "p002", "term": "<img>", "definition": "第四个定义 &amp;", "evidence": "C:\\dir\\n"},
    ],
}


def _questions(content_dir: Path, templates: dict) -> list[Question]:
    gen = Generator(load_content(content_dir), templates)
    questions = gen.questions()
    gen.problems.raise_if_any()
    return questions


@functools.cache
def export_set() -> QuestionSet:
    """Every question the shipped bank's templates make, then every question of the hostile source."""
    templates = load_templates(ROOT / "templates")
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp, "content")
        (content / SOURCE["id"] / "bank").mkdir(parents=True)
        (content / "tags.yaml").write_text("tags:\n  - {id: numbers, label: 数字}\n", encoding="utf-8")
        (content / SOURCE["id"] / "source.yaml").write_text(yaml.safe_dump(SOURCE, allow_unicode=True), encoding="utf-8")
        (content / SOURCE["id"] / "bank" / "01-s1.yaml").write_text(yaml.safe_dump(BANK, allow_unicode=True), encoding="utf-8")
        hostile = _questions(content, templates)
    questions = _questions(ROOT / "content", templates) + hostile
    return QuestionSet(title='全部题目 <script>alert(1)</script> ]]> {{c1::t}} "q" & ~=#', output="every-question",
                       deck_name="every", deck_id=1, seed=0, sources=("bg2-huang-2024", SOURCE["id"]),
                       filters=Filters(), questions=tuple(questions))


def squash(text: str) -> str:
    """Runs of whitespace as one space, trimmed: GIFT readers and HTML collapse them."""
    return re.sub(r"\s+", " ", text).strip()


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag in ("p", "br") and self.parts:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_as_text(fragment: str) -> tuple[str, set[str]]:
    """What a browser shows for an HTML fragment (paragraphs and breaks as newlines), and which tags it holds."""
    parser = _TextOf()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts), set(parser.tags)
