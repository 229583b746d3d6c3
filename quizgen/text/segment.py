"""The jieba wrapper: a private Tokenizer with the sources' user dictionaries, quiet and cached per user."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import shutil
import tempfile
import warnings
import weakref
from functools import cached_property
from pathlib import Path
from typing import Any

from quizgen.errors import OutputError
from quizgen.fsutil import user_cache_dir, write_text

# Common function words and fillers that must never be a cloze blank or a keyword.
STOP_WORDS = frozenset(
    ["的", "了", "是", "在", "和", "与", "及", "或", "也", "都", "就", "而", "但", "并", "又", "还", "很", "更", "最", "非常", "这", "那", "这个", "那个", "这些", "那些", "这样", "那样", "这种", "一个", "一种", "一些", "我", "你", "他", "她", "它", "我们", "你们", "他们", "她们", "它们", "自己", "大家", "人们", "什么", "怎么", "如何", "为什么", "哪", "哪些", "哪个", "多少", "几", "吗", "呢", "吧", "啊", "呀", "嘛", "有", "没有", "不", "没", "会", "能", "能够", "可以", "可能", "要", "需要", "应该", "必须", "让", "把", "被", "给", "对", "对于", "从", "向", "到", "于", "以", "用", "为", "为了", "因为", "所以", "因此", "如果", "那么", "虽然", "尽管", "即使", "然后", "而且", "并且", "或者", "以及", "其中", "之一", "之前", "之后", "时候", "现在", "今天", "已经", "正在", "一直", "总是", "当然", "其实", "确实", "真正", "真的", "实际上", "所有", "每", "每个", "每一个", "各种", "任何", "很多", "许多", "大量", "一切", "东西", "事情", "方面", "方式", "问题", "部分", "一样", "一点", "比如", "例如", "说", "认为", "觉得", "知道", "看", "想", "做", "来", "去", "上", "下", "中", "里", "内", "外", "个", "种", "件", "次", "些", "等", "等等", "之", "其", "该", "此", "所", "着", "过", "地", "得", "吗", "么", "与其"]
)

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿几"
_CN_NUM = rf"[{_CN_DIGITS}]+(?:点[零〇一二三四五六七八九]+)?"
_AR_NUM = r"\d+(?:[,，]\d{3})*(?:\.\d+)?"
_APPROX = "多|余|来|几"
_SCALE = "万亿|千亿|百亿|十亿|万|亿|千|百"
# Measures: a lone 一 or 几 with one of these is still a number (一年, 几倍); with a classifier (一个, 一家) it is not.
_MEASURES = ("亿美元|万美元|美元|美金|人民币|块钱|元|倍|%|％|个月|年|月|日|天|周|星期|小时|分钟|秒|岁|TB|GB|MB|B|"
             "吉瓦|兆瓦|千瓦|瓦|公里|千米|米|千克|公斤|吨")
_CLASSIFIERS = "人|位|名|家|套|台|颗|个|件|项|种|次|份|张|块|条|篇|页|行|部|款|轮|代|层|步|所|座|级|期|届|句|本|场|次"
_UNIT = rf"(?:{_MEASURES}|{_CLASSIFIERS})"
_NUMBER = re.compile(
    # 百分之二十, 三分之一, 百分之十八左右
    rf"(?<![第唯统之同某逐每])(?:(?:{_CN_NUM})?百分之{_CN_NUM}|{_CN_NUM}分之{_CN_NUM})(?:左右|上下)?"
    # 10 万倍, 65 亿美元, 3.2 万名, 20%, 300 多位, 2019 年
    rf"|(?<![A-Za-z0-9.\-]){_AR_NUM}(?:\s*(?:[到至~～\-]|—)\s*{_AR_NUM})?(?:\s*(?:{_APPROX}))?(?:\s*(?:{_SCALE}))?"
    rf"(?:\s*{_UNIT})?(?:左右|上下)?(?![A-Za-z0-9])"
    # 两万多颗, 四十多万套, 两到三倍, 十来个, 十年: a Chinese number needs its unit
    rf"|(?<![第唯统之同某逐每万千])(?P<cn>{_CN_NUM}(?:[到至~～]{_CN_NUM})?)(?P<approx>{_APPROX})?(?:{_SCALE})?"
    rf"(?P<unit>{_UNIT})(?:左右|上下)?"
)
_FRAGMENT = re.compile(rf"(?:{_CN_NUM}|{_AR_NUM})(?:{_APPROX})?(?:{_SCALE})?{_UNIT}?")
_LONE = frozenset("一几")
_CLASSIFIER_SET = frozenset(_CLASSIFIERS.split("|"))


def _import_jieba() -> Any:
    """Import jieba without its pkg_resources warning and with its logger silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba  # noqa: PLC0415 - deliberately lazy: ~0.1 s import and ~0.8 s dictionary load
    logging.getLogger("jieba").setLevel(logging.ERROR)
    return jieba


