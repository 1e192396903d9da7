"""The course modules' written questions: each is graded by hand.

A test per question reads the student's answer out of their answer sheet (``written_answers.md``,
read by the intake as bounded text, never run) and raises :class:`GradedByHand`: the scorer
records the question as ``manual`` with its points (from the trusted
``autograder/written_questions.toml``, outside the automatic total), and every report lists it as
graded by hand with the answer. No answer (or no sheet) says so.
"""

from __future__ import annotations

import pytest

from autograder.written import GradedByHand, submitted_answers, written_questions

EXERCISE = "written_questions"
QUESTIONS = written_questions(EXERCISE)

pytestmark = pytest.mark.exercise(EXERCISE)


@pytest.mark.points(0)
@pytest.mark.parametrize("question", QUESTIONS, ids=[q.name for q in QUESTIONS])
def test_written_answer(target, question):
    """Question ``question.label``: its answer goes to the instructor, with its points."""
    answers, missing = submitted_answers(target, EXERCISE)
    raise GradedByHand(question, answers.get(question.label, ""), missing)
