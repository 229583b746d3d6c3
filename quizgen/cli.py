"""The quizgen command line: thin commands over the library (no jieba or genanki at start-up)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from quizgen.errors import QuizgenError

if TYPE_CHECKING:
    from quizgen.project.paths import Paths



app = typer.Typer(
    name="quizgen",
    help="Study decks (Anki), printable quizzes and learning-platform exports from a curated bank of Chinese interviews, talks and articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_debug = False

ContentOpt = Annotated[Path, typer.Option("--content", help="Folder holding tags.yaml and one folder per source.")]


def _templates(ctx: typer.Context, value: Path) -> Path:
    """The project's templates/ when it has one (or --templates names one), else the templates installed with quizgen."""
    source = ctx.get_parameter_source("templates")
    if source is None or source.name == "DEFAULT":
        from quizgen.project.paths import default_templates
        return default_templates()
    return value


TemplatesOpt = Annotated[Path, typer.Option("--templates", callback=_templates,
                                            help="Folder holding questions/, quiz/, anki/ and grade/ templates [default: ./templates if present, else the ones installed with quizgen].")]
DecksOpt = Annotated[Path, typer.Option("--decks", help="Folder of deck recipes (*.toml).")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output folder (created when missing).")]


def _say(line: str) -> None:
    """Print progress; a closed pipe (`quizgen build | head`) must not stop the work."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stays open for the rest of the run


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Turn domain errors into one line per problem on stderr and exit code 1."""
    from quizgen.fsutil import written

    def interrupted() -> NoReturn:
        if written:  # signals wait while files are renamed: what was written is whole
            print(f"interrupted after writing {len(written)} file(s), each complete; run the command again for the rest",
                  file=sys.stderr)
        else:
            print("interrupted; no output was changed", file=sys.stderr)
        raise typer.Exit(130) from None

    written.clear()  # this command's own writes (an in-process caller may run several)
    try:
        yield
    except KeyboardInterrupt:
        interrupted()
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if _signalled:  # the interrupt hit a library that turned it into its own error (pydantic building a model)
            interrupted()
        if _debug:
            raise
        _report(exc)


def _report(exc: Exception) -> NoReturn:
    """An error as the line(s) a user reads, and exit code 1."""
    if isinstance(exc, QuizgenError):
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        raise typer.Exit(1) from None
    if isinstance(exc, OSError):  # a path the system refuses (too long, not a directory, no permission…): name it and say why
        from quizgen.errors import brief

        name = str(exc.filename) if exc.filename is not None else "quizgen"
        print(f"error: {brief(name, 120)}: {exc.strerror or exc}; check the path and try again", file=sys.stderr)
        raise typer.Exit(1) from None
    from quizgen.errors import brief

    print(f"error: internal error: {type(exc).__name__}: {brief(str(exc))}; rerun with --debug for the traceback and report it", file=sys.stderr)
    raise typer.Exit(1) from None


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False) -> None:
    """Study decks (Anki), printable quizzes and learning-platform exports from a curated bank of Chinese sources.

    Start with `quizgen check`, then `quizgen build` to write every recipe into build/.
    """
    global _debug
    _debug = debug


@app.command()
def check(
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
    decks: DecksOpt = Path("decks"),
    quality_report: Annotated[Path | None, typer.Option("--quality-report", help="Write each quality rule's count to this file (.json or .csv), also when the rules find problems (not when files are invalid).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file even if quizgen did not write it (never a file of the project).")] = False,
) -> None:
    """Validate sources, the bank, question templates and recipes, and apply the quality rules; report every problem.

    Each problem is printed as `file:line: field: message` (quality rules as `[rule-id] message`); the exit code is 1
    when there is any. `--quality-report build/quality.json` (or .csv) writes how often each rule fires.

    Example: quizgen check --content tests/fixtures/second_source/content --decks tests/fixtures/second_source/decks
    """
    from quizgen.check.article import article_warnings
    from quizgen.fsutil import guard_target
    from quizgen.project.plan import plan_all

    with _errors():
        if quality_report is not None:
            guard_target(quality_report, "--quality-report", suffixes=(".json", ".csv"), made_here="rule", force=force)
        plan = plan_all(content, templates, decks, quality_report=quality_report)
        for warning in sorted({*plan.content.warnings, *article_warnings(plan.content)}):
            print(f"warning: {warning}", file=sys.stderr)
        print(f"ok: {len(plan.content.sources)} source(s), {len(plan.content.items())} items, "
              f"{len(plan.templates)} question templates, {len(plan.sets)} recipes")
        print(f"    {plan.questions} questions can be generated")
        for note in plan.notes:
            print(f"note: {note}")


