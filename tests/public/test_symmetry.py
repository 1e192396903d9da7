"""Public tests for assignments/symmetry.py.

Network outputs are worked out by hand with tanh values; the exact eigenvalue probabilities of
small discrete matrices are derived by hand in the comments (case by case over every matrix);
seeded draws follow the documented contract with a fresh generator.
"""

import math
from fractions import Fraction

import numpy as np
import pytest

from autograder.checks import expect_close, expect_equal, expect_unchanged
from autograder.feedback import Failure


def example_params():
    # d_in = 2, d = 3 hidden units, d_out = 1.
    W1 = np.array([[1.0, 0.0, -1.0],
                   [0.0, 2.0, 1.0]])
    b1 = np.array([0.0, -1.0, 0.5])
    W2 = np.array([[1.0], [-1.0], [2.0]])
    b2 = np.array([0.5])
    return W1, b1, W2, b2


EXAMPLE_X = np.array([[1.0, 1.0], [0.0, 0.0]])
# Hidden pre-activations: x @ W1 + b1 = [[1, 2, 0] + b1, [0, 0, 0] + b1] = [[1, 1, 0.5], [0, -1, 0.5]].
# Output row 1: tanh(1) - tanh(1) + 2 tanh(0.5) + 0.5; row 2: tanh(0) - tanh(-1) + 2 tanh(0.5) + 0.5.
EXAMPLE_OUT = np.array([[2 * math.tanh(0.5) + 0.5],
                        [math.tanh(1.0) + 2 * math.tanh(0.5) + 0.5]])


def params_tuple(result, call):
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        raise Failure(f"{call} should return a tuple (W1, b1, W2, b2)", actual=repr(type(result).__name__))
    return result


def sign_triple(result, call):
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Failure(f"{call} should return a tuple (positive, negative, zero)", actual=repr(result)[:200])
    return tuple(result)


@pytest.mark.exercise("permutation_symmetry")
def test_mlp_forward(target):
    params = example_params()
    out = target.symmetry.mlp_forward(params, EXAMPLE_X)
    expect_close(out, EXAMPLE_OUT, call="mlp_forward(example params, x=[[1, 1], [0, 0]])",
                 what="the output (shape (2, 1))",
                 hint="out = activation(x @ W1 + b1) @ W2 + b2, with tanh as the default activation.")
    for before, after, name in zip(example_params(), params, ["W1", "b1", "W2", "b2"]):
        expect_unchanged(before, after, call="mlp_forward", name=name)
    # With ReLU: hidden [[1, 1, 0.5], [0, 0, 0.5]], outputs 1 - 1 + 1 + 0.5 and 0 - 0 + 1 + 0.5.
    out = target.symmetry.mlp_forward(params, EXAMPLE_X, activation=lambda z: np.maximum(z, 0.0))
    expect_close(out, [[1.5], [1.5]], call="mlp_forward(example params, x=[[1, 1], [0, 0]], activation=relu)",
                 what="the output", hint="Use the `activation` argument, not np.tanh itself.")


@pytest.mark.exercise("permutation_symmetry")
@pytest.mark.points(2)
def test_permute_hidden_units_keeps_the_function(target):
    m = target.symmetry
    params = example_params()
    call = "permute_hidden_units(example params, perm=[2, 0, 1])"
    W1, b1, W2, b2 = params_tuple(m.permute_hidden_units(params, [2, 0, 1]), call)
    # New unit k is old unit perm[k]: columns (2, 0, 1) of W1, entries of b1, rows of W2.
    expect_close(W1, [[-1.0, 1.0, 0.0], [1.0, 0.0, 2.0]], call=call, what="W1_new")
    expect_close(b1, [0.5, 0.0, -1.0], call=call, what="b1_new")
    expect_close(W2, [[2.0], [1.0], [-1.0]], call=call, what="W2_new",
                 hint="Row j of W2 holds unit j's outgoing weights: permute the rows, W2[perm, :].")
    expect_close(b2, [0.5], call=call, what="b2_new", hint="The output bias is not permuted.")
    for before, after, name in zip(example_params(), params, ["W1", "b1", "W2", "b2"]):
        expect_unchanged(before, after, call="permute_hidden_units", name=name)
    out = m.mlp_forward((W1, b1, W2, b2), EXAMPLE_X)
    expect_close(out, EXAMPLE_OUT, call="mlp_forward(permuted params, x=[[1, 1], [0, 0]])",
                 what="the output", hint="Relabelling the hidden units must not change the network's output.")


