"""The diagnosis names a known mistake by replaying a failed test's calls on the catalogue."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from autograder.course import load_course
from autograder.diagnosis import CatalogueEntry, diagnose, load_catalogue, same_result
from autograder.targets import CallRecord, Target

ROOT = Path(__file__).resolve().parents[2]


def record(function, args, result, module="gradient_descent", **kwargs):
    return CallRecord(module, function, tuple(args), kwargs, result)


def entry(mid, **functions):
    return CatalogueEntry(mid, "gradient_descent", functions)


def eps_outside(x, s, g, eta, eps=1e-6):
    s_new = s + g * g
    return x - eta * g / (np.sqrt(s_new) + eps), s_new


def always_raises(*args, **kwargs):
    raise ZeroDivisionError("a broken catalogue function")


def test_same_result_compares_structure_and_numbers():
    assert same_result((np.array([1.0, 2.0]), 3.0), [[1.0, 2.0 + 1e-12], np.float64(3.0)])
    assert not same_result((np.array([1.0]), 3.0), (np.array([1.0]),))
    assert not same_result(np.zeros(3), np.zeros((3, 1)))
    assert same_result(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]))
    assert same_result(Fraction(1, 3), Fraction(1, 3)) and not same_result(Fraction(1, 3), 1 / 3)
    assert same_result("saddle", "saddle") and not same_result("saddle", "minimum")
    assert not same_result(None, 0.0) and not same_result(1.0, 1.0 + 1e-3)


def test_the_mistake_that_returns_what_the_submission_returned_is_named():
    x, s, g = np.array([1.0]), np.array([0.0]), np.array([2.0])
    submitted = eps_outside(x, s, g, 0.1, eps=1e-2)
    calls = [record("adagrad_step", (x, s, g, 0.1), submitted, eps=1e-2)]
    catalogue = [entry("adagrad-no-sqrt", adagrad_step=lambda x, s, g, eta, eps=1e-6: (x, s)),
                 entry("adagrad-eps-outside-root", adagrad_step=eps_outside)]
    found = diagnose(calls, catalogue, exercise="adagrad")
    assert found is not None and found.misconception == "adagrad-eps-outside-root"
    assert found.message == load_course().misconceptions["adagrad-eps-outside-root"].message


def test_a_catalogue_function_that_raises_is_skipped():
    x, s, g = np.array([1.0]), np.array([0.0]), np.array([2.0])
    calls = [record("adagrad_step", (x, s, g, 0.1), eps_outside(x, s, g, 0.1, eps=1e-2), eps=1e-2)]
    catalogue = [entry("adagrad-no-sqrt", adagrad_step=always_raises),
                 entry("adagrad-eps-outside-root", adagrad_step=eps_outside)]
    assert diagnose(calls, catalogue).misconception == "adagrad-eps-outside-root"


def test_every_replayed_call_must_agree():
    x, s, g = np.array([1.0]), np.array([0.0]), np.array([2.0])
    calls = [record("adagrad_step", (x, s, g, 0.1), eps_outside(x, s, g, 0.1, eps=1e-2), eps=1e-2),
             record("adagrad_step", (x, s, g, 0.1), (x, s), eps=1e-2)]
    assert diagnose(calls, [entry("adagrad-eps-outside-root", adagrad_step=eps_outside)]) is None


def test_a_mistake_that_agrees_with_the_reference_explains_nothing():
    # With eps = 0 the mistake and the reference agree: a failure on such a call (say, an input
    # modified in place) must not be blamed on the mistake.
    x, s, g = np.array([1.0]), np.array([0.0]), np.array([2.0])
    calls = [record("adagrad_step", (x, s, g, 0.1), eps_outside(x, s, g, 0.1, eps=0.0), eps=0.0)]
    assert diagnose(calls, [entry("adagrad-eps-outside-root", adagrad_step=eps_outside)]) is None


def test_replay_uses_the_generator_state_from_before_the_call():
    # A submission that draws the noise once for all steps, called through a real Target: the
    # call log keeps a copy of the generator as it was before the submission consumed it.
    def sgd(grad, x0, eta, num_steps, rng, noise_std=1.0, lr_schedule=None):
        noise = rng.normal(0.0, noise_std, size=np.shape(x0))
        rng.normal(size=10)
        return np.array([x0 - eta * k * noise for k in range(num_steps + 1)])

    submission = types.SimpleNamespace(sgd=sgd)
    target = Target("fake", lambda module: submission, "a fake submission")
    target.gradient_descent.sgd(lambda x: 0 * x, 1.0, 0.1, 3, np.random.default_rng(7), noise_std=1.0)
    catalogue = load_catalogue(ROOT / "tests" / "misconceptions")
    found = diagnose(target.calls, catalogue, exercise="sgd")
    assert found is not None and found.misconception == "sgd-noise-once"


def test_the_call_log_keeps_arguments_as_they_were_before_the_call():
    # A submission that updates its inputs in place (arrays in the arguments, in a tuple, in a
    # keyword's dict): the replay must see what the test passed, not what the call left behind.
    def adagrad_step(x, s, g, eta, eps=1e-8, extra=None):
        x += 1.0
        s[0] = 99.0
        extra["v"][:] = -1.0
        return x, s

    submission = types.SimpleNamespace(adagrad_step=adagrad_step)
    target = Target("fake", lambda module: submission, "a fake submission")
    x, s, v = np.array([1.0]), np.array([0.0, 0.5]), np.array([2.0, 3.0])
    target.gradient_descent.adagrad_step(x, s, np.array([2.0]), 0.1, extra={"v": v})
    (call,) = target.calls
    assert call.args[0].tolist() == [1.0] and call.args[1].tolist() == [0.0, 0.5]
    assert call.kwargs["extra"]["v"].tolist() == [2.0, 3.0]
    assert x.tolist() == [2.0] and v.tolist() == [-1.0, -1.0]   # the call did change them


def test_raised_calls_and_unknown_functions_give_no_diagnosis():
    raised = CallRecord("gradient_descent", "adagrad_step", (), {}, None, raised=True)
    other = record("no_such_function", (1.0,), 2.0)
    catalogue = load_catalogue(ROOT / "tests" / "misconceptions")
    assert diagnose([raised, other], catalogue) is None
    assert diagnose([], catalogue) is None


def test_catalogue_modules_are_loaded_once(tmp_path):
    (tmp_path / "gd_ascent.py").write_text(textwrap.dedent("""
        MISCONCEPTION = "gd-ascent"
        MODULE = "gradient_descent"
        def gd(grad, x0, eta, num_steps):
            return x0
        def _helper():
            pass
    """))
    (tmp_path / "_not_an_entry.py").write_text("raise RuntimeError('never imported')\n")
    first = load_catalogue(tmp_path)
    assert [e.misconception for e in first] == ["gd-ascent"] and list(first[0].functions) == ["gd"]
    assert load_catalogue(tmp_path) is first
    assert load_catalogue(tmp_path / "absent") == ()


def test_a_catalogue_module_without_its_declarations_is_a_course_bug(tmp_path):
    (tmp_path / "broken.py").write_text("def gd(grad, x0, eta, num_steps):\n    return x0\n")
    with pytest.raises(ValueError, match="MISCONCEPTION"):
        load_catalogue(tmp_path)


SUBMISSION = '''
import numpy as np

def adagrad_step(x, s, g, eta, eps=1e-6):
    g = np.asarray(g, dtype=float)
    s_new = np.asarray(s, dtype=float) + g * g
    return np.asarray(x, dtype=float) - eta * g / (s_new + eps), s_new   # no square root
'''

GRADED_TEST = '''
import numpy as np
import pytest
from autograder.checks import expect_close

@pytest.mark.exercise("adagrad")
def test_adagrad(target):
    x, s = target.gradient_descent.adagrad_step(np.array([1.0]), np.array([0.0]), np.array([2.0]), 0.1, eps=0.0)
    expect_close(x, [0.9], call="adagrad_step(x=1, s=0, g=2, eta=0.1, eps=0)", what="x_new")
'''


def _grade(tmp_path: Path, *extra: str, sandbox: bool = False) -> dict:
    sub = tmp_path / "submission"
    sub.mkdir(exist_ok=True)
    (sub / "gradient_descent.py").write_text(SUBMISSION)
    tests = tmp_path / "graded"
    tests.mkdir(exist_ok=True)
    (tests / "test_one.py").write_text(GRADED_TEST)
    out = tmp_path / "results.json"
    spec = f"sandbox:{sub}" if sandbox else str(sub)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}",
         "-c", str(ROOT / "pyproject.toml"), "-p", "autograder.pytest_plugin",
         f"--target={spec}", f"--results-json={out}",
         *extra, str(tests)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.exists(), proc.stdout + proc.stderr
    return {"results": json.loads(out.read_text()), "output": proc.stdout}


def test_the_plugin_names_the_mistake_in_the_feedback(tmp_path):
    graded = _grade(tmp_path)
    (test,) = graded["results"]["tests"]
    assert test["status"] == "failed" and test["score"] == 0
    assert test["feedback"]["misconception"] == "adagrad-no-sqrt"
    assert "square root" in test["feedback"]["hint"]
    assert "known mistake: adagrad-no-sqrt" in graded["output"]


def test_no_catalogue_means_no_diagnosis(tmp_path):
    graded = _grade(tmp_path, "-o", f"autograder_misconceptions={tmp_path / 'nowhere'}")
    (test,) = graded["results"]["tests"]
    assert test["status"] == "failed" and "misconception" not in test["feedback"]


def test_a_call_that_overflowed_is_explained_by_a_mistake_that_overflows():
    # The public test turns numpy's overflow into a Failure; the submission's call raised.
    overflowed = CallRecord("activations", "sigmoid", (np.array([-1000.0, 0.0, 1000.0]),), {}, raised=True)
    catalogue = load_catalogue(ROOT / "tests" / "misconceptions")
    found = diagnose([overflowed], catalogue, exercise="activations")
    assert found is not None and found.misconception == "sigmoid-overflow"
    # The reference does not overflow on small inputs either, and no mistake is blamed for a
    # call that raised for a reason the catalogue cannot reproduce.
    assert diagnose([CallRecord("activations", "sigmoid", ("not a number",), {}, raised=True)],
                    catalogue) is None


def test_diagnosis_works_for_a_sandboxed_submission(tmp_path):
    # The sandboxed target records the same calls (arguments kept here, results sent back from
    # the worker), so the trusted catalogue is replayed in the grading process just the same.
    pytest.importorskip("autograder.sandbox")
    graded = _grade(tmp_path, sandbox=True)
    (test,) = graded["results"]["tests"]
    assert graded["results"]["isolation"] != "none"
    assert test["status"] == "failed" and test["feedback"]["misconception"] == "adagrad-no-sqrt"


def test_a_call_the_reference_rejects_is_no_evidence_of_a_formula_mistake():
    # issue 19: a correct batchnorm_forward that accepted a 1-D x was told
    # "batchnorm-shift-before-scale", because that mistake also accepts it. The reference raises
    # ValueError there, so the call says nothing about the order of scale and shift.
    def shift_before_scale(x, gamma, beta, eps=1e-5):
        x = np.asarray(x, dtype=float)
        return gamma * ((x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta)

    x, gamma, beta = np.array([1.0, 2.0, 4.0]), np.array([1.0]), np.array([0.0])
    forgot_the_check = shift_before_scale(x, gamma, beta)    # beta = 0: the orders agree
    call = CallRecord("normalization", "batchnorm_forward", (x, gamma, beta), {}, forgot_the_check)
    catalogue = [CatalogueEntry("batchnorm-shift-before-scale", "normalization",
                                {"batchnorm_forward": shift_before_scale})]
    assert diagnose([call], catalogue, exercise="batchnorm") is None


def test_a_missing_check_is_named_on_the_input_the_reference_rejects():
    catalogue = load_catalogue(ROOT / "tests" / "misconceptions")
    H = np.array([[1.0, 0.0], [0.0, -2.0]])     # not positive definite: the reference raises
    call = CallRecord("second_order", "max_stable_learning_rate", (H,), {}, 2.0)
    found = diagnose([call], catalogue, exercise="stable_lr")
    assert found is not None and found.misconception == "stable-lr-no-check"


def test_two_mistakes_the_inputs_cannot_tell_apart_are_not_guessed_between():
    # With s + g^2 = 1 the root does nothing: "no sqrt" and "eps outside the root" give the
    # same x_new, so the test cannot say which one the student made.
    def no_sqrt(x, s, g, eta, eps=1e-6):
        s_new = s + g * g
        return x - eta * g / (s_new + eps), s_new

    x, s, g = np.array([1.0]), np.array([0.0]), np.array([1.0])
    calls = [record("adagrad_step", (x, s, g, 0.1), eps_outside(x, s, g, 0.1, eps=1e-2), eps=1e-2)]
    both = [entry("adagrad-no-sqrt", adagrad_step=no_sqrt),
            entry("adagrad-eps-outside-root", adagrad_step=eps_outside)]
    assert diagnose(calls, both, exercise="adagrad") is None
    assert diagnose(calls, both[1:], exercise="adagrad").misconception == "adagrad-eps-outside-root"
