"""`quizgen check`: the shipped bank passes; each kind of mistake is reported as one precise `file:line: field: message`."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import (
    BROKEN,
    PROJECT,
    REPO,
    SECOND_CONTENT,
    SECOND_DECKS,
    SHIPPED_ID,
    Workspace,
    assert_problems,
    delete_line,
    insert_after,
    invoke,
    line_of,
    replace_once,
)


def _names_a_user_source(line: str) -> bool:
    """A warning about a source folder other than the shipped one (content/<id>/…)."""
    if not line.startswith("warning: content/"):
        return False
    source = line.removeprefix("warning: content/").split("/", 1)[0]
    return source != SHIPPED_ID and (PROJECT / "content" / source / "source.yaml").exists()


def test_a_users_warning_source_leaves_the_shipped_check_green() -> None:
    assert _names_a_user_source("warning: content/my-talk/source.yaml:12: paragraphs.3: …") is False  # no such folder
    shipped = f"warning: content/{SHIPPED_ID}/source.yaml:12: paragraphs.3: …"
    assert _names_a_user_source(shipped) is False


def test_shipped_bank_passes_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    result = invoke("check")
    # only the shipped source is held to "no warning": a source a user added to content/ may warn until they review it
    assert [line for line in result.stderr.splitlines() if not _names_a_user_source(line)] == []
    assert result.exit_code == 0, result.output
    sources = len(list((PROJECT / "content").glob("*/source.yaml")))
    assert (PROJECT / "content" / SHIPPED_ID / "source.yaml").exists()
    assert result.stdout.startswith(f"ok: {sources} source(s), ")


def test_second_source_passes_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture a curator would copy: a second source in exactly the content/ format."""
    monkeypatch.chdir(REPO)
    result = invoke("check", "--content", str(SECOND_CONTENT), "--decks", str(SECOND_DECKS))
    assert result.stderr == ""
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: 1 source(s), 8 items, ")


def test_unchanged_copy_passes(ws: Workspace) -> None:
    """The baseline for every broken fixture below: the copy itself is clean."""
    result = ws.check()
    assert (result.exit_code, result.stderr) == (0, ""), result.output


# --- one broken fixture per kind of problem -----------------------------------------------------


