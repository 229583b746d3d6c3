"""Progress as a rich table in the terminal and as a printable HTML page (Jinja2, inline SVG chart, offline)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from quizgen.learner.fromanki import FailingSet
from quizgen.learner.progress import Progress, Row, SourceProgress

TEMPLATE_DIR = "progress"
PAGE_TEMPLATE = "progress.html.j2"
CHART_WIDTH = 640
LABEL_WIDTH = 190
BAR_HEIGHT = 16
ROW_HEIGHT = 24
BAR_WIDTH = CHART_WIDTH - LABEL_WIDTH - 70
LABEL_CHARS = 14


def _show(console: object, renderable: object) -> None:
    """Print to the terminal; a closed pipe (`quizgen progress … | head`) must not turn into an error."""
    try:
        console.print(renderable)  # type: ignore[attr-defined]  # rich Console, imported lazily
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stays open for the rest of the run


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


# --- terminal ---------------------------------------------------------------------------------


def progress_table(progress: Progress) -> None:
    """One rich table per source: sections, then key points and importance levels where the source has them."""
    from rich.console import Console  # noqa: PLC0415 - heavy library loaded only by the commands that use it
    from rich.table import Table  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    console = Console(width=140, soft_wrap=False)
    for src in progress.sources:
        t = src.total
        table = Table(title=f"{src.title} — seen {t.seen}/{t.total} cards, mature {t.mature}, "
                            f"30-day retention {percent(t.retention)}")
        table.add_column("group")
        table.add_column("", max_width=28, no_wrap=True, overflow="ellipsis")
        for name in ("seen", "mature", "retention 30d", "young / mature", "recall now → 7d"):
            table.add_column(name, justify="right")
        table.add_column("most failed (Again presses)")
        table.add_column("leeches")
        for label, rows in (("section", src.sections), ("key point", src.keypoints), ("importance", src.importance)):
            if not rows:
                continue
            if label != "section":
                table.add_section()
            for row in rows:
                table.add_row(label, row.title, f"{row.seen}/{row.total}", str(row.mature), *_memory(row), _failed(row), _leeches(row))
        table.add_section()
        table.add_row("total", "", f"{t.seen}/{t.total}", str(t.mature), *_memory(t), _failed(t), _leeches(t))
        _show(console, table)
    if progress.skipped_notes:
        _show(console, f"{progress.skipped_notes} note(s) from quizgen decks ask items no longer in the bank; left out")


def _retention(row: Row) -> str:
    return f"{percent(row.retention)} of {row.answers}" if row.answers else "—"


def _memory(row: Row) -> tuple[str, str, str]:
    """Retention of review answers, young and mature apart, and the FSRS expected recall now and in 7 days."""
    split = f"{percent(row.young_retention)} / {percent(row.mature_retention)}" if row.answers else "—"
    recall = f"{percent(row.recall[0])} → {percent(row.recall[1])}" if row.recall else "—"
    return _retention(row), split, recall


def _leeches(row: Row) -> str:
    return ", ".join(row.leeches) or "—"


def _failed(row: Row) -> str:
    return ", ".join(f"{f.item_id} ×{f.again}" for f in row.failed) or "—"


def picks_table(result: FailingSet) -> None:
    """What from-anki chose: rank, item, failures, and the form it is asked in now."""
    from rich.console import Console  # noqa: PLC0415 - heavy library loaded only by the commands that use it
    from rich.table import Table  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    table = Table(title=f"{result.qset.title} — {len(result.picks)} item(s), seed {result.qset.seed}")
    for name in ("#", "item", "again", "score", "lapses", "recall", "failed as", "asked as"):
        table.add_column(name, justify="right" if name in ("#", "again", "score", "lapses", "recall") else "left")
    for n, pick in enumerate(result.picks, 1):
        f = pick.failures
        asked = pick.question.type + ("" if pick.other_form else " (no other form)")
        table.add_row(str(n), f.item_id, str(f.again), f"{f.score:.2f}", str(f.lapses), percent(f.recall), ", ".join(f.failed_types), asked)
    _show(Console(width=120, soft_wrap=False), table)


# --- printable page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    mature: float
    learning: float
    unseen: float
    caption: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    bar_width: int
    bar_height: int
    bars: tuple[Bar, ...]


def chart(rows: tuple[Row, ...]) -> Chart:
    """Stacked bars per row (mature, seen, not seen yet), sized in the Python so the template only draws."""
    bars = []
    for i, row in enumerate(rows):
        total = row.total or 1
        mature = BAR_WIDTH * row.mature / total
        learning = BAR_WIDTH * (row.seen - min(row.mature, row.seen)) / total
        label = row.title if len(row.title) <= LABEL_CHARS else row.title[: LABEL_CHARS - 1] + "…"
        bars.append(Bar(label=label, y=8 + i * ROW_HEIGHT, mature=round(mature, 1), learning=round(learning, 1),
                        unseen=round(BAR_WIDTH - mature - learning, 1) if row.total else float(BAR_WIDTH),
                        caption=f"{row.seen}/{row.total}"))
    return Chart(width=CHART_WIDTH, height=16 + len(rows) * ROW_HEIGHT, label_width=LABEL_WIDTH, bar_width=BAR_WIDTH,
                 bar_height=BAR_HEIGHT, bars=tuple(bars))


def render_progress_html(progress: Progress, *, templates_dir: Path) -> str:
    """The printable A4 page: a chart and a table per source, key points where the source lists them."""
    from quizgen.templating import environment, template_errors  # noqa: PLC0415 - jinja2 only for the HTML page

    folder = templates_dir / TEMPLATE_DIR
    env = environment(folder)
    env.filters["percent"] = percent
    charts = {src.source_id: _charts(src) for src in progress.sources}
    with template_errors(folder, PAGE_TEMPLATE, kind="progress"):
        return env.get_template(PAGE_TEMPLATE).render(progress=progress, charts=charts)
    raise AssertionError("unreachable")  # template_errors always raises or returns above


def _charts(src: SourceProgress) -> dict[str, Chart]:
    out = {"sections": chart(src.sections)}
    if src.keypoints:
        out["keypoints"] = chart(src.keypoints)
    return out
