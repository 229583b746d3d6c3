"""MkDocs hook: the reference pages, generated from the code at build time so they cannot drift from it.

- reference/commands.md: every command's `--help` (the Typer app in quizgen.cli), at a fixed width, without colour;
- reference/fields.md: the bank, source and recipe fields from the pydantic models in quizgen.models (type, default,
  the attribute's docstring);
- reference/quality-rules.md: the quality rules from their registry, quizgen.check.quality.RULES.
"""

from __future__ import annotations

import ast
import inspect
import os
from typing import Any

from mkdocs.structure.files import File, Files

PAGES = ("reference/commands.md", "reference/fields.md", "reference/quality-rules.md")
MODELS = ("Source", "Section", "SectionPart", "Speaker", "Paragraph", "Fact", "Argument", "Quote", "Term", "TagDef",
          "QuestionTemplate", "KeyPoint", "Recipe")


def commands_page() -> str:
    os.environ["COLUMNS"] = "100"
    os.environ["NO_COLOR"] = "1"
    import typer

    from quizgen.cli import app

    group = typer.main.get_command(app)
    out = ["# Commands", "", "Every command's `--help`, as `quizgen` prints it (generated from `quizgen/cli.py`).", ""]
    with group.make_context("quizgen", ["--help"], resilient_parsing=True) as top:
        out += ["## quizgen", "", "```text", group.get_help(top).rstrip(), "```", ""]
        for name in sorted(group.commands):  # type: ignore[attr-defined]
            command = group.commands[name]  # type: ignore[attr-defined]
            with command.make_context(name, [], parent=top, resilient_parsing=True) as ctx:
                out += [f"## quizgen {name}", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(out)


def _docstrings(cls: type) -> dict[str, str]:
    """Attribute docstrings (a string statement right after `name: type = …`) of one class."""
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body  # type: ignore[attr-defined]
    found: dict[str, str] = {}
    for node, after in zip(body, body[1:], strict=False):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(after, ast.Expr) \
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str):
            found[node.target.id] = " ".join(after.value.value.split())
    return found


def _type_name(annotation: Any) -> str:
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "").replace("quizgen.models.", "").replace("|", "\\|")


def fields_page() -> str:
    from pydantic_core import PydanticUndefined

    import quizgen.models as models

    out = ["# Bank, source and recipe fields", "",
           "Generated from the pydantic models in `quizgen/models.py`; `check` validates every file against them.", ""]
    for name in MODELS:
        cls = getattr(models, name)
        cls.model_rebuild()
        docs = {}
        for base in reversed(cls.__mro__):
            if base.__module__ == models.__name__:
                docs.update(_docstrings(base))
        summary = " ".join((cls.__doc__ or "").split())
        out += [f"## {name}", ""] + ([summary, ""] if summary else [])
        out += ["| field | type | required / default | meaning |", "|---|---|---|---|"]
        for field, info in cls.model_fields.items():
            if info.is_required():
                default = "required"
            elif info.default is PydanticUndefined:
                default = "computed"
            else:
                default = f"`{info.default!r}`".replace("|", "\\|")
            out.append(f"| `{field}` | {_type_name(info.annotation)} | {default} | {docs.get(field, '')} |")
        out.append("")
    return "\n".join(out)


def rules_page() -> str:
    from quizgen.check.quality import RULES

    out = ["# Quality rules", "", "Generated from the registry `quizgen.check.quality.RULES`: the rule id, then what it asks of an item.",
           "A rule is waived for one item with `waive: [rule-id]` and a reason (see *Write good items*).", "",
           "| rule | what it checks |", "|---|---|"]
    out += [f"| `{rule}` | {text} |" for rule, text in RULES.items()]
    return "\n".join(out) + "\n"


def on_config(config: Any) -> Any:
    """Material's search segments Chinese with jieba's global tokenizer, which caches in the shared temp folder and
    logs to stderr: point it at quizgen's per-user cache (or a private folder) and keep it quiet."""
    import tempfile

    from quizgen.fsutil import user_cache_dir
    from quizgen.text.segment import _import_jieba

    jieba = _import_jieba()  # quiet: the wrapper silences jieba's logger
    jieba.dt.tmp_dir = str(user_cache_dir("jieba") or tempfile.mkdtemp(prefix="quizgen-jieba-"))
    return config


def on_files(files: Files, config: Any) -> Files:
    for uri, make in zip(PAGES, (commands_page, fields_page, rules_page), strict=True):
        files.append(File.generated(config, uri, content=make()))
    return files


if __name__ == "__main__":  # print the pages: python docs/hooks/reference.py
    for make in (commands_page, fields_page, rules_page):
        print(make())
