"""The quiz in a real browser: PDFs printed by headless Chromium read back with poppler, and the self-check page
driven with Playwright. Locally these skip (saying why) when Chromium or poppler is missing; under CI=true they fail."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest_browser import TEMPLATES, page_count, pages, pdf_font_names, require_chromium, require_poppler, run, second_source_set, squash
from writers import write_quiz

from quizgen.errors import OutputError
from quizgen.models import QuestionSet
from quizgen.outputs.quiz.layout import CHOICE_TYPES, plan_versions
from quizgen.outputs.quiz.pdf import FLAGS, PrintJob, print_pdfs

pytestmark = pytest.mark.browser

KEY_HEADING = "答案与解析"
SHEET_HEADING = "答题卡（"


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


@pytest.fixture(scope="module")
def poppler() -> None:
    require_poppler()


@pytest.fixture(scope="module")
def qset() -> QuestionSet:
    return second_source_set()


@pytest.fixture(scope="module")
def printed(chromium, poppler, qset, tmp_path_factory) -> dict[str, Path]:
    """Both versions of the second source's quiz, as HTML and PDF, through quizgen's own PDF path."""
    out = tmp_path_factory.mktemp("quiz")
    started = time.monotonic()
    paths = write_quiz(qset, templates_dir=TEMPLATES, out_dir=out, versions=2, seed=qset.seed, interactive=True, pdf=True)
    print(f"rendered and printed 2 versions in {time.monotonic() - started:.1f} s")
    assert [p.name for p in paths] == [f"{qset.output}-{n}" for n in ("A.html", "B.html", "key.csv", "interactive.html", "A.pdf", "B.pdf")]
    return {p.name.removeprefix(qset.output + "-"): p for p in paths}








def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


# --- PDFs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["A", "B"])
def test_pdf_is_a4_with_pages(printed, version):
    info = run("pdfinfo", str(printed[f"{version}.pdf"]))
    assert page_count(printed[f"{version}.pdf"]) >= 3  # exam, answer sheet, key
    assert "(A4)" in info




@pytest.mark.parametrize("version", ["A", "B"])
def test_a_cjk_font_is_embedded(printed, version):
    pdf = printed[f"{version}.pdf"]
    rows = run("pdffonts", str(pdf)).splitlines()[2:]
    assert rows, "no fonts in the PDF"
    # name type... emb sub uni object-id: columns counted from the right, names and types may hold spaces
    assert all(row.split()[-5] == "yes" for row in rows), "every font must be embedded:\n" + "\n".join(rows)
    named = [row for row in rows if re.search(r"Noto\S*CJK", row)]
    if not named:
        # Chromium (Skia) embeds CFF-flavoured OpenType fonts such as Noto CJK as Type 3 fonts, which pdffonts lists as
        # "[none]"; their font descriptors still carry the real name.
        assert all("Type 3" in row for row in rows if row.startswith("[none]"))
        names = pdf_font_names(pdf.read_bytes())
        named = sorted(n for n in names if re.search(r"Noto(Serif|Sans)CJK", n, re.I))
    assert named, f"no Noto CJK font embedded: {rows}"


@pytest.mark.parametrize("version", ["A", "B"])
def test_questions_are_extractable_text(printed, qset, version):
    text = squash("".join(pages(printed[f"{version}.pdf"])))
    for q in qset.questions:
        stem = q.cloze_parts[0] if q.type == "cloze" else q.prompt
        assert squash(stem) in text, q.id
    assert squash(qset.title) in text
    assert "姓名" in text and "班级" in text and "得分" in text


@pytest.mark.parametrize("version", ["A", "B"])
def test_no_question_is_split_across_pages(printed, qset, version):
    texts = [squash(t) for t in pages(printed[f"{version}.pdf"])]
    plan = plan_versions(qset, versions=2, seed=qset.seed)[ord(version) - ord("A")]
    for item in plan.items:
        q = item.question
        stem = squash(f"{item.number}．" + (q.cloze_parts[0] if q.type == "cloze" else q.prompt))
        on = [i for i, t in enumerate(texts) if re.search(rf"(?<!\d){re.escape(stem)}", t)]  # 3． is not 13．
        assert len(on) == 1, f"{version} #{item.number}: stem on pages {on}"
        for option in item.options:
            assert squash(f"{option.letter}．{option.text}") in texts[on[0]], f"{version} #{item.number}: {option.letter} on another page"
        if q.type == "cloze":
            assert squash(q.cloze_parts[2]) in texts[on[0]]


@pytest.mark.parametrize("version", ["A", "B"])
def test_answer_key_and_sheet_start_new_pages(printed, version):
    texts = pages(printed[f"{version}.pdf"])
    key_pages = [i for i, t in enumerate(texts) if first_line(t).startswith(KEY_HEADING)]
    assert len(key_pages) == 1, [first_line(t) for t in texts]
    k = key_pages[0]
    assert k > 0 and KEY_HEADING not in texts[k - 1]
    assert all(KEY_HEADING not in t for t in texts[:k])
    sheet_pages = [i for i, t in enumerate(texts) if first_line(t).startswith(SHEET_HEADING)]
    assert sheet_pages == [k - 1], "the answer sheet is the page right before the key"
    assert "单项选择题" in texts[0] and first_line(texts[0]) != KEY_HEADING


@pytest.mark.parametrize("version", ["A", "B"])
def test_page_numbers_on_every_page(printed, version):
    texts = pages(printed[f"{version}.pdf"])
    for n, text in enumerate(texts, 1):
        assert f"第{n}页/共{len(texts)}页" in squash(text), f"page {n}: {text[-200:]!r}"


def exam_blocks(exam_text: str, count: int) -> dict[int, str]:
    """Question number -> its text on the exam pages (squashed), cut at the next number."""
    flat = exam_text
    starts = []
    pos = 0
    for n in range(1, count + 1):
        match = re.compile(rf"(?m)^\s*{n}．").search(flat, pos)
        assert match, f"question {n} not found in the exam text"
        starts.append(match.start())
        pos = match.end()
    starts.append(len(flat))
    return {n: squash(flat[starts[n - 1]:starts[n]]) for n in range(1, count + 1)}


@pytest.mark.parametrize("version", ["A", "B"])
def test_each_versions_key_matches_its_own_order(printed, qset, version):
    texts = pages(printed[f"{version}.pdf"])
    k = next(i for i, t in enumerate(texts) if first_line(t).startswith(KEY_HEADING))
    exam = "".join(texts[: k - 1])
    key = squash("".join(texts[k:]))
    count = len(qset.questions)
    blocks = exam_blocks(exam, count)
    plan = plan_versions(qset, versions=2, seed=qset.seed)[ord(version) - ord("A")]
    by_id = {q.id: q for q in qset.questions}
    answers = re.findall(r"(\d+)．【答案】", key)
    assert [int(a) for a in answers] == list(range(1, count + 1))
    checked = 0
    for item in plan.items:
        q = by_id[item.question.id]
        block = blocks[item.number]
        stem = q.cloze_parts[0] if q.type == "cloze" else q.prompt
        assert squash(stem) in block, f"{version} #{item.number}: the exam shows another question"
        entry = key.split(f"{item.number}．【答案】", 1)[1]
        if q.type in CHOICE_TYPES:
            # the key says "C．text"; the exam's question n shows that very letter with that very text
            letter, text = re.match(r"([A-Z])．", entry).group(1), q.options[q.correct]
            assert entry.startswith(squash(f"{letter}．{text}")), f"{version} #{item.number}: {entry[:40]}"
            assert squash(f"{letter}．{text}") in block, f"{version} #{item.number}: key letter {letter} is not {text} on the exam"
            checked += 1
        elif q.type == "order":
            letters = re.match(r"((?:[A-Z]→)+[A-Z])", entry).group(1).split("→")
            for letter, step in zip(letters, q.steps, strict=True):
                assert squash(f"{letter}．{step}") in block, f"{version} #{item.number}: {letter} is not {step}"
            checked += 1
        else:
            assert entry.startswith(squash(q.answer)[:20]), f"{version} #{item.number}"
    assert checked >= 5


def test_a_hung_chromium_is_stopped(chromium):
    """The whole print run has a deadline; past it Chromium is killed and the error says so."""
    started = time.monotonic()
    with pytest.raises(OutputError, match="timed out"):
        print_pdfs([PrintJob("<!DOCTYPE html><p>x</p>", "<span></span>")], timeout=0.05)
    assert time.monotonic() - started < 15


def test_versions_print_differently(printed):
    a, b = (squash("".join(pages(printed[f"{v}.pdf"]))) for v in ("A", "B"))
    assert a != b


# --- the self-check page in a real browser --------------------------------------------------------


@pytest.fixture(scope="module")
def selfcheck_page(chromium, qset, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("selfcheck")
    return write_quiz(qset, templates_dir=TEMPLATES, out_dir=out, versions=1, seed=qset.seed, interactive=True)[-1]


def test_interactive_page_scores_offline(selfcheck_page, chromium, qset):
    from playwright.sync_api import sync_playwright

    page_path = selfcheck_page
    plan = plan_versions(qset, versions=1, seed=qset.seed)[0]
    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=[*FLAGS, "--disable-dev-shm-usage"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
            page.goto(page_path.as_uri())
            assert page.locator("#result").is_hidden()

            expected = 0
            by_type: dict[str, list] = {}
            for item in plan.items:
                by_type.setdefault(item.question.type, []).append(item)
            # choices: the first of each type right, the second wrong
            for qtype in CHOICE_TYPES:
                for i, item in enumerate(by_type.get(qtype, [])[:2]):
                    right = item.answer_letters[0]
                    letter = right if i == 0 else next(o.letter for o in item.options if o.letter != right)
                    page.locator(f"#q{item.number} input[value='{letter}']").check()
                    expected += item.question.points if i == 0 else 0
            # text answers: a right one with stray spaces, an accepted variant, a wrong one, an empty one
            cloze = by_type["cloze"]
            page.locator(f"#q{cloze[0].number} input[data-answer-input]").fill("  " + " ".join(cloze[0].question.cloze_parts[1]) + " ")
            expected += cloze[0].question.points
            with_accept = next(i for i in by_type["basic"] if i.question.accept)
            page.locator(f"#q{with_accept.number} [data-answer-input]").fill(with_accept.question.accept[-1])
            expected += with_accept.question.points
            typed = by_type["typed"][0]
            page.locator(f"#q{typed.number} [data-answer-input]").fill("完全不对的答案")
            unanswered = by_type["typed"][1]

            page.locator("#submit").click()
            result = page.locator("#result")
            result.wait_for(state="visible")
            assert int(result.get_attribute("data-score")) == expected
            assert int(result.get_attribute("data-total")) == plan.points
            assert result.inner_text().startswith(f"得分：{expected} / {plan.points}")
            self_graded = len(by_type.get("reasons", [])) + len(by_type.get("order", []))
            assert int(result.get_attribute("data-pending")) == self_graded

            # explanations are shown, with the verdicts
            assert page.locator(f"#q{typed.number} .verdict").inner_text().startswith("✗")
            assert page.locator(f"#q{cloze[0].number} .verdict").inner_text().startswith("✓")
            assert page.locator(f"#q{unanswered.number} .verdict").inner_text() == "✗ 未作答"
            assert page.locator(f"#q{typed.number} .key-answer").is_visible()  # the key: answer, evidence (an explanation only when it adds)
            assert page.locator(f"#q{typed.number} .evidence").is_visible()

            # self-grading a reasons question adds its points
            reasons = by_type["reasons"][0]
            page.locator(f"#q{reasons.number} textarea").fill("仓库愿意付钱；路线固定；人形机器人还远。所以先做仓储。")
            page.locator(f"#q{reasons.number} button[data-grade='full']").click()
            expected += reasons.question.points
            assert int(result.get_attribute("data-score")) == expected
            assert int(result.get_attribute("data-pending")) == self_graded - 1

            # reset clears everything
            page.locator("#reset").click()
            assert result.is_hidden()
            assert page.locator(f"#q{typed.number} .feedback").is_hidden()
        finally:
            browser.close()
    assert problems == []
    assert requests, "the page itself should be a recorded request"
    outside = [u for u in requests if not u.startswith("file://")]
    assert outside == [], f"the self-check page made requests outside file://: {outside}"


def test_hostile_content_stays_text_in_the_browser(chromium, tmp_path):
    """A bank full of markup and template syntax: nothing runs, everything shows literally, the page still scores."""
    from hostile import HOSTILE, make_hostile_content
    from playwright.sync_api import sync_playwright

    from quizgen.project.paths import Paths
    from quizgen.project.plan import resolve

    root = make_hostile_content(tmp_path / "h")
    paths = Paths(content=root / "content", templates=TEMPLATES, decks=root / "decks", out=tmp_path / "out")
    qset, _ = resolve(root / "decks" / "hostile.toml", paths)
    written = [p for p in write_quiz(qset, templates_dir=TEMPLATES, out_dir=tmp_path / "out", versions=2, seed=1, interactive=True)
               if p.suffix == ".html"]  # the key CSV beside them is not a page
    dialogs: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=[*FLAGS, "--disable-dev-shm-usage"])
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: problems.append(str(e)))
            for path in written:
                page.goto(path.as_uri())
                body = page.locator("body").inner_text()
                assert HOSTILE.split(" ")[0] in body, path.name  # <script>alert("x")</script> shown as text
                assert "{{c1::leak}}" in body and "</textarea>" in body
                assert page.locator("img").count() == 0 and page.locator("b, i").count() == 0
                assert page.locator("script:not([type]), script[type='text/javascript']").count() == (1 if "interactive" in path.name else 0)
            page.locator("#submit").click()
            assert page.locator("#result").get_attribute("data-score") == "0"
        finally:
            browser.close()
    assert dialogs == [] and problems == []
