"""import-text speed: 1 MB of adversarial Markdown, and the shipped article, split by quizgen.curate.markdown."""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "curate"))

from adversarial import adversarial  # noqa: E402

from quizgen.curate.markdown import split_article  # noqa: E402

SPEAKERS = [{"id": "host", "name": "暗涌", "role": "记者", "labels": ["暗涌"]}, {"id": "guest", "name": "嘉宾", "role": "嘉宾"}]


def timed(text: str) -> float:
    start = time.perf_counter()
    split_article(text, speakers=SPEAKERS, default_speaker="guest")
    return time.perf_counter() - start


def main() -> None:
    bad = adversarial()
    seed = (REPO / "content" / "bg2-huang-2024" / "article.md").read_text(encoding="utf-8")
    t_bad, t_seed = timed(bad), timed(seed)
    print(f"adversarial Markdown: {len(bad) / 1e6:.1f} MB in {t_bad:.2f} s ({len(bad) / t_bad / 1e6:.2f} MB/s)")
    print(f"shipped article: {len(seed) / 1e3:.0f} kB in {t_seed * 1000:.0f} ms ({len(seed) / t_seed / 1e6:.2f} MB/s)")
    print(f"ratio adversarial/shipped throughput: {(len(bad) / t_bad) / (len(seed) / t_seed):.2f}")


if __name__ == "__main__":
    main()
