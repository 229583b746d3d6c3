"""What `check` verifies so that `build` cannot fail halfway: question prompts, Anki notetypes and CSS, the quiz's
Jinja templates (compiled, then rendered on a probe question of every type) and the decks' note-state files.

Each problem names the file and, where it can be known, the line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
import traceback
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from quizgen.errors import QuizgenError, rel
from quizgen.load.content import Collector
from quizgen.load.dataio import STATE_BYTES, LineDict, LineList, load_yaml, read_text
from quizgen.load.hints import closest, did_you_mean

SPECIAL_FIELDS = {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}
"""Names Anki fills in itself: a card template may use them without a field of that name."""
_MUSTACHE = re.compile(r"\{\{(.*?)\}\}", re.S)


def preflight(templates_dir: Path, decks_dir: Path, out: Collector, *, formats: tuple[str, ...] = ("anki", "quiz")) -> None:
    """Every check below (for the output formats asked for), all problems into `out`."""
    check_prompts(templates_dir, out)
    if "anki" in formats:
        check_notetypes(templates_dir, out)
        check_css(templates_dir / "anki" / "cards.css", out)
        check_state_files(decks_dir / "state", out)
    if "quiz" in formats:
        check_quiz_templates(templates_dir, out)


# --- question templates: their prompts are format strings -------------------------------------


def check_prompts(templates_dir: Path, out: Collector) -> None:
    """A prompt must be a format string over the item's fields: `{question}`, `{claim:bare}`; no `{0}`, `{a.b}` or `{x:d}`."""
    from quizgen.models import PROMPT_EXTRAS, Argument, Fact, Quote, Term  # noqa: PLC0415 - loaded on use, so light commands start fast

    kinds: dict[str, type[BaseModel]] = {"fact": Fact, "argument": Argument, "quote": Quote, "term": Term}
    for path in sorted((templates_dir / "questions").glob("*.yaml")):
        try:
            data = load_yaml(path)
        except QuizgenError:
            continue  # reported by load_templates
        templates = data.get("templates") if isinstance(data, LineDict) else None
        if not isinstance(templates, LineList):
            continue
        for idx, tpl in enumerate(templates):
            if not isinstance(tpl, LineDict) or not isinstance(tpl.get("prompt"), str):
                continue
            line = tpl.key_lines.get("prompt", tpl.line)
            model = kinds.get(str(tpl.get("kind")))
            known = set(model.model_fields) | set(PROMPT_EXTRAS) if model else None
            where = f"templates.{idx}.prompt"
            try:
                parsed = list(string.Formatter().parse(tpl["prompt"]))
            except ValueError as exc:
                out.add(path, line, where, f"not a valid prompt ({exc}); write fields as {{question}} and a literal brace as {{{{ or }}}}")
                continue
            for _, name, spec, _ in parsed:
                if name is None:
                    continue
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                    out.add(path, line, where, f"placeholder {{{name}}} must name one field, e.g. {{question}}")
                elif known is not None and name not in known:
                        out.add(path, line, where, f"unknown placeholder {{{name}}}; {did_you_mean(name, sorted(known))}"
                            f"use a field of the {tpl.get('kind')}: {', '.join(sorted(known))}")
                if spec not in ("", "bare"):
                    out.add(path, line, where, f"unknown format {spec!r} in {{{name}:{spec}}}; the only one is :bare (drops closing punctuation)")


# --- Anki notetypes ---------------------------------------------------------------------------


