"""Turn a Markdown article (a write-up, an interview or a talk transcript) into a draft source.yaml.

The article is parsed by markdown-it-py (CommonMark) and its token stream is walked; no regular expression here runs
over more than one short header value, so any input is split in linear time. What the splitter understands
(docs/how-to/import-articles.md lists the same):
- metadata from YAML front matter, header lines before the text (`文章作者: 机器之心`, `发布时间: 2024-10-21`,
  `原文链接: https://...`; see META_KEYS), a first `# 标题`, a bare source link, a byline or a date line, in that order;
- headings (ATX and Setext) and bold lines on their own that are neither a question nor a speaker label start
  sections, also when an image is glued in front of them (`![图片](…)**做研究**`);
- speaker labels at the start of a paragraph in every form exports produce: `**名字：**`, `**名字**：`, `名字：`,
  `「名字」：`, `【名字】`, broken or doubled bold (`**「暗涌」** **：…**`, `****「暗涌」：****`), a space before the
  colon, and any label (`Q`, `A`, `问`, `答`) listed in a speaker's `labels` in the speakers file;
- a paragraph ends at a blank line or a Markdown hard break; list items start their own paragraph;
- inline code and links keep their text; images, pull quotes, captions, credits, account promotion and the
  "read more" list at the end are left out (kept with keep_extras), each named in `Draft.skipped`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

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
IGNORED_META: tuple[str, ...] = ("封面图链接", "封面图", "封面", "发布地", "发布地点", "阅读原文", "字数", "阅读时间", "标签", "关键词")
"""Header line keys that are known but not kept (each still gets a line in the summary)."""
_TRADITIONAL = str.maketrans("标题来处发时间链网参资视频节号众图阅读数签关键词点", "標題來處發時間鏈網參資視頻節號眾圖閱讀數籤關鍵詞點")


def _with_traditional(keys: dict[str, str]) -> dict[str, str]:
    """The keys also as Taiwan and Hong Kong articles write them (`來源`, `發佈時間`, `原文鏈接`)."""
    out = dict(keys)
    for key, value in keys.items():
        for spelling in (key.translate(_TRADITIONAL), key.translate(_TRADITIONAL).replace("發布", "發佈")):
            out.setdefault(spelling, value)
    return out


META_KEYS = _with_traditional(META_KEYS)
IGNORED_META = tuple(_with_traditional(dict.fromkeys(IGNORED_META, "")))
FRONT_MATTER_KEYS: dict[str, str] = {
    "title": "title", "outlet": "outlet", "author": "author", "source": "outlet", "publisher": "outlet",
    "sitename": "outlet", "date": "date", "published": "date", "url": "url", "link": "url", "source_url": "url",
    "reference": "reference", "podcast": "podcast", "genre": "genre",
    **dict(META_KEYS.items()),
}
FRONT_MATTER_IGNORED = ("hostname", "description", "categories", "tags", "fingerprint", "id", "license", "image", "pagetype",
                        "filedate", "comments")
"""Front matter keys that page extractors write (trafilatura) and quizgen does not keep: one summary line, no warning."""
GENRES = ("访谈", "演讲", "对话", "文章")
META_FIELDS = ("title", "author", "outlet", "date", "url", "reference", "podcast", "genre")

_RANKS = {"front matter": 0, "header line": 1, "title heading": 1, "source link": 2, "byline": 3, "date line": 3}
"""Where a metadata value may come from, best first: a better place replaces what a worse one found."""

_DATELINE_ENDS = ("报道", "专访", "特稿", "讯", "消息", "出品", "原创", "编译", "编辑", "整理")
_ORGANISATION = ("编辑部", "杂志", "日报", "晚报", "周刊", "报社", "媒体", "传媒", "新闻", "公众号", "出版", "研究院", "研究所",
                 "大学", "学院", "协会", "公司", "集团")
_BYLINE_WORDS = ("编辑部", "编辑", "作者", "记者", "撰文", "译者", "整理", "校对", "责编")
_OPEN_BRACKETS = {"「": "」", "【": "】", "〖": "〗", "[": "]", "［": "］", "『": "』", "(": ")", "（": "）"}
_COLONS = ":："
_LABEL_STOP = set(" \t：:，。！？、,.!?（）()「」“”\"'*_#>[]【】")
_QUESTION_ENDS = ("？", "?", "？」", "?”", "？”")
_QUESTION_OPENERS = ("你", "您", "那", "所以", "为什么", "怎么", "如何", "是不是", "有没有", "会不会", "能不能", "什么", "哪",
                     "在你看来", "对于", "关于", "最后", "如果", "这是", "是否", "当时", "现在")
_PLACEHOLDER_ALTS = ("图片", "图像", "image", "img", "photo", "picture", "")
_CAPTION_STARTS = ("图片来源", "图源", "题图", "封面来源", "封面图片", "头图", "图片由", "图｜", "图|", "图/", "图：", "图 |",
                   "视频来源", "来源：视觉中国", "本文图片")
_CREDIT_KEYS = ("排版", "责编", "责任编辑", "编辑", "校对", "美编", "审校", "视觉", "设计", "运营", "统筹", "监制", "出品人",
                "题图", "插图", "摄影", "文字", "文", "采访", "撰文", "作者", "策划", "审核")
_PROMOTION = ("篇原创内容", "扫码", "二维码", "长按", "转载请", "点击上方", "点击下方", "关注我们", "欢迎关注", "加关注", "设为星标",
              "欢迎转发", "后台回复", "商务合作", "戳这里", "点个在看", "点赞在看", "分享、点赞", "点赞、在看", "一键三连")
"""Words only account promotion uses: a short paragraph holding one is left out."""
_PROMOTION_WEAK = ("公众号", "点赞", "在看", "星标", "关注", "分享", "投稿", "转发", "订阅", "原创")
"""Words promotion shares with prose: a short paragraph needs two of them (or one, when very short) to be left out."""
_READ_MORE = ("推荐阅读", "延伸阅读", "往期推荐", "往期回顾", "往期精选", "相关阅读", "热门文章", "精彩推荐", "更多阅读", "阅读更多",
              "end", "theend", "相关文章", "猜你喜欢", "你可能还想看", "点击阅读原文", "阅读原文")

_MARKDOWN = MarkdownIt("commonmark", {"html": True, "maxNesting": 20}).enable("table")


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
    warnings: list[str] = field(default_factory=list)
    """Paragraphs to review: a label left at the start, a question that may be the host's."""
    origins: list[str] = field(default_factory=list)
    """Where each metadata value came from (`title '…' from line 1 (title heading)`)."""


