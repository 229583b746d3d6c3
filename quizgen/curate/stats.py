"""Curator reports: coverage per section and suggestions of what the bank does not cover yet."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from quizgen.errors import Problem, SelectionError, rel
from quizgen.load.content import BankItem, Content, LoadedSource
from quizgen.text.segment import Segmenter, is_number_fragment, number_spans, spaced_terms

SUBSTANCE_CHARS = 30
"""Paragraphs shorter than this (greetings, one-line questions) need no item of their own."""


@dataclass(frozen=True)
class SectionStats:
    source_id: str
    section_id: str
    title: str
    paragraphs: int
    counts: dict[str, int]
    uncovered: tuple[str, ...]


def pick_sources(content: Content, names: tuple[str, ...] | list[str] = ()) -> list[LoadedSource]:
    """The sources named by --source (all when none is named); an unknown name is an error with the closest one."""
    from quizgen.load.hints import unknown  # noqa: PLC0415 - loaded on use, so light commands start fast

    bad = [n for n in names if n not in content.sources]
    if bad:
        raise SelectionError([Problem(rel(content.root), None, "--source", unknown("source", n, list(content.sources))) for n in bad])
    return [content.sources[n] for n in dict.fromkeys(names)] if names else list(content.sources.values())


def section_stats(content: Content, sources: tuple[str, ...] | list[str] = ()) -> list[SectionStats]:
    """Per section: paragraphs, items by kind, and substantial paragraphs no item cites."""
    rows: list[SectionStats] = []
    for loaded in pick_sources(content, sources):
        for section in loaded.source.sections:
            items = [it for it in loaded.items if it.section.id == section.id]
            cited = {it.paragraph.id for it in items}
            uncovered = tuple(
                p.id for p in section.paragraphs if p.id not in cited and len(p.text) >= SUBSTANCE_CHARS
            )
            counts = Counter(it.kind for it in items)
            rows.append(SectionStats(loaded.id, section.id, section.title, len(section.paragraphs),
                                     {k: counts.get(k, 0) for k in ("fact", "argument", "quote", "term")}, uncovered))
    return rows


def _item_text(item: BankItem) -> str:
    data = item.item.model_dump(exclude={"id", "kind", "paragraph", "tags", "speaker"})
    parts: list[str] = []
    for value in data.values():
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, (list, tuple)):
            parts.extend(v for v in value if isinstance(v, str))
    return "\n".join(parts)


def _in_a_number(term: str, text: str, spans: list[tuple[int, int]]) -> bool:
    """True for a numeral fragment (三百, 七十个, 一件) or a word whose every occurrence overlaps a number (颗星 of 两万多颗星)."""
    if is_number_fragment(term):
        return True
    starts = [i for i in range(len(text)) if text.startswith(term, i)]
    return bool(starts) and all(any(i < b and a < i + len(term) for a, b in spans) for i in starts)


@dataclass(frozen=True)
class Suggestion:
    source_id: str
    paragraph_id: str
    section_id: str
    speaker: str
    terms: tuple[str, ...]
    numbers: tuple[str, ...]


def suggestions(content: Content, segmenter: Segmenter, *, top: int = 8, section: str | None = None,
                sources: tuple[str, ...] | list[str] = ()) -> list[Suggestion]:
    """Per paragraph: key terms (TF-IDF) and numbers that no bank item mentions yet."""
    chosen = pick_sources(content, sources)
    known_sections = sorted({sec.id for loaded in chosen for sec in loaded.source.sections})
    if section and section not in known_sections:
        raise SelectionError(Problem(rel(content.root), None, "section",
                                     f"unknown section {section!r}; available: {', '.join(known_sections) or 'none'}"))
    out: list[Suggestion] = []
    for loaded in chosen:
        # jieba never keeps a space inside a word: user-dictionary terms with spaces (Tensor Core) are found whole here
        phrases = spaced_terms([loaded.userdict] if loaded.userdict else [])
        covered: dict[str, str] = {}
        for it in loaded.items:
            covered[it.paragraph.id] = covered.get(it.paragraph.id, "") + "\n" + _item_text(it)
        for sec in loaded.source.sections:
            if section and sec.id != section:
                continue
            for para in sec.paragraphs:
                known = covered.get(para.id, "")
                whole = [p for p in phrases if p in para.text]
                words = [t for t in segmenter.keywords(para.text, top=top) if not any(t in p for p in whole)]
                spans = number_spans(para.text)
                terms = tuple(t for t in dict.fromkeys([*whole, *words])
                              if t not in known and not _in_a_number(t, para.text, spans))[:top]
                nums = tuple(n for n in dict.fromkeys(para.text[a:b] for a, b in spans) if n not in known)
                if terms or nums:
                    out.append(Suggestion(loaded.id, para.id, sec.id, para.speaker, terms, nums))
    return out


@dataclass(frozen=True)
class ImportanceStats:
    source_id: str
    by_importance: dict[str, int]
    by_speaker: dict[str, dict[str, int]]
    """Speaker name -> importance -> items."""
    keypoints: int
    covered: tuple[str, ...]
    uncovered: tuple[str, ...]
    implicit: int
    """Items without an explicit importance (counted as detail)."""


def importance_stats(content: Content, sources: tuple[str, ...] | list[str] = ()) -> list[ImportanceStats]:
    """Per source (all, or those named): items by importance and by speaker, and the key points a core item covers."""
    rows: list[ImportanceStats] = []
    for loaded in pick_sources(content, sources):
        by_imp = Counter(it.item.importance for it in loaded.items)
        by_speaker: dict[str, dict[str, int]] = {}
        for it in loaded.items:
            counts = by_speaker.setdefault(it.speaker.name, {"core": 0, "detail": 0, "aside": 0})
            counts[it.item.importance] += 1
        core = {it.item.keypoint for it in loaded.items if it.item.importance == "core"}
        ids = [kp.keypoint.id for kp in loaded.keypoints]
        rows.append(ImportanceStats(loaded.id, {k: by_imp.get(k, 0) for k in ("core", "detail", "aside")}, by_speaker, len(ids),
                                    tuple(i for i in ids if i in core), tuple(i for i in ids if i not in core),
                                    sum(1 for it in loaded.items if "importance" not in it.item.model_fields_set)))
    return rows
