"""Chinese typography of generated text: seams between Chinese and Latin, spaces near full-width marks and gaps."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z0-9]")
_FULL_CLOSE = "，。、；：？！）」』】》"
_FULL_OPEN = "（「『【《"


_BEFORE_CLOSE = re.compile(f"[ \t]+(?=[{_FULL_CLOSE}])")
_AFTER_OPEN = re.compile(f"(?<=[{_FULL_OPEN}])[ \t]+")


def tidy(text: str) -> str:
    """Chinese typography of generated text: no space before a full-width closing mark or after an opening one."""
    return _AFTER_OPEN.sub("", _BEFORE_CLOSE.sub("", text))


def join_cjk(pieces: Iterable[str]) -> str:
    """Join template text and field values, with one space where Chinese meets Latin letters or digits at a seam."""
    out = ""
    for piece in pieces:
        if out and piece and ((_CJK.match(out[-1]) and _LATIN.match(piece[0])) or (_LATIN.match(out[-1]) and _CJK.match(piece[0]))):
            out += " "
        out += piece
    return tidy(out)


_CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def with_gap(before: str, gap: str, after: str) -> str:
    """The sentence with `gap` in place of the answer, spaced as gap_sides says: 「有＿＿名」, 「加上＿＿ AI」."""
    b, a = gap_sides(before, after)
    return f"{b}{gap}{a}"


def gap_sides(before: str, after: str) -> tuple[str, str]:
    """Drop the spaces between a gap and Chinese text or full-width punctuation: 「有 ＿＿ 名」 -> 「有＿＿名」."""
    b, a = before.rstrip(" "), after.lstrip(" ")
    return (b if not b or _CHINESE.match(b[-1]) else before), (a if not a or _CHINESE.match(a[0]) else after)


def chinese_date(value: object) -> str | None:
    """A date as a Chinese page prints it: 2024年10月21日 (a string that is not an ISO date as it is; None if empty)."""
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, str) and value:
        try:
            return chinese_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return None
