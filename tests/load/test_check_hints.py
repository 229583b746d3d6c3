"""`quizgen check` says what to change: the paragraph that has the span, the closest name, every item at once, warnings."""

from __future__ import annotations

import re

from conftest import Workspace, assert_problems, insert_after, line_of, replace_once

from quizgen.load.hints import numbers_in_answer, value_mismatch


def test_span_found_in_another_paragraph(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    replace_once(bank, "    paragraph: p006\n", "    paragraph: p005\n")  # xh-q-trust now cites p005, its text is in p006
    line = line_of(bank, "    text: 硬件可以被模仿")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: text: item xh-q-trust: not in paragraph p005 but verbatim in p006; "
                                "did you mean paragraph: p006?")


def test_misspelled_field_gets_the_closest_name(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    line = replace_once(bank, "    comparison: 今年计划交付 5000 台。\n", "    comparision: 今年计划交付 5000 台。\n")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: items.0.comparision: unknown field; did you mean 'comparison'? otherwise remove it")


def test_misspelled_tag_and_speaker(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    tag_line = replace_once(bank, "    tags: [data]\n", "    tags: [datta]\n")
    speaker_line = insert_after(bank, "    tags: [datta]", "    speaker: lim")
    assert_problems(
        ws.check(),
        f"{ws.rel(bank)}:{tag_line}: tags: item xh-t-data-loop: unknown tag 'datta'; did you mean 'data'? add it to tags.yaml or use a listed one",
        f"{ws.rel(bank)}:{speaker_line}: speaker: item xh-t-data-loop: unknown speaker 'lim'; did you mean 'lin'? use one of host, lin",
    )


def test_every_item_is_checked_after_one_fails_its_schema(ws: Workspace) -> None:
    """A schema error in one item used to hide every other item's problems until the next run."""
    bank = ws.bank / "02-scale.yaml"
    value_line = replace_once(bank, "    value: 1200\n", "    value: 一千二\n")
    evidence_line = replace_once(bank, "    evidence: 今年计划交付 5000 台\n", "    evidence: 今年计划交付 5000台\n")
    assert_problems(
        ws.check(),
        f"{ws.rel(bank)}:{value_line}: items.0.value: Input should be a valid number, unable to parse string as a number",
        f"{ws.rel(bank)}:{evidence_line}: evidence: item xh-f-plan-this-year: not found verbatim in paragraph p005: it differs only in spaces; "
        "copy the span exactly from source.yaml",
    )


def test_value_must_be_the_answers_number(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    line = replace_once(bank, "    value: 1200\n", "    value: 120\n")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: value: item xh-f-delivered-last-year: value 120 is not the number in answer "
                                "'1200 台' (1200); make `value` the number the answer states (with 万/亿 multiplied out)")


def test_numbers_in_answers() -> None:
    assert value_mismatch(200, "20 个线程")
    for value, answer in [(100000, "10 万倍"), (10, "10 万倍"), (2, "两到三倍"), (3, "两到三倍"), (4, "两、三、四倍"), (1.5, "一个半小时"),
                          (2.5e8, "2.5 亿"), (32000, "3.2 万名员工"), (1e9, "十亿倍"), (100000, "十万个"), (1, "大约一个月"), (7, "七成")]:
        assert value_mismatch(value, answer) is None, (value, answer)
    assert numbers_in_answer("三亿五千万") == [350_000_000]
    assert numbers_in_answer("没有数字") == []


def test_recipes_with_the_same_deck_id_or_output(ws: Workspace) -> None:
    other = ws.decks / "third.toml"
    text = ws.recipe.read_text(encoding="utf-8")
    other.write_text(text.replace('output = "xh-lin-interview"', 'output = "xh-lin-other"'), encoding="utf-8")
    twin = ws.decks / "twin.toml"
    twin.write_text(text.replace("deck_id = 1742000000001", "deck_id = 1742000000002"), encoding="utf-8")
    assert_problems(
        ws.check(),
        f"decks/third.toml:{line_of(other, 'deck_id =')}: deck_id: deck id 1742000000001 is also used by decks/second.toml; "
        "Anki would merge the two decks: pick another number",
        f"decks/twin.toml:{line_of(twin, 'output =')}: output: output name 'xh-lin-interview' is also used by decks/second.toml; "
        "give each recipe its own output",
    )


def test_empty_bank_file_is_an_error(ws: Workspace) -> None:
    (ws.bank / "03-empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    (ws.bank / "04-no-items.yaml").write_text("section: scale\nitems: []\n", encoding="utf-8")
    assert_problems(
        ws.check(),
        f"{ws.rel(ws.bank / '03-empty.yaml')}:1: items: no items: this file would add nothing to any deck; "
        "add items (see docs/how-to/add-a-source.md) or delete the file",
        f"{ws.rel(ws.bank / '04-no-items.yaml')}:2: items: no items: this file would add nothing to any deck; "
        "add items (see docs/how-to/add-a-source.md) or delete the file",
    )


def test_missing_article_and_userdict_are_warnings(ws: Workspace) -> None:
    (ws.source_dir / "article.md").unlink()
    (ws.source_dir / "userdict.txt").unlink()
    result = ws.check()
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")
    assert result.stderr.splitlines() == [
        "warning: content/xh-lin-2025/article.md: article: not found; keep the published article beside source.yaml so its split can be re-checked",
        "warning: content/xh-lin-2025/userdict.txt: userdict: not found; without it jieba may cut names and terms in half in cloze blanks "
        "(see docs/how-to/add-a-source.md)",
    ]


def test_source_yaml_that_drifted_from_the_article_is_named(ws: Workspace) -> None:
    replace_once(ws.source_yaml, "去年我们交付了 1200 台", "去年我们交付了 1300 台")
    replace_once(ws.bank / "02-scale.yaml", "    evidence: 去年我们交付了 1200 台\n", "    evidence: 去年我们交付了 1300 台\n")
    result = ws.check()
    assert result.exit_code == 0, result.output
    line = line_of(ws.source_dir / "article.md", "去年我们交付了 1200 台")
    assert re.fullmatch(rf"warning: content/xh-lin-2025/source.yaml: sections: paragraph p005 differs from article.md line {line} "
                        r"\(source.yaml has '300 台，今年计划', the article '200台今年计划交付'\); paragraph text must be the article's words: .*\n", result.stderr)
