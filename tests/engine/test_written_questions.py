"""The course modules' written questions: graded by hand, one mechanism with the Keras lab's.

What a student hands in (``written_answers.md``) is read by the intake as bounded text; a hidden
test per question raises ``GradedByHand``; every report format shows the question as graded by
hand with its points, outside the automatic total, and the answer reaches the gradebook; the
marking guide and the reference answers never reach the student release.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from autograder import written
from autograder.course import load_course
from autograder.grading import grade
from autograder.reporters import FORMATS, render
from autograder.submission import WRITTEN_FILE, materialise, read_sheet_intake
from autograder.written import (ANSWER_CHARS, SHEET_BYTES, answer_sheet, module_questions,
                                read_answer_sheet, written_questions)

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "written_questions"
QUESTIONS = written_questions(EXERCISE)
LABELS = [q.label for q in QUESTIONS]
TESTS = [str(ROOT / "tests/hidden/test_written_questions.py")]
REFERENCE = ROOT / "solutions" / written.ANSWER_SHEET
STUB = ROOT / "assignments" / written.ANSWER_SHEET


def sheet(answers: dict[str, str]) -> str:
    return answer_sheet(QUESTIONS, answers)


def rationale_of(results, question) -> str:
    [test] = [t for t in results.tests if t.nodeid.endswith(f"[{question.name}]")]
    assert test.status == "manual" and test.score == test.max_score == 0
    assert test.manual_points == question.points
    return test.feedback.rationale


# -- the questions themselves ----------------------------------------------------------------------

def test_the_questions_cover_the_sources_items_with_points_and_a_guide():
    exercise, questions = module_questions()
    assert exercise == EXERCISE and load_course().exercise(EXERCISE).kind == "written"
    names = {q.name for q in questions}
    # the textbook section's saddle exercise (both parts), its "other challenges" exercise, and
    # the sources' conceptual points the issue names
    assert {"saddle_balance", "saddle_exploit", "other_challenges", "optimisation_versus_generalisation",
            "large_network_minima", "cliffs_and_plateaus", "vanishing_gradients"} <= names
    for q in questions:
        assert q.points > 0 and q.prompt and q.source and q.guide, q.name
        # each guide entry says what it is worth, and those add up to the question's points
        # (question 3 gives "1 point each, up to 3")
        worth = [re.match(r"(\d+) points?", entry) for entry in q.guide]
        stated = sum(int(m.group(1)) for m in worth if m)
        assert stated == q.points or q.guide[0].startswith(f"1 point each, up to {q.points:g}"), q.name


def test_the_stub_is_the_sheet_of_the_prompts_and_holds_no_guide():
    text = STUB.read_text(encoding="utf-8")
    assert text == sheet({})
    for q in QUESTIONS:
        assert f"## Question {q.label}:" in text and f"({q.points:g} points)" in text
        for entry in q.guide:
            assert entry[:60] not in text
    assert set(read_answer_sheet(text, LABELS).values()) == {""}


def test_the_reference_sheet_is_the_same_sheet_with_every_answer_filled_in():
    text = REFERENCE.read_text(encoding="utf-8")
    answers = read_answer_sheet(text, LABELS)
    assert all(len(a) > 200 for a in answers.values()), {k: len(a) for k, a in answers.items()}
    assert sheet(answers) == text          # same headings and prompts as the student's sheet


# -- reading a handed-in sheet ---------------------------------------------------------------------

def test_an_answer_is_what_follows_its_answer_line_without_the_hint():
    answers = read_answer_sheet(sheet({"1": "Unstable along one axis.", "3": "Cliffs."}), LABELS)
    assert answers["1"] == "Unstable along one axis." and answers["3"] == "Cliffs."
    assert answers["2"] == "" and "<!--" not in answers["1"]


def test_a_sheet_without_answer_lines_or_with_a_second_copy_is_read_safely():
    text = ("## Question 1: anything\nMy answer, no answer line.\n<!-- a comment that never ends"
            "\n## Question 1: pasted again\n**Answer:**\nA forged second answer.\n")
    answers = read_answer_sheet(text, LABELS)
    assert answers["1"] == "My answer, no answer line."       # the first section counts
    assert answers["2"] == ""


def test_an_answer_is_bounded():
    answers = read_answer_sheet(sheet({"1": "x" * (3 * ANSWER_CHARS)}), LABELS)
    assert len(answers["1"]) == ANSWER_CHARS


def test_the_intake_carries_the_sheet_of_a_folder_a_zip_or_a_sheet_alone(tmp_path):
    folder = tmp_path / "folder"
    shutil.copytree(ROOT / "solutions", folder / "work" / "assignments",
                    ignore=shutil.ignore_patterns("__pycache__"))
    m = materialise(folder, tmp_path / "m1")
    assert m.written[EXERCISE].status == "ok"
    stored = read_sheet_intake(tmp_path / "m1")[EXERCISE]
    assert dict(stored.answers) == read_answer_sheet(REFERENCE.read_text(encoding="utf-8"), LABELS)

    archive = tmp_path / "hand-in.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("top/gradient_descent.py", "def gd():\n    pass\n")
        z.writestr("top/written_answers.md", sheet({"2": "Noise escapes the saddle."}))
    assert dict(materialise(archive, tmp_path / "m2").written[EXERCISE].answers)["2"] == \
        "Noise escapes the saddle."

    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "written_answers.md").write_text(sheet({"4": "Held-out data."}), encoding="utf-8")
    m = materialise(alone, tmp_path / "m3")
    assert dict(m.written[EXERCISE].answers)["4"] == "Held-out data."


def test_no_sheet_or_an_oversized_one_says_so(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "gradient_descent.py").write_text("def gd():\n    pass\n")
    m = materialise(code, tmp_path / "m1")
    assert m.written[EXERCISE].status == "missing"
    assert json.loads((tmp_path / "m1" / WRITTEN_FILE).read_text())[EXERCISE][0] == "missing"
    (code / "written_answers.md").write_text("x" * (SHEET_BYTES + 1))
    m = materialise(code, tmp_path / "m2")
    assert m.written[EXERCISE].status == "unreadable" and "larger than" in m.written[EXERCISE].reason


# -- graded: the reference shows its answers, the stub "No answer", every report "by hand" ------------

@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("written")
    student = base / "student"
    student.mkdir()
    (student / "written_answers.md").write_text(sheet({
        "1": "It is unstable: \x1b[31mred\x1b[0m along the negative eigenvalue.\x07",
        "6": "Cliffs: clip. Plateaus: momentum."}), encoding="utf-8")
    return {"reference": grade(ROOT / "solutions", tests=TESTS),
            "stub": grade(ROOT / "assignments", tests=TESTS),
            "student": grade(student, tests=TESTS)}


def test_the_reference_answers_are_carried_with_their_points(graded):
    results = graded["reference"]
    assert results.score == results.max_score == 0          # outside the automatic total
    assert sum(t.manual_points for t in results.manual) == sum(q.points for q in QUESTIONS)
    reference = read_answer_sheet(REFERENCE.read_text(encoding="utf-8"), LABELS)
    for q in QUESTIONS:
        text = rationale_of(results, q)
        assert text.startswith(f"Graded by hand: question {q.label} ")
        assert "\nAnswer:\n" in text and reference[q.label][:80] in text


def test_the_stub_says_no_answer_below_each_question(graded):
    for q in QUESTIONS:
        text = rationale_of(graded["stub"], q)
        assert f"No answer was found below question {q.label} in written_answers.md" in text


def test_a_missing_sheet_says_it_is_missing(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "gradient_descent.py").write_text("def gd():\n    pass\n")
    results = grade(code, tests=TESTS)
    text = rationale_of(results, QUESTIONS[0])
    assert "No answer was found below question 1: written_answers.md is missing from your submission" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_report_format_lists_the_questions_as_graded_by_hand(graded, fmt):
    out = render(graded["student"], fmt)
    assert "graded by hand" in out.lower()
    # each question is listed by its test's id (Markdown escapes its underscores; the table
    # shortens long names to a column's width)
    for q in QUESTIONS:
        assert any(name in out for name in (q.name, q.name.replace("_", "\\_"), q.name[:14])), (fmt, q.name)
    if fmt in ("json", "gradescope", "exercism", "junit", "html", "markdown"):
        assert "Cliffs: clip. Plateaus: momentum." in out, fmt
    assert "\x1b" not in out and "\x07" not in out              # the answer is untrusted text


def test_the_answers_reach_the_gradebooks_per_test_export(graded, tmp_path):
    from autograder.batch.gradebook import Gradebook
    from autograder.untrusted import sanitise

    with Gradebook(tmp_path / "book.db") as book:
        book.record(student="s1", sha256="0" * 64, engine_version="test", source="s1",
                    results=sanitise(graded["student"]), error=None, started_at=0.0, duration_s=0.0)
        rows = {row[2]: row for row in book.per_test()}
    [row] = [r for nodeid, r in rows.items() if nodeid.endswith("[cliffs_and_plateaus]")]
    assert row[3] == "manual" and "Cliffs: clip. Plateaus: momentum." in row[6]


# -- never in the student release ------------------------------------------------------------------

def test_the_student_release_ships_the_sheet_and_no_marking_guide(tmp_path):
    from autograder.build.release import build

    build(ROOT, tmp_path / "out", epoch=1700000000, skip=("notebooks",))
    with zipfile.ZipFile(tmp_path / "out" / "student.zip") as z:
        names = z.namelist()
        text = {n: z.read(n).decode("utf-8", "replace") for n in names}
    assert text["assignments/written_answers.md"] == STUB.read_text(encoding="utf-8")
    assert "autograder/written_questions.toml" not in names
    assert not any(n.endswith("solutions/written_answers.md") for n in names)
    everything = " ".join(" ".join(text.values()).lower().split())
    reference = read_answer_sheet(REFERENCE.read_text(encoding="utf-8"), LABELS)
    for q in QUESTIONS:
        for entry in q.guide:
            assert " ".join(entry.lower().split())[:70] not in everything, entry
        assert " ".join(reference[q.label].lower().split())[:70] not in everything
