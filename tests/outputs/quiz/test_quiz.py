"""Printable quizzes: determinism, golden HTML, versions and their keys, the answer sheet, escaping, errors, the CLI."""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest_browser import GOLDEN, ROOT, SECOND, TEMPLATES, Node, golden_set, parse_html, second_source_set
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner
from writers import write_quiz

from quizgen.cli import app
from quizgen.errors import ContentError, ToolMissingError
from quizgen.models import Question, QuestionSet, SourceRef
from quizgen.outputs.quiz.layout import CHOICE_TYPES, plan_versions, version_label

UPDATE = os.environ.get("QUIZGEN_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def full_set() -> QuestionSet:
    return second_source_set()


@pytest.fixture(scope="module")
def small_set() -> QuestionSet:
    return golden_set()


def render(qset: QuestionSet, out: Path, *, versions: int = 2, seed: int | None = None, interactive: bool = True) -> list[Path]:
    written = write_quiz(qset, templates_dir=TEMPLATES, out_dir=out, versions=versions,
                         seed=qset.seed if seed is None else seed, interactive=interactive, pdf=False)
    return [p for p in written if p.suffix == ".html"]  # the key CSV beside them is tested in test_keycsv.py


# --- reading a rendered version back ----------------------------------------------------------


def exam_of(doc: Node) -> list[dict]:
    """Each printed question in order: number, id, type, lettered options."""
    exam = doc.find("article", cls="exam")
    return [{"number": int(q.get("data-number")), "id": q.get("data-qid"), "type": q.get("data-type"),
             "options": {o.get("data-letter"): o.find(cls="option-text").text for o in q.find_all("li", cls="option")}}
            for q in exam.find_all(cls="question")]


def key_of(doc: Node) -> list[dict]:
    key = doc.find("article", cls="answer-key")
    return [{"number": int(k.get("data-number")), "id": k.get("data-qid"), "answer": k.get("data-answer"),
             "text": k.find(cls="key-answer").text}
            for k in key.find_all(cls="key-item")]


def sheet_of(doc: Node, cls: str) -> list[dict]:
    holder = doc.find("article", cls=cls) if cls == "answer-sheet" else doc.find(cls="key-sheet")
    return [{"number": int(r.get("data-number")), "letters": r.get("data-letters"),
             "bubbles": "".join(b.get("data-letter") for b in r.find_all(cls="bubble")),
             "filled": "".join(b.get("data-letter") for b in r.find_all(cls="bubble") if "filled" in b.get("class").split()),
             "answer": r.attrs.get("data-answer")}
            for r in holder.find_all(cls="sheet-row")]


def read(path: Path) -> Node:
    return parse_html(path.read_text(encoding="utf-8"))


# --- determinism and golden files ---------------------------------------------------------------


def test_same_set_and_seed_give_identical_bytes(full_set, tmp_path):
    first = render(full_set, tmp_path / "one", versions=3)
    second = render(full_set, tmp_path / "two", versions=3)
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=False):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_output_does_not_depend_on_hash_seed(tmp_path):
    """No set or dict-order dependence: two interpreters with different hash seeds write the same bytes."""
    script = ("import sys; from pathlib import Path; sys.path.insert(0, sys.argv[4]); from quizgen.load.sets import load_set_file; from writers import write_quiz; "
              "q = load_set_file(Path(sys.argv[1])); write_quiz(q, templates_dir=Path(sys.argv[2]), out_dir=Path(sys.argv[3]), "
              "versions=3, seed=5, interactive=True)")
    outs = []
    for hash_seed in ("1", "987"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(GOLDEN / "set.yaml"), str(TEMPLATES), str(out), str(Path(__file__).resolve().parents[2])], env=env, check=True, cwd=ROOT)
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outs[0] == outs[1]
    assert len(outs[0]) == 5  # versions A, B, C, the key CSV (issue 11) and the self-check page


