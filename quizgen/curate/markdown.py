"""Turn a Markdown article (a write-up, an interview or a talk transcript) into a draft source.yaml.

What the splitter understands (README, "Adding a source", lists the same):
- YAML front matter (`---` ... `---`) or header lines before the text (`文章作者: 机器之心`, `发布时间: 2024-10-21`,
  `原文链接: https://...`; see META_KEYS) for the title, outlet, date and url; a first `# 标题` is the title;
- `#` to `######` headings and whole-line bold text (`**一、背景**`) start sections;
- speaker labels at the start of a paragraph: `**名字：**`, `**名字**：`, `名字：`, `名字:`, and any other label
  (`Q`, `A`, `问`, `答`) listed in a speaker's `labels` in the speakers file;
- a paragraph ends at a blank line or at a line ending in a Markdown hard break (two spaces or a backslash);
  list items start their own paragraph;
- inline code, links and images are reduced to their text, emphasis markers are dropped.
Everything left out (cover images, datelines, bylines, code blocks, tables, empty headings) is named in `Draft.skipped`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizgen.errors import ContentError, Problem

META_KEYS: dict[str, str] = {
    "标题": "title", "题目": "title",
    "文章作者": "outlet", "作者": "author", "来源": "outlet", "出处": "outlet", "媒体": "outlet", "公众号": "outlet",
    "发布时间": "date", "发布日期": "date", "发表时间": "date", "日期": "date", "时间": "date",
    "原文链接": "url", "原文地址": "url", "链接": "url", "网址": "url", "原文": "url",
    "参考内容": "reference", "参考资料": "reference", "参考链接": "reference", "视频链接": "reference", "原视频": "reference",
    "播客": "podcast", "节目": "podcast",
}
"""Header line keys (`键: 值` before the text) and the source.yaml field each one fills.

