"""Quality rules that `quizgen check` enforces on the bank and on every question it can make.

Each rule has an id (shown as `[rule-id]` in its problem, counted by `check --quality-report`) and a one-line
rationale in RULES. An item waives a rule knowingly with `waive: {rule-id: "why"}`; a waiver without a reason, for an
unknown rule, or for a rule that does not fire on that item is itself a problem.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .content import BankItem, Content
from .errors import Problem
from .models import Question
from .text import Segmenter

RULES: dict[str, str] = {}
"""Rule id -> one-line rationale (also the README's table)."""


@dataclass
class QualityResult:
    problems: list[Problem] = field(default_factory=list)
    fired: Counter[str] = field(default_factory=Counter)
    """Rule id -> firings not waived (per question for question rules, per item for item rules)."""
    waived: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    """Information for the curator that is not a problem (e.g. items without an explicit importance)."""
    questions: int = 0
    items: int = 0

    def report(self, fmt: str) -> str:
        """Each rule's count as JSON (`json`) or CSV (`csv`)."""
        rows = [(rule, self.fired.get(rule, 0), self.waived.get(rule, 0)) for rule in RULES]
        if fmt == "csv":
            lines = ["rule,fired,waived"] + [f"{r},{f},{w}" for r, f, w in rows]
            lines.append(f"questions,{self.questions},")
            lines.append(f"items,{self.items},")
            return "\n".join(lines) + "\n"
        data = {"questions": self.questions, "items": self.items,
                "rules": {r: {"fired": f, "waived": w} for r, f, w in rows}}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def check_quality(content: Content, questions: Sequence[Question], *, segmenter: Segmenter | None = None) -> QualityResult:
    """Run every rule over the bank and the questions; collect problems, counts and notes."""
    result = QualityResult(questions=len(questions), items=len(content.items()))
    _keypoints(content, result)
    _importance_note(content, result)
    return result


def _keypoints(content: Content, result: QualityResult) -> None:
    for loaded in content.sources.values():
        covered = {it.item.keypoint for it in loaded.items if it.item.importance == "core"}
        for kp in loaded.keypoints:
            if kp.keypoint.id not in covered:
                result.fired["keypoint-uncovered"] += 1
                result.problems.append(Problem(kp.file, kp.line, "id", f"[keypoint-uncovered] key point {kp.keypoint.id!r} has no core item; "
                                                                     f"mark an item that tests it `importance: core` with `keypoint: {kp.keypoint.id}`"))


def _importance_note(content: Content, result: QualityResult) -> None:
    missing = Counter(it.file for it in content.items() if "importance" not in it.item.model_fields_set)
    if missing:
        total = sum(missing.values())
        result.notes.append(f"{total} item(s) have no `importance` and count as detail; add `importance: core` (with `keypoint:`), "
                            f"`detail` or `aside` to each ({', '.join(f'{f}: {n}' for f, n in sorted(missing.items()))})")


RULES["keypoint-uncovered"] = "every key point of the source is tested by at least one core item"
