"""Question templates + bank items -> questions, and seeded, filtered selections of them."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from quizgen.errors import Problem, SelectionError
from quizgen.generate.leaks import Leak, LeakGuard, PageText
from quizgen.load.content import BankItem, Collector, Content
from quizgen.models import Argument, Fact, Filters, Question, QuestionSet, QuestionTemplate, Quote, Recipe, SourceRef, Term
from quizgen.rand import rng_for, stable_id, stable_order
from quizgen.text.answers import answer_forms, contains_answer, normalize_answer, normalize_figures
from quizgen.text.labels import letter_label
from quizgen.text.segment import STOP_WORDS, Segmenter, is_content_word
from quizgen.text.typography import chinese_date, join_cjk, tidy

TF_OPTIONS = ("正确", "错误")
MCQ_OPTIONS = 4


def _norm(text: str) -> str:
    """Compare answers ignoring spaces, case, width and the kind of middle dot: "10万倍" equals "10 万倍"."""
    return normalize_answer(text)


NAME_TYPES = ("person", "company", "product", "organization", "place")
WORD_CHARS = 10
"""An `other`/`concept`/`event` answer up to this long is a word to write; a longer one without ，/。 a phrase."""
LIST_PAIR = re.compile(r"([^，,。；;的]{2,}?)\s*(?:和|或|以及|及)\s*([^，,。；;的]{2,})")
"""「A 和 B」: two things named (人形机器人和自动驾驶汽车), not a relation (上层科学和底层架构之间的融合)."""
INSTRUCTION_FALLBACK = {"person": "name", "phrase": "word", "year": "date", "date": "number"}
"""A kind of answer a template has no instruction for falls back to this one, then to `default`."""


def answer_kind(item: object) -> str:
    """What kind of answer a fact asks for (chooses the instruction): number, year (a date that is a year: 2016 年),
    date, list (items the text lists: 、 or 「A 和 B」), person, name, word, phrase (a longer phrase, no clause) or
    sentence (with ，/。); default otherwise."""
    if not isinstance(item, Fact):
        return "default"
    if item.answer_type == "date":
        return "year" if re.fullmatch(r"\d{3,4}\s*年", item.answer.strip()) else "date"
    if item.answer_type == "number":
        return "number"
    answer = item.answer.strip()
    if "、" in answer or LIST_PAIR.fullmatch(answer):
        return "list"
    if item.answer_type == "person":
        return "person"
    if item.answer_type in NAME_TYPES:
        return "name"
    if re.search("[，,；;。]", answer):
        return "sentence"
    return "word" if len(re.sub(r"\s+", "", answer)) <= WORD_CHARS else "phrase"


_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


def _around(paragraph: str, quote: str) -> str:
    """A quote's place in its paragraph, the quote itself as 「……」: the sentence before and the one after. The quote
    as it stands when the paragraph holds nothing else (a card back then shows it once as the gap's text, once here)."""
    pos = paragraph.find(quote)
    if pos < 0:
        return quote
    before = [s for s in _SENTENCE_END.split(paragraph[:pos]) if s.strip()]
    after = [s for s in _SENTENCE_END.split(paragraph[pos + len(quote):]) if s.strip()]
    if not before and not after:
        return quote
    return (before[-1].strip() if before else "") + "……" + (after[0].strip().lstrip("，,；;、") if after else "")


def _swap_is_false(statement: str, answer: str, alt: str, accept: Sequence[str]) -> bool:
    """Whether putting `alt` for `answer` makes a statement that is plainly false, not one at odds with itself: the
    answer stands in it once, and neither `alt` nor any form of the answer is left elsewhere in it."""
    if statement.count(answer) != 1:
        return False
    made = normalize_figures(statement.replace(answer, alt, 1))
    rest = normalize_figures(statement.replace(answer, "\n", 1))
    return not contains_answer(rest, normalize_figures(alt)) and not any(
        contains_answer(made.replace(normalize_figures(alt), "\n"), f) for f in answer_forms(answer, tuple(accept)) if len(f) >= 2)


class _Formatter(string.Formatter):
    """str.format with one extra spec, `{claim:bare}`, that drops closing punctuation inside 「」, and Chinese
    typography at the seams between the template's text and the fields."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec == "bare":
            return str(value).rstrip("。．.！!？?；;，, ")
        return super().format_field(value, format_spec)

    def fill(self, template: str, fields: dict[str, Any]) -> str:
        pieces: list[str] = []
        for literal, name, spec, conv in self.parse(template):
            pieces.append(literal)
            if name is not None:
                value = self.convert_field(self.get_field(name, (), fields)[0], conv)
                pieces.append(self.format_field(value, spec or ""))
        return join_cjk(pieces)


def _instructions(tpl: QuestionTemplate, item: BankItem, fields: dict[str, Any]) -> str | None:
    """The template's instruction for this item's kind of answer, with the source's genre filled in."""
    text = tpl.instructions
    if isinstance(text, dict):
        kind = answer_kind(item.item)
        while kind in INSTRUCTION_FALLBACK and kind not in text:  # year -> date -> number; person -> name
            kind = INSTRUCTION_FALLBACK[kind]
        text = text.get(kind) or text.get("default")  # type: ignore[call-overload]  # the kinds are the Literal's keys
    return _Formatter().fill(text, fields) if text else None


def _prompt_fields(item: BankItem, genre: str = "文章") -> dict[str, Any]:
    """What a template's prompt may name: the item's scalar fields and PROMPT_EXTRAS (speaker's name, section's title, genre)."""
    fields = {k: v for k, v in item.item.model_dump().items() if isinstance(v, (str, int, float))}
    fields["speaker_name"] = item.speaker.name
    fields["section_title"] = item.section.title
    fields["genre"] = genre
    return fields


class Generator:
    """Builds every question the templates can make from a source's bank."""

    def __init__(self, content: Content, templates: dict[str, QuestionTemplate], *, segmenter: Segmenter | None = None):
        self.content = content
        self.templates = list(templates.values())
        self._segmenter = segmenter
        self.problems = Collector()
        self._pool_cache: dict[str, dict[tuple[str, str | None], list[str]]] = {}
        self._speaker_cache: dict[str, set[str]] = {}
        self._main_cache: dict[str, str | None] = {}
        self._shared_cache: dict[tuple[str, str], tuple[SourceRef, str, str, dict[str, Any]]] = {}

    @property
    def segmenter(self) -> Segmenter:
        if self._segmenter is None:
            userdicts = [s.userdict for s in self.content.sources.values() if s.userdict]
            self._segmenter = Segmenter(userdicts)
        return self._segmenter

    # --- public -------------------------------------------------------------------------------

    def questions(self, source_ids: Sequence[str] | None = None) -> list[Question]:
        """All questions for the given sources in interview order; problems are collected in `self.problems`.

        Pure: the caller saves the segmenter's memo (`Segmenter.save`) when it wants it kept.
        """
        out: list[Question] = []
        for sid in source_ids if source_ids is not None else list(self.content.sources):
            items = self.content.sources[sid].items
            for item in items:
                if item.item.skip:
                    self._check_skip(item)
                for t_index, tpl in enumerate(self.templates):
                    if tpl.kind != item.kind or tpl.id in item.item.skip or not self._applies(tpl, item):
                        continue
                    try:
                        q = self._make(tpl, t_index, item, items)
                    except KeyError as exc:
                        self.problems.add(item.file, item.line, "prompt", f"template {tpl.id}: unknown placeholder {exc}; use a field of the {item.kind}")
                        continue
                    if q is not None:
                        out.append(q)
        return out

    def _check_skip(self, item: BankItem) -> None:
        """An item's `skip` names templates of its kind, each with a reason."""
        line = item.line_of("skip")
        for tid, reason in item.item.skip.items():
            tpl = next((t for t in self.templates if t.id == tid), None)
            if tpl is None:
                known = [t.id for t in self.templates if t.kind == item.kind]
                self.problems.add(item.file, line, "skip", f"item {item.id}: no question template {tid!r}; use one of {', '.join(known)}")
            elif tpl.kind != item.kind:
                self.problems.add(item.file, line, "skip", f"item {item.id}: template {tid} makes questions from a {tpl.kind}, not a {item.kind}; remove it")
            if not str(reason).strip():
                self.problems.add(item.file, line, "skip", f"item {item.id}: say why {tid} is skipped")

    # --- per type -----------------------------------------------------------------------------

    def _applies(self, tpl: QuestionTemplate, item: BankItem) -> bool:
        it = item.item
        if tpl.answer_types and (not isinstance(it, Fact) or it.answer_type not in tpl.answer_types):
            return False
        if tpl.max_answer_chars and isinstance(it, Fact) and len(it.answer) > tpl.max_answer_chars:
            return False
        return all(self._attribution(item) if f == "attribution" else getattr(it, f, None) for f in tpl.require)

    def _attribution(self, item: BankItem) -> bool:
        """Whether who-said-it is worth asking of this item: its `attribution` flag, else only when its speaker is not
        the source's main speaker (a question whose answer is always the guest tests nothing)."""
        flag = item.item.attribution
        return flag if flag is not None else item.speaker.id != self._main_speaker(item.source_id)

    def _main_speaker(self, source_id: str) -> str | None:
        if source_id not in self._main_cache:
            source = self.content.sources[source_id].source
            counts = Counter(p.speaker for sec in source.sections for p in sec.paragraphs
                             if not source.speaker(p.speaker).narrator) if source.speakers else Counter()
            self._main_cache[source_id] = counts.most_common(1)[0][0] if counts else None
        return self._main_cache[source_id]

    def _make(self, tpl: QuestionTemplate, t_index: int, item: BankItem, items: Sequence[BankItem]) -> Question | None:
        it = item.item
        qid = f"{item.id}:{tpl.id}"
        ref, explanation, digest, fields = self._shared(item)
        base: dict[str, Any] = {
            "id": qid, "source_id": item.source_id, "item_id": item.id, "template_id": tpl.id, "type": tpl.type,
            "kind": item.kind, "title": tpl.title, "instructions": _instructions(tpl, item, fields), "points": tpl.points,
            "ref": ref, "tags": it.tags, "position": (*item.position, t_index), "explanation": explanation,
            "item_digest": digest, "importance": it.importance, "keypoint": it.keypoint, "note": it.note,
        }
        prompt = _Formatter().fill(tpl.prompt, fields)
        builder = getattr(self, f"_{tpl.type}")
        return builder(tpl, item, items, prompt, base)

    def _cloze(self, tpl, item, items, prompt, base):
        it = item.item
        target: str | None
        if isinstance(it, Fact):
            target = it.answer
        elif isinstance(it, Quote):
            target = it.cloze or self._keyword(it.text)
            if target is None:
                return None
        else:
            return None
        start = prompt.find(target)
        if start < 0:
            self.problems.add(item.file, item.line, "statement", f"template {tpl.id}: {target!r} is not in the cloze text")
            return None
        end = start + len(target)
        s2, e2 = self.segmenter.snap(prompt, start, end)
        blank = prompt[s2:e2]
        if (s2, e2) != (start, end) and len(blank.strip()) > len(target.strip()) + 2:
            word = prompt[s2:e2]
            self.problems.add(item.file, item.line, "answer", f"template {tpl.id}: cloze answer {target!r} splits the word {word!r}; add the answer to userdict.txt or rephrase")
            return None
        if blank.strip() in STOP_WORDS:
            self.problems.add(item.file, item.line, "answer", f"template {tpl.id}: cloze blank {blank!r} is a stop word; choose a key number, name or term")
            return None
        # Keep surrounding spaces outside the blank.
        while blank and blank[0].isspace():
            s2 += 1
            blank = blank[1:]
        while blank and blank[-1].isspace():
            e2 -= 1
            blank = blank[:-1]
        accept = tuple(getattr(it, "accept", ()))
        if isinstance(it, Quote) and not it.evidence:  # the back shows the whole quote: its 原文 says where it stands
            base = {**base, "ref": dataclasses.replace(base["ref"], evidence=_around(item.paragraph.text, it.text))}
        return Question(**base, prompt=prompt, answer=blank, accept=accept, cloze_text=prompt, cloze_start=s2, cloze_end=e2)

    def _keyword(self, text: str) -> str | None:
        bounds = self.segmenter.boundaries(text)
        for word in self.segmenter.keywords(text, top=10):
            pos = text.find(word)
            if pos >= 0 and pos in bounds and pos + len(word) in bounds and is_content_word(word):
                return word
        return None

    def _basic(self, tpl, item, items, prompt, base):
        it = item.item
        if isinstance(it, Fact):
            rev = (f"「{it.answer}」：{item_genre(self.content, item)}中与它有关的说法是什么？", it.statement) if it.reverse else (None, None)
            return Question(**base, prompt=prompt, answer=it.answer, accept=it.accept, reverse_prompt=rev[0], reverse_answer=rev[1])
        if isinstance(it, Term):
            rev = (_Formatter().fill("哪个概念的含义是「{definition:bare}」？", {"definition": it.definition}), it.term) if it.reverse else (None, None)
            return Question(**base, prompt=prompt, answer=it.definition, reverse_prompt=rev[0], reverse_answer=rev[1])
        return None

    def _typed(self, tpl, item, items, prompt, base):
        it = item.item
        if not isinstance(it, Fact):
            return None
        return Question(**base, prompt=prompt, answer=it.answer, accept=it.accept)

    def _distractors(self, item: BankItem, items: Sequence[BankItem], answer: str, curated: Sequence[str], pool: Iterable[str]) -> list[str]:
        taken = {_norm(answer)} | {_norm(a) for a in getattr(item.item, "accept", ())}
        out: list[str] = []
        for cand in [*curated, *stable_order(item.id, dict.fromkeys(pool))]:
            if _norm(cand) not in taken:
                taken.add(_norm(cand))
                out.append(cand)
        return out[: MCQ_OPTIONS - 1]

    def _fact_pool(self, item: BankItem, items: Sequence[BankItem]) -> list[str]:
        """Answers of the source's other facts with the same answer type (and unit, for numbers)."""
        it = item.item
        assert isinstance(it, Fact)
        if it.answer_type in ("other", "concept", "event"):
            return []  # free-text answers are only plausible as curated distractors
        key = (it.answer_type, it.unit if it.answer_type == "number" else None)
        pool = self._pools(item.source_id, items).get(key, [])
        limit = max(24, 2 * len(it.answer))
        return [a for a in pool if a != it.answer and len(a) <= limit]

    def _pools(self, source_id: str, items: Sequence[BankItem]) -> dict[tuple[str, str | None], list[str]]:
        if source_id not in self._pool_cache:
            pools: dict[tuple[str, str | None], list[str]] = {}
            for other in items:
                o = other.item
                if isinstance(o, Fact):
                    pools.setdefault((o.answer_type, o.unit if o.answer_type == "number" else None), []).append(o.answer)
            self._pool_cache[source_id] = {k: list(dict.fromkeys(v)) for k, v in pools.items()}
        return self._pool_cache[source_id]

    def _options(self, qid: str, answer: str, distractors: list[str]) -> tuple[tuple[str, ...], int]:
        options = [answer, *distractors]
        rng_for("options", qid).shuffle(options)
        return tuple(options), options.index(answer)

    def _mcq(self, tpl, item, items, prompt, base):
        it = item.item
        if isinstance(it, Fact):
            answer = it.answer
            distractors = self._distractors(item, items, answer, it.distractors, self._fact_pool(item, items))
        elif isinstance(it, Term):
            answer = it.term
            pool = [o.item.term for o in items if isinstance(o.item, Term) and o.id != item.id]
            distractors = self._distractors(item, items, answer, (), pool)
        else:
            return None
        if len(distractors) < MCQ_OPTIONS - 1:
            if isinstance(it, Fact) and it.distractors:
                self.problems.add(item.file, item.line, "distractors",
                                  f"item {item.id}: only {len(distractors) + 1} options for multiple choice, need {MCQ_OPTIONS}; add distractors")
            return None  # not enough plausible options: this item is asked in other ways
        options, correct = self._options(base["id"], answer, distractors)
        return Question(**base, prompt=prompt, answer=answer, options=options, correct=correct)

    def _tf(self, tpl, item, items, prompt, base):
        it = item.item
        if not isinstance(it, Fact):
            return None
        truth = rng_for("tf", base["id"]).random() < 0.5
        changed = None
        if truth:
            statement = it.statement
        elif it.false_statement:
            statement = it.false_statement
            if it.false_detail and it.contradicts:
                changed = (it.contradicts, it.false_detail)
        else:
            alts = [a for a in self._distractors(item, items, it.answer, it.distractors, self._fact_pool(item, items))
                    if _swap_is_false(it.statement, it.answer, a, it.accept)]
            if not alts:
                statement, truth = it.statement, True
            else:
                statement = it.statement.replace(it.answer, alts[0], 1)
                changed = (it.answer, alts[0])
        if truth:
            explanation = base["explanation"]
        elif changed:
            explanation = tidy(f"题中的「{changed[1]}」与原文的「{changed[0]}」不符。")
        else:
            explanation = tidy(f"与原文不符；正确的说法：{it.statement}")
        base = {**base, "explanation": explanation}
        return Question(**base, prompt=statement, answer=TF_OPTIONS[0] if truth else TF_OPTIONS[1],
                        options=TF_OPTIONS, correct=0 if truth else 1)

    def _who(self, tpl, item, items, prompt, base):
        source = self.content.sources[item.source_id].source
        # Everyone who speaks in the interview is a plausible answer; the narrator is not.
        if source.id not in self._speaker_cache:
            self._speaker_cache[source.id] = {p.speaker for sec in source.sections for p in sec.paragraphs}
        speaking = self._speaker_cache[source.id] | {item.speaker.id}
        names = [s.name for s in source.speakers if s.id in speaking and (not s.narrator or s.id == item.speaker.id)]
        if len(names) < 2:
            return None
        # shuffled per question, or the guest (who says most lines) would always be option A on a card
        options, correct = self._options(base["id"], item.speaker.name, [n for n in names if n != item.speaker.name][: MCQ_OPTIONS - 1])
        claim_evidence = getattr(item.item, "claim_evidence", None)
        if claim_evidence:  # the key quotes the words that state the claim, not a reason
            base = {**base, "ref": dataclasses.replace(base["ref"], evidence=claim_evidence)}
        return Question(**base, prompt=prompt, answer=item.speaker.name, options=options, correct=correct)

    def _reasons(self, tpl, item, items, prompt, base):
        it = item.item
        if not isinstance(it, Argument):
            return None
        steps = (*it.reasons, it.conclusion)
        answer = tidy("；".join(f"（{i}）{r.rstrip('。；; ')}" for i, r in enumerate(it.reasons, 1)) + f"。结论：{it.conclusion}")
        return Question(**base, prompt=prompt, answer=answer, steps=steps)

    def _order(self, tpl, item, items, prompt, base):
        it = item.item
        if not isinstance(it, Argument) or len(it.chain) < 3:
            return None
        chain = list(it.chain)
        options = list(chain)
        rng = rng_for("order", base["id"])
        while options == chain:
            rng.shuffle(options)
        order = tuple(options.index(step) for step in chain)
        answer = " → ".join(letter_label(i) for i in order)
        return Question(**base, prompt=prompt, answer=answer, options=tuple(options), steps=tuple(chain), order=order)

    # --- helpers ------------------------------------------------------------------------------

    def _shared(self, item: BankItem) -> tuple[SourceRef, str, str, dict[str, Any]]:
        """Per item, computed once for all its templates: SourceRef, default explanation, digest, prompt fields."""
        key = (item.source_id, item.id)
        if key not in self._shared_cache:
            self._shared_cache.clear()  # items arrive in order: only the current one is needed
            digest = hashlib.sha256(item.item.model_dump_json().encode()).hexdigest()[:16]
            genre = item_genre(self.content, item)
            self._shared_cache[key] = (self._ref(item), self._explain(item), digest, _prompt_fields(item, genre))
        return self._shared_cache[key]

    def _ref(self, item: BankItem) -> SourceRef:
        source = self.content.sources[item.source_id].source
        index = [s.id for s in source.sections].index(item.section.id)
        return SourceRef(source_id=source.id, source_title=source.title, source_outlet=source.outlet, source_date=source.date,
                         section_id=item.section.id, section_title=item.section.title,
                         section_index=index, paragraph_id=item.paragraph.id, speaker_id=item.speaker.id,
                         speaker_name=item.speaker.name, evidence=item.evidence, genre=source.genre,
                         part_title=item.section.part_title(item.paragraph.id), deck_title=item.section.deck_title)

    @staticmethod
    def _explain(item: BankItem) -> str:
        """The key's explanation: the item's own, else a fact's comparison; never a repeat of the question or answer
        (the key already shows the answer and the evidence)."""
        it = item.item
        if it.explanation:
            return tidy(it.explanation)
        if isinstance(it, Fact) and it.comparison:
            return tidy(join_cjk(["对比：", it.comparison]))
        return ""


# --- selection --------------------------------------------------------------------------------


def item_genre(content: Content, item: BankItem) -> str:
    """The word for the item's source: 访谈, 演讲, 对话 or 文章."""
    return content.sources[item.source_id].source.genre


def _describe(filters: Filters) -> str:
    parts = [f"{name}={','.join(vals)}" for name, vals in
             (("section", filters.sections), ("tag", filters.tags), ("type", filters.types), ("template", filters.templates),
              ("speaker", filters.speakers), ("importance", filters.importance)) if vals]
    return " ".join(parts) or "no filters"


def select(questions: Sequence[Question], filters: Filters, *, seed: int, guard: LeakGuard | None = None,
           leaks: list[Leak] | None = None) -> list[Question]:
    """Filter, then pick `count` questions by a per-question seeded key; the result is in interview order.

    A drawn set (`count`) leaves out each question the leak guard refuses and draws another; a set that keeps every
    matching question keeps them all. Either way each refusal is appended to `leaks` (`Leak.kept` when both stay).
    """
    guard = guard or LeakGuard()
    found: list[Leak] = [] if leaks is None else leaks
    pool = [
        q for q in questions
        if (not filters.sections or q.ref.section_id in filters.sections)
        and (not filters.tags or set(filters.tags) & set(q.tags))
        and (not filters.types or q.type in filters.types)
        and (not filters.templates or q.template_id in filters.templates)
        and (not filters.speakers or q.ref.speaker_id in filters.speakers)
        and (not filters.importance or q.importance in filters.importance)
    ]
    if not pool:
        raise SelectionError(Problem("selection", None, "filters", f"no question matches ({_describe(filters)}); widen the filters"))
    if filters.pick == "preferred":
        # Per item, its questions in the order of `types` (then template order): a study deck gets each item's best
        # card, and editing one item changes exactly that item's notes.
        rank = {t: i for i, t in enumerate(filters.types)}
        pool = sorted(pool, key=lambda q: (q.source_id, q.item_id, rank.get(q.type, len(rank)), q.position))
        per_item = filters.per_item or 1
        if filters.count == 0:
            # a study deck: an item whose best card would give another card away (or be given away) is asked in its
            # next type that does not, and is kept as it is only when none fits
            return _keep_preferred(pool, per_item, guard, found)
        taken: dict[tuple[str, str], int] = {}
        preferred = []
        for q in pool:
            key = (q.source_id, q.item_id)
            if taken.get(key, 0) < per_item:
                taken[key] = taken.get(key, 0) + 1
                preferred.append(q)
        pool = preferred
    if filters.count == 0 and filters.per_item == 0:
        chosen = _keep_all(pool, guard, found)
    else:
        # Each question draws its own key from its own stream: adding an item never reshuffles the others.
        ranked = sorted(pool, key=lambda q: (rng_for(seed, q.id).random(), q.id))
        per: dict[tuple[str, str], int] = {}
        chosen = []
        given_away = 0
        balance = _TrueFalseBalance()
        for q in ranked:
            key = (q.source_id, q.item_id)
            if filters.per_item and per.get(key, 0) >= filters.per_item:
                continue
            if filters.count and not balance.admits(q):
                continue
            if filters.count:
                leak = guard.check(q)  # its text answers a chosen question, a chosen one's answers it, or the page does
                if leak is not None:
                    found.append(leak)
                    given_away += 1
                    continue
            per[key] = per.get(key, 0) + 1
            chosen.append(q)
            guard.add(q)
            balance.add(q)
            if filters.count and len(chosen) == filters.count:
                break
        if filters.count and len(chosen) < filters.count:
            limit = f", at most {filters.per_item} per item" if filters.per_item else ""
            left = f"; {given_away} left out because another question's text gives their answer away" if given_away else ""
            left += f"; {balance.refused} true/false left out to keep 正确 and 错误 balanced" if balance.refused else ""
            raise SelectionError(Problem("selection", None, "count",
                                         f"asked for {filters.count} questions but only {len(chosen)} match ({_describe(filters)}{limit}{left}); lower --count or widen the filters"))
        if not filters.count:
            chosen = _keep_all(chosen, guard, found)
    return sorted(chosen, key=lambda q: (q.source_id, q.position, q.id))


TF_BALANCE = (0.4, 0.6)
"""In a drawn set with at least TF_BALANCE_MIN true/false questions, each key's share lies in this range."""
TF_BALANCE_MIN = 5


class _TrueFalseBalance:
    """Admits a true/false question only while neither key exceeds 60% of them (from the fifth on): with every true
    statement drawn, a section of 正确 could be scored without reading."""

    def __init__(self) -> None:
        self.keys: Counter[int] = Counter()
        self.refused = 0

    def admits(self, q: Question) -> bool:
        if q.type != "tf" or q.correct is None:
            return True
        n = self.keys.total() + 1
        cap = max(TF_BALANCE_MIN * TF_BALANCE[1], n * TF_BALANCE[1])
        if self.keys[q.correct] + 1 > int(cap + 1e-9):
            self.refused += 1
            return False
        return True

    def add(self, q: Question) -> None:
        if q.type == "tf" and q.correct is not None:
            self.keys[q.correct] += 1


def tf_balance(questions: Iterable[Question]) -> tuple[int, int]:
    """(true, false) keys among the true/false questions."""
    keys = Counter(q.correct for q in questions if q.type == "tf")
    return keys[0], keys[1]


def tf_balanced(questions: Iterable[Question]) -> bool:
    """Whether true and false keys each make 40–60% of the true/false questions (always, below five)."""
    t, f = tf_balance(questions)
    return t + f < TF_BALANCE_MIN or TF_BALANCE[0] <= t / (t + f) <= TF_BALANCE[1]


DECK_CONTEXT = 3
"""In a set that keeps every question, two questions give each other away only when their texts also share this many
content words."""


def _keep_all(pool: Sequence[Question], guard: LeakGuard, found: list[Leak]) -> list[Question]:
    """Every question stays (a set of every question of every type); each whose answer a page text or another
    question's text prints is reported as kept (a pair is reported once: on the question it gives away).

    Questions are compared within their source: each source is its own sub-deck tree and its own part of the report,
    and a bank of many sources is compared in time linear in their number (100 sources of 684 questions: 100 times
    one source, not 68,400 squared)."""
    # a deck holds both notes of a sentence; two cards give each other away only where they speak of the same thing
    by_source: dict[str, list[Question]] = {}
    for q in pool:
        by_source.setdefault(q.source_id, []).append(q)
    for source_id in sorted(by_source):
        page = [p for p in guard.page if p.source_id in (None, source_id)]
        keep = dataclasses.replace(guard, page=page, same_sentence=False, context=DECK_CONTEXT, _chosen=[], _answers={}, _texts={},
                                   _cuts={}, _pages=None)
        ordered = sorted(by_source[source_id], key=lambda q: (q.position, q.id))
        keep.index(ordered)
        for q in ordered:
            keep.add(q)
        for q in ordered:
            leak = keep.answered(q)
            if leak is not None:
                found.append(dataclasses.replace(leak, kept=True))
    return list(pool)


DECK_PRIORITY = {"core": 0, "detail": 1, "aside": 2}
"""Which of two cards that give each other away a study deck keeps: the more important item's (then an argument's,
then the earlier one's)."""
_KIND_PRIORITY = {"argument": 0, "fact": 1, "term": 2, "quote": 3}


def _keep_preferred(pool: Sequence[Question], per_item: int, guard: LeakGuard, found: list[Leak]) -> list[Question]:
    """A study deck: every item's best `per_item` questions (`pool` is in the order of the recipe's `types`), unless
    one would print the answer of a card already taken, or its answer is printed by one (or by the deck's name).

    Items are taken core first, arguments before facts before terms before quotes, then in interview order. A question
    that gives away, or is given away, gives way to the item's next one that does not; when none is left the item is
    left out: the card that prints its answer (or whose answer it prints) teaches the same point. Each question that
    gave way is appended to `found` (left out, not kept). A question the recipe's title, header or deck name gives
    away stays, reported as kept: `check` refuses the recipe until it is reworded."""
    keep = dataclasses.replace(guard, same_sentence=False, context=DECK_CONTEXT, _chosen=[], _index=None)
    keep.index(pool)
    by_item: dict[tuple[str, str], list[Question]] = {}
    for q in pool:
        by_item.setdefault((q.source_id, q.item_id), []).append(q)

    def priority(key: tuple[str, str]) -> tuple[object, ...]:
        first = by_item[key][0]
        return (DECK_PRIORITY.get(first.importance, 3), _KIND_PRIORITY.get(first.kind, 4), key[0],
                min(q.position for q in by_item[key]), key[1])

    taken: list[Question] = []
    for key in sorted(by_item, key=priority):
        picked: list[Question] = []
        gave_way: list[Leak] = []
        for q in by_item[key]:
            if len(picked) == per_item:
                break
            leak = keep.answered(q) or keep.prints_answer(q)
            if leak is not None and leak.page and not leak.by.startswith("sub-deck"):
                found.append(dataclasses.replace(leak, kept=True))  # the recipe's title or header: the recipe's to fix
                picked.append(q)
            elif leak is None:
                picked.append(q)
            elif len(gave_way) < per_item:
                gave_way.append(leak)
        if picked:
            found += [dataclasses.replace(x, why=f"{x.why}; asked as {picked[0].template_id} instead") for x in gave_way]
        else:
            found += [dataclasses.replace(x, covered=not x.page, why=f"{x.why}; the item is left out of the deck"
                                          + ("" if x.page else ", that card teaches it")) for x in gave_way]
        for q in picked:
            keep.add(q)
        taken += picked
    return sorted(taken, key=lambda q: (q.source_id, q.position, q.id))


def page_texts(content: Content, recipe: Recipe) -> list[PageText]:
    """What a recipe prints around its questions: the quiz title and header, the deck name and sub-deck names."""
    pages = [PageText("title", recipe.title)]
    if "quiz" in recipe.formats:
        pages.append(PageText("quiz header", "；".join(header_lines(content, recipe))))
    if "anki" in recipe.formats:
        deck = recipe.deck_name or recipe.title
        pages.append(PageText("deck name", deck))
        for sid in recipe.sources:
            for index, sec in enumerate(content.sources[sid].source.sections):
                name = sec.deck_title or sec.title
                pages.append(PageText(f"sub-deck 「{index:02d} {name}」", name, sec.id, sid))
    return pages


def header_lines(content: Content, recipe: Recipe) -> tuple[str, ...]:
    """The quiz header's source line per source: its title (or, with `header = "short_title"`, its short title),
    outlet and date."""
    lines = []
    for sid in recipe.sources:
        source = content.sources[sid].source
        name = (source.short_title or source.title) if recipe.header == "short_title" else source.title
        extra = [v for v in (source.outlet, chinese_date(source.date)) if v]
        lines.append(name + (f"（{'，'.join(extra)}）" if extra else ""))
    return tuple(lines)


def build_set(content: Content, templates: dict[str, QuestionTemplate], recipe: Recipe, *,
              segmenter: Segmenter | None = None, questions: Sequence[Question] | None = None,
              leaks: list[Leak] | None = None) -> QuestionSet:
    """Generate (unless `questions` are given) and select the questions a recipe asks for.

    Pure: selection problems name the recipe's fields, not a file (the caller knows where the recipe came from).
    """
    if questions is None:
        gen = Generator(content, templates, segmenter=segmenter)
        questions = gen.questions(recipe.sources)
        gen.problems.raise_if_any()
    else:
        questions = [q for q in questions if q.source_id in recipe.sources]
    filters = recipe.filters
    if segmenter is None:
        segmenter = Segmenter([s.userdict for s in content.sources.values() if s.userdict])
    guard = LeakGuard(cut=segmenter.cut, page=page_texts(content, recipe))
    found: list[Leak] = [] if leaks is None else leaks
    chosen = select(questions, filters, seed=recipe.seed, guard=guard, leaks=found)
    left_out = {x.question for x in found if x.covered}
    covered = frozenset(f"{q.source_id}/{q.item_id}" for q in questions if q.id in left_out)
    # model_construct: the questions were just built from validated content; re-validating 100,000 of them costs seconds
    return QuestionSet.model_construct(title=recipe.title, header=header_lines(content, recipe), output=recipe.output, deck_name=recipe.deck_name or recipe.title,
                                       deck_id=recipe.deck_id or stable_id(recipe.output), seed=recipe.seed, versions=recipe.versions,
                                       sources=recipe.sources, filters=filters, questions=tuple(chosen),
                                       covered=covered, bank={k: v for sid in recipe.sources if sid in content.sources
                                             for k, v in content.sources[sid].bank_status().items()})
