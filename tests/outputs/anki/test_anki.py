"""Decks proven in a real Anki collection: import, render, and rebuilds that keep review history."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml
from ankiutil import AnkiCollection
from writers import write_deck

from quizgen.generate.questions import build_set
from quizgen.load.content import check_all, load_content, load_recipe, load_templates
from quizgen.outputs.anki.package import load_notetypes, note_guid

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.anki


@pytest.fixture(scope="module")
def interview(tmp_path_factory: pytest.TempPathFactory):
    """The whole-interview recipe built once into a temp folder, with its note state."""
    content, templates, recipes = check_all(ROOT / "content", ROOT / "templates", ROOT / "decks")
    recipe = next(r.recipe for r in recipes if r.recipe.output == "bg2-interview")
    qset = build_set(content, templates, recipe)
    out = tmp_path_factory.mktemp("deck")
    apkg = out / "deck.apkg"
    built = write_deck(qset, templates_dir=ROOT / "templates", out_path=apkg, state_path=out / "state.json", now=1_700_000_000)
    return qset, apkg, built, out


def test_whole_interview_deck_imports_and_every_card_renders(interview, tmp_path: Path) -> None:
    qset, apkg, built, _ = interview
    col = AnkiCollection(tmp_path / "col")
    try:
        log = col.import_apkg(apkg)
        assert (log.new, log.updated, log.conflicting) == (len(qset.questions), 0, 0)
        notes = col.notes()
        assert set(notes) == {note_guid(q) for q in qset.questions}
        reverse = sum(1 for q in qset.questions if q.reverse_prompt)
        cards = col.card_ids()
        assert len(cards) == len(qset.questions) + reverse
        by_guid = {note_guid(q): q for q in qset.questions}
        for cid in cards:
            card = col.col.get_card(cid)
            q = by_guid[card.note().guid]
            front = re.sub(r"<style>.*?</style>", "", card.question(), flags=re.S)
            back = card.answer()
            assert re.sub(r"<[^>]+>", "", front).strip(), f"empty question for {q.id}"
            plain_back = re.sub(r"<[^>]+>", "", back)
            expected = q.reverse_answer if card.ord == 1 else (q.options[q.correct] if q.correct is not None else q.answer)
            if q.type == "order":
                expected = q.answer
            if q.type == "reasons":
                expected = q.steps[-1]
            assert _unescape(expected) in _unescape(plain_back), f"{q.id}: answer {expected!r} not on the back"
            assert "原文" in plain_back and q.ref.paragraph_id in plain_back
        # every cloze note has a deletion, hence at least one card
        for _guid, note in notes.items():
            if note.note_type()["type"] == 1:
                assert "{{c1::" in note["Text"] and len(note.cards()) >= 1
        assert col.deck_names()[:2] == ["Default", "黄仁勋 BG2 访谈"]
        assert "黄仁勋 BG2 访谈::01 AGI 和个人助理的进化" in col.deck_names()
    finally:
        col.close()


def _unescape(text: str) -> str:
    import html

    return re.sub(r"\s+", "", html.unescape(text))


def test_new_cards_come_in_interview_order(interview) -> None:
    qset, apkg, _, _ = interview
    import sqlite3

    with zipfile.ZipFile(apkg) as zf, _tmpfile(zf.read("collection.anki2")) as db:
        rows = sqlite3.connect(db).execute("select n.guid, c.due from cards c join notes n on n.id = c.nid").fetchall()
    due = dict(rows)
    order = [due[note_guid(q)] for q in qset.questions]
    assert order == sorted(order)
    positions = [q.position for q in qset.questions]
    assert positions == sorted(positions)


def _tmpfile(data: bytes):
    import contextlib
    import tempfile

    @contextlib.contextmanager
    def cm():
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "c.anki2"
            p.write_bytes(data)
            yield str(p)

    return cm()


def test_notes_are_tagged_hierarchically(interview, tmp_path: Path) -> None:
    qset, apkg, _, _ = interview
    col = AnkiCollection(tmp_path / "col")
    try:
        col.import_apkg(apkg)
        note = col.notes()[note_guid(qset.questions[0])]
        tags = set(note.tags)
        q = qset.questions[0]
        assert f"quizgen::kind::{q.kind}" in tags and f"quizgen::type::{q.type}" in tags
        assert f"quizgen::speaker::{q.ref.speaker_id}" in tags
        assert any(t.startswith("quizgen::section::") for t in tags)
    finally:
        col.close()


# --- rebuild scenarios ------------------------------------------------------------------------


def _copy_content(tmp_path: Path) -> Path:
    dst = tmp_path / "content"
    shutil.copytree(ROOT / "content", dst)
    return dst


def _cloze_set(content_dir: Path):
    """The shipped whole-interview recipe (one note per item) over a copy of the content."""
    content = load_content(content_dir)
    templates = load_templates(ROOT / "templates")
    recipe = load_recipe(ROOT / "decks" / "interview.toml", content, templates).recipe
    return build_set(content, templates, recipe)


def _edit_item(content_dir: Path, item_id: str, field: str, old: str, new: str) -> None:
    for path in sorted((content_dir / "bg2-huang-2024" / "bank").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        for item in data["items"]:
            if item["id"] == item_id:
                assert old in item[field]
                item[field] = item[field].replace(old, new)
                path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
                return
    raise AssertionError(f"item {item_id} not found")


def test_rebuilds_keep_history_update_in_place_and_add_new(tmp_path: Path) -> None:
    content_dir = _copy_content(tmp_path)
    state = tmp_path / "state.json"
    apkg = tmp_path / "out" / "deck.apkg"
    col = AnkiCollection(tmp_path / "col")
    try:
        first = _cloze_set(content_dir)
        write_deck(first, templates_dir=ROOT / "templates", out_path=apkg, state_path=state, now=1_700_000_000)
        log = col.import_apkg(apkg)
        assert (log.new, log.updated, log.conflicting) == (len(first.questions), 0, 0)

        # 1. unchanged rebuild, a day later: nothing new, nothing updated, nothing conflicting
        write_deck(_cloze_set(content_dir), templates_dir=ROOT / "templates", out_path=apkg, state_path=state, now=1_700_086_400)
        log = col.import_apkg(apkg)
        assert (log.new, log.updated, log.conflicting, log.first_field_match) == (0, 0, 0, 0)

        # 2. review a card, fix a typo in its item: exactly one note updated, schedule kept
        target = next(q for q in first.questions if q.item_id == "agi-f-marginal-cost")
        card_id = col.review_first_card(note_guid(target))
        before = col.schedule(card_id)
        assert before[4] == 1  # reviewed once
        _edit_item(content_dir, "agi-f-marginal-cost", "statement", "黄仁勋说，", "黄仁勋表示，")
        write_deck(_cloze_set(content_dir), templates_dir=ROOT / "templates", out_path=apkg, state_path=state, now=1_700_172_800)
        log = col.import_apkg(apkg)
        assert (log.new, log.updated, log.conflicting) == (0, 1, 0)
        note = col.notes()[note_guid(target)]
        assert "黄仁勋表示" in note["Text"]
        assert col.schedule(card_id) == before
        assert len(col.notes()) == len(first.questions)

        # 2b. an edit to a field this card does not show (the fact's question) still reaches the note, once
        _edit_item(content_dir, "agi-f-marginal-cost", "question", "多少倍", "多少倍呢")
        write_deck(_cloze_set(content_dir), templates_dir=ROOT / "templates", out_path=apkg, state_path=state, now=1_700_200_000)
        log = col.import_apkg(apkg)
        assert (log.new, log.updated, log.conflicting) == (0, 1, 0)
        assert col.schedule(card_id) == before

        # 3. add one item: exactly one new note
        bank = content_dir / "bg2-huang-2024" / "bank" / "01-agi-assistant.yaml"
        data = yaml.safe_load(bank.read_text(encoding="utf-8"))
        data["items"].append({
            "id": "agi-f-test-added", "kind": "fact", "paragraph": "p007",
            "question": "现在人们又开始谈论哪两个阶段的扩展？", "answer": "后训练和推理阶段", "answer_type": "other",
            "statement": "现在人们又开始谈论后训练和推理阶段的扩展。", "evidence": "而现在，我们又开始谈论后训练和推理阶段的扩展了",
        })
        bank.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        write_deck(_cloze_set(content_dir), templates_dir=ROOT / "templates", out_path=apkg, state_path=state, now=1_700_259_200)
        log = col.import_apkg(apkg)
        assert (log.new, log.updated, log.conflicting) == (1, 0, 0)
        assert col.schedule(card_id) == before
        # no notetype was imported as a copy
        ours = [n for n in col.notetype_names() if n.startswith("quizgen")]
        assert ours and len(ours) == len(set(ours)) and set(ours) <= {m.name for m in load_notetypes(ROOT / "templates").all()}
    finally:
        col.close()


def test_state_edit_with_equal_time_would_be_skipped_so_mod_moves_forward(tmp_path: Path) -> None:
    """Even when rebuilt within the same second, an edited note gets a newer mod than before."""
    content_dir = _copy_content(tmp_path)
    state = tmp_path / "state.json"
    apkg = tmp_path / "deck.apkg"
    write_deck(_cloze_set(content_dir), templates_dir=ROOT / "templates", out_path=apkg, state_path=state, now=1_700_000_000)
    _edit_item(content_dir, "agi-f-compute-4x", "question", "？", "呢？")
    col = AnkiCollection(tmp_path / "col")
    try:
        write_deck(_cloze_set(content_dir), templates_dir=ROOT / "templates", out_path=tmp_path / "deck2.apkg", state_path=state, now=1_700_000_000)
        col.import_apkg(apkg)
        log = col.import_apkg(tmp_path / "deck2.apkg")
        assert (log.new, log.updated, log.conflicting) == (0, 1, 0)
    finally:
        col.close()


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path: Path, interview, monkeypatch) -> None:
    qset, _, _, _ = interview
    out = tmp_path / "out"
    private_tmp = tmp_path / "tmp"  # a temp folder of this test's own: other processes' files in /tmp cannot count
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    write_deck(qset, templates_dir=ROOT / "templates", out_path=out / "d.apkg", state_path=out / "s.json", now=1)
    assert sorted(p.name for p in out.iterdir()) == ["d.apkg", "s.json"]
    assert list(private_tmp.iterdir()) == []
    with zipfile.ZipFile(out / "d.apkg") as zf:
        assert sorted(zf.namelist()) == ["collection.anki2", "media"]


def test_notetypes_are_fixed() -> None:
    """IDs, fields and card templates are a shipped contract: changing them makes Anki import copies."""
    import hashlib
    import json

    nts = load_notetypes(ROOT / "templates")
    spec = [(m.model_id, m.name, [f["name"] for f in m.fields], m.templates) for m in nts.all()]
    digest = hashlib.sha256(json.dumps(spec, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    assert [m.model_id for m in nts.all()] == [1729100001, 1729100002, 1729100003, 1729100004]
    assert digest == NOTETYPE_FINGERPRINT, f"notetype changed: {digest}"


NOTETYPE_FINGERPRINT = "60c5f42e786631a0b5b342f6f117a7d913d93681822619e90c3237b023df18e3"


def test_a_deck_that_drops_a_shared_note_retires_it_and_the_other_deck_asks_with_its_own(tmp_path: Path) -> None:
    """Deck A shipped note G; A drops G's question, deck B now asks it: B gets a GUID of its own (a new card in B),
    never G, whose card is in A in the learner's collection. A retires G, and B keeps its own GUID on later builds."""
    import json

    from quizgen.outputs.anki.package import FORMAT, deck_guid
    from quizgen.project.paths import Paths, owned_elsewhere

    content, templates = load_content(ROOT / "content"), load_templates(ROOT / "templates")
    recipe = load_recipe(ROOT / "decks" / "interview.toml", content, templates).recipe
    qset = build_set(content, templates, recipe)
    q = qset.questions[0]
    a = qset.model_copy(update={"output": "deck-a", "deck_id": 11, "questions": qset.questions[1:]})
    b = qset.model_copy(update={"output": "deck-b", "deck_id": 22, "questions": (q,)})
    paths = Paths(tmp_path / "content", tmp_path / "templates", tmp_path / "decks", tmp_path / "build")
    (tmp_path / "decks" / "state").mkdir(parents=True)

    def state(name: str, deck_id: int, notes: dict) -> None:
        (tmp_path / "decks" / "state" / f"{name}.json").write_text(
            json.dumps({"format": FORMAT, "deck_id": deck_id, "notes": notes}), encoding="utf-8")

    g = note_guid(q)
    state("deck-a", 11, {g: {"hash": "h", "mod": 1, "item": f"{q.source_id}/{q.item_id}/{q.template_id}", "fields": ["x"]}})
    assert g in owned_elsewhere(b, paths, current=[a, b])  # A shipped it: B asks with a GUID of its own
    assert deck_guid(q, b.deck_id, owned_elsewhere(b, paths, current=[a, b])) != g
    assert g not in owned_elsewhere(a, paths, current=[a, b])  # A still holds it, so A retires it
    state("deck-a", 11, {g: {"hash": "h", "mod": 2, "item": f"{q.source_id}/{q.item_id}/{q.template_id}", "fields": ["x"], "retired": "out"}})
    assert g in owned_elsewhere(b, paths, current=[a, b]), "once retired in A, G never moves to B"
    state("deck-a", 11, {})
    assert g not in owned_elsewhere(b, paths, current=[a, b])  # a note no deck ever shipped: B's own shared GUID