`作者` (and front matter `author`) usually names a person, not the outlet: it fills the outlet only when no
`来源`/`公众号`/`文章作者`/`outlet` names one (and --outlet is not given), with a note in the summary."""
IGNORED_META = ("封面图链接", "封面图", "封面", "发布地", "发布地点", "阅读原文", "字数", "阅读时间", "标签", "关键词")
"""Header line keys that are known but not kept (each still gets a line in the summary)."""
FRONT_MATTER_KEYS: dict[str, str] = {
    "title": "title", "outlet": "outlet", "author": "author", "source": "outlet", "publisher": "outlet",
    "date": "date", "published": "date", "url": "url", "link": "url", "source_url": "url",
    "reference": "reference", "podcast": "podcast", "genre": "genre",
    **dict(META_KEYS.items()),
}
GENRES = ("访谈", "演讲", "对话", "文章")

_META_LINE = re.compile(r"^(?:\*\*|__)?\s*(?P<key>[^\s:：*_]{1,6})\s*(?:\*\*|__)?\s*[:：]\s*(?P<value>.*?)\s*$")
_REFERENCE = re.compile(r"^_?\s*(?:参考内容|参考资料|参考链接|视频链接|原视频)\s*[：:]\s*_?\s*_?(?P<url>https?://\S+?)_?\s*$")
_ATX = re.compile(r"^\s{0,3}(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)、])\s+(?=\S)")
_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_WHOLE_BOLD = re.compile(r"^(?:\*\*(?P<a>[^*]+)\*\*|__(?P<b>[^_]+)__)$")
_IMAGE_ONLY = re.compile(r"^(?:!\[[^\]]*\]\([^)]*\)\s*)+$")
_DATELINE = re.compile(r"(?:报道|专访|特稿|讯|消息|出品|原创|编译|编辑|整理|发自\S*)$")
_ORGANISATION = re.compile(r"编辑部|杂志|日报|晚报|周刊|报社|媒体|传媒|新闻|公众号|出版|研究院|研究所|大学|学院|协会|公司|集团|网$|社$|台$")
_BYLINE = re.compile(r"编辑部|编辑|作者|记者|撰文|^文\s*[/｜|]|译者|整理|校对|责编")
_BOLD_LABEL = re.compile(r"^(?:\*\*|__)\s*(?P<label>[^*_：:\s][^*_：:]{0,15}?)\s*(?:[：:]\s*(?:\*\*|__)|(?:\*\*|__)\s*[：:])")
_PLAIN_LABEL = re.compile(r"^(?P<label>[^\s：:，。！？、,.!?（）()「」“”\"'*_#>\[\]]{1,8})\s*[：:]")
_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
)

# inline Markdown, in the order it is undone
_INLINE_CODE = re.compile(r"(`+)(?P<code>.+?)\1")
_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?:[^()\s]+|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
_REF_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<(?P<url>(?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_STRONG = re.compile(r"\*\*|(?<![A-Za-z0-9_])__|__(?![A-Za-z0-9_])")
_EM_STAR = re.compile(r"(?<![A-Za-z0-9*\\])\*(?=\S)(?P<t>[^*\n]+?)(?<=\S)\*(?![A-Za-z0-9*])")
_EM_UNDER = re.compile(r"(?<![A-Za-z0-9_\\])_(?=\S)(?P<t>[^_\n]+?)(?<=\S)_(?![A-Za-z0-9_])")
_ESCAPE = re.compile(r"\\(?P<c>[\\`*_{}\[\]()#+\-.!|>~])")
_LINK_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")


@dataclass
class Draft:
    """The draft source (plain dicts, ready for YAML), what was left out, and every problem found."""

    data: dict[str, Any]
    skipped: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    """Paragraph id -> line of the article where it starts."""
    notes: list[str] = field(default_factory=list)
    """Guesses the curator should confirm (e.g. a personal `作者` taken as the outlet)."""


def clean_inline(text: str) -> str:
    """Markdown inline syntax -> the words a reader sees (code, links and images keep their text)."""
    codes: list[str] = []

    def keep_code(m: re.Match[str]) -> str:
        codes.append(m.group("code").strip())
        return f"\x00{len(codes) - 1}\x00"

    text = _INLINE_CODE.sub(keep_code, text)
    text = _ESCAPE.sub(lambda m: f"\x01{ord(m.group('c'))}\x01", text)
    text = _IMAGE.sub(lambda m: m.group("alt"), text)
    text = _LINK.sub(lambda m: m.group("text"), text)
    text = _REF_LINK.sub(lambda m: m.group("text"), text)
    text = _AUTOLINK.sub(lambda m: m.group("url"), text)
    text = _HTML_TAG.sub("", text)
    text = _STRONG.sub("", text)
    text = _EM_STAR.sub(lambda m: m.group("t"), text)
    text = _EM_UNDER.sub(lambda m: m.group("t"), text)
    text = re.sub(r"\x01(\d+)\x01", lambda m: chr(int(m.group(1))), text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text).strip()


def meta_value(fld: str, raw: str) -> str:
    """A header value as source.yaml wants it: a link's address for url/reference, plain text otherwise (kept whole)."""
    if fld in ("url", "reference") and (m := re.search(r"https?://[^\s<>()\[\]]+", raw)):
        return m.group(0).rstrip("_*")
    return clean_inline(raw).strip()


def parse_date(value: str) -> str | None:
    """'2024-10-21 15:09', '2024/10/21', '2024年10月21日' -> '2024-10-21'; None when it is no date."""
    for form in _DATE_FORMS:
        if m := form.search(value):
            try:
                return dt.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
            except ValueError:
                return None
    return None


