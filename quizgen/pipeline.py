"""Read everything, validate everything, then write: the steps behind generate, anki, quiz and build."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .content import Content, LoadedRecipe, check_all, load_content, load_recipe, load_templates
from .dataio import read_text
from .errors import ContentError, Problem, QuizgenError, SelectionError, rel
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


def resolve(target: Path, paths: Paths, *, formats: tuple[str, ...] = ("anki", "quiz")) -> tuple[QuestionSet, Path | None]:
    """A recipe (.toml) or a generated set (.yaml) -> the question set (and the set file, if any), with the templates
    and note state the given output formats need checked first."""
    from .content import Collector  # noqa: PLC0415
    from .preflight import check_state_file, preflight  # noqa: PLC0415

    if target.suffix not in (".toml", ".yaml", ".yml"):
        raise ContentError(Problem(rel(target), None, "target", "expected a recipe (.toml) or a question set (.yaml)"))
    found = Collector()
    preflight(paths.templates, paths.decks, found, formats=formats)
    if target.suffix == ".toml":
        content = load_content(paths.content)
        templates = load_templates(paths.templates)
        recipe = load_recipe(target, content, templates).recipe
        found.raise_if_any()
        return _set_for(content, templates, recipe, target), None
    qset = load_set_file(target)
    if "anki" in formats:
        check_state_file(paths.state_for(qset, target), found)
    found.raise_if_any()
    return qset, target


def _set_for(content: Content, templates: dict[str, QuestionTemplate], recipe: Recipe, path: Path | None = None) -> QuestionSet:
    from .generate import build_set  # noqa: PLC0415 - jieba only for commands that generate

    return build_set(content, templates, recipe, recipe_path=path)


def generate_set(paths: Paths, *, title: str | None, output: str, sources: tuple[str, ...], filters: Filters, seed: int, versions: int) -> QuestionSet:
    """A new question set from the bank with the CLI's filters."""
    content = load_content(paths.content)
    templates = load_templates(paths.templates)
    if title is None:  # worded from the sources asked for, never a hard-coded name
        chosen = [content.sources[s].source.title for s in sources if s in content.sources] or [s.source.title for s in content.sources.values()]
        title = f"{chosen[0]}：练习" if len(chosen) == 1 else "练习"
    try:
        recipe = Recipe(title=title, output=output, sources=sources or tuple(content.sources), sections=filters.sections,
                        tags=filters.tags, speakers=filters.speakers, types=filters.types, templates=filters.templates, count=filters.count,
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


def plan_all(content_dir: Path, templates_dir: Path, decks_dir: Path) -> Plan:
    """Validate files, generate every question, then every recipe's selection; raise with all problems at once."""
    from .errors import QuizgenError  # noqa: PLC0415
    from .generate import Generator, build_set  # noqa: PLC0415 - jieba only for commands that generate

    from .content import Collector  # noqa: PLC0415
    from .preflight import preflight  # noqa: PLC0415

    found = Collector()
    try:
        content, templates, recipes = check_all(content_dir, templates_dir, decks_dir)
    except QuizgenError as exc:
        found.catch(exc)
    preflight(templates_dir, decks_dir, found)  # what the build needs besides the content: all problems in one report
    found.raise_if_any()
    gen = Generator(content, templates)
    questions = gen.questions()
    gen.problems.raise_if_any()
    out = gen.problems
    sets = []
    for loaded in recipes:
        try:
            sets.append((loaded, build_set(content, templates, loaded.recipe, recipe_path=loaded.path, questions=questions)))
        except QuizgenError as exc:
            out.catch(exc)
    for loaded, qset in sets:
        if "quiz" in loaded.recipe.formats:
            from .render import plan_versions  # noqa: PLC0415

            try:
                plan_versions(qset, versions=qset.versions, seed=qset.seed)
            except QuizgenError as exc:
                out.catch(exc)
    out.raise_if_any()
    return Plan(content=content, templates=templates, sets=sets, questions=len(questions))


@dataclass(frozen=True)
class Imported:
    """What `import-text` wrote: counts, and one line per thing it left out of the text."""

    sections: int
    paragraphs: int
    skipped: list[str]


def import_article(article: Path, *, source_id: str, speakers_file: Path, out: Path, title: str | None = None,
                   outlet: str | None = None, date: str | None = None, url: str | None = None, genre: str | None = None) -> Imported:
    """Write a draft source.yaml for an article; every problem (options, speakers file, article) is reported at once."""
    import re  # noqa: PLC0415

    from .content import Collector, pydantic_message  # noqa: PLC0415
    from .dataio import line_of, load_yaml  # noqa: PLC0415
    from .importer import GENRES, assemble, parse_date, split_article  # noqa: PLC0415
    from .models import Source, Speaker  # noqa: PLC0415

    problems = Collector()
    cmd = "quizgen import-text"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", source_id):
        problems.add(cmd, None, "--id", f"{source_id!r} is not a usable source id; use lowercase letters, digits and hyphens, "
                     "starting with a letter or digit (e.g. my-talk-2025)")
    if genre is not None and genre not in GENRES:
        problems.add(cmd, None, "--genre", f"{genre!r} is not a genre; use one of {', '.join(GENRES)}")
    if date is not None and parse_date(date) is None:
        problems.add(cmd, None, "--date", f"{date!r} is not a date; write it as YYYY-MM-DD")
    if out.exists():
        problems.add(out, None, "--out", "already exists; choose another path or delete it first")
    speakers: list[dict] = []
    try:
        raw = load_yaml(speakers_file)
        if not isinstance(raw, list) or not raw:
            problems.add(speakers_file, getattr(raw, "line", 1) or 1, "speakers",
                         "expected a list of speakers, each with id, name, role and labels (see README, Adding a source)")
        else:
            for idx, entry in enumerate(raw):
                try:
                    Speaker.model_validate(entry)
                except ValidationError as exc:
                    for err in exc.errors(include_url=False):
                        loc = (idx, *err["loc"])
                        problems.add(speakers_file, line_of(raw, loc), ".".join(map(str, loc)), pydantic_message(err))
                    continue
                speakers.append(json.loads(json.dumps(entry)))  # plain dicts, without the loader's line bookkeeping
            ids = [s["id"] for s in speakers]
            for sid in sorted({i for i in ids if ids.count(i) > 1}):
                problems.add(speakers_file, None, "id", f"speaker id {sid!r} is used twice; give each speaker its own id")
    except QuizgenError as exc:
        problems.catch(exc)
    draft = None
    try:
        text = read_text(article)
    except QuizgenError as exc:
        problems.catch(exc)
    else:
        default = next((s["id"] for s in speakers if s.get("narrator")), speakers[0]["id"] if speakers else "speaker")
        draft = split_article(text, file=rel(article), speakers=speakers, default_speaker=default,
                              title=title, outlet=outlet, date=date, url=url, genre=genre)
        problems.problems.extend(draft.problems)
    problems.raise_if_any()
    assert draft is not None
    data = assemble(draft, source_id=source_id, speakers=speakers)
    genre_value = data.pop("genre", None)
    if genre_value is not None and genre_value not in GENRES:  # from the front matter: --genre was checked above
        problems.add(article, None, "genre", f"{genre_value!r} is not a genre; use one of {', '.join(GENRES)} (or pass --genre)")
        problems.raise_if_any()
    try:
        Source.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            problems.add(article, None, ".".join(map(str, err["loc"])), f"{pydantic_message(err)}; fix the article or the speakers file")
        problems.raise_if_any()
    if genre_value:
        if "genre" in Source.model_fields:
            data = {**{k: v for k, v in data.items() if k not in ("speakers", "sections")}, "genre": genre_value,
                    "speakers": data["speakers"], "sections": data["sections"]}
        else:  # this quizgen does not know `genre` yet: keep the choice visible without failing `check`
            draft.skipped.append(f"--genre {genre_value}: written as a comment (this quizgen's source.yaml has no genre field)")
    text = "# Draft made by `quizgen import-text`: review ids, speakers and paragraph splits before citing them.\n"
    if genre_value and "genre" not in Source.model_fields:
        text += f"# genre: {genre_value}\n"
    text += yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100000)
    write_text(out, text)
    return Imported(len(data["sections"]), sum(len(s["paragraphs"]) for s in data["sections"]), draft.skipped)
