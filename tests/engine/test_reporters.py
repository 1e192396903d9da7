"""Reporters: each format against its published schema, and against golden files exactly.

The golden files in ``golden/`` were rendered once from the fixed results below and read line by
line against the formats' specifications; a change to a reporter that moves a byte shows up
here. Regenerate after a deliberate change with ``AUTOGRADER_UPDATE_GOLDEN=1 pytest
tests/engine/test_reporters.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograder.feedback import Feedback
from autograder.reporters import FORMATS, HIDDEN_SENTENCE, conceal, render, without_timings
from autograder import results as results_tree
from autograder.results import Results
from autograder.scorer import course_info

jsonschema = pytest.importorskip("jsonschema")

HERE = Path(__file__).parent
SCHEMAS = HERE / "schemas"
GOLDEN = HERE / "golden"
SUFFIX = {"table": "txt", "gradescope": "json", "exercism": "json", "junit": "xml",
          "json": "json", "markdown": "md", "html": "html"}


def _test(name, exercise, status, max_score, score, **kw) -> results_tree.TestResult:
    return results_tree.TestResult(nodeid=f"tests/public/test_x.py::{name}", name=name, exercise=exercise,
                      suite=kw.pop("suite", "public"), status=status, max_score=max_score,
                      score=score, **kw)


def mixed_results() -> Results:
    """Every case a reporter must render: pass, fail with every feedback field, partial credit,
    error, skip, a hidden failure, printed output, parametrised names, markup-looking text."""
    return Results(target="examples/submission", isolation="none", execution_time=0.25, **course_info(), tests=[
        _test("test_gd_on_a_parabola", "gd", "passed", 2.0, 2.0, duration=0.01,
              test_code="traj = target.gradient_descent.gd(grad, 10.0, 0.2, 10)"),
        _test("test_schedules", "lr_schedules", "failed", 1.0, 0.0, duration=0.002,
              feedback=Feedback("exponential_lr(10, rate=0.1): the result is wrong",
                                expected="0.367879", actual="2.71828", misconception="lr-exp-sign",
                                hint="Exponential decay is exp(-rate * t): with a plus sign the learning rate grows."),
              test_code="expect_close(m.exponential_lr(10, rate=0.1), math.exp(-1.0), call='...')"),
        _test("test_sgd_draws_noise[seed-42]", "sgd", "failed", 2.0, 1.0, duration=0.003,
              feedback=Feedback("sgd: the trajectory is wrong <after step 2> | & \"quoted\""),
              output="debug: x = 0.5\n" + "y" * 600),
        _test("test_momentum_step", "momentum", "error", 1.0, 0.0, duration=0.001,
              feedback=Feedback("ZeroDivisionError: division by zero",
                                hint="Your code raised an exception; run the public tests locally to see the traceback.")),
        _test("test_adam_on_gpu", "adam", "skipped", 0.0, 0.0,
              feedback=Feedback("no GPU on this machine")),
        _test("test_adam_hidden_trajectory", "adam", "failed", 3.0, 0.0, suite="hidden",
              visibility="hidden", duration=0.02,
              feedback=Feedback("adam_step: x_new is wrong", expected="[0.99]", actual="[1.0]",
                                misconception="adam-no-bias-correction"),
              test_code="secret = exact_adam_trajectory()"),
        _test("test_adam_after_due", "adam", "passed", 1.0, 1.0, suite="hidden",
              visibility="after_due_date", duration=0.004, test_code="also_secret()"),
    ])


def ungradable_results() -> Results:
    problem = "submission.zip was refused: the entry '../evil.py' points outside the archive (it contains '..')."
    return Results(target="submission.zip", execution_time=0.1, errors=[problem], **course_info(), tests=[
        _test("test_gd_on_a_parabola", "gd", "failed", 2.0, 0.0,
              feedback=Feedback(f"Not graded: {problem}",
                                hint="Fix the submission and hand it in again; nothing was run.")),
    ])


FIXTURES = {"mixed": mixed_results, "ungradable": ungradable_results}


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt, fixture):
    got = render(FIXTURES[fixture](), fmt)
    path = GOLDEN / f"{fixture}.{fmt}.{SUFFIX[fmt]}"
    if os.environ.get("AUTOGRADER_UPDATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8"), f"{path.name} differs; see this file's docstring"


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_golden_verbose_table(fixture):
    """``--verbose``: every test with its whole message (the default table is a summary)."""
    got = render(FIXTURES[fixture](), "table", verbose=True)
    path = GOLDEN / f"{fixture}.table-verbose.txt"
    if os.environ.get("AUTOGRADER_UPDATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8"), f"{path.name} differs; see this file's docstring"


def _validator(name):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_gradescope_follows_the_spec(fixture):
    data = json.loads(render(FIXTURES[fixture](), "gradescope"))
    _validator("gradescope-results.schema.json").validate(data)
    results = FIXTURES[fixture]()
    assert data["score"] == results.score
    assert sum(t["max_score"] for t in data["tests"]) == results.max_score
    assert [t["tags"] for t in data["tests"]] == [[t.exercise] for t in results.tests]


def test_gradescope_keeps_visibility_per_test_and_the_details():
    data = json.loads(render(mixed_results(), "gradescope"))
    hidden = [t for t in data["tests"] if "hidden trajectory" in t["name"]][0]
    assert hidden["visibility"] == "hidden"
    # Gradescope hides it from students itself; instructors need the reason.
    assert "adam-no-bias-correction" in hidden["output"]
    assert {t["visibility"] for t in data["tests"]} == {"visible", "hidden", "after_due_date"}
    skipped = [t for t in data["tests"] if "gpu" in t["name"]][0]
    assert skipped["status"] == "failed" and skipped["max_score"] == 0  # never counted as a pass


def test_gradescope_visible_output_counts_visible_tests_only():
    # Before the due date a student sees the top-level output: a total that counted the hidden
    # tests would tell them how they did on those.
    data = json.loads(render(mixed_results(), "gradescope"))
    visible = [t for t in mixed_results().tests if t.visibility == "visible"]
    got = sum(t.score for t in visible)
    most = sum(t.max_score for t in visible)
    assert data["output"].splitlines()[0] == f"Visible tests: {got:g} / {most:g}"
    assert f"/ {mixed_results().max_score:g}" not in data["output"]
    assert data["score"] == mixed_results().score     # Gradescope's score is still the total
    all_visible = Results(tests=visible)
    assert json.loads(render(all_visible, "gradescope"))["output"] == \
        f"Score: {all_visible.score:g} / {all_visible.max_score:g}"


def test_gradescope_names_are_unique_and_stable():
    # Gradescope tells tests apart by name: a test of the public suite and one of the hidden
    # suite, or two in different files, that would read the same get what separates them.
    same = dict(exercise="lr_schedules", status="passed", max_score=1.0, score=1.0)
    tests = [
        results_tree.TestResult(nodeid="tests/public/test_gradient_descent.py::test_defaults",
                                name="test_defaults", suite="public", **same),
        results_tree.TestResult(nodeid="tests/hidden/test_gradient_descent.py::test_defaults",
                                name="test_defaults", suite="hidden", **same),
        results_tree.TestResult(nodeid="tests/hidden/test_mutants.py::test_defaults",
                                name="test_defaults", suite="hidden", visibility="after_due_date",
                                **same),
        results_tree.TestResult(nodeid="tests/public/test_gradient_descent.py::test_other",
                                name="test_other", suite="public", **same),
    ]
    names = [t["name"] for t in json.loads(render(Results(tests=tests, **course_info()), "gradescope"))["tests"]]
    assert len(set(names)) == len(names), names
    assert names[0].endswith("defaults (public)")
    assert names[1].endswith("(hidden, test_gradient_descent)")
    assert names[2].endswith("(hidden, test_mutants)")
    assert names[3] == "Learning-rate schedules: other"       # no clash: no qualifier
    again = [t["name"] for t in json.loads(render(Results(tests=list(tests), **course_info()), "gradescope"))["tests"]]
    assert again == names


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_exercism_follows_the_v3_spec(fixture):
    data = json.loads(render(FIXTURES[fixture](), "exercism"))
    _validator("exercism-results-v3.schema.json").validate(data)


def test_exercism_statuses_and_tasks():
    data = json.loads(render(mixed_results(), "exercism"))
    assert data["status"] == "fail" and data["message"] is None
    assert [t["status"] for t in data["tests"]] == ["pass", "fail", "fail", "error", "fail", "fail", "pass"]
    # task_id: the exercise's 1-based position in course.toml (gd is first, adam eighth).
    assert [t["task_id"] for t in data["tests"]][:2] == [1, 2]
    assert data["tests"][-1]["task_id"] == 8
    assert len(data["tests"][2]["output"]) <= 500 and "truncated" in data["tests"][2]["output"]
    err = json.loads(render(ungradable_results(), "exercism"))
    assert err["status"] == "error" and "'..'" in err["message"]


def test_exercism_schema_can_say_no():
    validator = _validator("exercism-results-v3.schema.json")
    bad = [{"version": 3, "status": "error", "tests": []},                          # no message
           {"version": 3, "status": "pass", "message": None,
            "tests": [{"name": "x", "status": "fail"}]},                              # pass with a failure
           {"version": 3, "status": "fail", "tests": [{"name": "x", "status": "ok"}]}]
    for doc in bad:
        assert not validator.is_valid(doc), doc


def test_junit_validates_against_the_xsd():
    lxml_etree = pytest.importorskip("lxml.etree")
    schema = lxml_etree.XMLSchema(lxml_etree.parse(str(SCHEMAS / "junit.xsd")))
    for make in FIXTURES.values():
        doc = lxml_etree.fromstring(render(make(), "junit").encode("utf-8"))
        assert schema.validate(doc), schema.error_log
    assert not schema.validate(lxml_etree.fromstring(b"<testsuites><testsuite name='x'/></testsuites>"))


def test_junit_counts_match_the_results():
    root = ET.fromstring(render(mixed_results(), "junit"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("7", "3", "1", "1")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["gd", "lr_schedules", "sgd", "momentum", "adam"]
    failure = suites["lr_schedules"].find("testcase/failure")
    assert failure.get("message") == "exponential_lr(10, rate=0.1): the result is wrong"
    assert "known mistake: lr-exp-sign" in failure.text
    ungradable = ET.fromstring(render(ungradable_results(), "junit"))
    assert ungradable.find("testsuite[@name='submission']/testcase/error") is not None


def test_json_follows_the_results_schema_and_round_trips():
    text = render(mixed_results(), "json", show_hidden=True)
    _validator("results.schema.json").validate(json.loads(text))
    assert Results.from_dict(json.loads(text)) == mixed_results()


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "gradescope"])
def test_hidden_details_never_reach_a_student_format(fmt):
    text = render(mixed_results(), fmt)
    assert "adam-no-bias-correction" not in text and "secret" not in text
    assert HIDDEN_SENTENCE.split(":")[0] in text.replace("\n", " ") or fmt == "table"
    shown = render(mixed_results(), fmt, show_hidden=True)
    assert "adam-no-bias-correction" in shown


def test_every_feedback_field_is_shown():
    for fmt in FORMATS:
        text = render(mixed_results(), fmt, show_hidden=True)
        for piece in ("exponential_lr(10, rate=0.1)", "0.367879", "2.71828", "lr-exp-sign",
                      "with a plus sign"):
            assert piece in text.replace("\n", " ") or fmt == "table", (fmt, piece)


def test_conceal_and_without_timings_do_not_touch_the_original():
    results = mixed_results()
    concealed = conceal(results)
    assert concealed.tests[5].feedback == Feedback(HIDDEN_SENTENCE)
    assert concealed.tests[6].feedback is None and concealed.tests[6].test_code == ""
    assert results.tests[5].feedback.misconception == "adam-no-bias-correction"
    assert concealed.score == results.score
    timeless = without_timings(results)
    assert timeless.execution_time == 0 and all(t.duration == 0 for t in timeless.tests)
    assert "execution_time" not in json.loads(render(results, "gradescope", timings=False))
