"""Messages that point at the fix: the closest valid name, where a copied span first differs, numbers in answers."""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterable, Mapping
from typing import Any

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_MULT = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_ARABIC = re.compile(r"(?P<n>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<mult>[十百千万亿]*)")
_CHINESE = re.compile(r"[零〇一二两俩三四五六七八九十百千万亿]+(?P<half>个?半)?")
_CN_RUN = r"[零〇一二两俩三四五六七八九十百千万亿]+"
_CN_DECIMAL = re.compile(rf"(?P<int>{_CN_RUN[:-2]}]*?[零〇一二两俩三四五六七八九十])点(?P<frac>[零〇一二三四五六七八九]+)(?P<mult>[万亿]*)")
_FRACTION = re.compile(rf"(?P<den>\d+|{_CN_RUN})分之(?P<num>(?:\d+(?:\.\d+)?|{_CN_RUN})(?:点[零〇一二三四五六七八九]+)?)")


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The valid name a typo most likely meant, if any is close enough."""
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.65)
    return matches[0] if matches else None


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """"did you mean 'x'? " or nothing."""
    match = closest(name, choices)
    return f"did you mean {match!r}? " if match else ""


def unknown(what: str, name: str, choices: Iterable[str]) -> str:
    """unknown section 'scaling'; did you mean 'scale'? use one of founding, scale"""
    choices = list(choices)
    return f"unknown {what} {name!r}; {did_you_mean(name, choices)}use one of {', '.join(choices) or 'none'}"


def models_at(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model that an error location's last key belongs to (items.3.fact.anwser -> Fact's fields)."""
    from pydantic import BaseModel  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    from quizgen.models import Argument, Fact, Quote, Term  # noqa: PLC0415 - loaded on use, so light commands start fast

    kinds = {"fact": Fact, "argument": Argument, "quote": Quote, "term": Term}
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if isinstance(part, str) and part in kinds:
            current = kinds[part]
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            return []
        current = _inner_model(fields[part].annotation, BaseModel)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any, base: type) -> Any:
    """The first pydantic model inside an annotation such as tuple[Section, ...] or Optional[Speaker]."""
    if isinstance(annotation, type) and issubclass(annotation, base):
        return annotation
    for arg in typing.get_args(annotation):
        if (found := _inner_model(arg, base)) is not None:
            return found
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def span_hint(span: str, paragraph_id: str, paragraphs: Mapping[str, str]) -> str:
    """Why a span is not verbatim in its paragraph, and what to do: another paragraph that has it, or where it first differs."""
    text = paragraphs.get(paragraph_id, "")
    elsewhere = [pid for pid, t in paragraphs.items() if pid != paragraph_id and span in t]
    if elsewhere:
        return f"not in paragraph {paragraph_id} but verbatim in {', '.join(elsewhere[:3])}; did you mean paragraph: {elsewhere[0]}?"
    if _squash(span) and _squash(span) in _squash(text):
        return f"not found verbatim in paragraph {paragraph_id}: it differs only in spaces; copy the span exactly from source.yaml"
    # the longest stretch of the span's start that the paragraph has, and what follows it there
    best_at, best_len = -1, 0
    for at in (m.start() for m in re.finditer(re.escape(span[0]), text)) if span else ():
        n = 0
        while n < len(span) and at + n < len(text) and text[at + n] == span[n]:
            n += 1
        if n > best_len:
            best_at, best_len = at, n
    if best_len >= min(4, len(span) - 1) and best_len >= 2:
        same = span[:best_len]
        mine = span[best_len: best_len + 8]
        theirs = text[best_at + best_len: best_at + best_len + len(mine)] or "(end of paragraph)"
        return (f"not found verbatim in paragraph {paragraph_id}: the paragraph has {_clip(same)!r} then {theirs!r}, "
                f"where you wrote {mine!r}; copy the span exactly from source.yaml")
    return f"not found verbatim in paragraph {paragraph_id}; copy the span exactly from source.yaml"


def _clip(text: str, keep: int = 12) -> str:
    return text if len(text) <= keep else "…" + text[-keep:]


