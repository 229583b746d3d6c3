"""Labelled parts of a section (source.yaml `parts`): where the talk has moved on, card backs, keys and exports say
so, while the section (its sub-deck, its grouping) stays the write-up's."""

from __future__ import annotations

import pytest
from conftest import REPO, SHIPPED_ID, TEMPLATES, replace_once

from quizgen.generate.questions import Generator, build_set
from quizgen.load.content import load_content, load_recipe, load_templates
from quizgen.outputs.anki.package import deck_name_for, load_notetypes, note_fields
from quizgen.outputs.common import where


@pytest.fixture(scope="module")
def shipped():
    content = load_content(REPO / "content")
    templates = load_templates(REPO / "templates")
    return content, templates, Generator(content, templates).questions([SHIPPED_ID])


EXPECTED_PARTS = {  # paragraph -> part title (None: the section's own subject)
    "p027": None, "p028": "推理架构与首个 token 的响应时间", "p031": "推理架构与首个 token 的响应时间",
    "p032": None, "p053": None, "p071": None, "p072": "推理时的推理与 o1", "p076": "推理时的推理与 o1",
    "p081": "推理时的推理与 o1", "p098": None, "p099": "开源与闭源、Nemotron", "p110": "开源与闭源、Nemotron",
    "p111": "尾声：还能坚持多久", "p127": "尾声：还能坚持多久",
}


def test_paragraphs_take_the_part_they_are_in(shipped) -> None:
    content, _, _ = shipped
    source = content.sources[SHIPPED_ID].source
    paras = source.paragraphs()
    for pid, title in EXPECTED_PARTS.items():
        section, _, _ = paras[pid]
        assert section.part_title(pid) == title, pid


def test_labels_name_the_part_but_sections_and_guids_stay(shipped) -> None:
    content, templates, questions = shipped
    parted = [q for q in questions if q.ref.part_title]
    assert {q.ref.section_id for q in parted} == {"infrastructure", "xai", "safety"}
    source = content.sources[SHIPPED_ID].source
    titles = {s.id: s.title for s in source.sections}
    for q in questions:
        assert q.ref.section_title == titles[q.ref.section_id]  # the section itself is unchanged
        expected = f"{titles[q.ref.section_id]} · {q.ref.part_title}" if q.ref.part_title else titles[q.ref.section_id]
        assert q.ref.label == expected
        assert where(q).startswith(expected + " · ")  # exports
    recipe = load_recipe(REPO / "decks" / "interview.toml", content, templates).recipe
    qset = build_set(content, templates, recipe, questions=questions)
    notetypes = load_notetypes(TEMPLATES)
    q = next(q for q in qset.questions if q.ref.paragraph_id in ("p073", "p074", "p075"))
    # the sub-deck is the section, by its deck title (its heading states the answer 19 天)
    assert deck_name_for(qset, q) == f"黄仁勋 BG2 访谈::{q.ref.section_index:02d} 黄仁勋谈 xAI"
    _, fields = note_fields(q, notetypes)
    assert any(f"{titles['xai']} · 推理时的推理与 o1 · 段落 {q.ref.paragraph_id}" in v for v in fields)


def test_parts_start_at_the_sections_paragraphs_in_order(ws) -> None:
    anchor = "  title: 创业与第一个客户\n"
    line = replace_once(ws.source_yaml, anchor, anchor + "  parts:\n  - from: p999\n    title: 不存在\n") + 2
    result = ws.check()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{ws.rel(ws.source_yaml)}:{line}: sections.0.parts.0.from: paragraph 'p999' is not in section" in result.stderr


def test_parts_in_paragraph_order(ws) -> None:
    anchor = "  title: 创业与第一个客户\n"
    line = replace_once(ws.source_yaml, anchor, anchor + "  parts:\n  - from: p002\n    title: 甲\n  - from: p001\n    title: 乙\n") + 4
    result = ws.check()
    assert result.exit_code == 1
    assert (f"{ws.rel(ws.source_yaml)}:{line}: sections.0.parts.1.from: part '乙' starts at p001, not after the part before it; "
            "list parts in paragraph order, each starting once") in result.stderr
