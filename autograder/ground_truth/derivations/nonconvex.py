"""Gradient descent on f(x) = x cos(c pi x): a non-convex function with a local minimum in every
period, where the step size decides which minimum the run ends in.

sympy's ``solve`` cannot find the critical points (f'(x) = 0 is ``pi c x tan(pi c x) = 1``:
"multiple generators [x, tan(pi*x/5)]", after ~20 s), so they come from ``nsolve`` started at
every quarter of the window, kept once each, and classified by the sign of f''. The minimum a
run reaches is the limit of the same iteration at the working precision, polished by ``nsolve``
and matched to one of those critical points.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive import U, Derived, exact, float_tolerance, propagated_rounding_jac, rational, work_dps
from ..registry import derivation

x = sp.Symbol("x", real=True)
ROUNDING_WHY = ("first-order bound on the float64 rounding of {T} steps, each ~8 ulps of |x| (the "
                "argument c*pi*x is rounded and f'' carries it) and of eta*|f'|, propagated "
                "through |1 - eta f''(x_k)|; x4")


def _function(c):
    f = x * sp.cos(rational(c) * sp.pi * x)
    return f, sp.diff(f, x), sp.diff(f, x, 2)


def _critical_points(fp, fpp, lo, hi):
    """Every root of f' that nsolve finds from starts at each quarter of [lo, hi]."""
    roots = []
    start = lo
    while start <= hi:
        try:
            r = sp.nsolve(fp, x, start, prec=work_dps())
        except (ValueError, ZeroDivisionError):
            r = None
        if r is not None and lo <= r <= hi and all(abs(r - q) > sp.Float(10) ** (10 - work_dps())
                                                   for q in roots):
            roots.append(r)
        start += sp.Rational(1, 4)
    roots.sort()
    return roots, ["minimum" if fpp.subs(x, r) > 0 else "maximum" for r in roots]


@derivation
def gd_cosine(c, x0, eta, steps, window=("-12", "12")):
    """gd on x cos(c pi x) from x0: the trajectory (with its float64 rounding bound), the ascent
    mistake, the critical points in ``window``, and the minimum the run converges to."""
    f, fp, fpp = _function(c)
    grad = sp.lambdify(x, fp, "mpmath")
    curv = sp.lambdify(x, fpp, "mpmath")
    eta_ = mpmath.mpf(sp.N(rational(eta), work_dps()))
    xk = mpmath.mpf(sp.N(rational(x0), work_dps()))
    states, ascent, local, jacs = [xk], [xk], [], []
    for _ in range(steps):
        g = grad(xk)
        local.append(8 * U * (abs(xk) * (1 + eta_ * abs(curv(xk))) + eta_ * abs(g)))
        jacs.append([[1 - eta_ * curv(xk)]])
        xk = xk - eta_ * g
        states.append(xk)
        ascent.append(ascent[-1] + eta_ * grad(ascent[-1]))
    bound = max(propagated_rounding_jac(local, jacs))
    # The limit: iterate on (the contraction near a stable minimum is |1 - eta f''| < 1), then
    # polish with nsolve so the value is right to every digit, not to the iteration's stopping.
    limit = xk
    for _ in range(20000):
        step = eta_ * grad(limit)
        limit -= step
        if abs(step) < mpmath.mpf(10) ** (-20):
            break
    else:
        raise ValueError(f"gd on x cos({c} pi x) from {x0} with eta {eta} does not converge")
    reached = sp.nsolve(fp, x, sp.Float(limit, 30), prec=work_dps())
    lo, hi = (rational(w) for w in window)
    points, labels = _critical_points(fp, fpp, lo, hi)
    index = min(range(len(points)), key=lambda i: abs(points[i] - reached))
    assert abs(points[index] - reached) < sp.Float(10) ** (10 - work_dps()), "the limit is a critical point"
    return {"trajectory": Derived(states, atol=float_tolerance(bound), why=ROUNDING_WHY.format(T=steps)),
            "ascent": exact(ascent, "x <- x + eta * f'(x)"),
            "critical_points": Derived(points, rtol=1e-15, atol=1e-15,
                                       why="roots found by nsolve to all digits, rounded once"),
            "labels": exact(labels, "the sign of f'' at each critical point"),
            "reached": Derived(reached, rtol=1e-15, why="nsolve from the run's limit, rounded once"),
            "reached_index": exact(index, "which of critical_points the run converges to"),
            "curvature_at_reached": Derived(fpp.subs(x, reached), rtol=1e-15,
                                            why="f'' at the minimum, rounded once"),
            "method": exact("nsolve", "sympy's solve cannot isolate x from pi c x tan(pi c x) = 1")}
