"""The graded class as files: scores.csv, items.csv, report.html (A4, with charts) and feedback.html (a page per student)."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from markupsafe import Markup

from quizgen.fsutil import csv_bytes
from quizgen.grade.key import CHOICE, MARKED, Entry
from quizgen.grade.score import Scored
from quizgen.grade.stats import GROUP_SHARE, ItemStats, Summary, by_trouble
from quizgen.templating import environment, template_errors
from quizgen.text.labels import option_letters

TEMPLATE_DIR = "grade"
FLAG_LABELS = {
    "check-key": "核对答案：答对者总分反而偏低（rpb < 0）",
    "distractor-upper": "高分组选干扰项 {letter} 多于正确答案",
    "weak": "区分度弱（rpb < 0.2）",
    "too-hard": "太难（p < 0.3）",
    "too-easy": "太易（p > 0.9）",
    "unused-distractor": "干扰项 {letter} 无人选择",
}


def fmt(x: float, digits: int = 6) -> str:
    """Figures for the CSVs: fixed decimals, empty when undefined (e.g. rpb of a question everyone got right)."""
    return "" if math.isnan(x) else f"{x:.{digits}f}"


def points(x: float) -> str:
    """Points as people write them: 12, 12.5."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def sections(scored: Scored) -> list[tuple[str, str]]:
    """(section id, title) in the interview's order."""
    seen: dict[str, tuple[int, str]] = {}
    for e in scored.key.questions:
        seen.setdefault(e.section_id or "-", (e.section_index, e.section_title))
    return [(sid, title) for sid, (_, title) in sorted(seen.items(), key=lambda kv: kv[1][0])]


def scores_csv(scored: Scored) -> bytes:
    secs = sections(scored)
    ids = np.array([e.section_id or "-" for e in scored.key.questions])
    header = ["student_id", "name", "version", "score", "max", "percent", *(sid for sid, _ in secs)]
    total_max = float(scored.max_points.sum())
    rows = []
    for i, s in enumerate(scored.students):
        total = float(scored.earned[i].sum())
        rows.append([s.student_id, s.name, s.version, points(total), points(total_max), fmt(100 * total / total_max, 4),
                     *(points(float(scored.earned[i][ids == sid].sum())) for sid, _ in secs)])
    return csv_bytes(header, rows)


def items_csv(scored: Scored, items: list[ItemStats]) -> bytes:
    width = max((len(e.options) for e in scored.key.questions if e.type in CHOICE), default=0)
    letters = list(option_letters(width))
    header = ["question_id", "item_id", "type", "n", "p", "d", "rpb", "flags", "number", "points", "answer", "omitted",
              "section_id", "paragraph_id",
              *(f"{letter}_{group}" for letter in letters for group in ("all", "upper", "lower"))]
    rows = []
    for entry, st in zip(scored.key.questions, items, strict=False):
        shares = [""] * (3 * width)
        if st.shares is not None:
            for o in range(st.shares.shape[1]):
                shares[3 * o: 3 * o + 3] = [fmt(float(v)) for v in st.shares[:, o]]
        rows.append([entry.question_id, entry.item_id, entry.type, str(st.n), fmt(st.p), fmt(st.d), fmt(st.rpb), " ".join(st.flags),
                     str(entry.number), str(entry.points), entry.answer, fmt(st.omitted), entry.section_id, entry.paragraph_id, *shares])
    return csv_bytes(header, rows)


# --- charts ------------------------------------------------------------------------------------


def _svg(fig: Any) -> Markup:
    """A figure as inline SVG: text left as text (the page's CJK fonts draw it), fixed ids, no date."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return Markup(re.sub(r'(<svg[^>]*?) width="[^"]*" height="[^"]*"', r'\1', svg, count=1))  # noqa: S704 - matplotlib's own output


def charts(scored: Scored, items: list[ItemStats]) -> dict[str, Markup]:
    """Score histogram and the difficulty x discrimination plot, by matplotlib (imported only here)."""
    import warnings  # noqa: PLC0415 - only around the drawing

    import matplotlib  # noqa: PLC0415 - heavy: only when a report is drawn
    from matplotlib.figure import Figure  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    style: Any = {"svg.fonttype": "none", "svg.hashsalt": "quizgen", "font.size": 9, "font.family": "sans-serif",
             "axes.spines.top": False, "axes.spines.right": False}
    # The labels are Chinese and stay text in the SVG (the page's CJK fonts draw them); matplotlib only measures them
    # with its own font, which may lack the glyphs: that warning says nothing about the page.
    with matplotlib.rc_context(style), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        totals = scored.totals
        top = float(scored.max_points.sum())
        fig = Figure(figsize=(6.2, 2.1))
        ax = fig.add_subplot()
        bins: Any = np.linspace(0, top, min(int(top), 20) + 1) if top >= 1 else 10
        ax.hist(totals, bins=bins, color="#4a6fa5", edgecolor="white")
        ax.axvline(float(totals.mean()), color="#c0392b", linewidth=1)
        ax.set_xlim(0, top)
        ax.set_xlabel("得分")
        ax.set_ylabel("人数")
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.2, top=0.96)  # fixed: tight_layout measures every label
        histogram = _svg(fig)

        fig = Figure(figsize=(6.2, 2.9))
        ax = fig.add_subplot()
        ax.axhspan(-1, 0.2, color="#f6e3e1", zorder=0)
        ax.axvspan(0, 0.3, color="#f3f3f3", zorder=0)
        ax.axvspan(0.9, 1, color="#f3f3f3", zorder=0)
        p = np.array([s.p for s in items])
        r = np.nan_to_num(np.array([s.rpb for s in items]))
        ax.scatter(p, r, s=14, color=["#c0392b" if s.flags else "#4a6fa5" for s in items], zorder=2)
        for s, x, y in zip(items, p, r, strict=False):
            ax.annotate(str(scored.key.questions[s.index].number), (x, y), textcoords="offset points", xytext=(3, 3), fontsize=7)
        ax.set_xlim(0, 1)
        ax.set_ylim(min(-0.2, float(r.min()) - 0.05), max(0.8, float(r.max()) + 0.05))
        ax.axhline(0, color="#888888", linewidth=0.6)
        ax.set_xlabel("难度 p（答对比例）")
        ax.set_ylabel("区分度 r_pb（与其余题总分）")
        fig.subplots_adjust(left=0.11, right=0.98, bottom=0.15, top=0.97)
        scatter = _svg(fig)
    return {"histogram": histogram, "scatter": scatter}


# --- pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One question in the report's trouble list."""

    entry: Entry
    stats: ItemStats
    labels: tuple[str, ...]
    options: tuple[tuple[str, str, str, str, str, bool], ...]
    """Choice questions: (letter, text, overall %, upper %, lower %, is the key)."""


