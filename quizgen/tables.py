"""Rich tables for the CLI's summaries (imported only by the commands that print them)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from quizgen.curate.stats import ImportanceStats, SectionStats

if TYPE_CHECKING:
    from quizgen.models import QuestionSet


def _console() -> Console:
    return Console(width=120, soft_wrap=False)


def stats_table(rows: list[SectionStats]) -> None:
    """Print the per-section coverage table with a total row."""
    table = Table(title="Bank coverage per section")
    for col in ("source", "section", "paragraphs", "facts", "arguments", "quotes", "terms", "uncovered"):
        table.add_column(col, justify="right" if col not in ("source", "section") else "left")
    totals = [0, 0, 0, 0, 0, 0]
    for r in rows:
        vals = [r.paragraphs, r.counts["fact"], r.counts["argument"], r.counts["quote"], r.counts["term"], len(r.uncovered)]
        totals = [a + b for a, b in zip(totals, vals, strict=True)]
        table.add_row(r.source_id, r.section_id, *map(str, vals))
    table.add_section()
    table.add_row("total", "", *map(str, totals))
    _console().print(table)
    several = len({r.source_id for r in rows}) > 1  # section ids repeat across sources (every import has an intro)
    for r in rows:
        if r.uncovered:
            print(f"uncovered in {r.source_id + ' ' if several else ''}{r.section_id}: {', '.join(r.uncovered)}")


def importance_table(rows: list[ImportanceStats]) -> None:
    """Print items by importance and speaker, and key point coverage, per source."""
    for r in rows:
        table = Table(title=f"{r.source_id}: items by importance and speaker", min_width=60)
        for col in ("speaker", "core", "detail", "aside", "total"):
            table.add_column(col, justify="left" if col == "speaker" else "right")
        for name, counts in r.by_speaker.items():
            table.add_row(name, *(str(counts[k]) for k in ("core", "detail", "aside")), str(sum(counts.values())))
        table.add_section()
        table.add_row("total", *(str(r.by_importance[k]) for k in ("core", "detail", "aside")), str(sum(r.by_importance.values())))
        _console().print(table)
        print(f"key points covered by a core item: {len(r.covered)}/{r.keypoints}")
        if r.uncovered:
            print(f"key points without a core item: {', '.join(r.uncovered)}")
        if r.implicit:
            print(f"{r.implicit} item(s) have no explicit importance (counted as detail)")


def set_table(qset: QuestionSet) -> None:
    """Summary of a generated set: questions per section and type."""
    table = Table(title=f"{qset.title} — {len(qset.questions)} questions, seed {qset.seed}")
    types = sorted({q.type for q in qset.questions})
    table.add_column("section")
    for t in types:
        table.add_column(t, justify="right")
    table.add_column("total", justify="right")
    by = Counter((q.ref.section_index, q.ref.section_title, q.type) for q in qset.questions)
    for idx, title in sorted({(q.ref.section_index, q.ref.section_title) for q in qset.questions}):
        row = [by.get((idx, title, t), 0) for t in types]
        table.add_row(title, *map(str, row), str(sum(row)))
    _console().print(table)
