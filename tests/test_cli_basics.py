"""The CLI's read-only commands (check, stats, suggest), their help, lazy imports, and the fixtures' own integrity."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import typer.main
import yaml
from conftest import PROJECT, REPO, SECOND_CONTENT, SECOND_DECKS, SECOND_ID, SHIPPED_ID, TEMPLATES, invoke

from quizgen.cli import app
from quizgen.load.content import load_content

SEED = Path(__file__).resolve().parents[2] / "shared/seed/000_21fc2819b5cd2aea.txt"
SUBSTANCE_CHARS = 30  # report.py: shorter paragraphs (one-line questions) need no item and are never "uncovered"


def _raw(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _expected_stats(content: Path) -> dict[str, tuple[int, int, int, int, int, list[str]]]:
    """Section -> (paragraphs, facts, arguments, quotes, terms, uncovered ids), from the raw YAML, not via quizgen."""
    source = _raw(content / SECOND_ID / "source.yaml")
    items = [it for f in sorted((content / SECOND_ID / "bank").glob("*.yaml")) for it in _raw(f)["items"]]
    out = {}
    for section in source["sections"]:
        ids = [p["id"] for p in section["paragraphs"]]
        mine = [it for it in items if it["paragraph"] in ids]
        kinds = Counter(it["kind"] for it in mine)
        cited = {it["paragraph"] for it in mine}
        uncovered = [p["id"] for p in section["paragraphs"] if p["id"] not in cited and len(p["text"]) >= SUBSTANCE_CHARS]
        out[section["id"]] = (len(ids), kinds["fact"], kinds["argument"], kinds["quote"], kinds["term"], uncovered)
    return out


def _template_count() -> int:
    return sum(len(_raw(f)["templates"]) for f in (TEMPLATES / "questions").glob("*.yaml"))


# --- check ----------------------------------------------------------------------------------------


def test_check_ok_line_counts() -> None:
    result = invoke("check", "--content", str(SECOND_CONTENT), "--templates", str(TEMPLATES), "--decks", str(SECOND_DECKS))
    assert result.stderr == ""
    assert result.exit_code == 0, result.output
    items = sum(len(_raw(f)["items"]) for f in (SECOND_CONTENT / SECOND_ID / "bank").glob("*.yaml"))
    assert items == 8
    assert result.stdout.splitlines()[0] == f"ok: 1 source(s), {items} items, {_template_count()} question templates, 1 recipes"


def test_check_missing_content_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = invoke("check", "--content", str(missing), "--templates", str(TEMPLATES), "--decks", str(SECOND_DECKS))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert f"error: {missing}: content: folder not found; pass --content with the folder holding tags.yaml and the sources\n" in result.stderr


# --- stats ----------------------------------------------------------------------------------------


def test_stats_table_totals_and_uncovered() -> None:
    expected = _expected_stats(SECOND_CONTENT)
    # The fixture is built so that the numbers mean something: a long host question (p001) is uncovered,
    # a short one (p004, under SUBSTANCE_CHARS) is not, and every kind appears.
    assert expected == {"founding": (3, 2, 1, 0, 0, ["p001"]), "scale": (3, 2, 0, 2, 1, [])}

    result = invoke("stats", "--content", str(SECOND_CONTENT))
    assert result.stderr == ""
    assert result.exit_code == 0, result.output
    rows = {}
    for line in result.stdout.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 8 and cells[0] in (SECOND_ID, "total"):
            rows[cells[1] or "total"] = cells
    for section, (paras, facts, args, quotes, terms, uncovered) in expected.items():
        assert rows[section] == [SECOND_ID, section, *map(str, (paras, facts, args, quotes, terms, len(uncovered)))]
    totals = [sum(v[i] for v in expected.values()) for i in range(5)] + [sum(len(v[5]) for v in expected.values())]
    assert totals == [6, 4, 1, 2, 1, 1]
    assert rows["total"] == ["total", "", *map(str, totals)]
    uncovered_lines = [line for line in result.stdout.splitlines() if line.startswith("uncovered in ")]
    assert uncovered_lines == ["uncovered in founding: p001"]


def test_stats_on_shipped_content(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT)
    result = invoke("stats", "--source", SHIPPED_ID)
    assert result.exit_code == 0, result.output
    source = _raw(PROJECT / "content" / SHIPPED_ID / "source.yaml")
    total_paragraphs = sum(len(s["paragraphs"]) for s in source["sections"])
    total_row = next(line for line in result.stdout.splitlines() if "total" in line)
    assert total_row.strip("│ ").split("│")[2].strip() == str(total_paragraphs)
    for section in source["sections"]:
        assert re.search(rf"│ bg2-huang-2024 │ {re.escape(section['id'])} +│ +{len(section['paragraphs'])} │", result.stdout), section["id"]


# --- suggest --------------------------------------------------------------------------------------


def test_suggest_lists_uncovered_numbers_and_terms(jieba_cache: dict[str, str]) -> None:
    result = invoke("suggest", "--content", str(SECOND_CONTENT), env=jieba_cache)
    assert result.stderr == ""
    assert result.exit_code == 0, result.output
    blocks: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        if m := re.match(rf"{SECOND_ID} (p\d+) \[", line):
            current = blocks.setdefault(m.group(1), [line])
        elif line.startswith("  "):
            current.append(line.strip())
    # p002 states when the company was founded; no item asks about 2019.
    assert blocks["p002"][0] == f"{SECOND_ID} p002 [founding, lin]"
    assert "numbers: 2019 年" in blocks["p002"]
    # p001 is cited by no item: its key terms come out whole, thanks to the source's userdict.
    terms_p001 = next(line for line in blocks["p001"] if line.startswith("terms:"))
    assert "星衡机器人" in terms_p001.removeprefix("terms:").strip().split("、")
    assert "numbers: 五年" in blocks["p001"]
    # Covered numbers and names never appear: 1200 台 / 5000 台 (facts), 十年 (the chief-scientist fact), 青禾物流.
    for covered in ("1200", "5000", "十年", "青禾物流"):
        assert covered not in result.stdout
    assert "p005" not in blocks  # every number and key term of p005 is in some item
    assert result.stdout.splitlines()[-1] == f"{len(blocks)} paragraph(s) with uncovered terms or numbers"


def test_suggest_one_section(jieba_cache: dict[str, str]) -> None:
    result = invoke("suggest", "--content", str(SECOND_CONTENT), "--section", "scale", "--top", "3", env=jieba_cache)
    assert result.exit_code == 0, result.output
    headers = [line for line in result.stdout.splitlines() if line.startswith(SECOND_ID)]
    assert headers and all("[scale, " in h for h in headers)
    for line in result.stdout.splitlines():
        if line.startswith("  terms:"):
            assert len(line.split(":", 1)[1].strip().split("、")) <= 3


def test_suggest_unknown_section_is_an_error(jieba_cache: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A mistyped --section used to print "0 paragraph(s)" and exit 0, as if the section were fully covered."""
    monkeypatch.chdir(REPO)
    result = invoke("suggest", "--content", "tests/fixtures/second_source/content", "--section", "scaling", env=jieba_cache)
    assert "Traceback" not in result.output
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: tests/fixtures/second_source/content: section: unknown section 'scaling'; available: founding, scale\n"


