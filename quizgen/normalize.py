"""Loose comparison of written answers: the rules the self-check page uses (selfcheck.js), in Python."""

from __future__ import annotations

import re
import unicodedata

_MIDDLE_DOTS = str.maketrans({c: "·" for c in "・･•‧∙⋅"})
"""Name separators typed in different ways (「・」 Japanese style, 「·」 Chinese style) are one character."""
_EDGE = re.compile(r"^[\s.,;:!?'\"()\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201f]+"
                   r"|[\s.,;:!?'\"()\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201f]+$")
_SPACE = re.compile(r"\s+")


def normalize_answer(text: str) -> str:
    """Full-width and half-width alike, case, all spaces and outer punctuation ignored, middle dots unified."""
    text = unicodedata.normalize("NFKC", text).translate(_MIDDLE_DOTS).lower()
    return _SPACE.sub("", _EDGE.sub("", text))


def answer_matches(given: str, answers: tuple[str, ...] | list[str]) -> bool:
    """True when the written answer equals one of the accepted answers after normalisation (blank never matches)."""
    norm = normalize_answer(given)
    return bool(norm) and any(normalize_answer(a) == norm for a in answers)
