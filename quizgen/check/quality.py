"""Quality rules that `quizgen check` enforces on the bank and on every question it can make.

Each rule has an id (shown as `[rule-id]` in its problem, counted by `check --quality-report`) and a one-line
rationale in RULES. Question rules look at generated questions (the options after automatic distractors are added,
the statement a true/false question prints); item rules look at the bank item. An item waives a rule knowingly
with `waive: {rule-id: "why"}`; a waiver without a reason, for an unknown rule, or for a rule that does not fire
on that item is itself a problem.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from quizgen.errors import Problem, SelectionError
from quizgen.generate.leaks import Leak
from quizgen.generate.questions import LIST_PAIR, NAME_TYPES, build_set, tf_balance, tf_balanced
from quizgen.load.content import BankItem, Content
from quizgen.models import Argument, Fact, Question, QuestionSet, QuestionTemplate, Quote, Recipe, Term
from quizgen.text.answers import answer_forms, contains_answer, needs_normalising, normalize_answer, normalize_figures
from quizgen.text.segment import STOP_WORDS, Segmenter, is_content_word, number_spans

RULES: dict[str, str] = {
    "mcq-key-length": "the key is not the only option much longer or shorter than the rest: length must not give it away",
    "mcq-key-punct": "the key is not the only option with (or without) 、，；: a list or a clause must not give it away",
    "mcq-key-shape": "the options share the key's shape (a figure or date against figures or dates, Latin against Latin, Chinese against Chinese, a name against names)",
    "mcq-unit": "figures in one question carry the same unit, so the unit does not give the key away",
    "distractor-accepted": "no distractor is an accepted answer (compared after normalising width, case, spaces and dots): every wrong option is wrong",
    "distractor-in-statement": "no distractor appears in the statement or the stem: the text would make it true, or the stem names it",
    "prompt-contains-answer": "the stem does not contain its own answer",
    "term-self-naming": "a term's definition (its prompt in the other direction) does not contain the term or a telling part of it",
    "tf-true-verbatim": "a true statement paraphrases the evidence: a copied sentence tests recognition of wording only",
    "tf-false-polarity": "a false statement adds no negative or belittling word (只能/做不到/很难/不会…) its true statement lacks: the tone must not give it away",
    "tf-false-uncontradicted": "a false statement changes a detail the evidence contradicts outright (the item names both), not one merely unsupported",
    "order-ordinal-labels": "ordering steps carry no ordinal words (一是/首先/最后/第一…) that give the order away",
    "reasons-restate-claim": "a reason says why, it does not restate the claim",
    "explanation-echo": "an explanation adds something beyond the question, its answer and the evidence the key shows, or is left out",
    "cloze-stop-word": "a cloze gap holds a word that carries the idea, not a function word or a lone common character",
    "cloze-context": "the sentence around a gap says what is asked: enough context, not one member of a list",
    "cloze-answer-shown": "the sentence around a cloze gap does not print the answer in another form (an accepted spelling, a Latin alias in brackets)",
    "cloze-list": "a cloze gap holds one idea, not a whole list or an 「A 和 B」 pair whose members, order and wording are free",
    "answer-form": "answers, accepted spellings and options use «·» in names and half-width letters and digits, as learners type them",
    "core-narrator": "core items test what the speakers say, not the write-up's own voice",
    "keypoint-paragraph": "a core item cites one of the paragraphs its key point rests on",
    "keypoint-uncovered": "every key point of the source is tested by at least one core item",
    "set-leak": "no question of a set prints another's answer, and no title, header or deck name prints one (counted per recipe; drawn sets leave them out)",
    "waiver-unused": "a waiver names a known rule that fires on the item: stale waivers hide nothing and mislead",
    "waiver-no-reason": "a waiver says why the rule does not apply",
}
"""Rule id -> one-line rationale (also the table in docs/how-to/write-good-items.md and the generated reference)."""

_UNWAIVABLE = {"keypoint-uncovered", "waiver-unused", "waiver-no-reason", "set-leak"}
NEGATIVES = re.compile(r"只能|只会|只是|做不到|很难|难以|不会|不能|无法|不再|并不|并非|没有|不必|不需要|不用|不够|毫无|不可能|不值得|淘汰")
"""Words whose addition makes a false statement read as the belittling one (ITEM-WRITING: true and false that need reading)."""
SHORT_KEY_RATIO = 3.0
"""A key at least this many times as wide as every other option (or half as wide) stands out, however short."""

ORDINALS = re.compile(
    r"^\s*(?:[一二三四五六七八九十]是|首先|其次|再次|然后|接着|最后|最终|其[一二三四五]|第[一二三四五六七八九十\d]+"
    r"|[（(]?[一二三四五六七八九十\d]+[）)、.．])"
)
LIST_MARKS = "、，,；;"
_ATTRIBUTION = re.compile(r"^.{0,24}?(?:说|认为|表示|指出|提到|强调|问道|问|称|解释|回忆|相信|估计|预计|坦言)(?:道)?[，,：:]")
VERBATIM_RUN = 0.5
"""A true statement sharing a verbatim run of at least this share of its length with the paragraph is a copy."""
VERBATIM_BIGRAMS = 0.8
"""... and so is one whose character bigrams are at least this share the paragraph's (its words with a few swapped)."""
_NUMERAL = "0-9０-９.．一二两三四五六七八九十百千万亿半几"
_CJK_OR_WORD = re.compile(r"[\w\u4e00-\u9fff]")


