"""Hidden tests for gradient_descent: gd, schedules, sgd, momentum, Nesterov, AdaGrad, RMSProp,
Adam, clipping. Every expected value is read from the sympy ground truth (exact rationals on
quadratics, 70-digit recursions elsewhere) with the tolerance derived next to it, and every
ground-truth parameter from the named tables of autograder/ground_truth/cases.py, typed there once."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged
from autograder.ground_truth import cases
from autograder.problems import Problem

from .course_functions import grad as course_grad
from .course_functions import quadratic_grad
from .support import Failure, check, check_value, expect_float64, param_array, quadratic_objective

# What each quadratic of cases.GD_QUADRATICS is, for the messages.
GD_QUADRATIC_NAMES = {"scalar": "f(x) = x^2 from a scalar x0", "x1^2+2x2^2": "f = x1^2 + 2 x2^2",
                      "ill-conditioned": "f = 0.1 x1^2 + 2 x2^2 (ill-conditioned)",
                      "saddle": "the saddle f = x^2 - y^2", "coupled-3d": "a coupled 3-d quadratic"}


def _call_gd(target, A, x0, eta, steps, label):
    x0_arr = param_array(x0)
    before = np.copy(x0_arr)
    call = f"gd(grad of {label}, x0={x0_arr.tolist() if np.ndim(x0_arr) else x0_arr}, eta={eta}, {steps} steps)"
    traj = target.gradient_descent.gd(quadratic_grad(param_array(A)), x0_arr, float(param_array(eta)), steps)
    return traj, call, before, x0_arr


@pytest.mark.exercise("gd")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.GD_QUADRATICS)
def test_gd_on_quadratics(target, name):
    kw = cases.GD_QUADRATICS[name]
    A = kw["A"]
    gt = ground_truth.load("gd_quadratic", **kw)
    traj, call, before, x0_arr = _call_gd(target, A, kw["x0"], kw["eta"], kw["steps"], GD_QUADRATIC_NAMES[name])
    expected = gt["trajectory"]
    check(traj, gt, "trajectory", call=call, what="the trajectory", plot=quadratic_objective(A))
    expect_float64(traj, call=call, what="the trajectory")
    expect_unchanged(before, x0_arr, call=call, name="x0")


@pytest.mark.exercise("gd")
@pytest.mark.points(1)
def test_gd_with_eta_zero_stays_at_x0(target):
    kw = cases.GD_EDGES["eta-zero"]
    gt = ground_truth.load("gd_quadratic", **kw)
    traj, call, _, _ = _call_gd(target, kw["A"], kw["x0"], kw["eta"], kw["steps"], "x1^2+2x2^2")
    check(traj, gt, "trajectory", call=call,
          what="the trajectory", hint="With eta = 0 every row is x0: 5 rows, none of them moved.")


@pytest.mark.exercise("gd")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
def test_gd_diverges_when_eta_exceeds_two_over_lambda(target):
    # eta = 3/5 > 2/lambda_max = 1/2: the x2 coordinate is multiplied by 1 - 4*3/5 = -7/5 per step.
    kw = cases.GD_EDGES["diverges"]
    gt = ground_truth.load("gd_quadratic", **kw)
    traj, call, _, _ = _call_gd(target, kw["A"], kw["x0"], kw["eta"], kw["steps"], "x1^2+2x2^2")
    check(traj, gt, "trajectory", call=call,
          what="the trajectory", hint="Do not stop or clip a diverging run: return every iterate.")


@pytest.mark.exercise("gd")
@pytest.mark.points(1)
def test_gd_edge_cases(target, credit):
    gd = target.gradient_descent.gd
    # zero steps: only x0
    traj = gd(quadratic_grad([[2.0]]), np.array([1.5, -0.5]), 0.1, 0)
    check_value(traj, np.array([[1.5, -0.5]]), {"rtol": 0.0, "atol": 0.0},
                call="gd(grad of |x|^2, x0=[1.5, -0.5], eta=0.1, 0 steps)", what="the trajectory",
                hint="With num_steps = 0 the trajectory is the single row x0, shape (1, d).")
    credit.award(1 / 3, "zero steps")
    # a critical point: the gradient is zero, so gd never moves
    traj = gd(course_grad("x^2-y^2"), np.zeros(2), 0.3, 3)
    check_value(traj, np.zeros((4, 2)), {"rtol": 0.0, "atol": 0.0},
                call="gd(grad of x^2-y^2, x0=[0, 0], eta=0.3, 3 steps)", what="the trajectory",
                hint="At a critical point grad = 0 and every iterate equals x0.")
    credit.award(2 / 3, "zero gradient")
    # an integer x0 must not make the trajectory an integer array
    kw = cases.GD_QUADRATICS["x1^2+2x2^2"]
    gt = ground_truth.load("gd_quadratic", **kw)
    x0_int = param_array(kw["x0"]).astype(int)
    call = f"gd(grad of x1^2+2x2^2, x0=np.array({x0_int.tolist()}) (integers), eta={kw['eta']}, {kw['steps']} steps)"
    traj = gd(quadratic_grad(param_array(kw["A"])), x0_int, float(param_array(kw["eta"])), kw["steps"])
    check(traj, gt, "trajectory", call=call, what="the trajectory",
          hint="Convert x0 to float64 first: an integer array truncates every update.")
    expect_float64(traj, call=call, what="the trajectory")


@pytest.mark.exercise("gd")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
@pytest.mark.parametrize("name", cases.GD_FUNCTIONS)
def test_gd_on_nonlinear_course_functions(target, name):
    kw = cases.GD_FUNCTIONS[name]
    function, x0, eta, steps = kw["function"], kw["x0"], kw["eta"], kw["steps"]
    gt = ground_truth.load("gd_function", **kw)
    x0_arr = param_array(x0)
    traj = target.gradient_descent.gd(course_grad(function), x0_arr, float(param_array(eta)), steps)
    check(traj, gt, "trajectory", what="the trajectory",
          plot=function, call=f"gd(grad of {function}, x0={np.round(x0_arr, 6).tolist()}, eta={eta}, {steps} steps)")


@pytest.mark.exercise("lr_schedules")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.SCHEDULES)
def test_schedules_at_many_steps(target, name):
    kind, params, ts = cases.SCHEDULES[name]["kind"], cases.SCHEDULES[name]["params"], cases.SCHEDULE_STEPS
    gt = ground_truth.load("lr_schedule", ts=ts, **cases.SCHEDULES[name])
    fn = getattr(target.gradient_descent, f"{kind}_lr")
    kwargs = {k: float(param_array(v)) for k, v in params.items()}
    for i, t in enumerate(ts):
        got = fn(t, **kwargs)
        call = f"{kind}_lr({t}{''.join(f', {k}={v}' for k, v in kwargs.items())})"
        if np.ndim(got) != 0:
            raise Failure(f"{call} should return one number, got shape {np.shape(got)}")
        check_value(got, gt["values"][i], gt.tol("values"), call=call)


@pytest.mark.exercise("lr_schedules")
@pytest.mark.points(1)
def test_schedule_defaults(target):
    m = target.gradient_descent
    # The *-default cases are the signatures' defaults: the calls below pass no parameter.
    exp_gt = ground_truth.load("lr_schedule", ts=cases.SCHEDULE_STEPS, **cases.SCHEDULES["exponential-default"])
    pol_gt = ground_truth.load("lr_schedule", ts=cases.SCHEDULE_STEPS, **cases.SCHEDULES["polynomial-default"])
    assert cases.SCHEDULE_STEPS[3] == 17
    check_value(m.exponential_lr(17), exp_gt["values"][3], exp_gt.tol("values"),
                call="exponential_lr(17) (default rate=0.1)", hint="exponential_lr(t) with the default rate 0.1 is exp(-0.1 * t).")
    check_value(m.polynomial_lr(17), pol_gt["values"][3], pol_gt.tol("values"),
                call="polynomial_lr(17) (defaults alpha=0.1, power=0.5)")


def _schedule_fn(schedule, params):
    # The test's own float64 schedule (not the student's), so sgd is graded on its own.
    if schedule == "exponential":
        return Problem("exponential_schedule", rate=float(param_array(params["rate"])))  # exp(-rate t)
    if schedule == "polynomial":
        alpha, power = float(param_array(params["alpha"])), float(param_array(params["power"]))
        return Problem("polynomial_schedule", alpha=alpha, power=power)   # (1 + alpha t)^-power
    return Problem("constant_schedule")


# The test's own inputs per ground-truth case of cases.SGD_AFFINE: x0, noise_std and the seed.
SGD_INPUTS = {"scalar-exponential": (2.0, 0.5, 7), "coupled-polynomial": (np.array([1.0, -1.0]), 0.3, 2024),
              "constant": (np.array([0.5, 0.25]), 2.0, 1)}


@pytest.mark.exercise("sgd")
@pytest.mark.points(2)
@pytest.mark.parametrize("name", cases.SGD_AFFINE)
def test_sgd_exact_draws(target, name):
    kw = cases.SGD_AFFINE[name]
    A, eta, steps, schedule, params = kw["A"], kw["eta"], kw["steps"], kw["schedule"], kw["params"]
    x0, noise_std, seed = SGD_INPUTS[name]
    gt = ground_truth.load("sgd_affine", **kw)
    shape = np.shape(x0)
    # The contract: one rng.normal(0, noise_std, size=np.shape(x)) per step, in order.
    fresh = np.random.default_rng(seed)
    noise = np.array([np.reshape(fresh.normal(0.0, noise_std, size=shape), -1) for _ in range(steps)])
    M, N = gt["M"], gt["N"]
    x0_flat = np.reshape(np.asarray(x0, dtype=float), -1)
    expected = np.einsum("tij,j->ti", M, x0_flat) + np.einsum("tsij,sj->ti", N, noise)
    expected = expected.reshape((steps + 1,) + shape)
    eta_f = float(param_array(eta))
    scale = np.abs(expected).max() + eta_f * (np.abs(param_array(A)).sum(axis=-1).max()
                                              * np.abs(expected).max() + np.abs(noise).max())
    atol = gt["amplification"] * 4 * np.finfo(float).eps * scale   # see the cache's reason
    rng = np.random.default_rng(seed)
    x0_copy = np.copy(x0)
    call = (f"sgd(grad of x.A.x/2 with A={np.asarray(param_array(A)).tolist()}, x0={np.asarray(x0).tolist()}, "
            f"eta={eta}, {steps} steps, rng=default_rng({seed}), noise_std={noise_std}, {schedule} schedule)")
    traj = target.gradient_descent.sgd(quadratic_grad(param_array(A)), x0, eta_f, steps, rng,
                                       noise_std=noise_std, lr_schedule=_schedule_fn(schedule, params))
    check_value(traj, expected, {"rtol": 0.0, "atol": float(atol)}, call=call, what="the trajectory",
                hint="Draw rng.normal(0.0, noise_std, size=np.shape(x)) once per step t = 1..num_steps, "
                     "add it to grad(x), and use eta * lr_schedule(t).")
    expect_unchanged(x0_copy, x0, call=call, name="x0")
    # Exactly one draw per step: the generator has advanced by steps * size draws, no more.
    if rng.random() != fresh.random():
        raise Failure(f"{call}: the generator was used a different number of times than the "
                      f"{steps} draws the contract makes",
                      hint="Call rng.normal exactly once per step (no extra draws, e.g. for x0).")


@pytest.mark.exercise("sgd")
@pytest.mark.points(1)
def test_sgd_defaults_are_unit_noise_and_a_constant_schedule(target):
    kw = cases.SGD_AFFINE["constant"]
    gt = ground_truth.load("sgd_affine", **kw)
    A, eta, steps = param_array(kw["A"]), float(param_array(kw["eta"])), kw["steps"]
    fresh = np.random.default_rng(8)
    noise = np.array([fresh.normal(0.0, 1.0, size=(2,)) for _ in range(steps)])
    x0 = np.array([0.5, 0.25])
    expected = np.einsum("tij,j->ti", gt["M"], x0) + np.einsum("tsij,sj->ti", gt["N"], noise)
    # the cache's rounding bound: max|x| * (1 + eta * max row sum of |A|) + eta * max|noise|
    scale = np.abs(expected).max() * (1 + eta * np.abs(A).sum(axis=-1).max()) + eta * np.abs(noise).max()
    atol = gt["amplification"] * 4 * np.finfo(float).eps * scale
    call = (f"sgd(grad of x1^2+2x2^2, x0=[0.5, 0.25], eta={kw['eta']}, {steps} steps, rng=default_rng(8)) "
            "(default noise_std and schedule)")
    traj = target.gradient_descent.sgd(quadratic_grad(A), x0, eta, steps, np.random.default_rng(8))
    check_value(traj, expected, {"rtol": 0.0, "atol": float(atol)}, call=call, what="the trajectory",
                hint="Step t moves by eta * lr_schedule(t) * (grad(x) + noise), noise = rng.normal(0.0, noise_std, size=np.shape(x)) drawn once per step; the defaults are noise_std=1.0 and lr_schedule=constant_lr.")


@pytest.mark.exercise("sgd")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
def test_sgd_zero_noise_with_decay_is_scheduled_gd(target):
    kw = cases.SGD_AFFINE["scalar-exponential"]
    gt = ground_truth.load("sgd_affine", **kw)
    A, eta, steps = param_array(kw["A"]), float(param_array(kw["eta"])), kw["steps"]
    expected = gt["M"][:, 0, 0] * 2.0
    traj = target.gradient_descent.sgd(quadratic_grad(A), 2.0, eta, steps, np.random.default_rng(3),
                                       noise_std=0.0, lr_schedule=_schedule_fn(kw["schedule"], kw["params"]))
    # the rounding bound of the cache: amplification * 4u * (max|x| + eta*|A|*max|x|), x <= 2
    atol = gt["amplification"] * 4 * np.finfo(float).eps * (2.0 + eta * float(np.abs(A).max()) * 2.0)
    check_value(traj, expected, {"rtol": 0.0, "atol": float(atol)},
                call=f"sgd(grad of x^2, x0=2, eta={kw['eta']}, {steps} steps, noise_std=0, "
                     f"lr_schedule=exp(-{kw['params']['rate']} t))",
                what="the trajectory", hint="Step t uses eta * lr_schedule(t), with t = 1 on the first step.")


def _loop(step, x0, v0, steps, **kw):
    xs, vs = [np.asarray(x0, dtype=float)], [np.asarray(v0, dtype=float)]
    x, v = xs[0], vs[0]
    for _ in range(steps):
        x, v = step(x, v, **kw)
        xs.append(np.asarray(x, dtype=float))
        vs.append(np.asarray(v, dtype=float))
    return np.array(xs), np.array(vs)


@pytest.mark.exercise("momentum")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.MOMENTUM)
def test_momentum_trajectory(target, name):
    kw = cases.MOMENTUM[name]
    A, x0, v0, eta, beta, steps = (kw[k] for k in ("A", "x0", "v0", "eta", "beta", "steps"))
    gt = ground_truth.load("momentum_quadratic", **kw)
    grad = quadratic_grad(param_array(A))
    step = target.gradient_descent.momentum_step
    eta_f, beta_f = float(param_array(eta)), float(param_array(beta))
    xs, vs = _loop(lambda x, v: step(x, v, grad(x), eta_f, beta_f), param_array(x0), param_array(v0), steps)
    call = (f"{steps} calls of momentum_step on x.A.x/2, A={param_array(A).tolist()}, "
            f"x0={np.asarray(param_array(x0)).tolist()}, v0={np.asarray(param_array(v0)).tolist()}, eta={eta}, beta={beta}")
    check(xs, gt, "x", call=call, what="the iterates x_k",
          plot=quadratic_objective(A))
    check(vs, gt, "v", call=call, what="the velocities v_k")


@pytest.mark.exercise("momentum")
@pytest.mark.points(1)
def test_momentum_does_not_modify_inputs_and_returns_float64(target):
    x, v, g = np.array([1.0, 2.0]), np.array([0.5, -0.5]), np.array([4.0, -2.0])
    saved = [a.copy() for a in (x, v, g)]
    call = "momentum_step(x=[1, 2], v=[0.5, -0.5], g=[4, -2], eta=0.25, beta=0.5)"
    x_new, v_new = target.gradient_descent.momentum_step(x, v, g, 0.25, 0.5)
    # v = 0.5 v - 0.25 g = [0.25 - 1, -0.25 + 0.5] = [-0.75, 0.25]; x = [0.25, 2.25] (exact in binary)
    check_value(v_new, [-0.75, 0.25], {"rtol": 0.0, "atol": 0.0}, call=call, what="v_new")
    check_value(x_new, [0.25, 2.25], {"rtol": 0.0, "atol": 0.0}, call=call, what="x_new")
    for name, before, after in zip(("x", "v", "g"), saved, (x, v, g)):
        expect_unchanged(before, after, call=call, name=name)
    expect_float64(x_new, call=call, what="x_new")


@pytest.mark.exercise("nesterov")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.NESTEROV)
def test_nesterov_trajectory(target, name):
    kw = cases.NESTEROV[name]
    A, x0, v0, eta, beta, steps = (kw[k] for k in ("A", "x0", "v0", "eta", "beta", "steps"))
    gt = ground_truth.load("nesterov_quadratic", **kw)
    grad = quadratic_grad(param_array(A))
    step = target.gradient_descent.nesterov_step
    eta_f, beta_f = float(param_array(eta)), float(param_array(beta))
    xs, vs = _loop(lambda x, v: step(x, v, grad, eta_f, beta_f), param_array(x0), param_array(v0), steps)
    call = (f"{steps} calls of nesterov_step on x.A.x/2, A={param_array(A).tolist()}, "
            f"x0={np.asarray(param_array(x0)).tolist()}, v0={np.asarray(param_array(v0)).tolist()}, eta={eta}, beta={beta}")
    check(xs, gt, "x", call=call, what="the iterates x_k",
          plot=quadratic_objective(A))
    check(vs, gt, "v", call=call, what="the velocities v_k")


@pytest.mark.exercise("nesterov")
@pytest.mark.points(1)
def test_nesterov_calls_grad_once_at_the_look_ahead_point(target):
    seen = []

    def grad(p):
        seen.append(np.array(p, dtype=float))
        return 2.0 * np.asarray(p, dtype=float)

    x, v = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    saved = (x.copy(), v.copy())
    call = "nesterov_step(x=[1, -2], v=[0.5, 0.25], grad of |x|^2, eta=0.1, beta=0.5)"
    target.gradient_descent.nesterov_step(x, v, grad, 0.1, 0.5)
    if len(seen) != 1:
        raise Failure(f"{call} called grad {len(seen)} times; it should call it once",
                      hint="Nesterov needs one gradient, at the look-ahead point x + beta*v.")
    check_value(seen[0], [1.25, -1.875], {"rtol": 0.0, "atol": 0.0}, call=call,
                what="the point where grad was evaluated")
    expect_unchanged(saved[0], x, call=call, name="x")
    expect_unchanged(saved[1], v, call=call, name="v")


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=[pytest.mark.exercise(kw["method"]), pytest.mark.points(1)], id=name)
    for name, kw in cases.ADAPTIVE_STEPS.items()])
def test_adaptive_single_step(target, credit, name):
    kw = cases.ADAPTIVE_STEPS[name]
    method, x, g, eta, state, hyper, t = (kw.get(k) for k in ("method", "x", "g", "eta", "state", "hyper", "t"))
    gt = ground_truth.load("adaptive_step", **kw)
    X, G = param_array(x), param_array(g)
    S = {k: param_array(v) for k, v in state.items()}
    kw = {k: float(param_array(v)) for k, v in (hyper or {}).items()}
    inputs = {"x": X, "g": G, **S}
    saved = {k: np.copy(v) for k, v in inputs.items()}
    fn = getattr(target.gradient_descent, f"{method}_step")
    eta_f = float(param_array(eta))
    args_text = ", ".join(f"{k}={np.asarray(v).tolist()}" for k, v in inputs.items())
    extra = "".join(f", {k}={v}" for k, v in kw.items())
    if method == "adam":
        call = f"adam_step({args_text}, t={t}, eta={eta}{extra})"
        x_new, v_new, s_new = fn(X, S["v"], S["s"], t, G, eta_f, **kw)
        check(v_new, gt, "v", call=call, what="v_new")
    else:
        call = f"{method}_step({args_text}, eta={eta}{extra})"
        x_new, s_new = fn(X, S["s"], G, eta_f, **kw)
    check(s_new, gt, "s", call=call, what="s_new")
    credit.award(0.5, "moments right")
    check(x_new, gt, "x", call=call, what="x_new")
    for name, before in saved.items():
        expect_unchanged(before, inputs[name], call=call, name=name)


@pytest.mark.parametrize("method", [
    pytest.param(m, marks=[pytest.mark.exercise(m), pytest.mark.points(1), pytest.mark.visibility("after_due_date")],
                 id=m) for m in cases.ADAPTIVE_QUADRATIC])
def test_adaptive_ten_steps_on_an_ill_conditioned_quadratic(target, method):
    case_kw = cases.ADAPTIVE_QUADRATIC[method]
    A, x0, eta, steps = case_kw["A"], case_kw["x0"], case_kw["eta"], case_kw["steps"]
    gt = ground_truth.load("adaptive_quadratic", **case_kw)
    grad = quadratic_grad(param_array(A))
    fn = getattr(target.gradient_descent, f"{method}_step")
    kw = {k: float(param_array(v)) for k, v in case_kw["hyper"].items()}
    eta_f = float(param_array(eta))
    x = np.asarray(param_array(x0), dtype=float)
    v, s = np.zeros(2), np.zeros(2)
    xs = [x]
    for t in range(1, steps + 1):
        if method == "adam":
            x, v, s = fn(x, v, s, t, grad(x), eta_f, **kw)
        else:
            x, s = fn(x, s, grad(x), eta_f, **kw)
        xs.append(np.asarray(x, dtype=float))
    call = (f"{steps} steps of {method}_step (t = 1..{steps} for Adam) on 0.1 x1^2 + 2 x2^2 from "
            f"x0={xs[0].tolist()}, eta={eta}")
    check(np.array(xs), gt, "x", call=call, what="the iterates x_0..x_10",
          plot="0.1*x1^2+2*x2^2")


@pytest.mark.exercise("clipping")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.CLIP)
def test_clip_by_norm_cases(target, name):
    g, threshold = cases.CLIP[name]["g"], cases.CLIP[name]["threshold"]
    gt = ground_truth.load("clip_by_norm", **cases.CLIP[name])
    G = param_array(g)
    G = np.asarray(G, dtype=float)
    before = G.copy()
    call = f"clip_by_norm({G.tolist()}, threshold={threshold})"
    got = target.gradient_descent.clip_by_norm(G, float(param_array(threshold)))
    check(got, gt, "clipped", call=call, what="the clipped gradient")
    expect_float64(got, call=call)
    expect_unchanged(before, G, call=call, name="g")
    if got is G:
        raise Failure(f"{call} returned its input array itself",
                      hint="Return a new array (g.copy() when no clipping is needed), so the caller's "
                           "gradient is never aliased.")
