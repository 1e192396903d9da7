"""Newton's method as an algorithm: exact rational trajectories of damped Newton steps with the
stopping rule ||grad|| <= tol evaluated exactly, on a quadratic (one step), on non-convex
functions (to a saddle, to a maximum) and with damping; and the batch-averaged gradient and
Hessian of least squares."""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive import (U, Derived, exact, float_tolerance, jacobian, propagated_rounding_jac, rational,
                      rational_matrix, to_mpf)
from ..registry import derivation

X, Y = sp.symbols("x y")

#: The functions the hidden tests run Newton's method on (the tests' float64 gradients and
#: Hessians are checked against these by tests/engine/test_newton_method_functions.py).
FUNCTIONS = {
    "x^2+2*y^2": X ** 2 + 2 * Y ** 2,
    "x^2+x*y+y^2-x": X ** 2 + X * Y + Y ** 2 - X,
    "x^4/4-x^2/2+y^2/2": X ** 4 / 4 - X ** 2 / 2 + Y ** 2 / 2,
    "x^4/4-x^2/2-y^2/2": X ** 4 / 4 - X ** 2 / 2 - Y ** 2 / 2,
}


def _derivatives(name):
    f = FUNCTIONS[name]
    g = sp.Matrix([sp.diff(f, X), sp.diff(f, Y)])
    return g, sp.hessian(f, (X, Y))


def _run(step, grad_norm, w0, max_steps, tol):
    """The algorithm: stop before a step when ||grad|| <= tol; at most max_steps steps."""
    ws = [w0]
    for _ in range(max_steps):
        if grad_norm(ws[-1]) <= tol:
            break
        ws.append(step(ws[-1]))
    return ws


@derivation
def newton_method_trajectory(function, w0, max_steps, tol="1/100000000", damping="0"):
    g, H = _derivatives(function)
    lam, tol_q = rational(damping), rational(tol)
    I = sp.eye(2)

    def at(expr, w):
        return expr.subs({X: w[0], Y: w[1]})

    def exact_step(w):
        return w - (at(H, w) + lam * I).LUsolve(at(g, w))

    def exact_norm(w):
        return sp.sqrt(sum(c ** 2 for c in at(g, w)))

    w_start = rational_matrix(w0)
    ws = _run(exact_step, exact_norm, w_start, max_steps, tol_q)
    # A fair case: the gradient is far from tol on either side of the stop, so float64 rounding
    # cannot move the stopping step.
    norms = [to_mpf(exact_norm(w)) for w in ws]
    for k, n in enumerate(norms):
        last_stops = k == len(ws) - 1 and len(ws) - 1 < max_steps
        assert (n <= to_mpf(tol_q) / 16) if last_stops else (n >= 16 * to_mpf(tol_q)), (k, n)

    # rounding bound: each step rounds ~16 operations of the size of w and of d (times the
    # condition of the solved matrix); later steps magnify it by the Newton map's Jacobian
    gm, Hm = sp.lambdify((X, Y), g, "mpmath"), sp.lambdify((X, Y), H, "mpmath")

    def mp_step(w):
        M = mpmath.matrix(Hm(*w)) + to_mpf(lam) * mpmath.eye(2)
        d = mpmath.lu_solve(M, mpmath.matrix(gm(*w)))
        return [w[0] - d[0], w[1] - d[1]]

    local, jacs = [], []
    for w in ws[:-1]:
        wm = [to_mpf(c) for c in w]
        M = mpmath.matrix(Hm(*wm)) + to_mpf(lam) * mpmath.eye(2)
        cond = mpmath.mnorm(M, 1) * mpmath.mnorm(M ** -1, 1)
        d = mpmath.lu_solve(M, mpmath.matrix(gm(*wm)))
        local.append(16 * U * (max(abs(c) for c in wm) + cond * max(abs(c) for c in d)))
        jacs.append(jacobian(lambda v: mp_step(v), wm))
    bound = max(propagated_rounding_jac(local, jacs)) if jacs else 0
    atol = float_tolerance(bound)

    # No fields for the known mistakes: the grader names them by replaying the test's calls on the
    # catalogue (autograder/diagnosis.py). (A no-stopping-rule run, Newton steps taken past the
    # critical point, was rounding noise of the working precision: --check caught it.)
    return {
        "trajectory": Derived([list(w) for w in ws], atol=atol,
                              why="16 ulps of |w| and of cond(H + damping I) |d| per step, magnified by the "
                                  "Jacobian of the Newton map along the exact trajectory, x4"),
        "steps": exact(len(ws) - 1, "counted with the stopping rule evaluated exactly"),
    }


@derivation
def least_squares_derivatives(X, y, w):
    """g = X^T (X w - y) / m and H = X^T X / m, exactly; the sums and the flipped residual."""
    Xm, ym, wm = rational_matrix(X), rational_matrix(y), rational_matrix(w)
    m = Xm.rows
    r = Xm * wm - ym
    g, H = Xm.T * r / m, Xm.T * Xm / m
    # float64 rounds the inputs (1/3) and each product and sum: ~(d + 4) ulps of the terms summed
    d = Xm.cols
    terms_g = max(sum(abs(to_mpf(Xm[i, j])) * (sum(abs(to_mpf(Xm[i, k] * wm[k])) for k in range(d))
                                                 + abs(to_mpf(ym[i]))) for i in range(m)) for j in range(d)) / m
    terms_H = max(sum(abs(to_mpf(Xm[i, j] * Xm[i, k])) for i in range(m)) for j in range(d) for k in range(d)) / m
    why = "the rounded inputs and m products summed: 8 (d + m) ulps of the sum of the terms' sizes, x4"
    return {"g": Derived(list(g), atol=float_tolerance(8 * (d + m) * U * terms_g), why=why),
            "H": Derived(H.tolist(), atol=float_tolerance(8 * (d + m) * U * terms_H), why=why),
            "g_sum": exact(list(g * m), "summed, not averaged"),
            "H_sum": exact((H * m).tolist(), "summed, not averaged"),
            "g_flipped": exact(list(-g), "residual y - X w")}
