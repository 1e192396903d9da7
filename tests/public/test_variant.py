"""Public tests of YOUR variant: your own step sizes, starting points, matrices and probabilities.

Each student is graded on their own numbers. Yours are in the ``variant.json`` at the root of
your release; without that file these tests use the default variant (the first value of each
list in ``autograder/variants.toml``):

    gd              f(x) = x.A.x/2, A = R diag(1, 4) R^T = [[73/25, -36/25], [-36/25, 52/25]],
                    x0 = [3, -2], eta = 1/10, 10 steps
    momentum        A = [[3, 1], [1, 2]], x0 = [2, -1], v0 = [1/2, -1/2], eta = 1/10, beta = 4/5
    nesterov        the same as momentum
    newton          x = [1, 2], g = [4, -2], H = [[4, 1], [1, 3]], damping = 1/2
    stable_lr       H = [[3, 1], [1, 1]]
    dropout         keep = 3/4 of 60 units
    permutation_symmetry  d = 3 hidden units
    wigner_symmetry 2 x 2 matrices with entries -1, 0, 1 (probability 1/3 each)

These tests check, with exact fractions, what can be checked in the open: the first steps of
your trajectories, that your Newton step solves its linear system, that your learning rate is
2 / (an eigenvalue of H, the largest), that your probabilities add up and are symmetric. The
grader checks your whole answers against values derived for your variant.
"""

from fractions import Fraction

import numpy as np
import pytest

from autograder.checks import expect_close
from autograder.feedback import Failure
from autograder.problems import Problem


def exact(value):
    """A parameter of variant.json ("1/10", ["3", "-2"], nested lists) as Fractions."""
    if isinstance(value, list):
        return [exact(v) for v in value]
    return Fraction(value)


def floats(value):
    return np.array(exact(value), dtype=float) if isinstance(value, list) else float(Fraction(value))


def matvec(A, x):
    return [sum(a * b for a, b in zip(row, x)) for row in A]


def rotated(kappa):
    """A = R diag(1, kappa) R^T with R = [[3/5, -4/5], [4/5, 3/5]] (eigenvalues 1 and kappa)."""
    R = [[Fraction(3, 5), Fraction(-4, 5)], [Fraction(4, 5), Fraction(3, 5)]]
    lam = [Fraction(1), Fraction(kappa)]
    return [[sum(R[i][k] * lam[k] * R[j][k] for k in range(2)) for j in range(2)] for i in range(2)]


def as_exact(value):
    """A float64 result as exact Fractions: the checks below then add no rounding of their own."""
    arr = np.asarray(value, dtype=float)
    return [Fraction(float(v)) for v in arr.ravel()] if arr.ndim else Fraction(float(arr))


def label(params):
    return ", ".join(f"{k}={v}" for k, v in params.items())


@pytest.mark.exercise("gd")
def test_gd_first_steps_on_your_quadratic(target, variant):
    p = variant["gd"]
    A, x0, eta = rotated(p["kappa"]), exact(p["x0"]), Fraction(p["eta"])
    traj = target.gradient_descent.gd(Problem("matvec", A=np.array(A, dtype=float)), floats(p["x0"]),
                                      float(eta), p["steps"])
    # Two steps by hand, exactly: x_{k+1} = x_k - eta * A x_k
    xs = [x0]
    for _ in range(2):
        xs.append([a - eta * g for a, g in zip(xs[-1], matvec(A, xs[-1]))])
    call = f"gd(grad of x.A.x/2, your variant: {label(p)})"
    got = np.asarray(traj, dtype=float)
    if got.shape != (p["steps"] + 1, 2):
        raise Failure(f"{call} returned shape {got.shape}, expected ({p['steps'] + 1}, 2)",
                      hint="Row 0 is x0, then one row per step.")
    expect_close(got[:3], np.array(xs, dtype=float), call=call, what="rows 0 to 2 of the trajectory",
                 rtol=1e-12, atol=1e-12)
    expect_close(got[1], np.array(xs[1], dtype=float), call=call, what="row 1", rtol=1e-12, atol=1e-12)


def _first_step(p, nesterov):
    A, x0, v0 = exact(p["A"]), exact(p["x0"]), exact(p["v0"])
    eta, beta = Fraction(p["eta"]), Fraction(p["beta"])
    at = [a + beta * v for a, v in zip(x0, v0)] if nesterov else x0
    v1 = [beta * v - eta * g for v, g in zip(v0, matvec(A, at))]
    return [a + v for a, v in zip(x0, v1)], v1


@pytest.mark.exercise("momentum")
def test_momentum_first_step_of_your_variant(target, variant):
    p = variant["momentum"]
    x1, v1 = _first_step(p, nesterov=False)
    A = floats(p["A"])
    call = f"momentum_step(x0, v0, grad(x0), eta, beta), your variant: {label(p)}"
    x_new, v_new = target.gradient_descent.momentum_step(floats(p["x0"]), floats(p["v0"]),
                                                         A @ floats(p["x0"]), floats(p["eta"]),
                                                         floats(p["beta"]))
    expect_close(v_new, np.array(v1, dtype=float), call=call, what="v_new", rtol=1e-12, atol=1e-12)
    expect_close(x_new, np.array(x1, dtype=float), call=call, what="x_new", rtol=1e-12, atol=1e-12)