@pytest.mark.exercise("permutation_symmetry")
def test_equivalent_parameterizations(target):
    m = target.symmetry
    # d = 2: the identity, then the swap (0, 1) -> (1, 0).
    params = (np.array([[1.0, 2.0]]), np.array([10.0, 20.0]), np.array([[3.0], [4.0]]), np.array([5.0]))
    call = "equivalent_parameterizations(W1=[[1, 2]], b1=[10, 20], W2=[[3], [4]], b2=[5])"
    copies = m.equivalent_parameterizations(params)
    expect_equal(len(copies), 2, call=call, what="the number of copies (2! = 2)")
    expected = [([[1.0, 2.0]], [10.0, 20.0], [[3.0], [4.0]], [5.0]),
                ([[2.0, 1.0]], [20.0, 10.0], [[4.0], [3.0]], [5.0])]
    for k, (got, want) in enumerate(zip(copies, expected)):
        for g, w, name in zip(params_tuple(got, call), want, ["W1", "b1", "W2", "b2"]):
            expect_close(g, w, call=call, what=f"{name} of copy {k}",
                         hint="Copy k is permute_hidden_units(params, perm) for the k-th perm of "
                              "itertools.permutations(range(d)); copy 0 is the identity.")
    # d = 3: six copies, all computing the same function; copy 3 is the permutation (1, 2, 0).
    copies = m.equivalent_parameterizations(example_params())
    call = "equivalent_parameterizations(example params with d = 3)"
    expect_equal(len(copies), 6, call=call, what="the number of copies (3! = 6)")
    expect_close(params_tuple(copies[3], call)[0], [[0.0, -1.0, 1.0], [2.0, 1.0, 0.0]], call=call,
                 what="W1 of copy 3 (permutation (1, 2, 0))")
    for k, copy in enumerate(copies):
        expect_close(m.mlp_forward(copy, EXAMPLE_X), EXAMPLE_OUT, call=f"mlp_forward(copy {k}, x)",
                     what="the output")


@pytest.mark.exercise("permutation_symmetry")
def test_count_equivalent_solutions(target):
    m = target.symmetry
    # d = 4: 4! = 24 orders ((d-1)! = 6 and d**d = 256 are the usual slips).
    expect_equal(m.count_equivalent_solutions(4), 24, call="count_equivalent_solutions(4)")
    # With tanh each of the 3 units may also flip sign: 2**3 * 3! = 48.
    expect_equal(m.count_equivalent_solutions(3, odd_activation=True), 48,
                 call="count_equivalent_solutions(3, odd_activation=True)")


def counting_sampler(rng, size):
    """Returns 1, 2, ..., size: shows where each drawn value lands in the matrix."""
    return np.arange(1.0, size + 1.0)


def standard_normal_sampler(rng, size):
    return rng.standard_normal(size)


@pytest.mark.exercise("wigner_symmetry")
def test_sample_symmetric_matrix(target):
    m = target.symmetry
    # One call with size 6 = 3 * 4 / 2, placed row by row along the upper triangle and mirrored.
    A = m.sample_symmetric_matrix(3, np.random.default_rng(0), counting_sampler)
    expect_close(A, [[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]],
                 call="sample_symmetric_matrix(3, rng, sampler returning 1, 2, ..., size)",
                 hint="Call sampler(rng, n * (n + 1) // 2) once and fill np.triu_indices(n) in order, then mirror.")
    v = np.random.default_rng(9).standard_normal(3)
    A = m.sample_symmetric_matrix(2, np.random.default_rng(9), standard_normal_sampler)
    expect_close(A, [[v[0], v[1]], [v[1], v[2]]],
                 call="sample_symmetric_matrix(2, rng seed 9, standard normal sampler)")