def _chars(text: str) -> int:
    """Letters, digits and Chinese characters (no spaces or punctuation)."""
    return len(_CJK_OR_WORD.findall(text))


def _width(text: str) -> float:
    """How long an option looks: a Chinese character counts 1, a Latin letter or digit 1/2."""
    return sum(1 if "\u4e00" <= c <= "\u9fff" else 0.5 for c in _CJK_OR_WORD.findall(text))


@functools.lru_cache(maxsize=16384)  # the same paragraphs and prompts are compared with many questions
def _bigrams(text: str) -> frozenset[str]:
    s = "".join(_CJK_OR_WORD.findall(normalize_answer(text)))
    return frozenset(s[i:i + 2] for i in range(len(s) - 1))


def _coverage(text: str, by: str) -> float:
    """Share of `text`'s character bigrams that also occur in `by` (1.0 = nothing new)."""
    grams = _bigrams(text)
    return len(grams & _bigrams(by)) / len(grams) if grams else 1.0


def _unit(option: str) -> str:
    """What follows the last numeral of a figure: «10 万倍» -> 倍, «19 天» -> 天, «四万多套» -> 套.

    Approximate words (多, 余, 来, 几, 左右, 上下, 约) are not part of the unit: «四十多万套左右» -> 套.
    """
    plain = re.sub(r"\s+", "", option)
    plain = re.sub(r"^(?:大约|约)|(?:左右|上下)$", "", plain)
    plain = re.sub(f"(?<=[{_NUMERAL}])[多余来]", "", plain)
    m = re.search(f"[{_NUMERAL}]([^{_NUMERAL}]*)$", plain)
    return m.group(1) if m else plain


@dataclass(frozen=True)
class Hit:
    item: BankItem
    rule: str
    field: str
    message: str


@dataclass
class QualityResult:
    problems: list[Problem] = field(default_factory=list)
    fired: Counter[str] = field(default_factory=Counter)
    """Rule id -> firings not waived (per question for question rules, per item for item rules)."""
    waived: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    """Information for the curator that is not a problem (e.g. items without an explicit importance)."""
    questions: int = 0
    items: int = 0
    question_types: dict[str, int] = field(default_factory=dict)
    """Questions per type, to turn counts into rates."""
    sets: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per recipe (and `generate` over GENERATE_SEEDS seeds): blocked pairs, give-aways kept, true/false keys."""

    def report(self, fmt: str) -> str:
        """Each rule's count as JSON (`json`) or CSV (`csv`)."""
        rows = [(rule, self.fired.get(rule, 0), self.waived.get(rule, 0)) for rule in RULES]
        if fmt == "csv":
            lines = ["rule,fired,waived", *(f"{r},{f},{w}" for r, f, w in rows), f"questions,{self.questions},", f"items,{self.items},",
                     *(f"questions:{t},{n}," for t, n in sorted(self.question_types.items())),
                     *(f"set:{name}:{k},{v}," for name, figures in self.sets.items() for k, v in figures.items())]
            return "\n".join(lines) + "\n"
        data = {"questions": self.questions, "items": self.items, "question_types": dict(sorted(self.question_types.items())),
                "rules": {r: {"fired": f, "waived": w} for r, f, w in rows}, "sets": self.sets}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


