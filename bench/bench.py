"""quizgen's benchmark: medians of repeated runs, each beside a floor measured in the same run.

Run with `make bench` (not part of `make test`). Prints figures and ratios; it never fails on speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PY = sys.executable
QUIZGEN = str(BIN / "quizgen")

# Runs a command and prints its wall time, its peak RSS (children's maxrss, KiB on Linux) and its CPU time.
_MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
dt = time.perf_counter() - t
if r.returncode:
    sys.stderr.write(r.stderr.decode()); sys.exit(r.returncode)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(dt, u.ru_maxrss, u.ru_utime + u.ru_stime)
"""
CPU: dict[tuple[str, ...], list[float]] = {}
"""CPU seconds (user + system) of every measured run, per command: steadier than wall time on a shared machine."""


def measure(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak MiB) of one run of cmd, in a fresh process so the peak is its own.

    Python may cache bytecode, as on a user's machine: a sandbox's PYTHONDONTWRITEBYTECODE would make every run
    compile every module again (0.8 s of a build), which no user pays."""
    env = {k: v for k, v in (os.environ if env is None else env).items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([PY, "-c", _MEASURE, *cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{out.stderr}")
    secs, kib, cpu = out.stdout.split()
    CPU.setdefault(tuple(cmd), []).append(float(cpu))
    return float(secs), int(kib) / 1024


def cpu_median(cmd: list[str]) -> float:
    """Median CPU seconds of the runs of cmd measured so far."""
    return statistics.median(CPU[tuple(cmd)])


def median(cmd: list[str], runs: int, *, before=None, **kw) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        t, m = measure(cmd, **kw)
        times.append(t)
        peaks.append(m)
    return statistics.median(times), max(peaks)


def project_copy(dst: Path, *, copies: int = 0) -> Path:
    """A throwaway project: templates and recipes with the interview (copies=0), or `copies` copies of the interview
    as separate sources with a deck of every question and a 50-question quiz."""
    shutil.copytree(ROOT / "templates", dst / "templates")
    shutil.copytree(ROOT / "decks", dst / "decks", ignore=shutil.ignore_patterns("state"))
    content = dst / "content"
    content.mkdir(parents=True)
    shutil.copy(ROOT / "content" / "tags.yaml", content / "tags.yaml")
    src = ROOT / "content" / "bg2-huang-2024"
    if copies == 0:
        shutil.copytree(src, content / src.name)
        return dst
    ids = []
    for i in range(copies):
        sid = f"syn-{i:03d}"
        ids.append(sid)
        shutil.copytree(src, content / sid)
        source = content / sid / "source.yaml"
        text = source.read_text(encoding="utf-8").replace("id: bg2-huang-2024", f"id: {sid}", 1)
        source.write_text(text, encoding="utf-8")
    for recipe in (dst / "decks").glob("*.toml"):
        recipe.unlink()
    (dst / "decks" / "all.toml").write_text(
        f'title = "synthetic bank"\noutput = "all"\nsources = {json.dumps(ids)}\n'
        'types = ["cloze", "basic", "mcq", "who", "reasons", "order", "typed"]\nformats = ["anki"]\n', encoding="utf-8")
    (dst / "decks" / "quiz.toml").write_text(
        f'title = "synthetic quiz"\noutput = "quiz"\nsources = {json.dumps(ids)}\n'
        'count = 50\nper_item = 1\nformats = ["quiz"]\nversions = 2\n', encoding="utf-8")
    return dst


FLOOR = str(ROOT / "bench" / "floor_genanki.py")


def deck_notes(apkg: Path) -> list[dict[str, object]]:
    """The notes of a built deck (guid, fields, tags), read back from its SQLite file."""
    import sqlite3
    import zipfile

    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(apkg) as zf:
        db = Path(tmp) / "collection.anki2"
        db.write_bytes(zf.read("collection.anki2"))
        conn = sqlite3.connect(db)
        rows = conn.execute("select guid, flds, tags from notes").fetchall()
        conn.close()
    return [{"guid": g, "fields": f.split("\x1f"), "tags": t.split()} for g, f, t in rows]


def interleaved(cmds: dict[str, list[str]], runs: int, **kw) -> dict[str, tuple[float, float]]:
    """Median seconds and peak MiB per command, runs interleaved so every command sees the same machine."""
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            got[name].append(measure(cmd, **kw))
    return {name: (statistics.median(t for t, _ in v), max(m for _, m in v)) for name, v in got.items()}


def build_cmd(proj: Path, out: Path, *extra: str) -> list[str]:
    return [QUIZGEN, "build", "--content", str(proj / "content"), "--templates", str(proj / "templates"),
            "--decks", str(proj / "decks"), "--out", str(out), *extra]


def row(name: str, value: float, floor: float | None = None, target: str = "", unit: str = "s") -> None:
    ratio = f"{value / floor:5.2f}x" if floor else "     "
    print(f"  {name:<44} {value:8.3f} {unit:<3} {ratio}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", default="1,10,100", help="synthetic bank sizes, comma separated")
    args = parser.parse_args()
    runs = args.runs
    print(f"quizgen benchmark — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; median of {runs} runs")

    print("start-up")
    # start-up is short and noisy: more runs, interleaved so both see the same machine
    floor_runs, help_runs = [], []
    for _ in range(max(runs, 5) * 3):
        floor_runs.append(measure([PY, "-c", "import typer"])[0])
        help_runs.append(measure([QUIZGEN, "--help"])[0])
    floor_typer, help_t = statistics.median(floor_runs), statistics.median(help_runs)
    row("floor: python -c 'import typer'", floor_typer)
    row("quizgen --help", help_t, floor_typer, "target <= 1.5x")

    with tempfile.TemporaryDirectory(prefix="quizgen-bench-") as tmp:
        tmp_path = Path(tmp)
        proj = project_copy(tmp_path / "proj")
        out = tmp_path / "build"
        print("full build of all recipes")
        floor_libs, _ = median([PY, "-c", "import genanki, jinja2, jieba; jieba.initialize()"], runs)
        row("floor: import genanki, jinja2, jieba + initialize", floor_libs)

        def clean() -> None:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(proj / "decks" / "state", ignore_errors=True)

        cold, cold_mem = median(build_cmd(proj, out), runs, before=clean)
        row("cold build (empty build/)", cold, floor_libs, "target <= 1.5x")
        measure(build_cmd(proj, out))
        warm, _ = median(build_cmd(proj, out), runs)
        row("warm rebuild, nothing changed", warm, floor_libs, "target < 0.5x")

        def fresh_machine() -> None:
            clean()
            shutil.rmtree(tmp_path / "xdg", ignore_errors=True)

        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
        first, _ = median(build_cmd(proj, out), max(3, runs // 2), before=fresh_machine, env=env)
        row("first build on a new machine (no user caches)", first, floor_libs, "(informational)")

        print("quiz versions")
        qcmd = [QUIZGEN, "quiz", str(proj / "decks" / "short-quiz.toml"), "--versions", "100", "--out", str(tmp_path / "q"),
                "--content", str(proj / "content"), "--templates", str(proj / "templates"), "--decks", str(proj / "decks")]
        # the printed quiz and its key (the target's measure), then with the recipe's machine-readable sheets too: one
        # per student and version (answer_sheets = 40), 4,000 sheets, each with its own QR code
        q100, _ = median([*qcmd, "--answer-sheets", "0"], max(3, runs // 2))
        row("100 shuffled versions of the short quiz", q100, None, "target < 3 s")
        s100, _ = median(qcmd, 3)
        row("  the same with 40 answer sheets a version (4,000)", s100, None, "(informational)")

        print("one deck against bare genanki writing the same notes (python bench/floor_genanki.py notes …)")
        anki_cmd = [QUIZGEN, "anki", str(proj / "decks" / "interview.toml"), "--out", str(tmp_path / "a"),
                    "--content", str(proj / "content"), "--templates", str(proj / "templates"), "--decks", str(proj / "decks")]
        anki_env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg-anki")}  # its own caches, which it may empty
        measure(anki_cmd, env=anki_env)  # fills the per-user caches, as any earlier run would have
        CPU.pop(tuple(anki_cmd))
        notes = deck_notes(tmp_path / "a" / "bg2-interview" / "bg2-interview.apkg")
        (tmp_path / "notes.json").write_text(json.dumps(notes, ensure_ascii=False), encoding="utf-8")
        floor_cmd = [PY, FLOOR, "notes", str(tmp_path / "notes.json"), str(tmp_path / "floor.apkg")]
        got = interleaved({"floor": floor_cmd, "anki": anki_cmd}, max(runs, 5) * 2, env=anki_env)
        floor_deck = got["floor"][0]
        row(f"floor: bare genanki, the same {len(notes)} notes", floor_deck)
        row("quizgen anki decks/interview.toml", got["anki"][0], floor_deck, "target <= 2x")
        row("  the same in CPU time (floor: same notes)", cpu_median(anki_cmd), cpu_median(floor_cmd), "(steadier on a busy machine)")

        def no_set_cache() -> None:  # neither the question set nor the deck made from it (deckcache.py)
            for cache in ("sets", "decks"):
                shutil.rmtree(tmp_path / "xdg-anki" / "quizgen" / cache, ignore_errors=True)

        uncached, _ = median(anki_cmd, max(3, runs // 2), before=no_set_cache, env=anki_env)
        row("  the same with no cached question set", uncached, floor_deck, "(informational)")

    print("synthetic banks (N copies of the interview as N sources; deck of every question + a 50-question quiz)")
    per_copy: dict[int, float] = {}
    for scale in [int(s) for s in args.scales.split(",") if s]:
        with tempfile.TemporaryDirectory(prefix="quizgen-bench-") as tmp:
            proj = project_copy(Path(tmp) / "proj", copies=scale)
            out = Path(tmp) / "build"
            n_runs = 3 if scale <= 10 else 2
            items = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["items"]) for p in (proj / "content").glob("*/bank/*.yaml"))
            builds: list[tuple[float, float]] = []
            floors: list[tuple[float, float]] = []
            for _ in range(n_runs):  # interleaved: the build, then the floor for the notes it wrote
                builds.append(measure(build_cmd(proj, out, "--force")))
                if len(builds) == 1:
                    notes = deck_notes(out / "all" / "all.apkg")
                    chars = round(sum(len("\x1f".join(n["fields"])) for n in notes) / len(notes))  # type: ignore[arg-type]  # fields is a list of str in the note rows
                    floor_cmd = [PY, FLOOR, "bank", str(proj / "content"), str(len(notes)), str(chars), str(Path(tmp) / "floor.apkg")]
                floors.append(measure(floor_cmd))
            t, mem = statistics.median(b[0] for b in builds), max(b[1] for b in builds)
            floor_t, floor_mem = statistics.median(f[0] for f in floors), max(f[1] for f in floors)
            per_copy[scale] = t / scale
            cpu_ratio = cpu_median(build_cmd(proj, out, "--force")) / cpu_median(floor_cmd)
            print(f"  x{scale:<4} {items:>6} items {len(notes):>6} notes  build {t:7.2f} s  peak {mem:6.1f} MiB   "
                  f"floor {floor_t:6.2f} s ({floor_mem:5.1f} MiB)  ratio {t / floor_t:4.2f}x (CPU {cpu_ratio:4.2f}x)  target <= 4x at x100")
    if 10 in per_copy and 100 in per_copy:
        print(f"  cost per copy x100 / x10: {per_copy[100] / per_copy[10]:.2f} (1.00 = linear; peak memory target < 500 MiB at x100)")


if __name__ == "__main__":
    main()