# --- inline text --------------------------------------------------------------------------------------------------


@dataclass
class Run:
    """One line of inline content between two breaks: its pieces as (kind, text, in bold, href)."""

    line: int
    parts: list[tuple[str, str, bool, str]] = field(default_factory=list)
    hard: bool = False
    """The run ends in a hard break (two spaces or `\\` at the end of the line)."""

    def text(self, *, alts: bool = False) -> str:
        """The words a reader sees (links keep their text; images their alt text only when asked)."""
        out = []
        for kind, text, _, _ in self.parts:
            if kind in ("text", "code", "link") or (kind == "image" and alts):
                out.append(text)
        return _drop_marker_runs("".join(out))

    def images(self) -> list[str]:
        return [text for kind, text, _, _ in self.parts if kind == "image"]

    def hrefs(self) -> list[str]:
        return [href for kind, _, _, href in self.parts if href]

    def whole_bold(self) -> bool:
        """Every visible word is bold (images do not count), or the line is broken bold (`**「**暗涌」…`)."""
        words = [(text, bold) for kind, text, bold, _ in self.parts if kind in ("text", "code", "link") and _drop_marker_runs(text).strip()]
        return bool(words) and all(bold for _, bold in words)

    def only_links(self) -> bool:
        words = [kind for kind, text, _, _ in self.parts if kind in ("text", "code", "link") and text.strip()]
        return bool(words) and all(kind == "link" for kind in words)


def _drop_marker_runs(text: str) -> str:
    """Emphasis markers an export broke (`****`, `__`) are left as literal text by the parser: drop runs of two or more."""
    if "**" not in text and "__" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "*_":
            j = i
            while j < n and text[j] == ch:
                j += 1
            if j - i == 1:
                out.append(ch)
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _runs(inline: Token, first_line: int) -> list[Run]:
    """An inline token's children as runs, split at soft and hard breaks, each with its 1-based line."""
    runs = [Run(first_line)]
    bold = 0
    link: list[str] = []
    for child in inline.children or ():
        kind = child.type
        if kind in ("softbreak", "hardbreak"):
            runs[-1].hard = kind == "hardbreak"
            runs.append(Run(runs[-1].line + 1))
        elif kind in ("strong_open", "em_open"):
            bold += kind == "strong_open"
        elif kind in ("strong_close", "em_close"):
            bold -= kind == "strong_close"
        elif kind == "link_open":
            link.append(str(child.attrs.get("href", "")))
        elif kind == "link_close":
            if link:
                link.pop()
        elif kind == "image":
            runs[-1].parts.append(("image", child.content, bold > 0, ""))
        elif kind == "text" and child.content:
            runs[-1].parts.append(("link" if link else "text", child.content, bold > 0, link[-1] if link else ""))
        elif kind == "code_inline":
            runs[-1].parts.append(("code", child.content, bold > 0, ""))
        # html_inline carries no words
    return runs