SourceOpt = Annotated[list[str] | None, typer.Option("--source", help="Only this source id (repeatable; default: all).")]


@app.command()
def stats(content: ContentOpt = Path("content"), source: SourceOpt = None) -> None:
    """Show a table per section (paragraphs, items by kind, uncovered paragraphs), items by importance and speaker,
    and the key points covered by a core item.

    Example: quizgen stats --source bg2-huang-2024
    """
    from quizgen.curate.stats import importance_stats, section_stats
    from quizgen.load.content import load_content
    from quizgen.tables import importance_table, stats_table

    with _errors():
        loaded = load_content(content)
        only = tuple(source or ())
        stats_table(section_stats(loaded, only))
        importance_table(importance_stats(loaded, only))


@app.command()
def suggest(
    content: ContentOpt = Path("content"),
    section: Annotated[str | None, typer.Option("--section", help="Only this section's paragraphs.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=30, help="Keywords to extract per paragraph.")] = 8,
    source: SourceOpt = None,
) -> None:
    """List, per paragraph, key terms (jieba TF-IDF) and numbers that no bank item covers yet.

    Example: quizgen suggest --source bg2-huang-2024 --section moat --top 5
    """
    from quizgen.curate.stats import suggestions
    from quizgen.load.content import load_content
    from quizgen.text.segment import Segmenter

    with _errors():
        loaded = load_content(content)
        seg = Segmenter([s.userdict for s in loaded.sources.values() if s.userdict])
        rows = suggestions(loaded, seg, top=top, section=section, sources=tuple(source or ()))
        seg.save()
        for row in rows:
            print(f"{row.source_id} {row.paragraph_id} [{row.section_id}, {row.speaker}]")
            if row.terms:
                print(f"  terms:   {'、'.join(row.terms)}")
            if row.numbers:
                print(f"  numbers: {'、'.join(row.numbers)}")
        print(f"{len(rows)} paragraph(s) with uncovered terms or numbers")


def _paths(content: Path, templates: Path, decks: Path, out: Path) -> Paths:
    from quizgen.project.paths import Paths

    return Paths(content=content, templates=templates, decks=decks, out=out)


TargetArg = Annotated[Path, typer.Argument(help="A deck recipe (decks/*.toml) or a set written by `quizgen generate` (*.yaml).")]
ListOpt = list[str] | None


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the set (YAML).")] = Path("build/sets/set.yaml"),
    section: Annotated[ListOpt, typer.Option("--section", help="Only this section (repeatable).")] = None,
    tag: Annotated[ListOpt, typer.Option("--tag", help="Only items with this tag (repeatable).")] = None,
    qtype: Annotated[ListOpt, typer.Option("--type", help="Only this question type: cloze, basic, mcq, tf, who, reasons, order, typed (repeatable).")] = None,
    template: Annotated[ListOpt, typer.Option("--template", help="Only this question template id from templates/questions (repeatable).")] = None,
    speaker: Annotated[ListOpt, typer.Option("--speaker", help="Only items by this speaker id (repeatable).")] = None,
    source: Annotated[ListOpt, typer.Option("--source", help="Only this source id (repeatable; default: all).")] = None,
    importance: Annotated[ListOpt, typer.Option("--importance", help="Only items of this importance: core, detail, aside, or all (repeatable; default: core, or all where no item is marked core).")] = None,
    count: Annotated[int, typer.Option("--count", "-n", min=0, help="How many questions (0: all that match).")] = 20,
    per_item: Annotated[int, typer.Option("--per-item", min=0, help="At most this many questions per bank item (0: no limit).")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same bank, options and seed give the same set.")] = 0,
    title: Annotated[str | None, typer.Option("--title", help="Title of the deck or quiz (default: the source's short title + ：练习).")] = None,
    versions: Annotated[int, typer.Option("--versions", min=1, max=500, help="Default number of quiz versions for this set.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file even if quizgen did not write it (never a file of the project).")] = False,
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
) -> None:
    """Make a new question set from the bank: filter, pick --count questions with --seed, write it as YAML.

    Example: quizgen generate --section moat --type mcq --type tf --importance core --importance detail --count 10 --seed 42 -o build/sets/moat.yaml
    """
    from quizgen.fsutil import guard_target
    from quizgen.project.plan import generate_filters, generate_set, importance_filter, write_set
    from quizgen.tables import set_table

    with _errors():
        guard_target(out, "--out", suffixes=(".yaml", ".yml"), made_here="quizgen-set/", force=force)
        filters = generate_filters(sections=tuple(section or ()), tags=tuple(tag or ()), types=tuple(qtype or ()),
                                   templates=tuple(template or ()), speakers=tuple(speaker or ()), count=count, per_item=per_item,
                                   importance=importance_filter(importance) if importance else ())
        leaks: list = []
        qset = generate_set(_paths(content, templates, Path("decks"), out.parent), title=title, output=_safe_stem(out),
                            sources=tuple(source or ()), filters=filters, seed=seed, versions=versions, core_by_default=not importance,
                            leaks=leaks)
        write_set(qset, out)
        set_table(qset)
        for leak in leaks:  # what the leak guard blocked, naming both questions (or the page text)
            print(f"note: {'kept' if leak.kept else 'left out'} {leak.line()}")
        print(f"wrote {out} ({len(qset.questions)} questions)")


def _safe_stem(path: Path) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.") or "set"


@app.command()
def anki(
    target: TargetArg,
    out: OutOpt = Path("build"),
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
    decks: DecksOpt = Path("decks"),
) -> None:
    """Write an Anki package (.apkg) for a recipe or a generated set.

    Re-importing a rebuilt deck updates edited notes in place and keeps review history.

    Example: quizgen anki decks/interview.toml --out build
    """
    from quizgen.project.plan import export

    with _errors():
        for path in export(target, ["anki"], _paths(content, templates, decks, out)):
            if path.is_relative_to(out):  # the deck's note state is written too, quietly, as build does
                _say(f"wrote {path}")


@app.command()
def quiz(
    target: TargetArg,
    versions: Annotated[int | None, typer.Option("--versions", min=1, max=500, help="Shuffled versions A, B, C… (default: the recipe's).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for shuffling versions (default: the recipe's).")] = None,
    interactive: Annotated[bool, typer.Option("--interactive", help="Also write a self-check page that scores answers offline.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print each page to PDF with headless Chromium.")] = False,
    answer_sheets: Annotated[int | None, typer.Option("--answer-sheets", min=0, max=500,
                                                      help="Machine-readable answer sheets per version for `quizgen scan`, one per student (default: the recipe's).")] = None,
    id_digits: Annotated[int | None, typer.Option("--id-digits", min=1, max=14,
                                                  help="Digits of the student number on those sheets (default: the recipe's, else 8).")] = None,
    out: OutOpt = Path("build"),
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
    decks: DecksOpt = Path("decks"),
) -> None:
    """Render printable HTML quizzes (A4) with answer keys and answer sheets for a recipe or a generated set.

    Example: quizgen quiz decks/short-quiz.toml --versions 3 --interactive --pdf
    """
    from quizgen.project.plan import export

    with _errors():
        for path in export(target, ["quiz"], _paths(content, templates, decks, out), versions=versions, seed=seed,
                           interactive=interactive, pdf=pdf, answer_sheets=answer_sheets, id_digits=id_digits):
            _say(f"wrote {path}")


@app.command()
def build(
    out: OutOpt = Path("build"),
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
    decks: DecksOpt = Path("decks"),
    force: Annotated[bool, typer.Option("--force", help="Rebuild even when no input changed.")] = False,
) -> None:
    """Build every recipe in decks/: its Anki deck and its quizzes (with answer keys and a self-check page).

    Example: quizgen build --out build
    """
    from quizgen.project.build import build_all

    with _errors():
        for line in build_all(_paths(content, templates, decks, out), force=force,
                              say=lambda line: print(line, file=sys.stderr)):
            _say(line)


@app.command("import-text")
def import_text(
    article: Annotated[Path, typer.Argument(help="The article: Markdown (a WeChat/clipper export is fine) or a web page saved from a browser (.html).")],
    source_id: Annotated[str, typer.Option("--id", help="The new source's id (lowercase letters, digits, hyphens).")],
    speakers: Annotated[Path, typer.Option("--speakers", help="YAML list of speakers: id, name, role, labels (e.g. [张三, A, 答]), narrator.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the draft source.yaml (a web page's text goes to article.md beside it).")] = Path("source.yaml"),
    title: Annotated[str | None, typer.Option("--title", help="Title (default: front matter, `标题:` or the first `# ` heading).")] = None,
    author: Annotated[str | None, typer.Option("--author", help="Author (default: front matter or `作者:`); the outlet when none is named.")] = None,
    outlet: Annotated[str | None, typer.Option("--outlet", help="Publisher, kept whole (default: front matter, `文章作者:`, `来源:` or `公众号:`; else the author).")] = None,
    date: Annotated[str | None, typer.Option("--date", help="Publication date YYYY-MM-DD (default: front matter, `发布时间:`, a byline or a date line).")] = None,
    url: Annotated[str | None, typer.Option("--url", help="The article's address (default: front matter, `原文链接:` or a bare link before the text).")] = None,
    genre: Annotated[str | None, typer.Option("--genre", help="访谈, 演讲, 对话 or 文章 (written to source.yaml as `genre:`).")] = None,
    keep_extras: Annotated[bool, typer.Option("--keep-extras", help="Keep pull quotes, captions, credits, account promotion and the 'read more' list as paragraphs.")] = False,
) -> None:
    """Draft a source.yaml from an article (Markdown or a saved web page), to start a new source; review it before adding items.

    Prints where each metadata value came from, one line for everything it left out of the text (images, bylines,
    captions, credits, promotion…), a note for each guess to confirm and a warning for each paragraph to review.

    Example: quizgen import-text talk.md --id my-talk --speakers speakers.yaml --genre 演讲 -o content/my-talk/source.yaml
    """
    from quizgen.curate.importtext import import_article

    with _errors():
        done = import_article(article, source_id=source_id, speakers_file=speakers, out=out, title=title, outlet=outlet,
                              date=date, url=url, genre=genre, author=author, keep_extras=keep_extras)
        for line in done.origins:
            print(f"meta {line}")
        for line in done.skipped:
            print(f"skipped {line}")
        for line in done.notes:
            print(f"note {line}")
        for line in done.warnings:
            print(f"warning {line}")
        if done.text_out is not None:
            print(f"wrote {done.text_out}: the page's text (keep it beside source.yaml for `quizgen check`)")
        print(f"wrote {out}: {done.sections} sections, {done.paragraphs} paragraphs; review it, then run `quizgen check`")


# --- issue 12: learn from the learner's Anki collection (quizgen/learner/) ---------------------

CollectionArg = Annotated[Path, typer.Argument(help="The learner's collection.anki2 (or its profile folder), or a .colpkg export. Read from a copy, never changed.")]


@app.command("from-anki")
def from_anki(
    collection: CollectionArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the set (YAML).")] = Path("build/sets/from-anki.yaml"),
    count: Annotated[int, typer.Option("--count", "-n", min=0, help="How many items, worst first (0: every item that qualifies).")] = 20,
    since: Annotated[int | None, typer.Option("--since", min=1, help="Only Again presses of the last DAYS days (default: all history).")] = None,
    min_again: Annotated[int, typer.Option("--min-again", min=1, help="Only items answered Again at least this many times.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed for choosing each item's new question.")] = 0,
    title: Annotated[str | None, typer.Option("--title", help="Title of the set (default: <source short title>：常错题).")] = None,
    by: Annotated[str, typer.Option("--by", help="Rank by `again` (recency-weighted Again presses) or `recall` (FSRS: lowest recall probability now first).")] = "again",
    include_retired: Annotated[bool, typer.Option("--include-retired", help="Also items no deck carries: retired notes (quizgen::retired) and asides.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file even if quizgen did not write it (never a file of the project).")] = False,
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
) -> None:
    """Make a question set of the items the learner keeps failing in Anki, each asked in another form than the failed card.

    Items are ranked by recency-weighted Again presses, then lapses, then difficulty; `quiz` and `anki` work on the set.

    Example: quizgen from-anki ~/.local/share/Anki2/"User 1"/collection.anki2 --count 15 --since 30 -o build/sets/again.yaml
    """
    from quizgen.fsutil import guard_target
    from quizgen.learner.fromanki import failing_set
    from quizgen.learner.report import picks_table
    from quizgen.project.plan import write_set

    with _errors():
        guard_target(out, "--out", suffixes=(".yaml", ".yml"), inputs=(collection,), made_here="quizgen-set/", force=force)
        if by not in ("again", "recall"):
            from quizgen.errors import Problem, QuizgenError

            raise QuizgenError(Problem("quizgen from-anki", None, "--by", f"unknown ranking {by!r}; use again or recall"))
        result = failing_set(collection, content_dir=content, templates_dir=templates, count=count, since_days=since,
                             min_again=min_again, seed=seed, title=title, output=_safe_stem(out),
                             include_retired=include_retired, by=by)
        write_set(result.qset, out)
        picks_table(result)
        if result.shortfall:
            _say(result.shortfall)
        print(f"wrote {out} ({len(result.qset.questions)} questions)")


@app.command()
def progress(
    collection: CollectionArg,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a printable HTML page (A4, with a chart).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output file even if quizgen did not write it (never a file of the project).")] = False,
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
) -> None:
    """Show how far the learner is, per source, section and key point: cards seen, mature, 30-day retention, most failed.

    Example: quizgen progress ~/.local/share/Anki2/"User 1"/collection.anki2 --html build/progress.html
    """
    from quizgen.fsutil import guard_target, write_text
    from quizgen.learner.progress import read_progress
    from quizgen.learner.report import progress_table, render_progress_html

    with _errors():
        if html is not None:
            guard_target(html, "--html", suffixes=(".html", ".htm"), inputs=(collection,), made_here='content="quizgen"', force=force)
        report = read_progress(collection, content_dir=content, templates_dir=templates)
        page = render_progress_html(report, templates_dir=templates) if html else None
        if html and page is not None:
            write_text(html, page)
        progress_table(report)
        if html:
            print(f"wrote {html}")


# --- issue 11: grading a printed quiz -----------------------------------------------------------


@app.command("responses-template")
def responses_template(
    quiz: Annotated[Path, typer.Argument(help="A recipe (.toml), a set (.yaml), or the quiz's key CSV (<output>-key.csv).")],
    out: Annotated[Path | None, typer.Option("--out", help="Folder to write into (default: build/<output>/, or the key's folder).")] = None,
    versions: Annotated[int | None, typer.Option("--versions", min=1, max=500, help="Versions printed (default: the recipe's).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed the versions were printed with (default: the recipe's).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing sheet (it may hold a class's answers).")] = False,
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
    decks: DecksOpt = Path("decks"),
) -> None:
    """Write an empty class sheet (<output>-responses.xlsx and .csv): student_id,name,version,1,2,… with instructions.

    Example: quizgen responses-template build/bg2-short-quiz/bg2-short-quiz-key.csv
    """
    from quizgen.grade import key_for_quiz, write_template

    with _errors():
        key = key_for_quiz(quiz, paths=_paths(content, templates, decks, Path("build")), versions=versions, seed=seed)
        folder = out or (quiz.parent if quiz.suffix.lower() == ".csv" else Path("build") / key.quiz)
        for path in write_template(key, folder, force=force):
            _say(f"wrote {path}")


@app.command("grade")
def grade_cmd(
    responses: Annotated[Path, typer.Argument(help="The class sheet (.csv in UTF-8 or GB18030, or .xlsx).")],
    key: Annotated[Path, typer.Option("--key", help="The key CSV written beside the quiz (<output>-key.csv).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for scores.csv, items.csv, report.html, feedback.html.")],
    templates: TemplatesOpt = Path("templates"),
) -> None:
    """Score a class's answers and analyse every question: scores.csv, items.csv, report.html, feedback.html.

    Example: quizgen grade answers.xlsx --key build/bg2-short-quiz/bg2-short-quiz-key.csv --out build/grades
    """
    from quizgen.grade import grade

    with _errors():
        for path in grade(responses, key_path=key, out_dir=out, templates_dir=templates,
                          warn=lambda line: print(f"warning: {line}", file=sys.stderr)):
            _say(f"wrote {path}")


@app.command("scan")
def scan_cmd(
    images: Annotated[list[Path], typer.Argument(help="Photos (JPEG, PNG, HEIC, TIFF) or scanner PDFs of the filled sheets, or folders of them.")],
    key: Annotated[Path, typer.Option("--key", help="The key CSV printed with the sheets (<output>-key.csv).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The class sheet to write (.csv); scan-review.html goes beside it.")],
    roster: Annotated[Path | None, typer.Option("--roster", help="student_id,name CSV: names for the student numbers read.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing class sheet (it may hold your corrections).")] = False,
    templates: TemplatesOpt = Path("templates"),
) -> None:
    """Read photographed or scanned answer sheets into the class sheet `grade` reads, and a review page of every doubtful mark.

    Example: quizgen scan photos/ --key build/bg2-short-quiz/bg2-short-quiz-key.csv -o build/grades/responses.csv
    """
    from quizgen.grade.scan.run import scan

    with _errors():
        result = scan(images, key_path=key, out=out, templates_dir=templates, roster_path=roster, force=force,
                      progress=lambda line: print(line, file=sys.stderr))
        _say(f"read {len(result.sheets)} sheet(s); {len(result.doubts)} mark(s) to check, {len(result.refused)} page(s) refused")
        for path in result.paths:
            _say(f"wrote {path}")


# --- issue 10: one outputs pipeline ------------------------------------------------------------


@app.command()
def export(
    target: TargetArg,
    formats: Annotated[list[str], typer.Option("--format", "-f", help="An output format: anki, quiz, … (repeatable).")],
    out: OutOpt = Path("build"),
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
    decks: DecksOpt = Path("decks"),
) -> None:
    """Render a recipe or a generated set in any output formats, into OUT/<output>/.

    Every file is rendered before any is written. Formats are listed in quizgen/outputs/__init__.py.

    Example: quizgen export decks/short-quiz.toml --format anki --format quiz --out build
    """
    from quizgen.project.plan import export as export_files

    with _errors():
        for path in export_files(target, formats, _paths(content, templates, decks, out), interactive=True):
            if path.is_relative_to(out):
                _say(f"wrote {path}")


_signalled = False
"""Set by the first SIGTERM or SIGINT (Ctrl-C): an error after it is the interrupt's doing, reported as one."""


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM as Ctrl-C: the same clean stop (temp folders removed, outputs whole, the same message)."""
    global _signalled  # a signal handler's one way to tell the error handler
    _signalled = True
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    import gc
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    # A build holds a bank's questions, notes and state (68,400 notes at 100x): with the default thresholds the
    # cycle collector rescans them over and over (a third of that build's time). Nearly everything here is freed by
    # reference counting; cycles are still collected, only less often.
    gc.set_threshold(100_000, 20, 1_000)
    app()


if __name__ == "__main__":
    main()
