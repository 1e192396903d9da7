"""The sympy side of the ground truth: how a derivation states a value and its tolerance,
how values are written to the cache, and the bound on float64 rounding that most tolerances use.

Only ``--rebuild`` and the cache test import this module (it imports sympy and mpmath).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Sequence

import mpmath
import sympy as sp

DIGITS = 50                      # significant digits of every stored decimal
WORK_DPS = 100                   # working precision of the cache's derivations
CHECK_DPS = 50                   # the second precision ``--check`` derives every case at
U = mpmath.mpf(2) ** -53         # unit roundoff of float64

mpmath.mp.dps = WORK_DPS


def work_dps() -> int:
    """The working precision now in force (mpmath's, which sympy's evaluations here follow)."""
    return mpmath.mp.dps


@contextmanager
def working_precision(dps: int):
    """Derive at ``dps`` digits: a value that changes between two precisions beyond what its
    digits promise was computed through a cancellation (``1 - tanh(z)**2`` at z = 710 is
    0.e-220 at 70 digits and 0.e-160 at 50), so ``--check`` runs every derivation under both."""
    saved = mpmath.mp.dps
    mpmath.mp.dps = dps
    try:
        yield
    finally:
        mpmath.mp.dps = saved


@dataclass
class Derived:
    """A derived value and the tolerance a float64 implementation is held to, with its reason."""
    value: Any
    rtol: float = 0.0
    atol: float = 0.0
    why: str = ""


def exact(value: Any, why: str = "") -> Derived:
    """An exact rational (or integer, or label) value: float64 only has to round it once per
    operation, so the tolerance is a few units in the last place of the value's size."""
    return Derived(value, rtol=0.0, atol=0.0, why=why)


def rational(text: Any) -> sp.Rational:
    """A parameter written exactly ("1/10", "0.9", 3) as a sympy Rational."""
    return sp.Rational(str(text))


def rational_matrix(rows: Any) -> sp.Matrix:
    if not isinstance(rows, (list, tuple)):
        return sp.Matrix([[rational(rows)]])
    if rows and not isinstance(rows[0], (list, tuple)):
        return sp.Matrix([rational(r) for r in rows])
    return sp.Matrix([[rational(a) for a in row] for row in rows])


def nested(value: Any) -> Any:
    """A sympy Matrix / numpy-like nested structure as nested Python lists."""
    if isinstance(value, sp.MatrixBase):
        if value.cols == 1:
            return [value[i] for i in range(value.rows)]
        return [[value[i, j] for j in range(value.cols)] for i in range(value.rows)]
    if isinstance(value, (list, tuple)):
        return [nested(v) for v in value]
    return value


def encode(value: Any) -> Any:
    """A value as JSON: nested lists of strings ("p/q" exact, 50-digit decimal, or a label)."""
    value = nested(value)
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, bool):
        raise TypeError("store a flag as the label 'true'/'false' or as 0/1")
    if isinstance(value, (int, Fraction)):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, mpmath.mpf):
        return _decimal(value)
    expr = sp.sympify(value)
    if expr.is_Rational:
        return str(expr)                                   # "p/q" or "p"
    if not expr.is_real:
        number = sp.N(expr, work_dps())
        if not number.is_real:
            raise ValueError(f"cannot store the non-real value {value!r}")
    return _decimal(mpmath.mpf(sp.N(expr, work_dps())))


def _decimal(x: mpmath.mpf) -> str:
    if x == 0:
        return "0"
    text = mpmath.nstr(x, DIGITS, min_fixed=-4, max_fixed=6, strip_zeros=True)
    return text


def to_mpf(value: Any) -> mpmath.mpf:
    return mpmath.mpf(sp.N(sp.sympify(value), work_dps())) if not isinstance(value, mpmath.mpf) else value


def inf_norm(rows: Sequence[Sequence[Any]]) -> mpmath.mpf:
    return max(sum(abs(to_mpf(a)) for a in row) for row in rows)


def propagated_rounding(local_errors: Sequence[Any], lipschitz: Sequence[Any]) -> list[mpmath.mpf]:
    """First-order bound on the float64 error of each iterate of a recursion.

    Step ``k`` (0-based) adds a rounding error of at most ``local_errors[k]`` (max-norm) and the
    remaining steps magnify an error by at most the product of their Lipschitz constants
    (``lipschitz[k]`` is the max-norm of the Jacobian of step ``k``). Returns the bound for
    iterates 0..T: ``E_0 = 0``, ``E_{k+1} = lipschitz[k] * E_k + local_errors[k]``.
    """
    bounds = [mpmath.mpf(0)]
    for err, lip in zip(local_errors, lipschitz):
        bounds.append(to_mpf(lip) * bounds[-1] + to_mpf(err))
    return bounds


