"""Random corruption of every file a user can edit: `check` answers with located errors (never a traceback or an
"internal error"), and whatever `check` accepts, `build` builds."""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest
from conftest import SECOND, TEMPLATES, invoke

TARGETS = [
    "content/tags.yaml",
    "content/xh-lin-2025/source.yaml",
    "content/xh-lin-2025/bank/01-founding.yaml",
    "content/xh-lin-2025/bank/02-scale.yaml",
    "content/xh-lin-2025/article.md",
    "content/xh-lin-2025/userdict.txt",
    "decks/second.toml",
    "decks/state/xh-lin-interview.json",
    "templates/questions/facts.yaml",
    "templates/questions/arguments.yaml",
    "templates/anki/notetypes.yaml",
    "templates/anki/cards.css",
    "templates/quiz/print.html.j2",
    "templates/quiz/macros.html.j2",
    "templates/quiz/base.html.j2",
]
JUNK = ["{", "}", ":", "- ", "\t", "'", '"', "{{", "}}", "{%", "%}", "{#", "[", "]", "#", "*", "\n", "  ", "\\", "0", "-1", "null",
        "{{/Front}}", "{{Nope}}", ": x", "&", "\ufeff", "é"]
CASES = int(os.environ.get("QUIZGEN_FUZZ_CASES", 3 * len(TARGETS)))  # more for a longer hunt


def _corrupt(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8")
    lines = text.split("\n")
    how = rng.randrange(8)
    if how == 0 and len(lines) > 1:
        del lines[rng.randrange(len(lines))]
    elif how == 1:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif how == 2 and len(lines) > 2:
        i = rng.randrange(len(lines) - 1)
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    elif how == 3:
        at = rng.randrange(len(text) + 1)
        return (text[:at] + rng.choice(JUNK) + text[at:]).encode("utf-8")
    elif how == 4:
        return text[: rng.randrange(len(text) + 1)].encode("utf-8")
    elif how == 5 and text:
        at = rng.randrange(len(text))
        return (text[:at] + rng.choice(JUNK) + text[at + 1:]).encode("utf-8")
    elif how == 6:
        at = rng.randrange(len(data) + 1)
        return data[:at] + b"\xff\xfe" + data[at:]
    else:
        return b""
    return "\n".join(lines).encode("utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, jieba_cache: dict[str, str]) -> Path:
    """The second source with its own copy of the templates, built once (so decks/state/ exists)."""
    root = tmp_path_factory.mktemp("fuzz") / "base"
    shutil.copytree(SECOND, root)
    shutil.copytree(TEMPLATES, root / "templates")
    result = invoke("build", "--content", str(root / "content"), "--templates", str(root / "templates"), "--decks", str(root / "decks"),
                    "--out", str(root / "build"), env=jieba_cache)
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("case", range(CASES))
def test_corrupted_input_gives_located_errors_or_a_build(case: int, project: Path, tmp_path: Path, jieba_cache: dict[str, str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "p"
    shutil.copytree(project, root)
    monkeypatch.chdir(root)
    rng = random.Random(f"fuzz:{case}")
    target = root / TARGETS[case % len(TARGETS)]
    target.write_bytes(_corrupt(target.read_bytes(), rng))
    args = ["--content", "content", "--templates", "templates", "--decks", "decks"]
    result = invoke("check", *args, env=jieba_cache)
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    assert isinstance(result.exception, SystemExit) or result.exception is None, repr(result.exception)
    if result.exit_code == 1:
        assert result.stdout == ""
        errors = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
        assert errors, result.stderr
        for line in errors:
            # every error names an input file, relative to the project (a line number where one exists)
            assert re.match(r"error: (content|decks|templates)/[^:]+(:\d+)?: ", line), line
        return
    assert result.exit_code == 0, result.output
    built = invoke("build", *args, "--out", "build", "--force", env=jieba_cache)
    assert built.exit_code == 0, f"check accepted {target.relative_to(root)} but build failed:\n{built.output}"
