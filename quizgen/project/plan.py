"""A project's run: load and validate everything, generate, select; then render every output before writing any.

load (content.py, sets.py) -> generate (generate.py) -> select -> outputs/<format>.py -> one write_many (fsutil.py)
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quizgen.errors import ContentError, Problem, QuizgenError, SelectionError, rel
from quizgen.fsutil import JOURNAL, write_many
from quizgen.project.cache import set_cache_entry
from quizgen.project.paths import owned_elsewhere

# Loading, validating and generating need pydantic and YAML; a cached deck (project/cache.py) needs neither, so
# `quizgen anki RECIPE` with unchanged inputs never imports them: they are imported where they are used.
if TYPE_CHECKING:
    from quizgen.generate.leaks import Leak
    from quizgen.load.content import Collector, Content, LoadedRecipe
    from quizgen.models import Filters, Question, QuestionSet, QuestionTemplate, Recipe
    from quizgen.project.paths import Paths


def _segmenter(content: Content):
    from quizgen.text.segment import Segmenter  # noqa: PLC0415 - loaded on use, so light commands start fast

    return Segmenter([s.userdict for s in content.sources.values() if s.userdict])


def _generate(content: Content, templates: dict[str, QuestionTemplate], source_ids: Sequence[str] | None = None, *,
              segmenter=None) -> list[Question]:
    """Every question the templates make; the orchestrator (not generate) keeps jieba's memo."""
    from quizgen.generate.questions import Generator  # noqa: PLC0415 - jieba only for commands that generate

    own = segmenter is None
    segmenter = segmenter or _segmenter(content)
    gen = Generator(content, templates, segmenter=segmenter)
    questions = gen.questions(source_ids)
    if own:
        segmenter.save()
    gen.problems.raise_if_any()
    return questions


def _select(content: Content, templates: dict[str, QuestionTemplate], recipe: Recipe, questions: Sequence[Question], *,
            segmenter=None, leaks: list[Leak] | None = None) -> QuestionSet:
    from quizgen.generate.questions import build_set  # noqa: PLC0415 - loaded on use, so light commands start fast

    return build_set(content, templates, recipe, questions=questions, segmenter=segmenter, leaks=leaks)


def _in_recipe(exc: SelectionError, path: Path) -> SelectionError:
    """Selection problems located at the recipe key they are about (the count, or the filters)."""
    from quizgen.load.dataio import read_text, toml_key_line  # noqa: PLC0415 - loaded on use, so light commands start fast

    text = read_text(path)
    return SelectionError([Problem(rel(path), toml_key_line(text, p.field) or toml_key_line(text, "count"), p.field, p.message)
                           for p in exc.problems])


def _in_options(exc: SelectionError) -> SelectionError:
    """Selection problems named after the command-line options: that is what the user typed."""
    return SelectionError([Problem("quizgen generate", None, "--count" if p.field == "count" else "filters", p.message) for p in exc.problems])


def recipe_set(content: Content, templates: dict[str, QuestionTemplate], loaded: LoadedRecipe,
               questions: Sequence[Question] | None = None, *, segmenter=None, leaks: list[Leak] | None = None) -> QuestionSet:
    """A recipe's question set; selection problems point into the recipe file; what the leak guard blocked goes to `leaks`."""
    if questions is None:
        questions = _generate(content, templates, loaded.recipe.sources)
    try:
        return _select(content, templates, loaded.recipe, questions, segmenter=segmenter, leaks=leaks)
    except SelectionError as exc:
        raise _in_recipe(exc, loaded.path) from None


def resolve(target: Path, paths: Paths, *, formats: Sequence[str] = ("anki", "quiz")) -> tuple[QuestionSet, Path | None]:
    """A recipe (.toml) or a generated set (.yaml) -> the question set (and the set file, if any), with the templates
    and note state the given output formats need checked first.

    A recipe's set is cached per user (one file per recipe, under the key of every input it depends on):
    `quizgen anki RECIPE` after an unchanged bank skips loading, validating and generating.
    """
    from quizgen.check.preflight import check_state_file, preflight  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.load.content import Collector, load_content, load_recipe, load_templates  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.load.sets import load_set_file  # noqa: PLC0415 - loaded on use, so light commands start fast

    if target.suffix not in (".toml", ".yaml", ".yml"):
        raise ContentError(Problem(rel(target), None, "target", "expected a recipe (.toml) or a question set (.yaml)"))
    found = Collector()
    preflight(paths.templates, paths.decks, found, formats=tuple(formats))
    found.raise_if_any()
    if target.suffix == ".toml":
        cache = set_cache_entry(target, paths)
        if cache is not None and (cached := _cached_set(cache[0], cache[1])) is not None:
            return cached, None
        content = load_content(paths.content)
        templates = load_templates(paths.templates)
        qset = recipe_set(content, templates, load_recipe(target, content, templates))
        if cache is not None:
            with contextlib.suppress(QuizgenError):
                write_many({cache[0]: json.dumps({"key": cache[1], "set": qset.model_dump(mode="json")}, ensure_ascii=False).encode("utf-8")})
        return qset, None
    qset = load_set_file(target)
    if "anki" in formats:
        check_state_file(paths.state_for(qset, target), found)
    found.raise_if_any()
    return qset, target