def _labels(flags: tuple[str, ...]) -> tuple[str, ...]:
    out = []
    for flag in flags:
        name, _, letter = flag.partition(":")
        out.append(FLAG_LABELS[name].format(letter=letter))
    return tuple(out)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def report_context(scored: Scored, summary: Summary, items: list[ItemStats]) -> dict[str, Any]:
    rows = []
    for st in by_trouble(items):
        e = scored.key.questions[st.index]
        options: tuple[tuple[str, str, str, str, str, bool], ...] = ()
        if st.shares is not None:
            options = tuple((e.letters[o], e.options[o], _pct(st.shares[0, o]), _pct(st.shares[1, o]), _pct(st.shares[2, o]),
                             e.letters[o] == e.answer) for o in range(len(e.options)))
        rows.append(Row(entry=e, stats=st, labels=_labels(st.flags), options=options))
    return {"key": scored.key, "summary": summary, "rows": rows, "group_share": int(GROUP_SHARE * 100),
            "versions": list(scored.key.versions), "flagged": sum(1 for r in rows if r.labels),
            "charts": charts(scored, items), "points": points, "f2": lambda x: "—" if math.isnan(x) else f"{x:.2f}"}


@dataclass(frozen=True)
class Miss:
    """A question one student did not get full points for."""

    number: int
    given: str
    earned: str
    points: int
    marked: bool
    question: Markup
    answer: Markup


def feedback_context(scored: Scored, parts: Any) -> dict[str, Any]:
    """parts: the macros of templates/grade/macros.html.j2; the same question renders once, not once per student."""
    fragments = {}
    for label, entries in scored.key.versions.items():
        for e in entries:
            fragments[(label, e.question_id)] = (e, parts.miss_question(e), parts.miss_answer(e))
    canon = [e.question_id for e in scored.key.questions]
    secs = sections(scored)
    ids = np.array([e.section_id or "-" for e in scored.key.questions])
    in_section = [(title or sid, ids == sid, points(float(scored.max_points[ids == sid].sum()))) for sid, title in secs]
    missed = scored.earned < scored.max_points
    students = []
    for i, s in enumerate(scored.students):
        misses = []
        for j in np.flatnonzero(missed[i]):
            entry, question, answer = fragments[(s.version, canon[j])]
            given = s.given[j]
            if entry.type in CHOICE and scored.choices[i, j] >= 0:  # the letter read, with its option text
                text = scored.key.questions[j].options[scored.choices[i, j]]
                given = f"{entry.letters[entry.options.index(text)]}．{text}"
            misses.append(Miss(number=entry.number, given=given, earned=points(float(scored.earned[i, j])), points=entry.points,
                               marked=entry.type in MARKED, question=question, answer=answer))
        misses.sort(key=lambda m: m.number)
        subtotals = [(title, points(float(scored.earned[i][mask].sum())), of) for title, mask, of in in_section]
        students.append({"student": s, "score": points(float(scored.earned[i].sum())), "misses": misses, "sections": subtotals})
    return {"key": scored.key, "students": students, "max": points(float(scored.max_points.sum())), "versions": len(scored.key.versions)}


def render_pages(scored: Scored, summary: Summary, items: list[ItemStats], templates_dir: Path) -> dict[str, bytes]:
    """report.html and feedback.html."""
    folder = templates_dir / TEMPLATE_DIR
    env = environment(folder)
    with template_errors(folder, "report.html.j2", kind="grading"):
        parts = env.get_template("macros.html.j2").module
        return {
            "report.html": env.get_template("report.html.j2").render(**report_context(scored, summary, items)).encode("utf-8"),
            "feedback.html": env.get_template("feedback.html.j2").render(**feedback_context(scored, parts)).encode("utf-8"),
        }
    raise AssertionError("unreachable")  # template_errors always raises or returns above
