"""Hidden tests of the student's own variant (autograder/variants.toml): their step sizes,
starting points, quadratic, non-convex function, damping, keep probability, d and value set.

The ``variant`` fixture (the pytest plugin) is the graded student's variant: computed from
``--student ID`` and the course salt, or the default variant when grading without them. Every
expected value is read from the sympy ground truth derived for that exact variant
(``variants.ground_truth_requests``); tests/engine/test_variants_fairness.py proves every variant
is well-conditioned and tells each known mistake apart from the right answer.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_equal, expect_unchanged
from autograder.ground_truth import cases
from autograder.problems import Problem
from autograder.variants import ground_truth_requests

from .course_functions import quadratic_grad
from .support import Failure, check, check_value, expect_float64, param_array


def _load(exercise, params, label):
    name, kwargs = ground_truth_requests(exercise, params)[label]
    return ground_truth.load(name, **kwargs), kwargs


def _show(value) -> str:
    """An exact parameter as the student's variant.json writes it: 1/10, [3, -2]."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


@pytest.mark.exercise("gd")
@pytest.mark.points(2)
def test_gd_on_your_quadratic(target, variant):
    p = variant["gd"]
    gt, kw = _load("gd", p, "trajectory")
    A, x0 = param_array(kw["A"]), param_array(p["x0"])
    saved = x0.copy()
    call = (f"gd(grad of x.A.x/2 with A={_show(kw['A'])} (your kappa = {p['kappa']}), "
            f"x0={_show(p['x0'])}, eta={p['eta']}, {p['steps']} steps)")
    traj = target.gradient_descent.gd(quadratic_grad(A), x0, float(param_array(p["eta"])), p["steps"])
    expected = gt["trajectory"]
    check(traj, gt, "trajectory", call=call, what="the trajectory")
    expect_float64(traj, call=call, what="the trajectory")
    expect_unchanged(saved, x0, call=call, name="x0")


@pytest.mark.exercise("gd")
@pytest.mark.points(1)
def test_gd_on_your_nonconvex_function(target, variant):
    p = variant["gd"]
    n = p["nonconvex"]
    gt, kw = _load("gd", p, "nonconvex")
    c, x0, eta = float(Fraction(n["c"])), float(Fraction(n["x0"])), float(Fraction(n["eta"]))
    reached = gt["reached"]
    call = (f"gd(grad of x cos({n['c']} pi x) (your c), x0={n['x0']}, eta={n['eta']}, "
            f"{kw['steps']} steps)")
    traj = target.gradient_descent.gd(Problem("cosine_grad", c=c), x0, eta, kw["steps"])
    check(traj, gt, "trajectory", call=call, what="the trajectory",
          hint=f"From {n['x0']} with eta = {n['eta']} the run settles in the local minimum at "
               f"x = {reached:.4f}; check the update x <- x - eta * grad(x).")
    expect_float64(traj, call=call, what="the trajectory")


def _run_steps(step, x0, v0, steps):
    xs, vs = [np.asarray(x0, dtype=float)], [np.asarray(v0, dtype=float)]
    for _ in range(steps):
        x, v = step(xs[-1], vs[-1])
        xs.append(np.asarray(x, dtype=float))
        vs.append(np.asarray(v, dtype=float))
    return np.array(xs), np.array(vs)


def _momentum_call(name, p):
    return (f"{p['steps']} calls of {name} on x.A.x/2 with A={_show(p['A'])}, x0={_show(p['x0'])}, "
            f"v0={_show(p['v0'])}, eta={p['eta']}, beta={p['beta']} (your variant)")


@pytest.mark.exercise("momentum")
@pytest.mark.points(1)
def test_momentum_on_your_variant(target, variant):
    p = variant["momentum"]
    gt, _ = _load("momentum", p, "trajectory")
    grad = quadratic_grad(param_array(p["A"]))
    eta, beta = float(param_array(p["eta"])), float(param_array(p["beta"]))
    step = target.gradient_descent.momentum_step
    xs, vs = _run_steps(lambda x, v: step(x, v, grad(x), eta, beta), param_array(p["x0"]),
                        param_array(p["v0"]), p["steps"])
    call = _momentum_call("momentum_step", p)
    check(xs, gt, "x", call=call, what="the iterates x_k")
    check(vs, gt, "v", call=call, what="the velocities v_k")


