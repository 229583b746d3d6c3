"""Frozen models: the source, the curated bank, question templates, recipes and questions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from quizgen.fsutil import OUTPUT_NAME, OUTPUT_NAME_LENGTH

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*(::[a-z0-9][a-z0-9-]*)*$")]

# Names Windows cannot hold as a file or folder, with any extension (CON, con.txt, COM1, …).
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


_OUTPUT_NAME = re.compile(OUTPUT_NAME)


def _output_name(v: str) -> str:
    """An output name is one folder and file stem inside build/: no path, no '..', nothing Windows cannot hold."""
    if not _OUTPUT_NAME.fullmatch(v):
        raise ValueError(f"{v!r} is not one name: use letters, digits, '.', '_' and '-', starting with a letter or digit "
                         "(no '/', '\\' or spaces); an output name is one folder inside build/, not a path")
    if ".." in v:
        raise ValueError("must not contain '..'; an output name is one folder inside build/, not a path")
    if v.split(".")[0].lower() in _RESERVED:
        raise ValueError(f"{v!r} is a name Windows reserves for a device (CON, NUL, AUX, PRN, COM1-9, LPT1-9); pick another")
    if v.endswith("."):
        raise ValueError("must not end with '.': Windows drops it, so two outputs could share one folder")
    return v


OutputName = Annotated[str, StringConstraints(max_length=OUTPUT_NAME_LENGTH), AfterValidator(_output_name)]

QUESTION_TYPES = ("cloze", "basic", "mcq", "tf", "who", "reasons", "order", "typed")
QuestionType = Literal["cloze", "basic", "mcq", "tf", "who", "reasons", "order", "typed"]
KINDS = ("fact", "argument", "quote", "term")
Importance = Literal["core", "detail", "aside"]
IMPORTANCES = ("core", "detail", "aside")
Genre = Literal["访谈", "演讲", "对话", "文章"]
AnswerType = Literal[
    "number", "date", "person", "company", "product", "organization", "place", "event", "concept", "other"
]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False, defer_build=True)


# --- the source -------------------------------------------------------------------------------


class Speaker(Frozen):
    id: Slug
    name: Text
    role: Text
    narrator: bool = False
    """The write-up's own voice (e.g. the editors' introduction): never an answer to "who said it"."""
    labels: tuple[Text, ...] = ()
    """How the write-up labels this speaker at the start of a paragraph (for `quizgen import`)."""


class Paragraph(Frozen):
    id: Slug
    speaker: Slug
    text: Text


class SectionPart(Frozen):
    """Where the talk moves on inside one of the write-up's sections: paragraphs from `from` on are labelled
    「<section title> · <title>」 (the section stays the section: its sub-deck and grouping do not change)."""

    from_: Slug = Field(alias="from")
    title: Text | None = None
    """None: from here on the section's own subject again (the label is the section title alone)."""


class Section(Frozen):
    id: Slug
    title: Text
    deck_title: Text | None = None
    """The section's sub-deck name where its title would answer one of its questions (the write-up's headline
    「…埃隆用了 19 天」 names the answer); None: the title."""
    paragraphs: tuple[Paragraph, ...] = Field(min_length=1)
    parts: tuple[SectionPart, ...] = ()
    """Labelled parts of the section, in paragraph order (optional)."""

    def part_title(self, paragraph_id: str) -> str | None:
        """The title of the part this paragraph is in, or None before the first part."""
        starts = {part.from_: part.title for part in self.parts}
        current = None
        for para in self.paragraphs:
            current = starts.get(para.id, current)
            if para.id == paragraph_id:
                return current
        return None


class Source(Frozen):
    id: Slug
    title: Text
    outlet: Text
    date: dt.date
    url: Text
    podcast: Text | None = None
    reference: Text | None = None
    language: Text = "zh-CN"
    genre: Genre = "文章"
    """What kind of text it is: the word quizzes and cards use for it (访谈中……, 与访谈内容相符)."""
    short_title: Text | None = None
    """A short name for default deck and quiz titles (e.g. 黄仁勋 BG2 访谈); defaults to the title."""
    speakers: tuple[Speaker, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)

    def speaker(self, speaker_id: str) -> Speaker:
        """The speaker with this ID."""
        return next(s for s in self.speakers if s.id == speaker_id)

    def paragraphs(self) -> dict[str, tuple[Section, Paragraph, int]]:
        """Paragraph ID -> (section, paragraph, position in the article)."""
        out: dict[str, tuple[Section, Paragraph, int]] = {}
        for section in self.sections:
            for para in section.paragraphs:
                out[para.id] = (section, para, len(out))
        return out


