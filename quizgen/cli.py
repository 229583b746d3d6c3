"""The quizgen command line: thin commands over the library (no jieba or genanki at start-up)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import QuizgenError

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
) -> None:
    """Validate sources, the bank, question templates and recipes; report every problem.

    Each problem is printed as `file:line: field: message`; the exit code is 1 when there is any.

    Example: quizgen check --content tests/fixtures/second_source/content
    """
    from .content import check_all

    with _errors():
        loaded, tpls, recipes = check_all(content, templates, decks)
        items = loaded.items()
        print(f"ok: {len(loaded.sources)} source(s), {len(items)} items, {len(tpls)} question templates, {len(recipes)} recipes")


@app.command()
def stats(content: ContentOpt = Path("content")) -> None:
    """Show a table per section: paragraphs, facts, arguments, quotes, terms, uncovered paragraphs.

    Example: quizgen stats
    """
    from .content import load_content
    from .report import section_stats
    from .tables import stats_table

    with _errors():
        stats_table(section_stats(load_content(content)))


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
        for row in rows:
            print(f"{row.source_id} {row.paragraph_id} [{row.section_id}, {row.speaker}]")
            if row.terms:
                print(f"  terms:   {'、'.join(row.terms)}")
            if row.numbers:
                print(f"  numbers: {'、'.join(row.numbers)}")
        print(f"{len(rows)} paragraph(s) with uncovered terms or numbers")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
