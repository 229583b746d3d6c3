"""FSRS recall probabilities replayed from the review log match Anki's own, on a collection studied with FSRS on."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
import yaml
from ankiutil import AnkiCollection
from conftest import REPO, TEMPLATES, invoke
from studyutil import AGAIN, HARD, backdate, due_today, raise_limits, study
from writers import write_deck

from quizgen.generate.questions import build_set
from quizgen.learner.history import load_history
from quizgen.learner.rank import memory_states
from quizgen.load.content import check_all

pytestmark = pytest.mark.anki

CONTENT = REPO / "content"
DECK = "黄仁勋 BG2 访谈（小测）"


def _settle(col: AnkiCollection) -> None:
    """Give every card the memory state and last review time its (backdated) review log implies, as if studied then."""
    from anki.cards import FSRSMemoryState

    for cid in col.card_ids():
        last = col.col.db.scalar("select max(id) from revlog where cid = ? and ease > 0", cid)
        if last is None:
            continue
        ms = col.col.compute_memory_state(cid)
        card = col.col.get_card(cid)
        card.memory_state = FSRSMemoryState(stability=ms.stability, difficulty=ms.difficulty)
        card.decay = ms.decay
        card.last_review_time = last // 1000
        col.col.update_card(card)


def _short_quiz_with_fsrs(tmp: Path):
    """The short quiz's deck imported into a new collection with FSRS on."""
    content, templates, recipes = check_all(CONTENT, TEMPLATES, REPO / "decks")
    qset = build_set(content, templates, next(r.recipe for r in recipes if r.recipe.output == "bg2-short-quiz"))
    write_deck(qset, templates_dir=TEMPLATES, out_path=tmp / "deck.apkg", state_path=tmp / "state.json")
    col = AnkiCollection(tmp / "anki")
    col.col.set_config("fsrs", True)
    col.import_apkg(tmp / "deck.apkg")
    raise_limits(col.col)
    return qset, col


def _ours(tmp: Path, now: int):
    """quizgen's memory of every card of the collection in `tmp`, and the history it was read from."""
    content, templates, _ = check_all(CONTENT, TEMPLATES, REPO / "decks")
    history = load_history(tmp / "anki" / "collection.anki2", content=content, templates=templates, templates_dir=TEMPLATES)
    return memory_states(history.cards, now_ms=now), history


def _assert_anki_search_agrees(col, ours) -> None:
    """Anki's own search agrees on which cards are below a threshold."""
    for threshold in (0.8, 0.9, 0.95):
        assert set(col.col.find_cards(f"prop:r<{threshold}")) == {c for c, m in ours.items() if m.recall_now < threshold}, threshold


@pytest.fixture(scope="module")
def fsrs_studied(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("fsrs")
    qset, col = _short_quiz_with_fsrs(tmp)
    cids = sorted(col.card_ids())
    study(col.col, DECK, {cid: [AGAIN] * (i % 3) + [HARD] * (i % 2) for i, cid in enumerate(cids)})
    for i, cid in enumerate(cids):  # each card studied a different number of days ago
        backdate(col.col, [cid], days=3 + 2 * i)
    _settle(col)
    due_today(col.col, cids[::2])
    study(col.col, DECK, {cid: [AGAIN] for cid in cids[::6]})
    backdate(col.col, cids[::2], days=2)
    _settle(col)
    yield qset, col, tmp
    col.close()


def test_recall_probabilities_match_ankis_within_a_hundredth(fsrs_studied) -> None:
    qset, col, tmp = fsrs_studied
    ours, _ = _ours(tmp, int(time.time() * 1000))
    assert len(ours) == len(col.card_ids()) == 20
    worst = 0.0
    for cid, m in ours.items():
        anki = col.col.card_stats_data(cid)
        assert abs(m.recall_now - anki.fsrs_retrievability) < 0.01, cid
        assert abs(m.stability - col.col.get_card(cid).memory_state.stability) < 0.01 * m.stability, cid
        assert m.recall_week < m.recall_now
        worst = max(worst, abs(m.recall_now - anki.fsrs_retrievability))
    spread = [m.recall_now for m in ours.values()]
    assert max(spread) - min(spread) > 0.1, "the cards differ enough to rank"
    _assert_anki_search_agrees(col, ours)


def test_from_anki_by_recall_picks_the_cards_anki_calls_most_at_risk(fsrs_studied, tmp_path: Path, jieba_cache) -> None:
    qset, col, tmp = fsrs_studied
    out = tmp_path / "risk.yaml"
    result = invoke("from-anki", str(tmp / "anki" / "collection.anki2"), "-o", str(out), "--by", "recall", "--count", "5",
                    "--content", str(CONTENT), "--templates", str(TEMPLATES), env=jieba_cache)
    assert result.exit_code == 0, result.output
    picked = [q["item_id"] for q in yaml.safe_load(out.read_text(encoding="utf-8"))["questions"]]
    by_card = {cid: col.col.card_stats_data(cid).fsrs_retrievability for cid in col.card_ids()}
    item_of = {cid: str(col.col.get_card(cid).note().fields[-1]).split(":")[0] for cid in by_card}
    anki_order = sorted(by_card, key=by_card.get)  # type: ignore[arg-type]
    expected = list(dict.fromkeys(item_of[c] for c in anki_order))[:5]
    assert picked == expected
    assert invoke("from-anki", str(tmp / "anki" / "collection.anki2"), "-o", str(out), "--by", "mood",
                  "--content", str(CONTENT), "--templates", str(TEMPLATES), env=jieba_cache).exit_code == 1


@pytest.fixture(scope="module")
def fsrs_own_parameters(tmp_path_factory: pytest.TempPathFactory):
    """The short quiz studied with FSRS on and parameters of the learner's own (as after Anki's "Optimize")."""
    from fsrs import Scheduler

    tmp = tmp_path_factory.mktemp("fsrs-own")
    _, col = _short_quiz_with_fsrs(tmp)
    params = list(Scheduler().parameters)
    params[:4] = [w * 4 for w in params[:4]]  # a learner who remembers much longer than the default assumes
    params[20] = 0.3
    for did in {col.col.get_card(c).did for c in col.card_ids()}:
        conf = col.col.decks.config_dict_for_deck_id(did)
        conf["fsrsParams6"] = params
        col.col.decks.update_config(conf)
    cids = sorted(col.card_ids())
    study(col.col, DECK, {cid: [AGAIN] * (i % 2) for i, cid in enumerate(cids)})
    for i, cid in enumerate(cids):
        backdate(col.col, [cid], days=2 + 3 * i)
    _settle(col)
    yield col, tmp
    col.close()


def test_recall_uses_the_learners_own_fsrs_parameters(fsrs_own_parameters) -> None:
    """With parameters of the learner's own, the figures are still Anki's: the card's memory is read, not replayed
    with the defaults (which would be off by more than the tolerance)."""
    col, tmp = fsrs_own_parameters
    now = int(time.time() * 1000)
    ours, history = _ours(tmp, now)
    assert len(ours) == 20 and all(m.from_anki for m in ours.values())
    for cid, m in ours.items():
        assert abs(m.recall_now - col.col.card_stats_data(cid).fsrs_retrievability) < 0.01, cid
    _assert_anki_search_agrees(col, ours)
    replayed = memory_states([dataclasses.replace(ch, card=dataclasses.replace(ch.card, stability=None)) for ch in history.cards], now_ms=now)
    assert not any(m.from_anki for m in replayed.values())
    assert max(abs(replayed[c].recall_now - col.col.card_stats_data(c).fsrs_retrievability) for c in ours) > 0.01
