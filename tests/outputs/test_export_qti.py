"""Canvas QTI 1.2 export: the zip, its manifest, and every item read back with an XML parser and an HTML parser."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
from export_util import HOSTILE, export_set, html_as_text

from quizgen.outputs import qti
from quizgen.outputs.common import accepted, model_answer, stamp, stem

NAME = "every-question-qti.zip"
NS = {"q": qti.QTI_NS, "cp": qti.CP_NS, "c": qti.CANVAS_NS}


@pytest.fixture(scope="module")
def exported() -> tuple[bytes, zipfile.ZipFile]:
    files = qti.render(export_set(), None)
    assert list(files) == [NAME]
    return files[NAME], zipfile.ZipFile(io.BytesIO(files[NAME]))


def _assessment(zf: zipfile.ZipFile) -> ET.Element:
    manifest = ET.fromstring(zf.read("imsmanifest.xml"))
    (res,) = [r for r in manifest.iterfind("cp:resources/cp:resource", NS) if r.get("type") == "imsqti_xmlv1p2"]
    return ET.fromstring(zf.read(res.find("cp:file", NS).get("href")))


def _meta(item: ET.Element) -> dict[str, str]:
    return {f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", namespaces=NS) or ""
            for f in item.iterfind("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", NS)}


def _html(mattext: ET.Element | None, tags_allowed: frozenset[str] = frozenset()) -> str:
    assert mattext is not None and mattext.get("texttype") == "text/html"
    text, found = html_as_text(mattext.text or "")
    assert found <= tags_allowed, found
    return text


def test_the_zip_holds_what_its_manifest_names(exported) -> None:
    _, zf = exported
    names = zf.namelist()
    assert names[0] == "imsmanifest.xml"
    manifest = ET.fromstring(zf.read("imsmanifest.xml"))
    hrefs = [f.get("href") for f in manifest.iterfind("cp:resources/cp:resource/cp:file", NS)]
    assert sorted(hrefs) == sorted(names[1:])
    test = _assessment(zf).find("q:assessment", NS)
    assert test.get("title") == export_set().title
    meta = next(ET.fromstring(zf.read(n)) for n in names if n.endswith("assessment_meta.xml"))
    assert meta.findtext("c:title", namespaces=NS) == export_set().title
    assert float(meta.findtext("c:points_possible", namespaces=NS)) == sum(q.points for q in export_set().questions)


def test_each_item_reads_back_as_the_same_text_and_answers(exported) -> None:
    _, zf = exported
    items = _assessment(zf).findall(".//q:item", NS)
    qset = export_set()
    assert [i.get("title") for i in items] == [q.id for q in qset.questions]
    assert len({i.get("ident") for i in items}) == len(items)
    for q, item in zip(qset.questions, items, strict=True):
        meta = _meta(item)
        assert meta["question_type"] == qti.QUESTION_TYPE[q.type]
        assert float(meta["points_possible"]) == q.points
        pres = item.find("q:presentation", NS)
        assert _html(pres.find("q:material/q:mattext", NS)) == stem(q), q.id
        feedback = _html(item.find("q:itemfeedback[@ident='general_fb']//q:mattext", NS), frozenset({"p"}))
        assert q.ref.evidence in feedback and q.ref.paragraph_id in feedback and q.ref.speaker_name in feedback
        conditions = item.findall("q:resprocessing/q:respcondition", NS)
        scoring = [c for c in conditions if c.find("q:setvar", NS) is not None]
        if q.type in ("mcq", "who", "tf"):
            labels = pres.findall("q:response_lid/q:render_choice/q:response_label", NS)
            assert [_html(label.find("q:material/q:mattext", NS)) for label in labels] == list(q.options)
            assert meta["original_answer_ids"].split(",") == [label.get("ident") for label in labels]
            assert len(scoring) == 1, q.id  # exactly one right option
            right = [v.text for v in scoring[0].iterfind("q:conditionvar/q:varequal", NS)]
            assert right == [labels[q.correct].get("ident")] and scoring[0].findtext("q:setvar", namespaces=NS) == "100"
        elif q.type in ("cloze", "typed"):
            assert pres.find("q:response_str", NS) is not None and len(scoring) == 1
            assert [v.text for v in scoring[0].iterfind("q:conditionvar/q:varequal", NS)] == list(accepted(q))
        elif q.type == "order":
            lids = pres.findall("q:response_lid", NS)
            assert [lid.findtext("q:material/q:mattext", namespaces=NS) for lid in lids] == [f"第 {n} 步" for n in range(1, len(q.steps) + 1)]
            choice_text = {label.get("ident"): label.findtext("q:material/q:mattext", namespaces=NS)
                           for label in lids[0].iterfind("q:render_choice/q:response_label", NS)}
            assert sorted(choice_text.values()) == sorted(q.steps)
            picked = {c.find("q:conditionvar/q:varequal", NS).get("respident"): c.findtext("q:conditionvar/q:varequal", namespaces=NS)
                      for c in scoring}
            assert [choice_text[picked[lid.get("ident")]] for lid in lids] == list(q.steps)
            assert sum(float(c.findtext("q:setvar", namespaces=NS)) for c in scoring) == pytest.approx(100, abs=0.05)
        else:
            assert not scoring and pres.find("q:response_str", NS) is not None
            assert model_answer(q) in feedback


def test_hostile_text_survives_as_text(exported) -> None:
    _, zf = exported
    items = _assessment(zf).findall(".//q:item", NS)
    stems = [_html(i.find("q:presentation/q:material/q:mattext", NS)) for i in items]
    assert sum(HOSTILE in s for s in stems) >= 5


def test_second_export_is_byte_identical_with_fixed_times(exported) -> None:
    data, zf = exported
    assert qti.render(export_set(), None)[NAME] == data
    when = stamp(export_set(), None).timetuple()[:6]
    assert {i.date_time for i in zf.infolist()} == {when}
