"""Start-up: `quizgen --help` against `python -c "import typer"` (the floor any Typer CLI pays), median of 15 runs each.

The house rule (issue 15): `quizgen --help` stays within 1.5x of importing Typer, without touching Typer's private API.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15
BIN = Path(sys.executable).parent


def median_seconds(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    typer_s = median_seconds([sys.executable, "-c", "import typer"])
    help_s = median_seconds([str(BIN / "quizgen"), "--help"])
    build_s = median_seconds([str(BIN / "quizgen"), "build", "--help"])
    print(f"startup: import typer {typer_s * 1000:.0f} ms | quizgen --help {help_s * 1000:.0f} ms ({help_s / typer_s:.2f}x) "
          f"| quizgen build --help {build_s * 1000:.0f} ms ({build_s / typer_s:.2f}x) | limit 1.5x")


if __name__ == "__main__":
    main()
