"""Learning from the learner's Anki: a real collection studied through Anki's scheduler, read back by from-anki and progress."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import sqlite3
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from anki.collection import Collection
from ankiutil import AnkiCollection
from conftest import REPO, SECOND, SECOND_ID, TEMPLATES, assert_problems, invoke
from studyutil import AGAIN, DAY_MS, backdate, due_today, mature, raise_limits, study
from writers import write_deck

from quizgen.generate.questions import Generator, build_set
from quizgen.learner.history import known_guids
from quizgen.learner.progress import read_progress
from quizgen.load.content import check_all, load_content, load_recipe, load_templates
from quizgen.load.sets import load_set_file
from quizgen.models import Question
from quizgen.outputs.anki.package import note_guid

pytestmark = pytest.mark.anki

CONTENT = REPO / "content"
DECK = "黄仁勋 BG2 访谈"
# The twelve failed items, by their place among the twelve (interview order), in groups that rank differently:
THREE_AGAINS = (2, 7)           # Again three times while learning
TWO_AGAINS = (0, 5, 10)         # twice
LAPSED = (1, 3, 9)              # learned, then forgotten once at review: one Again and a lapse
ONE_AGAIN = (4, 8, 11)          # once while learning
LONG_AGO = (6,)                 # three times, but 60 days ago: 3 x 0.25 weighs less than one Again today
EXPECTED = (*THREE_AGAINS, *TWO_AGAINS, *LAPSED, *ONE_AGAIN, *LONG_AGO)


@dataclass
class Studied:
    qset: object
    folder: Path
    col: AnkiCollection
    failed: list[Question]
    """The twelve failed items' cards (questions of the deck), in interview order."""
    matured: list[int]

    @property
    def path(self) -> Path:
        return self.folder / "collection.anki2"

    def expected(self, places: tuple[int, ...] = EXPECTED) -> list[str]:
        return [self.failed[i].item_id for i in places]

    def first_card(self, q: Question) -> int:
        nid = next(n for n in self.col.col.find_notes("") if self.col.col.get_note(n).guid == note_guid(q))
        return self.col.col.card_ids_of_note(nid)[0]


@pytest.fixture(scope="module")
def studied(tmp_path_factory: pytest.TempPathFactory):
    """The whole-interview deck imported into a real collection and studied card by card; the collection stays open (as in Anki)."""
    content, templates, recipes = check_all(CONTENT, TEMPLATES, REPO / "decks")
    recipe = next(r.recipe for r in recipes if r.recipe.output == "bg2-interview")
    qset = build_set(content, templates, recipe)
    tmp = tmp_path_factory.mktemp("learner")
    write_deck(qset, templates_dir=TEMPLATES, out_path=tmp / "deck.apkg", state_path=tmp / "state.json", now=1_700_000_000)
    col = AnkiCollection(tmp / "anki")
    col.import_apkg(tmp / "deck.apkg")
    raise_limits(col.col)
    n = len(qset.questions)
    failed = [qset.questions[round(k * (n - 1) / 11)] for k in range(12)]
    s = Studied(qset=qset, folder=tmp / "anki", col=col, failed=failed, matured=[])
    card = {i: s.first_card(failed[i]) for i in range(12)}
    script = {card[i]: [AGAIN] * times for places, times in ((THREE_AGAINS, 3), (TWO_AGAINS, 2), (ONE_AGAIN, 1), (LONG_AGO, 3))
              for i in places}
    study(col.col, DECK, script)
    due_today(col.col, [card[i] for i in LAPSED])
    study(col.col, DECK, {card[i]: [AGAIN] for i in LAPSED})
    backdate(col.col, [card[i] for i in LONG_AGO], days=60)
    # a few well-known cards of the second section become mature
    second = [q for q in qset.questions if q.ref.section_index == 2 and q not in failed][:9]
    s.matured = [s.first_card(q) for q in second]
    mature(col.col, s.matured, days=30)
    assert col.col.db.scalar("select count() from revlog where ease = 1") == 2 * 3 + 3 * 2 + 3 + 3 + 3
    yield s
    col.close()


