"""The leak guard: no printed text of a set (another question, a title, the header, a deck name) gives away a
question's answer, and no two questions of a drawn set come from the same sentence of the source.

Answers are compared in every form a page could print them (`answer_forms`: figures in digits, width, case, the
Latin alias in brackets), by containment and by shared content words: a phrase answer whose content words another
text prints (most of them, at least two) is given away as surely as one printed whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from quizgen.models import Question
from quizgen.text.answers import answer_forms, contains_answer, normalize_figures
from quizgen.text.segment import is_content_word, is_number_fragment

ANSWERED_TYPES = ("cloze", "basic", "typed", "mcq")
"""Questions whose answer is words another text could print (true/false, who, reasons and order answer otherwise)."""
WORD_SHARE = 3 / 4
"""A phrase answer is given away by a text printing at least this share of its content words (and at least two)."""
_DATE_PART = "年月日号"
"""A bare figure printed as part of a date (10月, 2024年) does not give away the figure 10 or 2024."""
_SENTENCE = re.compile(r"[^。！？!?；;]+")
MIN_SENTENCE = 6
"""Evidence sentences shorter than this (letters, digits, characters) are too short to tie two items together."""


@dataclass(frozen=True)
class PageText:
    """A text printed around the questions: what it is (for reports) and, for a sub-deck, the section it heads."""

    what: str
    text: str
    section_id: str | None = None
    """Only the questions of this section see it (a sub-deck's name); None: every question does."""
    source_id: str | None = None
    """With `section_id`: the source whose section it is (two sources may both have a section `intro`)."""

    def seen_by(self, q: Question) -> bool:
        return self.section_id is None or (self.section_id == q.ref.section_id and self.source_id in (None, q.source_id))


@dataclass(frozen=True)
class Leak:
    """One blocked pair: `question` was left out (or, in a set that keeps every question, is given away) by `by`."""

    question: str
    by: str
    """The other question's id, or what page text (e.g. "quiz header")."""
    why: str
    kept: bool = False
    page: bool = False
    """Given away by a page text (title, header, deck or sub-deck name), not by another question."""
    """Both stay (a set of every matching question, such as a study deck): a give-away `check` reports."""
    covered: bool = False
    """A study deck left the question's item out: the other card teaches it (no other question of the item was free)."""

    def line(self) -> str:
        return f"{self.question}: {self.why}"


def printed_text(q: Question) -> str:
    """What a printed quiz or a card front shows of a question: the prompt (a cloze without its gap), options, steps."""
    if q.type == "cloze" and q.cloze_text is not None:
        before, _, after = q.cloze_parts
        text = before + "\n" + after
    else:
        text = q.prompt
    return normalize_figures("\n".join([text, *q.options, *(q.steps if q.type == "order" else ())]))


def evidence_sentences(q: Question) -> frozenset[tuple[str, str]]:
    """(paragraph, sentence) of each sentence of the question's evidence, normalised."""
    out = set()
    # a quote's cloze cites the sentences around it (its back already shows the quote): its own sentences are the quote's
    text = q.cloze_text if q.kind == "quote" and q.cloze_text else q.ref.evidence
    if text is q.cloze_text and (m := re.search("「(.+)」", text)):
        text = m.group(1)
    for s in _SENTENCE.findall(text):
        norm = normalize_figures(s)
        if len(re.findall(r"\w", norm)) >= MIN_SENTENCE:
            out.add((q.ref.paragraph_id, norm))
    return frozenset(out)


def _contains_form(text: str, form: str) -> bool:
    """`form` in `text` (`contains_answer`); a bare figure not where it is part of a date."""
    if not form.isdigit():
        return contains_answer(text, form)
    return re.search(rf"(?<![\d.]){form}(?![\d.{_DATE_PART}])", text) is not None


def _distinctive(answer: _Answer) -> bool:
    """An answer no card prints by chance: a name in Latin letters or a figure of two digits or more (cuDNN, 10 万倍,
    19 天). Printed anywhere in a deck, it gives the card away, whatever that text is about; a Chinese word (推理,
    机器学习) or a small figure (一年) is printed by cards about other things too."""
    if answer.distinctive is None:
        answer.distinctive = any(_LATIN_OR_FIGURE.search(f) for f in answer.forms)
    return answer.distinctive


_LATIN_OR_FIGURE = re.compile(r"[a-z]|\d\d")


@dataclass
class _Answer:
    forms: list[str]
    words: list[list[str]]
    """Per form, its content words (normalised); used when it has two or more."""
    text: str = ""
    """The answer as written, for messages (forms are normalised: 10 万倍 -> 100000倍)."""
    distinctive: bool | None = None
    """`_distinctive`, once known."""


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


@dataclass
class _Index:
    """The chosen questions by the two-character pieces of their printed texts and answers, so that a new question
    is compared only with those that could give it away or be given away (a deck of 60,000 cards: not 60,000 squared).

    A text prints a form only if it holds each of the form's pieces: the candidates are the texts holding its rarest.
    An answer is printed by a text only if the text holds one of its keys: the rarest piece of each form and of each
    content word of two characters or more (an answer whose words of one character alone could be enough is compared
    with every text)."""

    freq: dict[str, int]
    """Piece -> in how many texts of the pool it is printed: the rarer the key, the shorter its list."""
    texts: dict[str, list[int]] = field(default_factory=dict)
    answers: dict[str, list[int]] = field(default_factory=dict)
    unkeyed: list[int] = field(default_factory=list)
    grams: dict[str, set[str]] = field(default_factory=dict)
    """Text -> its pieces, each text's cut once (the pool's texts are counted, added and looked up)."""
    rarest_of: dict[str, str] = field(default_factory=dict)
    needles_of: dict[int, tuple[_Answer, list[str] | None]] = field(default_factory=dict)
    """id(answer) -> the answer (held, so its id is never reused) and its needles."""

    def pieces(self, text: str) -> set[str]:
        if (got := self.grams.get(text)) is None:
            got = self.grams[text] = _bigrams(text)
        return got

    def _rarest(self, text: str) -> str:
        if (got := self.rarest_of.get(text)) is None:
            got = self.rarest_of[text] = min(self.pieces(text), key=lambda b: (self.freq.get(b, 0), b))
        return got

    def _needles(self, ans: _Answer) -> list[str] | None:
        """The forms and words whose presence in a text is needed for it to print `ans` (one of them is); None if
        words of one character could do."""
        if (got := self.needles_of.get(id(ans))) is None:
            got = self.needles_of[id(ans)] = (ans, self._find_needles(ans))
        return got[1]

    def _find_needles(self, ans: _Answer) -> list[str] | None:
        out = list(ans.forms)
        for words in ans.words:
            # a text printing them holds `need` of the n words: it holds one of any n - need + 1 of them (the rarest)
            need = max(2, math.ceil(WORD_SHARE * len(words)))
            long = [w for w in words if len(w) >= 2]
            if len(words) - len(long) >= need:
                return None
            out += sorted(long, key=lambda w: (self.freq.get(self._rarest(w), 0), w))[:len(words) - need + 1]
        return out

    def add(self, i: int, text: str, ans: _Answer) -> None:
        for b in self.pieces(text):
            self.texts.setdefault(b, []).append(i)
        needles = self._needles(ans)
        if needles is None:
            self.unkeyed.append(i)
            return
        for key in {self._rarest(n) for n in needles}:
            self.answers.setdefault(key, []).append(i)

    def printing(self, ans: _Answer) -> set[int] | None:
        """The chosen questions whose text may print `ans` (None: any may)."""
        needles = self._needles(ans)
        if needles is None:
            return None
        out: set[int] = set()
        for needle in needles:
            shortest = min((self.texts.get(b, []) for b in self.pieces(needle)), key=len)
            out.update(shortest)
        return out

    def printed_by(self, text: str) -> set[int]:
        """The chosen questions whose answer `text` may print."""
        out = set(self.unkeyed)
        for b in self.pieces(text):
            out.update(self.answers.get(b, ()))
        return out


@dataclass
class LeakGuard:
    """The questions chosen so far, and whether a new one may join them (see the module docstring).

    `cut` segments an answer into words (the jieba wrapper's `Segmenter.cut`); without it only containment is used.
    `same_sentence`: also keep apart two items whose evidence shares a sentence (a drawn set; a deck keeps both).
    """

    cut: Callable[[str], list[str]] | None = None
    page: Sequence[PageText] = ()
    same_sentence: bool = True
    context: int = 0
    """Between two questions, a give-away also needs this many shared content words of their texts (a deck's cards are
    seen days apart: 「推理」 on one card does not answer a gap 「推理」 on another about something else); 0: none."""
    _chosen: list[tuple[Question, str, _Answer, frozenset[tuple[str, str]]]] = field(default_factory=list)
    _answers: dict[str, _Answer] = field(default_factory=dict)
    _texts: dict[str, str] = field(default_factory=dict)
    _cuts: dict[str, list[str]] = field(default_factory=dict)
    _index: _Index | None = None
    _pages: list[tuple[PageText, str]] | None = None

    def index(self, pool: Iterable[Question]) -> None:
        """Let `answered` and `prints_answer` compare a question only with the chosen ones that could give it away or be
        given away by it (decks); `pool` gives how common each piece of text is. `check` compares with every one."""
        freq: dict[str, int] = {}
        index = self._index = _Index(freq)
        for q in pool:
            for b in index.pieces(self._text(q)):
                freq[b] = freq.get(b, 0) + 1
        for i, (_, text, ans, _) in enumerate(self._chosen):
            self._index.add(i, text, ans)

    def answer(self, q: Question) -> _Answer:
        if q.id not in self._answers:
            if q.type not in ANSWERED_TYPES:
                self._answers[q.id] = _Answer([], [])
            else:
                raw = [q.answer, *q.accept]
                forms = [f for f in answer_forms(q.answer, q.accept) if len(f) >= 2]
                words = [self._words(r) for r in raw]
                self._answers[q.id] = _Answer(forms, [w for w in words if len(w) >= 2], q.answer)
        return self._answers[q.id]

    def _words(self, text: str) -> list[str]:
        if self.cut is None:
            return []
        if text not in self._cuts:
            self._cuts[text] = list(dict.fromkeys(normalize_figures(w) for w in self.cut(text) if is_content_word(w) and not is_number_fragment(w)))
        return self._cuts[text]

    def gives_away(self, text: str, answer: _Answer) -> str | None:
        """What of the answer `text` (normalised) prints, or None: 「the answer 「…」」 or 「its words 「…」「…」」."""
        for form in answer.forms:
            if _contains_form(text, form):
                return f"「{answer.text}」" if form == normalize_figures(answer.text) else f"「{answer.text}」 (as 「{form}」)"
        for words in answer.words:
            shared = [w for w in words if contains_answer(text, w)]
            if len(shared) >= max(2, math.ceil(WORD_SHARE * len(words))):
                return f"the words 「{'」「'.join(shared)}」"
        return None

    def _page_leak(self, q: Question, ans: _Answer) -> Leak | None:
        """The first page text `q` sees that prints its answer, as a leak; None if none."""
        if not ans.forms and not ans.words:
            return None
        if self._pages is None:
            self._pages = [(page, normalize_figures(page.text)) for page in self.page]
        for page, text in self._pages:
            if page.seen_by(q) and (what := self.gives_away(text, ans)):
                return Leak(q.id, page.what, f"the {page.what} prints its answer {what}", page=True)
        return None

    def check(self, q: Question) -> Leak | None:
        """The first reason `q` may not join the chosen questions, or None."""
        ans, text = self.answer(q), self._text(q)
        sentences = evidence_sentences(q) if self.same_sentence else frozenset()
        if (leak := self._page_leak(q, ans)) is not None:
            return leak
        for other, other_text, other_ans, other_sentences in self._chosen:
            if other.item_id == q.item_id and other.source_id == q.source_id:
                continue  # one item's questions: per_item decides
            if leak := self._printed_by(q, text, ans, other, other_text) or self._prints(q, text, other, other_text, other_ans):
                return leak
            if self.same_sentence and q.type == other.type == "who" and q.answer == other.answer:
                return Leak(q.id, other.id, f"it and {other.id} both ask who said it, and both keys are {q.answer}")
            if self.same_sentence and sentences & other_sentences:
                return Leak(q.id, other.id, f"it and {other.id} are cut from the same sentence of the source")
        return None

    def answered(self, q: Question, others: Iterable[Question] | None = None) -> Leak | None:
        """What prints `q`'s answer: a page text, or one of `others` (default: the chosen questions) where it speaks of
        the same thing; None if nothing."""
        ans = self.answer(q)
        if (leak := self._page_leak(q, ans)) is not None:
            return leak
        text = self._text(q)
        if others is None:
            printing = self._index.printing(ans) if self._index is not None else None
            others = [c[0] for c in self._chosen] if printing is None else [self._chosen[i][0] for i in sorted(printing)]
        for other in others:
            if other.item_id == q.item_id and other.source_id == q.source_id:
                continue
            if leak := self._printed_by(q, text, ans, other, self._text(other)):
                return leak
        return None

    def prints_answer(self, q: Question, others: Iterable[Question] | None = None) -> Leak | None:
        """Which of `others` (default: the chosen questions) has its answer printed by `q`, where they speak of the
        same thing; None if none."""
        text = self._text(q)
        if others is None:
            chosen = range(len(self._chosen)) if self._index is None else sorted(self._index.printed_by(text))
            others = [self._chosen[i][0] for i in chosen]
        for other in others:
            if other.item_id == q.item_id and other.source_id == q.source_id:
                continue
            if leak := self._prints(q, text, other, self._text(other), self.answer(other)):
                return leak
        return None

    def _printed_by(self, q: Question, text: str, ans: _Answer, other: Question, other_text: str) -> Leak | None:
        """`other`'s text prints `q`'s answer `ans` (where the two speak of the same thing: the context test last,
        since most pairs print nothing and it cuts words)."""
        if (what := self.gives_away(other_text, ans)) and self._about_the_same(text, other_text, ans):
            return Leak(q.id, other.id, f"{other.id} prints its answer {what}")
        return None

    def _prints(self, q: Question, text: str, other: Question, other_text: str, other_ans: _Answer) -> Leak | None:
        """`q`'s text prints `other`'s answer (where the two speak of the same thing)."""
        if (what := self.gives_away(text, other_ans)) and self._about_the_same(text, other_text, other_ans):
            return Leak(q.id, other.id, f"it prints the answer {what} of {other.id}")
        return None

    def _text(self, q: Question) -> str:
        if q.id not in self._texts:
            self._texts[q.id] = printed_text(q)
        return self._texts[q.id]

    def _about_the_same(self, text: str, other_text: str, answer: _Answer) -> bool:
        """Whether a give-away between two texts counts: always in a printed set (`context` 0) and for a distinctive
        answer; in a deck, for a Chinese word, only where the two texts also share `context` content words."""
        return not self.context or _distinctive(answer) or self._same_context(text, other_text)

    def _same_context(self, text: str, other_text: str) -> bool:
        need = self.context
        for w in self._words(text):
            need -= contains_answer(other_text, w)
            if need <= 0:
                return True
        return False

    def admits(self, q: Question) -> bool:
        """Whether `q` may join; if so it is recorded as chosen."""
        return self.check(q) is None and self.add(q)

    def add(self, q: Question) -> bool:
        entry = (q, self._text(q), self.answer(q), evidence_sentences(q) if self.same_sentence else frozenset())
        if self._index is not None:
            self._index.add(len(self._chosen), entry[1], entry[2])
        self._chosen.append(entry)
        return True
