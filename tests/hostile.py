"""A tiny source whose text and items are full of HTML, script and template syntax."""

from __future__ import annotations

from pathlib import Path

import yaml

HOSTILE = '<script>alert("x")</script> <img src=x onerror=alert(1)> </textarea> {{c1::leak}} {{Front}} & "quotes"'

SOURCE = {
    "id": "hostile",
    "title": "测试来源 <b>粗体</b>",
    "outlet": "测试",
    "date": "2024-01-01",
    "url": "https://example.invalid/a?b=<c>",
    "speakers": [
        {"id": "host", "name": "主持人 <i>A</i>", "role": "主持人"},
        {"id": "guest", "name": "嘉宾 {{Front}}", "role": "嘉宾"},
    ],
    "sections": [
        {"id": "s1", "title": "第一节 </textarea>", "paragraphs": [
            {"id": "p001", "speaker": "host", "text": f"问题：{HOSTILE} 这是主持人的问题，关于 4 倍还是 10 倍？"},
            {"id": "p002", "speaker": "guest", "text": f"回答：{HOSTILE} 公司增长了 10 倍，而不是 4 倍，也不是 2 倍或 3 倍。"},
        ]},
    ],
}

BANK = {
    "section": "s1",
    "items": [
        {"id": "h-f-growth", "kind": "fact", "paragraph": "p002", "question": f"{HOSTILE} 公司增长了多少倍？",
         "answer": "10 倍", "answer_type": "number", "value": 10, "unit": "倍",
         "statement": f"{HOSTILE} 公司增长了 10 倍。", "evidence": HOSTILE, "distractors": ["4 倍", "2 倍", "3 倍"],
         "explanation": f"解释 {HOSTILE}",
         # the quality rules judge content, not escaping: this source breaks some of them on purpose
         "waive": {"tf-false-uncontradicted": f"hostile fixture {HOSTILE}", "explanation-echo": "hostile fixture"}},
        {"id": "h-f-tag", "kind": "fact", "paragraph": "p002", "question": "哪个标签被写进了回答？",
         "answer": "<script>", "answer_type": "other", "statement": "回答里写进了 <script> 标签。",
         "evidence": "<script>alert(\"x\")</script>", "distractors": ["</textarea>", "{{c1::leak}}", "{{Front}}"],
         "waive": {"tf-true-verbatim": "hostile fixture: the tag is most of the statement"}},
        {"id": "h-q-line", "kind": "quote", "paragraph": "p002", "text": HOSTILE, "context": "测试 </textarea>", "cloze": "Front"},
        {"id": "h-a-arg", "kind": "argument", "paragraph": "p002", "claim": f"论点 {HOSTILE}", "question": f"为什么 {HOSTILE}？",
         "reasons": [f"理由一 {HOSTILE}", "理由二 {{c2::x}}"], "conclusion": "结论 </script>", "evidence": HOSTILE,
         "sequential": True, "waive": {"reasons-restate-claim": "hostile fixture"}},
        {"id": "h-t-term", "kind": "term", "paragraph": "p002", "term": "{{Front}}", "definition": f"定义 {HOSTILE}", "evidence": HOSTILE,
         "waive": {"distractor-in-statement": "hostile fixture", "term-self-naming": "hostile fixture"}},
        {"id": "h-t-term2", "kind": "term", "paragraph": "p002", "term": "</textarea>", "definition": "另一个定义", "evidence": "</textarea>"},
        {"id": "h-t-term3", "kind": "term", "paragraph": "p002", "term": "onerror", "definition": "第三个定义", "evidence": "onerror=alert(1)"},
        {"id": "h-t-term4", "kind": "term", "paragraph": "p002", "term": "<img>", "definition": "第四个定义", "evidence": "<img src=x"},
    ],
}


def make_hostile_content(root: Path) -> Path:
    """Write the hostile source under root/content and a recipe under root/decks; return root."""
    content = root / "content"
    (content / "hostile" / "bank").mkdir(parents=True)
    (content / "tags.yaml").write_text("tags:\n  - {id: numbers, label: 数字}\n", encoding="utf-8")
    (content / "hostile" / "source.yaml").write_text(yaml.safe_dump(SOURCE, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (content / "hostile" / "bank" / "s1.yaml").write_text(yaml.safe_dump(BANK, allow_unicode=True, sort_keys=False), encoding="utf-8")
    decks = root / "decks"
    decks.mkdir()
    (decks / "hostile.toml").write_text(
        'title = "危险内容 <b onclick=alert(1)>粗</b>"\noutput = "hostile"\nsources = ["hostile"]\nseed = 1\nversions = 2\n',
        encoding="utf-8")
    return root
