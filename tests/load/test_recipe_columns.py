"""A recipe's spreadsheet column map: checked by `check`, applied by `build` and by `export` alike."""

from __future__ import annotations

import re

import openpyxl
from conftest import TEMPLATES, Workspace, assert_problems, invoke

COLUMNS = 'formats = ["anki", "quiz", "xlsx"]\nxlsx_columns = {"题型" = "类型", "来源" = ""}\n'


def _headers(path) -> list[str]:
    return [c.value for c in openpyxl.load_workbook(path).active[1]]


def test_build_and_export_use_the_recipes_column_map(ws: Workspace, jieba_cache) -> None:
    ws.recipe.write_text(ws.recipe.read_text(encoding="utf-8").replace('formats = ["anki", "quiz"]\n', COLUMNS), encoding="utf-8")
    result = invoke("build", "--content", "content", "--templates", str(TEMPLATES), "--decks", "decks", "--out", "out", env=jieba_cache)
    assert result.exit_code == 0, result.output
    built = _headers(ws.root / "out" / "xh-lin-interview" / "xh-lin-interview-bank.xlsx")
    assert built[0] == "类型" and "来源" not in built and "题干" in built
    result = invoke("export", str(ws.recipe), "--format", "xlsx", "--content", "content", "--templates", str(TEMPLATES),
                    "--decks", "decks", "--out", "exp", env=jieba_cache)
    assert result.exit_code == 0, result.output
    assert _headers(ws.root / "exp" / "xh-lin-interview" / "xh-lin-interview-bank.xlsx") == built


def test_an_unknown_column_is_refused_by_check(ws: Workspace, jieba_cache) -> None:
    text = ws.recipe.read_text(encoding="utf-8").replace('formats = ["anki", "quiz"]\n', COLUMNS.replace('"来源" = ""', '"出处" = ""'))
    ws.recipe.write_text(text, encoding="utf-8")
    line = text.splitlines().index('xlsx_columns = {"题型" = "类型", "出处" = ""}') + 1
    assert_problems(ws.check(), re.compile(rf"decks/second\.toml:{line}: xlsx_columns: .*unknown column '出处'.*"))


def test_a_column_name_that_looks_like_a_formula_stays_text(ws: Workspace, jieba_cache) -> None:
    formula = '=HYPERLINK("http://x","y")'
    columns = COLUMNS.replace('"类型"', "'" + formula + "'")
    ws.recipe.write_text(ws.recipe.read_text(encoding="utf-8").replace('formats = ["anki", "quiz"]\n', columns), encoding="utf-8")
    result = invoke("export", str(ws.recipe), "--format", "xlsx", "--content", "content", "--templates", str(TEMPLATES),
                    "--decks", "decks", "--out", "exp", env=jieba_cache)
    assert result.exit_code == 0, result.output
    first = openpyxl.load_workbook(ws.root / "exp" / "xh-lin-interview" / "xh-lin-interview-bank.xlsx").active["A1"]
    assert first.value == formula and first.data_type == "s"  # a string cell in the XML (t="s"), not <f>