def test_golden_html(small_set, tmp_path):
    """The small frozen set renders to exactly the golden files (QUIZGEN_UPDATE_GOLDEN=1 rewrites them)."""
    written = render(small_set, tmp_path, versions=2)
    assert [p.name for p in written] == ["xh-mini-A.html", "xh-mini-B.html", "xh-mini-interactive.html"]
    for path in (written[0], written[2]):  # B differs from A only by the shuffle, which other tests check
        golden = GOLDEN / path.name
        if UPDATE:
            shutil.copyfile(path, golden)
            continue
        assert golden.exists(), f"missing {golden}; run QUIZGEN_UPDATE_GOLDEN=1 pytest tests/outputs/quiz/test_quiz.py"
        got, want = path.read_text(encoding="utf-8"), golden.read_text(encoding="utf-8")
        if got != want:
            diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), str(golden), "rendered", n=2))
            pytest.fail(f"{path.name} differs from its golden file (QUIZGEN_UPDATE_GOLDEN=1 to accept):\n{diff[:4000]}")


# --- versions, keys, answer sheets ----------------------------------------------------------------


def test_every_version_asks_exactly_the_sets_questions(full_set, tmp_path):
    paths = render(full_set, tmp_path, versions=3)
    want = Counter(q.id for q in full_set.questions)
    for path in paths:
        doc = read(path)
        asked = Counter(q.get("data-qid") for q in doc.find_all(cls="question"))
        assert asked == want, path.name
        if not path.name.endswith("interactive.html"):
            assert Counter(k["id"] for k in key_of(doc)) == want
        numbers = [int(q.get("data-number")) for q in doc.find_all(cls="question")]
        assert numbers == list(range(1, len(want) + 1))


def test_versions_differ_but_each_key_matches_its_own_order(full_set, tmp_path):
    by_id = {q.id: q for q in full_set.questions}
    paths = render(full_set, tmp_path, versions=3, interactive=False)
    layouts = []
    for path in paths:
        doc = read(path)
        exam, key = exam_of(doc), key_of(doc)
        assert [e["number"] for e in exam] == [k["number"] for k in key]
        assert [e["id"] for e in exam] == [k["id"] for k in key], f"{path.name}: key out of step with the exam"
        for e, k in zip(exam, key, strict=False):
            q = by_id[e["id"]]
            if q.type in CHOICE_TYPES:
                assert sorted(e["options"].values()) == sorted(q.options)
                assert e["options"][k["answer"]] == q.options[q.correct], f"{path.name} #{e['number']}"
                assert k["text"].startswith(f"{e['number']}．【答案】{k['answer']}．{q.options[q.correct]}")
            elif q.type == "order":
                # the letters in the key, read through this version's lettering, give the steps in the right order
                assert [e["options"][letter] for letter in k["answer"]] == list(q.steps), f"{path.name} #{e['number']}"
                assert " → ".join(k["answer"]) in k["text"]
            else:
                assert k["answer"] == q.answer
            if q.type == "tf":
                assert list(e["options"].values()) == ["正确", "错误"]
        layouts.append([(e["id"], tuple(e["options"].values())) for e in exam])
    assert layouts[0] != layouts[1] != layouts[2] != layouts[0]
    # shuffled within groups only: the sequence of question types is the same in every version
    types = [[by_id[i].type for i, _ in layout] for layout in layouts]
    assert types[0] == types[1] == types[2]


def test_order_answers_are_recomputed_per_version(full_set):
    order_q = next(q for q in full_set.questions if q.type == "order")
    answers = set()
    for version in plan_versions(full_set, versions=8, seed=1):
        item = next(i for i in version.items if i.question.id == order_q.id)
        assert [o.text for o in item.ordered_steps] == list(order_q.steps)
        answers.add(item.answer)
    assert len(answers) > 1, "order steps should be relettered across versions"


def test_answer_sheet_matches_the_exam_and_the_key(full_set, tmp_path):
    for path in render(full_set, tmp_path, versions=2, interactive=False):
        doc = read(path)
        exam = {e["number"]: e for e in exam_of(doc)}
        key = {k["number"]: k for k in key_of(doc)}
        choice = sorted(n for n, e in exam.items() if e["type"] in CHOICE_TYPES)
        sheet = sheet_of(doc, "answer-sheet")
        assert [r["number"] for r in sheet] == choice
        for row in sheet:
            assert row["letters"] == row["bubbles"] == "".join(exam[row["number"]]["options"])
            assert row["filled"] == ""
        filled = sheet_of(doc, "key-sheet")
        assert [r["number"] for r in filled] == choice
        for row in filled:
            assert row["filled"] == row["answer"] == key[row["number"]]["answer"]
            assert len(row["filled"]) == 1