class _Splitter:
    def __init__(self, text: str, *, file: str, speakers: list[dict[str, Any]], default_speaker: str,
                 given: dict[str, str | None]):
        self.file = file
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.given = {k: v for k, v in given.items() if v}
        self.meta: dict[str, tuple[str, int | None]] = {}
        """field -> (value, line) found in the article."""
        self.default = default_speaker
        self.speaker = default_speaker
        labels = sorted(((str(label), s["id"]) for s in speakers for label in s.get("labels") or ()), key=lambda x: -len(x[0]))
        self.labels = dict(labels)
        bold, plain = r"(?:\*\*|__)", r"\s*"
        self.label_res = [(re.compile(rf"^{bold}?{plain}{re.escape(label)}{plain}{bold}?{plain}[：:]{plain}{bold}?{plain}"), sid)
                          for label, sid in labels]
        self.sections: list[dict[str, Any]] = [{"id": "intro", "title": "导语", "paragraphs": []}]
        self.section_lines: list[int] = [0]
        self.draft = Draft(data={})
        self.count = 0
        self.in_body = False
        self.plain_labels: Counter[str] = Counter()
        self.plain_label_line: dict[str, int] = {}
        self.late_meta: dict[str, tuple[str, int]] = {}
        """field -> (key, line) of a header line found after the text had started (so read as text)."""
        self.body_start: tuple[int, str] | None = None
        """Line and opening words of the first paragraph."""

    # --- reporting --------------------------------------------------------------------------------

    def skip(self, line: int, what: str) -> None:
        self.draft.skipped.append(f"line {line}: {what}")

    def problem(self, line: int | None, fld: str, message: str) -> None:
        self.draft.problems.append(Problem(self.file, line, fld, message))

    # --- the pass over the lines ------------------------------------------------------------------

    def run(self) -> Draft:
        start = self.front_matter()
        cur: list[str] = []
        cur_line = 0
        i = start
        n = len(self.lines)

        def flush() -> None:
            nonlocal cur
            if cur:
                joined = " ".join(part.strip() for part in cur).strip()
                if joined:
                    self.block(joined, cur_line)
            cur = []

        while i < n:
            line = self.lines[i]
            no = i + 1
            stripped = line.strip()
            if _FENCE.match(line):
                flush()
                fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
                end = next((j for j in range(i + 1, n) if self.lines[j].strip().startswith(fence)), n - 1)
                self.skip(no, f"code block (lines {no}–{end + 1}): not split into paragraphs; quote the lines that matter in a paragraph")
                i = end + 1
                continue
            if not stripped:
                flush()
                i += 1
                continue
            if not self.count and self.header_line(stripped, no):
                flush()
                i += 1
                continue
            if self.count:
                self.note_late_header(stripped, no)
            if m := _ATX.match(line):
                flush()
                self.heading(clean_inline(m["text"]), no, level=len(m["hashes"]))
                i += 1
                continue
            if _RULE.match(line) and not cur:
                i += 1  # a thematic break carries no words
                continue
            if re.fullmatch(r"=+", stripped) and cur:
                title, cur = " ".join(p.strip() for p in cur), []
                self.heading(clean_inline(title), cur_line, level=1)
                i += 1
                continue
            if _TABLE.match(line):
                flush()
                end = i
                while end + 1 < n and _TABLE.match(self.lines[end + 1]):
                    end += 1
                self.skip(no, f"table (lines {no}–{end + 1}): not split into paragraphs; write what matters as sentences")
                i = end + 1
                continue
            if _LINK_DEF.match(line) and not cur:
                self.skip(no, "link definition: not part of the text")
                i += 1
                continue
            if _LIST.match(line):
                flush()
                line = _LIST.sub("", line, count=1)
            line = re.sub(r"^\s*(?:>\s?)+", "", line)  # block quotes keep their words
            if not cur:
                cur_line = no
            hard_break = line.endswith("  ") or line.rstrip(" ").endswith("\\")
            cur.append(line.rstrip(" ").removesuffix("\\") if hard_break and line.rstrip(" ").endswith("\\") else line)
            if hard_break:
                flush()
            i += 1
        flush()
        return self.finish()

    def front_matter(self) -> int:
        """Read `---` YAML front matter at the top; return the index of the first line after it."""
        if not self.lines or self.lines[0].strip() != "---":
            return 0
        end = next((j for j in range(1, len(self.lines)) if self.lines[j].strip() in ("---", "...")), None)
        if end is None:
            self.problem(1, "front matter", "starts with `---` but has no closing `---` line; add one after the metadata")
            return 0
        from quizgen.load.dataio import parse_yaml  # noqa: PLC0415 - the one YAML reader, with its budgets

        try:
            data = parse_yaml("\n".join(self.lines[1:end]), "front matter", first_line=2) or {}
        except ContentError as exc:
            first = exc.problems[0]
            self.problem(first.line or 1, "front matter", first.message)
            return end + 1
        if not isinstance(data, dict):
            self.problem(1, "front matter", "expected `key: value` lines between the `---` lines")
            return end + 1
        for key, value in data.items():
            fld = FRONT_MATTER_KEYS.get(str(key))
            line = next((j + 1 for j in range(1, end) if self.lines[j].lstrip().startswith(f"{key}:")), 1)
            if fld is None:
                self.skip(line, f"front matter key {key!r}: not used (quizgen reads {', '.join(sorted(set(FRONT_MATTER_KEYS.values())))})")
            elif value is not None and str(value).strip():
                self.meta.setdefault(fld, (meta_value(fld, str(value)), line))
        return end + 1

    def header_line(self, stripped: str, no: int) -> bool:
        """A `键: 值` metadata line before the text; True when it was consumed."""
        if m := _REFERENCE.match(stripped):
            self.meta.setdefault("reference", (m["url"], no))
            return True
        m = _META_LINE.match(stripped)
        if not m or m["key"] in self.labels:
            return False
        key, value = m["key"], meta_value(META_KEYS.get(m["key"], ""), m["value"])
        if key in IGNORED_META:
            self.skip(no, f"header line {key!r}: not kept in source.yaml")
            return True
        fld = META_KEYS.get(key)
        if fld is None:
            return False
        if not value:
            self.problem(no, fld, f"header line {key!r} has no value; fill it in or delete the line")
        else:
            self.meta.setdefault(fld, (value, no))
        return True

    def note_late_header(self, stripped: str, no: int) -> None:
        """Remember a `来源: …` line met after the text started, to say where it is if that field stays missing."""
        if (m := _META_LINE.match(stripped)) and m["key"] in META_KEYS and m["key"] not in self.labels:
            fld = META_KEYS[m["key"]]
            self.late_meta.setdefault("outlet" if fld == "author" else fld, (m["key"], no))

    def heading(self, title: str, no: int, *, level: int) -> None:
        if not title:
            self.skip(no, "empty heading")
            return
        if level == 1 and not self.in_body and not self.count:
            if "title" in self.meta:
                self.skip(no, f"heading {title!r}: the title is already set (line {self.meta['title'][1]})")
            else:
                self.meta["title"] = (title, no)
            return
        if not self.count and len(self.sections) == 1 and "title" not in self.meta and "title" not in self.given:
            # a page copied with its title as `## 标题`: the first heading before any text is the title
            self.meta["title"] = (title, no)
            self.skip(no, f"heading {title!r} (level {level}) taken as the title, the article having no `# ` title; "
                      "pass --title to keep it as a section")
            return
        self.in_body = True
        self.sections.append({"id": f"s{len(self.sections):02d}", "title": title, "paragraphs": []})
        self.section_lines.append(no)
        # the speaker carries on across a heading: a talk's sections are all the speaker's, an interview's next
        # section starts with a label anyway

    def block(self, para: str, no: int) -> None:
        if m := _REFERENCE.match(para):
            self.meta.setdefault("reference", (m["url"], no))
            return
        if _IMAGE_ONLY.match(para):
            alts = [a for a in re.findall(r"!\[([^\]]*)\]", para) if a.strip()]
            self.skip(no, "image" + (f" ({'、'.join(alts)})" if alts else "") + ": not part of the text")
            return
        if not self.in_body and not self.count and len(para) <= 20 and _DATELINE.search(para) and "：" not in para:
            self.skip(no, f"dateline {para!r}: not part of the text")
            self.date_from(para, no)
            return
        if m := _WHOLE_BOLD.match(para):
            inner = (m["a"] or m["b"]).strip()
            bare = inner.rstrip("：: ")
            if bare in self.labels:
                self.speaker = self.labels[bare]  # a label alone on its line: the next paragraph is theirs
                return
            if not self.count and self.looks_like_byline(inner):
                self.skip(no, f"byline {inner!r}: not part of the text")
                return
            self.heading(clean_inline(inner), no, level=2)
            return
        labelled = False
        for pattern, sid in self.label_res:
            if m := pattern.match(para):
                self.speaker = sid
                para = para[m.end():]
                labelled = True
                break
        if not labelled and not self.count and self.looks_like_byline(clean_inline(para)):
            self.skip(no, f"byline '{clean_inline(para)}': not part of the text")
            self.date_from(para, no)
            return
        if not labelled:
            if m := _BOLD_LABEL.match(para):
                label = m["label"].strip()
                self.problem(no, "speaker", f"{label!r} looks like a speaker label but no speaker lists it; "
                             f"add it to that speaker's `labels` in the speakers file")
            elif m := _PLAIN_LABEL.match(para):
                label = m["label"]
                if label not in META_KEYS:
                    self.plain_labels[label] += 1
                    self.plain_label_line.setdefault(label, no)
        text = clean_inline(para)
        if (link := _LINK.fullmatch(para.strip())) and link.group("text").strip() == text:
            self.skip(no, f"link {text!r}: a link on its own is not part of the text")
            return
        if not text:
            self.skip(no, "a speaker label with no words after it")
            return
        self.in_body = True
        self.count += 1
        if self.body_start is None:
            self.body_start = (no, text[:16])
        pid = f"p{self.count:03d}"
        self.sections[-1]["paragraphs"].append({"id": pid, "speaker": self.speaker, "text": text})
        self.draft.lines[pid] = no

    def date_from(self, text: str, no: int) -> None:
        """A byline or dateline that carries the date (`36氪 · 2025年3月8日`) gives it, unless a header line does."""
        if parse_date(text) is not None:
            self.meta.setdefault("date", (text, no))

    def looks_like_byline(self, text: str) -> bool:
        outlet = (self.given.get("outlet") or self.meta.get("outlet", self.meta.get("author", ("", None)))[0]).strip()
        return bool(_BYLINE.search(text) or (outlet and outlet in text)) and len(text) <= 30

    # --- the result -------------------------------------------------------------------------------

    def author_as_outlet(self) -> None:
        """Only a `作者:` line (or front matter `author`) names someone: use it as the outlet, and say so if it is a person."""
        if "outlet" in self.meta or "author" not in self.meta:
            return
        value, no = self.meta["outlet"] = self.meta["author"]
        if "outlet" not in self.given and not _ORGANISATION.search(value):
            self.draft.notes.append(
                f"line {no or 1}: outlet {value!r} taken from the author line, which usually names a person; if the article "
                "was published elsewhere, pass --outlet 媒体名 (or add a `来源: 媒体名` header line)")

    def finish(self) -> Draft:
        for label, count in sorted(self.plain_labels.items()):
            if count >= 3:
                self.problem(self.plain_label_line[label], "speaker",
                             f"{count} paragraphs start with {label + '：'!r}; if it names a speaker, add {label!r} to that "
                             "speaker's `labels` in the speakers file")
        sections = []
        for section, line in zip(self.sections, self.section_lines, strict=False):
            if section["paragraphs"]:
                sections.append(section)
            elif line:
                self.skip(line, f"heading {section['title']!r}: no text under it, so no section")
        if not sections:
            self.problem(None, "sections", "no paragraphs found; is this the article's text (Markdown, paragraphs separated by blank lines)?")
        self.author_as_outlet()
        data: dict[str, Any] = {"id": "", "title": "", "outlet": "", "date": "", "url": ""}
        for fld in ("title", "outlet", "date", "url", "reference", "podcast", "genre"):
            if fld in self.given:
                data[fld] = self.given[fld]
                if fld in self.meta:
                    self.skip(self.meta[fld][1] or 1, f"{fld} {self.meta[fld][0]!r} from the article: replaced by --{fld}")
            elif fld in self.meta:
                data[fld] = self.meta[fld][0]
        found = {fld: self.meta.get(fld, ("", None))[1] for fld in data}
        if data["date"]:
            iso = parse_date(str(data["date"]))
            if iso is None and "date" not in self.given:  # a bad --date is the caller's option error
                self.problem(found["date"], "date", f"{data['date']!r} is not a date; write it as YYYY-MM-DD or pass --date")
            elif iso is not None:
                data["date"] = iso
        hints = {
            "title": "add a `# 标题` line or `title:` front matter, or pass --title",
            "outlet": "add a `文章作者: 媒体名` header line or `outlet:` front matter, or pass --outlet",
            "date": "add a `发布时间: 2024-10-21` header line or `date:` front matter, or pass --date",
            "url": "add a `原文链接: https://…` header line or `url:` front matter, or pass --url",
        }
        for fld, hint in hints.items():
            if not data[fld] and fld in self.late_meta and self.body_start:
                key, no = self.late_meta[fld]
                start, words = self.body_start
                self.problem(no, fld, f"the header line `{key}:` comes after the text started (line {start}: {words!r}), so it "
                             f"was read as a paragraph; move the header lines above the text (or delete line {start} if it is "
                             f"no text), or pass --{fld}")
            elif not data[fld]:
                self.problem(None, fld, f"not found in the article; {hint}")
        data["sections"] = sections
        self.draft.data = data
        self.draft.skipped.sort(key=lambda s: int(m.group(1)) if (m := re.match(r"line (\d+):", s)) else 0)
        return self.draft


