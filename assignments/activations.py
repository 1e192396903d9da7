"""Activation functions and the derivatives backpropagation multiplies by.

Conventions used throughout this module
---------------------------------------
* ``x`` is a float or a numpy array of any shape; each function works elementwise and returns
  float64 of the same shape (a numpy float for a scalar ``x``). Inputs are never modified.
* Every function must be numerically stable for ``|x|`` up to ``1e3``: no overflow, no
  ``inf``, no ``nan`` and no warning. ``np.exp(1000)`` overflows (float64 stops near
  ``1.8e308 = exp(709.8)``), so never take ``exp`` of a large positive number. ``exp`` of a
  large *negative* number is harmless: it shrinks smoothly through the tiny (subnormal) numbers
  and reaches 0 only below ``5e-324``, near ``exp(-745)``.

Why the derivatives matter for optimisation: backpropagation multiplies by an activation's
derivative at every layer. ``sigmoid' <= 1/4`` and ``tanh' <= 1`` shrink towards 0 when a unit
saturates (large ``|x|``), which is why deep sigmoid networks suffer vanishing gradients, and
why ReLU, whose derivative is exactly 1 for every positive input, trains deep networks better.
"""

from __future__ import annotations

import numpy as np


def sigmoid(x):
    """The logistic sigmoid ``s(x) = 1 / (1 + exp(-x))``, elementwise.

    It maps the real line onto ``(0, 1)``, with ``s(0) = 1/2`` and ``s(-x) = 1 - s(x)``.

    Numerical stability: for ``x = -1000`` the formula above needs ``exp(1000)``, which
    overflows. The same function can be written ``exp(x) / (1 + exp(x))``, which is safe for
    ``x < 0`` and overflows for large positive ``x``. Use each form only where it is safe, that is
    split on the sign of ``x``, so that ``exp`` only ever sees ``-|x| <= 0``.

    Accuracy: every value must be right *relative to its own size* (to a few units in its last
    place) down to ``1e-300``: ``s(-40)`` is ``4.25e-18``, not 0. A loss needs this: cross-entropy
    takes ``log s(x)``, and ``log(4.25e-18) = -40`` where ``log(0) = -inf``. Forms that reach a
    tiny ``s`` by subtracting from 1 cancel and lose it: ``0.5 * (1 + tanh(x / 2))`` and
    ``1 - s(-x)`` both return exactly 0 at ``x = -40``, since ``tanh(-20)`` rounds to ``-1``.
    (Below ``1e-300``, where float64 runs out of digits, only absolute accuracy is asked.)

    Args:
        x: a float or an array of any shape.

    Returns:
        float64 of the shape of ``x``, every entry in ``[0, 1]``.

    Example:
        ``s(0) = 0.5``; ``s(ln 3) = 1 / (1 + 1/3) = 0.75`` and ``s(-ln 3) = 0.25``;
        ``s(1000)`` is ``1.0`` and ``s(-1000)`` is ``0.0`` in float64, with no warning.
    """
    raise NotImplementedError("sigmoid: write this function (its docstring is the assignment)")


def sigmoid_grad(x):
    """The derivative of the sigmoid, ``s'(x) = s(x) * (1 - s(x))``, elementwise.

    Differentiate ``(1 + exp(-x))^(-1)`` to get ``exp(-x) / (1 + exp(-x))**2``, and notice that
    this is ``s(x) * (1 - s(x))``. It is largest at 0 (``1/4``) and tends to 0 on both sides: a
    saturated sigmoid unit passes almost no gradient back.

    Stability: the same rules as :func:`sigmoid` apply (no overflow for ``|x|`` up to ``1e3``).

    Args:
        x: a float or an array of any shape (the *input* of the sigmoid, not its output).

    Returns:
        float64 of the shape of ``x``, every entry in ``[0, 1/4]``.

    Example:
        ``s'(0) = 0.5 * 0.5 = 0.25``; ``s'(ln 3) = 0.75 * 0.25 = 0.1875``.
    """
    raise NotImplementedError("sigmoid_grad: write this function (its docstring is the assignment)")


def tanh_grad(x):
    """The derivative of tanh, ``tanh'(x) = 1 - tanh(x)**2``, elementwise.

    ``tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x)) = 2 s(2x) - 1``, so its derivative is
    ``1 - tanh(x)**2`` (note: ``tanh(x)**2``, not ``x**2``). It is 1 at 0, four times the
    sigmoid's peak, and tends to 0 as ``|x|`` grows.

    Stability: ``np.tanh`` itself is safe for every float; ``1 / cosh(x)**2`` is not (``cosh``
    overflows for ``|x| > 710``).

    Args:
        x: a float or an array of any shape.

    Returns:
        float64 of the shape of ``x``, every entry in ``[0, 1]``.

    Example:
        ``tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6``, so ``tanh'(ln 2) = 1 - 0.36 = 0.64``;
        ``tanh(ln 3) = 0.8`` and ``tanh'(ln 3) = 0.36``.
    """
    raise NotImplementedError("tanh_grad: write this function (its docstring is the assignment)")


def relu_grad(x):
    """The derivative of ``relu(x) = max(0, x)``: 1 where ``x > 0``, and 0 elsewhere.

    ReLU has no derivative at exactly 0 (the slope jumps from 0 to 1). Any value in ``[0, 1]``
    is a valid subgradient there; we use **0**, as TensorFlow and PyTorch do, so
    ``relu_grad(0.0) == 0.0``.

    Args:
        x: a float or an array of any shape.

    Returns:
        float64 of the shape of ``x`` (zeros and ones, as floats).

    Example:
        ``relu_grad([-2.0, 0.0, 3.0])`` is ``[0.0, 0.0, 1.0]``.
    """
    raise NotImplementedError("relu_grad: write this function (its docstring is the assignment)")