@pytest.mark.exercise("wigner_symmetry")
def test_eigenvalue_sign_fractions(target):
    m = target.symmetry
    # Eigenvalues: diag(1, -1) -> 1, -1; [[1, 1], [1, 1]] -> 0, 2; [[0, 1], [1, 0]] -> -1, 1.
    # Of six: three positive, two negative, one zero (computed as about 1e-16: tol makes it 0).
    mats = [[[1.0, 0.0], [0.0, -1.0]], [[1.0, 1.0], [1.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]]
    call = "eigenvalue_sign_fractions([diag(1, -1), [[1, 1], [1, 1]], [[0, 1], [1, 0]]])"
    got = sign_triple(m.eigenvalue_sign_fractions(mats), call)
    expect_close(got, [3 / 6, 2 / 6, 1 / 6], atol=1e-12, call=call, what="(positive, negative, zero)")
    # tol = 0.01 makes the eigenvalue 0.001 count as zero.
    call = "eigenvalue_sign_fractions(array of one matrix diag(0.001, -2), tol=0.01)"
    got = sign_triple(m.eigenvalue_sign_fractions(np.array([[[1e-3, 0.0], [0.0, -2.0]]]), tol=0.01), call)
    expect_close(got, [0.0, 0.5, 0.5], atol=1e-12, call=call, what="(positive, negative, zero)")


@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(2)
def test_exact_eigenvalue_sign_probabilities(target):
    m = target.symmetry
    # n = 1: the eigenvalue is the entry: P(> 0) = P(3) = 1/2, P(< 0) = P(-2) = 1/6, P(0) = 1/3.
    call = "exact_eigenvalue_sign_probabilities(1, values=[-2, 0, 3], probs=['1/6', '1/3', '1/2'])"
    got = sign_triple(m.exact_eigenvalue_sign_probabilities(1, [-2, 0, 3], ["1/6", "1/3", "1/2"]), call)
    if not all(isinstance(p, Fraction) for p in got):
        raise Failure(f"{call} should return fractions.Fraction values (exact), got {got!r}",
                      hint="Accumulate with fractions.Fraction, e.g. Fraction(1, 6), never with floats.")
    expect_equal(got, (Fraction(1, 2), Fraction(1, 6), Fraction(1, 3)), call=call,
                 what="(P(lambda > 0), P(lambda < 0), P(lambda = 0))")
    # n = 2, entries -1 or 1 (1/2 each), A = [[a, b], [b, c]], det = ac - 1:
    # a = c (prob 1/2): eigenvalues 0 and 2a; a != c (prob 1/2): +-sqrt(2).
    # P(> 0) = 1/4 * 1/2 + 1/2 * 1/2 = 3/8 = P(< 0); P(0) = 1/2 * 1/2 = 1/4.
    call = "exact_eigenvalue_sign_probabilities(2, values=[-1, 1], probs=[1/2, 1/2])"
    got = sign_triple(m.exact_eigenvalue_sign_probabilities(2, [-1, 1], [Fraction(1, 2), Fraction(1, 2)]), call)
    expect_equal(got, (Fraction(3, 8), Fraction(3, 8), Fraction(1, 4)), call=call,
                 what="(P(lambda > 0), P(lambda < 0), P(lambda = 0))")
    # n = 2, entries 0 (prob 1/3) or 1 (prob 2/3); weights /27: three zeros 1, two zeros 2, one 4, none 8.
    #   (a, b, c) = (0,0,0) w 1: 0, 0        (0,1,0) w 2: +1, -1      (1,0,0), (0,0,1) w 2: 1, 0
    #   (1,1,0), (0,1,1) w 4: trace 1, det -1: one +, one -          (1,0,1) w 4: 1, 1
    #   (1,1,1) w 8: 2, 0
    # P(> 0) = (2 + 2 + 2 + 4 + 4 + 8 + 8) / 54 = 5/9; P(< 0) = (2 + 4 + 4) / 54 = 5/27;
    # P(0) = (2 + 2 + 2 + 8) / 54 = 7/27.
    call = "exact_eigenvalue_sign_probabilities(2, values=[0, 1], probs=['1/3', '2/3'])"
    got = sign_triple(m.exact_eigenvalue_sign_probabilities(2, [0, 1], ["1/3", "2/3"]), call)
    expect_equal(got, (Fraction(5, 9), Fraction(5, 27), Fraction(7, 27)), call=call,
                 what="(P(lambda > 0), P(lambda < 0), P(lambda = 0))")


@pytest.mark.exercise("wigner_symmetry")
def test_positive_definite_fraction(target):
    m = target.symmetry
    # n = 1: [[a]] is positive definite iff a > 0; the draws are the sampler's, one per matrix.
    a = np.random.default_rng(3).standard_normal(1000)
    expect_close(m.positive_definite_fraction(1, np.random.default_rng(3), 1000), np.mean(a > 0),
                 call="positive_definite_fraction(1, rng seed 3, 1000 samples)")
    # n = 2: [[a, b], [b, c]] is positive definite iff a > 0 and ac - b^2 > 0.
    a, b, c = np.random.default_rng(4).standard_normal((2000, 3)).T
    det = a * c - b * b
    pd = np.mean((a > 0) & (det > 0))
    expect_close(m.positive_definite_fraction(2, np.random.default_rng(4), 2000), pd,
                 call="positive_definite_fraction(2, rng seed 4, 2000 samples)",
                 hint="Count the matrices whose eigenvalues are ALL > 0, drawn with sample_symmetric_matrix.")