class Segmenter:
    """Segmentation and keyword extraction over one private `jieba.Tokenizer`.

    jieba's dictionary takes about a second to load, so results are memoised per user, keyed by jieba's
    version and the user dictionaries' contents: a rebuild whose texts were segmented before never loads jieba.
    """

    def __init__(self, userdicts: list[Path] | tuple[Path, ...] = (), *, memo: bool = True):
        self._userdicts = sorted(set(userdicts))
        self._tokenizer_obj: Any = None
        self._memo_path = self._memo_file() if memo else None
        self._memo: dict[str, list[str]] = self._load_memo()
        self._dirty = False

    # --- the memo -----------------------------------------------------------------------------

    def _memo_file(self) -> Path | None:
        h = hashlib.sha256(f"{_MEMO_VERSION}:{_jieba_version()}".encode())
        for path in self._userdicts:
            try:
                h.update(path.read_bytes())
            except OSError:
                return None
        folder = user_cache_dir("jieba")
        return folder / f"segments-{h.hexdigest()[:20]}.json" if folder else None

    def _load_memo(self) -> dict[str, list[str]]:
        if self._memo_path is None:
            return {}
        try:
            data = json.loads(self._memo_path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def save(self) -> None:
        """Persist new results (best effort: a read-only cache folder only costs speed)."""
        if not self._dirty or self._memo_path is None:
            return
        with contextlib.suppress(OutputError):
            write_text(self._memo_path, json.dumps(self._memo, ensure_ascii=False, sort_keys=True))
            self._dirty = False

    # --- jieba --------------------------------------------------------------------------------

    @property
    def _tokenizer(self) -> Any:
        if self._tokenizer_obj is None:
            jieba = _import_jieba()
            tokenizer = jieba.Tokenizer()
            folder = user_cache_dir("jieba")
            if folder is None:
                # no usable home: a private folder for this run, never jieba's default of the shared temp folder
                private = tempfile.mkdtemp(prefix="quizgen-jieba-")
                weakref.finalize(self, shutil.rmtree, private, True)
                folder = Path(private)
            tokenizer.tmp_dir = str(folder)
            tokenizer.initialize()
            for path in self._userdicts:
                with open(path, "rb") as fh:  # jieba leaves files it opens itself unclosed
                    tokenizer.load_userdict(fh)
            self._tokenizer_obj = tokenizer
        return self._tokenizer_obj

    def cut(self, text: str) -> list[str]:
        """Words of `text`, spaces kept as their own tokens, so the pieces join back to `text`."""
        key = "cut\x1f" + text
        if key not in self._memo:
            self._memo[key] = list(self._tokenizer.cut(text, HMM=True))
            self._dirty = True
        return list(self._memo[key])

    def boundaries(self, text: str) -> set[int]:
        """Character offsets where one word ends and the next begins (0 and len included)."""
        out = {0}
        pos = 0
        for word in self.cut(text):
            pos += len(word)
            out.add(pos)
        return out

    def snap(self, text: str, start: int, end: int) -> tuple[int, int]:
        """Widen [start, end) to the nearest word boundaries so a blank never holds half a word."""
        bounds = sorted(self.boundaries(text))
        new_start = max(b for b in bounds if b <= start)
        new_end = min(b for b in bounds if b >= end)
        return new_start, new_end

    @cached_property
    def _tfidf(self) -> Any:
        tokenizer = self._tokenizer
        with warnings.catch_warnings():
            # jieba.analyse opens its idf file without closing it
            warnings.simplefilter("ignore")
            import jieba.analyse  # noqa: PLC0415 - heavy library loaded only by the commands that use it

            tfidf = jieba.analyse.TFIDF()
        tfidf.tokenizer = tokenizer
        tfidf.postokenizer = jieba.posseg.POSTokenizer(tokenizer)
        tfidf.stop_words = set(tfidf.stop_words) | STOP_WORDS
        return tfidf

    def keywords(self, text: str, *, top: int = 8) -> list[str]:
        """Key terms of `text` by TF-IDF, without stop words, numbers or single characters."""
        key = f"kw{top}\x1f" + text
        if key not in self._memo:
            words = self._tfidf.extract_tags(text, topK=top * 3)
            self._memo[key] = [w for w in words if is_content_word(w)][:top]
            self._dirty = True
        return list(self._memo[key])


_MEMO_VERSION = 1


def _jieba_version() -> str:
    try:
        from importlib.metadata import version  # noqa: PLC0415 - only this path needs it

        return version("jieba")
    except Exception:  # noqa: BLE001 - any failure just means no reuse across versions
        return "unknown"


def is_content_word(word: str) -> bool:
    """A word worth blanking or suggesting: not a stop word, not punctuation, not a lone character."""
    w = word.strip()
    if len(w) < 2 or w in STOP_WORDS:
        return False
    return not _PUNCTUATION.fullmatch(w) and not _PLAIN_NUMBER.fullmatch(w)


_PUNCTUATION = re.compile(r"[\W_]+")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")


_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")  # jieba's own reading of a user-dictionary line


def spaced_terms(userdicts: list[Path]) -> list[str]:
    """User-dictionary terms that contain a space ("Tensor Core 30 nz" -> "Tensor Core"), longest first."""
    terms: set[str] = set()
    for path in userdicts:
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            if (m := _USERDICT_LINE.match(line.strip())) and " " in m.group(1).strip():
                terms.add(m.group(1).strip())
    return sorted(terms, key=lambda t: (-len(t), t))


def number_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each number expression with its unit, in the order they appear."""
    spans: list[tuple[int, int]] = []
    for m in _NUMBER.finditer(text):
        if m.group("cn") in _LONE and not m.group("approx") and m.group("unit") in _CLASSIFIER_SET:
            continue  # 一个, 一家公司, 几种: an article, not a figure
        start, end = m.span()
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def is_number_fragment(word: str) -> bool:
    """A numeral with at most its unit (三百, 二十, 七十个, 一件): never a key term of its own."""
    return _FRAGMENT.fullmatch(word.strip()) is not None


def numbers_in(text: str) -> list[str]:
    """Number expressions with their units (10 万倍, 65 亿美元, 两万多颗, 百分之二十, 两三倍) in the order they appear."""
    return [text[a:b] for a, b in number_spans(text)]