def plain_text(markdown: str) -> str:
    """Markdown inline syntax -> the words a reader sees (code and links keep their text, images are dropped)."""
    tokens = _MARKDOWN.parseInline(markdown)
    runs = [r for t in tokens if t.type == "inline" for r in _runs(t, 1)]
    return " ".join(r.text().strip() for r in runs if r.text().strip())


def clean_inline(text: str) -> str:
    """Kept for callers of the earlier importer: the same as plain_text."""
    return plain_text(text)


def meta_value(fld: str, raw: str, hrefs: list[str] | None = None) -> str:
    """A header value as source.yaml wants it: a link's address for url/reference, plain text otherwise (kept whole)."""
    if fld in ("url", "reference"):
        for href in hrefs or ():
            if href.startswith(("http://", "https://")):
                return href
        if (at := raw.find("http://")) >= 0 or (at := raw.find("https://")) >= 0:
            end = at
            while end < len(raw) and not raw[end].isspace() and raw[end] not in "<>()[]":
                end += 1
            return raw[at:end].rstrip("_*")
    return raw.strip().strip("_").strip()


_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})[ \t]{0,3}[-/.][ \t]{0,3}(?P<m>\d{1,2})[ \t]{0,3}[-/.][ \t]{0,3}(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})[ \t]{0,3}年[ \t]{0,3}(?P<m>\d{1,2})[ \t]{0,3}月[ \t]{0,3}(?P<d>\d{1,2})[ \t]{0,3}日"),
)
"""The only regular expressions of the importer: bounded repeats, no nesting, so linear on any input; only ever run
over the first 200 characters of a header value, byline or date line."""


def parse_date(value: str) -> str | None:
    """'2024-10-21 15:09', '2024/10/21', '2024年10月21日' -> '2024-10-21'; None when it is no date."""
    value = value[:200]
    for form in _DATE_FORMS:
        if m := form.search(value):
            try:
                return dt.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
            except ValueError:
                return None
    return None


def squash(text: str) -> str:
    """Text without whitespace: paragraph splits and line wraps may differ between source.yaml and the article, the words may not."""
    return "".join(text.split())


def bare(text: str) -> str:
    """Letters and digits only (NFKC, case-folded, character by character): what two versions of the same words share
    whatever their punctuation, spacing and width."""
    return "".join(c for ch in text for c in unicodedata.normalize("NFKC", ch).casefold() if c.isalnum())


def _key_value(text: str) -> tuple[str, str] | None:
    """`键: 值` / `**键**：值` (key of 1-6 characters) -> (key, value)."""
    s = _drop_marker_runs(text).strip()
    for i, ch in enumerate(s[:12]):
        if ch in _COLONS:
            key = s[:i].strip().strip("*_").strip()
            if 1 <= len(key) <= 6 and not any(c in key for c in " \t*_:："):
                return key, s[i + 1:].strip()
            return None
    return None


# --- the splitter -------------------------------------------------------------------------------------------------


@dataclass
class _Para:
    text: str
    line: int
    bold: bool
    links_only: bool
    images: list[str]
    hrefs: list[str]
    starts_bold_label: str | None
    in_list: bool