def split_article(text: str, *, file: str = "article.md", speakers: list[dict[str, Any]], default_speaker: str,
                  title: str | None = None, outlet: str | None = None, date: str | None = None, url: str | None = None,
                  genre: str | None = None) -> Draft:
    """Split an article into metadata, sections and labelled paragraphs; collect what was skipped and every problem."""
    given = {"title": title, "outlet": outlet, "date": date, "url": url, "genre": genre}
    return _Splitter(text, file=file, speakers=speakers, default_speaker=default_speaker, given=given).run()


def draft_source(text: str, *, source_id: str, speakers: list[dict[str, Any]], default_speaker: str, **meta: Any) -> dict[str, Any]:
    """The draft source.yaml mapping for an article (problems and the skipped summary are dropped: see split_article)."""
    draft = split_article(text, speakers=speakers, default_speaker=default_speaker, **meta)
    return assemble(draft, source_id=source_id, speakers=speakers)


def assemble(draft: Draft, *, source_id: str, speakers: list[dict[str, Any]]) -> dict[str, Any]:
    """source.yaml's field order: id and metadata, speakers, then sections."""
    data = dict(draft.data)
    sections = data.pop("sections")
    return {"id": source_id, **{k: v for k, v in data.items() if k != "id"}, "speakers": speakers, "sections": sections}


