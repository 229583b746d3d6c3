"""Find, parse and validate sources, the bank, question templates and recipes; report every problem."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from quizgen.errors import SHOWN, ContentError, Problem, QuizgenError, brief, brief_repr, rel
from quizgen.load.dataio import LineDict, LineList, line_of, load_toml, load_yaml, read_text, toml_key_line
from quizgen.load.hints import did_you_mean, span_hint, unknown, value_mismatch
from quizgen.models import (
    Argument,
    BankFile,
    Fact,
    KeyPoint,
    KeyPointsFile,
    Paragraph,
    QuestionTemplate,
    Quote,
    Recipe,
    Section,
    Source,
    Speaker,
    TagsFile,
    TemplatesFile,
    Term,
)
from quizgen.outputs import names as format_names
from quizgen.outputs.xlsx import COLUMNS as XLSX_COLUMNS

M = TypeVar("M", bound=BaseModel)
AnyItem = Fact | Argument | Quote | Term

RECIPE_CONTEXT = {"formats": tuple(format_names()), "xlsx_columns": XLSX_COLUMNS}
"""What recipe validation checks names against: the output registry and the spreadsheet format's columns."""


@dataclass(frozen=True)
class BankItem:
    """A validated bank item with everything resolved from its paragraph."""

    item: AnyItem
    source_id: str
    section: Section
    speaker: Speaker
    paragraph: Paragraph
    position: tuple[int, int]
    """(paragraph index in the article, index in its bank file): the interview's order."""
    file: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict, compare=False)
    """Line of each of the item's keys in its bank file (for problems about one field)."""

    def line_of(self, fld: str) -> int:
        """The line of one field of the item (the item's line when the field is not written)."""
        return self.field_lines.get(fld, self.line)

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def evidence(self) -> str:
        return self.item.evidence or str(getattr(self.item, "text", ""))


@dataclass(frozen=True)
class LoadedKeyPoint:
    keypoint: KeyPoint
    file: str
    line: int


@dataclass(frozen=True)
class LoadedSource:
    source: Source
    dir: Path
    userdict: Path | None
    items: tuple[BankItem, ...]
    keypoints: tuple[LoadedKeyPoint, ...] = ()
    """The source's curated key points (keypoints.yaml, optional), in file order."""
    withdrawn: dict[str, str] = field(default_factory=dict)
    """Items removed from the bank (retired.yaml, optional): id -> "wrong: why" or "removed: why"."""

    def bank_status(self) -> dict[str, str]:
        """"<source>/<item>" -> "" for every item, or the withdrawn item's reason (what a retired note says)."""
        return {**{f"{self.id}/{i}": why for i, why in self.withdrawn.items()}, **{f"{self.id}/{it.id}": "" for it in self.items}}

    @property
    def id(self) -> str:
        return self.source.id


@dataclass(frozen=True)
class Content:
    root: Path
    tags: dict[str, str]
    sources: dict[str, LoadedSource]
    warnings: tuple[Problem, ...] = ()
    """Things `check` prints but that do not stop a build (a missing article.md or userdict.txt, ...)."""

    def items(self, source_ids: Iterable[str] | None = None) -> list[BankItem]:
        """Bank items of the given sources (all by default), in interview order."""
        ids = list(source_ids) if source_ids is not None else list(self.sources)
        return [it for sid in ids for it in self.sources[sid].items]


@dataclass
class Collector:
    """Gathers problems so one run reports all of them."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def warn(self, file: Path | str, line: int | None, fld: str, message: str) -> None:
        self.warnings.append(Problem(rel(file) if isinstance(file, Path) else file, line, fld, message))

    def add(self, file: Path | str, line: int | None, fld: str, message: str) -> None:
        self.problems.append(Problem(rel(file) if isinstance(file, Path) else file, line, fld, message))

    def catch(self, exc: QuizgenError) -> None:
        self.problems.extend(exc.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ContentError(sorted(set(self.problems), key=lambda p: (p.file, p.line or 0, p.field, p.message)))


_KIND_TAGS = {"fact", "argument", "quote", "term"}


def _loc_field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p in _KIND_TAGS)]
    return ".".join(parts) or "document"


def _validate(model: type[M], data: Any, path: Path, out: Collector) -> M | None:
    """Validate data against a model, turning each pydantic error into a located problem."""
    if not isinstance(data, dict):
        out.add(path, getattr(data, "line", 1) or 1, "document", f"expected a mapping at the top level, got {type(data).__name__}")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        out.problems.extend(validation_problems(exc, path, line=lambda loc: line_of(data, loc), fields=lambda loc: _fields_at(model, loc)))
        return None


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names valid where an error's location points (to suggest the closest one for a typo)."""
    from quizgen.load.hints import models_at  # noqa: PLC0415 - loaded on use, so light commands start fast

    return models_at(model, loc)


