"""Every command's arguments, fuzzed (issue 16, point 6): empty, missing, a folder for a file, a file for a folder, a
GB18030 file, a huge value. Each run ends with exit 0, 1 (a located error) or 2 (a usage error from Typer), never a
traceback or an internal error, and a failed run writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from quizgen.cli import app
from tests.conftest import Workspace, invoke

COMMAND = typer.main.get_command(app)
NAMES = sorted(COMMAND.commands)  # type: ignore[attr-defined]  # the app's command is a click Group


def _values(root: Path) -> dict[str, str]:
    folder = root / "a-folder"
    folder.mkdir(exist_ok=True)
    gb = root / "gb.csv"
    gb.write_bytes("学号,姓名\n0230101,张三\n".encode("gb18030"))
    binary = root / "junk.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    return {"empty": "", "missing": str(root / "no-such-file.yaml"), "folder": str(folder), "file": str(gb),
            "binary": str(binary), "huge": "x" * 20_000}


def _snapshot(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for name in NAMES:
        params = [p for p in COMMAND.commands[name].params  # type: ignore[attr-defined]
                  if p.name != "help" and not getattr(p, "is_flag", False)]
        for param in params:
            for kind in ("empty", "missing", "folder", "file", "binary", "huge"):
                cases.append((name, param.name or "", kind))
    return cases


@pytest.mark.parametrize(("command", "param", "kind"), _cases())
def test_a_bad_argument_gets_a_clean_answer(ws: Workspace, command: str, param: str, kind: str) -> None:
    values = _values(ws.root)
    spec = next(p for p in COMMAND.commands[command].params if p.name == param)  # type: ignore[attr-defined]
    args = [command]
    # the other required arguments get a plausible file so the fuzzed one is the one judged
    for other in COMMAND.commands[command].params:  # type: ignore[attr-defined]
        if other is spec or not getattr(other, "required", False) or other.param_type_name != "argument":
            continue
        args.append(str(ws.recipe))
    if spec.param_type_name == "argument":
        args.append(values[kind])
    elif getattr(spec, "is_flag", False) or getattr(spec, "count", False):
        pytest.skip("a flag takes no value")
    else:
        args += [spec.opts[0], values[kind]]
    before = _snapshot(ws.root)
    result = invoke(*args)
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (args[:3], output[-2000:])
    assert "Traceback" not in output and "internal error" not in output, (args[:3], output[-2000:])
    if result.exit_code != 0:
        after = _snapshot(ws.root)
        assert {k: v for k, v in after.items() if k not in before} == {}, (args[:3], "wrote files on failure")


def test_an_unknown_question_type_is_a_located_error(ws: Workspace) -> None:
    result = invoke("generate", "--type", "bogus", "-o", "set.yaml")
    assert result.exit_code == 1 and not Path("set.yaml").exists()
    assert result.stderr.startswith("error: quizgen generate: --types: ") and "'cloze'" in result.stderr and "internal error" not in result.stderr
