"""Builds that survive a kill (issue 16, point 4): `quizgen build --force` killed at random moments (SIGKILL: no
clean-up can run) leaves build/ and decks/state/ as the old or the new version, or a journal the next build completes;
the next build always ends at the new version with no temp file left. Two builds take turns; SIGTERM cleans up."""

from __future__ import annotations

import fcntl
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SECOND, TEMPLATES

QUIZGEN = str(Path(sys.executable).parent / "quizgen")
EPOCH = "1733500000"
KILLS = 12


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "XDG_CACHE_HOME": str(root / ".cache"), "TMPDIR": str(root / "tmp")}


def _build(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([QUIZGEN, "build", "--templates", str(TEMPLATES), *args], cwd=root, env=_env(root),
                          capture_output=True, text=True, timeout=120)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _outputs(root: Path) -> dict[str, str]:
    """Every file of build/ and decks/state/ (no lock file, no temp file) -> its hash."""
    out = {}
    for folder in (root / "build", root / "decks" / "state"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and not path.name.endswith(".tmp") and path.name != ".quizgen-journal.json":
                out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _temps(root: Path) -> list[str]:
    return [str(p.relative_to(root)) for folder in (root / "build", root / "decks" / "state") if folder.is_dir()
            for p in folder.rglob("*.tmp")]


def _edit(root: Path) -> None:
    bank = root / "content" / "xh-lin-2025" / "bank" / "01-founding.yaml"
    text = bank.read_text(encoding="utf-8")
    assert "星衡机器人的第一个客户是哪家公司？" in text
    bank.write_text(text.replace("星衡机器人的第一个客户是哪家公司？", "星衡机器人最早的客户是哪家公司？"), encoding="utf-8")


def prepare(folder: Path) -> tuple[Path, dict[str, str], dict[str, str], float]:
    """In `folder`: a project built (the old version), the outputs of the old and the new version (the bank edited),
    and how long a build takes."""
    old = folder / "old"
    shutil.copytree(SECOND, old)
    (old / "tmp").mkdir()
    _build(old)
    new = folder / "new"
    shutil.copytree(old, new)
    _edit(new)
    start = time.monotonic()
    _build(new, "--force")
    seconds = time.monotonic() - start
    return old, _outputs(old), _outputs(new), seconds


def kill_build(old: Path, root: Path, delay: float) -> dict[str, str]:
    """A copy of `old` at `root` with its bank edited, `quizgen build --force` SIGKILLed after `delay` seconds: the
    outputs it left."""
    shutil.copytree(old, root)
    _edit(root)
    process = subprocess.Popen([QUIZGEN, "build", "--force", "--templates", str(TEMPLATES)], cwd=root, env=_env(root),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    return _outputs(root)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str], float]:
    old, before, after, seconds = prepare(tmp_path_factory.mktemp("versions"))
    assert before.keys() == after.keys() and before != after
    return old, before, after, seconds


def test_a_build_killed_at_any_moment_is_old_new_or_repaired(versions, tmp_path: Path) -> None:
    old, before, after, seconds = versions
    rng = random.Random(16)
    seen = {"old": 0, "new": 0, "journal": 0}
    for k in range(KILLS):
        root = tmp_path / f"k{k}"
        now = kill_build(old, root, seconds * rng.uniform(0.5, 1.05))  # the writing happens at the end
        if (root / "build" / ".quizgen-journal.json").exists():
            seen["journal"] += 1
        else:
            assert now in (before, after), f"kill {k}: a mix of old and new outputs, and no journal to complete it"
            seen["old" if now == before else "new"] += 1
        repaired = _build(root)
        assert _outputs(root) == after, f"kill {k}: the next build did not end at the new version"
        assert _temps(root) == [], f"kill {k}: temp files survived the next build"
        assert not (root / "build" / ".quizgen-journal.json").exists()
        if "completed an interrupted build" in repaired.stderr + repaired.stdout:
            assert seen["journal"]
    assert sum(seen.values()) == KILLS


def test_an_interrupted_rename_is_completed_by_the_next_build(versions, tmp_path: Path) -> None:
    """The state a SIGKILL between two renames leaves, made on purpose: the journal, some files new, the rest staged."""
    old, _, after, _ = versions
    done = tmp_path / "done"
    shutil.copytree(old, done)
    _edit(done)
    _build(done, "--force")
    root = tmp_path / "cut"
    shutil.copytree(old, root)
    _edit(root)
    import json

    pairs = []
    for n, name in enumerate(sorted(after)):
        target = root / name
        tmp = target.with_name(f".{target.name}.build.abcd{n:04d}.tmp")
        tmp.write_bytes((done / name).read_bytes())
        pairs.append([str(tmp), str(target)])
    for tmp, target in pairs[: len(pairs) // 2]:  # the kill came half-way through the renames
        os.replace(tmp, target)
    (root / "build" / ".quizgen-journal.json").write_text(json.dumps(pairs), encoding="utf-8")
    result = _build(root)
    assert f"completed an interrupted build: {len(pairs) - len(pairs) // 2} file(s) moved into place" in result.stderr + result.stdout
    assert "up to date" in result.stdout  # the stamp came with the completed write, keyed on the edited bank
    assert _outputs(root) == after and _temps(root) == []
    # and a revert after that rebuilds: the stamp never vouches for outputs of other inputs
    (root / "content").rename(root / "content-edited")
    shutil.copytree(old / "content", root / "content")
    assert "up to date" not in _build(root).stdout


def test_temp_files_of_a_killed_staging_are_removed(versions, tmp_path: Path) -> None:
    old, before, _, _ = versions
    root = tmp_path / "p"
    shutil.copytree(old, root)
    stray = [root / "build" / "bg2-second" / ".x.apkg.build.k1ll3d00.tmp", root / "decks" / "state" / ".second.json.build.zz99zz99.tmp"]
    for path in stray:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    result = _build(root)
    assert "removed 2 temp file(s) an interrupted run left" in result.stderr + result.stdout
    assert _temps(root) == [] and _outputs(root) == before


def test_a_second_build_waits_for_the_first_and_says_for_whom(versions, tmp_path: Path) -> None:
    old, *_ = versions
    root = tmp_path / "p"
    shutil.copytree(old, root)
    key = hashlib.sha256(str((root / "build").resolve()).encode("utf-8")).hexdigest()[:24]
    lock = root / ".cache" / "quizgen" / "locks" / f"{key}.lock"  # in the user's cache (XDG_CACHE_HOME of _env)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+", encoding="utf-8") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("424242\n")
        held.flush()
        refused = subprocess.run([QUIZGEN, "build", "--templates", str(TEMPLATES)], cwd=root,
                                 env={**_env(root), "QUIZGEN_LOCK_WAIT": "0.5"}, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 1
        assert "waiting for another quizgen build on this project (pid 424242" in refused.stderr
        assert "error: build: lock: another quizgen build (pid 424242) has held this project for 0.5 s" in refused.stderr
        waiting = subprocess.Popen([QUIZGEN, "build", "--force", "--templates", str(TEMPLATES)], cwd=root, env=_env(root),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        assert waiting.poll() is None  # still waiting
        fcntl.flock(held, fcntl.LOCK_UN)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "waiting for another quizgen build" in err and "wrote build/" in out


def test_sigterm_stops_cleanly_and_leaves_no_temp_folder(versions, tmp_path: Path) -> None:
    old, before, after, seconds = versions
    rng = random.Random(20)
    for k in range(4):
        root = tmp_path / f"t{k}"
        shutil.copytree(old, root)
        _edit(root)
        process = subprocess.Popen([QUIZGEN, "build", "--force", "--templates", str(TEMPLATES)], cwd=root, env=_env(root),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(seconds * rng.uniform(0.3, 0.95))
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        if process.returncode == 0:
            continue  # it had finished
        if process.returncode == -signal.SIGTERM:  # Python starting, or exiting: before or after quizgen's own handler
            assert _outputs(root) in (before, after) and list((root / "tmp").iterdir()) == [] and _temps(root) == []
            continue
        assert process.returncode == 130, err
        assert "Traceback" not in err
        assert "interrupted" in err
        assert list((root / "tmp").iterdir()) == [], "temp folders left behind"
        now = _outputs(root)
        assert now in (before, after), ({k for k in now if now.get(k) != before.get(k)}, {k for k in now.keys() | after.keys() if now.get(k) != after.get(k)}, err)
        assert ("no output was changed" in err) == (now == before), err
        assert _temps(root) == []