class _Splitter:
    def __init__(self, text: str, *, file: str, speakers: list[dict[str, Any]], default_speaker: str,
                 given: dict[str, str | None], keep_extras: bool):
        self.file = file
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.given = {k: v for k, v in given.items() if v}
        self.keep_extras = keep_extras
        self.raw_lines: list[str] = []
        self.meta: dict[str, tuple[str, int | None, str]] = {}
        """field -> (value, line, where) found in the article."""
        self.default = default_speaker
        self.speaker = default_speaker
        self.labels = dict(sorted(((str(label), s["id"]) for s in speakers for label in s.get("labels") or ()), key=lambda x: -len(x[0])))
        self.narrators = {s["id"] for s in speakers if s.get("narrator")}
        self.hosts = {sid for label, sid in self.labels.items() if label in ("Q", "问", "主持人", "记者", "Host", "host")}
        self.asked: Counter[str] = Counter()
        self.questions: Counter[str] = Counter()
        """Labelled paragraphs per speaker, and how many of them end with a question mark."""
        self.sections: list[dict[str, Any]] = [{"id": "intro", "title": "导语", "paragraphs": []}]
        self.section_lines: list[int] = [0]
        self.draft = Draft(data={})
        self.count = 0
        self.in_body = False
        self.plain_labels: Counter[str] = Counter()
        self.plain_label_line: dict[str, int] = {}
        self.late_meta: dict[str, tuple[str, int]] = {}
        self.body_start: tuple[int, str] | None = None
        self.trailing: tuple[int, str] | None = None
        """Line and heading of the "read more" list at the end: everything after it is left out."""
        self.trailing_count = 0
        self.trailing_last = 0
        self.resume: str | None = None
        """The speaker the next unlabelled paragraph goes back to after a bold question credited to the host."""
        self.record: list[tuple[str, str, bool, str, int]] = []
        """(paragraph id, speaker, labelled, text, line) for the review pass."""

    # --- reporting --------------------------------------------------------------------------------

    def skip(self, line: int, what: str) -> None:
        self.draft.skipped.append(f"line {line}: {what}")

    def leave_out(self, line: int, what: str, text: str) -> bool:
        """A pull quote, caption, credit or promotion: left out with a summary line, unless extras are kept."""
        if self.keep_extras:
            return False
        self.skip(line, f"{what} {_short(text)!r}: not part of the text (--keep-extras keeps it)")
        return True

    def problem(self, line: int | None, fld: str, message: str) -> None:
        self.draft.problems.append(Problem(self.file, line, fld, message))

    def found(self, fld: str, value: str, line: int | None, where: str) -> None:
        """A metadata value from the article: kept unless an equal or better place already gave one."""
        old = self.meta.get(fld)
        if old is None or _RANKS[where] < _RANKS[old[2]]:
            self.meta[fld] = (value, line, where)

    # --- the pass over the tokens -----------------------------------------------------------------

    def run(self) -> Draft:
        lines = self.raw_lines = self.text.split("\n")
        body = self.front_matter(lines)
        tokens = _MARKDOWN.parse(body)
        depth_list = 0
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            line = (tok.map[0] + 1) if tok.map else 0
            kind = tok.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                depth_list += 1
            elif kind in ("bullet_list_close", "ordered_list_close"):
                depth_list -= 1
            elif kind == "heading_open":
                inline = tokens[i + 1]
                runs = _runs(inline, line)
                self.images_of(runs, line)
                title = " ".join(r.text().strip() for r in runs if r.text().strip())
                self.heading(title, line, level=int(tok.tag[1:]))
                i += 3
                continue
            elif kind in ("fence", "code_block"):
                end = tok.map[1] if tok.map else line
                if not self.in_trailing(line, end):
                    self.skip(line, f"code block (lines {line}–{end}): not split into paragraphs; quote the lines that matter in a paragraph")
            elif kind == "table_open":
                end = tok.map[1] if tok.map else line
                while i < len(tokens) and tokens[i].type != "table_close":
                    i += 1
                if not self.in_trailing(line, end):
                    self.skip(line, f"table (lines {line}–{end}): not split into paragraphs; write what matters as sentences")
            elif kind == "html_block":
                words = _strip_tags(tok.content)
                if words:  # an export's `<p>…</p>`: its words are text
                    self.paragraph([Run(line, [("text", words, False, "")])], in_list=depth_list > 0)
            elif kind == "inline" and tokens[i - 1].type == "paragraph_open":
                where = tokens[i - 1].map
                self.paragraph(_runs(tok, where[0] + 1 if where else 1), in_list=depth_list > 0)
            i += 1
        return self.finish()

    def front_matter(self, lines: list[str]) -> str:
        """Read `---` YAML front matter at the top; return the text with those lines blanked (line numbers stay)."""
        if not lines or lines[0].strip() != "---":
            return self.text
        end = next((j for j in range(1, len(lines)) if lines[j].strip() in ("---", "...")), None)
        if end is None:
            self.problem(1, "front matter", "starts with `---` but has no closing `---` line; add one after the metadata")
            return self.text
        rest = "\n" * (end + 1) + "\n".join(lines[end + 1:])
        from quizgen.load.dataio import parse_yaml  # noqa: PLC0415 - the one YAML reader, with its budgets

        try:
            data = parse_yaml("\n".join(lines[1:end]), "front matter", first_line=2) or {}
        except ContentError as exc:
            first = exc.problems[0]
            self.problem(first.line or 1, "front matter", first.message)
            return rest
        if not isinstance(data, dict):
            self.problem(1, "front matter", "expected `key: value` lines between the `---` lines")
            return rest
        for key, value in data.items():
            fld = FRONT_MATTER_KEYS.get(str(key))
            line = next((j + 1 for j in range(1, end) if lines[j].lstrip().startswith(f"{key}:")), 1)
            if fld is None:
                if str(key) not in FRONT_MATTER_IGNORED:
                    self.skip(line, f"front matter key {key!r}: not used (quizgen reads {', '.join(sorted(set(FRONT_MATTER_KEYS.values())))})")
            elif value is not None and str(value).strip():
                self.found(fld, meta_value(fld, str(value)), line, "front matter")
        return rest

    def images_of(self, runs: list[Run], line: int) -> None:
        alts = [a.strip() for r in runs for a in r.images()]
        if alts:
            named = [a for a in alts if a.casefold() not in _PLACEHOLDER_ALTS]
            self.skip(line, f"image{'s' if len(alts) > 1 else ''}" + (f" ({'、'.join(named)})" if named else "") + ": not part of the text")

    def in_trailing(self, line: int, end: int | None = None) -> bool:
        if self.trailing is None:
            return False
        self.trailing_count += 1
        self.trailing_last = max(self.trailing_last, end or line)
        return True

    def read_more(self, text: str, line: int) -> bool:
        """A "read more" / END marker after the text: it and everything after it are left out (one summary line)."""
        if not self.count or self.keep_extras or self.trailing is not None:
            return False
        key = bare(text)
        if key in _READ_MORE or (len(key) <= 8 and any(key.startswith(w) for w in _READ_MORE if len(w) >= 4)):
            self.trailing = (line, text)
            self.trailing_last = line
            return True
        return False

    def paragraph(self, runs: list[Run], *, in_list: bool) -> None:
        """A Markdown paragraph: header lines before the text are consumed line by line; hard breaks split the rest."""
        group: list[Run] = []
        for run in runs:
            if not self.count and self.header_line(run):
                if group:
                    self.block(group, in_list=in_list)
                    group = []
                continue
            if self.count:
                self.note_late_header(run)
            group.append(run)
            if run.hard:
                self.block(group, in_list=in_list)
                group = []
        if group:
            self.block(group, in_list=in_list)

    def header_line(self, run: Run) -> bool:
        """A `键: 值` metadata line before the text; True when it was consumed."""
        kv = _key_value(run.text())
        if kv is None:
            return False
        key, value = kv
        if key in self.labels or self.match_label(run.text()):
            return False
        if key in IGNORED_META:
            self.skip(run.line, f"header line {key!r}: not kept in source.yaml")
            return True
        fld = META_KEYS.get(key)
        if fld is None:
            return False
        if fld in ("url", "reference") and 0 < run.line <= len(self.raw_lines):
            value = self.raw_lines[run.line - 1]  # an address as written: the parser would take `__biz` for emphasis
        value = meta_value(fld, value, run.hrefs())
        if not value:
            self.problem(run.line, fld, f"header line {key!r} has no value; fill it in or delete the line")
        else:
            self.found(fld, value, run.line, "header line")
        return True

    def note_late_header(self, run: Run) -> None:
        """Remember a `来源: …` line met after the text started, to say where it is if that field stays missing."""
        kv = _key_value(run.text())
        if kv and kv[0] in META_KEYS and kv[0] not in self.labels:
            fld = META_KEYS[kv[0]]
            self.late_meta.setdefault("outlet" if fld == "author" else fld, (kv[0], run.line))

    def heading(self, title: str, no: int, *, level: int) -> None:
        if self.trailing is not None:
            self.in_trailing(no)
            return
        if self.read_more(title, no):
            return
        if not title:
            self.skip(no, "empty heading")
            return
        if level == 1 and not self.in_body and not self.count:
            if "title" in self.meta:
                self.skip(no, f"heading {title!r}: the title is already set (line {self.meta['title'][1]})")
            else:
                self.found("title", title, no, "title heading")
            return
        if not self.count and len(self.sections) == 1 and "title" not in self.meta and "title" not in self.given:
            # a page copied with its title as `## 标题`: the first heading before any text is the title
            self.found("title", title, no, "title heading")
            self.skip(no, f"heading {title!r} (level {level}) taken as the title, the article having no `# ` title; "
                      "pass --title to keep it as a section")
            return
        self.in_body = True
        self.sections.append({"id": f"s{len(self.sections):02d}", "title": title, "paragraphs": []})
        self.section_lines.append(no)
        # the speaker carries on across a heading: a talk's sections are all the speaker's, an interview's next
        # section starts with a label anyway

    def match_label(self, text: str) -> tuple[str, str, str] | None:
        """(speaker id, label, the rest) when the text starts with a known label in any export's form."""
        s = text.lstrip()
        close = ""
        if s[:1] in _OPEN_BRACKETS:
            close = _OPEN_BRACKETS[s[0]]
            s = s[1:].lstrip()
        for label, sid in self.labels.items():
            if not s.startswith(label):
                continue
            rest = s[len(label):].lstrip()
            if close:
                if not rest.startswith(close):
                    continue
                rest = rest[1:].lstrip()
                if rest[:1] and rest[0] in _COLONS:
                    rest = rest[1:]
                return sid, label, rest.lstrip()
            if rest[:1] and rest[0] in _COLONS:
                return sid, label, rest[1:].lstrip()
            if not rest:
                return sid, label, ""
        return None

    def unknown_label(self, para: _Para) -> None:
        """A paragraph opening with what looks like a label no speaker lists: an error when bold, counted when plain."""
        if para.starts_bold_label:
            self.problem(para.line, "speaker", f"{para.starts_bold_label!r} looks like a speaker label but no speaker lists it; "
                         "add it to that speaker's `labels` in the speakers file")
            return
        s = para.text.lstrip()
        close = ""
        if s[:1] in "「【":
            close = _OPEN_BRACKETS[s[0]]
            s = s[1:]
        end = 0
        while end < len(s) and end <= 8 and s[end] not in _LABEL_STOP:
            end += 1
        label = s[:end]
        rest = s[end:].lstrip()
        if close:
            if not rest.startswith(close):
                return
            rest = rest[1:].lstrip()
        if 1 <= len(label) <= 8 and rest[:1] and rest[0] in _COLONS and label not in META_KEYS:
            self.plain_labels[label] += 1
            self.plain_label_line.setdefault(label, para.line)

    def block(self, group: list[Run], *, in_list: bool) -> None:
        line = group[0].line
        text = " ".join(t for r in group if (t := r.text().strip()))
        if self.trailing is not None:
            self.in_trailing(line, group[-1].line)
            return
        images = [a for r in group for a in r.images()]
        para = _Para(text=text, line=line, bold=all(r.whole_bold() for r in group if r.text().strip()) and bool(text),
                     links_only=all(r.only_links() for r in group if r.text().strip()) and bool(text),
                     images=images, hrefs=[h for r in group for h in r.hrefs()], starts_bold_label=_bold_label(group[0]),
                     in_list=in_list)
        if images:
            self.images_of(group, line)
        if not text:
            return
        if self.read_more(text, line):
            return
        if text.startswith(("参考内容", "参考资料", "参考链接", "视频链接", "原视频")) and (kv := _key_value(text)):
            self.found("reference", meta_value("reference", kv[1], para.hrefs), line, "header line")
            return
        labelled = self.match_label(text)
        if labelled and not labelled[2]:
            self.speaker = labelled[0]  # a label alone on its line: the next paragraph is theirs
            self.resume = None
            return
        if not labelled and self.is_extra(para):
            return
        if not self.in_body and not self.count and len(text) <= 20 and text.endswith(_DATELINE_ENDS) and "：" not in text:
            self.skip(line, f"dateline {text!r}: not part of the text")
            self.date_from(text, line)
            return
        if labelled and para.bold and not text.endswith(_QUESTION_ENDS) and labelled[0] not in self.askers and self.count:
            # `**黄仁勋：OpenAI 是……之一**`: a guest quoted as a heading, not an answer
            self.heading(text, line, level=2)
            return
        if not labelled and para.bold and not text.endswith(_QUESTION_ENDS):
            if not self.count and self.looks_like_byline(text):
                self.skip(line, f"byline {text!r}: not part of the text")
                return
            self.heading(text.rstrip("：: "), line, level=2)
            return
        if not labelled and not self.count and self.looks_like_byline(text):
            self.skip(line, f"byline '{text}': not part of the text")
            self.date_from(text, line, "byline")
            return
        if not labelled and not self.count and not self.in_body and len(text) <= 30 and parse_date(text):
            self.skip(line, f"date line {text!r}: not part of the text")
            self.date_from(text, line, "date line")
            return
        if not labelled and para.links_only:
            if not self.count and not self.in_body and para.hrefs and para.hrefs[0].startswith("http"):
                self.found("url", para.hrefs[0], line, "source link")
                self.skip(line, f"link {text!r}: taken as the source link")
            else:
                self.skip(line, f"link {text!r}: a link on its own is not part of the text")
            return
        if not labelled and text.startswith(("http://", "https://")) and " " not in text:
            if not self.count:
                self.found("url", meta_value("url", text), line, "source link")
                self.skip(line, "bare link: taken as the source link")
            else:
                self.skip(line, "bare link: not part of the text")
            return
        speaker = self.speaker
        flagged_question = False
        if labelled:
            speaker, label, text = labelled
            self.speaker = speaker
            self.resume = None
            self.asked[speaker] += 1
            if text.endswith(_QUESTION_ENDS) and speaker not in self.narrators:
                self.questions[speaker] += 1
        else:
            self.unknown_label(para)
            if para.bold and text.endswith(_QUESTION_ENDS) and len(askers := self.askers) == 1 and (asker := next(iter(askers))) != self.speaker:
                # a question in bold as a whole, with no label: the host's, and the answer after it goes back
                self.resume = self.speaker
                speaker = asker
                flagged_question = True
            elif self.resume is not None:
                speaker = self.speaker = self.resume
                self.resume = None
        if not text:
            self.skip(line, "a speaker label with no words after it")
            return
        self.in_body = True
        self.count += 1
        if self.body_start is None:
            self.body_start = (line, text[:16])
        pid = f"p{self.count:03d}"
        self.sections[-1]["paragraphs"].append({"id": pid, "speaker": speaker, "text": text})
        self.draft.lines[pid] = line
        self.record.append((pid, speaker, bool(labelled), text, line))
        if flagged_question:
            self.draft.warnings.append(f"line {line}: {pid} is a bold question without a label, credited to {speaker!r}; check its speaker")
        if (again := self.match_label(text)) and (again[2] or len(again[1]) > 1):
            self.draft.warnings.append(f"line {line}: {pid} still starts with the label {again[1]!r} after import; "
                                       "remove it from the text and check the paragraph's speaker")

    @property
    def askers(self) -> set[str]:
        """The host(s): speakers labelled Q/问/主持人, or whose labelled paragraphs are mostly questions."""
        return self.hosts | {sid for sid, n in self.questions.items() if n >= 2 and 2 * n >= self.asked[sid]}

    def is_extra(self, para: _Para) -> bool:
        """Pull quotes, captions, credits and account promotion (a summary line each), unless extras are kept."""
        text, line = para.text, para.line
        if text[:1] in (">", "＞") and not para.in_list:
            return self.leave_out(line, "pull quote", text)
        if text.startswith(_CAPTION_STARTS) and len(text) <= 80:
            return self.leave_out(line, "caption", text)
        if len(text) <= 60 and self.count and _is_credit(text):
            return self.leave_out(line, "credit", text)
        if len(text) <= 80 and (any(w in text for w in _PROMOTION) or _weak_promotion(text)):
            return self.leave_out(line, "account promotion", text)
        return False

    def date_from(self, text: str, no: int, where: str = "byline") -> None:
        """A byline or dateline that carries the date (`36氪 · 2025年3月8日`) gives it, unless a header line does."""
        if parse_date(text) is not None:
            self.found("date", text, no, where)

    def looks_like_byline(self, text: str) -> bool:
        if len(text) > 30:
            return False
        outlet = (self.given.get("outlet") or self.meta.get("outlet", self.meta.get("author", ("", None, "")))[0]).strip()
        if any(w in text for w in _BYLINE_WORDS) or (outlet and outlet in text):
            return True
        return text.startswith("文") and text[1:2] in ("/", "｜", "|", " ", "丨")

    # --- the result -------------------------------------------------------------------------------

    def author_as_outlet(self) -> None:
        """Only a `作者:` line (or front matter `author`) names someone: use it as the outlet, and say so if it is a person."""
        if "outlet" in self.meta or "outlet" in self.given:
            return
        if "author" in self.given:
            self.meta["outlet"] = (self.given["author"], None, "--author")
            return
        if "author" not in self.meta:
            return
        value, no, where = self.meta["author"]
        self.meta["outlet"] = (value, no, where)
        if not any(w in value for w in _ORGANISATION) and not value.endswith(("网", "社", "台")):
            self.draft.notes.append(
                f"line {no or 1}: outlet {value!r} taken from the author line, which usually names a person; if the article "
                "was published elsewhere, pass --outlet 媒体名 (or add a `来源: 媒体名` header line)")

    def review(self) -> None:
        """Flag an unlabelled guest paragraph that ends with a question mark and opens like the host's questions."""
        askers = self.askers
        openings = {text[:2] for _, sid, labelled, text, _ in self.record if sid in askers and labelled and text.endswith(_QUESTION_ENDS)}
        for pid, sid, labelled, text, line in self.record:
            if labelled or sid in askers or sid in self.narrators or not askers or not text.endswith(_QUESTION_ENDS):
                continue
            if text.startswith(_QUESTION_OPENERS) or text[:2] in openings:
                self.draft.warnings.append(f"line {line}: {pid} is credited to {sid!r} but ends with a question mark and opens like the host's "
                                           f"questions ({text[:12]!r}); if the host asks it, set its speaker (and the next one's)")

    def finish(self) -> Draft:
        if self.trailing is not None:
            line, heading = self.trailing
            self.skip(line, f"'read more' list from {_short(heading)!r} to the end (lines {line}–{self.trailing_last}, "
                      f"{self.trailing_count} blocks): not part of the text (--keep-extras keeps it)")
        for label, count in sorted(self.plain_labels.items()):
            if count >= 3:
                self.problem(self.plain_label_line[label], "speaker",
                             f"{count} paragraphs start with {label + '：'!r}; if it names a speaker, add {label!r} to that "
                             "speaker's `labels` in the speakers file")
        self.review()
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
        for fld in META_FIELDS:
            if fld in self.given:
                if fld != "author":
                    data[fld] = self.given[fld]
                self.draft.origins.append(f"{fld} {self.given[fld]!r} from --{fld}")
                if fld in self.meta and self.meta[fld][2] != f"--{fld}":
                    self.skip(self.meta[fld][1] or 1, f"{fld} {self.meta[fld][0]!r} from the article: replaced by --{fld}")
            elif fld in self.meta:
                value, no, where = self.meta[fld]
                if fld != "author":
                    data[fld] = value
                self.draft.origins.append(f"{fld} {value!r} from " + (f"line {no} ({where})" if no else where))
        found = {fld: self.meta.get(fld, ("", None, ""))[1] for fld in data}
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
        self.draft.skipped.sort(key=_line_key)
        self.draft.warnings.sort(key=_line_key)
        return self.draft