def validation_problems(exc: ValidationError, file: Path | str, *, line: Callable[[tuple[Any, ...]], int | None] = lambda loc: None,
                        field: Callable[[tuple[Any, ...]], str] = _loc_field, hint: str = "",
                        fields: Callable[[tuple[Any, ...]], list[str] | None] = lambda loc: None) -> list[Problem]:
    """The one mapping from pydantic errors to problems: each located by `line(loc)`, named by `field(loc)`;
    `fields(loc)` lists the valid names there, so a misspelt one gets the closest."""
    where = rel(file) if isinstance(file, Path) else file
    return [Problem(where, line(tuple(err["loc"])), field(tuple(err["loc"])),
                    pydantic_message(err, fields(tuple(err["loc"]))) + (f"; {hint}" if hint else ""))
            for err in exc.errors(include_url=False)]


def pydantic_message(err: Any, fields: list[str] | None = None) -> str:
    """One pydantic error as a curator-facing message that says what to do."""
    kind = err["type"]
    if kind == "missing":
        return "required field is missing; add it"
    if kind == "extra_forbidden":
        name = str(err["loc"][-1]) if err.get("loc") else ""
        hint = did_you_mean(name, fields or [])
        return f"unknown field; {hint}otherwise remove it" if hint else "unknown field; remove it or fix its spelling"
    if kind == "string_type":
        return f"expected text, got {brief_repr(err.get('input'))}; put it in quotes"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        names = f" ({', '.join(f'`{f}`' for f in fields)})" if fields else ""
        return f"expected an entry with named fields{names}, got {brief_repr(err.get('input'))}; write it as `name: value` lines"
    if kind == "union_tag_invalid" and isinstance(err.get("input"), dict):
        return f"unknown kind {brief_repr(err['input'].get('kind'))}; use one of fact, argument, quote, term"
    # a model's own check (`raise ValueError(...)`): its words, without pydantic's "Value error, " in front
    return brief(err["msg"].removeprefix("Value error, ") if kind == "value_error" else err["msg"], 2 * SHOWN)


# --- sources and bank -------------------------------------------------------------------------


def source_dirs(content_dir: Path) -> list[Path]:
    """Folders holding a source.yaml, sorted."""
    if not content_dir.is_dir():
        raise ContentError(Problem(rel(content_dir), None, "content", "folder not found; pass --content with the folder holding tags.yaml and the sources"))
    return sorted(p.parent for p in content_dir.glob("*/source.yaml"))


def _undecodable_names(folder: Path) -> list[Path]:
    """Files and folders under `folder` whose names are not UTF-8 (Python holds them with surrogates): quizgen
    cannot write such a name into a deck, a key or a message."""
    bad = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        try:
            path.name.encode("utf-8")
        except UnicodeEncodeError:
            bad.append(path)
    return bad


def load_content(content_dir: Path) -> Content:
    """Load and validate every source and its bank under `content_dir`; raise with all problems."""
    out = Collector()
    tags: dict[str, str] = {}
    tags_path = content_dir / "tags.yaml"
    try:
        tag_file = _validate(TagsFile, load_yaml(tags_path), tags_path, out)
        if tag_file:
            tags = {t.id: t.label for t in tag_file.tags}
    except QuizgenError as exc:
        out.catch(exc)
    for path in _undecodable_names(content_dir):
        shown = os.fsencode(path).decode("utf-8", "backslashreplace")
        out.add(Path(shown), None, "file name", "is not UTF-8 text (another system's encoding); rename it, "
                "or move it out of the content folder")
    sources: dict[str, LoadedSource] = {}
    try:
        dirs = source_dirs(content_dir)
    except QuizgenError as exc:
        out.catch(exc)
        dirs = []
    for folder in dirs:
        loaded = _load_source(folder, tags, out)
        if loaded is None:
            continue
        if loaded.id in sources:
            out.add(folder / "source.yaml", 1, "id", f"duplicate source id {loaded.id!r} (also in {rel(sources[loaded.id].dir)}); give each source its own id")
            continue
        sources[loaded.id] = loaded
    out.raise_if_any()
    return Content(root=content_dir, tags=tags, sources=sources, warnings=tuple(sorted(set(out.warnings))))


