"""Saddle points: why gradient descent slows down near them, and how it gets away.

Near a critical point ``x*`` a loss is the quadratic ``(x - x*).H.(x - x*) / 2``. At a *saddle*
the symmetric Hessian ``H`` has eigenvalues of both signs. Gradient descent multiplies the
offset along eigenvector ``u_i`` by ``1 - eta * lambda_i`` per step: along a positive
eigenvalue the offset shrinks (the *stable* directions), along a negative one it grows by the
factor ``1 - eta * lambda_min = 1 + eta * |lambda_min| > 1``.

Two consequences. Started exactly on the stable directions (no component along ``u_min``),
gradient descent walks straight into the saddle and stays there: the gradient vanishes and the
growing direction never gets a start. Started a distance ``offset`` off them (a rounding error,
a bit of SGD noise, a deliberate perturbation), it escapes, but only geometrically: the smaller
the offset and the flatter the negative curvature, the more steps it spends near the saddle,
which is why training curves show long plateaus.

Conventions: ``H`` is a symmetric float array of shape ``(d, d)`` with at least one negative
eigenvalue (use ``np.linalg.eigvalsh``); numbers are returned as Python floats and ints.
"""

from __future__ import annotations

import math

import numpy as np


def saddle_escape_factor(H, eta):
    """The factor by which each gradient-descent step multiplies the offset along the escape direction.

    ::

        factor = 1 - eta * lambda_min        # lambda_min < 0, so factor > 1

    The escape direction is the eigenvector of the *most negative* eigenvalue: it grows fastest
    and soon dominates every other direction.

    Args:
        H: symmetric array ``(d, d)`` with a negative eigenvalue.
        eta: the step size, > 0.

    Returns:
        The factor, a float > 1.

    Example:
        ``H = diag(2, -1)``, ``eta = 0.1``: ``factor = 1 - 0.1 * (-1) = 1.1`` (while the stable
        direction shrinks by ``1 - 0.2 = 0.8``).
    """
    raise NotImplementedError("saddle_escape_factor: write this function (its docstring is the assignment)")


def steps_to_escape(H, eta, offset, radius):
    """How many gradient-descent steps take an offset along the escape direction out to ``radius``.

    After ``k`` steps the offset is ``offset * factor**k`` with ``factor`` from
    :func:`saddle_escape_factor`; return the smallest integer ``k >= 0`` with
    ``offset * factor**k >= radius``::

        k = ceil(log(radius / offset) / log(factor))      (0 when offset >= radius already)

    With ``offset = 0`` (started on the stable directions) the iterate never leaves: return
    ``math.inf``.

    Args:
        H: symmetric array with a negative eigenvalue; eta: step size > 0;
        offset: the starting distance along the escape direction, >= 0; radius: the target, > 0.

    Returns:
        ``k``, an int, or ``math.inf``.

    Example:
        ``H = diag(2, -1)``, ``eta = 0.1`` (factor 1.1), ``offset = 0.001``, ``radius = 1``:
        ``log(1000) / log(1.1) = 72.48``, so ``k = 73``.
    """
    raise NotImplementedError("steps_to_escape: write this function (its docstring is the assignment)")