GENERATE_SEEDS = 20
"""The leak report draws `generate`'s default set (20 core questions, one per item) with this many seeds."""


def leak_figures(questions: Sequence[Question], leaks: Sequence[Leak]) -> dict[str, int]:
    """What the report shows of one set: pairs blocked, give-aways kept (page ones apart), true/false keys."""
    t, f = tf_balance(questions)
    return {"questions": len(questions), "blocked": sum(not x.kept for x in leaks), "kept": sum(x.kept and not x.page for x in leaks),
            "kept_page": sum(x.kept and x.page for x in leaks), "tf_true": t, "tf_false": f, "tf_unbalanced": int(not tf_balanced(questions))}


def add_leak_report(result: QualityResult, content: Content, templates: dict[str, QuestionTemplate], questions: Sequence[Question],
                    sets: dict[str, tuple[QuestionSet, Sequence[Leak]]], *, segmenter: Segmenter, draws: bool = True) -> None:
    """Per recipe, and (`draws`) for GENERATE_SEEDS seeds of `generate`'s default draw: blocked pairs and true/false
    balance; an unbalanced set is a note. The draws only fill the report's figures: a build that writes no report skips
    them (20 selections over the whole bank)."""
    for where, (qset, found) in sets.items():
        result.sets[where] = leak_figures(qset.questions, found)
        if not tf_balanced(qset.questions):  # a drawn set is balanced by `select`; a set of every question is not drawn
            t, f = tf_balance(qset.questions)
            result.notes.append(f"{where}: {t} of the set's {t + f} true/false questions are 正确 (outside 40–60%); "
                                "give the recipe a count, so that the draw balances them")
    if not draws:
        return
    core = any(it.item.importance == "core" for it in content.items())
    total: Counter[str] = Counter({"sets": 0, "failed": 0})
    for seed in range(GENERATE_SEEDS):
        recipe = Recipe(title="练习", output="leak-report", sources=tuple(content.sources), seed=seed, count=20, per_item=1,
                        importance=("core",) if core else ())
        leaks: list[Leak] = []
        try:
            qset = build_set(content, templates, recipe, segmenter=segmenter, questions=questions, leaks=leaks)
        except SelectionError:  # a bank too small for 20 questions
            total["failed"] += 1
            continue
        figures = leak_figures(qset.questions, leaks)
        total.update({k: v for k, v in figures.items() if k != "questions"})
        total["sets"] += 1
    result.sets[f"generate --count 20 (seeds 0-{GENERATE_SEEDS - 1})"] = dict(total)


def check_quality(content: Content, questions: Sequence[Question], *, segmenter: Segmenter | None = None) -> QualityResult:
    """Run every rule over the bank and the questions; collect problems, counts and notes."""
    result = QualityResult(questions=len(questions), items=len(content.items()), question_types=dict(Counter(q.type for q in questions)))
    by_item: dict[tuple[str, str], BankItem] = {(it.source_id, it.id): it for it in content.items()}
    hits: list[Hit] = []
    for it in content.items():
        hits.extend(_item_rules(it, content))
    for q in questions:
        item = by_item.get((q.source_id, q.item_id))
        if item is not None:
            hits.extend(_question_rules(q, item, segmenter))
    _apply(hits, content, result)
    _keypoints(content, result)
    _polarity(content, result)
    _importance_note(content, result)
    return result


POLARITY_SHARE = 0.25
"""A bank is flagged when more than this share of its false statements add a negative word (and at least POLARITY_MIN)."""
POLARITY_MIN = 4


def added_negatives(item: Fact) -> list[str]:
    """Negative words the false statement has and the true one lacks."""
    return sorted(set(NEGATIVES.findall(item.false_statement or "")) - set(NEGATIVES.findall(item.statement)))


