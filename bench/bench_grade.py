"""Grading benchmark: 1,000 students x 60 questions graded with the report (target < 2 s). Run by `make bench`.

Prints medians of repeated runs of `quizgen grade` (a fresh process each, start-up included) beside a floor: the
imports grading cannot avoid. It reports, it never fails.
"""

from __future__ import annotations

import csv
import io
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUIZGEN = str(Path(sys.executable).parent / "quizgen")
STUDENTS, QUESTIONS, VERSIONS, RUNS = 1000, 60, 4, 5
TYPES = ("mcq", "mcq", "mcq", "tf", "who", "cloze", "cloze", "typed", "order", "basic")


def synthetic_key(rng: random.Random) -> list[dict[str, str]]:
    """A 60-question key in VERSIONS versions: every type, options shuffled per version as a printed quiz has them."""
    questions = []
    for j in range(QUESTIONS):
        kind = TYPES[j % len(TYPES)]
        options = {"mcq": [f"选项{j}-{k}" for k in range(4)], "tf": ["正确", "错误"], "who": ["黄仁勋", "Brad Gerstner", "Clark Tang"],
                   "order": [f"步骤{j}-{k}" for k in range(4)]}.get(kind, [])
        questions.append((f"item-{j}:{kind}", kind, options, f"答案{j}", 2 if kind in ("mcq", "basic") else 1, f"s{j % 7}"))
    rows = []
    for v in range(VERSIONS):
        label = chr(ord("A") + v)
        order = questions[:]
        random.Random(f"{v}").shuffle(order)
        for number, (qid, kind, options, answer, points, section) in enumerate(order, 1):
            shown = options[:]
            if kind != "tf":
                random.Random(f"{v}:{qid}").shuffle(shown)
            if kind == "order":
                key = "".join(chr(ord("A") + shown.index(o)) for o in options)
            elif options:
                key = chr(ord("A") + shown.index(options[0]))
            else:
                key = "" if kind == "basic" else answer
            rows.append({"version": label, "number": str(number), "question_id": qid, "item_id": qid.split(":")[0], "type": kind,
                         "answer": key, "points": str(points), "options": "|".join(shown), "quiz": "bench", "section_id": section,
                         "section_index": section[1:], "section_title": f"第{section[1:]}节", "paragraph_id": f"p{number:03d}",
                         "speaker": "黄仁勋", "accept": "", "prompt": f"第{number}题", "evidence": "原文"})
    return rows


def responses(key: list[dict[str, str]], rng: random.Random) -> str:
    by_version: dict[str, list[dict[str, str]]] = {}
    for r in key:
        by_version.setdefault(r["version"], []).append(r)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student_id", "name", "version", *map(str, range(1, QUESTIONS + 1))])
    for i in range(STUDENTS):
        ability, label = rng.gauss(0, 1), rng.choice(sorted(by_version))
        cells = []
        for r in by_version[label]:
            right = rng.random() < 1 / (1 + math.exp(-ability - 0.3))
            letters = [chr(ord("A") + k) for k in range(len(r["options"].split("|")))] if r["options"] else []
            if rng.random() < 0.03:
                cells.append("")
            elif r["type"] == "basic":
                cells.append(str(int(r["points"]) if right else 0))
            elif r["type"] == "order":
                cells.append(r["answer"] if right else r["answer"][::-1])
            elif letters:
                cells.append(r["answer"] if right else rng.choice(letters))
            else:
                cells.append(r["answer"] if right else "不知道")
        w.writerow([f"s{i:05d}", f"学生{i}", label, *cells])
    return buf.getvalue()


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    rng = random.Random(42)
    with tempfile.TemporaryDirectory(prefix="quizgen-bench-grade-") as tmp:
        folder = Path(tmp)
        key = synthetic_key(rng)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(key[0]))
        w.writeheader()
        w.writerows(key)
        (folder / "key.csv").write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
        (folder / "class.csv").write_text(responses(key, rng), encoding="utf-8-sig")
        cmd = [QUIZGEN, "grade", str(folder / "class.csv"), "--key", str(folder / "key.csv"), "--out", str(folder / "out")]
        timed(cmd)  # warm the OS file cache and matplotlib's font cache
        grade = statistics.median(timed(cmd) for _ in range(RUNS))
        floor = statistics.median(timed([sys.executable, "-c", "import numpy, jinja2, matplotlib.figure"]) for _ in range(RUNS))
        sizes = {p.name: p.stat().st_size for p in sorted((folder / "out").iterdir())}
    print(f"grading: {STUDENTS:,} students x {QUESTIONS} questions ({VERSIONS} versions), scores, items, report and feedback")
    print(f"  quizgen grade       {grade:.2f} s   (target < 2 s)")
    print(f"  floor: import numpy, jinja2, matplotlib  {floor:.2f} s   ratio {grade / floor:.2f}x")
    print("  outputs: " + ", ".join(f"{name} {size / 1024:.0f} KiB" for name, size in sizes.items()))


if __name__ == "__main__":
    main()