# --- help and start-up ----------------------------------------------------------------------------


def _command_names() -> list[str]:
    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]  # the app's command is a click Group


def test_core_commands_exist() -> None:
    assert {"check", "stats", "suggest"} <= set(_command_names())


@pytest.mark.parametrize("command", _command_names())
def test_command_help_has_an_example(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert f"Usage: quizgen {command} [OPTIONS]" in result.stdout
    assert re.search(rf"Example: quizgen {command}\b", result.stdout), result.stdout


@pytest.mark.parametrize(
    "command",
    [
        "check",
        "stats",
        "suggest",
    ],
)
def test_read_only_help_example_runs(command: str, jieba_cache: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The example a user copies from `--help` works as written, from the repository root."""
    monkeypatch.chdir(REPO)
    help_text = typer.main.get_command(app).commands[command].help  # type: ignore[attr-defined]  # the app's command is a click Group
    example = re.search(r"Example: (quizgen .+)$", help_text, re.M)
    assert example, help_text
    argv = shlex.split(example.group(1))[1:]
    result = invoke(*argv, env=jieba_cache)
    assert (result.exit_code, result.stderr) == (0, ""), result.output


def test_root_help_lists_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    for command in _command_names():
        assert re.search(rf"^  {command} ", result.stdout, re.M), command


def test_cli_import_is_light() -> None:
    """`quizgen --help` must stay fast: jieba (dictionary load) and genanki are imported only by the commands that need them."""
    code = "import quizgen.cli, sys; print('jieba' in sys.modules, 'genanki' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert proc.stdout.split() == ["False", "False"], proc.stdout + proc.stderr


# --- the fixtures themselves ----------------------------------------------------------------------


def test_second_source_loads_and_validates() -> None:
    content = load_content(SECOND_CONTENT)
    assert list(content.sources) == [SECOND_ID]
    loaded = content.sources[SECOND_ID]
    assert loaded.userdict == SECOND_CONTENT / SECOND_ID / "userdict.txt"
    src = loaded.source
    assert (src.title, src.outlet, str(src.date), src.podcast) == ("星衡机器人林远舟：仓库是机器人最好的学校", "硬科技观察", "2025-03-18", "硬科技观察")
    assert [(s.id, s.name) for s in src.speakers] == [("host", "周宁"), ("lin", "林远舟")]
    assert all(s.role for s in src.speakers)
    assert [(s.id, len(s.paragraphs)) for s in src.sections] == [("founding", 3), ("scale", 3)]
    kinds = Counter(it.kind for it in loaded.items)
    assert kinds == {"fact": 4, "argument": 1, "quote": 2, "term": 1}
    facts = {it.id: it.item for it in loaded.items if it.kind == "fact"}
    numbers = [f for f in facts.values() if f.answer_type == "number"]
    assert len(numbers) == 2 and {f.unit for f in numbers} == {"台"}
    assert {f.answer_type for f in facts.values()} == {"number", "person", "company"}
    assert all(len(f.distractors) >= 3 for f in facts.values())
    # Items come in interview order, each resolved to its paragraph's section and speaker.
    positions = [it.position for it in loaded.items]
    assert positions == sorted(positions)
    assert all(it.speaker.id == "lin" for it in loaded.items)
    assert {t for it in loaded.items for t in it.item.tags} <= set(content.tags)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("**", ""))


def test_source_yaml_is_the_article_split_verbatim() -> None:
    """Re-splitting the committed article reproduces every paragraph of source.yaml, in order, character for character."""
    from quizgen.curate.markdown import draft_source

    folder = REPO / "content/bg2-huang-2024"
    source = _raw(folder / "source.yaml")
    draft = draft_source((folder / "article.md").read_text(encoding="utf-8"), source_id=source["id"],
                         speakers=source["speakers"], default_speaker="editor")
    shipped = [(s["title"], [(p["id"], p["speaker"], p["text"]) for p in s["paragraphs"]]) for s in source["sections"]]
    drafted = [(s["title"], [(p["id"], p["speaker"], p["text"]) for p in s["paragraphs"]]) for s in draft["sections"]]
    assert drafted == shipped
    assert (draft["title"], draft["outlet"], draft["date"], draft["url"]) == (source["title"], source["outlet"], str(source["date"]), source["url"])


def test_committed_article_is_the_seed() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}; it lives outside the repository (/work/shared/seed)")
    assert (REPO / "content/bg2-huang-2024/article.md").read_bytes() == SEED.read_bytes()


def test_shipped_paragraphs_are_verbatim_from_the_seed() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}; it lives outside the repository (/work/shared/seed)")
    seed = _norm(SEED.read_text(encoding="utf-8"))
    source = _raw(REPO / "content/bg2-huang-2024/source.yaml")
    paragraphs = [(p["id"], p["text"]) for s in source["sections"] for p in s["paragraphs"]]
    assert len(paragraphs) > 100
    missing = [f"{pid}: {text[:40]}…" for pid, text in paragraphs if _norm(text) not in seed]
    assert missing == []
