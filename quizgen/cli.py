"""The quizgen command line: thin commands over the library (no jieba or genanki at start-up)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .errors import QuizgenError

if TYPE_CHECKING:
    from .paths import Paths

app = typer.Typer(
    name="quizgen",
    help="Study decks (Anki) and printable quizzes from a curated bank of one long interview.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_debug = False

ContentOpt = Annotated[Path, typer.Option("--content", help="Folder holding tags.yaml and one folder per source.")]
TemplatesOpt = Annotated[Path, typer.Option("--templates", help="Folder holding questions/ and quiz/ templates.")]
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
    try:
        yield
    except QuizgenError as exc:
        if _debug:
            raise
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        print("interrupted; no output was changed", file=sys.stderr)
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence: one line, no traceback
        if _debug:
            raise
        print(f"error: internal error: {type(exc).__name__}: {exc}; rerun with --debug for the traceback and report it", file=sys.stderr)
        raise typer.Exit(1) from None


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False) -> None:
    """Study decks (Anki) and printable quizzes from a curated interview bank.

    Start with `quizgen check`, then `quizgen build` to write every recipe into build/.
    """
    global _debug
    _debug = debug


@app.command()
def check(
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
    decks: DecksOpt = Path("decks"),
    quality_report: Annotated[Optional[Path], typer.Option("--quality-report", help="Write each quality rule's count to this file (.json or .csv), also when the rules find problems (not when files are invalid).")] = None,
) -> None:
    """Validate sources, the bank, question templates and recipes, and apply the quality rules; report every problem.

    Each problem is printed as `file:line: field: message` (quality rules as `[rule-id] message`); the exit code is 1
    when there is any. `--quality-report build/quality.json` (or .csv) writes how often each rule fires.

    Example: quizgen check --content tests/fixtures/second_source/content --decks tests/fixtures/second_source/decks
    """
    from .pipeline import plan_all

    with _errors():
        plan = plan_all(content, templates, decks, quality_report=quality_report)
        print(f"ok: {len(plan.content.sources)} source(s), {len(plan.content.items())} items, "
              f"{len(plan.templates)} question templates, {len(plan.sets)} recipes")
        print(f"    {plan.questions} questions can be generated")
        for note in plan.notes:
            print(f"note: {note}")


@app.command()
def stats(content: ContentOpt = Path("content")) -> None:
    """Show a table per section (paragraphs, items by kind, uncovered paragraphs), items by importance and speaker,
    and the key points covered by a core item.

    Example: quizgen stats
    """
    from .content import load_content
    from .report import importance_stats, section_stats
    from .tables import importance_table, stats_table

    with _errors():
        loaded = load_content(content)
        stats_table(section_stats(loaded))
        importance_table(importance_stats(loaded))


@app.command()
def suggest(
    content: ContentOpt = Path("content"),
    section: Annotated[Optional[str], typer.Option("--section", help="Only this section's paragraphs.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=30, help="Keywords to extract per paragraph.")] = 8,
) -> None:
    """List, per paragraph, key terms (jieba TF-IDF) and numbers that no bank item covers yet.

    Example: quizgen suggest --section moat --top 5
    """
    from .content import load_content
    from .report import suggestions
    from .text import Segmenter

    with _errors():
        loaded = load_content(content)
        seg = Segmenter([s.userdict for s in loaded.sources.values() if s.userdict])
        rows = suggestions(loaded, seg, top=top, section=section)
        seg.save()
        for row in rows:
            print(f"{row.source_id} {row.paragraph_id} [{row.section_id}, {row.speaker}]")
            if row.terms:
                print(f"  terms:   {'、'.join(row.terms)}")
            if row.numbers:
                print(f"  numbers: {'、'.join(row.numbers)}")
        print(f"{len(rows)} paragraph(s) with uncovered terms or numbers")


def _paths(content: Path, templates: Path, decks: Path, out: Path) -> "Paths":
    from .paths import Paths

    return Paths(content=content, templates=templates, decks=decks, out=out)


TargetArg = Annotated[Path, typer.Argument(help="A deck recipe (decks/*.toml) or a set written by `quizgen generate` (*.yaml).")]
ListOpt = Optional[list[str]]


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the set (YAML).")] = Path("build/sets/set.yaml"),
    section: Annotated[ListOpt, typer.Option("--section", help="Only this section (repeatable).")] = None,
    tag: Annotated[ListOpt, typer.Option("--tag", help="Only items with this tag (repeatable).")] = None,
    qtype: Annotated[ListOpt, typer.Option("--type", help="Only this question type: cloze, basic, mcq, tf, who, reasons, order, typed (repeatable).")] = None,
    template: Annotated[ListOpt, typer.Option("--template", help="Only this question template id from templates/questions (repeatable).")] = None,
    speaker: Annotated[ListOpt, typer.Option("--speaker", help="Only items by this speaker id (repeatable).")] = None,
    source: Annotated[ListOpt, typer.Option("--source", help="Only this source id (repeatable; default: all).")] = None,
    importance: Annotated[ListOpt, typer.Option("--importance", help="Only items of this importance: core, detail, aside, or all (repeatable; default: core).")] = None,
    count: Annotated[int, typer.Option("--count", "-n", min=0, help="How many questions (0: all that match).")] = 20,
    per_item: Annotated[int, typer.Option("--per-item", min=0, help="At most this many questions per bank item (0: no limit).")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same bank, options and seed give the same set.")] = 0,
    title: Annotated[Optional[str], typer.Option("--title", help="Title of the deck or quiz (default: the source's short title + ：练习).")] = None,
    versions: Annotated[int, typer.Option("--versions", min=1, max=500, help="Default number of quiz versions for this set.")] = 1,
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
) -> None:
    """Make a new question set from the bank: filter, pick --count questions with --seed, write it as YAML.

    Example: quizgen generate --section moat --type mcq --type tf --importance core --importance detail --count 10 --seed 42 -o build/sets/moat.yaml
    """
    from .models import Filters
    from .pipeline import generate_set, importance_filter, write_set
    from .tables import set_table

    with _errors():
        filters = Filters(sections=tuple(section or ()), tags=tuple(tag or ()), types=tuple(qtype or ()),  # type: ignore[arg-type]
                          templates=tuple(template or ()), speakers=tuple(speaker or ()), count=count, per_item=per_item,
                          importance=importance_filter(importance))
        qset = generate_set(_paths(content, templates, Path("decks"), out.parent), title=title, output=_safe_stem(out),
                            sources=tuple(source or ()), filters=filters, seed=seed, versions=versions)
        write_set(qset, out)
        set_table(qset)
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
    from .anki import write_deck
    from .pipeline import resolve

    with _errors():
        paths = _paths(content, templates, decks, out)
        qset, set_file = resolve(target, paths)
        apkg = paths.out_dir(qset) / f"{qset.output}.apkg"
        built = write_deck(qset, templates_dir=templates, out_path=apkg, state_path=paths.state_for(qset, set_file))
        print(f"wrote {apkg} ({built.notes} notes)")


@app.command()
def quiz(
    target: TargetArg,
    versions: Annotated[Optional[int], typer.Option("--versions", min=1, max=500, help="Shuffled versions A, B, C… (default: the recipe's).")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed for shuffling versions (default: the recipe's).")] = None,
    interactive: Annotated[bool, typer.Option("--interactive", help="Also write a self-check page that scores answers offline.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print each page to PDF with headless Chromium.")] = False,
    out: OutOpt = Path("build"),
    content: ContentOpt = Path("content"),
    templates: TemplatesOpt = Path("templates"),
    decks: DecksOpt = Path("decks"),
) -> None:
    """Render printable HTML quizzes (A4) with answer keys and answer sheets for a recipe or a generated set.

    Example: quizgen quiz decks/short-quiz.toml --versions 3 --interactive --pdf
    """
    from .pipeline import resolve
    from .render import write_quiz

    with _errors():
        paths = _paths(content, templates, decks, out)
        qset, _ = resolve(target, paths)
        written = write_quiz(qset, templates_dir=templates, out_dir=paths.out_dir(qset),
                             versions=versions or qset.versions, seed=qset.seed if seed is None else seed,
                             interactive=interactive, pdf=pdf)
        for path in written:
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
    from .build import build_all

    with _errors():
        for line in build_all(_paths(content, templates, decks, out), force=force):
            _say(line)


@app.command("import-text")
def import_text(
    article: Annotated[Path, typer.Argument(help="A Markdown-ish article: bold lines are headings, `Name：` starts a speaker's paragraph.")],
    source_id: Annotated[str, typer.Option("--id", help="The new source's id (lowercase letters, digits, hyphens).")],
    speakers: Annotated[Path, typer.Option("--speakers", help="YAML list of speakers: id, name, role, labels, narrator.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the draft source.yaml.")] = Path("source.yaml"),
) -> None:
    """Draft a source.yaml from an article, to start a new source; review it before adding items.

    Example: quizgen import-text article.md --id my-source --speakers speakers.yaml -o content/my-source/source.yaml
    """
    from .pipeline import import_article

    with _errors():
        sections, paragraphs = import_article(article, source_id=source_id, speakers_file=speakers, out=out)
        print(f"wrote {out}: {sections} sections, {paragraphs} paragraphs; review it, then run `quizgen check`")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
