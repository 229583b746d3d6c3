"""Quality rules (quizgen/check/quality.py): each rule fires on a small bad item, at the item's field line, with its id;
waivers silence a rule knowingly and are themselves checked; --quality-report counts every rule."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import SECOND, TEMPLATES, invoke

from quizgen.check.quality import RULES
from quizgen.text.answers import needs_normalising, normalize_answer, same_answer

# One bad item per rule, in a bank file of its own (no section: items may cite any paragraph).
BAD_BANK = """\
items:
  - id: q-key-long
    kind: fact
    paragraph: p002
    question: 林远舟说仓库有什么特点？
    answer: 仓库里的路线是固定的
    answer_type: other
    statement: 林远舟指出，在他看来，仓库里的路线是固定的这一点很重要。
    evidence: 仓库里的路线是固定的
    distractors: [价格便宜, 速度很快, 外形好看]

  - id: q-key-punct
    kind: fact
    paragraph: p002
    question: 林远舟举了仓库的哪两个特点？
    answer: 路线固定、货架标准
    answer_type: other
    statement: 林远舟认为仓库的优势在于路线固定、货架标准这两点。
    evidence: 仓库里的路线是固定的，货架高度是标准的
    distractors: [价格便宜许多, 速度快了很多, 外形十分好看]

  - id: q-unit
    kind: fact
    paragraph: p002
    question: 青禾物流让星衡试了多久？
    answer: 三个月
    answer_type: number
    value: 3
    unit: 月
    statement: 星衡在青禾物流的嘉兴仓库试用了三个月时间。
    evidence: 他们在嘉兴的仓库让我们试了三个月
    distractors: [三周, 半年, 一年]

  - id: q-accepted
    kind: fact
    paragraph: p002
    question: 星衡的第一个客户是谁？
    answer: 青禾物流
    answer_type: company
    statement: 星衡拿下的头一个客户是青禾物流。
    evidence: 我们的第一个客户是青禾物流
    accept: [青禾, 青禾・物流]
    distractors: [青禾, 顺川快运, 北辰仓储, 远帆供应链]

  - id: q-in-statement
    kind: fact
    paragraph: p002
    question: 星衡最早的客户是哪家公司？
    answer: 青禾物流
    answer_type: company
    statement: 星衡的第一个客户是青禾物流，而不是顺川快运。
    evidence: 我们的第一个客户是青禾物流
    distractors: [顺川快运, 远帆供应链, 北辰仓储]

  - id: q-self-answer
    kind: fact
    paragraph: p003
    question: 首席科学家沈知微以前做什么研究，沈知微是谁？
    answer: 沈知微
    answer_type: person
    statement: 星衡的首席科学家由沈知微担任。
    evidence: 我们的首席科学家沈知微以前在高校做了十年的运动控制研究
    distractors: [陈启明, 王若溪, 赵一鸣]

  - id: q-term
    kind: term
    paragraph: p005
    term: 数据回流
    definition: 把每台机器的运行数据传回来改进下一批。
    evidence: 我们内部把这叫做「数据回流」

  - id: q-false
    kind: fact
    paragraph: p005
    question: 星衡今年计划交付多少台？
    answer: 5000 台
    answer_type: number
    value: 5000
    unit: 台
    statement: 按照计划，星衡今年要交付的机器人是 5000 台。
    evidence: 今年计划交付 5000 台
    distractors: [2000 台, 3000 台, 8000 台]
    false_statement: 按照计划，星衡今年要交付的机器人是 3000 台。

  - id: q-order
    kind: argument
    paragraph: p005
    claim: 数据回流让下一代机器更好。
    question: 为什么机器在现场跑得越多，下一代就越好？
    reasons:
      - 首先，每台机器的运行数据都传回来。
      - 其次，这些数据用来改进下一批。
    conclusion: 最后，机器在现场跑得越多，下一代就越好。
    sequential: true
    evidence: 用来改进下一批

  - id: q-restate
    kind: argument
    paragraph: p006
    claim: 大公司模仿不了现场的数据和客户的信任。
    question: 林远舟为什么不担心大公司进来？
    reasons:
      - 大公司模仿不了现场的数据和客户的信任。
      - 星衡比别人更早把机器人放进真实的仓库。
    conclusion: 所以他不担心大公司进来。
    evidence: 我不担心大公司进来

  - id: q-echo
    kind: fact
    paragraph: p005
    question: 星衡去年交付了多少台机器人？
    answer: 1200 台
    answer_type: number
    value: 1200
    unit: 台
    statement: 据林远舟介绍，星衡在去年一共交付了 1200 台机器人。
    evidence: 去年我们交付了 1200 台
    distractors: [800 台, 2000 台, 3000 台]
    explanation: 据林远舟介绍，星衡在去年一共交付了 1200 台机器人。

  - id: q-lone
    kind: fact
    paragraph: p002
    question: 林远舟怎么评价人形机器人的价格？
    answer: 贵
    answer_type: other
    statement: 林远舟说，人形机器人很贵，但离干活还远。
    evidence: 人形机器人很酷，但离真正干活还很远

  - id: q-list
    kind: fact
    paragraph: p002
    question: 仓库的特点除了路线固定还有什么？
    answer: 货架标准
    answer_type: other
    statement: 仓库的特点包括路线固定、货架标准和客户算账清楚。
    evidence: 货架高度是标准的

  - id: q-cloze-list
    kind: fact
    paragraph: p002
    question: 林远舟说，仓库的哪两点让机器人容易落地？
    answer: 路线固定和货架标准
    answer_type: other
    statement: 林远舟说，仓库的路线固定和货架标准让机器人容易落地。
    evidence: 仓库里的路线是固定的，货架高度是标准的
