"""Escaping a saddle: the exact most negative eigenvalue, and the number of gradient-descent steps
from an offset along its eigenvector out to a radius, counted on an exact rational trajectory."""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive import U, Derived, exact, exact_eigenvalues, rational, rational_matrix, to_mpf
from ..registry import derivation


@derivation
def saddle_escape(H, eta, offset, radius):
    M = rational_matrix(H)
    assert M == M.T
    values = exact_eigenvalues(M)
    low, high = values[0], values[-1]
    assert to_mpf(low) < 0 < to_mpf(high), "a saddle"
    eta, offset, radius = rational(eta), rational(offset), rational(radius)
    factor = 1 - eta * low
    # the exact trajectory: along u_min gradient descent is the scalar recursion x <- (1 - eta low) x
    # (for a diagonal H, the whole vector iteration is run instead, from offset * e_min)
    if M.is_diagonal():
        slow = min(range(M.rows), key=lambda i: M[i, i])
        x = sp.zeros(M.rows, 1)
        x[slow] = offset

        def size(v):
            return v.norm()

        def step(v):
            return v - eta * (M * v)
    else:
        x = offset

        def size(v):
            return abs(v)

        def step(v):
            return factor * v
    if offset == 0:
        steps = "inf"
    else:
        k = 0
        while size(x) < radius:
            x = step(x)
            k += 1
        ratio = mpmath.log(to_mpf(radius / offset)) / mpmath.log(to_mpf(factor))
        assert k == max(0, int(mpmath.ceil(ratio)))
        assert k == 0 or abs(ratio - mpmath.nint(ratio)) > mpmath.mpf("1e-6"), "unfair: ratio near an integer"
        steps = k
    norm = max(sum(abs(to_mpf(a)) for a in row) for row in M.tolist())
    result = {"factor": Derived(factor, atol=float(4 * 16 * M.rows * U * (1 + to_mpf(eta) * norm)),
                                why="eigvalsh's error ~ d u ||H||, times eta, plus 1 - eta lambda: 16 d u (1 + eta ||H||), x4"),
              "steps": exact(steps, "counted on the exact trajectory"),
              "largest_eigenvalue_factor": exact(1 - eta * high, "lambda_max used instead of lambda_min"),
              "without_eta_factor": exact(1 - low, "eta left out")}
    if offset != 0 and steps != 0:
        result["rounded_down"] = exact(steps - 1, "floor instead of ceil")
    return result