def _line_key(s: str) -> int:
    head = s.split(":", 1)[0]
    return int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else 0


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:23] + "…"


def _strip_tags(html: str) -> str:
    """The words of a raw HTML block: tags and comments dropped, entities left as they are, whitespace collapsed."""
    out: list[str] = []
    i, n = 0, len(html)
    while i < n:
        if html.startswith("<!--", i):
            end = html.find("-->", i + 4)
            i = n if end < 0 else end + 3
        elif html[i] == "<" and i + 1 < n and (html[i + 1].isalpha() or html[i + 1] in "/!?"):
            end = html.find(">", i)
            i = n if end < 0 else end + 1
            out.append(" ")
        else:
            out.append(html[i])
            i += 1
    return " ".join("".join(out).split())


def _bold_label(run: Run) -> str | None:
    """`**名字：**…` or `**名字**：…`: the name, when the run opens with a short bold part ending at a colon."""
    parts = [p for p in run.parts if p[0] != "image" and _drop_marker_runs(p[1]).strip()]
    if not parts or not parts[0][2]:
        return None
    head = _drop_marker_runs(parts[0][1]).strip()
    after = _drop_marker_runs(parts[1][1]).lstrip() if len(parts) > 1 else ""
    if head[-1:] in _COLONS:
        name = head[:-1].strip()
    elif after[:1] in _COLONS and not (len(parts) > 1 and parts[1][2]):
        name = head
    else:
        return None
    name = name.strip("「」【】[] ")
    if 1 <= len(name) <= 16 and not any(c in name for c in "：:，。！？,.!?"):
        return name
    return None


