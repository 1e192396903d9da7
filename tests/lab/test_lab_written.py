"""Written questions (graded by hand) and the lab's other pure-Python parts: the answers read out of
a notebook as text, every report format listing them with their points (the answer sanitised and
escaped), the gradebook's export carrying the answer, and the GPU set-up shown fake device lists.
No TensorFlow and no sandbox: these run in milliseconds."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest

pytest.importorskip("nbformat", reason="reading notebooks needs nbformat: pip install '.[lab]'")

from autograder.feedback import Feedback  # noqa: E402
from autograder.lab import SOURCE, probes  # noqa: E402
from autograder.lab.notebook import read_notebook, written_answers  # noqa: E402
from autograder.lab.spec import WRITTEN_QUESTIONS  # noqa: E402
from autograder.reporters import FORMATS, render  # noqa: E402
from autograder.results import Results  # noqa: E402
from autograder.results import TestResult as Item  # noqa: E402 (not collected as a test class)
from autograder.written import PLACEHOLDER, hand_graded_sentence  # noqa: E402

LABELS = [q.label for q in WRITTEN_QUESTIONS]


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "id": f"m{abs(hash(text)) % 10**8}", "metadata": {}, "source": text}


def _notebook(*cells: dict) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_the_source_notebook_has_each_written_question_as_an_otter_manual_question():
    nb = json.loads(SOURCE.read_text(encoding="utf-8"))
    configs = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "raw"]
    for q in WRITTEN_QUESTIONS:
        assert f"# BEGIN QUESTION\nname: {q.name}\nmanual: true\npoints: {q.points:g}" in configs, q
    answers = written_answers(read_notebook(SOURCE.read_text(encoding="utf-8")), LABELS)
    assert all(len(answers[label]) > 200 for label in LABELS), answers


def test_answers_are_read_between_the_prompt_and_the_end_of_the_question():
    nb = read_notebook(_notebook(
        _markdown("<!-- BEGIN QUESTION -->\n\n**1.3** *(written)* Why?"),
        _markdown("Because saddles.\n"),
        _markdown("And a second cell.\n"),
        _markdown("<!-- END QUESTION -->\n\n## Part 2"),
        _markdown("**2.3** *(written)* Compare."),
        _markdown(PLACEHOLDER),
        {"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
         "source": "x = 1"},
        _markdown("not an answer to anything"),
    ))
    assert written_answers(nb, ["1.3", "2.3", "3.3"]) == {
        "1.3": "Because saddles.\n\nAnd a second cell.", "2.3": "", "3.3": ""}


def test_a_huge_answer_is_bounded_when_read():
    nb = read_notebook(_notebook(_markdown("**1.3** Why?"), _markdown("x" * 10**6)))
    assert len(written_answers(nb, ["1.3"], limit=1000)["1.3"]) == 1000


HOSTILE_ANSWER = "\x1b[2J<script>alert(1)</script> | ]]> & `x`\n" + "line\n" * 500


def _results() -> Results:
    question = WRITTEN_QUESTIONS[2]
    manual = Item(nodeid="tests/hidden/test_keras_lab.py::test_written_answer[3.3]",
                        name="test_written_answer[3.3]", exercise="keras_lab", suite="hidden",
                        status="manual", max_score=0.0, score=0.0, visibility="after_published",
                        feedback=Feedback(hand_graded_sentence(question, HOSTILE_ANSWER)),
                        manual_points=question.points)
    passed = Item(nodeid="tests/hidden/test_keras_lab.py::test_make_data", name="test_make_data",
                        exercise="keras_lab", suite="hidden", status="passed", max_score=2.0, score=2.0,
                        duration=1.5)
    return Results(tests=[passed, manual], target="lab", isolation="bubblewrap",
                   lab={"device": "CPU", "epochs": 20})


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_lists_the_written_question_as_graded_by_hand(fmt):
    results = _results()
    assert (results.score, results.max_score) == (2.0, 2.0)   # the written points are in neither
    out = render(results, fmt)
    assert "graded by hand" in out.lower(), out
    assert "\x1b" not in out
    assert len(out) < 40_000   # the answer is bounded (60 lines, 4,000 characters)
    if fmt == "html":
        assert "<script>" not in out and "&lt;script&gt;" in out
    if fmt == "gradescope":
        entry = next(t for t in json.loads(out)["tests"] if "manual" in t["tags"])
        assert (entry["score"], entry["max_score"], entry["extra_data"]) == (0, 0, {"manual": True, "points": 2.0})
        assert "Keras lab: CPU, 20 epochs, 1.5 s" in json.loads(out)["output"]
    if fmt == "junit":
        case = next(c for c in ET.fromstring(out).iter("testcase") if "written" in c.get("name"))
        assert case.find("skipped").get("message") == "graded by hand: 2 points"
    if fmt == "exercism":
        entry = next(t for t in json.loads(out)["tests"] if "written" in t["name"])
        assert entry["status"] == "pass" and "Answer:" in entry["message"]
    if fmt in ("table", "markdown", "html"):
        assert "Keras lab: CPU, 20 epochs, 1.5 s" in out


def test_an_unanswered_written_question_says_so_and_fails_in_exercism():
    question = WRITTEN_QUESTIONS[0]
    sentence = hand_graded_sentence(question, "  \n")
    assert "No answer was found below question 1.3" in sentence
    results = _results()
    results.tests[1].feedback = Feedback(sentence)
    entry = next(t for t in json.loads(render(results, "exercism"))["tests"] if "written" in t["name"])
    assert entry["status"] == "fail"


def test_the_gradebook_export_carries_the_sanitised_answer(tmp_path):
    from autograder.batch.exports import tests_csv
    from autograder.batch.gradebook import Gradebook
    from autograder.untrusted import sanitise

    with Gradebook(tmp_path / "book.sqlite") as book:
        book.record(student="ada", sha256="0" * 64, engine_version="t", source="x",
                    results=sanitise(_results()), error=None, started_at=1.0, duration_s=1.0)
        rows = list(csv.DictReader(open(tests_csv(book, tmp_path / "tests.csv"), encoding="utf-8")))
    row = next(r for r in rows if "written_answer" in r["test"])
    assert row["status"] == "manual" and "Answer:\n<script>alert(1)</script>" in row["message"]
    assert "\x1b" not in row["message"] and "cut by the grader" in row["message"]


def _reference_memory_growth(config):
    gpus = config.list_physical_devices("GPU")
    for gpu in gpus:
        config.experimental.set_memory_growth(gpu, True)
    return len(gpus)


def _always(config):
    config.experimental.set_memory_growth(config.list_physical_devices()[0], True)
    return 1


@pytest.mark.parametrize("gpus", [0, 1, 3])
def test_the_fake_device_list_records_memory_growth_exactly_when_a_gpu_is_listed(gpus):
    out = probes.gpu_setup(_reference_memory_growth, gpus)
    assert out == {"calls": [[f"/physical_device:GPU:{i}", "True"] for i in range(gpus)],
                   "returned": repr(gpus)}
    # A set-up that does not look at the list touches the CPU: the check sees that call.
    assert probes.gpu_setup(_always, gpus)["calls"][0][0] == "/physical_device:CPU:0"


def test_a_report_without_timings_states_the_lab_s_device_and_epochs_but_no_time():
    out = render(_results(), "markdown", timings=False)
    assert "Keras lab: CPU, 20 epochs" in out and "1.5 s" not in out