def test_schema_error_wrong_type(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    line = replace_once(bank, "    value: 1200\n", "    value: 一千二\n")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: items.0.value: Input should be a valid number, unable to parse string as a number")


def test_missing_required_field(ws: Workspace) -> None:
    bank = ws.bank / "01-founding.yaml"
    delete_line(bank, "    question: 星衡机器人的首席科学家是谁？")
    item_line = line_of(bank, "  - id: xh-f-chief-scientist\n")  # a missing key has no line: the item's is the best
    assert_problems(ws.check(), f"{ws.rel(bank)}:{item_line}: items.1.question: required field is missing; add it")


def test_unknown_field(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    line = insert_after(bank, "    cloze: 信任", "    hint: 注意是谁说的")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: items.3.hint: unknown field; remove it or fix its spelling")


def test_unknown_kind(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    replace_once(bank, "    kind: term\n", "    kind: definition\n")
    item_line = line_of(bank, "  - id: xh-t-data-loop\n")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{item_line}: items.4: unknown kind 'definition'; use one of fact, argument, quote, term")


def test_duplicate_item_ids_across_files(ws: Workspace) -> None:
    first = ws.bank / "01-founding.yaml"
    second = ws.bank / "02-scale.yaml"
    first_line = line_of(first, "  - id: xh-f-first-customer\n")
    line = replace_once(second, "  - id: xh-q-trust\n", "  - id: xh-f-first-customer\n")
    assert_problems(
        ws.check(),
        f"{ws.rel(second)}:{line}: id: duplicate item id 'xh-f-first-customer' (first in {ws.rel(first)}:{first_line}); give each item its own id",
    )


def test_paragraph_that_does_not_exist(ws: Workspace) -> None:
    bank = ws.bank / "01-founding.yaml"
    line = replace_once(bank, "    paragraph: p003\n", "    paragraph: p099\n")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: paragraph: item xh-f-chief-scientist: paragraph 'p099' does not exist in source xh-lin-2025")


def test_paragraph_in_another_section(ws: Workspace) -> None:
    bank = ws.bank / "01-founding.yaml"
    line = replace_once(bank, "    paragraph: p003\n", "    paragraph: p006\n")
    replace_once(bank, "    evidence: 我们的首席科学家沈知微以前在高校做了十年的运动控制研究\n", "    evidence: 硬件可以被模仿\n")
    assert_problems(
        ws.check(),
        f"{ws.rel(bank)}:{line}: paragraph: item xh-f-chief-scientist: paragraph p006 is in section 'scale', not in this file's section 'founding'",
    )


def test_evidence_not_found_verbatim(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    line = replace_once(bank, "    evidence: 今年计划交付 5000 台\n", "    evidence: 今年计划交付 6000 台\n")
    assert_problems(
        ws.check(),
        f"{ws.rel(bank)}:{line}: evidence: item xh-f-plan-this-year: not found verbatim in paragraph p005: the paragraph has '今年计划交付 ' then '5000 台', where you wrote '6000 台'; copy the span exactly from source.yaml",
    )


def test_quote_text_not_found_verbatim(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    line = replace_once(bank, "    text: 硬件可以被模仿，但", "    text: 硬件可以被复制，但")
    assert_problems(
        ws.check(),
        f"{ws.rel(bank)}:{line}: text: item xh-q-trust: not found verbatim in paragraph p006: the paragraph has '硬件可以被' then '模仿，但现场积累', where you wrote '复制，但现场积累'; copy the span exactly from source.yaml",
    )


def test_unknown_section(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    line = replace_once(bank, "section: scale\n", "section: scaling\n")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: section: unknown section 'scaling'; did you mean 'scale'? use one of founding, scale")


def test_unknown_tag(ws: Workspace) -> None:
    bank = ws.bank / "01-founding.yaml"
    line = replace_once(bank, "    tags: [strategy]\n", "    tags: [strategy, robots]\n")
    assert_problems(
        ws.check(),
        f"{ws.rel(bank)}:{line}: tags: item xh-a-warehouse-first: unknown tag 'robots'; add it to tags.yaml or use a listed one",
    )


def test_unknown_speaker_on_an_item(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    line = insert_after(bank, "    tags: [data]", "    speaker: shen")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: speaker: item xh-t-data-loop: unknown speaker 'shen'; use one of host, lin")


def test_unknown_speaker_on_a_paragraph(ws: Workspace) -> None:
    line = replace_once(ws.source_yaml, "  - id: p004\n    speaker: host\n", "  - id: p004\n    speaker: guest\n") + 1
    assert_problems(
        ws.check(),
        f"{ws.rel(ws.source_yaml)}:{line}: sections.1.paragraphs.0.speaker: unknown speaker 'guest'; use one of host, lin",
    )


def test_unknown_question_type_in_recipe(ws: Workspace) -> None:
    line = replace_once(ws.recipe, 'types = ["cloze", ', 'types = ["essay", ')
    assert_problems(
        ws.check(),
        f"{ws.rel(ws.recipe)}:{line}: types.0: Input should be 'cloze', 'basic', 'mcq', 'tf', 'who', 'reasons', 'order' or 'typed'",
    )


def test_unknown_source_in_recipe(ws: Workspace) -> None:
    line = replace_once(ws.recipe, 'sources = ["xh-lin-2025"]\n', 'sources = ["xh-lin-2025", "xh-lin-2026"]\n')
    assert_problems(ws.check(), f"{ws.rel(ws.recipe)}:{line}: sources: unknown source 'xh-lin-2026'; did you mean 'xh-lin-2025'? available: xh-lin-2025")


def test_malformed_yaml(ws: Workspace) -> None:
    bank = ws.bank / "03-malformed.yaml"
    shutil.copy(BROKEN / "malformed-bank.yaml", bank)
    line = line_of(bank, "    question: 林远舟说: ")
    # The parser's own words: PyYAML says "...not allowed here", libyaml (CSafeLoader) "...not allowed in this context".
    expected = rf"{re.escape(ws.rel(bank))}:{line}: yaml: malformed YAML: mapping values are not allowed (here|in this context); fix the syntax"
    assert_problems(ws.check(), re.compile(expected))


def test_duplicate_yaml_key(ws: Workspace) -> None:
    bank = ws.bank / "02-scale.yaml"
    line = insert_after(bank, "    cloze: 信任", "    cloze: 数据")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: yaml: malformed YAML: duplicate key 'cloze'; fix the syntax")


def test_malformed_toml(ws: Workspace) -> None:
    recipe = ws.decks / "broken.toml"
    shutil.copy(BROKEN / "malformed-recipe.toml", recipe)
    line = line_of(recipe, "seed =\n")
    assert_problems(ws.check(), f"{ws.rel(recipe)}:{line}: toml: malformed TOML: Invalid value; fix the syntax")


def test_non_utf8_file(ws: Workspace) -> None:
    """One line pasted from a GBK document into an otherwise UTF-8 bank file."""
    bank = ws.bank / "02-scale.yaml"
    text = bank.read_text(encoding="utf-8")
    bad = "    context: 大公司进入仓储机器人市场\n"
    line = line_of(bank, bad)
    head, tail = text.split(bad)
    bank.write_bytes(head.encode("utf-8") + bad.encode("gbk") + tail.encode("utf-8"))
    byte = len(head.encode("utf-8") + b"    context: ")
    assert_problems(ws.check(), f"{ws.rel(bank)}:{line}: encoding: not valid UTF-8 (byte {byte}); save the file as UTF-8")


def test_utf8_with_bom_is_accepted(ws: Workspace) -> None:
    """Notepad-style UTF-8 with a byte-order mark is still UTF-8: TOML and YAML files both load."""
    for path in (ws.recipe, ws.bank / "01-founding.yaml"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = ws.check()
    assert (result.exit_code, result.stderr) == (0, ""), result.output


def test_all_problems_reported_at_once_sorted(ws: Workspace) -> None:
    """Four files, five problems: one run reports them all, sorted by file then line (not in discovery order)."""
    founding = ws.bank / "01-founding.yaml"
    scale = ws.bank / "02-scale.yaml"
    speaker_line = replace_once(ws.source_yaml, "  - id: p004\n    speaker: host\n", "  - id: p004\n    speaker: guest\n") + 1
    tag_line = replace_once(founding, "    tags: [people]\n", "    tags: [persons]\n")
    section_line = replace_once(scale, "section: scale\n", "section: scaling\n")
    evidence_line = replace_once(scale, "    evidence: 去年我们交付了 1200 台\n", "    evidence: 去年我们交付了 1300 台\n")
    type_line = replace_once(ws.recipe, 'types = ["cloze", ', 'types = ["essay", ')
    result = ws.check()
    assert_problems(
        result,
        f"{ws.rel(founding)}:{tag_line}: tags: item xh-f-chief-scientist: unknown tag 'persons'; add it to tags.yaml or use a listed one",
        f"{ws.rel(scale)}:{section_line}: section: unknown section 'scaling'; did you mean 'scale'? use one of founding, scale",
        f"{ws.rel(scale)}:{evidence_line}: evidence: item xh-f-delivered-last-year: not found verbatim in paragraph p005: the paragraph has '去年我们交付了 1' then '200 台', where you wrote '300 台'; copy the span exactly from source.yaml",
        f"{ws.rel(ws.source_yaml)}:{speaker_line}: sections.1.paragraphs.0.speaker: unknown speaker 'guest'; use one of host, lin",
        f"{ws.rel(ws.recipe)}:{type_line}: types.0: Input should be 'cloze', 'basic', 'mcq', 'tf', 'who', 'reasons', 'order' or 'typed'",
    )