def _is_credit(text: str) -> bool:
    """`排版｜小王`, `责编：李四`, `文/王一凡 编辑/杜可`: a line of staff credits (a colon only in a short one)."""
    if text.startswith(("编辑于", "发布于", "著作权归", "版权声明", "本文来自", "本文经授权")):
        return True
    for key in _CREDIT_KEYS:
        sep = text[len(key):len(key) + 1]
        if text.startswith(key) and sep:
            if sep in "｜|/／丨":
                return True
            if sep in "：:" and len(key) > 1 and len(text) <= 30:
                return True
    return False


def _weak_promotion(text: str) -> bool:
    hits = sum(w in text for w in _PROMOTION_WEAK)
    return hits >= 2 or (hits == 1 and len(text) <= 12)


def split_article(text: str, *, file: str = "article.md", speakers: list[dict[str, Any]], default_speaker: str,
                  title: str | None = None, outlet: str | None = None, date: str | None = None, url: str | None = None,
                  genre: str | None = None, author: str | None = None, keep_extras: bool = False) -> Draft:
    """Split an article into metadata, sections and labelled paragraphs; collect what was skipped and every problem."""
    given = {"title": title, "outlet": outlet, "date": date, "url": url, "genre": genre, "author": author}
    return _Splitter(text, file=file, speakers=speakers, default_speaker=default_speaker, given=given, keep_extras=keep_extras).run()