@pytest.mark.exercise("nesterov")
def test_nesterov_first_step_of_your_variant(target, variant):
    p = variant["nesterov"]
    x1, v1 = _first_step(p, nesterov=True)
    A = floats(p["A"])
    call = f"nesterov_step(x0, v0, grad, eta, beta), your variant: {label(p)}"
    x_new, v_new = target.gradient_descent.nesterov_step(floats(p["x0"]), floats(p["v0"]), Problem("matvec", A=A),
                                                         floats(p["eta"]), floats(p["beta"]))
    expect_close(x_new, np.array(x1, dtype=float), call=call, what="x_new", rtol=1e-12, atol=1e-12)
    expect_close(v_new, np.array(v1, dtype=float), call=call, what="v_new", rtol=1e-12, atol=1e-12)


@pytest.mark.exercise("newton")
def test_newton_step_of_your_variant_solves_its_system(target, variant):
    p = variant["newton"]
    H, g, x, damping = exact(p["H"]), exact(p["g"]), exact(p["x"]), Fraction(p["damping"])
    call = f"newton_step(x, g, H, damping), your variant: {label(p)}"
    got = target.second_order.newton_step(floats(p["x"]), floats(p["g"]), floats(p["H"]),
                                          damping=float(damping))
    # x_new = x - d with (H + damping I) d = g: the residual of YOUR d, in exact arithmetic.
    d = [a - b for a, b in zip(x, as_exact(got))]
    K = [[H[i][j] + (damping if i == j else 0) for j in range(2)] for i in range(2)]
    residual = [float(r - b) for r, b in zip(matvec(K, d), g)]
    if max(abs(r) for r in residual) > 1e-9 * max(1.0, max(abs(float(b)) for b in g)):
        raise Failure(f"{call}: x - x_new does not solve (H + damping * I) d = g",
                      actual=f"residual (H + damping I) d - g = {residual}",
                      hint="Solve (H + damping * I) d = g with np.linalg.solve and return x - d.")


@pytest.mark.exercise("stable_lr")
def test_max_stable_learning_rate_of_your_matrix_is_two_over_the_top_eigenvalue(target, variant):
    p = variant["stable_lr"]
    a, b, c = Fraction(p["a"]), Fraction(p["b"]), Fraction(p["c"])
    call = f"max_stable_learning_rate(H=[[{a}, {b}], [{b}, {c}]]) (your variant)"
    eta = as_exact(target.second_order.max_stable_learning_rate(np.array([[a, b], [b, c]], dtype=float)))
    if not isinstance(eta, Fraction) or eta <= 0:
        raise Failure(f"{call} should return one positive number", actual=repr(eta))
    lam = 2 / eta
    # lam must be a root of det(H - lam I) = lam^2 - (a + c) lam + (ac - b^2) ...
    char = lam * lam - (a + c) * lam + (a * c - b * b)
    if abs(float(char)) > 1e-9 * float(lam * lam + (a + c) * lam + abs(a * c - b * b)):
        raise Failure(f"{call} = {float(eta)!r}, but 2 / eta = {float(lam)!r} is not an eigenvalue of H",
                      hint="The bound is eta < 2 / lambda with lambda an eigenvalue of H.")
    # ... and the larger one: the other eigenvalue is a + c - lam
    if a + c - lam > lam:
        raise Failure(f"{call}: 2 / eta = {float(lam)!r} is the smaller eigenvalue of H")


@pytest.mark.exercise("dropout")
def test_keep_probability_of_your_variant(target, variant):
    p = variant["dropout"]
    keep = Fraction(p["keep"])
    dropped = int((1 - keep) * p["num_units"])
    got = target.dropout.keep_probability(dropped, p["num_units"])
    expect_close(got, float(keep), call=f"keep_probability({dropped}, {p['num_units']}) (your variant)",
                 rtol=1e-15)


@pytest.mark.exercise("permutation_symmetry")
def test_count_for_your_number_of_hidden_units(target, variant):
    d = variant["permutation_symmetry"]["d"]
    got = target.symmetry.count_equivalent_solutions(d)
    call = f"count_equivalent_solutions({d}) (your variant: d = {d})"
    # d hidden units can be reordered in d! = 1 * 2 * ... * d ways
    expected = 1
    for k in range(2, d + 1):
        expected *= k
    if got != expected or isinstance(got, bool):
        raise Failure(f"{call}: the count is wrong", expected=str(expected), actual=repr(got),
                      hint="Every order of the d units computes the same function.")


@pytest.mark.exercise("wigner_symmetry")
def test_sign_probabilities_of_your_value_set_add_up_and_are_symmetric(target, variant):
    p = variant["wigner_symmetry"]
    values, probs = exact(p["entries"]["values"]), exact(p["entries"]["probs"])
    call = (f"exact_eigenvalue_sign_probabilities({p['n']}, values={p['entries']['values']}, "
            f"probs={p['entries']['probs']}) (your variant)")
    got = target.symmetry.exact_eigenvalue_sign_probabilities(p["n"], values, probs)
    if not isinstance(got, tuple) or len(got) != 3 or not all(isinstance(q, Fraction) for q in got):
        raise Failure(f"{call} should return a tuple of three fractions.Fraction", actual=repr(got))
    positive, negative, zero = got
    if positive + negative + zero != 1 or min(got) < 0:
        raise Failure(f"{call} = {tuple(map(str, got))}: three probabilities must be >= 0 and add up to 1")
    # Your value set is symmetric about 0, so -A has the law of A: P(lambda > 0) = P(lambda < 0).
    if positive != negative:
        raise Failure(f"{call}: P(lambda > 0) = {positive} but P(lambda < 0) = {negative}",
                      hint="-A has the same law as A here, so both signs are equally likely.")
    if zero == 0:
        raise Failure(f"{call}: P(lambda = 0) = 0, yet some of these matrices are singular")
