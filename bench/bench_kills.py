"""Kill benchmark: `quizgen build --force` SIGKILLed at 100 random moments of a build (issue 16). Run by `make bench`.

Each kill is on a fresh copy of a built project whose bank was just edited; after it, build/ and decks/state/ must be
the old or the new version, or carry a journal, and the next `quizgen build` must end at the new version with no temp
file. Prints how often each state was seen and every failure. It reports, it never fails.

    python bench/bench_kills.py [KILLS]     (default 100)
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.project.test_kill_safety import _build, _outputs, _temps, kill_build, prepare  # noqa: E402 - after the path above


def main() -> None:
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rng = random.Random(100)
    seen: Counter[str] = Counter()
    failures = []
    with tempfile.TemporaryDirectory(prefix="quizgen-bench-kills-") as tmp:
        old, before, after, seconds = prepare(Path(tmp))
        for k in range(kills):
            root = Path(tmp) / f"k{k}"
            now = kill_build(old, root, seconds * rng.uniform(0.0, 1.1))
            if (root / "build" / ".quizgen-journal.json").exists():
                seen["journal (completed by the next build)"] += 1
            elif now == before:
                seen["old version"] += 1
            elif now == after:
                seen["new version"] += 1
            else:
                seen["MIXED"] += 1
                failures.append(f"kill {k}: mixed outputs without a journal")
            seen["temp files left by the kill"] += bool(_temps(root))
            _build(root)
            if _outputs(root) != after or _temps(root) or (root / "build" / ".quizgen-journal.json").exists():
                failures.append(f"kill {k}: the next build did not end clean at the new version")
            shutil.rmtree(root)
    print(f"kills: {kills} SIGKILLs of `quizgen build --force` (a build takes {seconds:.2f} s here)")
    for state, count in sorted(seen.items()):
        print(f"  {state:40} {count}")
    print(f"  repaired to the new version by the next build: {kills - len(failures)} of {kills}")
    for line in failures:
        print(f"  FAILED {line}")


if __name__ == "__main__":
    main()