def compare_with_article(source: Any, folder: Path) -> list[Problem]:
    """Warnings when article.md is missing, or when source.yaml's words differ from it re-split (the first place)."""
    from quizgen.errors import QuizgenError, rel  # noqa: PLC0415
    from quizgen.load.dataio import read_text  # noqa: PLC0415

    article = folder / "article.md"
    if not article.exists():
        return [Problem(rel(article), None, "article", "not found; keep the published article beside source.yaml so its split can be re-checked")]
    try:
        text = read_text(article)
    except QuizgenError as exc:
        return list(exc.problems)
    speakers = [s.model_dump() for s in source.speakers]
    default = next((s.id for s in source.speakers if s.narrator), source.speakers[0].id)
    draft = split_article(text, file=rel(article), speakers=speakers, default_speaker=default)
    drafted = [(squash(p["text"]), draft.lines.get(p["id"])) for s in draft.data["sections"] for p in s["paragraphs"]]
    shipped = [p for s in source.sections for p in s.paragraphs]
    mine = "".join(squash(p.text) for p in shipped)
    diff = _first_difference(mine, drafted)
    if diff is None:
        return []
    at, line, theirs = diff
    pos = 0
    for para in shipped:
        pos += len(squash(para.text))
        if pos > at:
            break
    where = f"article.md line {line}" if line else "the end of article.md"
    return [Problem(rel(folder / "source.yaml"), None, "sections",
             f"paragraph {para.id} differs from {where} (source.yaml has {mine[at:at + 10]!r}, the article "
             f"{theirs!r}); paragraph text must be the article's words: fix source.yaml, or article.md "
             "if it is not the published text")]


