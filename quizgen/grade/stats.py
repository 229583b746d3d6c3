"""Class statistics and item analysis (numpy): totals, KR-20, SEM, p, upper-lower d, point-biserial r, option shares."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from quizgen.grade.key import CHOICE
from quizgen.grade.score import Scored

GROUP_SHARE = 0.27
"""Upper and lower groups: the top and bottom 27 % of the class by total score (Kelley)."""
TOO_HARD, TOO_EASY, WEAK = 0.3, 0.9, 0.2
FLAG_WEIGHT = {"check-key": 5, "distractor-upper": 4, "weak": 3, "too-hard": 2, "unused-distractor": 1, "too-easy": 1}
"""How much trouble each flag signals: orders the report's question list."""


@dataclass(frozen=True)
class Summary:
    n: int
    k: int
    max_points: float
    mean: float
    median: float
    sd: float
    """Sample standard deviation of the totals (n - 1)."""
    kr20: float
    sem: float
    """Standard error of measurement: sd * sqrt(1 - KR-20)."""


@dataclass(frozen=True)
class ItemStats:
    index: int
    p: float
    d: float
    rpb: float
    n: int
    omitted: float
    """Share of the class that left it blank."""
    shares: np.ndarray | None
    """Choice questions: (3, options) shares choosing each option: overall, upper group, lower group."""
    flags: tuple[str, ...]

    @property
    def trouble(self) -> int:
        return sum(FLAG_WEIGHT[f.split(":")[0]] for f in self.flags)


def groups(totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the upper and lower 27 % (at least one student each); ties keep the sheet's order."""
    n = len(totals)
    size = max(1, math.floor(GROUP_SHARE * n + 0.5))
    upper = np.argsort(-totals, kind="stable")[:size]
    lower = np.argsort(totals, kind="stable")[:size]
    return upper, lower


def item_scores(scored: Scored) -> np.ndarray:
    """Each question's score as a share of its points: 1/0 for right/wrong, in between for partly marked short answers."""
    return scored.earned / scored.max_points


def kr20(x: np.ndarray) -> float:
    """KR-20 (Cronbach's alpha on 0/1 item scores; alpha on partial scores): k/(k-1) * (1 - sum of item variances / total variance)."""
    n, k = x.shape
    total_var = x.sum(axis=1).var()
    if k < 2 or total_var == 0:
        return math.nan
    return k / (k - 1) * (1 - x.var(axis=0).sum() / total_var)


def point_biserial(x: np.ndarray, earned: np.ndarray) -> np.ndarray:
    """Per question, Pearson's r between the item score and the rest score (total minus that question's points)."""
    rest = earned.sum(axis=1, keepdims=True) - earned
    xc = x - x.mean(axis=0)
    rc = rest - rest.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (xc * rc).sum(axis=0) / np.sqrt((xc * xc).sum(axis=0) * (rc * rc).sum(axis=0))


def summarize(scored: Scored) -> Summary:
    totals = scored.totals
    n = len(totals)
    reliability = kr20(item_scores(scored))
    sd = float(totals.std(ddof=1)) if n > 1 else math.nan
    sem = sd * math.sqrt(1 - reliability) if not math.isnan(reliability) and reliability <= 1 else math.nan
    return Summary(n=n, k=scored.earned.shape[1], max_points=float(scored.max_points.sum()), mean=float(totals.mean()),
                   median=float(np.median(totals)), sd=sd, kr20=float(reliability), sem=sem)


def analyse(scored: Scored) -> list[ItemStats]:
    """Item analysis for every question, in the key's order."""
    x = item_scores(scored)
    upper, lower = groups(scored.totals)
    p = x.mean(axis=0)
    d = x[upper].mean(axis=0) - x[lower].mean(axis=0)
    rpb = point_biserial(x, scored.earned)
    omitted = scored.omitted.mean(axis=0)
    out = []
    for j, entry in enumerate(scored.key.questions):
        shares = None
        flags = []
        if p[j] < TOO_HARD:
            flags.append("too-hard")
        if p[j] > TOO_EASY:
            flags.append("too-easy")
        if not math.isnan(rpb[j]) and rpb[j] < WEAK:
            flags.append("weak")
        if not math.isnan(rpb[j]) and rpb[j] < 0:
            flags.append("check-key")
        if entry.type in CHOICE:
            options = np.arange(len(entry.options))
            col = scored.choices[:, j]
            shares = np.stack([(col[:, None] == options).mean(axis=0),
                               (col[upper][:, None] == options).mean(axis=0),
                               (col[lower][:, None] == options).mean(axis=0)])
            right = ord(entry.answer) - ord("A")
            for o in options:
                if o == right:
                    continue
                letter = entry.letters[o]
                if shares[0, o] == 0:
                    flags.append(f"unused-distractor:{letter}")
                if shares[1, o] > shares[1, right]:
                    flags.append(f"distractor-upper:{letter}")
        flags.sort(key=lambda f: -FLAG_WEIGHT[f.split(":")[0]])  # the worst first (stable: options keep their order)
        out.append(ItemStats(index=j, p=float(p[j]), d=float(d[j]), rpb=float(rpb[j]), n=len(x), omitted=float(omitted[j]),
                             shares=shares, flags=tuple(flags)))
    return out


def by_trouble(items: list[ItemStats]) -> list[ItemStats]:
    """Most troubled first (flag weights), then the weakest rpb, then the key's order."""
    return sorted(items, key=lambda s: (-s.trouble, s.rpb if not math.isnan(s.rpb) else 0.0, s.index))