"""

# (rule, item, field): every one must be reported at that field's line of its item
EXPECTED = [
    ("mcq-key-length", "q-key-long", "distractors"),
    ("mcq-key-punct", "q-key-punct", "distractors"),
    ("mcq-unit", "q-unit", "distractors"),
    ("distractor-accepted", "q-accepted", "distractors"),
    ("answer-form", "q-accepted", "accept"),
    ("distractor-in-statement", "q-in-statement", "distractors"),
    ("prompt-contains-answer", "q-self-answer", "question"),
    ("term-self-naming", "q-term", "definition"),
    ("tf-false-uncontradicted", "q-false", "false_statement"),
    ("order-ordinal-labels", "q-order", "reasons"),
    ("reasons-restate-claim", "q-restate", "reasons"),
    ("explanation-echo", "q-echo", "explanation"),
    ("cloze-stop-word", "q-lone", "answer"),
    ("cloze-context", "q-list", "answer"),
    ("cloze-list", "q-cloze-list", "answer"),
]

PROBLEM = re.compile(r"error: (?P<file>[^:]+):(?P<line>\d+): (?P<field>[\w.]+): \[(?P<rule>[a-z-]+)\] item (?P<item>[\w-]+): .+")


def _field_line(text: str, item: str, field: str) -> int:
    lines = text.splitlines()
    start = lines.index(f"  - id: {item}")
    for n in range(start + 1, len(lines)):
        if lines[n].startswith(f"    {field}:"):
            return n + 1
        if lines[n].startswith("  - id:"):
            break
    return start + 1


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, dict]:
    root = tmp_path_factory.mktemp("quality") / "ws"
    shutil.copytree(SECOND, root)
    (root / "content/xh-lin-2025/bank/03-bad.yaml").write_text(BAD_BANK, encoding="utf-8")
    old = os.getcwd()
    os.chdir(root)
    try:
        result = invoke("check", "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks",
                        "--quality-report", "report.json")
        report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    finally:
        os.chdir(old)
    assert result.exit_code == 1 and "Traceback" not in result.output
    return root, result.stdout, result.stderr, report


@pytest.mark.parametrize(("rule", "item", "field"), EXPECTED, ids=[f"{r}:{i}" for r, i, _ in EXPECTED])
def test_rule_fires_at_the_items_field(bad, rule: str, item: str, field: str) -> None:
    _, _, stderr, _ = bad
    hits = [m for m in map(PROBLEM.fullmatch, stderr.splitlines()) if m and m["rule"] == rule and m["item"] == item]
    assert hits, f"[{rule}] not reported for {item}:\n{stderr}"
    assert hits[0]["file"] == "content/xh-lin-2025/bank/03-bad.yaml"
    assert hits[0]["field"] == field
    assert int(hits[0]["line"]) == _field_line(BAD_BANK, item, field)


def test_every_problem_line_names_a_known_rule(bad) -> None:
    _, _, stderr, _ = bad
    for line in stderr.splitlines():
        m = PROBLEM.fullmatch(line)
        assert m and m["rule"] in RULES, line


def test_quality_report_counts_every_rule_even_when_check_fails(bad) -> None:
    _, _, stderr, report = bad
    assert set(report["rules"]) == set(RULES)
    assert report["items"] == 8 + BAD_BANK.count("  - id: ")
    assert sum(report["question_types"].values()) == report["questions"] and report["question_types"]["mcq"] > 0
    fired = {r for r, v in report["rules"].items() if v["fired"]}
    assert {rule for rule, _, _ in EXPECTED} <= fired
    for rule, counts in report["rules"].items():
        reported = sum(1 for m in map(PROBLEM.fullmatch, stderr.splitlines()) if m and m["rule"] == rule)
        assert counts["fired"] >= reported  # question rules count every question, problems are one per item and field


def test_clean_fixture_passes_with_a_note_about_importance(ws) -> None:
    result = ws.check(["--quality-report", "q.csv"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert re.search(r"note: 8 item\(s\) have no `importance`", result.stdout)
    rows = list(csv.reader((ws.root / "q.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["rule", "fired", "waived"]
    assert {r[0] for r in rows[1:]} >= set(RULES)
    assert all(r[1] == "0" for r in rows[1:] if r[0] in RULES)


# --- waivers ----------------------------------------------------------------------------------


def _with_bank(ws, text: str) -> Path:
    path = ws.bank / "03-w.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ITEM = """\