def _from_anki(path: Path, out: Path, *args: str, env: dict[str, str]):
    return invoke("from-anki", str(path), "-o", str(out), "--content", str(CONTENT), "--templates", str(TEMPLATES), *args, env=env)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


# --- from-anki --------------------------------------------------------------------------------


def test_from_anki_picks_exactly_the_failed_items_worst_first_in_other_forms(studied: Studied, tmp_path: Path, jieba_cache) -> None:
    wal = studied.folder / "collection.anki2-wal"
    assert wal.exists() and wal.stat().st_size > 0, "Anki keeps today's reviews in its write-ahead log while open"
    before = _digests(studied.folder)
    out = tmp_path / "again.yaml"
    result = _from_anki(studied.path, out, "--count", "0", "--seed", "3", env=jieba_cache)  # while "Anki" has it open
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert _digests(studied.folder) == before, "the collection must never be written"
    qset = load_set_file(out)
    assert [q.item_id for q in qset.questions] == studied.expected()
    assert result.stdout.rstrip().endswith(f"wrote {out} (12 questions)")
    assert "only" not in result.stdout
    # each item asked in another form: never the failed card's template, and another type where the bank has one
    content = load_content(CONTENT)
    questions = Generator(content, load_templates(TEMPLATES)).questions()
    for failed in studied.failed:
        asked = next(q for q in qset.questions if q.item_id == failed.item_id)
        other_templates = {q.template_id for q in questions if q.item_id == failed.item_id} - {failed.template_id}
        # (a guest's quote is asked only as a cloze now that who-said-it needs an attribution worth asking)
        assert asked.template_id != failed.template_id if other_templates else asked.template_id == failed.template_id
        other_types = {q.type for q in questions if q.item_id == failed.item_id} - {failed.type}
        assert asked.type in other_types if other_types else asked.type == failed.type, (failed.id, asked.id)
    # the same collection and seed give the same set, byte for byte
    again = tmp_path / "rerun" / "again.yaml"
    assert _from_anki(studied.path, again, "--count", "0", "--seed", "3", env=jieba_cache).exit_code == 0
    assert again.read_bytes() == out.read_bytes()


def test_from_anki_count_since_and_min_again(studied: Studied, tmp_path: Path, jieba_cache) -> None:
    result = _from_anki(studied.path, tmp_path / "a.yaml", "--count", "20", env=jieba_cache)
    assert result.exit_code == 0, result.output
    assert "only 12 item(s) qualify (asked for 20); the set has those 12" in result.stdout
    assert [q.item_id for q in load_set_file(tmp_path / "a.yaml").questions] == studied.expected()

    assert _from_anki(studied.path, tmp_path / "b.yaml", "--count", "5", env=jieba_cache).exit_code == 0
    assert [q.item_id for q in load_set_file(tmp_path / "b.yaml").questions] == studied.expected()[:5]

    # the presses of 60 days ago fall outside a 30-day window
    assert _from_anki(studied.path, tmp_path / "c.yaml", "--count", "0", "--since", "30", env=jieba_cache).exit_code == 0
    assert [q.item_id for q in load_set_file(tmp_path / "c.yaml").questions] == studied.expected()[:-1]

    # --min-again counts presses plainly; the ranking still weighs them by recency
    assert _from_anki(studied.path, tmp_path / "d.yaml", "--count", "0", "--min-again", "2", env=jieba_cache).exit_code == 0
    assert [q.item_id for q in load_set_file(tmp_path / "d.yaml").questions] == studied.expected((*THREE_AGAINS, *TWO_AGAINS, *LONG_AGO))

    result = _from_anki(studied.path, tmp_path / "e.yaml", "--min-again", "4", env=jieba_cache)
    assert_problems(result, re.compile(r".*collection\.anki2: --min-again: no item was answered Again 4 or more time\(s\); lower --min-again"))
    assert not (tmp_path / "e.yaml").exists()


