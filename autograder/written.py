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

An exercise lists its written questions in trusted code or data (for the lab:
``autograder.lab.spec``; for the course modules: ``autograder/written_questions.toml``, which also
holds the instructor's marking guide): the points never come from the submission.

The modules' questions are answered in a Markdown answer sheet, ``written_answers.md`` (one
``## Question N`` heading per question, its prompt, then an ``**Answer:**`` line). The student's
copy is generated from the trusted prompts (:func:`answer_sheet`) with the stubs
(:func:`autograder.stubs.expected_stubs`, so it cannot drift and ships as one); the intake reads the handed-in
sheet as bounded text (:func:`read_answer_sheet`, nothing of it is run or rendered) and a hidden
test per question (``tests/hidden/test_written_questions.py``) raises :class:`GradedByHand`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import toml_cache

#: The most of one answer the intake keeps (the reporters' own bound, 4,000 characters, is lower).
ANSWER_CHARS = 20_000
#: What otter's student notebook holds until the student writes an answer.
PLACEHOLDER = "_Type your answer here, replacing this text._"
#: The course modules' questions and marking guide (trusted; never shipped to students).
QUESTIONS_FILE = Path(__file__).with_name("written_questions.toml")
#: The answer sheet's name, in the student release (assignments/) and in a submission.
ANSWER_SHEET = "written_answers.md"
#: The most of a handed-in answer sheet the intake reads (a sheet is a few kilobytes).
SHEET_BYTES = 1024 * 1024
#: The line under which a sheet's answer starts, and what the generated sheet leaves there.
ANSWER_LINE = "**Answer:**"
ANSWER_HINT = "<!-- Write your answer below this line, in your own words. -->"


@dataclass(frozen=True)
class WrittenQuestion:
    """A question answered in words: its label in the notebook (the bold ``**3.3**`` that starts
    its prompt), its otter question name, its points (graded by hand) and its topic."""

    label: str
    name: str
    points: float
    topic: str
    #: Where the answer is written: "" for the lab's notebook, else the answer sheet's file name.
    sheet: str = ""
    #: The text the student reads (the answer sheet's), and the course source it comes from.
    prompt: str = ""
    source: str = ""
    #: The instructor's marking guide: what a full answer contains, with points. Never shipped.
    guide: tuple[str, ...] = ()


class GradedByHand(Exception):
    """Raised by a written question's test: not a pass or a failure, an item for the instructor."""

    def __init__(self, question: WrittenQuestion, answer: str, missing: str = ""):
        self.question, self.answer = question, answer
        super().__init__(hand_graded_sentence(question, answer, missing))


def hand_graded_sentence(question: WrittenQuestion, answer: str, missing: str = "") -> str:
    """The rationale of a written question's result: what happens to it, then the answer.
    ``missing`` says why there is no answer at all (the answer sheet was not handed in)."""
    head = (f"Graded by hand: question {question.label} ({question.topic}), "
            f"{question.points:g} points, not part of the automatic score.")
    if not answer.strip():
        if question.sheet:
            why = (f": {missing}." if missing else
                   f" in {question.sheet}: write it under the question's {ANSWER_LINE} line.")
            return head + f" No answer was found below question {question.label}{why}"
        return head + (f" No answer was found below question {question.label} in the notebook: "
                       "write it in the Markdown cell under the question.")
    return head + "\nAnswer:\n" + answer.strip()


def written_questions(exercise_id: str) -> tuple[WrittenQuestion, ...]:
    """The written questions of an exercise (none for most; the lab's are in its spec, the
    modules' in ``written_questions.toml``)."""
    if exercise_id == "keras_lab":
        from .lab.spec import WRITTEN_QUESTIONS

        return WRITTEN_QUESTIONS
    exercise, questions = module_questions()
    return questions if exercise_id == exercise else ()


@lru_cache(maxsize=None)
def module_questions(path: Path = QUESTIONS_FILE) -> tuple[str, tuple[WrittenQuestion, ...]]:
    """(the exercise id, its questions) of ``written_questions.toml``; ("", ()) where the file
    is absent (the student release does not ship it: it holds the marking guide)."""
    if not Path(path).is_file():
        return "", ()
    data = toml_cache.load(path)
    questions = tuple(
        WrittenQuestion(str(q["label"]), q["name"], float(q["points"]), q["topic"],
                        sheet=ANSWER_SHEET, prompt=" ".join(q["prompt"].split()),
                        source=q.get("source", ""), guide=tuple(q.get("guide", ())))
        for q in data.get("question", ()))
    labels = [q.label for q in questions]
    if len(set(labels)) != len(labels):
        raise ValueError(f"{path}: two questions share a label")
    return data["exercise"], questions


# --- the answer sheet ----------------------------------------------------------------------------

_HEADING = re.compile(r"^##\s+Question\s+(\d+)\b", re.M)
_COMMENT = re.compile(r"<!--.*?(-->|$)", re.S)


def answer_sheet(questions, answers: dict[str, str] | None = None) -> str:
    """The Markdown answer sheet of ``questions``: a heading per question with its points, its
    prompt, an answer line and the answer (``answers[label]``; empty in the student's copy)."""
    answers = answers or {}
    out = ["# Written questions", "",
           "Answer each question in your own words under its **Answer:** line, and hand this file",
           "in with your modules (keep its name and the `## Question N` headings). These questions",
           "are graded by hand: their points are not part of the automatic score.", ""]
    for q in questions:
        out += [f"## Question {q.label}: {q.topic} ({q.points:g} points)", "",
                *_wrap(q.prompt), "", ANSWER_LINE, "", ANSWER_HINT, ""]
        if answers.get(q.label, "").strip():
            out += [answers[q.label].strip(), ""]
    return "\n".join(out)


def _wrap(text: str, width: int = 96) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def read_answer_sheet(text: str, labels, limit: int | None = None) -> dict[str, str]:
    """The answer to each question ``labels`` names, read out of a handed-in sheet as text.

    A question's section runs from its ``## Question N`` heading to the next such heading; its
    answer is what follows the section's ``**Answer:**`` line (the whole section after the
    heading when a student deleted that line), HTML comments (the sheet's hint) removed, bounded
    to ``limit`` characters. A question whose heading is missing has the answer "". The first
    section of a label counts (a pasted second copy cannot replace it).
    """
    limit = ANSWER_CHARS if limit is None else limit
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    headings = list(_HEADING.finditer(text))
    sections: dict[str, str] = {}
    for i, match in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        body = text[match.end():end]
        body = body.split("\n", 1)[1] if "\n" in body else ""     # drop the heading's own line
        sections.setdefault(match.group(1), body)
    out = {}
    for label in labels:
        body = sections.get(str(label), "")
        if ANSWER_LINE in body:
            body = body.split(ANSWER_LINE, 1)[1]
        out[str(label)] = _COMMENT.sub("", body).strip()[:limit]
    return out


def submitted_answers(target, exercise_id: str) -> tuple[dict[str, str], str]:
    """(label -> answer, why there are none) of a written exercise for the code under test.

    A graded submission's sheet was read by the intake (its answers are in the grader's own file
    beside the materialised modules); an in-process package (``solutions``, ``assignments``)
    has its sheet in the package's folder, read here the same way.
    """
    from .course import load_course
    from .submission import missing_sheet, read_sheet, read_sheet_intake

    exercise = load_course().exercise(exercise_id)
    directory = getattr(target, "_directory", None)
    if directory is not None:
        intake = (read_sheet_intake(Path(directory)) or {}).get(exercise_id)
        if intake is None:       # a folder graded without the intake: read its sheet directly
            found = sorted(Path(directory).rglob(Path(exercise.file).name))
            intake = read_sheet(found[0], exercise) if found else missing_sheet(exercise)
    else:
        import importlib.util

        spec = importlib.util.find_spec(getattr(target, "name", ""))
        folder = Path(next(iter(spec.submodule_search_locations or ()), "")) if spec else None
        sheet = folder / Path(exercise.file).name if folder else None
        intake = read_sheet(sheet, exercise) if sheet and sheet.is_file() else missing_sheet(exercise)
    return dict(intake.answers), ("" if intake.status == "ok" else intake.reason)


def marking_guide(questions) -> str:
    """The instructor's marking guide as Markdown (``python -m autograder.written``)."""
    out = ["# Marking guide: written questions (instructors only; never in the student release)", ""]
    for q in questions:
        out += [f"## Question {q.label}: {q.topic} ({q.points:g} points)", "",
                f"Source: {q.source}", "", *_wrap(q.prompt), "", "A full answer:", ""]
        out += [f"- {entry}" for entry in q.guide] + [""]
    return "\n".join(out)


if __name__ == "__main__":   # python -m autograder.written: print the marking guide
    print(marking_guide(module_questions()[1]))
