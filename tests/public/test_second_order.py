"""Public tests for assignments/second_order.py.

Expected values are worked out by hand in the comments (quadratics, diagonal matrices, closed
forms), never by calling a reference implementation.
"""

import math

import numpy as np
import pytest

from autograder.checks import as_float_array, expect_close, expect_equal, expect_unchanged, fmt
from autograder.feedback import Failure
from autograder.problems import Problem


def expect_value_error(func, *args, call, hint):
    """``func(*args)`` must raise ValueError; anything it returns instead is reported kindly."""
    try:
        result = func(*args)
    except ValueError:
        return
    raise Failure(f"{call} should raise ValueError, but it returned a value",
                  expected="ValueError", actual=fmt(result), hint=hint)


def expect_same_up_to_sign(actual, expected, *, call, what):
    """Eigenvectors are defined up to sign: flip ``actual`` to face ``expected`` before comparing."""
    got = as_float_array(actual, call=call, what=what)
    sign = -1.0 if got.shape == expected.shape and float(got @ expected) < 0 else 1.0
    return expect_close(sign * got, expected, call=call, what=f"{what} (up to sign)", atol=1e-9)


# --- newton ---------------------------------------------------------------------------------

@pytest.mark.exercise("newton")
@pytest.mark.points(2)
def test_newton_solves_a_quadratic_in_one_step(target):
    # f(x) = x.A.x/2 - b.x with A = [[3, 1], [1, 2]], b = [1, 0]: the minimiser is A^-1 b, and
    # A^-1 = [[2, -1], [-1, 3]] / 5, so x* = [0.4, -0.2]. At x = [1, 1], g = A x - b = [3, 3].
    x = np.array([1.0, 1.0])
    g = np.array([3.0, 3.0])
    H = np.array([[3.0, 1.0], [1.0, 2.0]])
    x_new = target.second_order.newton_step(x, g, H)
    expect_close(x_new, [0.4, -0.2], call="newton_step(x=[1, 1], g=[3, 3], H=[[3, 1], [1, 2]])",
                 what="x_new", atol=1e-12, hint="The Newton step solves H d = g and returns x - d.")
    call = "newton_step"
    expect_unchanged(np.array([1.0, 1.0]), x, call=call, name="x")
    expect_unchanged(np.array([3.0, 3.0]), g, call=call, name="g")
    expect_unchanged(np.array([[3.0, 1.0], [1.0, 2.0]]), H, call=call, name="H")


@pytest.mark.exercise("newton")
def test_newton_damping_shortens_the_step(target):
    # (H + 2 I) d = g with H = diag(2, 4), g = [2, 4]: diag(4, 6) d = [2, 4], d = [1/2, 2/3].
    x_new = target.second_order.newton_step(np.array([1.0, 1.0]), np.array([2.0, 4.0]),
                                            np.diag([2.0, 4.0]), damping=2.0)
    expect_close(x_new, [0.5, 1.0 / 3.0],
                 call="newton_step(x=[1, 1], g=[2, 4], H=diag(2, 4), damping=2)", what="x_new",
                 atol=1e-12)


# --- critical points --------------------------------------------------------------------------

@pytest.mark.exercise("critical_points")
def test_classify_definite_and_saddle(target):
    m = target.second_order
    expect_equal(m.classify_critical_point(np.diag([2.0, 3.0])), "minimum",
                 call="classify_critical_point(diag(2, 3))",
                 hint="Both eigenvalues are positive: the function curves up in every direction.")
    expect_equal(m.classify_critical_point(np.diag([-1.0, -5.0])), "maximum",
                 call="classify_critical_point(diag(-1, -5))")
    # f(x, y) = x*y: eigenvalues -1 and +1, along (1, -1) and (1, 1).
    expect_equal(m.classify_critical_point(np.array([[0.0, 1.0], [1.0, 0.0]])), "saddle",
                 call="classify_critical_point([[0, 1], [1, 0]])  (the Hessian of f = x*y)",
                 hint="Use the eigenvalues (np.linalg.eigvalsh), not the diagonal entries: here "
                      "they are -1 and +1.")