def _polarity(content: Content, result: QualityResult) -> None:
    """tf-false-polarity: a bank whose false statements tend to be the negative ones can be scored without reading."""
    for loaded in content.sources.values():
        falses = [it for it in loaded.items if isinstance(it.item, Fact) and it.item.false_statement and it.item.importance != "aside"]
        telling = [it for it in falses if isinstance(it.item, Fact) and added_negatives(it.item) and "tf-false-polarity" not in it.item.waive]
        result.sets.setdefault("bank", {})[f"{loaded.source.id}:false_statements_adding_negatives"] = len(telling)
        if falses and len(telling) >= POLARITY_MIN and len(telling) > POLARITY_SHARE * len(falses):
            first = telling[0]
            result.fired["tf-false-polarity"] += 1
            names = ", ".join(it.id for it in telling[:8]) + (" …" if len(telling) > 8 else "")
            result.problems.append(Problem(first.file, first.line_of("false_statement"), "false_statement",
                                           f"[tf-false-polarity] {len(telling)} of the source's {len(falses)} false statements add 只能/不会/很难…, "
                                           f"which their true ones lack ({names}): change a figure, a name or a claim instead"))


def _apply(hits: list[Hit], content: Content, result: QualityResult) -> None:
    """Count hits, turn unwaived ones into problems (one per item, rule and field), check the waivers."""
    fired_on: dict[tuple[str, str], set[str]] = {}
    reported: set[tuple[str, str, str, str]] = set()
    for h in hits:
        fired_on.setdefault((h.item.source_id, h.item.id), set()).add(h.rule)
        if h.rule in h.item.item.waive:
            result.waived[h.rule] += 1
            continue
        result.fired[h.rule] += 1
        key = (h.item.source_id, h.item.id, h.rule, h.field)
        if key not in reported:
            reported.add(key)
            result.problems.append(Problem(h.item.file, h.item.line_of(h.field), h.field, f"[{h.rule}] item {h.item.id}: {h.message}"))
    for it in content.items():
        fired = fired_on.get((it.source_id, it.id), set())
        for rule, reason in it.item.waive.items():
            line = it.line_of("waive")
            if rule not in RULES or rule in _UNWAIVABLE:
                result.fired["waiver-unused"] += 1
                result.problems.append(Problem(it.file, line, "waive", f"[waiver-unused] item {it.id}: {rule!r} is not a waivable rule; use one of the ids in docs/reference/quality-rules (quizgen check --quality-report lists them)"))
            elif rule not in fired:
                result.fired["waiver-unused"] += 1
                result.problems.append(Problem(it.file, line, "waive", f"[waiver-unused] item {it.id}: rule {rule} does not fire on this item; remove the waiver"))
            if not str(reason).strip():
                result.fired["waiver-no-reason"] += 1
                result.problems.append(Problem(it.file, line, "waive", f"[waiver-no-reason] item {it.id}: say why {rule} does not apply"))


# --- item rules -------------------------------------------------------------------------------


def _item_rules(it: BankItem, content: Content) -> Iterator[Hit]:
    item = it.item
    for fld, values in _answer_fields(item):
        for value in values:
            what = needs_normalising(value)
            if what:
                yield Hit(it, "answer-form", fld, f"{value!r} has {what}; write names with «·» and letters and digits half-width")
                break
    if isinstance(item, Fact):
        yield from _fact_rules(it, item)
    if isinstance(item, Argument):
        for reason in item.reasons:
            if _coverage(reason, item.claim) >= 0.8:
                yield Hit(it, "reasons-restate-claim", "reasons", f"the reason {reason!r} restates the claim; give the speaker's why, or drop it")
    if item.importance == "core":
        if it.speaker.narrator:
            yield Hit(it, "core-narrator", "importance", f"cites the write-up's own voice ({it.speaker.name}); mark it aside, or cite the speaker's paragraph")
        kps = {kp.keypoint.id: kp.keypoint for kp in content.sources[it.source_id].keypoints}
        kp = kps.get(item.keypoint or "")
        if kp is not None and item.paragraph not in kp.paragraphs:
            yield Hit(it, "keypoint-paragraph", "keypoint", f"paragraph {item.paragraph} is not one of key point {kp.id}'s ({', '.join(kp.paragraphs)}); "
                                                           "choose the right key point or add the paragraph to it")


def _answer_fields(item: object) -> Iterator[tuple[str, Sequence[str]]]:
    if isinstance(item, Fact):
        yield "answer", (item.answer,)
        yield "accept", item.accept
        yield "distractors", item.distractors
    elif isinstance(item, Term):
        yield "term", (item.term,)