@pytest.mark.exercise("nesterov")
@pytest.mark.points(1)
def test_nesterov_on_your_variant(target, variant):
    p = variant["nesterov"]
    gt, _ = _load("nesterov", p, "trajectory")
    grad = quadratic_grad(param_array(p["A"]))
    eta, beta = float(param_array(p["eta"])), float(param_array(p["beta"]))
    step = target.gradient_descent.nesterov_step
    xs, vs = _run_steps(lambda x, v: step(x, v, grad, eta, beta), param_array(p["x0"]),
                        param_array(p["v0"]), p["steps"])
    call = _momentum_call("nesterov_step", p)
    check(xs, gt, "x", call=call, what="the iterates x_k")
    check(vs, gt, "v", call=call, what="the velocities v_k")


@pytest.mark.exercise("newton")
@pytest.mark.points(1)
def test_damped_newton_step_of_your_variant(target, variant):
    p = variant["newton"]
    gt, _ = _load("newton", p, "step")
    x, g, H = (param_array(p[k]) for k in ("x", "g", "H"))
    saved = [a.copy() for a in (x, g, H)]
    call = (f"newton_step(x={_show(p['x'])}, g={_show(p['g'])}, H={_show(p['H'])}, "
            f"damping={p['damping']}) (your variant)")
    got = target.second_order.newton_step(x, g, H, damping=float(param_array(p["damping"])))
    check(got, gt, "x_new", call=call, what="x_new")
    expect_float64(got, call=call, what="x_new")
    for name, before, after in zip("xgH", saved, (x, g, H)):
        expect_unchanged(before, after, call=call, name=name)


@pytest.mark.exercise("stable_lr")
@pytest.mark.points(1)
def test_max_stable_learning_rate_of_your_matrix(target, variant):
    p = variant["stable_lr"]
    gt, kw = _load("stable_lr", p, "eta_max")
    H = param_array(kw["H"])
    saved = H.copy()
    call = f"max_stable_learning_rate(H={_show(kw['H'])}) (your variant)"
    # diag(2, 4) first: its eigenvalues come out of any solver in the diagonal's order, so the
    # largest is also the last, and an answer from the smallest is told apart from one read off
    # an unsorted list (which a variant's H alone may not separate).
    diag = cases.STABLE_LR["diag"]
    diag_gt = ground_truth.load("max_stable_learning_rate", H=diag)
    got_diag = target.second_order.max_stable_learning_rate(param_array(diag))
    got = target.second_order.max_stable_learning_rate(H)
    check(got_diag, diag_gt, "eta_max", call=f"max_stable_learning_rate(H={param_array(diag).tolist()})",
          what="eta_max")
    if np.ndim(got) != 0:
        raise Failure(f"{call} should return one number, got shape {np.shape(got)}")
    check(got, gt, "eta_max", call=call, what="eta_max")
    expect_unchanged(saved, H, call=call, name="H")


@pytest.mark.exercise("dropout")
@pytest.mark.points(1)
def test_keep_probability_for_your_number_of_units(target, variant):
    p = variant["dropout"]
    gt, kw = _load("dropout", p, "keep")
    call = f"keep_probability({kw['num_dropped']}, {kw['num_units']}) (your variant)"
    got = target.dropout.keep_probability(kw["num_dropped"], kw["num_units"])
    if np.ndim(got) != 0:
        raise Failure(f"{call} should return one number, got shape {np.shape(got)}")
    check(got, gt, "p", call=call, what="p")


MASK_SEED = 20261126     # any fixed seed: the band holds for all but a 1e-9 share of seeds


