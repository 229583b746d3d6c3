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

# Runs a command and prints its wall time and its peak RSS (children's maxrss, KiB on Linux).
_MEASURE = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
dt = time.perf_counter() - t
if r.returncode:
    sys.stderr.write(r.stderr.decode()); sys.exit(r.returncode)
print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak MiB) of one run of cmd, in a fresh process so the peak is its own."""
    out = subprocess.run([PY, "-c", _MEASURE, *cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"command failed: {' '.join(cmd)}\n{out.stderr}")
    secs, kib = out.stdout.split()
    return float(secs), int(kib) / 1024


def median(cmd: list[str], runs: int, *, before=None, **kw) -> tuple[float, float]:  # noqa: ANN001
    times, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        t, m = measure(cmd, **kw)
        times.append(t)
        peaks.append(m)
    return statistics.median(times), max(peaks)


def project_copy(dst: Path, *, copies: int = 1) -> Path:
    """A throwaway project: templates, recipes, and `copies` copies of the interview as separate sources."""
    shutil.copytree(ROOT / "templates", dst / "templates")
    shutil.copytree(ROOT / "decks", dst / "decks", ignore=shutil.ignore_patterns("state"))
    content = dst / "content"
    content.mkdir(parents=True)
    shutil.copy(ROOT / "content" / "tags.yaml", content / "tags.yaml")
    src = ROOT / "content" / "bg2-huang-2024"
    if copies == 1:
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
        f'title = "synthetic x{copies}"\noutput = "all"\nsources = {json.dumps(ids)}\n'
        'types = ["cloze", "basic", "mcq", "who", "reasons", "order", "typed"]\nformats = ["anki"]\n', encoding="utf-8")
    (dst / "decks" / "quiz.toml").write_text(
        f'title = "synthetic quiz x{copies}"\noutput = "quiz"\nsources = {json.dumps(ids)}\n'
        'count = 50\nper_item = 1\nformats = ["quiz"]\nversions = 2\n', encoding="utf-8")
    return dst


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
        q100, _ = median(qcmd, max(3, runs // 2))
        row("100 shuffled versions of the short quiz", q100, None, "target < 3 s")

    print("synthetic banks (N copies of the interview as N sources; deck of every question + a 50-question quiz)")
    base: tuple[float, float] | None = None
    for scale in [int(s) for s in args.scales.split(",") if s]:
        with tempfile.TemporaryDirectory(prefix="quizgen-bench-") as tmp:
            proj = project_copy(Path(tmp) / "proj", copies=scale)
            n_runs = 3 if scale <= 10 else 1
            t, mem = median(build_cmd(proj, Path(tmp) / "build", "--force"), n_runs)
            items = sum(len(yaml.safe_load(p.read_text(encoding="utf-8"))["items"]) for p in (proj / "content").glob("*/bank/*.yaml"))
            base = base or (t / scale, mem)
            print(f"  x{scale:<4} {items:>6} items  build {t:8.2f} s ({t / scale / base[0]:4.2f}x per copy vs x1)  "
                  f"peak {mem:7.1f} MiB  target < 500 MiB at x100")


if __name__ == "__main__":
    main()