def _fact_rules(it: BankItem, item: Fact) -> Iterator[Hit]:
    accepted = [item.answer, *item.accept]
    for d in item.distractors:
        nd = normalize_answer(d)
        for a in accepted:
            na = normalize_answer(a)
            if nd == na:
                yield Hit(it, "distractor-accepted", "distractors", f"the distractor {d!r} is the accepted answer {a!r}; choose one the text clearly rules out")
                break
    if item.false_statement is not None:
        problem = _false_problem(item, it.evidence)
        if problem:
            yield Hit(it, "tf-false-uncontradicted", "false_statement", problem)


def _false_problem(item: Fact, evidence: str) -> str | None:
    fs = item.false_statement or ""
    if normalize_answer(fs) == normalize_answer(item.statement):
        return "the false statement equals the true one; change one detail the evidence contradicts"
    if not item.false_detail or not item.contradicts:
        return ("name the change: `false_detail` (the changed words, verbatim in false_statement) and `contradicts` "
                "(the words of the evidence that rule it out)")
    if item.false_detail not in fs:
        return f"false_detail {item.false_detail!r} is not in the false statement; copy the changed words from it"
    if item.contradicts not in evidence:
        return f"contradicts {item.contradicts!r} is not in the evidence; copy the words that rule the change out from it"
    if normalize_answer(item.false_detail) in normalize_answer(evidence):
        return f"the evidence itself says {item.false_detail!r}: the change is not contradicted"
    return None


# --- question rules ---------------------------------------------------------------------------


def _question_rules(q: Question, it: BankItem, segmenter: Segmenter | None) -> Iterator[Hit]:
    item = it.item
    if q.type == "mcq":
        yield from _mcq_rules(q, it)
    if q.type in ("basic", "mcq", "typed") and isinstance(item, Fact):
        na = normalize_answer(q.answer)
        if len(na) >= 2 and na in normalize_answer(q.prompt):
            yield Hit(it, "prompt-contains-answer", "question", f"the question contains its answer {q.answer!r}; reword the stem")
    if isinstance(item, Term) and q.type in ("basic", "mcq"):
        part = _telling_part(item.term, item.definition, segmenter)
        if part:
            yield Hit(it, "term-self-naming", "definition", f"the definition contains {part!r} from the term {item.term!r}; define it without naming it")
    if q.type == "tf" and isinstance(item, Fact):
        yield from _tf_rules(q, it, item)
    if q.type == "order":
        for step in q.steps:
            if ORDINALS.match(step):
                fld = "steps" if isinstance(item, Argument) and item.steps else "reasons" if step in getattr(item, "reasons", ()) else "conclusion"
                yield Hit(it, "order-ordinal-labels", fld, f"the step {step!r} starts with an ordinal word that gives the order away; drop it")
                break
    if q.type == "cloze":
        yield from _cloze_rules(q, it)
    # (a false statement's key says what was changed, from the statement and the evidence: that is its job)
    if q.explanation and _chars(q.explanation) >= 4 and not (q.type == "tf" and q.correct == 1):
        shown = " ".join([q.prompt, q.answer, *q.options, *q.steps, q.ref.evidence])
        if _coverage(q.explanation, shown) >= 0.8:
            fld = "explanation" if getattr(item, "explanation", None) else "comparison"
            yield Hit(it, "explanation-echo", fld, f"the explanation of {q.template_id} repeats the question, answer or evidence; say what it adds (the comparison, the trap) or leave it out")