def _load_source(folder: Path, tags: dict[str, str], out: Collector) -> LoadedSource | None:
    path = folder / "source.yaml"
    try:
        data = load_yaml(path)
    except QuizgenError as exc:
        out.catch(exc)
        return None
    source = _validate(Source, data, path, out)
    if source is None:
        return None
    _check_source(source, data, path, out)
    userdict = folder / "userdict.txt"
    if userdict.exists():
        try:
            read_text(userdict)  # jieba reads it as UTF-8 and stops the build otherwise
        except QuizgenError as exc:
            out.catch(exc)
    else:
        out.warn(userdict, None, "userdict", "not found; without it jieba may cut names and terms in half in cloze blanks (see docs/how-to/add-a-source.md)")
    before = len(out.problems)
    keypoints = _load_keypoints(source, folder, out)
    # a broken keypoints.yaml is reported once, not again as an unknown key point on every core item
    items = _load_bank(source, folder, tags, out, keypoints, check_keypoints=len(out.problems) == before)
    if not any((folder / "bank").glob("*.yaml")):
        out.warn(folder / "bank", None, "bank", "no bank files yet, so this source is in no deck; add bank/NN-<section-id>.yaml (see docs/how-to/add-a-source.md)")
    return LoadedSource(source=source, dir=folder, userdict=userdict if userdict.exists() else None, items=tuple(items),
                        keypoints=keypoints or (), withdrawn=_load_withdrawn(folder, {it.id for it in items}, out))


WITHDRAWN_REASONS = ("wrong", "removed")


def _load_withdrawn(folder: Path, items: set[str], out: Collector) -> dict[str, str]:
    """retired.yaml (optional): `retired: [{id, reason: wrong|removed, note}]`, items no longer in the bank and why.

    Their notes are retired anyway (the note state remembers them); the file only says why on the card, so a learner
    knows a card taught a mistake."""
    path = folder / "retired.yaml"
    if not path.exists():
        return {}
    try:
        data = load_yaml(path)
    except QuizgenError as exc:
        out.catch(exc)
        return {}
    entries = data.get("retired") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        out.add(path, 1, "retired", "expected `retired:` with a list of {id, reason: wrong or removed, note}")
        return {}
    found: dict[str, str] = {}
    for idx, entry in enumerate(entries):
        line = getattr(entry, "line", None)
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            out.add(path, line, f"retired.{idx}", "expected {id: <item id>, reason: wrong or removed, note: <why>}")
            continue
        item, reason, note = entry["id"], entry.get("reason", "removed"), entry.get("note", "")
        if reason not in WITHDRAWN_REASONS or not isinstance(note, str):
            out.add(path, line, f"retired.{idx}.reason", f"item {item}: reason must be wrong or removed, and note a text")
        elif item in items:
            out.add(path, line, f"retired.{idx}.id", f"item {item} is still in the bank; remove it from the bank or from {rel(path)}")
        else:
            found[item] = f"{reason}: {note}".strip()
    return found


def _load_keypoints(source: Source, folder: Path, out: Collector) -> tuple[LoadedKeyPoint, ...] | None:
    """keypoints.yaml (optional): ids unique, every cited paragraph exists. None when the file is missing."""
    path = folder / "keypoints.yaml"
    if not path.exists():
        return None
    try:
        data = load_yaml(path)
    except QuizgenError as exc:
        out.catch(exc)
        return ()
    if data is None:
        return ()
    parsed = _validate(KeyPointsFile, data, path, out)
    if parsed is None:
        return ()
    paragraphs = source.paragraphs()
    seen: set[str] = set()
    loaded: list[LoadedKeyPoint] = []
    for idx, kp in enumerate(parsed.keypoints):
        raw: LineDict = data["keypoints"][idx]
        if kp.id in seen:
            out.add(path, raw.key_lines.get("id", raw.line), f"keypoints.{idx}.id", f"duplicate key point id {kp.id!r}; give each key point its own id")
            continue
        seen.add(kp.id)
        for p_index, pid in enumerate(kp.paragraphs):
            if pid not in paragraphs:
                line = raw["paragraphs"].item_lines[p_index] if isinstance(raw.get("paragraphs"), LineList) else raw.line
                out.add(path, line, f"keypoints.{idx}.paragraphs", f"key point {kp.id}: paragraph {pid!r} does not exist in source {source.id}")
        loaded.append(LoadedKeyPoint(keypoint=kp, file=rel(path), line=raw.key_lines.get("id", raw.line)))
    return tuple(loaded)


