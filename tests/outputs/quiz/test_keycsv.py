"""The key CSV written beside every printed quiz: exactly the printed versions' numbering, letters and options."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest_browser import TEMPLATES, golden_set, parse_html, second_source_set
from gradeutil import read_key_rows, short_quiz_set
from writers import write_quiz

from quizgen.models import QuestionSet
from quizgen.outputs.quiz.keycsv import COLUMNS, key_csv

ROOT = Path(__file__).resolve().parents[3]






def printed(page: str) -> dict[int, dict]:
    """What one printed version shows, by question number: the options on the exam and the answer in the key pages."""
    doc = parse_html(page)
    out: dict[int, dict] = {}
    exam = doc.find("article", cls="exam")
    for q in exam.find_all("div", cls="question"):
        out[int(q.get("data-number"))] = {
            "qid": q.get("data-qid"), "type": q.get("data-type"), "points": q.get("data-points"),
            "options": [(li.get("data-letter"), li.find("span", cls="option-text").text) for li in q.find_all("li", cls="option")],
        }
    for k in doc.find("article", cls="answer-key").find_all("div", cls="key-item"):
        out[int(k.get("data-number"))]["key"] = k.get("data-answer")
        out[int(k.get("data-number"))]["shown"] = k.find("p", cls="key-answer").text
    sheet = doc.find_all("article", cls="answer-sheet")
    for row in (doc.find("article", cls="answer-key").find_all("div", cls="sheet-row") if sheet else []):
        out[int(row.get("data-number"))]["sheet"] = row.get("data-answer")
    return out


@pytest.fixture(scope="module", params=["short-quiz", "second-source", "golden"])
def written(request, tmp_path_factory) -> tuple[QuestionSet, dict[str, Path], int]:
    qset = {"short-quiz": short_quiz_set, "second-source": second_source_set, "golden": golden_set}[request.param]()
    versions = 3
    paths = write_quiz(qset, templates_dir=TEMPLATES, out_dir=tmp_path_factory.mktemp("quiz"), versions=versions, seed=qset.seed)
    return qset, {p.name.removeprefix(qset.output + "-"): p for p in paths}, versions


def test_key_csv_is_written_beside_the_html_with_the_required_columns_first(written):
    qset, files, versions = written
    assert list(files) == [*(f"{v}.html" for v in "ABC"[:versions]), "key.csv"]
    data = files["key.csv"].read_bytes()
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(header[: len(COLUMNS)]) == COLUMNS == ("version", "number", "question_id", "item_id", "type", "answer", "points", "options")
    assert data == key_csv(qset, versions=versions, seed=qset.seed)  # the pure function gives the same bytes


def test_key_matches_the_printed_key_of_every_version(written):
    qset, files, versions = written
    rows = read_key_rows(files["key.csv"].read_bytes())
    assert len(rows) == versions * len(qset.questions)
    by_id = {q.id: q for q in qset.questions}
    types_seen = set()
    for label in "ABC"[:versions]:
        page = printed(files[f"{label}.html"].read_text(encoding="utf-8"))
        mine = [r for r in rows if r["version"] == label]
        assert [int(r["number"]) for r in mine] == sorted(page) == list(range(1, len(qset.questions) + 1))
        for r in mine:
            shown = page[int(r["number"])]
            q = by_id[r["question_id"]]
            types_seen.add(r["type"])
            assert (r["question_id"], r["type"], r["points"], r["item_id"]) == (shown["qid"], shown["type"], shown["points"], q.item_id)
            assert r["options"] == "|".join(text for _, text in shown["options"])
            assert r["answer"] == shown["key"], (label, r["number"])
            if r["type"] in ("mcq", "tf", "who"):
                letters = [letter for letter, _ in shown["options"]]
                assert len(r["answer"]) == 1 and r["answer"] in letters
                assert shown["sheet"] == r["answer"]  # the bubble filled on the key's answer sheet
                text = dict(shown["options"])[r["answer"]]
                assert text == q.options[q.correct]
                assert f"{r['answer']}．{text}" in shown["shown"]
            elif r["type"] == "order":
                # the key prints the letters in order (C → A → B → D); the CSV writes the sequence
                assert " → ".join(r["answer"]) in shown["shown"]
                assert [dict(shown["options"])[c] for c in r["answer"]] == list(q.steps)
            else:
                assert r["answer"] == q.answer and r["options"] == ""
                assert r["accept"] == "|".join(q.accept)
            assert r["paragraph_id"] == q.ref.paragraph_id and r["section_id"] == q.ref.section_id
            assert r["evidence"] == q.ref.evidence
    if qset.output == "xh-lin-interview":
        assert types_seen == {"cloze", "basic", "mcq", "tf", "who", "reasons", "order", "typed"}


def test_versions_differ_in_the_key_as_they_do_on_paper(written):
    qset, files, _ = written
    rows = read_key_rows(files["key.csv"].read_bytes())
    a = [(r["question_id"], r["answer"]) for r in rows if r["version"] == "A"]
    b = [(r["question_id"], r["answer"]) for r in rows if r["version"] == "B"]
    assert sorted(x for x, _ in a) == sorted(x for x, _ in b)
    if len(qset.questions) > 3:
        assert a != b