def test_page_structure(small_set, tmp_path):
    doc = read(render(small_set, tmp_path, versions=2, interactive=False)[1])
    html = doc.find("html")
    assert html.get("lang") == "zh-CN"
    articles = [a.get("class") for a in doc.find_all("article")]
    assert articles == ["page exam", "page answer-sheet", "page answer-key"]
    header = doc.find(cls="exam-header")
    assert "来源：星衡机器人林远舟：仓库是机器人最好的学校" in header.text
    assert [f.text for f in header.find_all(cls="field-label")] == ["姓名", "班级", "日期", "得分"]
    assert "B 卷" in header.find(cls="version-badge").text
    titles = [g.find(cls="group-title").text for g in doc.find_all("section", cls="group")]
    assert titles[0].startswith("一、单项选择题（共 2 题，每题 2 分，共 4 分）")
    css = doc.find("style").text
    assert "size: A4" in css and "break-inside: avoid" in css and '"Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC"' in css
    evidence = doc.find(cls="answer-key").find(cls="evidence").text
    assert re.search(r"「.+」——.+ · p\d+ · .+", evidence)


def test_answer_space_is_sized_to_the_answer(full_set, tmp_path):
    version = plan_versions(full_set, versions=1, seed=0)[0]
    clozes = sorted((i for i in version.items if i.question.type == "cloze"), key=lambda i: len(i.question.cloze_parts[1]))
    # one width for every blank of the version (a blank as wide as its answer tells its length), fit for the longest
    assert len({i.blank_em for i in version.items}) == 1
    assert clozes[-1].blank_em >= len(clozes[-1].question.cloze_parts[1]) > len(clozes[0].question.cloze_parts[1])
    for page in write_quiz(full_set, templates_dir=TEMPLATES, out_dir=tmp_path, versions=2, seed=0, interactive=True):
        if page.suffix == ".html":
            widths = set(re.findall(r'class="blank(?:-input)?"[^>]*style="width: ([\d.]+)em"', page.read_text(encoding="utf-8")))
            assert len(widths) == 1, (page.name, widths)
    reasons = next(i for i in version.items if i.question.type == "reasons")
    assert [label for label, _ in reasons.lines] == ["理由（1）", "理由（2）", "理由（3）"]  # the stem states the conclusion
    basic = {i.question.id: sum(n for _, n in i.lines) for i in version.items if i.question.type == "basic"}
    assert basic["xh-t-data-loop:term-basic"] > basic["xh-f-first-customer:fact-basic"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=-(2**40), max_value=2**40), versions=st.integers(min_value=1, max_value=4))
def test_shuffles_are_permutations_with_one_right_answer(seed, versions):
    qset = golden_set()
    for version in plan_versions(qset, versions=versions, seed=seed):
        assert sorted(i.question.id for i in version.items) == sorted(q.id for q in qset.questions)
        for item in version.items:
            q = item.question
            assert sorted(o.text for o in item.options) == sorted(q.options)
            assert [o.letter for o in item.options] == [version_label(i) for i in range(len(q.options))]
            if q.type in CHOICE_TYPES:
                assert sum(o.correct for o in item.options) == 1
                assert next(o.text for o in item.options if o.correct) == q.options[q.correct]


def test_version_labels():
    assert [version_label(i) for i in (0, 1, 25, 26, 27, 99)] == ["A", "B", "Z", "AA", "AB", "CV"]


# --- untrusted content ------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "</textarea><b>bold</b>",
    "{{ 7*7 }} {% if 1 %}x{% endif %}",
    "</script><script>alert(3)</script>",
    "&amp; & < > \" '",
    "\u2028line\u2029sep",
]


