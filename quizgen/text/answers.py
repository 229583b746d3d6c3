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


def needs_normalising(text: str) -> str | None:
    """What in `text` a learner cannot type as is (a katakana dot, full-width letters or digits), or None."""
    if re.search("[・･‧•∙⋅]", text):
        return "a middle dot other than «·» (U+00B7)"
    if re.search("[Ａ-Ｚａ-ｚ０-９]", text):
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
