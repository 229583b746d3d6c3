"""Content with HTML, script and template syntax shows as plain text on Anki cards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ankiutil import AnkiCollection
from hostile import HOSTILE, make_hostile_content
from writers import write_deck

from quizgen.outputs.anki.package import note_guid
from quizgen.project.paths import Paths
from quizgen.project.plan import plan_all, resolve

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture()
def hostile_set(tmp_path: Path):
    root = make_hostile_content(tmp_path / "h")
    paths = Paths(content=root / "content", templates=ROOT / "templates", decks=root / "decks", out=tmp_path / "build")
    plan_all(paths.content, paths.templates, paths.decks)
    qset, _ = resolve(root / "decks" / "hostile.toml", paths)
    return qset, paths


def test_hostile_content_renders_as_text_on_every_card(hostile_set, tmp_path: Path) -> None:
    qset, paths = hostile_set
    assert {q.type for q in qset.questions} >= {"cloze", "mcq", "basic", "who", "reasons", "order", "tf"}
    apkg = tmp_path / "h.apkg"
    write_deck(qset, templates_dir=paths.templates, out_path=apkg, state_path=tmp_path / "s.json", now=1_700_000_000)
    col = AnkiCollection(tmp_path / "col")
    try:
        log = col.import_apkg(apkg)
        assert log.new == len(qset.questions)
        notes = col.notes()
        for q in qset.questions:
            note = notes[note_guid(q)]
            cards = note.cards()
            if q.type == "cloze":
                assert len(cards) == 1, f"{q.id}: content created extra cloze cards"
            for card in cards:
                for html in (card.question(), card.answer()):
                    body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
                    # our own back-side script is the only script on a card
                    scripts = re.findall(r"<script>(.*?)</script>", body, flags=re.S)
                    assert all("qg-correct-answer" in s for s in scripts), f"{q.id}: injected script"
                    assert "alert" not in "".join(scripts)
                    tags, handlers = _tags(body)
                    assert tags <= SAFE_TAGS, f"{q.id}: unexpected elements {tags - SAFE_TAGS}"
                    assert not handlers, f"{q.id}: event handler attributes {handlers}"
                    assert "{{" not in body  # no unrendered or injected template syntax
                front_text = _visible(cards[0].question())
                if HOSTILE in q.prompt and q.type != "cloze":  # a cloze blanks part of it
                    assert HOSTILE in front_text, f"{q.id}: hostile text not shown literally"
                back_text = _visible(cards[0].answer())
                assert q.ref.evidence in back_text
    finally:
        col.close()


def _visible(html_text: str) -> str:
    """What a learner sees: tags and styles/scripts removed, entities decoded."""
    import html

    body = re.sub(r"<(style|script)>.*?</\1>", "", html_text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


SAFE_TAGS = {"div", "span", "ol", "li", "b", "hr", "br", "script", "input", "code", "del", "ins"}


def _tags(html_text: str) -> tuple[set[str], list[str]]:
    """Element names and on* attributes in a card's HTML."""
    from html.parser import HTMLParser

    found: set[str] = set()
    handlers: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.add(tag)
            handlers.extend(k for k, _ in attrs if k.startswith("on"))

    P().feed(html_text)
    return found, handlers