# --- the curated bank -------------------------------------------------------------------------


class ItemBase(Frozen):
    id: Slug
    paragraph: Slug
    tags: tuple[Tag, ...] = ()
    evidence: Text
    speaker: Slug | None = None
    """Who states it; defaults to the paragraph's speaker."""
    explanation: Text | None = None
    """One line shown in answer keys; defaults to a sentence built from the item."""
    importance: Importance = "detail"
    """core: tests a key point (and names it in `keypoint`); detail; aside: hosts' and the editor's remarks, meta."""
    keypoint: Slug | None = None
    """The id of the key point (keypoints.yaml) this item tests; required for core items."""
    note: Text | None = None
    """Where the source is wrong, garbled or mistranslated: shown on the card back and in the key."""
    waive: dict[str, str] = Field(default_factory=dict)
    """Quality rules this item knowingly breaks: {rule-id: "why"}."""
    skip: dict[str, str] = Field(default_factory=dict)
    """Question templates not to make from this item, each with the reason: {template-id: "why"} (e.g. mcq for a
    binary idea that no same-form distractor fits)."""
    attribution: bool | None = None
    """Who said it is worth asking (the speakers disagree, or a host's view must not be taken for the guest's):
    true asks who-said-it, false never; unset asks it only when the speaker is not the source's main speaker."""


class Fact(ItemBase):
    kind: Literal["fact"]
    question: Text
    answer: Text
    answer_type: AnswerType
    statement: Text
    """A declarative sentence that contains `answer` verbatim: the cloze and true/false source."""
    unit: Text | None = None
    value: float | None = None
    comparison: Text | None = None
    accept: tuple[Text, ...] = ()
    distractors: tuple[Text, ...] = ()
    false_statement: Text | None = None
    false_detail: Text | None = None
    """The words of `false_statement` that were changed (verbatim in it)."""
    contradicts: Text | None = None
    """The words of `evidence` that contradict `false_detail` (verbatim in the evidence)."""
    reverse: bool = False
    """Also ask the answer -> question direction (product -> company, term -> definition)."""

    @model_validator(mode="after")
    def _answer_in_statement(self) -> Fact:
        if self.answer not in self.statement:
            raise ValueError(f"statement must contain the answer {self.answer!r} verbatim")
        if self.answer in self.distractors:
            raise ValueError(f"distractors must not contain the answer {self.answer!r}")
        if len(set(self.distractors)) != len(self.distractors):
            raise ValueError("distractors must not repeat")
        if self.answer_type == "number" and self.value is None:
            raise ValueError("a number fact needs `value` (the number as the speaker states it)")
        return self


class Argument(ItemBase):
    kind: Literal["argument"]
    claim: Text
    question: Text
    """Why-question asked of the learner, e.g. 黄仁勋为什么认为……？"""
    reasons: tuple[Text, ...] = Field(min_length=2)
    conclusion: Text
    steps: tuple[Text, ...] = ()
    """The argument's chain in order; defaults to reasons then conclusion."""
    sequential: bool = False
    """The steps follow one from another (a sequence, not parallel points): only then is it asked as an ordering question."""
    claim_evidence: Text | None = None
    """The words of the paragraph that state the claim (verbatim): who-said-it shows them as its evidence, and is not
    asked without them."""

    @property
    def chain(self) -> tuple[str, ...]:
        return self.steps or (*self.reasons, self.conclusion)


class Quote(ItemBase):
    kind: Literal["quote"]
    text: Text
    """The line itself, verbatim in the paragraph."""
    context: Text
    """What it was said about, for the who-said-it prompt."""
    cloze: Text | None = None
    """The key word to blank; defaults to jieba's top keyword."""
    evidence: Text | None = None  # type: ignore[assignment]  # a quote's evidence is optional (the quote is its own evidence)

    @model_validator(mode="after")
    def _cloze_in_text(self) -> Quote:
        if self.cloze is not None and self.cloze not in self.text:
            raise ValueError(f"cloze word {self.cloze!r} must occur in the quote text")
        return self


class Term(ItemBase):
    kind: Literal["term"]
    term: Text
    definition: Text
    reverse: bool = True


Item = Annotated[Fact | Argument | Quote | Term, Field(discriminator="kind")]


class BankFile(Frozen):
    section: Slug | None = None
    items: tuple[Item, ...] = ()


class TagDef(Frozen):
    id: Tag
    label: Text