def hostile_set(base: QuestionSet) -> QuestionSet:
    """Every text field of every question, and the set title, carrying markup and template syntax."""
    bad = " ".join(HOSTILE)
    questions = []
    for q in base.questions:
        ref = dataclasses.replace(q.ref, **{"source_title": bad, "section_title": bad, "speaker_name": bad, "evidence": bad,
                                       "paragraph_id": "p<1>"})
        update: dict = {"title": q.title + HOSTILE[0], "instructions": bad, "prompt": bad + q.prompt,
                        "explanation": bad, "ref": ref, "accept": (*q.accept, bad)}
        if q.type in ("mcq", "who", "order"):
            update["options"] = tuple(f"{o}{HOSTILE[i % len(HOSTILE)]}" for i, o in enumerate(q.options))
            if q.type == "order":
                update["steps"] = tuple(update["options"][i] for i in q.order)
        if q.type in ("basic", "typed", "reasons"):
            update["answer"] = bad + q.answer
        if q.type == "cloze":
            assert q.cloze_start is not None and q.cloze_end is not None and q.cloze_text is not None
            text = bad + q.cloze_text
            update.update(cloze_text=text, cloze_start=q.cloze_start + len(bad), cloze_end=q.cloze_end + len(bad))
        questions.append(dataclasses.replace(q, **update))
    return base.model_copy(update={"title": bad, "questions": tuple(questions)})


def test_hostile_content_renders_as_text(small_set, tmp_path):
    qset = hostile_set(small_set)
    for path in render(qset, tmp_path, versions=2):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img" not in text and "<b>bold" not in text, path.name
        assert "</textarea><b>" not in text
        assert "49" not in re.sub(r"\d{3,}", "", text)  # {{ 7*7 }} was not evaluated
        doc = parse_html(text)
        for node in doc.iter():
            assert not any(name.startswith("on") for name in node.attrs), f"{path.name}: <{node.tag} {node.attrs}>"
        assert HOSTILE[0] in doc.find("title").text
        assert "{{ 7*7 }}" in doc.find(cls="exam-title").text
        scripts = doc.find_all("script")
        if path.name.endswith("interactive.html"):
            assert [s.attrs.get("type") for s in scripts] == ["application/json", None]
            raw = text.split('<script type="application/json" id="quiz-data">', 1)[1].split("</script>", 1)[0]
            assert "<" not in raw and ">" not in raw and "&" not in raw
            data = json.loads(raw)
            typed = next(q for q in data["questions"] if q["type"] == "typed")
            assert " ".join(HOSTILE) in typed["answers"]
        else:
            assert scripts == []


def test_csp_pins_the_inline_script(small_set, tmp_path):
    import base64
    import hashlib

    page = render(small_set, tmp_path, versions=1)[-1].read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp
    script = page.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert not re.search(r"(src|href)=\"?(https?:)?//", page), "no external URL in the page"
    assert "http://" not in page and "https://" not in page.replace("https://example.com", "")


# --- errors -----------------------------------------------------------------------------------


def test_missing_template_names_the_searched_path(small_set, tmp_path):
    with pytest.raises(ContentError) as err:
        write_quiz(small_set, templates_dir=tmp_path / "templates", out_dir=tmp_path / "out", versions=1, seed=0)
    message = str(err.value)
    assert "print.html.j2" in message and str(Path("templates") / "quiz") in message
    assert not (tmp_path / "out").exists()


def test_missing_included_template_is_named_too(small_set, tmp_path):
    shutil.copytree(TEMPLATES / "quiz", tmp_path / "templates" / "quiz")
    (tmp_path / "templates" / "quiz" / "quiz.css").unlink()
    with pytest.raises(ContentError, match=r"quiz\.css"):
        write_quiz(small_set, templates_dir=tmp_path / "templates", out_dir=tmp_path / "out", versions=1, seed=0)