def _mcq_rules(q: Question, it: BankItem) -> Iterator[Hit]:
    if q.correct is None or len(q.options) < 2:
        return
    item = it.item
    fld = "distractors" if isinstance(item, Fact) else "term"
    key = q.options[q.correct]
    others = [o for i, o in enumerate(q.options) if i != q.correct]
    k, lens = _width(key), [_width(o) for o in others]
    if k > max(lens) and (k >= 1.5 * max(lens) and k - max(lens) >= 3 or k >= SHORT_KEY_RATIO * max(lens)):
        yield Hit(it, "mcq-key-length", fld, f"in {q.template_id} the key {key!r} is much longer than every other option; make the distractors as specific")
    elif k < min(lens) and (k * 1.5 <= min(lens) and min(lens) - k >= 3 or k * SHORT_KEY_RATIO <= min(lens)):
        yield Hit(it, "mcq-key-length", fld, f"in {q.template_id} the key {key!r} is much shorter than every other option; make the distractors as short")
    marked = [any(m in o for m in LIST_MARKS) for o in q.options]
    if marked.count(True) == 1 and marked[q.correct] or marked.count(False) == 1 and not marked[q.correct]:
        has = "the only option with" if marked[q.correct] else "the only option without"
        yield Hit(it, "mcq-key-punct", fld, f"in {q.template_id} the key {key!r} is {has} 、，；; give the options the same form")
    shape = _shape(key)
    if all(_shape(o) != shape for o in others):  # the only figure, the only Latin word: it stands out
        yield Hit(it, "mcq-key-shape", fld, f"in {q.template_id} the key {key!r} is the only option that is {shape}; give every option the key's form")
    if isinstance(item, Fact) and item.answer_type in NAME_TYPES and _is_name(key):
        phrases = sorted(o for o in others if not _is_name(o))
        if phrases:  # 「英伟达」 against 「一家做游戏显卡的公司」: the name stands out without reading
            yield Hit(it, "mcq-key-shape", fld, f"in {q.template_id} the key {key!r} is a name but {phrases!r} are not; give every option a name of the same kind")
    if isinstance(item, Fact) and item.answer_type == "number":
        unit = _unit(key)
        odd = [o for o in others if _unit(o) != unit]
        if odd:
            yield Hit(it, "mcq-unit", fld, f"in {q.template_id} the options {odd!r} do not carry the key's unit {unit!r}")
    accepted = {normalize_figures(a) for a in (q.answer, *q.accept)}
    stem = normalize_figures(q.prompt + "\n" + (getattr(item, "statement", "") or ""))
    for a in sorted(accepted, key=len, reverse=True):
        stem = stem.replace(a, "\n") if a else stem  # the answer's own words are not a distractor's
    for o in others:
        no = normalize_figures(o)
        if no in accepted:
            yield Hit(it, "distractor-accepted", fld, f"in {q.template_id} the option {o!r} is an accepted answer; choose one the text rules out")
        elif len(no) >= 2 and contains_answer(stem, no):
            yield Hit(it, "distractor-in-statement", fld, f"in {q.template_id} the option {o!r} appears in the stem or the statement; choose another")


_FIGURE = re.compile(r"\d|^[一二两三四五六七八九十几半]")
_LATIN = re.compile(r"[A-Za-z]")


_NAME_JOINS = re.compile(r"\s*(?:、|和|与|及|以及|,)\s*")
_NOT_NAME = re.compile(r"[的是了把被让，。；：！？;:!?]")
NAME_WIDTH = 16
"""A name (or one of a list of names) is at most this many characters; longer is a description."""


def _is_name(option: str) -> bool:
    """Whether an option reads as a name or a short list of names (Andy Jassy; 伊隆·马斯克; CUDA、cuDNN 和 RAPIDS), not
    a phrase that describes one (一家做游戏显卡的公司)."""
    parts = [p for p in _NAME_JOINS.split(option.strip()) if p]
    return bool(parts) and all(len(p) <= NAME_WIDTH and not _NOT_NAME.search(p) for p in parts)


def _shape(option: str) -> str:
    """What kind of text an option is: "a figure or date", "Latin" (letters only) or "Chinese"."""
    if _LATIN.search(option) and not re.search(r"[\u4e00-\u9fff]", option):
        return "Latin"
    if number_spans(option) or _FIGURE.search(option):
        return "a figure or date"
    return "Chinese"


def _telling_part(term: str, definition: str, segmenter: Segmenter | None) -> str | None:
    d = normalize_answer(definition)
    parts = [term, *re.findall(r"[A-Za-z][A-Za-z0-9.+-]+", term)]
    if segmenter is not None:
        # a head or tail of the term's Chinese that is a word of its own (数据回流 -> 数据, 回流; not 合成数据 -> 成数)
        for run in re.findall(r"[\u4e00-\u9fff]{3,}", term):
            subs = {run[:k] for k in range(2, len(run))} | {run[k:] for k in range(1, len(run) - 1)}
            parts += sorted((w for w in subs if is_content_word(w) and segmenter.cut(w) == [w]), key=lambda w: (-len(w), w))
    for part in parts:
        if _chars(part) >= 2 and normalize_answer(part) in d:
            return part
    return None