def _check_source(source: Source, data: LineDict, path: Path, out: Collector) -> None:
    speakers = {s.id for s in source.speakers}
    seen_sections: set[str] = set()
    seen_paras: set[str] = set()
    for si, section in enumerate(source.sections):
        sdata = data["sections"][si]
        if section.id in seen_sections:
            out.add(path, sdata.key_lines.get("id"), f"sections.{si}.id", f"duplicate section id {section.id!r}")
        seen_sections.add(section.id)
        _check_parts(section, sdata, si, path, out)
        for pi, para in enumerate(section.paragraphs):
            pdata = sdata["paragraphs"][pi]
            if para.id in seen_paras:
                out.add(path, pdata.key_lines.get("id"), f"sections.{si}.paragraphs.{pi}.id", f"duplicate paragraph id {para.id!r}")
            seen_paras.add(para.id)
            if para.speaker not in speakers:
                out.add(path, pdata.key_lines.get("speaker"), f"sections.{si}.paragraphs.{pi}.speaker", unknown("speaker", para.speaker, sorted(speakers)))


def _check_parts(section: Section, sdata: Any, si: int, path: Path, out: Collector) -> None:
    """A section's parts start at its own paragraphs, in order."""
    order = {p.id: i for i, p in enumerate(section.paragraphs)}
    last = -1
    for ki, part in enumerate(section.parts):
        raw = sdata["parts"][ki] if isinstance(sdata.get("parts"), list) else None
        line = raw.key_lines.get("from") if isinstance(raw, LineDict) else None
        where = f"sections.{si}.parts.{ki}.from"
        if part.from_ not in order:
            out.add(path, line, where, f"paragraph {part.from_!r} is not in section {section.id!r}; start the part at one of its paragraphs "
                                       f"({section.paragraphs[0].id}–{section.paragraphs[-1].id})")
        elif order[part.from_] <= last:
            out.add(path, line, where, f"part {part.title!r} starts at {part.from_}, not after the part before it; list parts in paragraph order, each starting once")
        else:
            last = order[part.from_]


