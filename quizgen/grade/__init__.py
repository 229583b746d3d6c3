"""Grade a printed quiz from the class's spreadsheet: read, check, score, analyse, then write every file at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from quizgen.errors import ContentError, OutputError, Problem, rel
from quizgen.fsutil import overwrites_input, write_many
from quizgen.grade.key import Key, parse_key, read_key

OUTPUTS = ("scores.csv", "items.csv", "report.html", "feedback.html")


def grade(responses: Path, *, key_path: Path, out_dir: Path, templates_dir: Path,
          warn: Callable[[str], None] | None = None) -> list[Path]:
    """Score the responses against the key CSV and write scores.csv, items.csv, report.html and feedback.html."""
    from quizgen.grade.report import items_csv, render_pages, scores_csv  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.grade.score import score  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.grade.sheet import read_sheet  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.grade.stats import analyse, summarize  # noqa: PLC0415 - loaded on use, so light commands start fast

    for name in OUTPUTS:
        if overwrites_input(out_dir / name, (responses, key_path)):
            raise OutputError(Problem(rel(out_dir / name), None, "--out", f"grade would write {name} over its own input; choose another --out folder"))
    key = read_key(key_path)
    sheet = read_sheet(responses)
    scored = score(sheet, key)
    if warn is not None:
        for line in sheet.warnings:
            warn(line)
    summary, items = summarize(scored), analyse(scored)
    files = {"scores.csv": scores_csv(scored), "items.csv": items_csv(scored, items),
             **render_pages(scored, summary, items, templates_dir)}
    out = {out_dir / name: files[name] for name in OUTPUTS}
    write_many(out)
    return list(out)


def key_for_quiz(target: Path, *, paths, versions: int | None = None, seed: int | None = None) -> Key:
    """The key of a recipe (.toml), a set (.yaml), or a key CSV itself."""
    if target.suffix.lower() == ".csv":
        return read_key(target)
    if target.suffix.lower() not in (".toml", ".yaml", ".yml"):
        raise ContentError(Problem(rel(target), None, "quiz", "expected a recipe (.toml), a question set (.yaml) or a key CSV (.csv)"))
    from quizgen.outputs.quiz.keycsv import key_csv  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.project.plan import resolve  # noqa: PLC0415 - loaded on use, so light commands start fast

    qset, _ = resolve(target, paths)
    data = key_csv(qset, versions=versions or qset.versions, seed=qset.seed if seed is None else seed)
    return parse_key(data, rel(target))


def write_template(key: Key, out_dir: Path, *, force: bool = False) -> list[Path]:
    """Write <quiz>-responses.xlsx and .csv; refuse to overwrite a sheet that may hold a class's answers."""
    from quizgen.grade.sheet import template_csv, template_xlsx  # noqa: PLC0415 - loaded on use, so light commands start fast

    stem = key.quiz or "quiz"
    files = {out_dir / f"{stem}-responses.xlsx": template_xlsx(key), out_dir / f"{stem}-responses.csv": template_csv(key)}
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise ContentError(Problem(rel(existing[0]), None, "--out", "already exists and may hold answers; "
                                                                    "use --force to replace it, or choose another --out"))
    write_many(files)
    return list(files)
