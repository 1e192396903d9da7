"""JUnit XML, the format CI systems annotate from (GitHub Actions test reporters, GitLab, Jenkins).

The shape follows the Jenkins/Ant ``junit-10.xsd`` that those tools read: ``<testsuites>`` of one
``<testsuite>`` per exercise, each holding ``<testcase>`` elements whose failures carry a one-line
``message`` attribute and the full feedback as text. A submission that could not be graded adds a
``submission`` suite with one errored case, so CI shows why instead of a silent zero.

The standard library's writer escapes ``<``, ``&`` and quotes but writes any character it is
given, and XML 1.0 forbids most control characters even as references: one of them in a message
and CI reads no report at all. So every text and attribute is cut to XML 1.0's ``Char``
production before writing (the results are sanitised already; this makes the format's own
guarantee not depend on it).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..results import Results
from ._common import (by_exercise_in_course_order, exercise_title, fmt_points, infrastructure_line,
                      lab_line, manual_summary, message)


# Everything outside XML 1.0's Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-].
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(root: ET.Element) -> None:
    for el in root.iter():
        if el.text:
            el.text = _NOT_XML_CHAR.sub("", el.text)
        for key, value in el.attrib.items():
            el.attrib[key] = _NOT_XML_CHAR.sub("", value)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _render_infrastructure(line: str) -> str:
    """One errored case, named for the grading machine: CI shows why, and no score."""
    root = ET.Element("testsuites", {"name": "autograder", "tests": "1", "failures": "0",
                                     "errors": "1", "skipped": "0", "time": _seconds(0.0)})
    suite = ET.SubElement(root, "testsuite", {"name": "grading machine", "tests": "1",
                                              "failures": "0", "errors": "1", "skipped": "0",
                                              "time": _seconds(0.0)})
    case = ET.SubElement(suite, "testcase", {"classname": "infrastructure",
                                             "name": "not graded", "time": _seconds(0.0)})
    ET.SubElement(case, "error", {"message": line, "type": "InfrastructureError"}).text = line
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def render_junit(results: Results) -> str:
    infra = infrastructure_line(results)
    if infra is not None:
        return _render_infrastructure(infra)
    root = ET.Element("testsuites", {
        "name": "autograder",
        "tests": str(len(results.tests) + (1 if results.errors else 0)),
        "failures": str(sum(t.status == "failed" for t in results.tests)),
        "errors": str(sum(t.status == "error" for t in results.tests) + (1 if results.errors else 0)),
        "skipped": str(sum(t.status in ("skipped", "manual") for t in results.tests)),
        "time": _seconds(results.execution_time),
    })
    if results.errors:
        suite = ET.SubElement(root, "testsuite", {
            "name": "submission", "tests": "1", "failures": "0", "errors": "1", "skipped": "0",
            "time": _seconds(0.0)})
        case = ET.SubElement(suite, "testcase", {"classname": "submission", "name": "read submission",
                                                 "time": _seconds(0.0)})
        err = ET.SubElement(case, "error", {"message": results.errors[0], "type": "SubmissionError"})
        err.text = "\n".join(results.errors)
    for exercise, tests in by_exercise_in_course_order(results).items():
        suite = ET.SubElement(root, "testsuite", {
            "name": exercise,
            "tests": str(len(tests)),
            "failures": str(sum(t.status == "failed" for t in tests)),
            "errors": str(sum(t.status == "error" for t in tests)),
            "skipped": str(sum(t.status in ("skipped", "manual") for t in tests)),
            "time": _seconds(sum(t.duration for t in tests)),
        })
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "title", "value": exercise_title(results, exercise)})
        ET.SubElement(props, "property", {"name": "score", "value": fmt_points(sum(t.score for t in tests))})
        ET.SubElement(props, "property", {"name": "max_score",
                                          "value": fmt_points(sum(t.max_score for t in tests))})
        if exercise == "keras_lab" and lab_line(results):
            ET.SubElement(props, "property", {"name": "lab", "value": lab_line(results)})
        for t in tests:
            case = ET.SubElement(suite, "testcase", {
                "classname": f"{t.suite}.{exercise}", "name": t.name, "time": _seconds(t.duration)})
            text = message(t)
            first = text.splitlines()[0] if text else ""
            if t.status == "failed":
                el = ET.SubElement(case, "failure", {"message": first, "type": "AssertionError"})
                el.text = text + f"\n(score {fmt_points(t.score)} / {fmt_points(t.max_score)})"
            elif t.status == "error":
                el = ET.SubElement(case, "error", {"message": first, "type": "Error"})
                el.text = text
            elif t.status == "skipped":
                ET.SubElement(case, "skipped", {"message": first})
            elif t.status == "manual":
                # Not run by the grader: JUnit's "skipped", saying why, with the answer.
                el = ET.SubElement(case, "skipped", {"message": manual_summary(t)})
                el.text = text
            if t.output:
                ET.SubElement(case, "system-out").text = t.output
    _xml_safe(root)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