def _chinese_number(run: str) -> float | None:
    """一 -> 1, 十五 -> 15, 三亿五千万 -> 350000000, 一万亿 -> 1e12; None for runs that are no number (万 alone)."""
    total, section, number, seen_digit = 0.0, 0.0, 0.0, False
    for ch in run:
        if ch in _CN_DIGITS:
            number, seen_digit = float(_CN_DIGITS[ch]), True
        elif ch in _CN_SMALL:
            section += (number or (1.0 if ch == "十" else 0.0)) * _CN_SMALL[ch]
            number, seen_digit = 0.0, True
        elif ch == "万":
            section = (section + number) * 10_000
            total, section, number = total + section, 0.0, 0.0
        elif ch == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0.0
    if not seen_digit:
        return None
    return total + section + number


def _cn_decimal(m: re.Match[str]) -> float | None:
    """三点五 -> 3.5, 零点八 -> 0.8, 一点二万 -> 12000."""
    whole = _chinese_number(m["int"]) if m["int"] not in ("零", "〇") else 0.0
    if whole is None:
        return None
    value = float(f"{whole:g}.{''.join(str(_CN_DIGITS[c]) for c in m['frac'])}")
    for ch in m["mult"]:
        value *= _MULT[ch]
    return value


def _plain_number(text: str) -> float | None:
    """'3', '0.8', '十八', '零点八' -> the number, None when it is none."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if m := _CN_DECIMAL.fullmatch(text):
        return _cn_decimal(m)
    if text in _MULT:
        return float(_MULT[text])  # 百分之 -> 100
    return _chinese_number(text)


def _fractions(answer: str) -> tuple[str, list[float], list[float]]:
    """百分之零点八 -> 0.8 (percent), 千分之五 -> 5, 三分之一 -> 1/3 and 33.3… (as a percent); the answer without them.
    Returns (rest, exact numbers, numbers a rounded `value` may stand for)."""
    exact: list[float] = []
    approx: list[float] = []

    def take(m: re.Match[str]) -> str:
        den, num = _plain_number(m["den"]), _plain_number(m["num"])
        if den is None or num is None or not den:
            return m.group(0)
        if m["den"] in ("百", "100", "千", "1000"):
            exact.append(num)  # a percentage (per mille) is stated as its number: 百分之十八 -> 18
            exact.append(num / den)
        else:
            approx.extend((num / den, num / den * 100))
        return " "

    return _FRACTION.sub(take, answer), exact, approx


def numbers_in_answer(answer: str) -> list[float]:
    """Every number an answer states, each with and without its 万/亿 multiplier (10 万倍 -> 100000 and 10); a
    percentage as its number (百分之零点八 -> 0.8), a fraction as its value (三分之一 -> 0.333…)."""
    rest, out, approx = _fractions(answer)
    out.extend(approx)
    for m in _CN_DECIMAL.finditer(rest):
        if (value := _cn_decimal(m)) is not None:
            out.append(value)
    rest = _CN_DECIMAL.sub(" ", rest)
    for m in _ARABIC.finditer(answer):
        base = float(m["n"].replace(",", ""))
        mult = 1.0
        for ch in m["mult"]:
            mult *= _MULT[ch]
        out.extend({base, base * mult})
        rest = rest.replace(m.group(0), " ", 1)
    for m in _CHINESE.finditer(rest):
        run = m.group(0).removesuffix("半").removesuffix("个")
        value = _chinese_number(run)
        if value is None:
            continue
        out.append(value + (0.5 if m["half"] else 0.0))
    if not out and "半" in answer:
        out.append(0.5)
    return out


def value_mismatch(value: float, answer: str) -> str | None:
    """A message when `value` is none of the numbers the answer states (ranges and lists: any of their ends)."""
    numbers = numbers_in_answer(answer)
    if not numbers or any(abs(value - n) <= 1e-9 * max(1.0, abs(n)) for n in numbers):
        return None
    decimals = len(f"{value:g}".partition(".")[2]) if "e" not in f"{value:g}" else 0
    if decimals and any(round(n, decimals) == round(value, decimals) for n in _fractions(answer)[2]):
        return None  # 三分之一 as 0.33 or 33.3
    shown = ", ".join(f"{n:g}" for n in dict.fromkeys(numbers))
    return (f"value {value:g} is not the number in answer {answer!r} ({shown}); make `value` the number the answer states "
            "(with 万/亿 multiplied out" + ("; a percentage as its number, 百分之十八 -> 18; a fraction as a decimal, 三分之一 -> 0.33"
                                           if "分之" in answer else "") + ")")
