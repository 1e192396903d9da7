"""Symmetry in neural networks: equivalent weights, and the eigenvalues of random symmetric matrices.

Part 1: permutation symmetry of hidden units
--------------------------------------------
A one-hidden-layer network (a multilayer perceptron, MLP) with ``d`` hidden units computes::

    h   = activation(x @ W1 + b1)        x: (n, d_in), W1: (d_in, d), b1: (d,)  ->  h: (n, d)
    out = h @ W2 + b2                    W2: (d, d_out), b2: (d_out,)          ->  out: (n, d_out)

Hidden unit ``j`` owns column ``j`` of ``W1``, entry ``j`` of ``b1`` and row ``j`` of ``W2``.
Relabelling the units (moving all three together) changes the parameters but not the function:
the sum over hidden units in ``h @ W2`` does not care about their order. So every minimum of the
loss comes with ``d!`` copies, one per permutation of the hidden units. If the activation is odd
(``tanh(-z) = -tanh(z)``), flipping the signs of a unit's incoming weights, its bias and its
outgoing weights also leaves the function unchanged, which multiplies the count by ``2**d``.
This is one reason the loss landscape of a neural network is not convex: the average of two
equivalent minima is usually not a minimum at all.

Part 2: the signs of eigenvalues of random symmetric matrices (the Wigner exercise)
-----------------------------------------------------------------------------------
At a critical point the Hessian decides: all eigenvalues positive means a minimum. A classic
exercise asks: if the Hessian were a random symmetric matrix, how likely is a minimum?

* **The eigenvalue law is symmetric.** If the entries come from a distribution symmetric about 0,
  then ``-A`` has the same law as ``A``, and the eigenvalues of ``-A`` are those of ``A`` with
  the sign flipped. So ``P(lambda > 0) = P(lambda < 0)``.
* **That does not make ``P(lambda > 0) = 1/2``.** The two halves share ``1 - P(lambda = 0)``. For
  continuous entries (Gaussian) ``P(lambda = 0) = 0`` and the answer is 1/2; but with discrete
  entries such as {-1, 0, 1}, or even {-1, 1}, singular matrices have positive probability and
  ``P(lambda > 0) = (1 - P(lambda = 0)) / 2 < 1/2``. For 2 x 2 matrices with entries -1 or 1
  (each with probability 1/2) it is 3/8, see :func:`exact_eigenvalue_sign_probabilities`.
* **A minimum needs all ``n`` eigenvalues positive**, and the eigenvalues are not independent: they
  repel each other. With standard normal entries the chance is 1/2 for n = 1, about 0.116 for
  n = 2, about 0.012 for n = 3 and about 0.0006 for n = 4: it decays faster than exponentially
  (like ``exp(-c * n**2)``; Dean and Majumdar, 2006, for the Gaussian orthogonal ensemble). In
  high dimensions, most critical points of a random landscape are saddle points.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np


# --- Part 1: permutation symmetry -------------------------------------------------------------


def mlp_forward(params, x, activation=np.tanh):
    """The output of a one-hidden-layer network on a batch of inputs.

    ::

        out = activation(x @ W1 + b1) @ W2 + b2

    Args:
        params: a tuple ``(W1, b1, W2, b2)`` with shapes ``(d_in, d)``, ``(d,)``, ``(d, d_out)``,
            ``(d_out,)``.
        x: inputs, shape ``(n, d_in)`` (one row per example).
        activation: elementwise function applied to the hidden pre-activations (default tanh).

    Returns:
        float64 array of shape ``(n, d_out)``.

    Example:
        With ``W1 = [[1, -1]]``, ``b1 = [0, 0]``, ``W2 = [[2], [3]]``, ``b2 = [1]`` and
        ``x = [[0.5]]``, the hidden pre-activations are ``[0.5, -0.5]`` and the output is
        ``2 * tanh(0.5) + 3 * tanh(-0.5) + 1 = 1 - tanh(0.5) = 0.537883`` (shape ``(1, 1)``).
    """
    raise NotImplementedError("mlp_forward: write this function (its docstring is the assignment)")


def permute_hidden_units(params, perm):
    """Relabel the hidden units: new unit ``k`` is old unit ``perm[k]``.

    ::

        W1_new = W1[:, perm]      # columns of W1: the units' incoming weights
        b1_new = b1[perm]
        W2_new = W2[perm, :]      # rows of W2: the units' outgoing weights
        b2_new = b2               # the output layer is not permuted (a copy)

    The new parameters compute exactly the same function: ``mlp_forward(new, x)`` equals
    ``mlp_forward(params, x)`` for every ``x``. Permuting ``W1`` without ``W2`` (or the other way
    round) connects units to the wrong outgoing weights and changes the function.

    Args:
        params: ``(W1, b1, W2, b2)`` as in :func:`mlp_forward`.
        perm: a permutation of ``0, ..., d - 1`` (a list, tuple or integer array).

    Returns:
        A new tuple ``(W1_new, b1_new, W2_new, b2_new)`` of float64 arrays (the inputs are not
        modified).

    Example:
        ``d = 2``, ``W1 = [[1, 2]]``, ``b1 = [10, 20]``, ``W2 = [[3], [4]]`` and ``perm = [1, 0]``
        swap the two units: ``W1_new = [[2, 1]]``, ``b1_new = [20, 10]``, ``W2_new = [[4], [3]]``.
    """
    raise NotImplementedError("permute_hidden_units: write this function (its docstring is the assignment)")


def equivalent_parameterizations(params):
    """Every relabelling of the hidden units: ``d!`` parameter tuples computing the same function.

    The permutations are taken in lexicographic order, exactly as
    ``itertools.permutations(range(d))`` lists them, and each one is applied with
    :func:`permute_hidden_units`. The first copy (the identity permutation) equals ``params``.

    Args:
        params: ``(W1, b1, W2, b2)`` with ``d`` hidden units (``d = W1.shape[1]``).

    Returns:
        A list of ``d!`` tuples ``(W1, b1, W2, b2)`` of new float64 arrays.

    Example:
        For ``d = 3`` the permutations are (0,1,2), (0,2,1), (1,0,2), (1,2,0), (2,0,1), (2,1,0):
        six parameter tuples, and ``mlp_forward`` gives the same output for each of them.
    """
    raise NotImplementedError("equivalent_parameterizations: write this function (its docstring is the assignment)")


def count_equivalent_solutions(d, odd_activation=False):
    """How many parameter settings are equivalent to a generic one, by hidden-unit symmetries.

    ::

        d!              hidden units can be put in any order
        2**d * d!       with an odd activation (tanh), each unit's signs can also be flipped

    The sign flip: for odd ``f``, ``f(-z) = -f(z)``, so negating a unit's column of ``W1``, its
    bias and its row of ``W2`` leaves its contribution ``f(z) * w`` unchanged. Each of the ``d``
    units can be flipped or not independently (``2**d`` ways), on top of the ``d!`` orders.

    Args:
        d: number of hidden units, an int >= 0.
        odd_activation: True when the activation is odd (tanh), False otherwise (ReLU, sigmoid).

    Returns:
        The count, a Python int.

    Example:
        ``d = 3``: 3! = 6 orders; with tanh 2**3 * 6 = 48. (Not (3 - 1)! = 2, and not 3**3 = 27,
        which counts all maps of 3 units to 3 slots, including ones that merge two units.)
    """
    raise NotImplementedError("count_equivalent_solutions: write this function (its docstring is the assignment)")


# --- Part 2: random symmetric matrices ---------------------------------------------------------


def sample_symmetric_matrix(n, rng, sampler):
    """Draw a random symmetric ``n x n`` matrix: i.i.d. upper triangle, mirrored below.

    A symmetric matrix has ``n * (n + 1) / 2`` free entries: the diagonal and the upper triangle.
    Draw them all with **one** call ``sampler(rng, n * (n + 1) // 2)`` and place them in the
    row-major order of ``np.triu_indices(n)``, i.e. (0, 0), (0, 1), ..., (0, n-1), (1, 1),
    (1, 2), ..., (n-1, n-1); then copy each ``A[i, j]`` to ``A[j, i]``.

    Args:
        n: size of the matrix, an int >= 1.
        rng: a ``numpy.random.Generator``.
        sampler: a function ``sampler(rng, size)`` returning ``size`` numbers, for example
            ``lambda rng, size: rng.standard_normal(size)`` or
            ``lambda rng, size: rng.choice([-1.0, 0.0, 1.0], size=size)``.

    Returns:
        float64 array of shape ``(n, n)`` with ``A == A.T``.

    Example:
        If the sampler returns ``[1, 2, 3, 4, 5, 6]`` for ``n = 3``, the matrix is::

            [[1, 2, 3],
             [2, 4, 5],
             [3, 5, 6]]
    """
    raise NotImplementedError("sample_symmetric_matrix: write this function (its docstring is the assignment)")


def eigenvalue_sign_fractions(matrices, tol=1e-12):
    """Fractions of positive, negative and zero eigenvalues over a collection of symmetric matrices.

    Compute the eigenvalues of every matrix (``np.linalg.eigvalsh``, for symmetric matrices), pool
    them all, and count::

        positive: lambda > tol      negative: lambda < -tol      zero: |lambda| <= tol

    The tolerance matters: a singular matrix in floating point has eigenvalues like 1e-16 instead
    of exactly 0, which must count as zero, not as positive.

    Args:
        matrices: a sequence of ``m`` symmetric ``(n, n)`` matrices, or an array of shape
            ``(m, n, n)``.
        tol: eigenvalues with ``|lambda| <= tol`` count as zero.

    Returns:
        ``(positive, negative, zero)``, three Python floats summing to 1.

    Example:
        ``[[1, 0], [0, -1]]`` has eigenvalues 1, -1 and ``[[1, 1], [1, 1]]`` has 0, 2: of the four
        eigenvalues two are positive, one negative and one zero, so the result is
        ``(0.5, 0.25, 0.25)``.
    """
    raise NotImplementedError("eigenvalue_sign_fractions: write this function (its docstring is the assignment)")


def exact_eigenvalue_sign_probabilities(n, values, probs):
    """Exact sign probabilities of a random eigenvalue of a random symmetric matrix with discrete entries.

    The ``n * (n + 1) / 2`` free entries (diagonal and upper triangle) are i.i.d., equal to
    ``values[k]`` with probability ``probs[k]``. Enumerate every one of the
    ``len(values) ** (n * (n + 1) / 2)`` matrices, weight it by the product of its entries'
    probabilities, and give each of its ``n`` eigenvalues (counted with multiplicity) the weight
    ``1 / n``: this is the law of an eigenvalue chosen uniformly from a random matrix. Use
    ``fractions.Fraction`` (or integers over a common denominator) for the sums.

    Floating-point eigenvalues cannot decide ``lambda = 0`` reliably, so count the signs exactly.
    Two ways:

    * **With sympy**: ``sympy.Matrix(A).charpoly()`` on ``sympy.Rational`` entries and the rule of
      signs below, or ``sympy.Poly.count_roots`` / ``sympy.real_roots``, or
      ``sympy.Matrix(A).eigenvals()`` for small ``n``.
    * **With integers only**: multiply every value by the common denominator ``D`` of the values;
      ``B = D * A`` is an integer matrix with the same eigenvalue signs (``D > 0``). Its
      characteristic polynomial ``p(x) = det(x I - B) = x**n + c1 x**(n-1) + ... + cn`` comes from
      the Faddeev-LeVerrier recurrence, in which every division is exact::

          M_1 = I
          c_k = -trace(B @ M_k) / k,    M_{k+1} = B @ M_k + c_k I        (k = 1, ..., n)

    Then read the signs off the coefficients. **Descartes' rule of signs**: the number of positive
    roots of a polynomial is at most the number of sign changes in its coefficients (zeros
    skipped), and equal to it when every root is real, as here: a symmetric matrix has only real
    eigenvalues. So::

        zero eigenvalues      = how many of the last coefficients cn, c(n-1), ... are 0 (x**z divides p)
        positive eigenvalues  = sign changes in 1, c1, ..., cn
        negative eigenvalues  = n - positive - zero     (the sign changes of p(-x))

    Worked example: ``B = [[1, 2], [2, 1]]``. ``M_1 = I`` gives ``c1 = -trace(B) = -2``;
    ``M_2 = B - 2 I = [[-1, 2], [2, -1]]``, ``B @ M_2 = [[3, 0], [0, 3]]``, so ``c2 = -6 / 2 = -3``
    and ``p(x) = x**2 - 2x - 3``. The signs ``+ - -`` change once: one positive eigenvalue, no zero
    one, so one negative (indeed ``p(x) = (x - 3)(x + 1)``). For ``[[1, 1], [1, 1]]``,
    ``p(x) = x**2 - 2x + 0``: one zero eigenvalue, and ``x - 2`` has one sign change: one positive.

    Time: each call may take up to 30 s (other functions get 10 s). On the largest graded case,
    ``n = 3`` with three values (``3**6 = 729`` matrices), the integer route takes about 0.1 s,
    ``charpoly`` with the sign rule below 0.5 s, ``real_roots`` or ``count_roots`` 2-3 s and
    ``eigenvals()`` 4-5 s (measured on a busy 2-core machine). For ``n = 3`` ``eigenvals()``
    also returns cubic radicals with ``I`` in them, whose sign sympy cannot always decide
    (``lam > 0`` raises ``TypeError``): prefer ``charpoly``.

    Args:
        n: size of the matrices, an int >= 1 (the enumeration grows fast: keep it small).
        values: the possible entry values (rationals: ints, Fractions or strings like "1/2").
        probs: their probabilities (Fractions, ints or strings such as "1/3"), summing to 1.

    Returns:
        ``(P(lambda > 0), P(lambda < 0), P(lambda = 0))``, three ``fractions.Fraction`` summing
        to 1.

    Raises:
        ValueError: if ``values`` and ``probs`` differ in length, a probability is negative, or
            they do not sum to 1.

    Examples:
        ``n = 1``: the eigenvalue is the entry itself. Entries -1, 0, 1 with probabilities
        1/4, 1/2, 1/4 give ``(1/4, 1/4, 1/2)``.

        ``n = 2``, entries -1 or 1 with probability 1/2 each: ``A = [[a, b], [b, c]]`` has trace
        ``a + c`` and determinant ``a*c - 1``. If ``a = c`` (probability 1/2) the determinant is 0
        and the eigenvalues are 0 and ``2a``; if ``a != c`` they are ``+-sqrt(2)``. So
        ``P(lambda > 0) = 1/2 * 1/2 * 1/2 + 1/2 * 1/2 = 3/8``, likewise ``P(lambda < 0) = 3/8``,
        and ``P(lambda = 0) = 1/4``: the law is symmetric, yet ``P(lambda > 0) != 1/2``.
    """
    raise NotImplementedError("exact_eigenvalue_sign_probabilities: write this function (its docstring is the assignment)")


def positive_definite_fraction(n, rng, num_samples):
    """Monte Carlo estimate of the chance that a random symmetric matrix is positive definite.

    Draw ``num_samples`` matrices one after the other with
    ``sample_symmetric_matrix(n, rng, lambda rng, size: rng.standard_normal(size))`` and return
    the fraction whose eigenvalues are **all** > 0 (the Hessian of a minimum). Compare with the
    fraction of positive *eigenvalues*, about 1/2: requiring all ``n`` at once is far rarer.

    A loop does it, but it is faster to draw every matrix at once: a ``numpy.random.Generator``
    fills an array from its stream in order, so ``rng.standard_normal((num_samples, size))`` with
    ``size = n * (n + 1) // 2`` holds exactly the numbers of ``num_samples`` draws of ``size``
    (row ``k`` is matrix ``k``'s upper triangle), and ``np.linalg.eigvalsh`` takes a stack of
    matrices of shape ``(num_samples, n, n)``, giving eigenvalues of shape ``(num_samples, n)``.

    Args:
        n: size of the matrices, an int >= 1.
        rng: a ``numpy.random.Generator``.
        num_samples: number of matrices to draw, an int >= 1.

    Returns:
        The fraction, a Python float in [0, 1].

    Example:
        ``n = 1``: the 1 x 1 matrix ``[[a]]`` is positive definite when ``a > 0``, so the result
        is the fraction of positive draws, about 0.5. For ``n = 2``, ``[[a, b], [b, c]]`` is
        positive definite when ``a > 0`` and ``a*c - b**2 > 0``: only about 0.116 of the draws.
    """
    raise NotImplementedError("positive_definite_fraction: write this function (its docstring is the assignment)")