class TagsFile(Frozen):
    tags: tuple[TagDef, ...]


# --- question templates -----------------------------------------------------------------------


PROMPT_EXTRAS = ("speaker_name", "section_title", "genre")
"""What a prompt may name besides the item's own fields: its speaker's name, its section's title, the source's genre."""


class QuestionTemplate(Frozen):
    id: Slug
    type: QuestionType
    kind: Literal["fact", "argument", "quote", "term"]
    title: Text
    """Group heading in printed quizzes."""
    prompt: Text = "{question}"
    """Python format string over the item's fields."""
    instructions: Text | dict[Literal["number", "year", "date", "list", "person", "name", "word", "phrase", "sentence", "default"], Text] | None = None
    """One instruction, or one per kind of answer: number (numbers, dates), list (what the text lists: 、 or 「A 和 B」),
    person (a person's name; falls back to name), name (companies, products, organizations, places), word (a short
    other answer), phrase (a longer one without a clause; falls back to word), sentence (with ，/。), default (anything else).
    May name `{genre}`."""
    points: int = Field(default=1, ge=1, le=20)
    answer_types: tuple[AnswerType, ...] = ()
    """Only items with one of these answer types (facts); empty means any."""
    max_answer_chars: int | None = None
    require: tuple[str, ...] = ()
    """Item fields that must be set for the template to apply."""


class KeyPoint(Frozen):
    id: Slug
    text: Text
    """The key point in one line."""
    paragraphs: tuple[Slug, ...] = Field(min_length=1)


class KeyPointsFile(Frozen):
    keypoints: tuple[KeyPoint, ...] = ()


class TemplatesFile(Frozen):
    templates: tuple[QuestionTemplate, ...]


# --- recipes ----------------------------------------------------------------------------------


