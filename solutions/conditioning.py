"""Conditioning and the speed of gradient descent on a quadratic.

Near a minimum, a loss looks like the quadratic ``f(x) = (x - x*).H.(x - x*) / 2`` with ``H`` its
Hessian: symmetric and positive definite, with eigenvalues ``0 < lambda_min <= ... <= lambda_max``.
Gradient descent with a fixed step ``eta`` moves the error ``e_k = x_k - x*`` by::

    e_{k+1} = e_k - eta * H e_k = (I - eta * H) e_k

Along the eigenvector of ``lambda_i`` the error is multiplied by ``1 - eta * lambda_i`` at every
step, so the slowest direction decides how fast the whole error shrinks. How far apart the
eigenvalues are is the *condition number* ``kappa = lambda_max / lambda_min``: a long, narrow
valley (large ``kappa``) forces a step small enough for the steep walls, which then crawls along
the flat floor.

Conventions: ``H`` is a symmetric positive definite float array of shape ``(d, d)``; use
``np.linalg.eigvalsh`` (made for symmetric matrices: real eigenvalues, ascending). Every function
returns plain Python numbers (``float`` or ``int``) and leaves its inputs unchanged.
"""

from __future__ import annotations

import math

import numpy as np


def condition_number(H):
    """The condition number ``kappa = lambda_max / lambda_min`` of a symmetric positive definite H.

    ``kappa >= 1``; it is 1 exactly when every direction has the same curvature (``H = c I``,
    round level sets), and large for a long, narrow valley.

    Args:
        H: symmetric positive definite array of shape ``(d, d)``.

    Returns:
        ``kappa``, a float.

    Example:
        ``H = [[2, 0], [0, 8]]`` (the Hessian of ``x1^2 + 4 x2^2``) has eigenvalues 2 and 8::

            >>> condition_number(np.array([[2.0, 0.0], [0.0, 8.0]]))
            4.0
    """
    eigenvalues = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    return float(eigenvalues[-1] / eigenvalues[0])


def gd_contraction_factor(H, eta):
    """The factor by which one gradient-descent step shrinks the error in the worst direction.

    The error along eigenvector ``i`` is multiplied by ``1 - eta * lambda_i`` per step, so the
    worst case over all starting points is::

        rho(eta) = max_i |1 - eta * lambda_i|  =  max(|1 - eta * lambda_min|, |1 - eta * lambda_max|)

    The absolute value matters: a step too long overshoots, ``1 - eta * lambda_max`` goes below 0
    and the error flips sign while it shrinks (or grows, once it is below -1). Gradient descent
    converges from every start exactly when ``rho < 1``, i.e. ``0 < eta < 2 / lambda_max``.

    Args:
        H: symmetric positive definite array of shape ``(d, d)``.
        eta: the step size, a float >= 0.

    Returns:
        ``rho``, a float.

    Example:
        With eigenvalues 2 and 8 and ``eta = 0.2``: ``|1 - 0.4| = 0.6`` and ``|1 - 1.6| = 0.6``,
        so ``rho = 0.6``; with ``eta = 0.1`` it is ``max(0.8, 0.2) = 0.8``.
    """
    eigenvalues = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    return float(np.max(np.abs(1.0 - eta * eigenvalues)))


def best_fixed_step(H):
    """The fixed step that makes gradient descent fastest on the quadratic, and its rate.

    ``rho(eta)`` is the larger of ``|1 - eta * lambda_min|`` (falling in eta) and
    ``|1 - eta * lambda_max|`` (rising once ``eta > 1 / lambda_max``); it is smallest where the
    two meet, ``1 - eta * lambda_min = eta * lambda_max - 1``::

        eta* = 2 / (lambda_min + lambda_max)
        rho* = (lambda_max - lambda_min) / (lambda_max + lambda_min) = (kappa - 1) / (kappa + 1)

    So the best rate depends on ``kappa`` alone: with ``kappa = 100``, each step removes only
    about 2% of the error, however the step is tuned. (Note ``eta* = 1 / lambda_max`` only when
    all eigenvalues are equal; that step gives the slower rate ``1 - 1 / kappa``.)

    Args:
        H: symmetric positive definite array of shape ``(d, d)``.

    Returns:
        ``(eta_star, rho_star)``, two floats.

    Example:
        Eigenvalues 2 and 8: ``eta* = 2 / 10 = 0.2`` and ``rho* = (4 - 1) / (4 + 1) = 0.6``.
    """
    eigenvalues = np.linalg.eigvalsh(np.asarray(H, dtype=np.float64))
    low, high = float(eigenvalues[0]), float(eigenvalues[-1])
    return 2.0 / (low + high), (high - low) / (high + low)


def steps_to_shrink(rho, factor):
    """How many steps of contraction factor ``rho`` it takes to shrink the error ``factor``-fold.

    After ``k`` steps the error is at most ``rho**k`` times the first one; we want the smallest
    integer ``k >= 0`` with::

        rho**k <= 1 / factor,    i.e.    k = ceil(log(factor) / log(1 / rho))

    This is sharp: started on the eigenvector of the slowest direction, the error is exactly
    ``rho**k`` times the first, so one step fewer does not reach the target. With the best step,
    ``rho = (kappa - 1) / (kappa + 1)``, and ``k`` grows about like ``kappa / 2 * log(factor)``:
    ten times worse conditioning costs ten times as many steps.

    Args:
        rho: the contraction factor, ``0 < rho < 1``.
        factor: how many times smaller the error must become, ``>= 1``.

    Returns:
        ``k``, an int.

    Example:
        ``rho = 0.6``, ``factor = 10``: ``log(10) / log(1 / 0.6) = 4.51``, so ``k = 5``
        (``0.6**4 = 0.1296`` is not yet below 0.1; ``0.6**5 = 0.07776`` is).
    """
    return max(0, math.ceil(math.log(factor) / math.log(1.0 / rho)))