items:
  - id: w-term
    kind: term
    paragraph: p005
    term: 数据回流
    definition: 把每台机器的运行数据传回来改进下一批。
    evidence: 我们内部把这叫做「数据回流」
"""


def test_a_waiver_with_a_reason_silences_its_rule_and_is_counted(ws) -> None:
    _with_bank(ws, ITEM + '    waive: {term-self-naming: "数据 is the genus here; the options are all about data"}\n')
    result = ws.check(["--quality-report", "q.json"])
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    report = json.loads((ws.root / "q.json").read_text(encoding="utf-8"))
    assert report["rules"]["term-self-naming"] == {"fired": 0, "waived": 1}  # term-basic (too few terms for term-mcq)


def test_unused_unknown_and_unexplained_waivers_are_problems(ws) -> None:
    path = _with_bank(ws, ITEM + '    waive: {term-self-naming: "", mcq-unit: "no figures", no-such-rule: "x"}\n')
    result = ws.check()
    line = _field_line(path.read_text(encoding="utf-8"), "w-term", "waive")
    where = f"content/xh-lin-2025/bank/03-w.yaml:{line}: waive:"
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert f"error: {where} [waiver-no-reason] item w-term: say why term-self-naming does not apply" in errors
    assert f"error: {where} [waiver-unused] item w-term: rule mcq-unit does not fire on this item; remove the waiver" in errors
    assert any(e.startswith(f"error: {where} [waiver-unused]") and "'no-such-rule'" in e for e in errors)
    assert not any("[term-self-naming]" in e for e in errors)


# --- rules on generated questions -------------------------------------------------------------


def test_mcq_rules_see_the_automatic_distractors(ws) -> None:
    """A company fact without curated distractors gets options from the other companies: the rule judges those."""
    path = _with_bank(ws, """\