class Recipe(Frozen):
    title: Text
    output: OutputName
    sources: tuple[Slug, ...] = Field(min_length=1)
    sections: tuple[Slug, ...] = ()
    tags: tuple[Tag, ...] = ()
    speakers: tuple[Slug, ...] = ()
    types: tuple[QuestionType, ...] = ()
    templates: tuple[Slug, ...] = ()
    """Only these question templates (IDs from templates/questions); empty means all."""
    importance: tuple[Importance, ...] = ()
    """Only items of these importances (core, detail, aside); empty means all."""
    count: int = Field(default=0, ge=0)
    seed: int = 0
    formats: tuple[str, ...] = ("anki", "quiz")
    """Output formats by name (see quizgen/outputs/__init__.py FORMATS)."""
    versions: int = Field(default=1, ge=1, le=500)
    deck_name: Text | None = None
    """Anki parent deck name; defaults to the title."""
    deck_id: int = Field(default=0, ge=0)
    """Fixed Anki deck ID; 0 derives a stable one from the output name."""
    per_item: int = Field(default=0, ge=0)
    """At most this many questions per bank item (0: no limit)."""
    pick: Literal["random", "preferred"] = "random"
    """Which questions of an item: `random` (seeded), or `preferred`: the first applicable in the order of `types`."""
    header: Literal["title", "short_title"] = "title"
    """Which name of each source the quiz header prints: its `title`, or its `short_title` where the title answers a
    question (the leak guard reports it). Card backs and keys still cite the title."""
    xlsx_columns: dict[str, str] = Field(default_factory=dict)
    """Spreadsheet export: default column header -> the header a platform expects ("" drops the column)."""
    answer_sheets: int = Field(default=0, ge=0, le=500)
    """quiz: machine-readable answer sheets printed per version for `quizgen scan`, one per student, each with its own
    serial in its QR code (0: none; the hand-marked answer sheet of the quiz page stays)."""
    student_id_digits: int = Field(default=8, ge=1, le=14)
    """quiz: digits of the student number on the machine-readable sheet's bubble grid."""

    @field_validator("xlsx_columns")
    @classmethod
    def _known_columns(cls, v: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        known = (info.context or {}).get("xlsx_columns")  # the loader passes the spreadsheet format's columns
        if known is not None and (bad := sorted(set(v) - set(known))):
            raise PydanticCustomError("unknown_column", "unknown column {bad}; use some of {known}",
                                      {"bad": ", ".join(map(repr, bad)), "known": ", ".join(known)})
        return v

    @field_validator("formats")
    @classmethod
    def _registered_formats(cls, v: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        known = (info.context or {}).get("formats")  # the loader passes the output registry's names
        if known is not None and (bad := [f for f in v if f not in known]):
            raise PydanticCustomError("unknown_format", "unknown format {bad}; available: {available}",
                                      {"bad": ", ".join(map(repr, bad)), "available": ", ".join(known)})
        if len(set(v)) != len(v):
            raise PydanticCustomError("repeated_format", "lists a format twice; list each format once")
        return v

    @property
    def filters(self) -> Filters:
        """The recipe's selection settings (the fields it shares with Filters)."""
        return Filters(**{name: getattr(self, name) for name in Filters.model_fields if name in type(self).model_fields})


# --- generated questions ----------------------------------------------------------------------


# Questions are plain slotted dataclasses, not pydantic models: a bank 100x the interview makes ~100,000 of them,
# and pydantic instances cost ~3 KB each. QuestionSet (pydantic) still validates them when a set file is read.


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a question comes from: shown on every card back and in every answer key."""

    source_id: str
    source_title: str
    section_id: str
    section_title: str
    section_index: int
    paragraph_id: str
    speaker_id: str
    speaker_name: str
    evidence: str
    source_outlet: str = ""
    source_date: dt.date | None = None
    genre: str | None = None
    """访谈, 演讲, 对话 or 文章 (None in sets written before sources had a genre)."""
    part_title: str | None = None
    """The labelled part of the section the paragraph is in (source.yaml `parts`), if any."""
    deck_title: str | None = None
    """The section's sub-deck name when it is not its title (source.yaml `deck_title`)."""

    @property
    def label(self) -> str:
        """Where in the source, as card backs, keys and exports show it: the section title, and its part's if any."""
        return f"{self.section_title} · {self.part_title}" if self.part_title else self.section_title


@dataclass(frozen=True, slots=True)
class Question:
    """One question, plain text only: renderers escape at the edges."""

    id: str
    """`<item id>:<template id>`, unique within a source."""
    source_id: str
    item_id: str
    template_id: str
    type: QuestionType
    kind: Literal["fact", "argument", "quote", "term"]
    title: str
    prompt: str
    answer: str
    explanation: str
    ref: SourceRef
    position: tuple[int, int, int]
    """(paragraph index, item index, template index): the interview's order."""
    instructions: str | None = None
    points: int = 1
    accept: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    correct: int | None = None
    cloze_text: str | None = None
    cloze_start: int | None = None
    cloze_end: int | None = None
    steps: tuple[str, ...] = ()
    """order: the steps in the right order (options hold them shuffled); reasons: the reasons then the conclusion."""
    order: tuple[int, ...] = ()
    """order: for each correct step, the index of that step in `options`."""
    reverse_prompt: str | None = None
    reverse_answer: str | None = None
    tags: tuple[str, ...] = ()
    item_digest: str = ""
    """Hash of the whole bank item: any edit of the item moves its notes' modification time forward."""
    importance: str = "detail"
    keypoint: str | None = None
    note: str | None = None

    @property
    def cloze_parts(self) -> tuple[str, str, str]:
        """(before, blank, after) of a cloze question."""
        assert self.cloze_text is not None and self.cloze_start is not None and self.cloze_end is not None
        t = self.cloze_text
        return t[: self.cloze_start], t[self.cloze_start : self.cloze_end], t[self.cloze_end :]


class Filters(Frozen):
    sections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    types: tuple[QuestionType, ...] = ()
    templates: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    importance: tuple[Importance, ...] = ()
    count: int = 0
    per_item: int = 0
    pick: Literal["random", "preferred"] = "random"


class QuestionSet(Frozen):
    """A selection of questions: what `generate` writes and what `anki` and `quiz` render."""

    format: Literal["quizgen-set/1"] = "quizgen-set/1"
    title: str
    output: OutputName
    deck_name: str
    deck_id: int
    seed: int
    versions: int = 1
    sources: tuple[str, ...]
    header: tuple[str, ...] = ()
    """The quiz header's source line per source, as the recipe asks (empty in older set files: from the questions)."""
    filters: Filters
    questions: tuple[Question, ...]
    bank: dict[str, str] | None = Field(default=None, exclude=True)
    """"<source>/<item>" -> "" for each bank item, or "wrong: why" / "removed: why" for an item withdrawn (retired.yaml):
    why the deck's old notes are retired. Not written to set files (None there: old notes retire as "out")."""
    covered: frozenset[str] = Field(default=frozenset(), exclude=True)
    """"<source>/<item>" of items a study deck leaves out because another of its cards prints their answer: their old
    notes retire as asked by another card ("replaced"). Not written to set files."""
