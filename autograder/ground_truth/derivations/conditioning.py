"""Conditioning and the speed of gradient descent on x.H.x/2: exact eigenvalues (sympy roots of
the characteristic polynomial), the contraction factor, the best fixed step, and the number of
steps to shrink the error, counted on an exact rational trajectory."""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive import U, Derived, exact, exact_eigenvalues, rational, rational_matrix, to_mpf
from ..registry import derivation


def _spectrum(H):
    M = rational_matrix(H)
    assert M == M.T, "H must be symmetric"
    values = exact_eigenvalues(M)
    assert to_mpf(values[0]) > 0, "H must be positive definite"
    return M, values


def _largest(exprs):
    return max(exprs, key=lambda e: to_mpf(e))


def _eig_rtol(M, low, d):
    """eigvalsh is backward stable: each eigenvalue is off by ~d u ||H||, which relative to the
    smallest is d u kappa; a ratio of two such values doubles it. x16 for the constants."""
    norm = max(sum(abs(to_mpf(a)) for a in row) for row in M.tolist())
    return float(16 * d * U * norm / to_mpf(low))


@derivation
def conditioning_spectrum(H):
    """kappa, the best fixed step and its rate, and the known wrong answers for each."""
    M, values = _spectrum(H)
    low, high = values[0], values[-1]
    kappa = sp.nsimplify(high / low) if (high / low).is_Rational else high / low
    rtol = _eig_rtol(M, low, M.rows)
    why = "eigvalsh's error ~ d u ||H|| on each eigenvalue, relative to lambda_min: 16 d u kappa"
    return {
        "kappa": Derived(kappa, rtol=rtol, why=why),
        "eta_star": Derived(2 / (low + high), rtol=rtol, why=why),
        "rho_star": Derived((high - low) / (high + low), rtol=rtol, atol=rtol, why=why),
        "kappa_inverted": exact(low / high, "lambda_min / lambda_max"),
        "eta_one_over_lambda_max": exact(1 / high, "1 / lambda_max"),
        "rho_one_minus_inverse_kappa": exact(1 - low / high, "1 - 1/kappa, the rate of eta = 1/lambda_max"),
    }


@derivation
def gd_contraction(H, eta):
    """rho(eta) = max_i |1 - eta lambda_i|, and max_i (1 - eta lambda_i) without the absolute value."""
    M, values = _spectrum(H)
    eta = rational(eta)
    factors = [1 - eta * lam for lam in values]
    rho = _largest([abs(f) for f in factors])
    norm = max(sum(abs(to_mpf(a)) for a in row) for row in M.tolist())
    atol = float(16 * M.rows * U * (1 + to_mpf(eta) * norm))
    return {"rho": Derived(rho, atol=atol, why="eigvalsh's error ~ d u ||H||, times eta, plus the "
                                                "rounding of 1 - eta lambda: 16 d u (1 + eta ||H||)"),
            "without_abs": exact(_largest(factors), "max_i (1 - eta lambda_i): the overshoot ignored")}


@derivation
def steps_to_shrink_diagonal(H, eta, factor):
    """The smallest k with |x_k| <= |x_0| / factor for gradient descent on x.H.x/2 with diagonal H,
    started on the slowest axis: counted on the exact trajectory, then checked against
    ceil(log(factor) / log(1/rho))."""
    M = rational_matrix(H)
    assert M.is_diagonal(), "the trajectory is exact on the axes of a diagonal H"
    eta, factor = rational(eta), rational(factor)
    slow = max(range(M.rows), key=lambda i: abs(1 - eta * M[i, i]))
    rho = abs(1 - eta * M[slow, slow])
    assert 0 < rho < 1 and factor >= 1
    x = sp.zeros(M.rows, 1)
    x[slow] = 1
    k = 0
    while x.norm() > sp.Rational(1) / factor:      # |x_0| = 1
        x = x - eta * (M * x)
        k += 1
    ratio = mpmath.log(to_mpf(factor)) / mpmath.log(1 / to_mpf(rho))
    assert k == int(mpmath.ceil(ratio)), "the trajectory and the closed form disagree"
    # A fair case: float64 rounding of rho and the logarithms cannot move ceil across an integer.
    assert k == 0 or abs(ratio - mpmath.nint(ratio)) > mpmath.mpf("1e-6"), "log ratio too close to an integer"
    return {"rho": exact(rho, "the slowest axis' factor |1 - eta H_jj|"),
            "steps": exact(k, "an integer: counted on the exact trajectory"),
            "rounded_down": exact(int(mpmath.floor(ratio)), "floor instead of ceil")}
