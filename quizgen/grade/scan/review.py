"""scan-review.html: every page refused, every doubtful mark with its crop, what was read and why, and where to correct it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from quizgen.grade.scan.reader import PageRead
from quizgen.templating import environment, template_errors

if TYPE_CHECKING:
    from quizgen.grade.key import Key
    from quizgen.grade.scan.run import Doubt, Sheet

TEMPLATE = "scan-review.html.j2"


def render_review(*, key: Key, sheets: list[Sheet], refused: list[PageRead], doubts: list[Doubt], responses: str,
                  templates_dir: Path, roster: dict[str, str] | None) -> str:
    """The review page (templates/grade/scan-review.html.j2)."""
    from quizgen.grade.scan.run import _data_uri  # noqa: PLC0415

    names = [(s, _data_uri(s.read[1].crops.get(("name", 0), b"")) if 1 in s.read else "") for s in sheets]
    found = {s.student_id for s in sheets}
    absent = sorted((sid, name) for sid, name in (roster or {}).items() if sid not in found)
    folder = templates_dir / "grade"
    with template_errors(folder, TEMPLATE, kind="scan review"):
        return environment(folder).get_template(TEMPLATE).render(
            key=key, sheets=names, refused=refused, doubts=doubts, responses=responses, absent=absent,
            noted=[s for s in sheets if s.notes], pages=sum(len(s.read) for s in sheets) + len(refused), zip=zip)
