"""Written questions: answered in words in a notebook, graded by hand, reported by the engine.

A written question is an item of the report like any test, with its own status, ``"manual"``:

* the intake (:mod:`autograder.submission`) reads each answer out of the handed-in notebook as
  text (:func:`autograder.lab.notebook.written_answers`: nothing of the notebook runs);
* a pytest test per question (``tests/hidden/test_keras_lab.py::test_written_answer``) raises
  :class:`GradedByHand` with the question's points and the answer;
* the scorer records it as ``status="manual"``, ``score = max_score = 0`` (no automatic points
  are awarded or withheld) and ``manual_points`` = the question's points; the answer travels in
  the feedback's rationale, so it is sanitised and bounded like every untrusted text
  (:mod:`autograder.untrusted`) and reaches the gradebook's per-test export;
* every reporter shows the item as "graded by hand" with its points (Gradescope: a zero-point
  test tagged ``manual``, as otter leaves manual questions to Gradescope's manual grading).

An exercise lists its written questions in trusted code (for the lab: ``autograder.lab.spec``):
the points never come from the submission.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The most of one answer the intake keeps (the reporters' own bound, 4,000 characters, is lower).
ANSWER_CHARS = 20_000
#: What otter's student notebook holds until the student writes an answer.
PLACEHOLDER = "_Type your answer here, replacing this text._"


@dataclass(frozen=True)
class WrittenQuestion:
    """A question answered in words: its label in the notebook (the bold ``**3.3**`` that starts
    its prompt), its otter question name, its points (graded by hand) and its topic."""

    label: str
    name: str
    points: float
    topic: str


class GradedByHand(Exception):
    """Raised by a written question's test: not a pass or a failure, an item for the instructor."""

    def __init__(self, question: WrittenQuestion, answer: str):
        self.question, self.answer = question, answer
        super().__init__(hand_graded_sentence(question, answer))


def hand_graded_sentence(question: WrittenQuestion, answer: str) -> str:
    """The rationale of a written question's result: what happens to it, then the answer."""
    head = (f"Graded by hand: question {question.label} ({question.topic}), "
            f"{question.points:g} points, not part of the automatic score.")
    if not answer.strip():
        return head + (f" No answer was found below question {question.label} in the notebook: "
                       "write it in the Markdown cell under the question.")
    return head + "\nAnswer:\n" + answer.strip()


def written_questions(exercise_id: str) -> tuple[WrittenQuestion, ...]:
    """The written questions of an exercise (none for most; the lab's are in its spec)."""
    if exercise_id == "keras_lab":
        from .lab.spec import WRITTEN_QUESTIONS

        return WRITTEN_QUESTIONS
    return ()
