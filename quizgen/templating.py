"""The one Jinja2 environment factory, and the one mapping of template errors to located problems.

Every HTML output (quizzes, grading pages, progress pages) is rendered through an environment made here:
autoescape on (not `select_autoescape`, which skips `*.html.j2`), StrictUndefined, templates looked up by name in
one folder, a missing or broken template reported as the file to fix.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import jinja2

from quizgen.errors import ContentError, Problem, rel


def environment(folder: Path, *, bytecode_cache: Path | None = None) -> jinja2.Environment:
    """An environment over one template folder; `bytecode_cache`: a folder for compiled templates (speed only)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(bytecode_cache)) if bytecode_cache else None,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}  # the same bytes on every run
    return env


@contextlib.contextmanager
def template_errors(folder: Path, name: str, *, kind: str) -> Iterator[None]:
    """Turn a Jinja error while rendering `name` from `folder` into a ContentError naming the template file."""
    try:
        yield
    except jinja2.TemplateNotFound as exc:
        missing = exc.name or name
        raise ContentError(Problem(rel(folder / missing), None, "template",
                                   f"{kind} template {missing!r} not found (searched {rel(folder)}/)")) from exc
    except jinja2.TemplateSyntaxError as exc:
        where = rel(exc.filename) if exc.filename else rel(folder / (exc.name or name))
        raise ContentError(Problem(where, exc.lineno, "template", exc.message or "syntax error")) from exc
    except jinja2.UndefinedError as exc:
        raise ContentError(Problem(rel(folder / name), None, "template", str(exc))) from exc
    except jinja2.TemplateError as exc:
        raise ContentError(Problem(rel(folder / name), None, "template", exc.message or "template error")) from exc
