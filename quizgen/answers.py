"""One normalisation for comparing answers: typed answers, accepted spellings, distractors and (later) grading."""

from __future__ import annotations

import re
import unicodedata

MIDDLE_DOTS = "・･‧•∙⋅·"
"""Dots used between the parts of a name; all compare equal to «·» (U+00B7)."""
_DOTS = re.compile(f"[{re.escape(MIDDLE_DOTS)}]")
_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[\s。．.！!？?；;，,、：:「」『』“”\"'（）()]+|[\s。．.！!？?；;，,、：:「」『』“”\"'（）()]+$")


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
