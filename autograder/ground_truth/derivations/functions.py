"""The course's functions, written once in sympy; gradients and Hessians are sympy's diff."""

from __future__ import annotations

from functools import lru_cache

import mpmath
import sympy as sp

x, y = sp.symbols("x y", real=True)
x1, x2 = sp.symbols("x1 x2", real=True)

FUNCTIONS: dict[str, tuple[tuple[sp.Symbol, ...], sp.Expr]] = {
    "x^2": ((x,), x**2),
    "x*cos(pi*x)": ((x,), x * sp.cos(sp.pi * x)),
    # 0.15 written exactly: a float literal would make sympy approximate before differentiating.
    "x*cos(0.15*pi*x)": ((x,), x * sp.cos(sp.Rational(3, 20) * sp.pi * x)),
    "x^3": ((x,), x**3),
    "x^2+y^2": ((x, y), x**2 + y**2),
    "x^2-y^2": ((x, y), x**2 - y**2),
    "sin(x^2)+cos(y^2)": ((x, y), sp.sin(x**2) + sp.cos(y**2)),
    "rosenbrock": ((x, y), (1 - x)**2 + 100 * (y - x**2)**2),
    "x1^2+2*x2^2": ((x1, x2), x1**2 + 2 * x2**2),
    "0.1*x1^2+2*x2^2": ((x1, x2), sp.Rational(1, 10) * x1**2 + 2 * x2**2),
}


@lru_cache(maxsize=None)
def symbolic(name: str):
    """(variables, f, gradient column, Hessian) of a course function, all exact."""
    variables, f = FUNCTIONS[name]
    grad = sp.Matrix([sp.diff(f, v) for v in variables])
    hess = sp.hessian(f, variables)
    return variables, f, grad, hess


@lru_cache(maxsize=None)
def mp_callables(name: str):
    """f, grad, Hessian as mpmath functions of a list of mpf (for 70-digit recursions)."""
    variables, f, grad, hess = symbolic(name)
    lf = sp.lambdify(variables, f, "mpmath")
    lg = sp.lambdify(variables, list(grad), "mpmath")
    lh = sp.lambdify(variables, hess.tolist(), "mpmath")
    return (lambda p: lf(*p)), (lambda p: [mpmath.mpf(v) for v in lg(*p)]), \
        (lambda p: [[mpmath.mpf(v) for v in row] for row in lh(*p)])


def at(expr: sp.Expr | sp.Matrix, variables, point) -> sp.Expr | sp.Matrix:
    """Substitute an exact point (sympy numbers) into an expression or a matrix."""
    return expr.subs(dict(zip(variables, point)))