items:
  - id: auto-long
    kind: fact
    paragraph: p002
    question: 星衡在哪里做了第一次试用？
    answer: 青禾物流在嘉兴的那座仓库里面
    answer_type: company
    statement: 星衡的第一次试用在青禾物流在嘉兴的那座仓库里面进行。
    evidence: 他们在嘉兴的仓库让我们试了三个月
  - id: auto-1
    kind: fact
    paragraph: p002
    question: 第 1 个客户？
    answer: 顺川快运
    answer_type: company
    statement: 据说星衡的客户里有顺川快运。
    evidence: 我们的第一个客户是青禾物流
  - id: auto-2
    kind: fact
    paragraph: p002
    question: 第 2 个客户？
    answer: 远帆物流
    answer_type: company
    statement: 据说星衡的客户里有远帆物流。
    evidence: 我们的第一个客户是青禾物流
  - id: auto-3
    kind: fact
    paragraph: p002
    question: 第 3 个客户？
    answer: 北辰仓储
    answer_type: company
    statement: 据说星衡的客户里有北辰仓储。
    evidence: 我们的第一个客户是青禾物流
""")
    result = ws.check()
    text = path.read_text(encoding="utf-8")
    assert f"content/xh-lin-2025/bank/03-w.yaml:{_field_line(text, 'auto-long', 'id')}: distractors: [mcq-key-length] item auto-long:" in result.stderr


@pytest.mark.parametrize("statement", [
    "沈知微以前在高校做了十年的运动控制研究。",  # the sentence itself
    "沈知微过去在高校做了十年的运动控制研究。",  # one word swapped: a verbatim run of 3/4 of it
    "沈知微以前在高校里研究了十年的运动控制。",  # the text's words reshuffled: runs under half, bigrams 83 %
])
def test_true_statement_copied_from_the_text_is_reported_on_a_true_tf_question(ws, statement: str) -> None:
    import random

    # pick an id whose true/false question comes out true (the choice is a hash of the question id)
    item_id = next(i for i in (f"copy-{n}" for n in range(50)) if random.Random(f"tf:{i}:fact-tf").random() < 0.5)
    path = _with_bank(ws, f"""\
items:
  - id: {item_id}
    kind: fact
    paragraph: p003
    question: 沈知微以前在高校做了多少年研究？
    answer: 十年
    answer_type: number
    value: 10
    unit: 年
    statement: {statement}
    evidence: 我们的首席科学家沈知微以前在高校做了十年的运动控制研究
    distractors: [五年, 八年, 二十年]
""")
    result = ws.check()
    line = _field_line(path.read_text(encoding="utf-8"), item_id, "statement")
    assert f"03-w.yaml:{line}: statement: [tf-true-verbatim] item {item_id}:" in result.stderr


def test_false_statement_must_name_a_contradicted_change(ws) -> None:
    base = """\
items:
  - id: fs
    kind: fact
    paragraph: p005
    question: 星衡今年计划交付多少台？
    answer: 5000 台
    answer_type: number
    value: 5000
    unit: 台
    statement: 按照计划，星衡今年要交付的机器人是 5000 台。
    evidence: 今年计划交付 5000 台
    distractors: [2000 台, 3000 台, 8000 台]
    false_statement: 按照计划，星衡今年要交付的机器人是 3000 台。
