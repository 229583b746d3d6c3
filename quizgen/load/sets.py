"""The question-set file format: what `quizgen generate` writes and `anki`, `quiz` and `export` read back."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from quizgen.errors import ContentError, Problem, rel
from quizgen.load.content import Collector, validation_problems
from quizgen.load.dataio import line_of, load_yaml
from quizgen.models import QuestionSet

HEADER = "# A quizgen question set. Render it with `quizgen anki SET` or `quizgen quiz SET`.\n"


def load_set_file(path: Path) -> QuestionSet:
    """Read a question set written by `quizgen generate`; every problem with its line."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(Problem(rel(path), getattr(data, "line", None) or 1, "set", "expected a question set; regenerate it with `quizgen generate`"))
    try:
        return QuestionSet.model_validate(data)
    except ValidationError as exc:
        out = Collector(validation_problems(exc, path, line=lambda loc: line_of(data, loc), hint="regenerate it with `quizgen generate`"))
        out.raise_if_any()
        raise  # unreachable: a ValidationError always has errors


def dump_set(qset: QuestionSet) -> str:
    """A question set as readable, stable YAML."""
    data = json.loads(qset.model_dump_json())
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