@pytest.mark.exercise("dropout")
@pytest.mark.points(1)
def test_dropout_mask_keeps_your_probability(target, variant):
    # K = units kept ~ Binomial(n, keep); [lo, hi] from the exact tails (each <= 5e-10), so a
    # correct mask fails with probability <= 1e-9 over seeds.
    p = variant["dropout"]
    gt, kw = _load("dropout", p, "band")
    shape, keep = tuple(p["mask_shape"]), float(Fraction(p["keep"]))
    call = f"dropout_mask({shape}, keep_prob={p['keep']}, rng=default_rng({MASK_SEED})) (your variant)"
    mask = np.asarray(target.dropout.dropout_mask(shape, keep, np.random.default_rng(MASK_SEED)), dtype=float)
    if mask.shape != shape or np.any((mask != 0.0) & (mask != 1.0)):
        raise Failure(f"{call}: expected a mask of shape {shape} holding only 0.0 and 1.0",
                      actual=f"shape {mask.shape}")
    kept = int(np.sum(mask == 1.0))
    lo, hi = (int(v) for v in gt.exact("band"))
    if not lo <= kept <= hi:
        raise Failure(f"{call} kept {kept} of {kw['n']} units; Binomial({kw['n']}, {p['keep']}) keeps "
                      f"between {lo} and {hi} except with probability 1e-9",
                      hint="Each unit is kept when rng.random() < keep_prob.")


@pytest.mark.exercise("dropout")
@pytest.mark.points(1)
def test_inverted_dropout_forward_with_your_probability(target, variant):
    p = variant["dropout"]
    keep, seed = float(Fraction(p["keep"])), MASK_SEED + 1
    x = np.array([[1.5, -2.0, 0.25, 3.0], [4.0, 0.5, -1.0, 2.0]])
    saved = x.copy()
    call = (f"dropout_forward(x={saved.tolist()}, keep_prob={p['keep']}, rng=default_rng({seed}), "
            "training=True, inverted=True) (your variant)")
    got = target.dropout.dropout_forward(x, keep, np.random.default_rng(seed), training=True, inverted=True)
    # The documented draw: one rng.random(shape), kept where < keep_prob (exact, not a statistic).
    mask = (np.random.default_rng(seed).random(x.shape) < keep).astype(np.float64)
    check_value(got, saved * mask / keep, {"rtol": 4 * np.finfo(float).eps, "atol": 0.0}, call=call,
                what="the output")
    expect_unchanged(saved, x, call=call, name="x")


@pytest.mark.exercise("permutation_symmetry")
@pytest.mark.points(1)
@pytest.mark.parametrize("odd", [False, True], ids=["relu", "tanh"])
def test_count_equivalent_solutions_for_your_d(target, variant, odd):
    d = variant["permutation_symmetry"]["d"]
    gt, _ = _load("permutation_symmetry", variant["permutation_symmetry"], "counts")
    call = f"count_equivalent_solutions({d}, odd_activation={odd}) (your variant)"
    got = target.symmetry.count_equivalent_solutions(d, odd_activation=odd)
    if not isinstance(got, (int, np.integer)) or isinstance(got, bool):
        raise Failure(f"{call} should return an int, got {type(got).__name__}",
                      hint="math.factorial returns an exact int; avoid floats for counts.")
    expected = int(gt.exact("with_sign_flips" if odd else "permutations")[0])
    expect_equal(int(got), expected, call=call, what="the count")


@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(1)
def test_exact_sign_probabilities_of_your_value_set(target, variant):
    p = variant["wigner_symmetry"]
    gt, kw = _load("wigner_symmetry", p, "probabilities")
    values, probs = kw["values"], kw["probs"]
    call = f"exact_eigenvalue_sign_probabilities({kw['n']}, values={values}, probs={probs}) (your variant)"
    got = target.symmetry.exact_eigenvalue_sign_probabilities(
        kw["n"], [Fraction(v) for v in values], [Fraction(q) for q in probs])
    if not isinstance(got, tuple) or len(got) != 3 or not all(isinstance(q, Fraction) for q in got):
        raise Failure(f"{call} should return a tuple of three fractions.Fraction", actual=repr(got),
                      hint="Sum Fraction weights; floats cannot be compared exactly.")
    expect_equal(got, tuple(gt.exact("probabilities")), call=call,
                 what="(P(lambda > 0), P(lambda < 0), P(lambda = 0))")
