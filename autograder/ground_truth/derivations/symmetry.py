"""Symmetries of a one-hidden-layer MLP and eigenvalue signs of random symmetric matrices."""

from __future__ import annotations

import itertools
from fractions import Fraction

import sympy as sp

from ..derive import U, Derived, exact, float_tolerance, rational, rational_matrix, to_mpf
from ..registry import derivation


@derivation
def symmetry_counts(ds):
    """d! and 2^d d! (exact integers) and the counts of the known mistakes."""
    return {"permutations": exact([sp.factorial(d) for d in ds]),
            "with_sign_flips": exact([2**d * sp.factorial(d) for d in ds]),
            "factorial_minus_one": exact([sp.factorial(d - 1) for d in ds], "(d-1)!"),
            "d_power_d": exact([sp.Integer(d) ** d for d in ds], "d^d"),
            "two_d_factorial": exact([2 * sp.factorial(d) for d in ds], "2 d! instead of 2^d d!")}


def _sign_counts(M: sp.Matrix) -> tuple[int, int, int]:
    """(#positive, #negative, #zero) eigenvalues of a rational symmetric matrix, exactly.

    A symmetric matrix's characteristic polynomial has only real roots, and for such a
    polynomial Descartes' rule of signs is exact: the number of positive roots (with
    multiplicity) is the number of sign changes of its coefficients. Zero roots are the power of
    lambda dividing it; negative roots are the rest.
    """
    coeffs = [c for c in M.charpoly().all_coeffs()]          # highest degree first
    n = len(coeffs) - 1
    zeros = 0
    while zeros < n and coeffs[n - zeros] == 0:
        zeros += 1
    nonzero = [c for c in coeffs[: n + 1 - zeros] if c != 0]
    positive = sum(1 for a, b in zip(nonzero, nonzero[1:]) if (a > 0) != (b > 0))
    return positive, n - zeros - positive, zeros


@derivation
def eigen_sign_enumeration(n, values, probs):
    """Enumerate every symmetric n x n matrix with i.i.d. entries (upper triangle and diagonal)
    from ``values`` with ``probs``; exact probabilities (fractions) that a uniformly chosen
    eigenvalue is > 0, < 0, = 0, that *all* are > 0 (a minimum), and the mistake of counting zero
    eigenvalues as positive."""
    vals = [rational(v) for v in values]
    ps = [rational(p) for p in probs]
    assert sum(ps) == 1
    slots = [(i, j) for i in range(n) for j in range(i, n)]
    pos = neg = zer = allpos = sp.Integer(0)
    for choice in itertools.product(range(len(vals)), repeat=len(slots)):
        M = sp.zeros(n, n)
        weight = sp.Integer(1)
        for (i, j), k in zip(slots, choice):
            M[i, j] = M[j, i] = vals[k]
            weight *= ps[k]
        p_, n_, z_ = _sign_counts(M)
        pos += weight * p_
        neg += weight * n_
        zer += weight * z_
        allpos += weight * (1 if p_ == n else 0)
    return {"probabilities": exact([pos / n, neg / n, zer / n],
                                   "E[#eigenvalues of each sign] / n, summed exactly"),
            "positive_definite": exact(allpos, "P(all eigenvalues > 0)"),
            "zero_as_positive": exact([(pos + zer) / n, neg / n, sp.Integer(0)],
                                      "zero eigenvalues counted as positive")}


@derivation
def eigen_sign_counts(matrices, tol="0"):
    """Exact (#positive, #negative, #zero) eigenvalues over a list of rational symmetric matrices
    (|lambda| <= tol counts as zero; tol = 0 uses exact signs)."""
    t = rational(tol)
    totals = [0, 0, 0]
    for rows in matrices:
        M = rational_matrix(rows)
        if t == 0:
            counts = _sign_counts(M)
        else:
            eigs = [e for e, m in M.eigenvals().items() for _ in range(m)]
            counts = (sum(1 for e in eigs if e > t), sum(1 for e in eigs if e < -t),
                      sum(1 for e in eigs if abs(e) <= t))
        totals = [a + b for a, b in zip(totals, counts)]
    total = sum(totals)
    return {"counts": exact(totals),
            "fractions": Derived([sp.Rational(c, total) for c in totals], rtol=4e-16,
                                 why="a count divided by the number of eigenvalues: 1 rounding"),
            "zero_as_positive": exact([sp.Rational(totals[0] + totals[2], total),
                                       sp.Rational(totals[1], total), 0])}


@derivation
def mlp_output(params, x, activation="tanh"):
    """h = act(x W1 + b1), out = h W2 + b2, exactly (tanh evaluated to 50 digits)."""
    W1, b1, W2, b2 = (rational_matrix(p) for p in params)
    X = rational_matrix(x)
    if X.cols == 1 and W1.rows != 1:       # a single example given as a vector
        X = X.T
    act = {"tanh": sp.tanh, "identity": lambda a: a, "relu": lambda a: sp.Max(0, a)}[activation]
    pre = X * W1 + sp.ones(X.rows, 1) * b1.T
    h = pre.applyfunc(act)
    out = h * W2 + sp.ones(X.rows, 1) * b2.T
    mag = max(abs(to_mpf(v)) for v in out) + max(abs(to_mpf(v)) for v in h) * \
        max(abs(to_mpf(v)) for v in W2) * W2.rows + max(abs(to_mpf(v)) for v in pre) * W1.rows
    return {"out": Derived(out.tolist(), atol=float_tolerance(8 * U * mag),
                           why="two matrix products and tanh: ~8 ulps of the summed magnitudes"),
            "hidden": exact(h.tolist())}
