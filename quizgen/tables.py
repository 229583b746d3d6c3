"""Rich tables for the CLI's summaries (imported only by the commands that print them)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .report import SectionStats


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
    for r in rows:
        if r.uncovered:
            print(f"uncovered in {r.section_id}: {', '.join(r.uncovered)}")