@pytest.mark.exercise("critical_points")
def test_classify_degenerate_cases(target):
    m = target.second_order
    # 1e-10 <= tol = 1e-8 counts as zero: second derivatives cannot decide.
    expect_equal(m.classify_critical_point(np.diag([1.0, 1e-10])), "degenerate",
                 call="classify_critical_point(diag(1, 1e-10))")
    expect_equal(m.classify_critical_point(np.diag([1.0, 1e-10]), tol=1e-12), "minimum",
                 call="classify_critical_point(diag(1, 1e-10), tol=1e-12)",
                 hint="Only eigenvalues with |lambda| <= tol count as zero.")
    # +1 and -1 already prove a saddle, whatever the zero eigenvalue says.
    expect_equal(m.classify_critical_point(np.diag([1.0, -1.0, 0.0])), "saddle",
                 call="classify_critical_point(diag(1, -1, 0))")


# --- stable learning rate --------------------------------------------------------------------

@pytest.mark.exercise("stable_lr")
def test_max_stable_learning_rate(target):
    m = target.second_order
    # eigenvalues 1 and 4: 2 / 4
    expect_close(m.max_stable_learning_rate(np.diag([1.0, 4.0])), 0.5,
                 call="max_stable_learning_rate(diag(1, 4))")
    # [[2, 1], [1, 2]] has eigenvalues 1 and 3: 2 / 3
    expect_close(m.max_stable_learning_rate(np.array([[2.0, 1.0], [1.0, 2.0]])), 2.0 / 3.0,
                 call="max_stable_learning_rate([[2, 1], [1, 2]])",
                 hint="Use the largest eigenvalue of H, not a diagonal entry (here the eigenvalues are 1 and 3).")


@pytest.mark.exercise("stable_lr")
def test_max_stable_learning_rate_rejects_a_saddle(target):
    m = target.second_order
    # [[1, 2], [2, 1]] has eigenvalues 3 and -1: no minimum, so no stable learning rate.
    expect_value_error(m.max_stable_learning_rate, np.array([[1.0, 2.0], [2.0, 1.0]]),
                       call="max_stable_learning_rate([[1, 2], [2, 1]])  (eigenvalues 3 and -1)",
                       hint="H is not positive definite: raise ValueError.")
    expect_value_error(m.max_stable_learning_rate, np.diag([1.0, 0.0]),
                       call="max_stable_learning_rate(diag(1, 0))",
                       hint="An eigenvalue of 0 is not positive: a positive definite H needs every eigenvalue > 0.")
    # The same rule through pytest's own check, for a negative definite H.
    with pytest.raises(ValueError):
        m.max_stable_learning_rate(np.diag([-2.0, -1.0]))


# --- Hessian-vector products -------------------------------------------------------------------

@pytest.mark.exercise("hvp")
@pytest.mark.points(2)
def test_hvp_is_a_central_difference(target):
    # f(x) = x^4/4, grad = x^3. At x = 1, v = 1, h = 0.1:
    # central (1.1^3 - 0.9^3) / 0.2 = (1.331 - 0.729) / 0.2 = 3.01   (exact H v = 3, error h^2)
    # forward (1.1^3 - 1) / 0.1 = 3.31; dividing by h instead of 2h gives 6.02.
    hv = target.second_order.hessian_vector_product(lambda x: x ** 3, np.array([1.0]),
                                                    np.array([1.0]), h=0.1)
    expect_close(hv, [3.01], call="hessian_vector_product(grad of x^4/4, x=[1], v=[1], h=0.1)")


@pytest.mark.exercise("hvp")
def test_hvp_of_a_quadratic_is_exact(target):
    # f(x) = x.A.x/2 has grad A x and Hessian A: H v = A v = [2 - 1, 1 - 3] = [1, -2].
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, 2.0])
    v = np.array([1.0, -1.0])
    hv = target.second_order.hessian_vector_product(Problem("matvec", A=A), x, v)
    expect_close(hv, [1.0, -2.0], call="hessian_vector_product(grad of x.A.x/2, A=[[2, 1], [1, 3]], "
                 "x=[0.5, 2], v=[1, -1])", rtol=1e-6, atol=1e-8)
    expect_unchanged(np.array([0.5, 2.0]), x, call="hessian_vector_product", name="x")
    expect_unchanged(np.array([1.0, -1.0]), v, call="hessian_vector_product", name="v")


# --- power iteration ---------------------------------------------------------------------------

