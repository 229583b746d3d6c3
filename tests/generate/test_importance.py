"""Key points and importance: keypoints.yaml per source, item importance/keypoint/note, stats, generate and recipe
filters, and sets written before these fields existed."""

from __future__ import annotations

import re

import yaml
from conftest import REPO, Workspace, invoke

KEYPOINTS = """\
keypoints:
  - id: first-customer
    text: 第一个客户是青禾物流
    paragraphs: [p002]
  - id: data-loop
    text: 数据回流让下一代更好
    paragraphs: [p005]
"""


def _core_fixture(ws: Workspace) -> None:
    (ws.source_dir / "keypoints.yaml").write_text(KEYPOINTS, encoding="utf-8")
    ws.add_to_item("xh-f-first-customer", "    importance: core\n    keypoint: first-customer\n")
    ws.add_to_item("xh-t-data-loop", "    importance: core\n    keypoint: data-loop\n")
    ws.add_to_item("xh-f-chief-scientist", "    importance: aside\n")


def test_keypoints_file_is_validated(ws: Workspace) -> None:
    (ws.source_dir / "keypoints.yaml").write_text(KEYPOINTS + "  - id: data-loop\n    text: again\n    paragraphs: [p099]\n", encoding="utf-8")
    result = ws.check()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: content/xh-lin-2025/keypoints.yaml:8: keypoints.2.id: duplicate key point id 'data-loop'; give each key point its own id",
    ]
    (ws.source_dir / "keypoints.yaml").write_text(KEYPOINTS + "  - id: other\n    text: x\n    paragraphs: [p005, p099]\n", encoding="utf-8")
    assert "error: content/xh-lin-2025/keypoints.yaml:10: keypoints.2.paragraphs: key point other: paragraph 'p099' does not exist in source xh-lin-2025" \
        in ws.check().stderr.splitlines()


def test_core_items_name_an_existing_key_point(ws: Workspace) -> None:
    (ws.source_dir / "keypoints.yaml").write_text(KEYPOINTS, encoding="utf-8")
    ws.add_to_item("xh-f-first-customer", "    importance: core\n")
    ws.add_to_item("xh-t-data-loop", "    importance: core\n    keypoint: no-such-point\n")
    errors = ws.check().stderr.splitlines()
    assert "error: content/xh-lin-2025/bank/01-founding.yaml:5: keypoint: item xh-f-first-customer: a core item must name the key point it tests; add `keypoint: <id from keypoints.yaml>`" in errors
    assert any(e.startswith("error: content/xh-lin-2025/bank/02-scale.yaml:") and "unknown key point 'no-such-point'" in e for e in errors)


def test_importance_must_be_one_of_three(ws: Workspace) -> None:
    ws.add_to_item("xh-f-first-customer", "    importance: key\n")
    result = ws.check()
    assert result.exit_code == 1
    assert re.match(r"error: content/xh-lin-2025/bank/01-founding.yaml:5: items\.0\.importance: Input should be 'core', 'detail' or 'aside'", result.stderr)


def test_stats_show_importance_speakers_and_key_points(ws: Workspace) -> None:
    _core_fixture(ws)
    result = invoke("stats", "--content", "content")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "items by importance and speaker" in out
    assert re.search(r"│ 林远舟\s+│\s+2 │\s+5 │\s+1 │\s+8 │", out), out
    assert "key points covered by a core item: 2/2" in out
    assert "5 item(s) have no explicit importance" in out


def test_check_passes_with_core_items_and_notes_the_rest(ws: Workspace) -> None:
    _core_fixture(ws)
    result = ws.check()
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert "note: 5 item(s) have no `importance`" in result.stdout


def test_generate_defaults_to_core_and_filters_by_importance(ws: Workspace) -> None:
    _core_fixture(ws)
    common = ["generate", "--content", "content", "--templates", str(REPO / "templates"), "--count", "0", "--per-item", "0", "--seed", "1"]

    def items(*extra: str) -> set[str]:
        result = invoke(*common, "-o", "s.yaml", *extra)
        assert result.exit_code == 0, result.output
        data = yaml.safe_load((ws.root / "s.yaml").read_text(encoding="utf-8"))
        return {(q["item_id"], q["importance"]) for q in data["questions"]}

    assert {i for i, imp in items()} == {"xh-f-first-customer", "xh-t-data-loop"}
    assert all(imp == "core" for _, imp in items())
    assert {imp for _, imp in items("--importance", "aside", "--importance", "core")} == {"aside", "core"}
    assert {imp for _, imp in items("--importance", "all")} == {"core", "detail", "aside"}
    bad = invoke(*common, "-o", "s.yaml", "--importance", "key")
    assert bad.exit_code == 1 and bad.stderr == "error: quizgen generate: --importance: unknown importance 'key'; use core, detail, aside or all\n"


def test_generate_title_comes_from_the_source(ws: Workspace) -> None:
    _core_fixture(ws)
    result = invoke("generate", "--content", "content", "--templates", str(REPO / "templates"), "--count", "1", "-o", "s.yaml")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((ws.root / "s.yaml").read_text(encoding="utf-8"))
    assert data["title"] == "星衡机器人林远舟：仓库是机器人最好的学校：练习"
    text = ws.source_yaml.read_text(encoding="utf-8").replace("genre: 访谈\n", "genre: 访谈\nshort_title: 林远舟访谈\n")
    ws.source_yaml.write_text(text, encoding="utf-8")
    invoke("generate", "--content", "content", "--templates", str(REPO / "templates"), "--count", "1", "-o", "s.yaml")
    assert yaml.safe_load((ws.root / "s.yaml").read_text(encoding="utf-8"))["title"] == "林远舟访谈：练习"


def test_recipes_filter_by_importance(ws: Workspace) -> None:
    _core_fixture(ws)
    text = ws.recipe.read_text(encoding="utf-8").replace('seed = 20250318', 'seed = 20250318\nimportance = ["aside"]')
    ws.recipe.write_text(text, encoding="utf-8")
    from quizgen.project.plan import plan_all

    plan = plan_all(ws.content, REPO / "templates", ws.decks)
    (_, qset), = plan.sets
    assert {q.item_id for q in qset.questions} == {"xh-f-chief-scientist"}
    assert qset.filters.importance == ("aside",)


def test_sets_written_before_importance_still_load() -> None:
    from quizgen.load.sets import load_set_file

    qset = load_set_file(REPO / "tests/golden/quiz/set.yaml")
    assert all(q.importance == "detail" and q.keypoint is None and q.note is None for q in qset.questions)
    assert all(q.ref.genre is None for q in qset.questions)
    assert qset.filters.importance == ()


def test_shipped_recipes_draw_core_for_the_short_quiz_and_core_and_detail_for_the_deck() -> None:
    import tomllib

    short = tomllib.loads((REPO / "decks/short-quiz.toml").read_text(encoding="utf-8"))
    whole = tomllib.loads((REPO / "decks/interview.toml").read_text(encoding="utf-8"))
    assert short["importance"] == ["core"]
    assert whole["importance"] == ["core", "detail"]
