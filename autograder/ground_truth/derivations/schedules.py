"""Piecewise-constant learning-rate schedules, stated as sympy ``Piecewise`` expressions in the step
number, and plain gradient descent following one (exact rationals throughout)."""

from __future__ import annotations

import sympy as sp

from ..derive import exact, float_tolerance, inf_norm, propagated_rounding, rational, rational_matrix, \
    Derived, U, to_mpf
from ..registry import derivation

T = sp.Symbol("t", integer=True, positive=True)


def _piecewise(boundaries, values):
    """values[0] on t <= b_0, values[i] on b_{i-1} < t <= b_i, values[k] after b_{k-1}."""
    pieces = [(v, T <= b) for v, b in zip(values, boundaries)]
    return sp.Piecewise(*pieces, (values[-1], True))


def _at(expr, ts):
    return [expr.subs(T, t) for t in ts]


@derivation
def piecewise_schedule(boundaries, values, ts):
    """The factor at each step of ``ts``, and what three known mistakes give instead."""
    bs = [sp.Integer(b) for b in boundaries]
    vs = [rational(v) for v in values]
    right = _piecewise(bs, vs)
    # switching at the boundary step itself: t < b_i selects the earlier value
    at_boundary = sp.Piecewise(*[(v, T < b) for v, b in zip(vs, bs)], (vs[-1], True))
    # boundaries read as interval lengths: the intervals end at their running sums
    ends = [sum(bs[:i + 1]) for i in range(len(bs))]
    durations = _piecewise(ends, vs)
    # values read as ratios: the factor after i boundaries is values[0] * ... * values[i]
    products = [sp.prod(vs[:i + 1]) for i in range(len(vs))]
    multiplied = _piecewise(bs, products)
    return {"factors": exact(_at(right, ts), "a value of the list, returned as it is"),
            "switch_at_boundary": exact(_at(at_boundary, ts), "t < b instead of t <= b"),
            "durations": exact(_at(durations, ts), "boundaries taken as interval lengths"),
            "multiplied": exact(_at(multiplied, ts), "the values multiplied together")}


@derivation
def gd_piecewise_schedule(A, x0, eta, steps, boundaries, values):
    """Noise-free SGD on x.A.x/2 with a piecewise-constant schedule: x_t = (I - eta_t A) x_{t-1}
    with eta_t = eta * factor(t), exactly."""
    A = rational_matrix(A)
    x = rational_matrix(x0)
    eta = rational(eta)
    schedule = _piecewise([sp.Integer(b) for b in boundaries], [rational(v) for v in values])
    xs, lips, local = [x], [], []
    for t in range(1, steps + 1):
        c = eta * schedule.subs(T, t)
        local.append((A.rows + 3) * U * (1 + inf_norm((c * A).tolist()))
                     * max(abs(to_mpf(a)) for a in x))
        lips.append(inf_norm((sp.eye(A.rows) - c * A).tolist()))
        x = x - c * (A * x)
        xs.append(x)
    bound = max(propagated_rounding(local, lips))
    return {"trajectory": Derived([list(v) for v in xs], atol=float_tolerance(bound),
                                  why=f"{steps} steps of x - eta_t A x, each rounding ~n+3 operations "
                                      "of its size, magnified by |I - eta_t A| afterwards"),
            "rates": exact([eta * schedule.subs(T, t) for t in range(1, steps + 1)],
                           "eta times the factor of each step")}