@pytest.mark.exercise("power_iteration")
@pytest.mark.points(2)
def test_power_iteration_finds_the_top_eigenpair(target):
    # A = [[2, 1], [1, 2]]: eigenvalues 3 and 1, top eigenvector (1, 1)/sqrt(2). The error
    # shrinks by 1/3 per step, so 60 steps reach machine precision.
    A = np.array([[2.0, 1.0], [1.0, 2.0]])
    # Problem("matvec", A=A) is the function v -> A @ v (autograder/problems.py); a named problem
    # runs inside the grader's sandbox without a round trip per product.
    lam, vec = target.second_order.power_iteration(Problem("matvec", A=A), 2, 60, np.random.default_rng(0))
    call = "power_iteration(A @ v with A=[[2, 1], [1, 2]], dim=2, num_iters=60, rng seed 0)"
    expect_close(lam, 3.0, call=call, what="the eigenvalue")
    expect_same_up_to_sign(vec, np.array([1.0, 1.0]) / math.sqrt(2.0), call=call, what="the eigenvector")


@pytest.mark.exercise("power_iteration")
def test_power_iteration_keeps_the_sign_of_the_eigenvalue(target):
    # diag(-3, 1): the largest *magnitude* is -3. ||A v|| tends to 3; the Rayleigh quotient to -3.
    A = np.diag([-3.0, 1.0])
    lam, vec = target.second_order.power_iteration(Problem("matvec", A=A), 2, 80, np.random.default_rng(1))
    call = "power_iteration(A @ v with A=diag(-3, 1), dim=2, num_iters=80, rng seed 1)"
    expect_close(lam, -3.0, call=call, what="the eigenvalue")
    expect_same_up_to_sign(vec, np.array([1.0, 0.0]), call=call, what="the eigenvector")


@pytest.mark.exercise("power_iteration")
def test_power_iteration_starts_from_the_rng(target):
    # One step from the documented start: v0 = rng.standard_normal(2) (normalised), v1 = A v0 / ||A v0||,
    # eigenvalue = v1 . A v1. With A = diag(3, 1) and v0 = (a, b): v1 = (3a, b) / sqrt(9a^2 + b^2)
    # and the Rayleigh quotient is (27 a^2 + b^2) / (9 a^2 + b^2).
    a, b = np.random.default_rng(8).standard_normal(2)
    expected_vec = np.array([3 * a, b]) / math.sqrt(9 * a * a + b * b)
    expected_lam = (27 * a * a + b * b) / (9 * a * a + b * b)
    A = np.diag([3.0, 1.0])
    lam, vec = target.second_order.power_iteration(Problem("matvec", A=A), 2, 1, np.random.default_rng(8))
    call = "power_iteration(A @ v with A=diag(3, 1), dim=2, num_iters=1, rng seed 8)"
    expect_close(vec, expected_vec, call=call, what="the vector after one step", atol=1e-12,
                 hint="Start from rng.standard_normal(dim), normalise, then do exactly num_iters "
                      "steps v <- A v / ||A v||.")
    expect_close(lam, expected_lam, call=call, what="the eigenvalue estimate (Rayleigh quotient)")


# --- Taylor model -------------------------------------------------------------------------------

@pytest.mark.exercise("taylor")
def test_taylor_is_exact_on_a_quadratic(target):
    # f = x1^2 + x1 x2 + 3 x2^2 at (1, 1): f = 5, g = (3, 7), H = [[2, 1], [1, 6]].
    # delta = (1, -1): g.delta = -4, delta.H.delta = 6, model = 5 - 4 + 3 = 4 = f(2, 0).
    g = np.array([3.0, 7.0])
    H = np.array([[2.0, 1.0], [1.0, 6.0]])
    delta = np.array([1.0, -1.0])
    value = target.second_order.taylor_second_order(5.0, g, H, delta)
    expect_close(value, 4.0, call="taylor_second_order(f_x=5, g=[3, 7], H=[[2, 1], [1, 6]], delta=[1, -1])")
    expect_unchanged(np.array([1.0, -1.0]), delta, call="taylor_second_order", name="delta")


@pytest.mark.exercise("taylor")
def test_taylor_of_exp(target):
    # f = exp at 0: f = g = H = 1. delta = 0.1: 1 + 0.1 + 0.01/2 = 1.105 (exp(0.1) = 1.10517).
    value = target.second_order.taylor_second_order(1.0, np.array([1.0]), np.array([[1.0]]),
                                                    np.array([0.1]))
    expect_close(value, 1.105, call="taylor_second_order(f_x=1, g=[1], H=[[1]], delta=[0.1])",
                 hint="Return a single number (a float), not an array.")
