"""Second-order ideas: Newton's method, curvature, stable step sizes, Hessian-vector products.

Gradient descent only sees the slope. The Hessian ``H`` (the matrix of second derivatives)
describes the *curvature*: along an eigenvector ``u`` of ``H`` with eigenvalue ``lambda`` the
function bends like ``lambda * t**2 / 2``. This module uses that one idea five ways: to jump to
the minimum of a quadratic model (Newton), to tell minima from maxima and saddles, to find the
largest learning rate gradient descent survives, and to get curvature information from
gradients alone when ``H`` is too large to write down (Hessian-vector products and power
iteration), as one must for a neural network with millions of parameters.

Conventions used throughout this module
---------------------------------------
* ``x``, ``g``, ``v`` and ``delta`` are float64 arrays of shape ``(d,)``; ``H`` is a symmetric
  array of shape ``(d, d)``.
* ``grad`` is a function ``grad(x) -> array of shape (d,)``; ``matvec`` a function
  ``matvec(v) -> array of shape (d,)`` computing ``A @ v`` for some symmetric matrix ``A`` that
  you never see.
* Every function returns new arrays (or Python floats where stated) and never modifies its
  inputs.
"""

from __future__ import annotations

import numpy as np


def newton_step(x, g, H, damping=0.0):
    """One (damped) Newton step: jump to the minimum of the local quadratic model.

    Near ``x`` the function looks like ``f(x) + g.d + d.H.d / 2`` (see
    :func:`taylor_second_order`). Setting the gradient of this model to zero gives ``H d = -g``,
    so the step is::

        x_new = x - (H + damping * I)^{-1} g

    Compute it by *solving* the linear system ``(H + damping * I) d = g`` with
    ``np.linalg.solve`` and returning ``x - d``. Do not form the inverse matrix: solving is
    cheaper and more accurate, and an ill-conditioned ``H`` hurts the inverse most.

    Why damping helps: adding ``damping * I`` adds ``damping`` to every eigenvalue of ``H``.
    Plain Newton (``damping = 0``) is attracted to *any* critical point, saddles and maxima
    included, and takes huge steps where ``H`` is nearly singular. With a large enough
    ``damping`` the matrix is positive definite, so the step goes downhill, and its length
    shrinks: as ``damping`` grows the step tends to ``-g / damping``, a short gradient-descent
    step with learning rate ``1 / damping``. (This is the Levenberg-Marquardt idea.)

    Args:
        x: current point, shape ``(d,)``.
        g: gradient at ``x``, shape ``(d,)``.
        H: Hessian at ``x``, shape ``(d, d)``.
        damping: a float >= 0 added to the diagonal of ``H``.

    Returns:
        ``x_new``, a new float64 array of shape ``(d,)``.

    Raises:
        numpy.linalg.LinAlgError (a subclass of ValueError): if ``H + damping * I`` is singular,
        which is what ``np.linalg.solve`` raises by itself.

    Example:
        On a quadratic, Newton lands on the minimiser in one step. With ``H = diag(2, 4)``,
        ``x = [1, 1]`` and ``g = H x = [2, 4]``: ``d = [2/2, 4/4] = [1, 1]`` and
        ``x_new = [0, 0]``. With ``damping = 2`` the system is ``diag(4, 6) d = [2, 4]``, so
        ``d = [0.5, 0.6667]`` and ``x_new = [0.5, 0.3333]``: a shorter, more cautious step.
    """
    x = np.asarray(x, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    H = np.asarray(H, dtype=np.float64)
    d = np.linalg.solve(H + damping * np.eye(H.shape[0]), g)
    return x - d


def classify_critical_point(H, tol=1e-8):
    """Say what kind of critical point (a point where the gradient is 0) the Hessian ``H`` shows.

    Let ``lambda_1 <= ... <= lambda_d`` be the eigenvalues of the symmetric matrix ``H``
    (``np.linalg.eigvalsh``). Along the eigenvector of ``lambda_i`` the function curves up if
    ``lambda_i > 0`` and down if ``lambda_i < 0``. Treat an eigenvalue with
    ``|lambda_i| <= tol`` as zero (round-off makes exact zeros rare). Then:

    * ``"saddle"`` if some eigenvalue is ``> tol`` and another is ``< -tol``: the function goes
      up in one direction and down in another, as ``f(x, y) = x**2 - y**2`` (or ``x * y``) does
      at the origin. This holds even if other eigenvalues are zero: the two signs already prove
      it is neither a minimum nor a maximum.
    * otherwise ``"degenerate"`` if some ``|lambda_i| <= tol``: second derivatives cannot decide,
      higher-order terms do (``x**4`` has a minimum at 0, ``x**3`` has none, and both have
      ``H = [[0]]``).
    * otherwise ``"minimum"`` if every eigenvalue is ``> tol`` (H positive definite), and
      ``"maximum"`` if every eigenvalue is ``< -tol`` (H negative definite).

    Args:
        H: symmetric Hessian, shape ``(d, d)``.
        tol: eigenvalues with absolute value ``<= tol`` count as zero.

    Returns:
        One of the strings ``"minimum"``, ``"maximum"``, ``"saddle"``, ``"degenerate"``.

    Raises:
        ValueError: if ``H`` is not a square matrix.

    Example:
        ``f(x, y) = x * y`` has ``H = [[0, 1], [1, 0]]`` with eigenvalues ``-1`` and ``1``
        (eigenvectors ``(1, -1)`` and ``(1, 1)``): a ``"saddle"``. ``H = diag(2, 3)`` is a
        ``"minimum"``; ``H = diag(1, 1e-10)`` is ``"degenerate"`` with the default ``tol``.
    """
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square matrix, got shape {H.shape}")
    eigenvalues = np.linalg.eigvalsh(H)
    has_up = bool(np.any(eigenvalues > tol))
    has_down = bool(np.any(eigenvalues < -tol))
    if has_up and has_down:
        return "saddle"
    if np.any(np.abs(eigenvalues) <= tol):
        return "degenerate"
    return "minimum" if has_up else "maximum"


def max_stable_learning_rate(H):
    """The largest learning rate for which gradient descent converges on a quadratic with Hessian ``H``.

    On ``f(x) = (x - x*).H.(x - x*) / 2`` the gradient is ``H (x - x*)``, so one step of gradient
    descent gives::

        x_new - x* = (I - eta * H) (x - x*)

    Along an eigenvector of ``H`` with eigenvalue ``lambda`` the error is multiplied by
    ``1 - eta * lambda`` each step. It shrinks in every direction exactly when
    ``|1 - eta * lambda| < 1`` for every eigenvalue, that is ``0 < eta < 2 / lambda`` for all of
    them, so the sharpest direction decides::

        eta_max = 2 / lambda_max

    At ``eta = eta_max`` the iterate bounces between two points forever; above it, it diverges.
    (Near a minimum of any smooth function the same bound holds with ``H`` the Hessian there:
    this is why the learning rate must shrink when the loss surface is sharp.)

    If ``H`` is not positive definite (some eigenvalue ``<= 0``) the quadratic has no minimum
    and no learning rate makes gradient descent converge: raise ``ValueError``.

    Args:
        H: symmetric Hessian, shape ``(d, d)``.

    Returns:
        ``2 / lambda_max`` as a Python float.

    Raises:
        ValueError: if ``H`` is not a square matrix, or not positive definite.

    Example:
        ``f(x) = x**2`` has ``H = [[2]]``, so ``eta_max = 1``: with ``eta = 1`` the update
        ``x <- x - 2x`` just flips the sign of ``x``. For ``H = diag(1, 4)`` the answer is
        ``2 / 4 = 0.5`` (not ``2 / 1``: the flat direction does not matter for stability).
    """
    H = np.asarray(H, dtype=np.float64)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"H must be a square matrix, got shape {H.shape}")
    eigenvalues = np.linalg.eigvalsh(H)
    if eigenvalues[0] <= 0.0:
        raise ValueError(f"H is not positive definite (smallest eigenvalue {eigenvalues[0]:.6g}): "
                         "gradient descent has no stable learning rate")
    return 2.0 / float(eigenvalues[-1])