def propagated_rounding_jac(local_errors: Sequence[Any], jacobians: Sequence[Any]) -> list[mpmath.mpf]:
    """The same bound with the Jacobian *matrices* of the steps instead of their norms.

    ``local_errors[k]`` is a number (the same bound on every component) or a vector (one bound per
    component of the state, e.g. ulps of each coordinate's own size). The bound on iterate m is
    ``max_i sum_{k<m} (|J_{m-1} ... J_{k+1}| e_k)_i``: a product of matrices can be far smaller
    than the product of their norms (momentum, Adam), so this is much tighter and still a
    first-order rigorous bound.
    """
    mats = [mpmath.matrix(j) if not isinstance(j, mpmath.matrix) else j for j in jacobians]
    n = mats[0].rows if mats else 0
    errs = [[to_mpf(e)] * n if not isinstance(e, (list, tuple)) else [to_mpf(v) for v in e]
            for e in local_errors]
    bounds = [mpmath.mpf(0)]
    for m in range(1, len(mats) + 1):
        product = mpmath.eye(n)
        total = [mpmath.mpf(0)] * n
        for k in range(m - 1, -1, -1):     # product = J_{m-1} ... J_{k+1}
            total = [total[i] + sum(abs(product[i, j]) * errs[k][j] for j in range(n))
                     for i in range(n)]
            product = product * mats[k]
        bounds.append(max(total))
    return bounds


def _mat_inf_norm(M: mpmath.matrix) -> mpmath.mpf:
    return max(sum(abs(M[i, j]) for j in range(M.cols)) for i in range(M.rows))


def jacobian(step: Callable[[list], list], state: list, h: mpmath.mpf | None = None) -> mpmath.matrix:
    """Jacobian matrix of ``step`` at ``state`` by central differences at 70 digits (h = 1e-30:
    the quotient's own error ~h^2 is far below anything float64 can see)."""
    h = h or mpmath.mpf("1e-30")
    n = len(state)
    J = None
    for j in range(n):
        up, down = list(state), list(state)
        up[j] += h
        down[j] -= h
        column = [(a - b) / (2 * h) for a, b in zip(step(up), step(down))]
        if J is None:
            J = mpmath.matrix(len(column), n)
        for i, c in enumerate(column):
            J[i, j] = c
    return J


def jacobian_norm(step: Callable[[list], list], state: list, h: mpmath.mpf | None = None) -> mpmath.mpf:
    """Max-norm of the Jacobian of ``step`` at ``state``, by central differences at 70 digits.

    With ``h = 1e-30`` the difference quotient's own error (~h^2) is far below anything float64
    can see, so this is the derivative to ~40 digits.
    """
    h = h or mpmath.mpf("1e-30")
    n = len(state)
    columns = []
    for j in range(n):
        up = list(state)
        down = list(state)
        up[j] += h
        down[j] -= h
        fu, fd = step(up), step(down)
        columns.append([(a - b) / (2 * h) for a, b in zip(fu, fd)])
    return max(sum(abs(columns[j][i]) for j in range(n)) for i in range(len(columns[0])))


def float_tolerance(bound: Any, safety: int = 4) -> float:
    """A rounding-error bound as the atol handed to tests: ``safety`` times the bound (the
    first-order analysis drops second-order terms), and never below 2**-1074 (the smallest double)."""
    return max(float(safety * to_mpf(bound)), 5e-324)


def exact_eigenvalues(M: sp.Matrix) -> list:
    """The eigenvalues of a rational symmetric matrix, exactly, with multiplicity, ascending.

    Roots of the characteristic polynomial as sympy ``CRootOf`` objects (or Rationals): exact
    real numbers that compare with rationals exactly and evaluate to any precision, where the
    radical formula of a cubic would carry spurious imaginary parts.
    """
    lam = sp.Symbol("lambda")
    roots = sp.Poly(M.charpoly(lam).as_expr(), lam).all_roots()
    assert all(r.is_real for r in roots), "a symmetric matrix has real eigenvalues"
    return sorted(roots, key=lambda r: sp.N(r, 60))
