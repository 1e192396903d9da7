"""The variant tests prove themselves over a class: for 30 sampled students (a test-only salt),
the reference solutions score 100% on their own variant, and each known mistake loses points on
every sampled variant with a message that names it.

A mistake is a copy of the reference module with one function redefined at its end (the later
``def`` wins), so each wrong implementation is a few lines that say exactly what is wrong.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from autograder import variants
from autograder.grading import grade

ROOT = Path(__file__).resolve().parents[2]
TESTS = [str(ROOT / "tests" / "hidden" / "test_variants.py"), str(ROOT / "tests" / "public" / "test_variant.py")]
TEST_SALT = "test-salt-for-variants-0123456789"
SAMPLE = [f"student{i:03d}@example.edu" for i in range(30)]

# misconception id -> (module, the exercise whose tests must catch it, the wrong function)
MISTAKES = {
    "gd-ascent": ("gradient_descent", "gd", """
        def gd(grad, x0, eta, num_steps):
            x = np.array(x0, dtype=np.float64)
            out = [x.copy()]
            for _ in range(num_steps):
                x = x + eta * np.asarray(grad(x), dtype=np.float64)
                out.append(x.copy())
            return np.array(out)
        """),
    "momentum-d2l-form": ("gradient_descent", "momentum", """
        def momentum_step(x, v, g, eta, beta):
            v_new = beta * np.asarray(v, dtype=np.float64) + np.asarray(g, dtype=np.float64)
            return np.asarray(x, dtype=np.float64) - eta * v_new, v_new
        """),
    "nesterov-no-lookahead": ("gradient_descent", "nesterov", """
        def nesterov_step(x, v, grad, eta, beta):
            x = np.asarray(x, dtype=np.float64)
            v_new = beta * np.asarray(v, dtype=np.float64) - eta * np.asarray(grad(x), dtype=np.float64)
            return x + v_new, v_new
        """),
    "newton-damping-ignored": ("second_order", "newton", """
        def newton_step(x, g, H, damping=0.0):
            return np.asarray(x, dtype=np.float64) - np.linalg.solve(np.asarray(H, dtype=np.float64),
                                                                     np.asarray(g, dtype=np.float64))
        """),
    "stable-lr-lambda-min": ("second_order", "stable_lr", """
        def max_stable_learning_rate(H):
            return 2.0 / float(np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))[0])
        """),
    "dropout-keep-vs-drop": ("dropout", "dropout", """
        def keep_probability(num_dropped, num_units):
            return float(num_dropped) / float(num_units)
        """),
    "symmetry-count-d-minus-1-factorial": ("symmetry", "permutation_symmetry", """
        def count_equivalent_solutions(d, odd_activation=False):
            count = math.factorial(d - 1)
            return 2 ** d * count if odd_activation else count
        """),
    "wigner-ignores-zero-eigenvalues": ("symmetry", "wigner_symmetry", """
        def exact_eigenvalue_sign_probabilities(n, values, probs):
            return (Fraction(1, 2), Fraction(1, 2), Fraction(0))
        """),
}


def submission_with(tmp: Path, mistakes: list[str]) -> Path:
    out = tmp / "-".join(mistakes) if mistakes else tmp / "reference"
    shutil.copytree(ROOT / "solutions", out, ignore=shutil.ignore_patterns("__pycache__"))
    for mistake in mistakes:
        module, _, code = MISTAKES[mistake]
        path = out / f"{module}.py"
        path.write_text(path.read_text() + "\n\nimport math\nfrom fractions import Fraction\n\n"
                        + textwrap.dedent(code), encoding="utf-8")
    return out


@pytest.fixture(autouse=True)
def test_salt(monkeypatch):
    monkeypatch.setenv(variants.SALT_ENV, TEST_SALT)
    monkeypatch.delenv(variants.SALT_FILE_ENV, raising=False)


def test_the_sample_covers_many_variants():
    seen = {ex: {str(variants.variant_for(s, TEST_SALT.encode())[ex]) for s in SAMPLE}
            for ex in variants.variant_exercises()}
    assert all(len(v) >= 3 for v in seen.values()), {ex: len(v) for ex, v in seen.items()}


def test_reference_scores_full_marks_on_every_sampled_variant(tmp_path):
    reference = submission_with(tmp_path, [])
    for student in SAMPLE:
        results = grade(reference, isolate=False, tests=TESTS, student=student)
        failed = [(t.name, t.feedback) for t in results.tests if t.status != "passed"]
        assert not results.errors and not failed, (student, failed)
        assert results.score == results.max_score > 0


def test_every_mistake_loses_points_on_every_sampled_variant_and_is_named(tmp_path):
    """All eight mistakes sit in one submission (each redefines one function of a different
    exercise, and a variant test calls only its own exercise's functions), graded for each of
    the 30 students; the next test checks that each mistake alone loses points only in its
    own exercise, so grading them together changes no verdict."""
    assert len(MISTAKES) >= 5
    submission = submission_with(tmp_path, list(MISTAKES))
    for student in SAMPLE:
        results = grade(submission, isolate=False, tests=TESTS, student=student)
        assert not results.errors
        for mistake, (_, exercise, _) in MISTAKES.items():
            mine = [t for t in results.tests if t.exercise == exercise]
            lost = [t for t in mine if t.score < t.max_score]
            assert lost, f"{mistake} kept every point of {exercise} for {student}"
            named = [t for t in lost if t.feedback and t.feedback.misconception == mistake]
            assert named, (f"{mistake} lost points for {student} but no message named it: "
                           f"{[t.feedback.render() for t in lost]}")
        # the exercises with no planted mistake keep every point
        clean = [t for t in results.tests if t.exercise not in {e for _, e, _ in MISTAKES.values()}]
        assert all(t.status == "passed" for t in clean)


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_mistake_alone_loses_points_only_in_its_exercise(tmp_path, mistake):
    exercise = MISTAKES[mistake][1]
    submission = submission_with(tmp_path, [mistake])
    for student in SAMPLE[:3]:
        results = grade(submission, isolate=False, tests=TESTS, student=student)
        lost = {t.exercise for t in results.tests if t.score < t.max_score}
        assert lost == {exercise}, (student, lost)