def _load_bank(source: Source, folder: Path, tags: dict[str, str], out: Collector,
               keypoints: tuple[LoadedKeyPoint, ...] | None = None, *, check_keypoints: bool = True) -> list[BankItem]:
    keypoint_ids = {kp.keypoint.id for kp in keypoints or ()}
    paragraphs = source.paragraphs()
    speakers = {s.id: s for s in source.speakers}
    sections = {s.id: s for s in source.sections}
    seen: dict[str, str] = {}
    items: list[BankItem] = []
    for path in sorted((folder / "bank").glob("*.yaml")):
        try:
            data = load_yaml(path)
        except QuizgenError as exc:
            out.catch(exc)
            continue
        if data is None or (isinstance(data, dict) and not data.get("items")):
            out.add(path, getattr(data, "key_lines", {}).get("items", 1), "items",
                    "no items: this file would add nothing to any deck; add items (see docs/how-to/add-a-source.md) or delete the file")
            continue
        bank = _validate(BankFile, data, path, out)
        indexes: tuple[int, ...] | None = None
        if bank is None:
            salvaged = _salvage_bank(data)  # its errors are reported: go on checking the items that did validate
            if salvaged is None:
                continue
            bank, indexes = salvaged
        shown = rel(path)  # once per file: 28,000 items at 100x scale would spend seconds in pathlib
        if bank.section and bank.section not in sections:
            out.add(path, data.key_lines.get("section"), "section", unknown("section", bank.section, list(sections)))
        for idx, item in zip(indexes if indexes is not None else range(len(bank.items)), bank.items, strict=False):
            raw: LineDict = data["items"][idx]
            line = raw.line

            def where(fld: str) -> int:
                return raw.key_lines.get(fld, line)  # noqa: B023 - used immediately

            if item.id in seen:
                out.add(path, where("id"), "id", f"duplicate item id {item.id!r} (first in {seen[item.id]}); give each item its own id")
                continue
            seen[item.id] = f"{shown}:{where('id')}"
            if item.paragraph not in paragraphs:
                out.add(path, where("paragraph"), "paragraph", f"item {item.id}: paragraph {item.paragraph!r} does not exist in source {source.id}")
                continue
            section, para, pindex = paragraphs[item.paragraph]
            if bank.section and bank.section in sections and section.id != bank.section:
                out.add(path, where("paragraph"), "paragraph", f"item {item.id}: paragraph {item.paragraph} is in section {section.id!r}, not in this file's section {bank.section!r}")
            speaker_id = item.speaker or para.speaker
            if speaker_id not in speakers:
                out.add(path, where("speaker"), "speaker", f"item {item.id}: {unknown('speaker', speaker_id, list(speakers))}")
            for t_index, tag in enumerate(item.tags):
                if tag not in tags:
                    out.add(path, raw["tags"].item_lines[t_index] if isinstance(raw.get("tags"), LineList) else where("tags"), "tags", f"item {item.id}: unknown tag {tag!r}; {did_you_mean(tag, tags)}add it to tags.yaml or use a listed one")
            if not check_keypoints:
                pass
            elif item.keypoint is not None and item.keypoint not in keypoint_ids:
                out.add(path, where("keypoint"), "keypoint", f"item {item.id}: unknown key point {item.keypoint!r}; {did_you_mean(item.keypoint, keypoint_ids)}use an id listed in {rel(folder / 'keypoints.yaml')}")
            elif item.importance == "core" and item.keypoint is None:
                out.add(path, where("importance"), "keypoint", f"item {item.id}: a core item must name the key point it tests; add `keypoint: <id from keypoints.yaml>`")
            spans = [("evidence", item.evidence)] if item.evidence else []
            if isinstance(item, Quote):
                spans.append(("text", item.text))
            if isinstance(item, Argument) and item.claim_evidence:
                spans.append(("claim_evidence", item.claim_evidence))
            for fld, span in spans:
                if span not in para.text:
                    texts = {pid: p.text for pid, (_, p, _) in paragraphs.items()}
                    out.add(path, where(fld), fld, f"item {item.id}: {span_hint(span, para.id, texts)}")
            if isinstance(item, Fact) and item.value is not None and (msg := value_mismatch(item.value, item.answer)):
                out.add(path, where("value"), "value", f"item {item.id}: {msg}")
            if speaker_id not in speakers:
                continue
            items.append(BankItem(item=item, source_id=source.id, section=section, speaker=speakers[speaker_id], paragraph=para,
                                  position=(pindex, idx), file=shown, line=line,
                                  field_lines=dict(raw.key_lines)))
    items.sort(key=lambda it: (it.position, it.id))
    return items


def _salvage_bank(data: Any) -> tuple[BankFile, tuple[int, ...]] | None:
    """The items of a bank file that validate on their own (the others' errors were reported already)."""
    from pydantic import TypeAdapter  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    from quizgen.models import Item  # noqa: PLC0415 - loaded on use, so light commands start fast

    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return None
    adapter: TypeAdapter[Any] = TypeAdapter(Item)
    good: dict[int, Any] = {}
    for idx, raw in enumerate(data["items"]):
        try:
            good[idx] = adapter.validate_python(raw)
        except ValidationError:
            continue
    section = data.get("section")
    try:
        bank = BankFile.model_validate({"section": section if isinstance(section, str) else None, "items": list(good.values())})
    except ValidationError:
        bank = BankFile(items=tuple(good.values()))
    return bank, tuple(good)  # with where each surviving item sits in the file


# --- question templates -----------------------------------------------------------------------


def load_templates(templates_dir: Path) -> dict[str, QuestionTemplate]:
    """Load every question template under templates/questions, sorted by file name."""
    out = Collector()
    folder = templates_dir / "questions"
    if not folder.is_dir():
        raise ContentError(Problem(rel(folder), None, "templates", "folder not found; pass --templates with the folder holding questions/"))
    templates: dict[str, QuestionTemplate] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = load_yaml(path)
        except QuizgenError as exc:
            out.catch(exc)
            continue
        parsed = _validate(TemplatesFile, data, path, out)
        if parsed is None:
            continue
        for idx, tpl in enumerate(parsed.templates):
            if tpl.id in templates:
                out.add(path, data["templates"].item_lines[idx], f"templates.{idx}.id", f"duplicate template id {tpl.id!r}")
            templates[tpl.id] = tpl
    out.raise_if_any()
    return templates


# --- recipes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedRecipe:
    recipe: Recipe
    path: Path


