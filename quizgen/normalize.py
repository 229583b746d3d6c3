"""Loose comparison of written answers (grading, the self-check page's rule): one normalisation, quizgen.answers'."""

from __future__ import annotations

from .answers import normalize_answer

__all__ = ["answer_matches", "normalize_answer"]


def answer_matches(given: str, answers: tuple[str, ...] | list[str]) -> bool:
    """True when the written answer equals one of the accepted answers after normalisation (blank never matches)."""
    norm = normalize_answer(given)
    return bool(norm) and any(normalize_answer(a) == norm for a in answers)
