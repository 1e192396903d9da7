"""sigmoid, tanh', sigmoid', relu' at chosen points: sympy diff, evaluated to 50 digits."""

from __future__ import annotations

import sympy as sp

from ..derive import U, Derived, exact, rational
from ..registry import derivation

z = sp.Symbol("z", real=True)
SIGMOID = 1 / (1 + sp.exp(-z))
EPS64 = 2 * float(U)          # machine epsilon, 2.22e-16


@derivation
def activation_values(points):
    """sigmoid(z), sigmoid'(z), tanh'(z), relu'(z) (relu'(0) = 0) at exact points, with the
    answers of the known mistakes (derivative formulas applied to z instead of to sigmoid/tanh,
    relu'(0) = 1)."""
    zs = [rational(p) for p in points]
    dsig = sp.diff(SIGMOID, z)
    # sympy's derivative, 1 - tanh(z)**2, cancels catastrophically for large |z| at any fixed
    # precision (at z = 710 it is 0.e-220 at 70 digits: nothing right). sech(z)**2 is the same
    # function (checked symbolically) with no subtraction, right to every digit for every z.
    dtanh = sp.sech(z) ** 2
    assert sp.simplify((sp.diff(sp.tanh(z), z) - dtanh).rewrite(sp.exp)) == 0
    # relu = max(0, z); its derivative is Heaviside(z) with the value at 0 chosen by the contract
    drelu = sp.diff(sp.Max(0, z), z).rewrite(sp.Heaviside)
    relu_grad = [sp.Heaviside(p, 0) for p in zs]
    assert all(drelu.subs(z, p) == r for p, r in zip(zs, relu_grad) if p != 0)
    return {
        "sigmoid": Derived([SIGMOID.subs(z, p) for p in zs], rtol=8 * EPS64, atol=1e-300,
                           why="exp and one division: 8 eps relative; below 1e-300 (subnormal) "
                               "only absolute accuracy is possible"),
        "sigmoid_grad": Derived([dsig.subs(z, p) for p in zs], rtol=8 * EPS64, atol=4 * EPS64,
                                why="s(1 - s) with s correct to 2 eps: absolute error <= 4 eps "
                                    "(1 - s cancels for large z), relative 8 eps elsewhere"),
        "tanh_grad": Derived([dtanh.subs(z, p) for p in zs], rtol=8 * EPS64, atol=4 * EPS64,
                             why="1 - tanh^2 with tanh correct to 2 eps: absolute error <= 4 eps "
                                 "(the true value is sech(z)^2, 8e-617 at z = 710)"),
        "relu_grad": exact(relu_grad, "0 or 1 exactly; relu'(0) = 0 by the contract"),
        "sigmoid_grad_of_input": exact([p * (1 - p) for p in zs], "z (1 - z): the formula on z"),
        "tanh_grad_of_input": exact([1 - p**2 for p in zs], "1 - z^2: the formula on z"),
        "relu_grad_one_at_zero": exact([sp.Heaviside(p, 1) for p in zs], "relu'(0) = 1"),
    }
