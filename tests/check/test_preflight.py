"""`check` refuses what would break `build` halfway: Jinja templates, Anki notetypes and CSS, note-state files.
After a refused change, `build` fails the same way and leaves build/ and decks/state/ byte for byte as they were."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import SECOND, TEMPLATES, assert_problems, invoke, line_of, replace_once

ARGS = ("--content", "content", "--templates", "templates", "--decks", "decks")


def _snapshot(*folders: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for f in folders for p in sorted(f.rglob("*")) if p.is_file()}


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jieba_cache: dict[str, str]) -> Path:
    """The second source with its own templates, built once."""
    root = tmp_path / "proj"
    shutil.copytree(SECOND, root)
    shutil.copytree(TEMPLATES, root / "templates")
    monkeypatch.chdir(root)
    result = invoke("build", *ARGS, "--out", "build", env=jieba_cache)
    assert result.exit_code == 0, result.output
    return root


def _refused(proj: Path, env: dict[str, str], *problems: str) -> None:
    """check and build both report exactly these problems; build changes nothing."""
    assert_problems(invoke("check", *ARGS, env=env), *problems)
    before = _snapshot(proj / "build", proj / "decks")
    assert_problems(invoke("build", *ARGS, "--out", "build", "--force", env=env), *problems)
    assert _snapshot(proj / "build", proj / "decks") == before


def test_jinja_syntax_error(proj: Path, jieba_cache: dict[str, str]) -> None:
    path = proj / "templates/quiz/print.html.j2"
    line = replace_once(path, '<article class="page exam" data-version="{{ version.label }}">',
                        '<article class="page exam" data-version="{{ version.label }">')
    _refused(proj, jieba_cache, f"templates/quiz/print.html.j2:{line}: template: unexpected '}}'; fix the Jinja syntax")


def test_template_that_fails_only_when_rendering(proj: Path, jieba_cache: dict[str, str]) -> None:
    path = proj / "templates/quiz/print.html.j2"
    line = replace_once(path, '<article class="page exam" data-version="{{ version.label }}">',
                        '<article class="page exam" data-version="{{ version.label + 1 }}">')
    _refused(proj, jieba_cache, f"templates/quiz/print.html.j2:{line}: template: fails when rendering a question "
                                '(TypeError: can only concatenate str (not "int") to str); fix the template')


def test_template_naming_an_undefined_variable(proj: Path, jieba_cache: dict[str, str]) -> None:
    path = proj / "templates/quiz/print.html.j2"
    replace_once(path, '<article class="page exam" data-version="{{ version.label }}">',
                 '<article class="page exam" data-version="{{ version.lable }}">')
    _refused(proj, jieba_cache, "templates/quiz/print.html.j2: template: 'quizgen.outputs.quiz.layout.Version object' has no attribute 'lable'")


def test_missing_quiz_template(proj: Path, jieba_cache: dict[str, str]) -> None:
    (proj / "templates/quiz/macros.html.j2").unlink()
    _refused(proj, jieba_cache, "templates/quiz/macros.html.j2: template: quiz template 'macros.html.j2' not found (searched templates/quiz/)")


def test_renamed_notetype_key(proj: Path, jieba_cache: dict[str, str]) -> None:
    path = proj / "templates/anki/notetypes.yaml"
    line = replace_once(path, "    fields: [Text, Explanation, Evidence, Source, QuestionID]\n",
                        "    field: [Text, Explanation, Evidence, Source, QuestionID]\n")
    _refused(proj, jieba_cache, f"templates/anki/notetypes.yaml:{line}: notetypes.1.field: unknown key; did you mean 'fields'? "
                                "a notetype has id, name, type, fields and templates")


def test_card_template_naming_a_missing_field_or_broken_mustache(proj: Path, jieba_cache: dict[str, str]) -> None:
    path = proj / "templates/anki/notetypes.yaml"
    line = replace_once(path, '          <div class="qg qg-basic"><div class="qg-q">{{Front}}</div></div>\n',
                        '          <div class="qg qg-basic"><div class="qg-q">{{Frnt}}</div></div>\n')
    cloze = replace_once(path, '          <div class="qg qg-cloze"><div class="qg-q">{{cloze:Text}}</div></div>\n        afmt',
                         '          <div class="qg qg-cloze"><div class="qg-q">{{#Text}}{{cloze:Text}}</div></div>\n        afmt')
    _refused(proj, jieba_cache,
             f"templates/anki/notetypes.yaml:{line}: notetypes.0.templates.0.qfmt: {{{{Frnt}}}} names no field of this notetype; "
             "did you mean 'Front'? fields: Back, Evidence, Explanation, Front, QuestionID, ReverseBack, ReverseFront, Source",
             f"templates/anki/notetypes.yaml:{cloze}: notetypes.1.templates.0.qfmt: {{{{#Text}}}} is never closed; add {{{{/Text}}}}")


def test_missing_notetype_field_set(proj: Path, jieba_cache: dict[str, str]) -> None:
    path = proj / "templates/anki/notetypes.yaml"
    replace_once(path, "fields: [Question, Answer, Explanation, Evidence, Source, QuestionID]",
                 "fields: [Question, Answer, Explanation, Evidence, Source, QuestionID, Extra]")
    _refused(proj, jieba_cache, "templates/anki/notetypes.yaml: notetypes: a notetype with fields "
                                "['Question', 'Answer', 'Explanation', 'Evidence', 'Source', 'QuestionID'] is required")


def test_card_css_with_an_unclosed_rule(proj: Path, jieba_cache: dict[str, str]) -> None:
    path = proj / "templates/anki/cards.css"
    path.write_text(path.read_text(encoding="utf-8") + "\n.qg-extra { color: red;\n", encoding="utf-8")
    line = line_of(path, ".qg-extra {")
    _refused(proj, jieba_cache, f"templates/anki/cards.css:{line}: css: {{ is never closed; add }}")


def test_broken_note_state(proj: Path, jieba_cache: dict[str, str]) -> None:
    path = proj / "decks/state/xh-lin-interview.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"mod": ', '"mod": "x', 1).replace('"x', '"x"', 1).replace('"x"', '"x', 1), encoding="utf-8")
    result = invoke("check", *ARGS, env=jieba_cache)
    assert result.exit_code == 1 and "Traceback" not in result.output and "internal error" not in result.output
    assert result.stderr.startswith("error: decks/state/xh-lin-interview.json:")
    assert "restore it with git (`git checkout -- decks/state/xh-lin-interview.json`) or delete it" in result.stderr


def test_bad_prompt_in_a_question_template(proj: Path, jieba_cache: dict[str, str]) -> None:
    path = proj / "templates/questions/terms.yaml"
    text = path.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.strip().startswith("prompt:"))
    line = replace_once(path, first + "\n", first.split("prompt:")[0] + 'prompt: "{term:d} 与 {defintion}"\n')
    _refused(proj, jieba_cache,
             f"templates/questions/terms.yaml:{line}: templates.0.prompt: unknown format 'd' in {{term:d}}; the only one is :bare "
             "(drops closing punctuation)",
             f"templates/questions/terms.yaml:{line}: templates.0.prompt: unknown placeholder {{defintion}}; did you mean 'definition'? "
             "use a field of the term: attribution, definition, evidence, explanation, genre, id, importance, keypoint, kind, note, paragraph, "
             "reverse, section_title, skip, speaker, speaker_name, tags, term, waive")


def test_quiz_and_anki_commands_check_what_they_render(proj: Path, jieba_cache: dict[str, str]) -> None:
    """`quizgen quiz` and `quizgen anki` run the same checks for their format: no "internal error" there either."""
    path = proj / "templates/quiz/print.html.j2"
    line = replace_once(path, '<article class="page exam" data-version="{{ version.label }}">',
                        '<article class="page exam" data-version="{{ version.label + 1 }}">')
    result = invoke("quiz", "decks/second.toml", *ARGS, "--out", "out", env=jieba_cache)
    assert_problems(result, f"templates/quiz/print.html.j2:{line}: template: fails when rendering a question "
                            '(TypeError: can only concatenate str (not "int") to str); fix the template')
    assert not (proj / "out").exists()
    result = invoke("generate", "--content", "content", "--templates", "templates", "--count", "3", "-o", "sets/s.yaml", env=jieba_cache)
    assert result.exit_code == 0, result.output
    (proj / "sets/s.notes.json").write_text('{"notes": {"g": {"hash": "h", "mod": null}}}\n', encoding="utf-8")
    result = invoke("anki", "sets/s.yaml", "--templates", "templates", "--decks", "decks", "--out", "out", env=jieba_cache)
    assert_problems(result, 'sets/s.notes.json:1: notes.g: expected {"hash": text, "mod": whole number}; restore it with git '
                            "(`git checkout -- sets/s.notes.json`) or delete it: the next build then updates every note once")
