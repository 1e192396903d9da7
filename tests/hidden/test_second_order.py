"""Hidden tests for second_order: Newton, classification, stable learning rate, Hessian-vector
products, power iteration, the Taylor model. Expected values: exact rational solves, exact
eigenvalues (roots of the characteristic polynomial), sympy derivatives at 50 digits."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_equal, expect_unchanged
from autograder.ground_truth import cases
from autograder.problems import Problem

from .course_functions import grad as course_grad
from .support import Failure, check, check_value, expect_float64, param_array



@pytest.mark.exercise("newton")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.NEWTON)
def test_newton_step(target, name):
    case = cases.NEWTON[name]
    gt = ground_truth.load("newton_step", **case)
    x, g, H = (param_array(case[k]) for k in ("x", "g", "H"))
    saved = [a.copy() for a in (x, g, H)]
    damping = float(param_array(case.get("damping", "0")))
    call = f"newton_step(x={x.tolist()}, g={g.tolist()}, H={H.tolist()}, damping={damping:g})"
    got = target.second_order.newton_step(x, g, H, damping=damping) if "damping" in case \
        else target.second_order.newton_step(x, g, H)
    check(got, gt, "x_new", call=call, what="x_new")
    expect_float64(got, call=call, what="x_new")
    for name, before, after in zip("xgH", saved, (x, g, H)):
        expect_unchanged(before, after, call=call, name=name)


@pytest.mark.exercise("newton")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
def test_newton_singular_hessian_raises_linalgerror(target):
    # [[1, 1], [1, 1]] is exactly singular (determinant 0): the contract says LinAlgError,
    # which np.linalg.solve raises by itself.
    call = "newton_step(x=[1, 1], g=[2, -4], H=[[1, 1], [1, 1]], damping=0)"
    try:
        got = target.second_order.newton_step(np.ones(2), np.array([2.0, -4.0]), np.ones((2, 2)))
    except np.linalg.LinAlgError:
        return
    raise Failure(f"{call} should raise numpy.linalg.LinAlgError (H is singular), but returned a value",
                  actual=str(got),
                  hint="Use np.linalg.solve: it raises LinAlgError for a singular matrix. "
                       "np.linalg.pinv or lstsq hide the problem.")




@pytest.mark.exercise("critical_points")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.CLASSIFY)
def test_classify_critical_point(target, name):
    H, tol = cases.CLASSIFY[name]["H"], cases.CLASSIFY[name]["tol"]
    gt = ground_truth.load("classify_hessian", **cases.CLASSIFY[name])
    Hf = param_array(H)
    saved = Hf.copy()
    tol_f = float(param_array(tol))
    default = tol == cases.CLASSIFY_DEFAULT_TOL
    call = f"classify_critical_point(H={Hf.tolist()}{'' if default else f', tol={tol_f:g}'})"
    got = target.second_order.classify_critical_point(Hf) if default else \
        target.second_order.classify_critical_point(Hf, tol=tol_f)
    expect_equal(got, gt["label"], call=call, what="the classification",
                 hint=f"The exact eigenvalues are {np.round(gt['eigenvalues'], 12).tolist()}.")
    expect_unchanged(saved, Hf, call=call, name="H")


@pytest.mark.exercise("critical_points")
@pytest.mark.points(1)
def test_classify_a_saddle_with_a_zero_eigenvalue_and_a_maximum(target):
    # Both answers are asked for before either is checked, so a failure's calls hold both: on
    # the saddle alone "the determinant is 0" and "degenerate tested before saddle" give the same
    # wrong label, and only the maximum (det > 0, like a minimum's) tells those mistakes apart.
    names = ["saddle-with-zero", "max"]
    gts = [ground_truth.load("classify_hessian", **cases.CLASSIFY[name]) for name in names]
    hessians = [param_array(cases.CLASSIFY[name]["H"]) for name in names]
    got = [target.second_order.classify_critical_point(H) for H in hessians]
    for H, gt, label in zip(hessians, gts, got):
        expect_equal(label, gt["label"], call=f"classify_critical_point(H={H.tolist()})",
                     what="the classification",
                     hint=f"The exact eigenvalues are {np.round(gt['eigenvalues'], 12).tolist()}.")


# The table's two convex quadratics (x^2, x1^2+2*x2^2: one minimum each) are not graded here.
CRITICAL = [f for f in cases.CRITICAL_POINTS if f not in ("x^2", "x1^2+2*x2^2")]


@pytest.mark.exercise("critical_points")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
@pytest.mark.parametrize("function", CRITICAL)
def test_classify_the_critical_points_of_course_functions(target, credit, function):
    window = cases.CRITICAL_POINTS[function]
    # Critical points found by sympy (solve, or nsolve from many starts); the Hessian there in
    # float64 (a zero eigenvalue stays exactly 0: e.g. f_yy = -2 sin(y^2) - 4y^2 cos(y^2) at y = 0).
    gt = ground_truth.load("critical_points", function=function, window=window)
    labels = gt.exact("labels")
    for k, (point, H) in enumerate(zip(gt["points"], gt["hessians"])):
        call = f"classify_critical_point(Hessian of {function} at its critical point {np.round(point, 6).tolist()})"
        got = target.second_order.classify_critical_point(np.array(H))
        expect_equal(got, labels[k], call=call, what="the classification",
                     hint=f"Hessian eigenvalues there: {np.round(gt['eigenvalues'][k], 6).tolist()}")
        credit.award((k + 1) / len(labels))


@pytest.mark.exercise("critical_points")
@pytest.mark.points(1)
def test_classify_rejects_a_non_square_matrix(target):
    call = "classify_critical_point(H of shape (2, 3))"
    try:
        target.second_order.classify_critical_point(np.ones((2, 3)))
    except ValueError:
        return
    raise Failure(f"{call} should raise ValueError", hint="Check H.ndim == 2 and H.shape[0] == H.shape[1].")




@pytest.mark.exercise("stable_lr")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.STABLE_LR)
def test_max_stable_learning_rate(target, name):
    H = cases.STABLE_LR[name]
    gt = ground_truth.load("max_stable_learning_rate", H=H)
    Hf = param_array(H)
    saved = Hf.copy()
    call = f"max_stable_learning_rate(H={Hf.tolist()})"
    got = target.second_order.max_stable_learning_rate(Hf)
    if np.ndim(got) != 0:
        raise Failure(f"{call} should return one number, got shape {np.shape(got)}")
    check(got, gt, "eta_max", call=call, what="eta_max")
    expect_unchanged(saved, Hf, call=call, name="H")


@pytest.mark.exercise("stable_lr")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.NOT_DEFINITE)
def test_max_stable_learning_rate_rejects_non_definite(target, name):
    H = cases.NOT_DEFINITE[name]
    gt = ground_truth.load("max_stable_learning_rate", H=H)
    assert gt["positive_definite"] == "false"
    Hf = param_array(H)
    call = f"max_stable_learning_rate(H={Hf.tolist()})"
    try:
        got = target.second_order.max_stable_learning_rate(Hf)
    except ValueError:
        return
    raise Failure(f"{call} should raise ValueError: H is not positive definite", actual=str(got),
                  hint="Check the smallest eigenvalue: if it is <= 0 no learning rate makes gd converge.")


@pytest.mark.exercise("stable_lr")
@pytest.mark.points(1)
def test_max_stable_learning_rate_rejects_a_non_square_matrix(target):
    try:
        target.second_order.max_stable_learning_rate(np.ones((2, 3)))
    except ValueError:
        return
    raise Failure("max_stable_learning_rate(H of shape (2, 3)) should raise ValueError")




@pytest.mark.exercise("hvp")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", [k for k in cases.HVP if k != "scalar"])
def test_hessian_vector_product(target, name):
    function, point, v, h = (cases.HVP[name][k] for k in ("function", "point", "v", "h"))
    gt = ground_truth.load("hessian_vector_product", **cases.HVP[name])
    x, vv = param_array(point), param_array(v)
    saved = (x.copy(), vv.copy())
    h_f = float(param_array(h))
    default = h == cases.HVP_DEFAULT_H
    call = f"hessian_vector_product(grad of {function}, x={x.tolist()}, v={vv.tolist()}{'' if default else f', h={h_f:g}'})"
    fn = target.second_order.hessian_vector_product
    got = fn(course_grad(function), x, vv) if default else fn(course_grad(function), x, vv, h=h_f)
    check(got, gt, "hv", call=call, what="H v")
    expect_float64(got, call=call, what="H v")
    expect_unchanged(saved[0], x, call=call, name="x")
    expect_unchanged(saved[1], vv, call=call, name="v")


@pytest.mark.exercise("hvp")
@pytest.mark.points(1)
def test_hessian_vector_product_scalar(target):
    # f = x cos(pi x) at x = 3/10 in one dimension: x and v are arrays of shape (1,)
    kw = cases.HVP["scalar"]
    assert kw["h"] == cases.HVP_DEFAULT_H          # the call below leaves h at its default
    gt = ground_truth.load("hessian_vector_product", **kw)
    x, v = np.atleast_1d(param_array(kw["point"])), np.atleast_1d(param_array(kw["v"]))
    got = target.second_order.hessian_vector_product(course_grad(kw["function"]), x, v)
    check(got, gt, "hv", call=f"hessian_vector_product(grad of {kw['function']}, x={x.tolist()}, v={v.tolist()})",
          what="H v")




def _replay_rayleigh(A: list[list[Fraction]], start: np.ndarray, num_iters: int) -> Fraction:
    """The contract's procedure in exact arithmetic: normalising only rescales, so the k-th
    iterate points along A^k v0 and the Rayleigh quotient is u.Au / u.u with u = A^k v0."""
    u = [Fraction(float(c)) for c in start]           # a float64 draw is an exact rational
    n = len(u)
    for _ in range(num_iters):
        u = [sum(A[i][j] * u[j] for j in range(n)) for i in range(n)]
    Au = [sum(A[i][j] * u[j] for j in range(n)) for i in range(n)]
    return sum(a * b for a, b in zip(u, Au)) / sum(a * a for a in u)


@pytest.mark.exercise("power_iteration")
@pytest.mark.points(2)
@pytest.mark.parametrize("name", cases.POWER)
def test_power_iteration(target, credit, name):
    A, num_iters, seed = cases.POWER[name]
    gt = ground_truth.load("dominant_eigenpair", A=A)
    Af = param_array(A)
    Aq = [[Fraction(a) for a in row] for row in A]
    dim = Af.shape[0]
    start = np.random.default_rng(seed).standard_normal(dim)
    call = f"power_iteration(v -> A v with A={Af.tolist()}, dim={dim}, num_iters={num_iters}, rng=default_rng({seed}))"
    value, vec = target.second_order.power_iteration(Problem("matvec", A=Af), dim, num_iters, np.random.default_rng(seed))
    if np.ndim(value) != 0:
        raise Failure(f"{call}: the eigenvalue should be one number, got shape {np.shape(value)}")
    lam1 = gt["eigenvalues"][0]
    # (1) the exact replay of the documented procedure from the same start. Rounding: each
    # product and normalisation perturbs the direction by ~(dim + 2) ulps and power iteration
    # contracts such perturbations, so the Rayleigh quotient is within ~8 (k+1) dim u |lambda_1|.
    exact_rq = float(_replay_rayleigh(Aq, start, num_iters))
    u = np.finfo(float).eps
    check_value(value, exact_rq, {"rtol": 0.0, "atol": 8 * (num_iters + 1) * dim * u * abs(lam1)},
                call=call, what="the eigenvalue (Rayleigh quotient after num_iters products)",
                hint="Start from rng.standard_normal(dim) normalised, do num_iters products, and return "
                     "v . matvec(v) for the final unit v.")
    credit.award(0.5, "eigenvalue")
    # (2) the vector: unit norm, and the dominant eigenvector up to sign, within the convergence
    # bound from this start: tan(angle_k) <= tan(angle_0) * (|lambda_2|/|lambda_1|)^k.
    vec = np.asarray(vec, dtype=float)
    check_value(np.linalg.norm(vec), 1.0, {"rtol": 1e-12, "atol": 0.0}, call=call,
                what="the norm of the returned vector")
    u1 = gt["eigenvectors"][0]
    cos0 = abs(start @ u1) / np.linalg.norm(start)
    tan0 = np.sqrt(max(1 - cos0**2, 0.0)) / cos0
    bound = tan0 * gt["ratio"] ** num_iters + 16 * (num_iters + 1) * dim * u
    aligned = vec if vec @ u1 >= 0 else -vec
    check_value(aligned, u1, {"rtol": 0.0, "atol": float(bound) + 1e-15}, call=call,
                what="the eigenvector (compared up to sign)",
                hint="Return the last normalised iterate v, shape (dim,).")


@pytest.mark.exercise("power_iteration")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
def test_power_iteration_edge_cases(target, credit):
    pi = target.second_order.power_iteration
    start = np.random.default_rng(4).standard_normal(3)
    # num_iters = 0: the normalised start, and its Rayleigh quotient
    A = np.diag([1.0, 2.0, 3.0])
    value, vec = pi(Problem("matvec", A=A), 3, 0, np.random.default_rng(4))
    unit = start / np.linalg.norm(start)
    check_value(vec, unit, {"rtol": 1e-14, "atol": 1e-15}, call="power_iteration(diag(1,2,3), num_iters=0, rng seed 4)",
                what="the vector", hint="With num_iters = 0 return the normalised start rng.standard_normal(dim) / norm.")
    rq = float(sum(Fraction(float(a)) ** 2 * d for a, d in zip(start, (1, 2, 3))) / sum(Fraction(float(a)) ** 2 for a in start))
    check_value(value, rq, {"rtol": 1e-14, "atol": 0.0}, call="power_iteration(diag(1,2,3), num_iters=0, rng seed 4)",
                what="the eigenvalue")
    credit.award(0.5)
    # a matvec that returns zeros (A = 0): stop and return (0.0, v)
    value, vec = pi(lambda v: np.zeros(3), 3, 5, np.random.default_rng(4))
    check_value(value, 0.0, {"rtol": 0.0, "atol": 0.0}, call="power_iteration(A = 0, num_iters=5, rng seed 4)",
                what="the eigenvalue", hint="If matvec(v) is exactly zero, v is an eigenvector for 0: return (0.0, v).")
    check_value(vec, unit, {"rtol": 1e-14, "atol": 1e-15}, call="power_iteration(A = 0, num_iters=5, rng seed 4)",
                what="the vector")




@pytest.mark.exercise("taylor")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.TAYLOR_MODELS)
def test_taylor_model_of_course_functions(target, name):
    function, point, delta = (cases.TAYLOR_MODELS[name][k] for k in ("function", "point", "delta"))
    gt = ground_truth.load("taylor_model", **cases.TAYLOR_MODELS[name])
    g, H, d = gt["g"], gt["H"], np.atleast_1d(param_array(delta))
    call = f"taylor_second_order(f({np.atleast_1d(param_array(point)).tolist()}) of {function}, g, H, delta={d.tolist()})"
    got = target.second_order.taylor_second_order(gt["f_x"], g, H, d)
    if np.ndim(got) != 0:
        raise Failure(f"{call} should return one number, got shape {np.shape(got)}")
    check(got, gt, "model", call=call, what="the model value")




@pytest.mark.exercise("taylor")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.TAYLOR_EXACT)
def test_taylor_model_exact(target, name):
    case = cases.TAYLOR_EXACT[name]
    gt = ground_truth.load("taylor_exact", **case)
    f_x = float(param_array(case["f_x"]))
    g, H, d = (param_array(case[k]) for k in ("g", "H", "delta"))
    saved = [a.copy() for a in (g, H, d)]
    call = f"taylor_second_order(f_x={f_x:g}, g={g.tolist()}, H={H.tolist()}, delta={d.tolist()})"
    got = target.second_order.taylor_second_order(f_x, g, H, d)
    check(got, gt, "model", call=call, what="the model value")
    for name, before, after in zip(("g", "H", "delta"), saved, (g, H, d)):
        expect_unchanged(before, after, call=call, name=name)
