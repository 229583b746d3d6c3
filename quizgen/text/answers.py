"""One normalisation for comparing answers: typed answers, accepted spellings, distractors and (later) grading."""

from __future__ import annotations

import functools
import re
import unicodedata

MIDDLE_DOTS = "・･‧•∙⋅·"
"""Dots used between the parts of a name; all compare equal to «·» (U+00B7)."""
_DOTS = re.compile(f"[{re.escape(MIDDLE_DOTS)}]")
_SPACE = re.compile(r"\s+")
_EDGE_CHARS = r"\s.,;:!?'\"()\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201f（）"
"""Punctuation a learner may or may not write around an answer: ASCII, CJK (。、「」…), full-width and curly quotes."""
_EDGE = re.compile(f"^[{_EDGE_CHARS}]+|[{_EDGE_CHARS}]+$")


@functools.lru_cache(maxsize=65536)  # a bank 100x the interview compares the same few thousand answers again and again
def normalize_answer(text: str) -> str:
    """Compare answers ignoring width (ＡＢ１ = AB1), case, spaces, edge punctuation and the kind of middle dot."""
    text = unicodedata.normalize("NFKC", text)
    text = _DOTS.sub("·", text)
    text = _EDGE.sub("", text)
    return _SPACE.sub("", text).casefold()


def same_answer(a: str, b: str) -> bool:
    return normalize_answer(a) == normalize_answer(b)


_ODD_DOTS = re.compile("[・･‧•∙⋅]")
_FULL_WIDTH = re.compile("[Ａ-Ｚａ-ｚ０-９]")


def needs_normalising(text: str) -> str | None:
    """What in `text` a learner cannot type as is (a katakana dot, full-width letters or digits), or None."""
    if _ODD_DOTS.search(text):
        return "a middle dot other than «·» (U+00B7)"
    if _FULL_WIDTH.search(text):
        return "full-width letters or digits"
    return None


def contains_answer(hay: str, needle: str) -> bool:
    """`needle` in `hay` as a whole figure: «9天» is not in «19天» (compare normalised texts)."""
    start = hay.find(needle)
    while start >= 0:
        before, after = hay[start - 1:start], hay[start + len(needle):start + len(needle) + 1]
        if not (needle[:1].isdigit() and before.isdigit()) and not (needle[-1:].isdigit() and after.isdigit()):
            return True
        start = hay.find(needle, start + 1)
    return False


def answer_matches(given: str, answers: tuple[str, ...] | list[str]) -> bool:
    """True when the written answer equals one of the accepted answers after normalisation (blank never matches)."""
    norm = normalize_answer(given)
    return bool(norm) and any(normalize_answer(a) == norm for a in answers)


_CN_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_RUN = re.compile("[零〇一二两三四五六七八九十百千万亿]+")
_AR_SCALED = re.compile(r"(\d+(?:,\d{3})+|\d+(?:\.\d+)?)(万亿|亿|万|千)?")


def _cn_value(run: str) -> int | None:
    """一万 -> 10000, 十九 -> 19, 两千三百 -> 2300; None for what is not a number (万一)."""
    total = section = digit = 0
    seen_digit = False
    for ch in run:
        if ch in _CN_VALUES:
            digit, seen_digit = _CN_VALUES[ch], True
        elif ch in _CN_UNITS:
            section += (digit or (1 if ch == "十" else 0)) * _CN_UNITS[ch]
            if not seen_digit and ch != "十":
                return None
            digit = 0
        else:
            if not seen_digit and not section:
                return None
            total = (total + section + digit) * _CN_BIG[ch]
            section = digit = 0
    return total + section + digit


def _cn_figure(m: re.Match[str]) -> str:
    value = _cn_value(m.group(0))
    return m.group(0) if value is None else str(value)


def _ar_figure(m: re.Match[str]) -> str:
    number, scale = m.group(1).replace(",", ""), m.group(2)
    if not scale:
        return number
    value = float(number) * {"千": 1e3, "万": 1e4, "亿": 1e8, "万亿": 1e12}[scale]
    return str(int(value)) if value == int(value) else str(value)


@functools.lru_cache(maxsize=65536)
def normalize_figures(text: str) -> str:
    """`normalize_answer`, and every figure written in digits: 一万张 = 1万张 = 10,000张 -> 10000张, 十九天 -> 19天."""
    text = _CN_RUN.sub(_cn_figure, normalize_answer(text))
    return _AR_SCALED.sub(_ar_figure, text)


_ALIAS = re.compile(r"^(.+?)[（(]\s*([A-Za-z][A-Za-z0-9 .+\-·]*)\s*[）)]$|^([A-Za-z][A-Za-z0-9 .+\-·]*)\s*[（(]\s*(.+?)\s*[）)]$")


def answer_forms(answer: str, accept: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Every form of an answer a page could print, normalised (`normalize_figures`): the answer, each accepted
    spelling, and both halves of a name with its Latin alias in brackets (英伟达（NVIDIA） -> 英伟达, nvidia)."""
    forms: list[str] = []
    for text in (answer, *accept):
        m = _ALIAS.match(text.strip())
        for form in (text, *(g for g in (m.groups() if m else ()) if g)):
            norm = normalize_figures(form)
            if norm and norm not in forms:
                forms.append(norm)
    return forms