"""
    _with_bank(ws, base + "    false_detail: 3000 台\n    contradicts: 计划交付 5000 台\n")
    assert ws.check().stderr == ""
    _with_bank(ws, base + "    false_detail: 3000 台\n    contradicts: 计划交付 6000 台\n")
    assert "contradicts '计划交付 6000 台' is not in the evidence" in ws.check().stderr
    _with_bank(ws, base.replace("3000 台。", "5000 台，而不是 3000 台。") + "    false_detail: 5000 台\n    contradicts: 5000 台\n")
    assert "the evidence itself says '5000 台': the change is not contradicted" in ws.check().stderr


# --- key points -------------------------------------------------------------------------------


def test_core_items_and_key_points(ws) -> None:
    kp = ws.source_dir / "keypoints.yaml"
    kp.write_text("keypoints:\n  - id: data-loop\n    text: 数据回流让下一代更好\n    paragraphs: [p005]\n"
                  "  - id: trust\n    text: 信任模仿不了\n    paragraphs: [p006]\n", encoding="utf-8")
    bank = ws.bank / "02-scale.yaml"
    text = bank.read_text(encoding="utf-8")
    text = text.replace("  - id: xh-q-trust\n    kind: quote\n    paragraph: p006\n",
                        "  - id: xh-q-trust\n    kind: quote\n    paragraph: p006\n    importance: core\n    keypoint: trust\n")
    text = text.replace("  - id: xh-f-delivered-last-year\n    kind: fact\n    paragraph: p005\n",
                        "  - id: xh-f-delivered-last-year\n    kind: fact\n    paragraph: p005\n    importance: core\n    keypoint: trust\n")
    bank.write_text(text, encoding="utf-8")
    result = ws.check()
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert "error: content/xh-lin-2025/keypoints.yaml:2: id: [keypoint-uncovered] key point 'data-loop' has no core item; " \
           "mark an item that tests it `importance: core` with `keypoint: data-loop`" in errors
    assert any("[keypoint-paragraph] item xh-f-delivered-last-year: paragraph p005 is not one of key point trust's (p006)" in e for e in errors)
    assert len(errors) == 2, errors


# --- normalising answers ----------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [
    ("伊隆・马斯克", "伊隆·马斯克"), ("伊隆･马斯克", "伊隆 · 马斯克"), ("ＮＶＩＤＩＡ", "nvidia"), ("１０ 万倍", "10万倍"),
    ("「OpenAI」。", "openai"), ("Grace Blackwell", "graceblackwell"),
])
def test_normalize_answer_equates_what_learners_type(a: str, b: str) -> None:
    assert same_answer(a, b)
    assert normalize_answer(a) == normalize_answer(b)


def test_normalize_answer_keeps_different_answers_apart() -> None:
    assert not same_answer("10 万倍", "100 万倍")
    assert not same_answer("反乌托邦", "乌托邦")


def test_needs_normalising_names_the_problem() -> None:
    assert needs_normalising("伊隆・马斯克") and needs_normalising("ＧＰＵ")
    assert needs_normalising("伊隆·马斯克") is None and needs_normalising("GPU 10 倍") is None


def test_the_item_writing_guide_lists_every_rule_with_a_rationale() -> None:
    readme = (Path(__file__).resolve().parents[2] / "docs" / "how-to" / "write-good-items.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert re.search(rf"^\| `{re.escape(rule)}` \| .+ \|$", readme, re.M), rule


# --- give-aways across the set (issue 18) ------------------------------------------------------


def test_a_date_key_against_one_character_distractors_is_refused(ws) -> None:
    path = _with_bank(ws, """\
items:
  - id: w-date
    kind: fact
    paragraph: p002
    question: 星衡是哪一天创业的？
    answer: 10 月 4 日
    answer_type: date
    statement: 星衡在 10 月 4 日创业。
    evidence: 我们在 2019 年创业的时候就想清楚了
    distractors: [甲, 乙, 丙]
""")
    result = ws.check()
    line = _field_line(path.read_text(encoding="utf-8"), "w-date", "distractors")
    assert f"03-w.yaml:{line}: distractors: [mcq-key-length] item w-date: in fact-mcq the key '10 月 4 日' is much longer" in result.stderr
    assert f"03-w.yaml:{line}: distractors: [mcq-key-shape] item w-date: in fact-mcq the key '10 月 4 日' is the only option that is a figure or date" in result.stderr


def test_a_name_key_among_descriptions_is_refused(ws) -> None:
    path = _with_bank(ws, """\
items:
  - id: w-client
    kind: fact
    paragraph: p002
    question: 星衡的第一个客户是谁？
    answer: 青禾物流
    answer_type: company
    statement: 星衡的第一个客户是青禾物流。
    evidence: 我们的第一个客户是青禾物流
    distractors: [嘉兴的一家仓库, 顺达快运, 一家做人形机器人的公司]