def squash(text: str) -> str:
    """Text without whitespace: paragraph splits and line wraps may differ between source.yaml and the article, the words may not."""
    return "".join(text.split())


def _first_difference(mine: str, drafted: list[tuple[str, int | None]]) -> tuple[int, int | None, str] | None:
    """Where source.yaml's words (`mine`, squashed and joined) first leave the article's paragraphs (squashed, with
    their lines): (index into mine, article line, the article's next words there), or None when they agree. Paragraphs may be split or joined
    differently, and whole paragraphs of the article may be left out of source.yaml (a caption, a closing note)."""
    pos = 0
    k = 0
    while k < len(drafted):
        text, line = drafted[k]
        if mine.startswith(text, pos):
            pos += len(text)
            k += 1
            continue
        if pos == len(mine):
            return None  # the article's last paragraphs were left out
        later = next((j for j in range(k + 1, len(drafted)) if mine.startswith(drafted[j][0], pos)), None)
        if later is not None:
            k = later  # paragraphs k..later-1 were left out of source.yaml
            continue
        same = next((i for i, (a, b) in enumerate(zip(mine[pos:], text, strict=False)) if a != b), min(len(mine) - pos, len(text)))
        return pos + same, line, text[same:same + 10]
    return None if pos == len(mine) else (pos, None, "")
