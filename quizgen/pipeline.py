"""Read everything, validate everything, then write: the steps behind generate, anki, quiz and build."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .content import Content, LoadedRecipe, check_all, load_content, load_recipe, load_templates
from .dataio import read_text
from .errors import ContentError, Problem, SelectionError, rel
from .fsutil import write_text
from .models import Filters, QuestionSet, QuestionTemplate, Recipe
from .paths import Paths  # noqa: F401 - re-exported: callers build Paths next to resolve()


def load_set_file(path: Path) -> QuestionSet:
    """Read a question set written by `quizgen generate`."""
    text = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ContentError(Problem(rel(path), mark.line + 1 if mark else None, "yaml", f"malformed YAML: {getattr(exc, 'problem', exc)}")) from exc
    try:
        return QuestionSet.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ContentError(Problem(rel(path), None, field or "set", f"{err['msg']}; regenerate it with `quizgen generate`")) from exc


def dump_set(qset: QuestionSet) -> str:
    """A question set as readable, stable YAML."""
    data = json.loads(qset.model_dump_json())
    header = "# A quizgen question set. Render it with `quizgen anki SET` or `quizgen quiz SET`.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def resolve(target: Path, paths: Paths) -> tuple[QuestionSet, Path | None]:
    """A recipe (.toml) or a generated set (.yaml) -> the question set (and the set file, if any)."""
    if target.suffix == ".toml":
        content = load_content(paths.content)
        templates = load_templates(paths.templates)
        recipe = load_recipe(target, content, templates).recipe
        return _set_for(content, templates, recipe, target), None
    if target.suffix in (".yaml", ".yml"):
        return load_set_file(target), target
    raise ContentError(Problem(rel(target), None, "target", "expected a recipe (.toml) or a question set (.yaml)"))


def _set_for(content: Content, templates: dict[str, QuestionTemplate], recipe: Recipe, path: Path | None = None) -> QuestionSet:
    from .generate import build_set  # noqa: PLC0415 - jieba only for commands that generate

    return build_set(content, templates, recipe, recipe_path=path)


def importance_filter(values: list[str] | None) -> tuple[str, ...]:
    """`generate --importance`: none given -> core; `all` -> every importance; otherwise the names given."""
    from .models import IMPORTANCES  # noqa: PLC0415

    if not values:
        return ("core",)
    if "all" in values:
        return ()
    unknown = [v for v in values if v not in IMPORTANCES]
    if unknown:
        raise ContentError(Problem("quizgen generate", None, "--importance", f"unknown importance {unknown[0]!r}; use core, detail, aside or all"))
    return tuple(dict.fromkeys(values))


def default_title(content: Content, sources: tuple[str, ...]) -> str:
    """A generated set's title from its source: its short title (or title) and ：练习."""
    ids = sources or tuple(content.sources)
    names = [content.sources[s].source.short_title or content.sources[s].source.title for s in ids if s in content.sources]
    return f"{'、'.join(names)}：练习" if names else "练习"


def generate_set(paths: Paths, *, title: str | None, output: str, sources: tuple[str, ...], filters: Filters, seed: int, versions: int) -> QuestionSet:
    """A new question set from the bank with the CLI's filters."""
    content = load_content(paths.content)
    templates = load_templates(paths.templates)
    title = title or default_title(content, sources)
    try:
        recipe = Recipe(title=title, output=output, sources=sources or tuple(content.sources), sections=filters.sections,
                        tags=filters.tags, speakers=filters.speakers, types=filters.types, templates=filters.templates,
                        importance=filters.importance, count=filters.count,
                        per_item=filters.per_item, seed=seed, versions=versions)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise ContentError(Problem("quizgen generate", None, "--" + str(err["loc"][0]), err["msg"])) from exc
    from .content import Collector, check_recipe_names  # noqa: PLC0415

    out = Collector()
    check_recipe_names(recipe, Path("quizgen generate"), "", content, out, templates)
    out.raise_if_any()
    try:
        return _set_for(content, templates, recipe)
    except SelectionError as exc:
        # name the command-line options, not a file: that is what the user typed
        raise SelectionError([Problem("quizgen generate", None, "--count" if p.field == "count" else "filters", p.message)
                              for p in exc.problems]) from None


def write_set(qset: QuestionSet, path: Path) -> None:
    write_text(path, dump_set(qset))


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


def plan_all(content_dir: Path, templates_dir: Path, decks_dir: Path, *, quality_report: Path | None = None) -> Plan:
    """Validate files, generate every question, run the quality rules, then every recipe's selection; raise with all
    problems at once. `quality_report` (.json or .csv) gets each quality rule's count, also when the rules find problems."""
    from .errors import QuizgenError  # noqa: PLC0415
    from .generate import Generator, build_set  # noqa: PLC0415 - jieba only for commands that generate
    from .quality import check_quality  # noqa: PLC0415

    content, templates, recipes = check_all(content_dir, templates_dir, decks_dir)
    gen = Generator(content, templates)
    questions = gen.questions()
    gen.problems.raise_if_any()
    quality = check_quality(content, questions, segmenter=gen.segmenter)
    gen.segmenter.save()
    if quality_report is not None:
        write_text(quality_report, quality.report("csv" if quality_report.suffix.lower() == ".csv" else "json"))
    out = gen.problems
    out.problems.extend(quality.problems)
    sets = []
    for loaded in recipes:
        try:
            sets.append((loaded, build_set(content, templates, loaded.recipe, recipe_path=loaded.path, questions=questions)))
        except QuizgenError as exc:
            out.catch(exc)
    out.raise_if_any()
    return Plan(content=content, templates=templates, sets=sets, questions=len(questions), notes=tuple(quality.notes))


def import_article(article: Path, *, source_id: str, speakers_file: Path, out: Path) -> tuple[int, int]:
    """Write a draft source.yaml for an article; refuses to overwrite an existing file."""
    from .dataio import load_yaml  # noqa: PLC0415
    from .importer import draft_source  # noqa: PLC0415
    from .models import Source  # noqa: PLC0415

    if out.exists():
        raise ContentError(Problem(rel(out), None, "--out", "already exists; choose another path or delete it first"))
    speakers = load_yaml(speakers_file)
    if not isinstance(speakers, list) or not all(isinstance(s, dict) and "id" in s for s in speakers):
        raise ContentError(Problem(rel(speakers_file), 1, "speakers", "expected a list of speakers with id, name, role, labels"))
    plain = json.loads(json.dumps(speakers))  # plain dicts and lists, without the loader's line bookkeeping
    default = next((s["id"] for s in plain if s.get("narrator")), plain[0]["id"])
    draft = draft_source(read_text(article), source_id=source_id, speakers=plain, default_speaker=default)
    try:
        Source.model_validate(draft)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise ContentError(Problem(rel(article), None, ".".join(map(str, err["loc"])), f"{err['msg']}; fix the article or the speakers file")) from exc
    text = "# Draft made by `quizgen import-text`: review ids, speakers and paragraph splits before citing them.\n"
    text += yaml.safe_dump(draft, allow_unicode=True, sort_keys=False, width=100000)
    write_text(out, text)
    return len(draft["sections"]), sum(len(s["paragraphs"]) for s in draft["sections"])