def test_template_syntax_error_points_at_the_line(small_set, tmp_path):
    shutil.copytree(TEMPLATES / "quiz", tmp_path / "templates" / "quiz")
    footer = tmp_path / "templates" / "quiz" / "macros.html.j2"
    footer.write_text(footer.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        write_quiz(small_set, templates_dir=tmp_path / "templates", out_dir=tmp_path / "out", versions=1, seed=0)
    assert err.value.problems[0].file.endswith("macros.html.j2") and err.value.problems[0].line


def test_pdf_without_chromium_is_a_clear_error_and_writes_nothing(small_set, tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZGEN_CHROMIUM", "no-such-chromium-here")
    with pytest.raises(ToolMissingError, match=r"apt-get install chromium fonts-noto-cjk"):
        write_quiz(small_set, templates_dir=TEMPLATES, out_dir=tmp_path / "out", versions=2, seed=0, interactive=True, pdf=True)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_broken_question_is_a_content_error(small_set, tmp_path):
    q = next(q for q in small_set.questions if q.type == "mcq")
    broken = small_set.model_copy(update={"questions": (dataclasses.replace(q, correct=9),)})
    with pytest.raises(ContentError, match=r"valid `correct` index"):
        write_quiz(broken, templates_dir=TEMPLATES, out_dir=tmp_path, versions=1, seed=0)


def test_a_failed_run_keeps_earlier_outputs(small_set, tmp_path, monkeypatch):
    out = tmp_path / "out"
    before = {p: p.read_bytes() for p in render(small_set, out, versions=2)}
    monkeypatch.setenv("QUIZGEN_CHROMIUM", "no-such-chromium-here")
    with pytest.raises(ToolMissingError):
        write_quiz(small_set, templates_dir=TEMPLATES, out_dir=out, versions=2, seed=99, interactive=True, pdf=True)
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.name for p in out.iterdir()) == sorted([*(p.name for p in before), "xh-mini-key.csv"])  # no temp files left behind


# --- CLI --------------------------------------------------------------------------------------


def test_cli_quiz_on_a_set_file(tmp_path):
    result = CliRunner().invoke(app, ["quiz", str(GOLDEN / "set.yaml"), "--out", str(tmp_path), "--versions", "3",
                                      "--interactive", "--templates", str(TEMPLATES)])
    assert result.exit_code == 0, result.output
    names = ["xh-mini-A.html", "xh-mini-B.html", "xh-mini-C.html", "xh-mini-key.csv", "xh-mini-interactive.html"]
    assert result.stdout.splitlines() == [f"wrote {tmp_path / 'xh-mini' / n}" for n in names]
    assert result.stderr == ""
    assert sorted(p.name for p in (tmp_path / "xh-mini").iterdir()) == sorted(names)


def test_cli_quiz_on_a_recipe(tmp_path):
    result = CliRunner().invoke(app, ["quiz", str(SECOND / "decks" / "second.toml"), "--content", str(SECOND / "content"),
                                      "--decks", str(SECOND / "decks"), "--templates", str(TEMPLATES), "--out", str(tmp_path),
                                      "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"wrote {tmp_path / 'xh-lin-interview' / n}" for n in ("xh-lin-interview-A.html", "xh-lin-interview-key.csv")]


def test_cli_quiz_reports_a_missing_template(tmp_path):
    result = CliRunner().invoke(app, ["quiz", str(GOLDEN / "set.yaml"), "--out", str(tmp_path), "--templates", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and "print.html.j2" in result.stderr and "nowhere" in result.stderr
    assert "Traceback" not in result.stderr


def test_questions_unchanged_model_fields():
    """The renderer relies on these fields; fail loudly here (not in a template) if the models move."""
    for name in ("id", "type", "title", "instructions", "points", "prompt", "answer", "accept", "options", "correct",
                 "cloze_text", "cloze_start", "cloze_end", "steps", "order", "explanation", "ref"):
        assert name in {f.name for f in dataclasses.fields(Question)}
    for name in ("source_id", "source_title", "section_title", "paragraph_id", "speaker_name", "evidence"):
        assert name in {f.name for f in dataclasses.fields(SourceRef)}


def test_source_line_shows_outlet_and_date_when_the_set_carries_them():
    """SourceRef has no outlet or date yet; once it does (source_outlet, source_date), the line shows them."""
    import datetime as dt
    from types import SimpleNamespace

    from quizgen.outputs.quiz.html import source_lines

    def question(source_id, title, **extra):
        return SimpleNamespace(ref=SimpleNamespace(source_id=source_id, source_title=title, **extra))

    qset = SimpleNamespace(questions=[question("a", "甲", source_outlet="硬科技观察", source_date=dt.date(2025, 3, 18)),
                                      question("b", "乙"), question("a", "甲")])
    assert source_lines(qset) == ["甲（硬科技观察，2025年3月18日）", "乙"]
