"""Every writer stays in its place (issue 16, point 2): output names cannot leave build/, a command never writes over a
file of the project or its own input, and replaces a file it did not write only with --force."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TEMPLATES, Workspace, invoke


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _generate(*extra: str):
    return invoke("generate", "--content", "content", "--templates", str(TEMPLATES), "-n", "2", *extra)


def _fails_cleanly(result, *needles: str) -> None:
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


@pytest.mark.parametrize("output", ["../escaped", "/tmp/quizgen-escaped", "nul", "CON.txt", "a/b"])
def test_a_set_file_cannot_name_an_output_outside_build(ws: Workspace, output: str) -> None:
    assert _generate("-o", "set.yaml").exit_code == 0
    text = Path("set.yaml").read_text(encoding="utf-8")
    Path("set.yaml").write_text("\n".join(f"output: {output}" if line.startswith("output:") else line for line in text.splitlines()) + "\n",
                                encoding="utf-8")
    before = _tree(ws.root.parent)
    result = invoke("export", "set.yaml", "--format", "quiz", "--format", "anki", "--out", "build", "--content", "content",
                    "--templates", str(TEMPLATES))
    _fails_cleanly(result, "set.yaml:", "output")
    assert _tree(ws.root.parent) == before
    assert not Path("/tmp/quizgen-escaped").exists()


@pytest.mark.parametrize(("name", "needle"), [("CON", "reserves"), ("nul", "reserves"), ("Second", "case-insensitive")])
def test_check_refuses_outputs_a_windows_or_case_insensitive_disk_cannot_hold(ws: Workspace, name: str, needle: str) -> None:
    text = ws.recipe.read_text(encoding="utf-8")
    output = next(line for line in text.splitlines() if line.startswith("output"))
    if needle == "case-insensitive":
        twin = ws.decks / "twin.toml"
        twin.write_text(text.replace(output, f'output = "{output.split(chr(34))[1].upper()}"').replace("deck_id", "# deck_id"), encoding="utf-8")
        _fails_cleanly(ws.check(), "twin.toml", needle)
    else:
        ws.recipe.write_text(text.replace(output, f'output = "{name}"'), encoding="utf-8")
        _fails_cleanly(ws.check(), "second.toml", needle)


@pytest.mark.parametrize("target", ["decks/second.toml", "content/tags.yaml", "README.md"])
def test_generate_never_writes_over_a_file_of_the_project(ws: Workspace, target: str) -> None:
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    if not Path(target).exists():
        Path(target).write_text("# the project's readme\n", encoding="utf-8")
    before = Path(target).read_bytes()
    for extra in ((), ("--force",)):
        _fails_cleanly(_generate("-o", target, *extra), target, "never overwrites")
        assert Path(target).read_bytes() == before


@pytest.mark.parametrize("target", ["", "build/", "."])
def test_generate_needs_a_file_name(ws: Workspace, target: str) -> None:
    before = _tree(ws.root)
    _fails_cleanly(_generate("-o", target), "--out")
    assert _tree(ws.root) == before


def test_a_file_quizgen_did_not_write_is_replaced_only_with_force(ws: Workspace) -> None:
    Path("notes.yaml").write_text("my own notes\n", encoding="utf-8")
    _fails_cleanly(_generate("-o", "notes.yaml"), "--force")
    assert Path("notes.yaml").read_text(encoding="utf-8") == "my own notes\n"
    assert _generate("-o", "notes.yaml", "--force").exit_code == 0
    assert "quizgen-set/" in Path("notes.yaml").read_text(encoding="utf-8")
    # a set quizgen wrote is simply regenerated
    assert _generate("-o", "notes.yaml", "--seed", "3").exit_code == 0


def test_check_quality_report_refuses_a_project_file(ws: Workspace) -> None:
    before = ws.recipe.read_bytes()
    _fails_cleanly(ws.check(["--quality-report", "decks/second.toml"]), "--quality-report")
    assert ws.recipe.read_bytes() == before
