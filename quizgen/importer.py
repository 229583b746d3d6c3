"""Turn a Markdown-ish article (the 机器之心 write-up format) into a draft source.yaml."""

from __future__ import annotations

import re
from typing import Any

_HEADING = re.compile(r"^\*\*([^*]+)\*\*$")
_META = {"文章作者": "outlet", "发布时间": "date", "原文链接": "url"}
_REFERENCE = re.compile(r"参考内容[：:]_?\s*_?(https?://\S+?)_?$")


def _paragraphs(text: str) -> list[str]:
    """Join wrapped lines; a paragraph ends at a line with a Markdown hard break or a blank line."""
    out: list[str] = []
    cur: list[str] = []
    for line in text.split("\n"):
        cur.append(line)
        if line.endswith("  ") or not line.strip():
            joined = " ".join(part.strip() for part in cur).strip()
            if joined:
                out.append(joined)
            cur = []
    tail = " ".join(part.strip() for part in cur).strip()
    if tail:
        out.append(tail)
    return out


def draft_source(text: str, *, source_id: str, speakers: list[dict[str, Any]], default_speaker: str) -> dict[str, Any]:
    """Split the article into metadata, sections (bold headings) and labelled paragraphs."""
    labels = sorted(((label, s["id"]) for s in speakers for label in s.get("labels", ())), key=lambda x: -len(x[0]))
    label_re = [
        (re.compile(rf"^(?:\*\*)?{re.escape(label)}(?:\*\*)?\s*[：:]\s*"), sid) for label, sid in labels
    ]
    meta: dict[str, Any] = {"id": source_id, "title": "", "outlet": "", "date": "", "url": ""}
    sections: list[dict[str, Any]] = [{"id": "intro", "title": "导语", "paragraphs": []}]
    speaker = default_speaker
    count = 0
    for para in _paragraphs(text):
        if para.startswith("# "):
            meta["title"] = para[2:].strip()
            continue
        if para.startswith("!["):
            continue
        if m := _REFERENCE.search(para):
            meta["reference"] = m.group(1)
            continue
        if any(para.startswith(k) for k in _META) or para.startswith("封面图链接"):
            for key, field in _META.items():
                if m := re.search(rf"{key}:\s*(\S+)", para):
                    meta[field] = m.group(1)
            continue
        if m := _HEADING.match(para):
            title = m.group(1).strip()
            if not sections[-1]["paragraphs"] and len(sections) == 1:
                continue  # a byline before the first paragraph, not a section
            sections.append({"id": f"s{len(sections):02d}", "title": title, "paragraphs": []})
            speaker = default_speaker
            continue
        for pattern, sid in label_re:
            if m := pattern.match(para):
                speaker = sid
                para = para[m.end():]
                break
        para = para.replace("**", "").strip()
        if not para or (len(sections) == 1 and not sections[0]["paragraphs"] and len(para) < 12):
            continue  # dateline such as 机器之心报道
        count += 1
        sections[-1]["paragraphs"].append({"id": f"p{count:03d}", "speaker": speaker, "text": para})
    meta["speakers"] = speakers
    meta["sections"] = [s for s in sections if s["paragraphs"]]
    return meta
