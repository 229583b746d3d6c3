"""`quizgen check` only: every paragraph of source.yaml must be the article's words.

Both sides are reduced to letters and digits (labels, punctuation, whitespace, Markdown and line wraps fall away), so a
reviewed draft (labels removed, junk dropped, sections renamed, paragraphs merged or split) and a source made by an
earlier importer agree with article.md, while a changed word or an invented paragraph does not. Each paragraph is found
in the article's character stream, in order; one that is not found verbatim is aligned with difflib, and any character
of source.yaml the article does not have there is a warning naming the paragraph and the article's line.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from quizgen.curate.markdown import article_stream, bare
from quizgen.errors import Problem, QuizgenError, rel
from quizgen.load.content import Content
from quizgen.load.dataio import read_text
from quizgen.models import Source

_ANCHOR = 8
"""Characters of a paragraph used to find where it starts in the article when it is not there verbatim."""


def article_warnings(content: Content) -> list[Problem]:
    """The comparison for every source of the content, sorted like the loader's warnings."""
    out: list[Problem] = []
    for loaded in content.sources.values():
        out.extend(compare_with_article(loaded.source, loaded.dir))
    return out


def compare_with_article(source: Source, folder: Path) -> list[Problem]:
    """Warnings when article.md is missing, or when a paragraph of source.yaml holds words the article does not."""
    article = folder / "article.md"
    if not article.exists():
        return [Problem(rel(article), None, "article", "not found; keep the published article beside source.yaml so its split can be re-checked")]
    try:
        text = read_text(article)
    except QuizgenError as exc:
        return list(exc.problems)
    stream, lines = article_stream(text)
    where = rel(folder / "source.yaml")
    pos = 0
    for section in source.sections:
        for para in section.paragraphs:
            mine = bare(para.text)
            if not mine:
                continue
            at = stream.find(mine, pos)
            if at < 0:
                at = stream.find(mine)  # a paragraph moved earlier: still the article's words
            if at >= 0:
                pos = max(pos, at + len(mine))
                continue
            found = _difference(mine, stream, pos)
            if found is None:
                return [Problem(where, None, "sections", f"paragraph {para.id} is not in article.md (source.yaml has {para.text[:16]!r}); "
                                "paragraph text must be the article's words: fix source.yaml, or article.md if it is not the published text")]
            index, at = found
            own = para.text[_original_index(para.text, index):][:10]
            line = lines[min(at, len(lines) - 1)] if lines else 1
            return [Problem(where, None, "sections",
                            f"paragraph {para.id} differs from article.md line {line} (source.yaml has {own!r}, the article "
                            f"{stream[at:at + 10]!r}); paragraph text must be the article's words: fix source.yaml, or article.md "
                            "if it is not the published text")]
    return []


def _difference(mine: str, stream: str, pos: int) -> tuple[int, int] | None:
    """Align a paragraph with the article where one of its stretches is found: (index into mine, index into the article)
    of the first characters the article lacks there; None when no stretch of the paragraph is in the article."""
    start = _locate(mine, stream, pos)
    if start is None:
        return None
    window = stream[start:start + 2 * len(mine) + 200]
    matcher = difflib.SequenceMatcher(None, mine, window, autojunk=False)
    covered = seen = 0
    for block in matcher.get_matching_blocks():
        if block.a > covered or (block.size == 0 and covered < len(mine)):  # mine[covered:block.a] is not in the article here
            return covered, start + seen
        covered, seen = block.a + block.size, block.b + block.size
    return None


def _locate(mine: str, stream: str, pos: int) -> int | None:
    """Where the article's copy of a paragraph starts: the first stretch of _ANCHOR characters found (from pos, then anywhere)."""
    for offset in range(0, max(1, len(mine) - _ANCHOR + 1), _ANCHOR):
        piece = mine[offset:offset + _ANCHOR]
        for begin in (pos, 0):
            at = stream.find(piece, begin)
            if at >= 0:
                return max(0, at - offset)
    return None


def _original_index(text: str, index: int) -> int:
    """The index in text of the character that is `bare(text)[index]`."""
    count = 0
    for i, ch in enumerate(text):
        count += len(bare(ch))
        if count > index:
            return i
    return len(text)
