"""Helpers for the key CSV and grading tests: the short quiz set, the key read with the standard library, a worked
example small enough to check by hand, and `quizgen grade` run as the CLI runs it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from conftest import invoke
from conftest_browser import ROOT, TEMPLATES

from quizgen.models import QuestionSet


def short_quiz_set() -> QuestionSet:
    """The short quiz recipe (decks/short-quiz.toml) over the real interview."""
    from quizgen.project.paths import Paths
    from quizgen.project.plan import resolve

    paths = Paths(content=ROOT / "content", templates=TEMPLATES, decks=ROOT / "decks", out=ROOT / "build")
    qset, _ = resolve(ROOT / "decks" / "short-quiz.toml", paths)
    return qset


def read_key_rows(data: bytes) -> list[dict[str, str]]:
    """The key CSV read with the standard library only (independent of quizgen's own reader)."""
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def grade(responses: Path, key: Path, out: Path):
    return invoke("grade", str(responses), "--key", str(key), "--out", str(out), "--templates", str(TEMPLATES))


HAND_KEY = """\ufeffversion,number,question_id,item_id,type,answer,points,options,quiz,section_id,section_index,section_title,paragraph_id
A,1,q1:mcq,q1,mcq,A,1,甲|乙|丙|丁,hand,s1,0,第一节,p001
A,2,q2:mcq,q2,mcq,A,1,甲|乙|丙|丁,hand,s1,0,第一节,p002
A,3,q3:mcq,q3,mcq,A,1,甲|乙|丙|丁,hand,s2,1,第二节,p003
"""


HAND_ANSWERS = """student_id,name,version,1,2,3
s1,甲同学,A,A,a,Ａ
s2,乙同学,A, A ,A,b
s3,丙同学,A,a,Ｃ,
s4,丁同学,A,D,c,B
"""
