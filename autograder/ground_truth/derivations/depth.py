"""Vanishing gradients and variances through depth: the product of sigmoid' factors (sympy's
exact exponentials, 50 digits), and the exact variances of a wide network's pre-activations."""

from __future__ import annotations

import sympy as sp

from ..derive import U, Derived, exact, float_tolerance, rational, to_mpf
from ..registry import derivation


def _sigmoid(z):
    return 1 / (1 + sp.exp(-z))


@derivation
def sigmoid_chain_gradients(weights, pre_activations):
    """g_L = 1, g_{l-1} = g_l w_l sigmoid'(z_l); and the chain with sigmoid(z) for sigmoid'(z)."""
    ws, zs = [rational(w) for w in weights], [rational(z) for z in pre_activations]
    z = sp.Symbol("z")
    derivative = sp.diff(_sigmoid(z), z)          # sympy's own derivative, not s(1 - s) by hand
    L = len(ws)
    right, wrong = [sp.Integer(1)] * (L + 1), [sp.Integer(1)] * (L + 1)
    for layer in range(L, 0, -1):
        right[layer - 1] = right[layer] * ws[layer - 1] * derivative.subs(z, zs[layer - 1])
        wrong[layer - 1] = wrong[layer] * ws[layer - 1] * _sigmoid(zs[layer - 1])
    # each factor carries ~8 ulps (exp, division, two products); a product of L of them ~8 L ulps
    return {"g": Derived(right, rtol=float(4 * 8 * (L + 1) * U),
                         why="each layer's factor rounds ~8 times (exp, 1 + e, division, s(1 - s), w times): "
                             "relative 8 (L + 1) u on a product, x4"),
            "sigmoid_not_derivative": exact(wrong, "sigmoid(z) used where sigmoid'(z) belongs")}


@derivation
def forward_variance_sequence(fan_ins, weight_variances, input_second_moment, relu):
    """Var(z_l) = n_l v_l q_{l-1}, q_l = Var(z_l) (/2 for ReLU), exactly; and known wrong answers."""
    ns, vs = [sp.Integer(n) for n in fan_ins], [rational(v) for v in weight_variances]
    q0 = rational(input_second_moment)
    half = sp.Rational(1, 2) if relu else 1

    def run(fan, scale, halve, first=1):
        q, out = q0 * first, []
        for n, v in zip(fan, vs):
            var = n * scale(v) * q
            out.append(var)
            q = var * halve
        return out
    L = len(ns)
    return {"var": Derived(run(ns, lambda v: v, half), rtol=float(4 * 3 * L * U),
                           why="three roundings per layer (the product, the halving is exact): 3 L u, x4"),
            "no_half": exact(run(ns, lambda v: v, 1), "the ReLU's halving left out"),
            "std_not_var": exact(run(ns, sp.sqrt, half), "the weights' standard deviation for their variance"),
            "half_on_input": exact(run(ns, lambda v: v, half, first=half),
                                   "the ReLU's halving applied to the network's input as well")}