def draft_source(text: str, *, source_id: str, speakers: list[dict[str, Any]], default_speaker: str, **meta: Any) -> dict[str, Any]:
    """The draft source.yaml mapping for an article (problems and the skipped summary are dropped: see split_article)."""
    draft = split_article(text, speakers=speakers, default_speaker=default_speaker, **meta)
    return assemble(draft, source_id=source_id, speakers=speakers)


def assemble(draft: Draft, *, source_id: str, speakers: list[dict[str, Any]]) -> dict[str, Any]:
    """source.yaml's field order: id and metadata, speakers, then sections."""
    data = dict(draft.data)
    sections = data.pop("sections")
    return {"id": source_id, **{k: v for k, v in data.items() if k != "id"}, "speakers": speakers, "sections": sections}


def article_stream(text: str) -> tuple[str, list[int]]:
    """Every word of an article (headings, paragraphs, image alt text, link text, code), as `bare` characters, with the
    1-based line each character comes from: what source.yaml's paragraphs are compared against."""
    chars: list[str] = []
    lines: list[int] = []

    def add(words: str, line: int) -> None:
        b = bare(words)
        chars.append(b)
        lines.extend([line] * len(b))

    for tok in _MARKDOWN.parse(text.replace("\r\n", "\n").replace("\r", "\n")):
        start = (tok.map[0] + 1) if tok.map else 1
        if tok.type == "inline":
            for run in _runs(tok, start):
                add(run.text(alts=True), run.line)
        elif tok.type == "html_block":
            add(_strip_tags(tok.content), start)
        elif tok.type in ("fence", "code_block"):
            for k, raw in enumerate(tok.content.split("\n")):
                add(raw, start + k + (tok.type == "fence"))
    return "".join(chars), lines
