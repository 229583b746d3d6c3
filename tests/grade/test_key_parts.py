"""Section parts (source.yaml `parts`) in the key CSV and the grading pages; per-section subtotals stay by section."""

from __future__ import annotations

import csv
import io

from conftest import REPO, SHIPPED_ID
from gradeutil import HAND_ANSWERS, HAND_KEY, grade, read_csv

from quizgen.generate.questions import Generator, build_set
from quizgen.load.content import load_content, load_recipe, load_templates
from quizgen.outputs.quiz.keycsv import COLUMNS, key_csv


def test_key_csv_has_a_part_column_and_keeps_the_section_title() -> None:
    content = load_content(REPO / "content")
    templates = load_templates(REPO / "templates")
    questions = Generator(content, templates).questions([SHIPPED_ID])
    recipe = load_recipe(REPO / "decks" / "interview.toml", content, templates).recipe
    qset = build_set(content, templates, recipe, questions=questions)
    rows = list(csv.DictReader(io.StringIO(key_csv(qset, versions=1, seed=3).decode("utf-8-sig"), newline="")))
    header = list(rows[0])
    assert tuple(header[: len(COLUMNS)]) == COLUMNS  # the required columns first, unchanged
    assert header.index("part") == header.index("section_title") + 1
    by_id = {q.id: q for q in qset.questions}
    titles = {s.id: s.title for s in content.sources[SHIPPED_ID].source.sections}
    for row in rows:
        q = by_id[row["question_id"]]
        assert row["section_title"] == titles[q.ref.section_id]
        assert row["part"] == (q.ref.part_title or "")
    assert any(row["part"] == "推理时的推理与 o1" for row in rows)
    assert any(row["part"] == "" for row in rows)


KEY_WITH_PARTS = (HAND_KEY.replace("section_title,paragraph_id", "section_title,part,paragraph_id")
                  .replace("第一节,p001", "第一节,,p001").replace("第一节,p002", "第一节,后来的话题,p002")
                  .replace("第二节,p003", "第二节,,p003"))


def test_grading_pages_show_the_part_next_to_the_paragraph(tmp_path) -> None:
    assert KEY_WITH_PARTS.count("后来的话题") == 1
    (tmp_path / "key.csv").write_text(KEY_WITH_PARTS, encoding="utf-8")
    (tmp_path / "class.csv").write_text(HAND_ANSWERS, encoding="utf-8")
    result = grade(tmp_path / "class.csv", tmp_path / "key.csv", tmp_path / "out")
    assert result.exit_code == 0, result.output
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "——第一节 · 后来的话题 · p002" in report
    assert "——第一节 · p001" in report and "——第二节 · p003" in report
    feedback = (tmp_path / "out" / "feedback.html").read_text(encoding="utf-8")
    assert "请重读：第一节 · 后来的话题 · p002" in feedback  # s3 and s4 missed q2
    # subtotals are per section, as without parts (the hand-worked figures of test_grade)
    scores = read_csv(tmp_path / "out" / "scores.csv")
    assert list(scores[0]) == ["student_id", "name", "version", "score", "max", "percent", "s1", "s2"]
    assert [(s["student_id"], s["score"], s["s1"], s["s2"]) for s in scores] == [
        ("s1", "3", "2", "1"), ("s2", "2", "2", "0"), ("s3", "1", "1", "0"), ("s4", "0", "0", "0")]
    assert "后来的话题" not in (tmp_path / "out" / "scores.csv").read_text(encoding="utf-8-sig")
