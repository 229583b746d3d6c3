"""import-text's adapter (draft a source from an article); the other steps moved to project.py and sets.py."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from .dataio import read_text
from .errors import ContentError, Problem, rel
from .fsutil import write_text
from .paths import Paths  # noqa: F401 - re-exported for older callers
from .project import Plan, generate_set, plan_all, resolve, write_set  # noqa: F401 - re-exported for older callers
from .sets import dump_set, load_set_file  # noqa: F401 - re-exported for older callers


def import_article(article: Path, *, source_id: str, speakers_file: Path, out: Path) -> tuple[int, int]:
    """Write a draft source.yaml for an article; refuses to overwrite an existing file."""
    from .dataio import load_yaml  # noqa: PLC0415
    from .importer import draft_source  # noqa: PLC0415
    from .models import Source  # noqa: PLC0415

    if out.exists():
        raise ContentError(Problem(rel(out), None, "--out", "already exists; choose another path or delete it first"))
    speakers = load_yaml(speakers_file)
    if not isinstance(speakers, list) or not all(isinstance(s, dict) and "id" in s for s in speakers):
        raise ContentError(Problem(rel(speakers_file), 1, "speakers", "expected a list of speakers with id, name, role, labels"))
    plain = json.loads(json.dumps(speakers))  # plain dicts and lists, without the loader's line bookkeeping
    default = next((s["id"] for s in plain if s.get("narrator")), plain[0]["id"])
    draft = draft_source(read_text(article), source_id=source_id, speakers=plain, default_speaker=default)
    try:
        Source.model_validate(draft)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise ContentError(Problem(rel(article), None, ".".join(map(str, err["loc"])), f"{err['msg']}; fix the article or the speakers file")) from exc
    text = "# Draft made by `quizgen import-text`: review ids, speakers and paragraph splits before citing them.\n"
    text += yaml.safe_dump(draft, allow_unicode=True, sort_keys=False, width=100000)
    write_text(out, text)
    return len(draft["sections"]), sum(len(s["paragraphs"]) for s in draft["sections"])