def _value_line(path: Path, node: LineDict, key: str, offset: int = 0) -> int:
    """The line of `offset` characters into a key's value (block scalars start on the line after the key)."""
    line = node.key_lines.get(key, node.line)
    value = node.get(key)
    if not isinstance(value, str) or not offset:
        return line
    try:
        key_text = path.read_text(encoding="utf-8-sig").splitlines()[line - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        return line
    block = re.search(rf"{re.escape(key)}\s*:\s*[|>]", key_text) is not None
    return line + (1 if block else 0) + value[:offset].count("\n")


def check_notetypes(templates_dir: Path, out: Collector) -> None:
    """notetypes.yaml: structure, the four field sets quizgen fills, and card templates that only name existing fields."""
    path = templates_dir / "anki" / "notetypes.yaml"
    try:
        data = load_yaml(path)
    except QuizgenError as exc:
        out.catch(exc)
        return
    if not isinstance(data, LineDict) or not isinstance(data.get("notetypes"), LineList) or not data["notetypes"]:
        out.add(path, getattr(data, "line", 1) or 1, "notetypes", "expected `notetypes:` with a list of notetypes (id, name, type, fields, templates)")
        return
    before = len(out.problems)
    field_sets: list[tuple[str, ...]] = []
    ids: dict[Any, int] = {}
    for i, nt in enumerate(data["notetypes"]):
        at = f"notetypes.{i}"
        if not isinstance(nt, LineDict):
            out.add(path, data["notetypes"].item_lines[i], at, "expected a notetype with id, name, type, fields and templates")
            continue
        stray = [k for k in nt if k not in ("id", "name", "type", "fields", "templates")]
        for key in ("id", "name", "type", "fields", "templates"):
            if key not in nt and not any(closest(k, [key]) for k in stray):  # a misspelt key is reported below
                out.add(path, nt.line, f"{at}.{key}", "required key is missing; add it")
        for key in nt:
            if key not in ("id", "name", "type", "fields", "templates"):
                out.add(path, nt.key_lines[key], f"{at}.{key}", f"unknown key; {did_you_mean(key, ['id', 'name', 'type', 'fields', 'templates'])}"
                        "a notetype has id, name, type, fields and templates")
        if "id" in nt:
            if not isinstance(nt["id"], int) or isinstance(nt["id"], bool) or nt["id"] <= 0:
                out.add(path, nt.key_lines["id"], f"{at}.id", "must be a positive whole number (and never change once shipped)")
            elif nt["id"] in ids:
                out.add(path, nt.key_lines["id"], f"{at}.id", f"id {nt['id']} is also used by notetypes.{ids[nt['id']]}")
            else:
                ids[nt["id"]] = i
        if "name" in nt and (not isinstance(nt["name"], str) or not nt["name"].strip()):
            out.add(path, nt.key_lines["name"], f"{at}.name", "must be text")
        if "type" in nt and nt["type"] not in ("basic", "cloze"):
            out.add(path, nt.key_lines["type"], f"{at}.type", f"unknown type {nt['type']!r}; use basic or cloze")
        fields = nt.get("fields")
        if "fields" in nt and (not isinstance(fields, list) or not fields or not all(isinstance(f, str) and f.strip() for f in fields)):
            out.add(path, nt.key_lines["fields"], f"{at}.fields", "expected a list of field names")
            fields = None
        elif isinstance(fields, list):
            if len(set(fields)) != len(fields):
                out.add(path, nt.key_lines["fields"], f"{at}.fields", "a field name is listed twice")
            field_sets.append(tuple(fields))
        templates = nt.get("templates")
        if "templates" in nt and (not isinstance(templates, LineList) or not templates):
            out.add(path, nt.key_lines["templates"], f"{at}.templates", "expected a list of card templates (name, qfmt, afmt)")
            continue
        for j, card in enumerate(templates or ()):
            cat = f"{at}.templates.{j}"
            if not isinstance(card, LineDict):
                out.add(path, templates.item_lines[j] if isinstance(templates, LineList) else nt.line, cat, "expected a card template with name, qfmt and afmt")
                continue
            for key in ("name", "qfmt", "afmt"):
                if not isinstance(card.get(key), str):
                    out.add(path, card.key_lines.get(key, card.line), f"{cat}.{key}",
                            "required key is missing; add it" if key not in card else "must be text")
            for key in ("qfmt", "afmt"):
                if isinstance(card.get(key), str) and fields is not None:
                    _check_mustache(path, card, key, f"{cat}.{key}", set(fields), out, cloze=nt.get("type") == "cloze")
    if len(out.problems) > before:
        return
    from quizgen.outputs.anki.package import load_notetypes  # noqa: PLC0415 - the real loader, now that its input is known to be sound

    try:
        load_notetypes(templates_dir)
    except QuizgenError as exc:
        out.catch(exc)
    except Exception as exc:  # noqa: BLE001 - anything else genanki dislikes, located at the file
        out.add(path, None, "notetypes", f"cannot be loaded ({type(exc).__name__}: {exc}); compare it with the shipped file")


def _check_mustache(path: Path, card: LineDict, key: str, where: str, fields: set[str], out: Collector, *, cloze: bool) -> None:
    text: str = card[key]
    stack: list[tuple[str, int]] = []
    for m in _MUSTACHE.finditer(text):
        inner = m.group(1).strip()
        line = _value_line(path, card, key, m.start())
        if "{{" in inner or "{" in m.group(1)[:1]:
            out.add(path, line, where, f"broken replacement {m.group(0)!r}; write {{{{Field}}}}")
            continue
        if inner[:1] in "#^":
            stack.append((inner[1:].strip(), line))
            name = inner[1:].strip()
        elif inner[:1] == "/":
            name = inner[1:].strip()
            if not stack or stack[-1][0] != name:
                expected = f"{{{{/{stack[-1][0]}}}}}" if stack else "no closing tag"
                out.add(path, line, where, f"{{{{/{name}}}}} closes nothing open here (expected {expected})")
            else:
                stack.pop()
        else:
            name = inner.split(":")[-1].strip()
        if name and name not in fields and name not in SPECIAL_FIELDS:
            out.add(path, line, where, f"{{{{{inner}}}}} names no field of this notetype; {did_you_mean(name, sorted(fields))}"
                    f"fields: {', '.join(sorted(fields))}")
    for name, line in stack:
        out.add(path, line, where, f"{{{{#{name}}}}} is never closed; add {{{{/{name}}}}}")
    rest = _MUSTACHE.sub("", text)
    if "{{" in rest or "}}" in rest:
        at = rest.find("{{") if "{{" in rest else rest.find("}}")
        out.add(path, _value_line(path, card, key, at), where, "unbalanced {{ or }}; every {{Field}} needs both")
    if cloze and key == "qfmt" and "{{cloze:" not in text:
        out.add(path, card.key_lines.get(key, card.line), where, "a cloze notetype's front must contain {{cloze:Text}}")


def check_css(path: Path, out: Collector) -> None:
    """cards.css: present, UTF-8, comments closed and braces balanced (a stray brace hides every rule after it)."""
    try:
        text = read_text(path)
    except QuizgenError as exc:
        out.catch(exc)
        return
    depth, i, line, opened = 0, 0, 1, [0]
    while i < len(text):
        ch = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                out.add(path, line, "css", "comment /* is never closed; add */")
                return
            line += text.count("\n", i, end)
            i = end + 2
            continue
        if ch in "\"'":
            end = text.find(ch, i + 1)
            nl = text.find("\n", i + 1)
            if end < 0 or (0 <= nl < end):
                out.add(path, line, "css", "string is never closed; add the closing quote")
                return
            i = end + 1
            continue
        if ch == "\n":
            line += 1
        elif ch == "{":
            depth += 1
            opened.append(line)
        elif ch == "}":
            depth -= 1
            opened.pop()
            if depth < 0:
                out.add(path, line, "css", "} closes nothing; remove it")
                return
        i += 1
    if depth > 0:
        out.add(path, opened[-1], "css", "{ is never closed; add }")


# --- quiz templates ---------------------------------------------------------------------------


def probe_set() -> Any:
    """A tiny question set with one question of every type, to render every branch of the quiz templates."""
    from quizgen.models import Filters, Question, QuestionSet, SourceRef  # noqa: PLC0415 - loaded on use, so light commands start fast

    ref = SourceRef(source_id="probe", source_title="探针来源", section_id="s1", section_title="第一节", section_index=1,
                    paragraph_id="p001", speaker_id="a", speaker_name="甲", evidence="原文片段", source_outlet="探针",
                    source_date=dt.date(2025, 1, 1))
    common: dict[str, Any] = {"source_id": "probe", "kind": "fact", "ref": ref, "explanation": "解释。", "instructions": "说明。"}
    qs = [
        Question(id="f1:cloze", item_id="f1", template_id="t-cloze", type="cloze", title="填空题", prompt="甲说的是十倍。", answer="十倍",
                 position=(0, 0, 0), cloze_text="甲说的是十倍。", cloze_start=4, cloze_end=6, accept=("10 倍",), **common),
        Question(id="f1:basic", item_id="f1", template_id="t-basic", type="basic", title="问答题", prompt="是多少？", answer="十倍",
                 position=(0, 0, 1), reverse_prompt="十倍是什么？", reverse_answer="倍数", **common),
        Question(id="f1:mcq", item_id="f1", template_id="t-mcq", type="mcq", title="选择题", prompt="是多少？", answer="十倍",
                 position=(0, 0, 2), options=("十倍", "两倍", "三倍", "四倍"), correct=0, **common),
        Question(id="f1:tf", item_id="f1", template_id="t-tf", type="tf", title="判断题", prompt="甲说的是十倍。", answer="正确",
                 position=(0, 0, 3), options=("正确", "错误"), correct=0, **common),
        Question(id="f1:who", item_id="f1", template_id="t-who", type="who", title="谁说的", prompt="谁说的？", answer="甲",
                 position=(0, 0, 4), options=("甲", "乙"), correct=0, **common),
        Question(id="f1:typed", item_id="f1", template_id="t-typed", type="typed", title="填写题", prompt="是多少？", answer="十倍",
                 position=(0, 0, 5), **common),
        Question(id="a1:reasons", item_id="a1", template_id="t-reasons", type="reasons", title="论证题", prompt="为什么？", answer="结论",
                 position=(0, 1, 6), steps=("理由一", "理由二", "结论"), **{**common, "kind": "argument"}),
        Question(id="a1:order", item_id="a1", template_id="t-order", type="order", title="排序题", prompt="排序：", answer="A → B → C",
                 position=(0, 1, 7), steps=("一", "二", "三"), options=("一", "二", "三"), order=(0, 1, 2), **{**common, "kind": "argument"}),
    ]
    return QuestionSet(title="探针", output="probe", deck_name="探针", deck_id=1, seed=1, versions=2, sources=("probe",),
                       filters=Filters(), questions=tuple(qs))


def check_quiz_templates(templates_dir: Path, out: Collector) -> None:
    """Compile every template in templates/quiz/, then render the exam, the self-check page and the PDF footer."""
    import jinja2  # noqa: PLC0415 - heavy library loaded only by the commands that use it

    from quizgen.outputs.quiz.html import Templates, render_footer, render_interactive, render_print, render_sheets  # noqa: PLC0415 - loaded on use, so light commands start fast
    from quizgen.outputs.quiz.layout import plan_versions  # noqa: PLC0415 - loaded on use, so light commands start fast

    folder = templates_dir / "quiz"
    if not folder.is_dir():
        out.add(folder, None, "templates", "folder not found; the quiz templates (print.html.j2, interactive.html.j2, base.html.j2, "
                "macros.html.j2, pdf-footer.html.j2, sheets.html.j2 and their CSS and script) live in templates/quiz/")
        return
    templates = Templates(templates_dir)
    before = len(out.problems)
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        try:
            read_text(path)
            templates.env.get_template(path.name)
        except QuizgenError as exc:
            out.catch(exc)
        except jinja2.TemplateSyntaxError as exc:
            out.add(rel(exc.filename) if exc.filename else path, exc.lineno, "template", f"{exc.message or 'syntax error'}; fix the Jinja syntax")
        except Exception as exc:  # noqa: BLE001
            out.add(path, None, "template", f"cannot be compiled ({type(exc).__name__}: {exc})")
    if len(out.problems) > before:
        return
    qset = probe_set()
    try:
        for count in (1, 2):  # a single version and several take different branches (the "A 卷" labels)
            plan = plan_versions(qset, versions=count, seed=1)
            for version in plan:
                for scan in (False, True):  # with the hand-marked answer sheet, and with machine-readable ones
                    render_print(templates, qset, version, versions=count, scan=scan)
                    render_footer(templates, qset, version, versions=count, sheets=scan)
            render_interactive(templates, qset, plan[0])
            render_sheets(templates, qset, plan[0], versions=count, copies=1, digits=8, key="probe")
    except QuizgenError as exc:
        out.catch(exc)
    except Exception as exc:  # noqa: BLE001 - a template that compiles but fails on real data: name its file and line
        file, line = _template_frame(exc, folder)
        out.add(file or folder, line, "template", f"fails when rendering a question ({type(exc).__name__}: {exc}); fix the template")


def _template_frame(exc: BaseException, folder: Path) -> tuple[Path | None, int | None]:
    """The last traceback frame inside the quiz templates (Jinja maps its frames to template lines)."""
    found: tuple[Path | None, int | None] = (None, None)
    root = str(folder.resolve())
    for frame in traceback.extract_tb(exc.__traceback__):
        try:
            if str(Path(frame.filename).resolve()).startswith(root):
                found = (Path(frame.filename), frame.lineno)
        except OSError:
            continue
    return found


# --- note state -------------------------------------------------------------------------------


def check_state_files(folder: Path, out: Collector) -> None:
    """Every decks/state/*.json: JSON with `notes` mapping a note id to its content hash and modification time."""
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        check_state_file(path, out)


def check_state_file(path: Path, out: Collector) -> None:
    """One note-state file (absent is fine: the first build makes it)."""
    if not path.exists() and not path.is_symlink():
        return
    try:
        text = read_text(path, STATE_BYTES)
    except QuizgenError as exc:
        out.catch(exc)
        return
    fix = f"restore it with git (`git checkout -- {rel(path)}`) or delete it: the next build then updates every note once"
    from quizgen.outputs.anki.package import slim_entry  # noqa: PLC0415 - genanki only where there are decks

    try:
        data = json.loads(text, object_hook=slim_entry)  # fields and tags are not checked here: not held either
    except ValueError as exc:
        out.add(path, getattr(exc, "lineno", None), "notes", f"not valid JSON ({getattr(exc, 'msg', exc)}); {fix}")
        return
    notes = data.get("notes") if isinstance(data, dict) else None
    if not isinstance(notes, dict):
        out.add(path, 1, "notes", f"expected an object with `notes`; {fix}")
        return
    for guid, entry in notes.items():
        ok = isinstance(entry, dict) and isinstance(entry.get("hash"), str) and isinstance(entry.get("mod"), int) \
            and not isinstance(entry.get("mod"), bool)
        if not ok:
            at = text.find(json.dumps(guid, ensure_ascii=False))
            line = text.count("\n", 0, at) + 1 if at >= 0 else None
            out.add(path, line, f"notes.{guid}", f"expected {{\"hash\": text, \"mod\": whole number}}; {fix}")
            return
