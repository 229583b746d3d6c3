"""GIFT export, read back by gift-pegjs (an independent GIFT grammar, run with node from tests/js)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from export_util import HOSTILE, export_set, squash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizgen.outputs import gift
from quizgen.outputs.common import accepted, by_section, model_answer, stem, tags

JS = Path(__file__).resolve().parents[1] / "js"

# gift-pegjs 1.0.2 swaps escaped characters for these placeholders while parsing and decodes them everywhere except
# in the right-hand side of matching pairs; this is its own table (GIFT.pegjs, escapedCharacters).
PLACEHOLDERS = {"&&092;": "\\", "&&058;": ":", "&&035;": "#", "&&061;": "=", "&&123;": "{", "&&125;": "}", "&&126;": "~", "&&010": "\n"}


def _missing(why: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI must have it: .ci/run installs it)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def read_gift() -> Callable[[Path], list[dict]]:
    """gift-pegjs run by node: a GIFT file -> its questions as JSON."""
    if shutil.which("node") is None:
        _missing("node is not installed (apt-get install nodejs npm)")
    if not (JS / "node_modules" / "gift-pegjs").is_dir():
        _missing("gift-pegjs is not installed: run `npm ci --prefix tests/js`")

    def read(path: Path) -> list[dict]:
        run = subprocess.run(["node", str(JS / "parse-gift.js"), str(path)], capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)

    return read


@pytest.fixture(scope="module")
def exported(read_gift, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[dict]]:
    """The GIFT bytes of the whole set and what gift-pegjs reads from them."""
    files = gift.render(export_set(), None)
    assert list(files) == ["every-question.gift.txt"]
    data = files["every-question.gift.txt"]
    path = tmp_path_factory.mktemp("gift") / "every-question.gift.txt"
    path.write_bytes(data)
    return data, read_gift(path)


def _plain(fmt: dict) -> str:
    """An [html] text as the learner sees it: our only markup is <p> and <br>; everything else is escaped text."""
    assert fmt["format"] == "html"
    return squash(html.unescape(re.sub(r"</?p>|<br>", " ", fmt["text"])))


def _decoded(text: str) -> str:
    for code, char in PLACEHOLDERS.items():
        text = text.replace(code, char)
    return text


def test_every_question_comes_back_in_its_category(exported) -> None:
    _, parsed = exported
    qset = export_set()
    expected: list[tuple[str, str]] = []
    for cat, questions in by_section(qset):
        expected.append(("Category", cat))
        expected.extend(("Question", q.id) for q in questions)
    got = [("Category", p["title"]) if p["type"] == "Category" else ("Question", p["title"]) for p in parsed]
    assert got == expected
    assert {p["type"] for p in parsed} == {"Category", "MC", "TF", "Short", "Essay", "Matching"}


def test_each_question_reads_back_as_the_same_text_and_answers(exported) -> None:
    _, parsed = exported
    questions = [p for p in parsed if p["type"] != "Category"]
    qset = export_set()
    assert len(questions) == len(qset.questions)
    for q, p in zip(qset.questions, questions, strict=True):
        assert p["id"] == q.id and p["title"] == q.id
        assert p["tags"] == list(tags(q))
        assert "<" not in p["stem"]["text"], q.id  # no markup of ours or theirs in a stem: all of it is escaped text
        assert _plain(p["stem"]) == squash(stem(q)), q.id
        feedback = _plain(p["globalFeedback"])
        assert squash(q.ref.evidence) in feedback and q.ref.paragraph_id in feedback and squash(q.ref.speaker_name) in feedback
        if q.type in ("mcq", "who"):
            assert p["type"] == "MC"
            assert [_plain(c["text"]) for c in p["choices"]] == [squash(o) for o in q.options]
            assert [c["isCorrect"] for c in p["choices"]].count(True) == 1, q.id
            assert p["choices"][q.correct]["isCorrect"]
        elif q.type == "tf":
            assert p["type"] == "TF" and p["isTrue"] is (q.correct == 0)
        elif q.type in ("cloze", "typed"):
            assert p["type"] == "Short" and all(c["isCorrect"] for c in p["choices"])
            # Moodle reads a short answer as a pattern, so a literal star is written \*
            assert [c["text"]["text"].replace("\\*", "*") for c in p["choices"]] == [squash(a) for a in accepted(q)]
        elif q.type == "order":
            assert p["type"] == "Matching"
            pairs = [(_plain(m["subquestion"]), squash(_decoded(m["subanswer"]))) for m in p["matchPairs"]]
            assert pairs == [(f"第 {n} 步", squash(s)) for n, s in enumerate(q.steps, 1)]
        else:
            assert p["type"] == "Essay"
            assert squash(model_answer(q)) in feedback


def test_hostile_text_survives_as_text(exported) -> None:
    _, parsed = exported
    stems = [_plain(p["stem"]) for p in parsed if p["type"] != "Category"]
    assert sum(squash(HOSTILE) in s for s in stems) >= 5
    assert any("{{c1::x}} =1+1" in s for s in stems)


def test_second_export_is_byte_identical(exported) -> None:
    data, _ = exported
    assert gift.render(export_set(), None)["every-question.gift.txt"] == data


def test_escape_covers_every_special_character() -> None:
    assert gift.escape("~=#{}:\\") == "\\~\\=\\#\\{\\}\\:\\\\"
    assert gift.escape("普通文字 <b>") == "普通文字 <b>"


# Printable text without the whitespace a GIFT reader collapses; GIFT's specials, HTML and braces well represented.
TEXT = st.text(st.one_of(st.sampled_from(list("~=#{}:\\<>&\"'*-/[]$ ")), st.characters(categories=("L", "N", "P", "S"))),
               min_size=1, max_size=30).map(squash).filter(bool)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, min_size=40, max_size=40))
def test_any_text_round_trips_through_gift_pegjs(read_gift, tmp_path: Path, texts: list[str]) -> None:
    """Any text as a title, a stem and options comes back unchanged (one node run for ten questions)."""
    blocks = [f"::{gift.escape(t[0])}::[html]{gift.escape(html.escape(t[1], quote=False))}{{\n"
              f"={gift._option(t[2])}\n~{gift._option(t[3])}\n}}"  # the exporter's own way of writing a choice
              for t in zip(*[iter(texts)] * 4, strict=True)]
    path = tmp_path / "any.gift.txt"
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    parsed = read_gift(path)
    got = [(p["title"], html.unescape(p["stem"]["text"]), html.unescape(p["choices"][0]["text"]["text"]),
            html.unescape(p["choices"][1]["text"]["text"])) for p in parsed]
    assert got == [tuple(t) for t in zip(*[iter(texts)] * 4, strict=True)]