def hessian_vector_product(grad, x, v, h=1e-5):
    """Approximate ``H(x) @ v`` from two gradient evaluations, without ever forming ``H``.

    The directional derivative of the gradient along ``v`` is ``H v``; approximate it by the
    central difference::

        H v  ~  (grad(x + h * v) - grad(x - h * v)) / (2 * h)

    Why central and not forward (``(grad(x + h v) - grad(x)) / h``): by Taylor's theorem
    ``grad(x +/- h v) = grad(x) +/- h H v + h**2 T / 2 +/- O(h**3)`` (``T`` the third-derivative
    term). In the difference the ``h**2`` terms cancel, so the error is ``O(h**2)``; the forward
    difference keeps ``h T / 2``, an ``O(h)`` error. With ``h = 1e-5`` that is about ``1e-10``
    against ``1e-5``. (Smaller ``h`` is not always better: round-off in the subtraction grows
    like ``1e-16 / h``.)

    This costs two gradients, whatever the dimension ``d``, which is what makes curvature
    computable for a network with a million parameters, where ``H`` has 10^12 entries.

    Args:
        grad: gradient function, ``grad(x) -> array of shape (d,)``.
        x: the point, shape ``(d,)``.
        v: the direction, shape ``(d,)``.
        h: the finite-difference step, a small float > 0.

    Returns:
        A float64 array of shape ``(d,)``.

    Example:
        ``f(x) = x**4 / 4`` has ``grad(x) = x**3`` and ``H = 3 x**2``. At ``x = 1``, ``v = 1``,
        ``h = 0.1``: ``(1.1**3 - 0.9**3) / 0.2 = (1.331 - 0.729) / 0.2 = 3.01``, close to the
        exact ``H v = 3``; the error is exactly ``h**2 = 0.01`` here. The forward difference
        gives ``(1.331 - 1) / 0.1 = 3.31``, thirty times further off.
    """
    x = np.asarray(x, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    plus = np.asarray(grad(x + h * v), dtype=np.float64)
    minus = np.asarray(grad(x - h * v), dtype=np.float64)
    return (plus - minus) / (2.0 * h)


def power_iteration(matvec, dim, num_iters, rng):
    """The eigenvalue of largest magnitude, and its eigenvector, using only products ``A @ v``.

    Do exactly this (the tests replay it with the same ``rng``)::

        v = rng.standard_normal(dim)          # one draw, the random start
        v = v / ||v||
        repeat num_iters times:
            w = matvec(v)
            v = w / ||w||
        eigenvalue = v . matvec(v)            # the Rayleigh quotient
        return eigenvalue, v

    If some ``w`` is exactly zero, ``v`` is an eigenvector with eigenvalue 0: stop and return
    ``(0.0, v)``.

    Why it works: write the start as ``v = c_1 u_1 + ... + c_d u_d`` in the eigenvectors of the
    symmetric matrix ``A``, with ``|lambda_1| > |lambda_2| >= ...``. After ``k`` products it is
    ``lambda_1**k (c_1 u_1 + c_2 (lambda_2/lambda_1)**k u_2 + ...)``: every other direction
    shrinks relative to ``u_1`` by at least ``|lambda_2 / lambda_1|`` per step. A random start
    has ``c_1 != 0`` with probability 1. So ``v`` approaches ``u_1`` with error
    ``O(|lambda_2/lambda_1|**k)``, and for a symmetric ``A`` the Rayleigh quotient is even
    better, ``O(|lambda_2/lambda_1|**(2k))``. When ``|lambda_2|`` is close to ``|lambda_1|``
    convergence is slow.

    The sign of the returned vector is not fixed (``-u_1`` is as good an eigenvector as ``u_1``,
    and when ``lambda_1 < 0`` the sign flips at every step); the tests compare it up to sign.
    The eigenvalue keeps its sign: the Rayleigh quotient of ``diag(-3, 1)`` tends to ``-3``.

    With ``matvec`` a :func:`hessian_vector_product`, this finds the sharpest curvature
    ``lambda_max`` of a loss, and so :func:`max_stable_learning_rate`, without forming ``H``.

    Args:
        matvec: function ``matvec(v) -> A @ v`` for a symmetric ``(dim, dim)`` matrix ``A``.
        dim: the dimension ``d``.
        num_iters: number of products in the loop (0 returns the normalised start).
        rng: a ``numpy.random.Generator``.

    Returns:
        ``(eigenvalue, vector)``: a Python float and a float64 array of shape ``(dim,)`` with
        norm 1.

    Example:
        For ``A = [[2, 1], [1, 2]]`` (eigenvalues 3 and 1, eigenvectors ``(1, 1)/sqrt(2)`` and
        ``(1, -1)/sqrt(2)``) the error shrinks by ``1/3`` per step; after 40 steps the result is
        ``3.0`` and ``+/-(0.70711, 0.70711)`` to machine precision.
    """
    v = np.asarray(rng.standard_normal(dim), dtype=np.float64)
    v = v / np.linalg.norm(v)
    for _ in range(num_iters):
        w = np.asarray(matvec(v), dtype=np.float64)
        norm = np.linalg.norm(w)
        if norm == 0.0:
            return 0.0, v
        v = w / norm
    eigenvalue = float(v @ np.asarray(matvec(v), dtype=np.float64))
    return eigenvalue, v


def taylor_second_order(f_x, g, H, delta):
    """The second-order Taylor model of ``f`` around ``x``, evaluated at ``x + delta``.

    ::

        f(x + delta)  ~  f_x + g . delta + delta . H . delta / 2

    where ``f_x = f(x)``, ``g`` the gradient and ``H`` the Hessian at ``x``. The ``1/2`` comes
    from Taylor's theorem (``t**2 / 2!`` in one dimension). The error is ``O(||delta||**3)``, and
    the model is exact when ``f`` is quadratic. Newton's method (:func:`newton_step`) minimises
    this model; a gradient-descent step ``delta = -eta * g`` minimises the first-order model
    plus the penalty ``||delta||**2 / (2 * eta)``, which replaces ``H`` by ``I / eta``.

    Args:
        f_x: the value ``f(x)``, a float.
        g: gradient at ``x``, shape ``(d,)``.
        H: Hessian at ``x``, shape ``(d, d)``.
        delta: the displacement, shape ``(d,)``.

    Returns:
        The model value, a Python float.

    Example:
        ``f(x) = x1**2 + x1*x2 + 3*x2**2`` at ``x = (1, 1)``: ``f_x = 5``, ``g = (3, 7)``,
        ``H = [[2, 1], [1, 6]]``. For ``delta = (1, -1)``: ``g . delta = -4`` and
        ``delta . H . delta = 2 - 2 + 6 = 6``, so the model gives ``5 - 4 + 3 = 4``, which is
        exactly ``f(2, 0) = 4`` because ``f`` is quadratic.
    """
    g = np.asarray(g, dtype=np.float64)
    H = np.asarray(H, dtype=np.float64)
    delta = np.asarray(delta, dtype=np.float64)
    return float(f_x + g @ delta + 0.5 * (delta @ H @ delta))


def least_squares_gradient_and_hessian(X, y, w):
    """The gradient and Hessian of the mean squared error over a batch, for a linear model.

    Newton's method (like gradient descent) minimises the loss averaged over the ``m`` examples
    of the training set, here ``E(w) = (1/m) * sum_i (x_i . w - y_i)**2 / 2``. Both derivatives
    are averages over the batch as well::

        r = X @ w - y                 # residuals, shape (m,)
        g = X.T @ r / m               # shape (d,)
        H = X.T @ X / m               # shape (d, d): the same at every w (E is quadratic in w)

    Averaging rather than summing keeps the numbers the same size whatever the batch size, so
    one learning rate serves every batch. (For the Newton step itself the ``1/m`` cancels in
    ``H^{-1} g``; for gradient descent, which uses ``g`` alone, it does not.)

    Args:
        X: the inputs, shape ``(m, d)``, one example per row.
        y: the targets, shape ``(m,)``.
        w: the weights, shape ``(d,)``.

    Returns:
        ``(g, H)``, new float64 arrays of shapes ``(d,)`` and ``(d, d)``.

    Example:
        ``X = [[1, 0], [1, 2]]``, ``y = [1, 3]``, ``w = [0, 0]``: ``r = [-1, -3]``,
        ``g = [[1, 1], [0, 2]] @ [-1, -3] / 2 = [-2, -3]`` and
        ``H = [[2, 2], [2, 4]] / 2 = [[1, 1], [1, 2]]``.
    """
    X = np.asarray(X, dtype=np.float64)
    m = X.shape[0]
    residuals = X @ np.asarray(w, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return X.T @ residuals / m, X.T @ X / m


def newton_method(grad, hess, w0, max_steps, tol=1e-8, damping=0.0):
    """Newton's method as a whole algorithm: repeat damped Newton steps until the gradient vanishes.

    ::

        w = w0
        repeat at most max_steps times:
            g = grad(w)
            if ||g|| <= tol: stop                       # the stopping rule, checked before a step
            solve (hess(w) + damping * I) d = g         # np.linalg.solve; never invert
            w = w - d

    Return the trajectory: row 0 is ``w0`` and each later row one iterate, so a run that stops
    after ``k`` steps returns ``k + 1`` rows (``max_steps + 1`` if the rule never fires).

    What to expect (each case is a test):

    * On a quadratic with positive definite Hessian the first step lands on the minimiser exactly;
      the gradient there is zero, so the loop stops with two rows.
    * Plain Newton looks for a point where the gradient vanishes, not for a minimum. Where the
      curvature is negative it heads for a maximum or a saddle: on
      ``f = x**4/4 - x**2/2 + y**2/2`` from ``(1/4, 1)`` it goes to the saddle ``(0, 0)``, not to a
      minimum ``(+-1, 0)``.
    * Damping adds ``damping`` to every eigenvalue: with a large enough ``damping`` the matrix is
      positive definite, every step goes downhill, and the same start slides towards ``(1, 0)``,
      more slowly (no longer in a few steps).

    Implement the step here yourself (do not call :func:`newton_step`), so that this exercise is
    graded on its own.

    Args:
        grad: function ``grad(w) -> array (d,)``, the (batch-averaged) gradient.
        hess: function ``hess(w) -> array (d, d)``, the (batch-averaged) Hessian.
        w0: the starting point, shape ``(d,)``.
        max_steps: the largest number of steps to take.
        tol: stop when the Euclidean norm of the gradient is at most ``tol``.
        damping: a float >= 0 added to the diagonal of the Hessian.

    Returns:
        float64 array of shape ``(k + 1, d)``, ``k <= max_steps`` the number of steps taken.

    Example:
        ``f = x**2 + 2*y**2``: ``grad = (2x, 4y)``, ``hess = diag(2, 4)``. From ``w0 = [1, 1]`` the
        first step solves ``diag(2, 4) d = [2, 4]``, so ``d = [1, 1]`` and ``w1 = [0, 0]``, where
        the gradient is zero: the result is ``[[1, 1], [0, 0]]``.
    """
    w = np.array(w0, dtype=np.float64)
    trajectory = [w.copy()]
    for _ in range(max_steps):
        g = np.asarray(grad(w), dtype=np.float64)
        if np.linalg.norm(g) <= tol:
            break
        H = np.asarray(hess(w), dtype=np.float64)
        w = w - np.linalg.solve(H + damping * np.eye(H.shape[0]), g)
        trajectory.append(w.copy())
    return np.array(trajectory)
