"""The ground-truth cache is right: fresh, complete, matching a fresh sympy derivation, read
without sympy, and strong enough to tell the known mistakes from the right answer.

Re-deriving all cases at both precisions (100 and 50 digits) takes ~50 s of CPU, over the 30 s
budget, so this test re-derives a deterministic sample (one case of every derivation plus cases
spread over the catalogue); the full comparison is

    python -m autograder.ground_truth --check

Staleness of *every* entry is still checked here, cheaply, through its content key.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import ground_truth
from autograder.ground_truth import MissingGroundTruth, entry_id
from autograder.ground_truth.__main__ import check, sample_cases
from autograder.ground_truth.registry import cases, content_key, read_cache

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from hidden.course_functions import FUNCTIONS  # noqa: E402


def test_every_case_is_cached_with_a_fresh_key_and_nothing_else():
    cached = read_cache()
    wanted = {entry_id(name, params): (name, params) for name, params in cases()}
    missing = sorted(set(wanted) - set(cached))
    orphans = sorted(set(cached) - set(wanted))
    stale = sorted(eid for eid, (name, params) in wanted.items()
                   if eid in cached and cached[eid]["key"] != content_key(name, params))
    assert not missing and not orphans and not stale, (
        f"run `python -m autograder.ground_truth --rebuild`: missing {missing[:3]}, "
        f"orphans {orphans[:3]}, stale {stale[:3]}")


def test_a_sample_of_the_cache_matches_a_fresh_derivation():
    problems = check(sample_cases(40))
    assert not problems, problems


def test_the_cache_file_is_deterministic_json():
    text = ground_truth.CACHE.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=1, sort_keys=True) + "\n"


def test_loading_never_imports_sympy():
    code = ("import sys, autograder.ground_truth as g; "
            "gt = g.load('gd_quadratic', A=[['2']], x0='-3', eta='3/10', steps=12); gt['trajectory']; "
            "import tests.hidden.support; "
            "print(sorted(m for m in ('sympy', 'mpmath') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_missing_entry_fails_clearly():
    with pytest.raises(MissingGroundTruth, match="--rebuild"):
        ground_truth.load("gd_quadratic", A=[["2"]], x0="-3", eta="3/10", steps=13)
    with pytest.raises(TypeError, match="exact"):
        ground_truth.load("gd_quadratic", A=[["2"]], x0=-3.0, eta="3/10", steps=12)
    gt = ground_truth.load("gd_quadratic", A=[["2"]], x0="-3", eta="3/10", steps=12)
    with pytest.raises(MissingGroundTruth, match="no field"):
        gt["nope"]


def test_values_decode_exactly():
    gt = ground_truth.load("gd_quadratic", A=[["2"]], x0="-3", eta="3/10", steps=12)
    exact = gt.exact("trajectory")
    assert [str(v) for v in exact[:3]] == ["-3", "-6/5", "-12/25"]     # (1 - 2 * 3/10)^k * -3
    assert gt["trajectory"].dtype == np.float64 and gt["trajectory"][2] == -0.48
    labels = ground_truth.load("critical_points", function="x^3", window=["-5", "5"])
    assert labels["labels"] == ["degenerate"] and labels["method"] == "solve"


def test_every_tolerance_states_why():
    for eid, record in read_cache().items():
        for field, tol in record["tolerance"].items():
            if float(tol["rtol"]) or float(tol["atol"]):
                assert tol["why"], f"{eid}: field {field} has a tolerance without a reason"


def test_gd_iterates_were_checked_against_the_closed_form():
    for eid, record in read_cache().items():
        if record["name"] == "gd_quadratic":
            assert record["values"]["closed_form_checked"] == "true", eid


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_the_float64_course_functions_of_the_hidden_tests_match_sympy(name):
    f, grad = FUNCTIONS[name]
    record = next(r for r in read_cache().values()
                  if r["name"] == "function_derivatives" and r["params"]["function"] == name)
    gt = ground_truth.load("function_derivatives", **record["params"])
    for k, p in enumerate(record["params"]["points"]):
        point = ground_truth.param_array(p)
        np.testing.assert_allclose(f(point), gt["f"][k], rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(np.asarray(grad(point), dtype=float).ravel(),
                                   np.ravel(gt["grad"][k]), rtol=1e-13, atol=1e-12)


def test_the_positive_definite_probability_constant_is_the_derived_one():
    from autograder.ground_truth.cases import PD2
    assert ground_truth.load("positive_definite_probability", n=2).text("p") == PD2


def test_the_tolerances_separate_known_mistakes_from_the_answer():
    """A tolerance wider than the gap to a known wrong answer would let that mistake pass."""
    pairs = {"gd_quadratic": ("trajectory", ["ascent"]),
             "hessian_vector_product": ("hv", ["forward_difference", "missing_half"]),
             "momentum_quadratic": ("x", ["d2l_x"]), "nesterov_quadratic": ("x", ["no_lookahead_x"]),
             "newton_step": ("x_new", ["ascent"]), "taylor_exact": ("model", ["no_half"]),
             "adaptive_step": ("x", ["wrong_no_bias_correction", "wrong_eps_inside", "wrong_eps_outside",
                                     "wrong_no_one_minus_gamma"])}
    checked = 0
    for record in read_cache().values():
        if record["name"] not in pairs:
            continue
        gt = ground_truth.load(record["name"], **record["params"])
        field, wrongs = pairs[record["name"]]
        tol = gt.tol(field)
        for wrong in wrongs:
            if wrong not in gt.fields:
                continue
            a, b = np.asarray(gt[field]), np.asarray(gt[wrong])
            if np.array_equal(a, b):
                continue     # the mistake makes no difference here (e.g. eta = 0, v = 0, g = 0)
            gap = np.max(np.abs(a - b))
            assert gap > tol["atol"] + tol["rtol"] * np.max(np.abs(a)), (record["name"], record["params"], wrong)
            checked += 1
    assert checked > 20


def _check_planted(monkeypatch, func, params):
    """Run ``--check``'s comparison on one planted derivation whose cache entry is its own
    100-digit result (so only the second precision can object)."""
    from autograder.ground_truth import __main__ as cli
    from autograder.ground_truth.registry import DERIVATIONS, _all, derive
    _all()
    monkeypatch.setitem(DERIVATIONS, func.__name__, func)
    monkeypatch.setattr("autograder.ground_truth.registry.content_key", lambda *a: "planted")
    record = derive(func.__name__, params)
    monkeypatch.setattr(cli, "read_cache", lambda: {entry_id(func.__name__, params): record})
    return check([(func.__name__, params)])


def test_check_catches_a_planted_cancellation(monkeypatch):
    """1 - tanh(z)^2 computed in mpmath at z = 40 keeps ~15 right digits at 50-digit precision
    and ~65 at 100: within a float64 tolerance of 8 eps, yet wrong in its 16th digit."""
    import mpmath

    from autograder.ground_truth.derive import Derived

    def planted_tanh_grad(point):
        t = mpmath.tanh(mpmath.mpf(point))
        return {"value": Derived(1 - t**2, rtol=8 * 2.0**-52, why="planted")}

    def planted_sympy_tanh_grad(point):
        import sympy as sp
        return {"value": Derived(1 - sp.tanh(sp.Integer(point))**2, rtol=8 * 2.0**-52, why="planted")}

    def sound_tanh_grad(point):
        return {"value": Derived(mpmath.sech(mpmath.mpf(point)) ** 2, rtol=8 * 2.0**-52, why="sound")}

    problems = _check_planted(monkeypatch, planted_tanh_grad, {"point": 40})
    assert len(problems) == 1 and "precision (50 vs 100 digits)" in problems[0], problems
    assert "value[]" in problems[0] and "first 25 digits" in problems[0]
    problems = _check_planted(monkeypatch, planted_sympy_tanh_grad, {"point": 710})
    assert len(problems) == 1 and "precision" in problems[0], problems
    assert _check_planted(monkeypatch, sound_tanh_grad, {"point": 710}) == []


def test_check_catches_a_difference_beyond_the_tolerance(monkeypatch):
    """A value whose two precisions differ by more than its float64 tolerance is reported as such."""
    import mpmath

    from autograder.ground_truth.derive import Derived

    def planted_precision_dependent(point):
        return {"value": Derived(mpmath.mpf(point) + mpmath.eps * 2**150, rtol=0.0, why="planted")}

    problems = _check_planted(monkeypatch, planted_precision_dependent, {"point": 1})
    assert len(problems) == 1 and "beyond the stored tolerance" in problems[0], problems


def test_tanh_grad_is_right_where_one_minus_tanh_squared_cancels():
    """sech(z)^2 = 4 e^{-2|z|} / (1 + e^{-2|z|})^2, evaluated independently of the derivation."""
    import mpmath

    record = next(r for r in read_cache().values() if r["name"] == "activation_values")
    gt = ground_truth.load("activation_values", **record["params"])
    as_mpf = lambda f: mpmath.mpf(f.numerator) / f.denominator  # noqa: E731
    checked = 0
    with mpmath.workdps(40):
        for point, stored in zip(record["params"]["points"], gt.exact("tanh_grad")):
            q = mpmath.exp(-2 * abs(as_mpf(ground_truth.decode_leaf(point, exact=True))))
            true = 4 * q / (1 + q) ** 2
            assert abs(as_mpf(stored) - true) <= true * mpmath.mpf("1e-30"), point
            checked += abs(as_mpf(ground_truth.decode_leaf(point, exact=True))) >= 710
    assert checked == 4      # z = -1000, -745, 710, 1000: 8e-617 at 710, not 8.85e-221


def test_decoded_values_are_kept_but_never_shared(monkeypatch):
    # Decoded once per session: what a test gets is its own copy, so changing it (an in-place
    # update of an expected array) cannot change what the next test or submission is graded on.
    gt = ground_truth.load("gd_quadratic", A=[["2"]], x0="-3", eta="3/10", steps=12)
    first, exact = gt["trajectory"], gt.exact("trajectory")
    first[2], exact[2] = 99.0, 99
    assert gt["trajectory"][2] == -0.48 and str(gt.exact("trajectory")[2]) == "-12/25"
    params = ground_truth.param_array([["1/3", "2"], ["-12/25", "0"]])
    params[0, 0] = 99.0
    again = ground_truth.param_array([["1/3", "2"], ["-12/25", "0"]])
    assert again.tolist() == [[1 / 3, 2.0], [-0.48, 0.0]]


def test_a_rebuilt_cache_file_is_read_again(tmp_path, monkeypatch):
    data = json.loads(ground_truth.CACHE.read_text(encoding="utf-8"))
    key = entry_id("gd_quadratic", {"A": [["2"]], "x0": "-3", "eta": "3/10", "steps": 12})
    copy = tmp_path / "cache.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(ground_truth, "CACHE", copy)
    gt = ground_truth.load("gd_quadratic", A=[["2"]], x0="-3", eta="3/10", steps=12)
    assert gt["trajectory"][0] == -3.0
    data["entries"][key]["values"]["trajectory"][0] = "-7/2"
    copy.write_text(json.dumps(data, indent=1), encoding="utf-8")   # another size and time
    gt = ground_truth.load("gd_quadratic", A=[["2"]], x0="-3", eta="3/10", steps=12)
    assert gt["trajectory"][0] == -3.5 and str(gt.exact("trajectory")[0]) == "-7/2"
    copy.unlink()
    with pytest.raises(MissingGroundTruth, match="does not exist"):
        ground_truth.load("gd_quadratic", A=[["2"]], x0="-3", eta="3/10", steps=12)
