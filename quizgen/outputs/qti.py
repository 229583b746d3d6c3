"""QTI 1.2 as Canvas imports it: a zip with `imsmanifest.xml`, the assessment and Canvas's `assessment_meta.xml`.

mcq/who -> multiple_choice_question; tf -> true_false_question; cloze/typed -> short_answer_question (every accepted
answer scores); order -> matching_question (each position picks its step); basic/reasons -> essay_question.
Every item carries Canvas's metadata (question_type, points_possible) and general feedback with the evidence.
Identifiers are hashes of the set's output name and the question id, so a re-export keeps them.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from quizgen.models import Question, QuestionSet
from quizgen.outputs.common import CHOICE, ESSAY, SHORT, accepted, feedback_lines, html_lines, html_text, stamp, stem, zip_bytes

if TYPE_CHECKING:  # the registry in outputs/__init__.py imports this module
    from quizgen.outputs import OutputOptions

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
IMSMD_NS = "http://www.imsglobal.org/xsd/imsmd_v1p2"

QUESTION_TYPE = {"mcq": "multiple_choice_question", "who": "multiple_choice_question", "tf": "true_false_question",
                 "cloze": "short_answer_question", "typed": "short_answer_question", "order": "matching_question",
                 "basic": "essay_question", "reasons": "essay_question"}


def ident(*parts: str) -> str:
    """A stable identifier: the same names give the same id on every export."""
    return "g" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:31]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _material(parent: ET.Element, text: str, texttype: str = "text/html") -> None:
    _sub(_sub(parent, "material"), "mattext", text, texttype=texttype)


def _metadata(parent: ET.Element, fields: list[tuple[str, str]]) -> None:
    meta = _sub(parent, "qtimetadata")
    for label, entry in fields:
        field = _sub(meta, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _condition(parent: ET.Element, respident: str, values: list[str], *, score: str | None, action: str = "Set",
               cont: str = "No") -> None:
    cond = _sub(parent, "respcondition", **{"continue": cont})
    var = _sub(cond, "conditionvar")
    for value in values:
        _sub(var, "varequal", value, respident=respident)
    if score is not None:
        _sub(cond, "setvar", score, action=action, varname="SCORE")


def _item(section: ET.Element, qset: QuestionSet, q: Question) -> None:
    iid = ident(qset.output, q.id)
    item = _sub(section, "item", ident=iid, title=q.id)
    choices = [f"{iid}_{i}" for i in range(len(q.options))] if q.type in CHOICE or q.type == "tf" else []
    _metadata(_sub(item, "itemmetadata"), [
        ("question_type", QUESTION_TYPE[q.type]), ("points_possible", f"{float(q.points)}"),
        ("original_answer_ids", ",".join(choices)), ("assessment_question_identifierref", ident(qset.output, q.id, "ref")),
    ])
    pres = _sub(item, "presentation")
    _material(pres, html_text(stem(q)))
    steps: list[tuple[str, list[str]]] = []
    if choices:
        lid = _sub(pres, "response_lid", ident="response1", rcardinality="Single")
        render = _sub(lid, "render_choice")
        for cid, option in zip(choices, q.options, strict=True):
            _material(_sub(render, "response_label", ident=cid), html_text(option))
    elif q.type == "order":
        step_ids = [f"{iid}_s{k}" for k in range(len(q.steps))]
        for n, step_id in enumerate(step_ids, 1):
            lid = _sub(pres, "response_lid", ident=f"response_{iid}_{n}")
            _material(lid, f"第 {n} 步", "text/plain")
            render = _sub(lid, "render_choice")
            for sid, step in zip(step_ids, q.steps, strict=True):
                _material(_sub(render, "response_label", ident=sid), step, "text/plain")
            steps.append((f"response_{iid}_{n}", [step_id]))
    else:
        fib = _sub(_sub(pres, "response_str", ident="response1", rcardinality="Single"), "render_fib")
        _sub(fib, "response_label", ident="answer1", rshuffle="No")
    proc = _sub(item, "resprocessing")
    _sub(_sub(proc, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    always = _sub(proc, "respcondition", **{"continue": "Yes"})
    _sub(_sub(always, "conditionvar"), "other")
    _sub(always, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    if choices:
        _condition(proc, "response1", [choices[q.correct or 0]], score="100")
    elif q.type in SHORT:
        _condition(proc, "response1", list(accepted(q)), score="100")
    elif q.type == "order":
        share = f"{100 / len(steps):.2f}"
        for respident, (right,) in steps:
            _condition(proc, respident, [right], score=share, action="Add", cont="Yes")
    else:
        cond = _sub(_sub(proc, "respcondition", **{"continue": "No"}), "conditionvar")
        _sub(cond, "other")
    fb = _sub(item, "itemfeedback", ident="general_fb")
    _material(_sub(fb, "flow_mat"), html_lines(feedback_lines(q, with_answer=q.type in ESSAY)))


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{ET.tostring(root, encoding="unicode")}\n'.encode()


def assessment(qset: QuestionSet, aid: str) -> bytes:
    """The QTI assessment: every question of the set in one section, in set order."""
    root = ET.Element("questestinterop", xmlns=QTI_NS)
    test = _sub(root, "assessment", ident=aid, title=qset.title)
    _metadata(test, [("cc_maxattempts", "1")])
    section = _sub(test, "section", ident="root_section")
    for q in qset.questions:
        _item(section, qset, q)
    return _xml(root)


def _meta(qset: QuestionSet, aid: str) -> bytes:
    total = f"{float(sum(q.points for q in qset.questions))}"
    root = ET.Element("quiz", identifier=aid, xmlns=CANVAS_NS)
    for tag, text in (("title", qset.title), ("description", ""), ("shuffle_answers", "false"),
                      ("scoring_policy", "keep_highest"), ("quiz_type", "assignment"), ("points_possible", total),
                      ("show_correct_answers", "true"), ("allowed_attempts", "1"), ("available", "false")):
        _sub(root, tag, text)
    assignment = _sub(root, "assignment", identifier=ident(qset.output, "assignment"))
    for tag, text in (("title", qset.title), ("workflow_state", "unpublished"), ("quiz_identifierref", aid),
                      ("points_possible", total), ("grading_type", "points"), ("submission_types", "online_quiz")):
        _sub(assignment, tag, text)
    _sub(root, "assignment_group_identifierref", ident(qset.output, "assignment-group"))
    return _xml(root)


def _manifest(qset: QuestionSet, aid: str, date: str) -> bytes:
    root = ET.Element("manifest", {"identifier": ident(qset.output, "manifest"), "xmlns": CP_NS, "xmlns:imsmd": IMSMD_NS})
    meta = _sub(root, "metadata")
    _sub(meta, "schema", "IMS Content")
    _sub(meta, "schemaversion", "1.1.3")
    lom = _sub(meta, "imsmd:lom")
    _sub(_sub(_sub(lom, "imsmd:general"), "imsmd:title"), "imsmd:string", qset.title)
    _sub(_sub(_sub(_sub(lom, "imsmd:lifeCycle"), "imsmd:contribute"), "imsmd:date"), "imsmd:dateTime", date)
    _sub(root, "organizations")
    resources = _sub(root, "resources")
    dep = ident(qset.output, "dependency")
    res = _sub(resources, "resource", identifier=aid, type="imsqti_xmlv1p2")
    _sub(res, "file", href=f"{aid}/{aid}.xml")
    _sub(res, "dependency", identifierref=dep)
    meta_res = _sub(resources, "resource", identifier=dep, type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                    href=f"{aid}/assessment_meta.xml")
    _sub(meta_res, "file", href=f"{aid}/assessment_meta.xml")
    return _xml(root)


def render(qset: QuestionSet, options: OutputOptions | None = None) -> dict[str, bytes]:
    """The set as one Canvas-importable QTI 1.2 zip."""
    aid = ident(qset.output, "assessment")
    when = stamp(qset, options)
    entries = [("imsmanifest.xml", _manifest(qset, aid, when.date().isoformat())),
               (f"{aid}/{aid}.xml", assessment(qset, aid)),
               (f"{aid}/assessment_meta.xml", _meta(qset, aid))]
    return {f"{qset.output}-qti.zip": zip_bytes(entries, when)}