def _cached_set(file: Path, key: str) -> QuestionSet | None:
    """A cached set when its entry is whole and keyed on the inputs as they are now; None otherwise (then rebuilt).

    The entry is JSON, which cannot run code whoever planted it; the key is compared before the set is validated.
    """
    from pydantic import ValidationError  # noqa: PLC0415

    from quizgen.models import QuestionSet  # noqa: PLC0415

    try:
        data = json.loads(file.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    try:
        return QuestionSet.model_validate(data.get("set"))
    except ValidationError:
        return None


def importance_filter(values: list[str] | None) -> tuple[str, ...]:
    """`generate --importance`: none given -> core; `all` -> every importance; otherwise the names given."""
    from quizgen.models import IMPORTANCES  # noqa: PLC0415 - loaded on use, so light commands start fast

    if not values:
        return ("core",)
    if "all" in values:
        return ()
    unknown = [v for v in values if v not in IMPORTANCES]
    if unknown:
        raise ContentError(Problem("quizgen generate", None, "--importance", f"unknown importance {unknown[0]!r}; use core, detail, aside or all"))
    return tuple(dict.fromkeys(values))


def default_title(content: Content, sources: tuple[str, ...]) -> str:
    """A generated set's title from its sources (never a hard-coded name): the short title (or title) and ：练习."""
    ids = sources or tuple(content.sources)
    names = [content.sources[s].source.short_title or content.sources[s].source.title for s in ids if s in content.sources]
    return f"{'、'.join(names)}：练习" if names else "练习"


def _option_name(loc: tuple[object, ...]) -> str:
    """The CLI option a model field comes from: per_item -> --per-item."""
    return "--" + str(loc[0]).replace("_", "-")


def generate_filters(**values: object) -> Filters:
    """The CLI's filters, validated through the one pydantic mapping: a bad value is a located `--option` error."""
    from pydantic import ValidationError  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    from quizgen.load.content import validation_problems  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.models import Filters  # noqa: PLC0415 - loaded on use, so light commands start fast

    try:
        return Filters.model_validate(values)
    except ValidationError as exc:
        raise ContentError(validation_problems(exc, "quizgen generate", field=_option_name)) from None


def generate_set(paths: Paths, *, title: str | None, output: str, sources: tuple[str, ...], filters: Filters, seed: int, versions: int,
                 core_by_default: bool = False, leaks: list[Leak] | None = None) -> QuestionSet:
    """A new question set from the bank with the CLI's filters. `core_by_default`: no importance was asked for, so draw
    from the core items, or from all items where the sources mark none core (a bank written before importance existed)."""
    from pydantic import ValidationError  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    from quizgen.load.content import Collector, check_recipe_names, load_content, load_templates, validation_problems  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.models import Recipe  # noqa: PLC0415 - loaded on use, so light commands start fast

    content = load_content(paths.content)
    templates = load_templates(paths.templates)
    if core_by_default:
        marked = any(it.item.importance == "core" for it in content.items([s for s in sources if s in content.sources] or None))
        filters = filters.model_copy(update={"importance": ("core",) if marked else ()})
    title = title or default_title(content, sources)
    where = "quizgen generate"
    try:
        recipe = Recipe(title=title, output=output, sources=sources or tuple(content.sources), seed=seed, versions=versions,
                        **filters.model_dump())
    except ValidationError as exc:
        raise ContentError(validation_problems(exc, where, field=_option_name)) from None
    out = Collector()
    check_recipe_names(recipe, Path(where), "", content, out, templates)
    _check_output_free(output, paths.decks, out)
    out.raise_if_any()
    try:
        return _select(content, templates, recipe, _generate(content, templates, recipe.sources), leaks=leaks)
    except SelectionError as exc:
        raise _in_options(exc) from None


def _check_output_free(output: str, decks_dir: Path, out: Collector) -> None:
    """A set named like a recipe's output would be rendered into that recipe's folder and overwrite its deck and quiz."""
    from quizgen.load.dataio import load_toml  # noqa: PLC0415 - loaded on use, so light commands start fast

    for recipe in sorted(decks_dir.glob("*.toml")) if decks_dir.is_dir() else ():
        try:
            data, _ = load_toml(recipe)
        except QuizgenError:
            continue  # `check` reports a broken recipe
        if data.get("output") == output:
            out.add("quizgen generate", None, "--out", f"the set would be named {output!r}, the output of {rel(recipe)}, and its files "
                    f"would replace that recipe's in build/{output}/; choose another file name")


def write_set(qset: QuestionSet, path: Path) -> None:
    from quizgen.load.sets import dump_set  # noqa: PLC0415 - loaded on use, so light commands start fast

    write_many({path: dump_set(qset).encode("utf-8")})


@dataclass(frozen=True)
class Plan:
    """Everything validated and selected, nothing written yet."""

    content: Content
    templates: dict[str, QuestionTemplate]
    sets: list[tuple[LoadedRecipe, QuestionSet]]
    questions: int
    """How many questions the templates make from the whole bank."""
    notes: tuple[str, ...] = ()
    """Advice that is not a problem (e.g. items without an explicit importance)."""
    leaks: tuple[tuple[str, tuple[Leak, ...]], ...] = ()
    """Per recipe (its file), what the leak guard blocked (a drawn set) or found kept (a set of every question)."""


def plan_all(content_dir: Path, templates_dir: Path, decks_dir: Path, *, quality_report: Path | None = None) -> Plan:
    """Validate files, generate every question, run the quality rules, then every recipe's selection; raise with all
    problems at once. `quality_report` (.json or .csv) gets each quality rule's count, also when the rules find problems."""
    from quizgen.check.preflight import preflight  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.load.content import Collector, check_all  # noqa: PLC0415 - loaded on use, so light commands start fast

    found = Collector()
    try:
        content, templates, recipes = check_all(content_dir, templates_dir, decks_dir)
    except QuizgenError as exc:
        found.catch(exc)
    preflight(templates_dir, decks_dir, found)  # what the build needs besides the content: all problems in one report
    found.raise_if_any()
    from quizgen.check.quality import add_leak_report, check_quality  # noqa: PLC0415 - loaded on use, so light commands start fast

    segmenter = _segmenter(content)
    questions = _generate(content, templates, segmenter=segmenter)
    quality = check_quality(content, questions, segmenter=segmenter)
    out = Collector()
    out.problems.extend(quality.problems)
    sets = []
    leaks: list[tuple[str, tuple[Leak, ...]]] = []
    for loaded in recipes:
        blocked: list[Leak] = []
        try:
            sets.append((loaded, recipe_set(content, templates, loaded, questions, segmenter=segmenter, leaks=blocked)))
        except QuizgenError as exc:
            out.catch(exc)
        leaks.append((rel(loaded.path), tuple(blocked)))
        _page_leaks(loaded, blocked, out)
    by_file = dict(leaks)
    add_leak_report(quality, content, templates, questions,
                    {rel(loaded.path): (qset, by_file[rel(loaded.path)]) for loaded, qset in sets}, segmenter=segmenter,
                    draws=quality_report is not None)
    segmenter.save()
    if quality_report is not None:
        write_many({quality_report: quality.report("csv" if quality_report.suffix.lower() == ".csv" else "json").encode("utf-8")})
    for loaded, qset in sets:
        if "quiz" in loaded.recipe.formats:
            from quizgen.outputs.quiz.layout import plan_versions  # noqa: PLC0415 - loaded on use, so light commands start fast

            try:
                plan_versions(qset, versions=qset.versions, seed=qset.seed)
            except QuizgenError as exc:
                out.catch(exc)
    out.raise_if_any()
    notes = [*quality.notes, *(f"{where}: {'kept' if leak.kept else 'left out'} {leak.line()}" for where, found in leaks
                               for leak in found if not leak.kept)]
    kept = {where: sum(leak.kept for leak in found) for where, found in leaks}
    notes += [f"{where}: {n} question(s) of this set of every matching question have their answer printed by another "
              f"(a deck keeps them all; `check --quality-report` counts them)" for where, n in kept.items() if n]
    return Plan(content=content, templates=templates, sets=sets, questions=len(questions), notes=tuple(notes), leaks=tuple(leaks))


def _page_leaks(loaded: LoadedRecipe, found: Sequence[Leak], out: Collector) -> None:
    """A title, header or deck name that gives away a question of a set that keeps every question is the recipe's to fix
    (a sub-deck is named by the source's own section title: a note, see plan_all)."""
    from quizgen.load.dataio import read_text, toml_key_line  # noqa: PLC0415 - loaded on use, so light commands start fast

    page = [leak for leak in found if leak.kept and leak.page and not leak.by.startswith("sub-deck")]
    if page:
        text = read_text(loaded.path)
        for leak in page:
            field = "header" if leak.by == "quiz header" else "deck_name" if leak.by == "deck name" else "title"
            fix = 'set header = "short_title"' if field == "header" else "reword it"
            out.add(rel(loaded.path), toml_key_line(text, field) or toml_key_line(text, "title"), field,
                    f"[set-leak] {leak.line()}; {fix} so the page answers no question")


# --- outputs ----------------------------------------------------------------------------------


def render_set(qset: QuestionSet, formats: Iterable[str], paths: Paths, *, set_file: Path | None = None, **options: object) -> dict[Path, bytes]:
    """Render a set in each format and place every file: the set's output folder, the note state in its own place."""
    return _render_set(qset, formats, paths, set_file, (), options)


def _render_set(qset: QuestionSet, formats: Iterable[str], paths: Paths, set_file: Path | None, current: Sequence[QuestionSet],
                options: dict[str, object]) -> dict[Path, bytes]:
    from quizgen.outputs import NOTE_STATE, OutputOptions, render  # noqa: PLC0415 - loaded on use, so light commands start fast

    state = paths.state_for(qset, set_file)
    if "anki" in formats:
        options = {**options, "elsewhere": owned_elsewhere(qset, paths, set_file, current), "generated": set_file is not None}
    opts = OutputOptions.for_set(qset, paths.templates, state_file=state, **options)
    folder = paths.out_dir(qset)
    return {state if name == NOTE_STATE else folder / name: data for name, data in render(qset, formats, opts).items()}


def render_plan(planned: Sequence[tuple[LoadedRecipe, QuestionSet]], paths: Paths) -> dict[Path, bytes]:
    """Every output of every recipe (a plan's `sets`), rendered (nothing written): a failure anywhere leaves all
    files as they were. Only the sets are needed: a caller that drops the plan frees the content before rendering."""
    files: dict[Path, bytes] = {}
    sets = [qset for loaded, qset in planned if "anki" in loaded.recipe.formats]  # the decks: only they own notes
    for loaded, qset in planned:
        files.update(_render_set(qset, loaded.recipe.formats, paths, None, sets,
                                 {"interactive": True, "pdf": False, "xlsx_columns": loaded.recipe.xlsx_columns or None,
                                  "answer_sheets": loaded.recipe.answer_sheets, "id_digits": loaded.recipe.student_id_digits}))
    return files


def _recipe_options(recipe: Path) -> dict[str, object]:
    """A recipe's output settings (validated with the recipe when its set was made), as `build` passes them."""
    from quizgen.load.dataio import load_toml  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.models import Recipe  # noqa: PLC0415 - loaded on use, so light commands start fast

    data, _ = load_toml(recipe)
    columns = data.get("xlsx_columns")
    defaults = Recipe.model_fields
    return {"xlsx_columns": dict(columns) if isinstance(columns, dict) and columns else None,
            "answer_sheets": int(data.get("answer_sheets", defaults["answer_sheets"].default)),
            "id_digits": int(data.get("student_id_digits", defaults["student_id_digits"].default))}


def export(target: Path, formats: Sequence[str], paths: Paths, **options: object) -> list[Path]:
    """Render a recipe or a set in the given formats, then write every file at once; the files written, in order.

    Under the project lock, like `build` (a deck reads and writes its note state), the write journalled."""
    from quizgen.project.lock import project_lock  # noqa: PLC0415 - loaded on use, so light commands start fast

    with project_lock(paths):
        return _export(target, formats, paths, **options)


def _export(target: Path, formats: Sequence[str], paths: Paths, **options: object) -> list[Path]:
    from quizgen.outputs import module  # noqa: PLC0415 - loaded on use, so light commands start fast

    for fmt in formats:
        module(fmt)  # an unknown format fails before any work
    cache = None
    if list(formats) == ["anki"] and target.suffix == ".toml" and options.get("now") is None:
        from quizgen.project.cache import DeckCache  # noqa: PLC0415 - loaded on use, so light commands start fast

        # every input unchanged since a full run: the deck from its cached notes, with no loading or validating
        cache = DeckCache.for_recipe(target, paths)
        files = cache.files(paths) if cache is not None else None
        if files is not None:
            write_many(files, journal=paths.out / JOURNAL)
            return list(files)
    qset, set_file = resolve(target, paths, formats=formats)
    if target.suffix == ".toml":  # the recipe's column map and answer sheets, as `build` uses them; options given win
        options = {**_recipe_options(target), **{k: v for k, v in options.items() if v is not None}}
    files = render_set(qset, formats, paths, set_file=set_file, **options)
    if cache is not None:
        cache.store(qset, paths)  # before writing: it reads the note state the deck was just made from
    write_many(files, journal=paths.out / JOURNAL)
    return list(files)