""")
    result = ws.check()
    line = _field_line(path.read_text(encoding="utf-8"), "w-client", "distractors")
    assert (f"03-w.yaml:{line}: distractors: [mcq-key-shape] item w-client: in fact-mcq the key '青禾物流' is a name but "
            "['一家做人形机器人的公司', '嘉兴的一家仓库'] are not") in result.stderr
    path.write_text(path.read_text(encoding="utf-8").replace("[嘉兴的一家仓库, 顺达快运, 一家做人形机器人的公司]", "[嘉兴仓储, 顺达快运, 华为物流]"), encoding="utf-8")
    assert "mcq-key-shape" not in ws.check().stderr


def test_a_distractor_in_the_statement_is_found_in_any_numeral(ws) -> None:
    _with_bank(ws, """\
items:
  - id: w-cards
    kind: fact
    paragraph: p005
    question: 林远舟说，去年交付了多少台？
    answer: 1200 台
    answer_type: number
    value: 1200
    unit: 台
    statement: 星衡机器人去年交付了 1200 台，比原计划的一千台多。
    evidence: 去年我们交付了 1200 台
    distractors: [1000 台, 800 台, 2000 台]
""")
    assert "[distractor-in-statement] item w-cards: in fact-mcq the option '1000 台' appears in the stem or the statement" in ws.check().stderr


def test_a_cloze_that_prints_its_answer_in_brackets_is_reported(ws) -> None:
    _with_bank(ws, """\
items:
  - id: w-alias
    kind: fact
    paragraph: p005
    question: 星衡把运行数据传回来的做法叫什么？
    answer: 数据回流
    answer_type: concept
    statement: 林远舟说，星衡把每台机器的数据传回来，内部叫做数据回流（data loop），用来改进下一批。
    evidence: 我们内部把这叫做「数据回流」
    accept: [data loop]
""")
    assert "[cloze-answer-shown] item w-alias: the sentence around the gap '数据回流' prints the answer as" in ws.check().stderr


@pytest.mark.parametrize("pick", ["", 'pick = "preferred"\nper_item = 1\n'])
def test_a_title_that_answers_a_question_of_the_deck_is_a_problem_of_the_recipe(ws, pick: str) -> None:
    """In a deck of every question and in a study deck (one card per item, where a card another card gives away gives
    way): the title's give-away is the recipe's to fix, never a card silently left out."""
    text = ws.recipe.read_text(encoding="utf-8")
    ws.recipe.write_text(text.replace('title = "星衡机器人林远舟访谈"', 'title = "星衡机器人：去年交付 1200 台"') + pick, encoding="utf-8")
    result = ws.check()
    assert result.exit_code == 1
    assert re.search(r"decks/second\.toml:\d+: title: \[set-leak\] xh-f-delivered-last-year:\S+: the title prints its answer 「1200 台」", result.stderr)


def test_the_quality_report_counts_blocked_pairs_and_true_false_per_recipe(ws) -> None:
    ws.recipe.write_text(ws.recipe.read_text(encoding="utf-8") + "count = 8\nper_item = 1\n", encoding="utf-8")
    result = ws.check(["--quality-report", "q.json"])
    sets = json.loads((ws.root / "q.json").read_text(encoding="utf-8"))["sets"]
    recipe = sets["decks/second.toml"]
    assert recipe["questions"] == 8 and recipe["tf_unbalanced"] == 0 and recipe["kept"] == 0
    seeds = sets["generate --count 20 (seeds 0-19)"]
    assert seeds["sets"] + seeds["failed"] == 20
    notes = [line for line in result.stdout.splitlines() if "left out" in line]
    assert len(notes) == recipe["blocked"]
    assert all(re.search(r"left out \S+:\S+: .*(\S+:\S+|title|header|deck)", n) for n in notes)


def test_the_shipped_recipes_leave_no_give_away() -> None:
    """The leak report over the shipped recipes and 20 seeds of generate: no give-away kept, every set balanced."""
    from quizgen.project.plan import plan_all

    root = Path(__file__).resolve().parents[2]
    plan = plan_all(root / "content", root / "templates", root / "decks")
    for where, found in plan.leaks:
        assert [x.line() for x in found if x.kept] == [], where
    for _, qset in plan.sets:
        from quizgen.generate.questions import tf_balanced

        assert tf_balanced(qset.questions), qset.output
