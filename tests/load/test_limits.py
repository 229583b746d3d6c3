"""The bounded reading layer: bombs and oversized inputs are refused with a located line before they cost anything."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import Workspace

from quizgen.errors import QuizgenError
from quizgen.fsutil import csv_bytes, spreadsheet_text, unguard
from quizgen.load.dataio import LimitExceeded, load_toml, load_yaml, parse_csv, read_xlsx


def alias_bomb(levels: int = 7) -> str:
    """The billion-laughs shape: each anchor repeats the one before nine times (9**levels values from ~340 bytes)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_a_bank_file_is_refused_in_one_short_line(ws: Workspace) -> None:
    bomb = ws.bank / "03-bomb.yaml"
    bomb.write_text("section: scale\n" + alias_bomb() + "items:\n  - id: x-bomb\n    kind: fact\n    question: *a6\n", encoding="utf-8")
    result = ws.check()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {ws.rel(bomb)}:7: yaml: too many values: more than 200000 once aliases are expanded "
                                          "(an alias bomb?); set QUIZGEN_MAX_YAML_NODES above 200000 for a genuinely larger file"]


def test_a_set_file_and_a_speakers_file_go_through_the_same_budget(tmp_path: Path) -> None:
    for name in ("set.yaml", "speakers.yaml"):
        path = tmp_path / name
        path.write_text(alias_bomb(), encoding="utf-8")
        with pytest.raises(LimitExceeded, match="too many values"):
            load_yaml(path)


def test_too_many_aliases_too_deep_and_a_loop(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: &a [1]\nb: [" + ", ".join(["*a"] * 1001) + "]\n", encoding="utf-8")
    with pytest.raises(LimitExceeded, match=r"x.yaml:2: yaml: too many aliases: more than 1000"):
        load_yaml(path)
    path.write_text("a: " + "[" * 65 + "]" * 65 + "\n", encoding="utf-8")
    with pytest.raises(LimitExceeded, match=r"x.yaml:1: yaml: too deep: more than 64 levels"):
        load_yaml(path)
    path.write_text("a: &a\n  - *a\n", encoding="utf-8")
    with pytest.raises(QuizgenError, match="loop"):
        load_yaml(path)


def test_a_limit_is_raised_by_its_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: &a [1]\nb: [" + ", ".join(["*a"] * 1001) + "]\n", encoding="utf-8")
    monkeypatch.setenv("QUIZGEN_MAX_YAML_ALIASES", "2000")
    assert len(load_yaml(path)["b"]) == 1001


def test_an_echoed_value_is_cut_to_about_200_characters(ws: Workspace) -> None:
    bank = next(iter(sorted(ws.bank.glob("*.yaml"))))
    text = bank.read_text(encoding="utf-8")
    question = re.search(r"\n    question: .*\n", text)
    assert question
    bank.write_text(text.replace(question.group(), "\n    question: [" + ", ".join(["很长的值"] * 5000) + "]\n", 1), encoding="utf-8")
    result = ws.check()
    assert result.exit_code == 1
    line = next(x for x in result.stderr.splitlines() if "expected text" in x)
    assert len(line) < 400, line


def test_deeply_nested_toml_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text('title = "x"\n# [[[[ in a comment\nname = "[[[["\nv = ' + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(LimitExceeded, match=r"r.toml:4: toml: too deep: more than 64"):
        load_toml(path)


def test_csv_rows_columns_and_cells_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZGEN_MAX_ROWS", "3")
    with pytest.raises(LimitExceeded, match=r"s.csv:4: rows: too many rows: more than 3"):
        parse_csv("a,b\n1,2\n3,4\n5,6\n", "s.csv")
    monkeypatch.setenv("QUIZGEN_MAX_CELL_CHARS", "10")
    with pytest.raises(LimitExceeded, match=r"s.csv:2: column B: a cell of 11 characters"):
        parse_csv("a,b\n1," + "x" * 11 + "\n", "s.csv")
    with pytest.raises(LimitExceeded, match="too many columns"):
        parse_csv(",".join(["a"] * 1001) + "\n", "s.csv")


def _workbook(rows: int, dimension: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for i in range(rows):
        book.active.append([f"s{i}", "name", "A"])
    buf = io.BytesIO()
    book.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), data)
            zf.writestr(info.filename, data)
    return out.getvalue()


@pytest.mark.parametrize("dimension", ["A1:C3", "A1:XFD1048576"])
def test_a_workbook_is_read_as_written_whatever_its_dimension_claims(tmp_path: Path, dimension: str) -> None:
    path = tmp_path / "class.xlsx"
    path.write_bytes(_workbook(10, dimension))
    rows = read_xlsx(path, "class.xlsx").rows
    assert rows == [[f"s{i}", "name", "A"] for i in range(10)]  # a stale A1:C3 kept only 3; XFD1048576 exhausted memory


def test_a_workbook_too_large_once_unzipped_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "class.xlsx"
    path.write_bytes(_workbook(2000, "A1:C2000"))
    monkeypatch.setenv("QUIZGEN_MAX_XLSX_BYTES", "50000")
    with pytest.raises(LimitExceeded, match=r"class.xlsx: workbook: too large once unzipped"):
        read_xlsx(path, "class.xlsx")
    monkeypatch.delenv("QUIZGEN_MAX_XLSX_BYTES")
    monkeypatch.setenv("QUIZGEN_MAX_ROWS", "100")
    with pytest.raises(LimitExceeded, match=r"class.xlsx:101: sheet Sheet: too many rows"):
        read_xlsx(path, "class.xlsx")


def _colpkg(tmp_path: Path, body: bytes) -> Path:
    import zstandard

    path = tmp_path / "bomb.colpkg"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("collection.anki21b", zstandard.ZstdCompressor().compress(body))
    return path


def test_a_colpkg_bomb_is_refused_before_it_fills_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quizgen.learner.collection import CollectionError, _unpack

    (tmp_path / "t").mkdir()
    with pytest.raises(CollectionError, match="not an SQLite file"):
        _unpack(_colpkg(tmp_path, bytes(32 * 1024 * 1024)), tmp_path / "t", tmp_path / "bomb.colpkg")
    monkeypatch.setenv("QUIZGEN_MAX_COLLECTION_BYTES", str(1024 * 1024))
    with pytest.raises(CollectionError, match="unpacks to more than 1048576 bytes"):
        _unpack(_colpkg(tmp_path, b"SQLite format 3\x00" + bytes(8 * 1024 * 1024)), tmp_path / "t", tmp_path / "bomb.colpkg")
    assert (tmp_path / "t" / "collection.sqlite").stat().st_size <= 1024 * 1024


def test_formula_like_text_is_written_as_text_and_read_back_exactly() -> None:
    values = ["=HYPERLINK(\"http://x\",\"y\")", "=1+1", "+1", "-5", "-1+2", "@SUM(A1)", "\tx", "\rx", "'=x", "''=x", "'plain", "普通", "3.5"]
    data = csv_bytes(["v"], [[v] for v in values]).decode("utf-8-sig")
    cells = [row[0] for row in parse_csv(data, "x.csv")][1:]
    assert cells == ["'=HYPERLINK(\"http://x\",\"y\")", "'=1+1", "+1", "-5", "'-1+2", "'@SUM(A1)", "'\tx", "'\rx", "''=x", "'''=x", "'plain", "普通", "3.5"]
    assert [unguard(c) for c in cells] == values
    assert all(unguard(spreadsheet_text(v)) == v for v in values)
    assert csv_bytes(["n"], [[3]]).decode("utf-8-sig") == "n\r\n3\r\n"  # numbers stay numbers