def _tf_rules(q: Question, it: BankItem, item: Fact) -> Iterator[Hit]:
    if q.correct == 0:
        body = _ATTRIBUTION.sub("", item.statement, count=1)
        a, b = normalize_answer(body), normalize_answer(it.paragraph.text)
        if _chars(body) >= 8:
            m = difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
            if m.size >= VERBATIM_RUN * len(a) or _coverage(body, it.paragraph.text) >= VERBATIM_BIGRAMS:
                yield Hit(it, "tf-true-verbatim", "statement", "the true statement copies the text (a long verbatim run, or the "
                                                               "text's words with a few swapped); paraphrase it (same facts, other words)")
    # made by putting a distractor in place of the answer: the evidence contradicts it only if it states the answer
    elif item.false_statement is None and normalize_answer(item.answer) not in normalize_answer(it.evidence):
        yield Hit(it, "tf-false-uncontradicted", "statement",
                  f"the false statement swaps the answer {item.answer!r}, which the evidence does not state; write a false_statement with false_detail and contradicts")


def _cloze_rules(q: Question, it: BankItem) -> Iterator[Hit]:
    before, blank, after = q.cloze_parts
    fld = "cloze" if isinstance(it.item, Quote) else "answer"
    b = blank.strip()
    figure = isinstance(it.item, Fact) and it.item.answer_type in ("number", "date")  # 两、三、四倍 is one range
    if not figure and ("、" in b or LIST_PAIR.fullmatch(b)):
        yield Hit(it, "cloze-list", fld, f"the gap {b!r} is a whole list; blank one idea (or ask the item as basic/mcq and skip fact-cloze)")
    if b in STOP_WORDS or (_chars(b) == 1 and not b.isdigit()):
        yield Hit(it, "cloze-stop-word", fld, f"the gap {b!r} is a function word or a lone character; blank the word that carries the idea")
    around = normalize_figures(before + "\n" + after)
    shown = [f for f in answer_forms(b, tuple(getattr(it.item, "accept", ()))) if len(f) >= 2 and f.isascii() and f != normalize_figures(b) and contains_answer(around, f)]
    alias = re.match(r"\s*[（(]\s*[A-Za-z][\w .+\-]*[）)]", after)
    if shown or alias:
        what = shown[0] if shown else alias.group(0).strip() if alias else ""
        yield Hit(it, "cloze-answer-shown", fld, f"the sentence around the gap {b!r} prints the answer as {what!r}; drop it from the cloze text or blank both")
    context = _chars(before) + _chars(after)
    if context < 8 or _chars(b) > context:
        yield Hit(it, "cloze-context", fld, f"the gap {b!r} leaves too little of the sentence to say what is asked; blank less or add context")
    elif before.rstrip()[-1:] == "、" or after.lstrip()[:1] == "、" or (before.rstrip()[-1:] in "和与及" and "、" in before[-15:]):
        yield Hit(it, "cloze-context", fld, f"the gap {b!r} is one member of a list, which any other member fits; blank something else")


# --- key points -------------------------------------------------------------------------------


def _keypoints(content: Content, result: QualityResult) -> None:
    for loaded in content.sources.values():
        covered = {it.item.keypoint for it in loaded.items if it.item.importance == "core"}
        for kp in loaded.keypoints:
            if kp.keypoint.id not in covered:
                result.fired["keypoint-uncovered"] += 1
                result.problems.append(Problem(kp.file, kp.line, "id", f"[keypoint-uncovered] key point {kp.keypoint.id!r} has no core item; "
                                                                     f"mark an item that tests it `importance: core` with `keypoint: {kp.keypoint.id}`"))


def _importance_note(content: Content, result: QualityResult) -> None:
    missing = Counter(it.file for it in content.items() if "importance" not in it.item.model_fields_set)
    if missing:
        total = sum(missing.values())
        result.notes.append(f"{total} item(s) have no `importance` and count as detail; add `importance: core` (with `keypoint:`), "
                            f"`detail` or `aside` to each ({', '.join(f'{f}: {n}' for f, n in sorted(missing.items()))})")
