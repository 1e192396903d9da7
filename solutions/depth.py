"""Vanishing and exploding gradients through depth, and how initialisation keeps them steady.

Backpropagation through a deep chain multiplies one factor per layer. Take the simplest deep
network, one unit per layer::

    z_l = w_l * h_{l-1},    h_l = sigmoid(z_l),    l = 1, ..., L

By the chain rule ``dL/dh_{l-1} = dL/dh_l * sigmoid'(z_l) * w_l``: the gradient reaching layer 0
is a *product* of ``L`` factors ``w_l * sigmoid'(z_l)``. Since ``sigmoid'(z) = s(1 - s) <= 1/4``
(equality at ``z = 0``), with ``|w_l| <= 4`` every factor is at most 1 and the gradient shrinks
geometrically with depth (it *vanishes*); with large weights and unsaturated units it can grow
geometrically instead (it *explodes*).

With many units per layer the same happens to variances. For a layer with ``n_l`` inputs and
independent zero-mean weights of variance ``v_l``, independent of its zero-mean input::

    Var(z_l) = n_l * v_l * E[h_{l-1}^2]

and ``E[h^2] = Var(z)`` for a linear unit, ``Var(z) / 2`` for a ReLU (half the mass is cut to
zero, for a ``z`` symmetric about 0). So the signal keeps its scale exactly when
``n_l * v_l = 1`` (linear: LeCun's ``v = 1 / fan_in``) or ``n_l * v_l = 2`` (ReLU: He's
``v = 2 / fan_in``); Xavier's ``v = 2 / (fan_in + fan_out)`` compromises between the forward
pass and the backward one, where ``fan_out`` plays the part of ``fan_in``.

Conventions: sequences of per-layer numbers are ordered from layer 1 to layer L; functions return
float64 arrays and never modify their inputs.
"""

from __future__ import annotations

import numpy as np


def chain_gradient_magnitudes(weights, pre_activations):
    """The gradient with respect to every layer of a sigmoid chain, given ``dL/dh_L = 1``.

    ::

        g_L     = 1
        g_{l-1} = g_l * w_l * sigmoid'(z_l),     sigmoid'(z) = s * (1 - s),  s = 1 / (1 + exp(-z))

    Args:
        weights: ``w_1, ..., w_L``, a sequence of floats.
        pre_activations: ``z_1, ..., z_L`` at which the derivatives are taken.

    Returns:
        float64 array ``[g_0, g_1, ..., g_L]`` of shape ``(L + 1,)`` (so the last entry is 1).

    Example:
        Two layers with ``w = [1, 2]`` and ``z = [0, 0]``: ``sigmoid'(0) = 1/4``, so
        ``g_2 = 1``, ``g_1 = 1 * 2 * 1/4 = 0.5`` and ``g_0 = 0.5 * 1 * 1/4 = 0.125``:
        ``[0.125, 0.5, 1.0]``. Ten layers with ``w = 1`` give ``g_0 <= 4**-10``, about 1e-6.
    """
    w = np.asarray(weights, dtype=np.float64)
    s = 1.0 / (1.0 + np.exp(-np.asarray(pre_activations, dtype=np.float64)))
    factors = w * s * (1.0 - s)
    grads = np.ones(len(w) + 1)
    for layer in range(len(w), 0, -1):
        grads[layer - 1] = grads[layer] * factors[layer - 1]
    return grads


def forward_variances(fan_ins, weight_variances, input_second_moment, relu=False):
    """The variance of the pre-activations ``z_l`` at every layer of a wide random network.

    ::

        q_0 = input_second_moment                 # E[h_0^2]
        Var(z_l) = fan_ins[l] * weight_variances[l] * q_{l-1}
        q_l = Var(z_l) / 2  if relu  else  Var(z_l)

    Multiply by the variance of the weights (not their standard deviation), and use each layer's
    fan-in: ``z_l`` sums ``fan_in`` products.

    Args:
        fan_ins: ``n_1, ..., n_L``.
        weight_variances: ``v_1, ..., v_L``.
        input_second_moment: ``E[h_0^2]``, e.g. 1 for standardised inputs.
        relu: whether every layer is followed by a ReLU (else the units are linear).

    Returns:
        float64 array ``[Var(z_1), ..., Var(z_L)]``.

    Example:
        He initialisation ``v = 2 / n`` with ReLUs keeps every variance at 2 when the input's
        second moment is 1: ``fan_ins = [100, 50]``, ``weight_variances = [0.02, 0.04]`` gives
        ``[2, 2]``; LeCun's ``v = 1 / n`` with the same ReLUs halves it at every layer: ``[1, 0.5]``.
    """
    q = float(input_second_moment)
    out = []
    for n, v in zip(fan_ins, weight_variances):
        var = n * v * q
        out.append(var)
        q = var / 2.0 if relu else var
    return np.array(out, dtype=np.float64)
