"""exercism's test-runner ``results.json``, version 3.

Follows exercism/docs ``building/tooling/test-runners/interface.md``: ``version`` 3, ``status``
pass/fail/error (error only when nothing could be run), ``message`` only with error, and
``tests[]`` in file order with ``name``, ``status``, ``message``, ``output`` (at most 500
characters), ``test_code`` and ``task_id`` (the exercise's 1-based position in course.toml).
"""

from __future__ import annotations

import json

from ..results import Results
from ._common import display_name, exercise_title, infrastructure_line, lab_line, message, task_id

OUTPUT_LIMIT = 500
_TRUNCATED = "\n[Output was truncated. Please limit to 500 chars]"
_STATUS = {"passed": "pass", "failed": "fail", "error": "error", "skipped": "fail"}


def _output(text: str) -> str | None:
    if not text:
        return None
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[:OUTPUT_LIMIT - len(_TRUNCATED)] + _TRUNCATED


def render_exercism(results: Results) -> str:
    infra = infrastructure_line(results)
    if infra is not None:   # v3's "error": nothing could be run
        return json.dumps({"version": 3, "status": "error", "message": infra, "tests": []},
                          indent=2, ensure_ascii=False) + "\n"
    tests = []
    # The lab's run (device, epochs, wall time) is shown once, with its first test: v3 has no
    # top-level place for it.
    first_lab = next((t for t in results.tests if t.exercise == "keras_lab"), None)
    for t in results.tests:
        name = f"{exercise_title(results, t.exercise)} > {display_name(t)}"
        status = _STATUS.get(t.status, "fail")
        if t.status == "manual":
            # v3 knows pass/fail/error only: a written question "passes" when an answer was
            # handed in (its grade is the instructor's), and fails when none was found.
            name += " (written; graded by hand)"
            status = "pass" if "\nAnswer:\n" in (t.feedback.rationale if t.feedback else "") else "fail"
        entry = {
            "name": name,
            "status": status,
            "message": message(t) or None,
            "output": _output(t.output or ((lab_line(results) or "") if t is first_lab else "")),
            "test_code": t.test_code,
        }
        tid = task_id(results, t.exercise)
        if tid is not None:
            entry["task_id"] = tid
        tests.append({k: v for k, v in entry.items() if v is not None})
    if results.errors:
        status, top = "error", "\n".join(results.errors)
    elif tests and all(t["status"] == "pass" for t in tests):
        status, top = "pass", None
    else:
        status, top = "fail", None
    return json.dumps({"version": 3, "status": status, "message": top, "tests": tests},
                      indent=2, ensure_ascii=False) + "\n"