def load_recipe(path: Path, content: Content | None = None, templates: dict[str, QuestionTemplate] | None = None) -> LoadedRecipe:
    """Load and validate one recipe (a TOML file in decks/), checking names against the content."""
    out = Collector()
    loaded = _load_recipe_into(path, content, out, templates)
    out.raise_if_any()
    assert loaded is not None
    return loaded


def _load_recipe_into(path: Path, content: Content | None, out: Collector,
                      templates: dict[str, QuestionTemplate] | None = None) -> LoadedRecipe | None:
    try:
        data, text = load_toml(path)
    except QuizgenError as exc:
        out.catch(exc)
        return None
    try:
        recipe = Recipe.model_validate(data, context=RECIPE_CONTEXT)
    except ValidationError as exc:
        out.problems.extend(validation_problems(exc, path, line=lambda loc: toml_key_line(text, str(loc[0]) if loc else "") or 1))
        return None
    if content is not None:
        check_recipe_names(recipe, path, text, content, out, templates)
    return LoadedRecipe(recipe=recipe, path=path)


def check_recipe_names(recipe: Recipe, path: Path, text: str, content: Content, out: Collector,
                       templates: dict[str, QuestionTemplate] | None = None) -> None:
    """Every source, section, tag, speaker and template a recipe names must exist."""
    known = [content.sources[s] for s in recipe.sources if s in content.sources]
    checks: list[tuple[str, tuple[str, ...], list[str], str]] = [
        ("sources", recipe.sources, list(content.sources), "source"),
        ("sections", recipe.sections, sorted({sec.id for src in known for sec in src.source.sections}), "section"),
        ("tags", recipe.tags, sorted(content.tags), "tag"),
        ("speakers", recipe.speakers, sorted({sp.id for src in known for sp in src.source.speakers}), "speaker"),
    ]
    if templates is not None:
        checks.insert(0, ("templates", recipe.templates, list(templates), "question template"))
    for key, names, available, what in checks:
        for name in names:
            if name not in available:
                out.add(path, toml_key_line(text, key), key, f"unknown {what} {name!r}; {did_you_mean(name, available)}available: {', '.join(available) or 'none'}")


def load_recipes(decks_dir: Path, content: Content | None, templates: dict[str, QuestionTemplate] | None = None) -> list[LoadedRecipe]:
    """Load every recipe in decks/ (sorted), reporting all problems at once."""
    out = Collector()
    if not decks_dir.is_dir():
        raise ContentError(Problem(rel(decks_dir), None, "decks", "folder not found; pass --decks with the folder of recipes"))
    recipes: list[LoadedRecipe] = []
    outputs: dict[str, tuple[str, Path]] = {}
    deck_ids: dict[int, Path] = {}
    for path in sorted(decks_dir.glob("*.toml")):
        loaded = _load_recipe_into(path, content, out, templates)
        if loaded is None:
            continue
        name, deck_id = loaded.recipe.output, loaded.recipe.deck_id
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        if name.lower() in outputs:
            other = outputs[name.lower()]
            same = "" if other[0] == name else f" as {other[0]!r}, which a case-insensitive disk (Windows, macOS) holds as one folder"
            out.add(path, toml_key_line(text, "output"), "output",
                    f"output name {name!r} is also used by {rel(other[1])}{same}; give each recipe its own output")
        outputs.setdefault(name.lower(), (name, path))
        if deck_id and deck_id in deck_ids:
            out.add(path, toml_key_line(text, "deck_id"), "deck_id",
                    f"deck id {deck_id} is also used by {rel(deck_ids[deck_id])}; Anki would merge the two decks: pick another number")
        deck_ids.setdefault(deck_id, path)
        recipes.append(loaded)
    out.raise_if_any()
    return recipes


def check_all(content_dir: Path, templates_dir: Path, decks_dir: Path) -> tuple[Content, dict[str, QuestionTemplate], list[LoadedRecipe]]:
    """Validate content, templates and recipes together; raise one error listing every problem."""
    out = Collector()
    content = templates = recipes = None
    try:
        content = load_content(content_dir)
    except QuizgenError as exc:
        out.catch(exc)
    try:
        templates = load_templates(templates_dir)
    except QuizgenError as exc:
        out.catch(exc)
    try:
        recipes = load_recipes(decks_dir, content, templates)
    except QuizgenError as exc:
        out.catch(exc)
    out.raise_if_any()
    assert content is not None and templates is not None and recipes is not None
    return content, templates, recipes