def test_the_printed_quiz_and_the_deck_of_the_chosen_items(studied: Studied, tmp_path: Path, jieba_cache) -> None:
    out = tmp_path / "sets" / "again.yaml"
    assert _from_anki(studied.path, out, "--count", "0", env=jieba_cache).exit_code == 0
    qset = load_set_file(out)
    result = invoke("quiz", str(out), "--out", str(tmp_path / "build"), "--templates", str(TEMPLATES), "--interactive", env=jieba_cache)
    assert result.exit_code == 0, result.output
    page = (tmp_path / "build" / "again" / "again-A.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "黄仁勋" in page
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for q in qset.questions:
        shown = q.cloze_parts[0] if q.type == "cloze" else q.prompt
        assert shown[:12] in text, q.id
    result = invoke("anki", str(out), "--out", str(tmp_path / "build"), "--templates", str(TEMPLATES), env=jieba_cache)
    assert result.exit_code == 0, result.output
    fresh = AnkiCollection(tmp_path / "fresh")
    try:
        log = fresh.import_apkg(tmp_path / "build" / "again" / "again.apkg")
        assert (log.new, log.conflicting) == (12, 0)
    finally:
        fresh.close()


@pytest.fixture(scope="module")
def exports(studied: Studied, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """File > Export of the studied collection: Anki 2.1.50+'s modern.colpkg and legacy.colpkg."""
    tmp = tmp_path_factory.mktemp("exports")
    copy = tmp / "profile"
    copy.mkdir()
    for p in studied.folder.glob("collection.anki2*"):
        shutil.copyfile(p, copy / p.name)
    col = Collection(str(copy / "collection.anki2"))
    col.export_collection_package(str(tmp / "modern.colpkg"), include_media=False, legacy=False)  # closes it
    col = Collection(str(copy / "collection.anki2"))
    col.export_collection_package(str(tmp / "legacy.colpkg"), include_media=False, legacy=True)
    return tmp


def test_exported_colpkg_reads_too(studied: Studied, exports: Path, tmp_path: Path, jieba_cache) -> None:
    """Modern packages hold a zstd-compressed collection.anki21b beside a dummy collection.anki2; legacy ones collection.anki21."""
    with zipfile.ZipFile(exports / "modern.colpkg") as zf:
        assert {"collection.anki21b", "collection.anki2"} <= set(zf.namelist())
    with zipfile.ZipFile(exports / "legacy.colpkg") as zf:
        assert "collection.anki21" in zf.namelist()
    for name in ("modern", "legacy"):
        out = tmp_path / f"{name}.yaml"
        result = _from_anki(exports / f"{name}.colpkg", out, "--count", "0", env=jieba_cache)
        assert result.exit_code == 0, result.output
        assert [q.item_id for q in load_set_file(out).questions] == studied.expected(), name
    progress = read_progress(exports / "modern.colpkg", content_dir=CONTENT, templates_dir=TEMPLATES)
    assert progress.sources[0].total.seen == progress.sources[0].total.total == len(_our_cards(studied))


def test_notes_are_found_by_their_question_id_when_guids_differ(studied: Studied, exports: Path, tmp_path: Path, jieba_cache) -> None:
    """Notes whose GUID is not ours (another tool rewrote them) are still tied to items by QuestionID and the source tag,
    with field names read from the `fields` table (current schema) or from the JSON in `col.models` (legacy schema)."""
    current = tmp_path / "current.anki2"
    shutil.copyfile(studied.path, current)
    if (studied.folder / "collection.anki2-wal").exists():
        shutil.copyfile(studied.folder / "collection.anki2-wal", tmp_path / "current.anki2-wal")
    legacy = tmp_path / "legacy.anki21"
    with zipfile.ZipFile(exports / "legacy.colpkg") as zf:
        legacy.write_bytes(zf.read("collection.anki21"))
    for path in (current, legacy):
        db = sqlite3.connect(path)
        db.execute("update notes set guid = 'x' || guid")
        db.commit()
        db.close()
        out = tmp_path / f"{path.stem}.yaml"
        result = _from_anki(path, out, "--count", "0", env=jieba_cache)
        assert result.exit_code == 0, result.output
        assert [q.item_id for q in load_set_file(out).questions] == studied.expected(), path.name


# --- progress ---------------------------------------------------------------------------------


def _our_cards(studied: Studied) -> dict[int, Question]:
    """Card id -> the question its note asks, straight from the collection."""
    by_guid = {note_guid(q): q for q in studied.qset.questions}
    rows = studied.col.col.db.all("select c.id, n.guid from cards c join notes n on n.id = c.nid")
    return {cid: by_guid[guid] for cid, guid in rows}


def _direct(studied: Studied, cards: dict[int, Question], now_ms: int) -> tuple[int, int, int, int, int]:
    """(total, seen, mature, answers in 30 days, of which not Again) for these cards, by SQL on the review log."""
    db = studied.col.col.db
    ids = ",".join(map(str, cards)) or "0"
    seen = db.scalar(f"select count(distinct cid) from revlog where ease between 1 and 4 and cid in ({ids})")
    ripe = db.scalar(f"select count() from cards where type = 2 and ivl >= 21 and id in ({ids})")
    start = now_ms - 30 * DAY_MS
    # retention as Anki's statistics and True Retention count it: review answers (revlog type 1) only
    answers = db.scalar(f"select count() from revlog where type = 1 and ease between 1 and 4 and id >= {start} and cid in ({ids})")
    correct = db.scalar(f"select count() from revlog where type = 1 and ease between 2 and 4 and id >= {start} and cid in ({ids})")
    return len(cards), seen, ripe, answers, correct


def test_progress_figures_equal_a_direct_computation_from_the_review_log(studied: Studied) -> None:
    now = int(time.time() * 1000)
    progress = read_progress(studied.path, content_dir=CONTENT, templates_dir=TEMPLATES, now=now)
    cards = _our_cards(studied)
    [src] = progress.sources
    total = _direct(studied, cards, now)
    assert (src.total.total, src.total.seen, src.total.mature, src.total.answers, src.total.correct) == total
    assert total[1] == total[0] and total[2] == len(studied.matured)
    # the only review-card answers are the three lapses (Again): learning steps do not count, as in Anki's statistics
    assert src.total.retention == 0.0 and src.total.young == (3, 0) and src.total.mature_reviews == (0, 0)
    with_cards = {q.ref.section_id for q in cards.values()}
    assert [r.id for r in src.sections] == [s.id for s in load_content(CONTENT).sources[src.source_id].source.sections if s.id in with_cards]
    assert src.total.recall is not None and 0 < src.total.recall[1] < src.total.recall[0] <= 1
    for row in src.sections:
        mine = {cid: q for cid, q in cards.items() if q.ref.section_id == row.id}
        assert (row.total, row.seen, row.mature, row.answers, row.correct) == _direct(studied, mine, now), row.id
        # most failed: the section's failed items, worst first
        expected = [i for i in studied.expected() if any(f.item_id == i and f.ref.section_id == row.id for f in studied.failed)]
        assert [f.item_id for f in row.failed] == expected[:3], row.id


def test_progress_command_prints_a_table_and_a_printable_page(studied: Studied, tmp_path: Path) -> None:
    page = tmp_path / "report" / "progress.html"
    result = invoke("progress", str(studied.path), "--html", str(page), "--content", str(CONTENT), "--templates", str(TEMPLATES))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    cards = _our_cards(studied)
    assert f"seen {len(cards)}/{len(cards)} cards, mature {len(studied.matured)}" in result.stdout
    assert result.stdout.rstrip().endswith(f"wrote {page}")
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in text
    assert "@page { size: A4;" in text and "<svg" in text
    assert not re.search(r"""(src|href)\s*=|url\(|@import""", text), "the page must work offline"
    loaded = load_content(CONTENT).sources["bg2-huang-2024"]
    sections = loaded.source.sections
    shown = 0
    for s in sections:
        n = sum(1 for q in cards.values() if q.ref.section_id == s.id)
        row = f"<tr><td>{html.escape(s.title)}</td><td class=\"num\">{n} / {n}</td>"
        assert (row in text) == (n > 0), s.id  # a section without cards is left out, not shown as 0 / 0
        shown += n > 0
    [src] = read_progress(studied.path, content_dir=CONTENT, templates_dir=TEMPLATES).sources
    for kp in src.keypoints:
        assert html.escape(kp.title) in text
    # one row with a mature-cards cell per section and per key point with cards
    assert text.count('class="mature"') == shown + len(src.keypoints)


@pytest.mark.browser
def test_the_progress_page_prints_on_a4_in_chromium(studied: Studied, tmp_path: Path) -> None:
    import subprocess

    from conftest_browser import require_chromium, require_poppler

    from quizgen.learner.report import render_progress_html
    from quizgen.outputs.quiz.pdf import PrintJob, print_pdfs

    require_chromium()
    require_poppler()
    page = render_progress_html(read_progress(studied.path, content_dir=CONTENT, templates_dir=TEMPLATES), templates_dir=TEMPLATES)
    [pdf] = print_pdfs([PrintJob(page, "<span></span>")])
    (tmp_path / "p.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "p.pdf")], capture_output=True, text=True, check=True).stdout
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    squashed = re.sub(r"\s+", "", text)
    assert "学习进度" in squashed and "英伟达的竞争优势" in squashed


def test_progress_per_key_point(studied: Studied, tmp_path: Path) -> None:
    """Key points from keypoints.yaml: an item belongs to the key point it names, else to those citing its paragraph."""
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT, content_dir)
    kp_file = content_dir / "bg2-huang-2024" / "keypoints.yaml"
    if not kp_file.exists():  # the shipped content may list its own key points
        kp_file.write_text(yaml.safe_dump({"keypoints": [
            {"id": "moat", "text": "英伟达的护城河是整套系统", "paragraphs": ["p012", "p013", "p014"]},
            {"id": "agi", "text": "AGI 与个人助理", "paragraphs": ["p005", "p006", "p007"]},
        ]}, allow_unicode=True), encoding="utf-8")
    keypoints = yaml.safe_load(kp_file.read_text(encoding="utf-8"))["keypoints"]
    now = int(time.time() * 1000)
    progress = read_progress(studied.path, content_dir=content_dir, templates_dir=TEMPLATES, now=now)
    [src] = progress.sources
    items = {it.id: it for it in load_content(content_dir).sources["bg2-huang-2024"].items}
    cards = _our_cards(studied)
    rows = {r.id: r for r in src.keypoints}
    for kp in keypoints:
        def belongs(q: Question, kp: dict = kp) -> bool:
            named = getattr(items[q.item_id].item, "keypoint", None)
            return named == kp["id"] if named else q.ref.paragraph_id in kp["paragraphs"]

        mine = {cid: q for cid, q in cards.items() if belongs(q)}
        if not mine:  # a key point with no card of the learner's is left out, not shown as 0/0
            assert kp["id"] not in rows
            continue
        row = rows[kp["id"]]
        assert (row.total, row.seen, row.mature, row.answers, row.correct) == _direct(studied, mine, now), kp["id"]


    assert any(row.total for row in src.keypoints)


def test_a_malformed_keypoints_file_is_a_located_error(studied: Studied, tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT, content_dir)
    kp_file = content_dir / "bg2-huang-2024" / "keypoints.yaml"
    kp_file.write_text("keypoints:\n  - id: moat\n    text: 护城河\n    paragraphs: [p012]\n  - just a line\n", encoding="utf-8")
    out = tmp_path / "p.html"
    result = invoke("progress", str(studied.path), "--html", str(out), "--content", str(content_dir), "--templates", str(TEMPLATES))
    assert_problems(result, re.compile(r".*/keypoints\.yaml:5: keypoints\.1: expected an entry with named fields .*`id`.*`text`.*`paragraphs`.*"))
    assert not out.exists()


def test_the_progress_page_is_reproducible(studied: Studied, tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": str(int(time.time()))}
    pages = []
    for name in ("a", "b"):
        result = invoke("progress", str(studied.path), "--html", str(tmp_path / name / "p.html"), "--content", str(CONTENT),
                        "--templates", str(TEMPLATES), env=env)
        assert result.exit_code == 0, result.output
        pages.append((tmp_path / name / "p.html").read_bytes())
    assert pages[0] == pages[1]


def test_two_sources_in_one_collection(tmp_path: Path, jieba_cache) -> None:
    """Decks of two sources in one collection: ranked together, progress per source; without a source's content its notes are left out."""
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT, content_dir)
    shutil.copytree(SECOND / "content" / SECOND_ID, content_dir / SECOND_ID)
    tags = {t["id"]: t for f in (CONTENT / "tags.yaml", SECOND / "content" / "tags.yaml") for t in yaml.safe_load(f.read_text(encoding="utf-8"))["tags"]}
    (content_dir / "tags.yaml").write_text(yaml.safe_dump({"tags": list(tags.values())}, allow_unicode=True), encoding="utf-8")
    content, templates, _ = check_all(content_dir, TEMPLATES, REPO / "decks")
    col = AnkiCollection(tmp_path / "anki")
    try:
        sets = {}
        for recipe_path in (REPO / "decks" / "interview.toml", SECOND / "decks" / "second.toml"):
            recipe = load_recipe(recipe_path, content, templates).recipe
            qset = sets[recipe.sources[0]] = build_set(content, templates, recipe)
            write_deck(qset, templates_dir=TEMPLATES, out_path=tmp_path / f"{recipe.output}.apkg", state_path=tmp_path / f"{recipe.output}.json", now=1_700_000_000)
            col.import_apkg(tmp_path / f"{recipe.output}.apkg")
        raise_limits(col.col)
        first, second = sets["bg2-huang-2024"].questions[40], sets[SECOND_ID].questions[3]
        cid = {}
        for q in (first, second):
            nid = next(n for n in col.col.find_notes("") if col.col.get_note(n).guid == note_guid(q))
            cid[q.id] = col.col.card_ids_of_note(nid)[0]
        study(col.col, DECK, {cid[first.id]: [AGAIN, AGAIN]})
        study(col.col, sets[SECOND_ID].deck_name, {cid[second.id]: [AGAIN]})
        path = tmp_path / "anki" / "collection.anki2"

        out = tmp_path / "both.yaml"
        result = invoke("from-anki", str(path), "-o", str(out), "--content", str(content_dir), "--templates", str(TEMPLATES), env=jieba_cache)
        assert result.exit_code == 0, result.output
        qset = load_set_file(out)
        assert [(q.source_id, q.item_id) for q in qset.questions] == [(first.source_id, first.item_id), (second.source_id, second.item_id)]
        assert qset.sources == ("bg2-huang-2024", SECOND_ID) and qset.title == "常错题"
        assert qset.questions[1].template_id != second.template_id

        both = read_progress(path, content_dir=content_dir, templates_dir=TEMPLATES)
        assert [s.source_id for s in both.sources] == ["bg2-huang-2024", SECOND_ID]
        assert [s.total.total for s in both.sources] == [len(_cards_of(col, sets[sid])) for sid in ("bg2-huang-2024", SECOND_ID)]
        assert both.skipped_notes == 0

        result = invoke("progress", str(path), "--content", str(CONTENT), "--templates", str(TEMPLATES))
        assert result.exit_code == 0, result.output
        notes = len({note_guid(q) for q in sets[SECOND_ID].questions})
        assert f"{notes} note(s) from quizgen decks ask items no longer in the bank; left out" in result.stdout
    finally:
        col.close()


def _cards_of(col: AnkiCollection, qset) -> list[int]:
    guids = {note_guid(q) for q in qset.questions}
    return [cid for cid, guid in col.col.db.all("select c.id, n.guid from cards c join notes n on n.id = c.nid") if guid in guids]


# --- bad input --------------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _not_anki_sqlite(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.execute("create table notes (id integer)")
    db.commit()
    db.close()
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _truncated(studied: Studied, path: Path) -> Path:
    copy = path.with_name("whole.anki2")
    shutil.copyfile(studied.path, copy)
    wal = studied.folder / "collection.anki2-wal"
    db = sqlite3.connect(copy)  # fold the write-ahead log into the copy, then cut it short
    if wal.exists():
        shutil.copyfile(wal, copy.with_name("whole.anki2-wal"))
        db.execute("pragma wal_checkpoint(truncate)")
    db.close()
    return _write(path, copy.read_bytes()[: 20 * 4096])


def _empty_anki(path: Path) -> Path:
    col = AnkiCollection(path.parent / "empty-profile")
    col.close()
    return path.parent / "empty-profile" / "collection.anki2"


BAD = {
    "missing": (lambda s, p: p / "nowhere.anki2", r"nowhere\.anki2: collection: file not found; pass the collection\.anki2 .*"),
    "garbage": (lambda s, p: _write(p / "junk.anki2", bytes(range(256)) * 64), r"junk\.anki2: collection: not an Anki collection \(neither SQLite nor a \.colpkg zip\); .*"),
    "text": (lambda s, p: _write(p / "notes.colpkg", "这不是牌组\n".encode()), r"notes\.colpkg: collection: not an Anki collection .*"),
    "other sqlite": (lambda s, p: _not_anki_sqlite(p / "other.anki2"), r"other\.anki2: collection: a SQLite database but not an Anki collection \(no cards, col, revlog table\); .*"),
    "truncated": (lambda s, p: _truncated(s, p / "cut.anki2"), r"cut\.anki2: collection: a damaged or incomplete collection \(database disk image is malformed\); .*"),
    "zip without collection": (lambda s, p: _zip(p / "x.colpkg", {"media": b"{}"}), r"x\.colpkg: collection: a zip without collection\.anki21b, .*"),
    "bad zstd": (lambda s, p: _zip(p / "y.colpkg", {"collection.anki21b": b"\x28\xb5\x2f\xfdgarbage", "collection.anki2": b""}),
                 r"y\.colpkg: collection: the compressed collection inside is damaged \(.*\); export the collection again"),
    "no quizgen notes": (lambda s, p: _empty_anki(p / "x"), r"collection\.anki2: collection: no notes from quizgen decks in this collection; .*"),
}


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("command", ["from-anki", "progress"])
def test_unreadable_collections_are_refused_cleanly(case: str, command: str, studied: Studied, tmp_path: Path, jieba_cache) -> None:
    make, message = BAD[case]
    path = make(studied, tmp_path)
    out = tmp_path / "out" / ("set.yaml" if command == "from-anki" else "progress.html")
    flag = "-o" if command == "from-anki" else "--html"
    result = invoke(command, str(path), flag, str(out), "--content", str(CONTENT), "--templates", str(TEMPLATES), env=jieba_cache)
    assert_problems(result, re.compile(r".*/" + message))
    assert not (tmp_path / "out").exists()


def test_guids_match_the_deck_builder() -> None:
    """progress and from-anki find notes by recomputing quizgen.anki.note_guid from ids alone."""
    content = load_content(CONTENT)
    templates = load_templates(TEMPLATES)
    guids = known_guids(content, templates)
    for q in Generator(content, templates).questions():
        assert guids[note_guid(q)] == (q.source_id, q.item_id, q.template_id)


# --- the ranking rule -------------------------------------------------------------------------


def test_ranking_weighs_recent_presses_then_lapses_then_difficulty() -> None:
    from quizgen.learner.collection import CardRow, Review
    from quizgen.learner.history import CardHistory
    from quizgen.learner.rank import rank_failures, weight

    now = 1_800_000_000_000
    assert [weight(now - d * DAY_MS, now) for d in (0, 30, 60)] == [1.0, 0.5, 0.25]
    assert weight(now + 5_000, now) == 1.0  # a device clock a little ahead still counts fully
    items = load_content(CONTENT).items()[:7]

    def card(i: int, agains_days: tuple[int, ...], *, lapses: int = 0, factor: int = 2500, difficulty: float | None = None) -> CardHistory:
        row = CardRow(id=i, nid=i, ord=0, type=2, queue=2, ivl=3, factor=factor, reps=5, lapses=lapses, difficulty=difficulty)
        reviews = tuple(Review(i, now - d * DAY_MS - n, 1) for n, d in enumerate(agains_days)) + (Review(i, now - 1, 3),)
        return CardHistory(card=row, item=items[i], template_id="fact-cloze", reviews=reviews)

    cards = [
        card(0, (0,)),                                  # one Again today
        card(1, (0,), lapses=2),                        # ... with more lapses
        card(2, (0,), lapses=2, factor=1900),           # ... and a lower ease factor
        card(3, (0,), lapses=2, factor=1900, difficulty=8.5),  # ... and a higher FSRS difficulty
        card(4, (30, 30)),                              # two Agains a month ago: 1.0, ties with card 0: interview order
        card(5, (0, 90)),                               # one today, one long ago: 1.125
        card(6, ()),                                    # never failed: not ranked
    ]
    ranked = rank_failures(cards, now_ms=now)
    assert [f.item_id for f in ranked] == [items[i].id for i in (5, 3, 2, 1, 0, 4)]
    assert [f.item_id for f in rank_failures(cards, now_ms=now, min_again=2)] == [items[i].id for i in (5, 4)]
    # within 31 days, card 5's old press drops out: three items tie at 1.0 and keep the interview's order
    assert [f.item_id for f in rank_failures(cards, now_ms=now, since_days=31)] == [items[i].id for i in (3, 2, 1, 0, 4, 5)]


@pytest.mark.parametrize("future", ["member", "meta"])
def test_a_package_from_a_newer_anki_says_update_not_study_first(exports: Path, tmp_path: Path, jieba_cache, future: str) -> None:
    """A later Anki's package: its real collection under a name quizgen does not know, or a newer `meta` version. Beside
    it sits only Anki's dummy collection.anki2 ("please update"), which must not read as an unstudied deck."""
    newer = tmp_path / "newer.colpkg"
    with zipfile.ZipFile(exports / "modern.colpkg") as src, zipfile.ZipFile(newer, "w") as out:
        assert src.read("meta")[:2] == b"\x08\x03"  # Anki's own: package version 3
        for name in src.namelist():
            data = src.read(name)
            if name == "collection.anki21b" and future == "member":
                name = "collection.anki22c"
            if name == "meta" and future == "meta":
                data = b"\x08\x04" + data[2:]
            out.writestr(name, data)
    result = _from_anki(newer, tmp_path / "out.yaml", "--count", "0", env=jieba_cache)
    assert result.exit_code == 1
    assert "made by a newer Anki than quizgen reads; update quizgen" in result.stderr
    assert "newer.colpkg" in result.stderr and not (tmp_path / "out.yaml").exists()
