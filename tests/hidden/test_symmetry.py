"""Hidden tests for symmetry: the MLP and its hidden-unit permutations (exact outputs), the counts
d! and 2^d d!, the seeded symmetric-matrix sampler, eigenvalue-sign fractions, the exact
enumeration (fractions), and the Monte Carlo positive-definite fraction (exact replay, and a
Binomial acceptance band with false-failure probability <= 1e-9)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_equal, expect_unchanged
from autograder.ground_truth import cases
from autograder.ground_truth.cases import MLP_PARAMS, PD2

from .support import Failure, check, check_value, expect_float64, param_array

X_BATCH = cases.MLP_OUTPUTS["tanh"]["x"]


def _params():
    return tuple(param_array(p) for p in MLP_PARAMS)


@pytest.mark.exercise("permutation_symmetry")
@pytest.mark.points(1)
@pytest.mark.parametrize("activation", cases.MLP_OUTPUTS)
def test_mlp_forward(target, activation):
    x = cases.MLP_OUTPUTS[activation]["x"]
    gt = ground_truth.load("mlp_output", params=MLP_PARAMS, **cases.MLP_OUTPUTS[activation])
    params, xf = _params(), param_array(x)
    saved = [p.copy() for p in params] + [xf.copy()]
    call = f"mlp_forward(params with d_in=2, d=3, d_out=2, x={xf.tolist()}{', activation=identity' if activation != 'tanh' else ''})"
    fn = target.symmetry.mlp_forward
    got = fn(params, xf) if activation == "tanh" else fn(params, xf, activation=lambda z: z)
    check(got, gt, "out", call=call, what="the output")
    expect_float64(got, call=call)
    for name, before, after in zip(("W1", "b1", "W2", "b2", "x"), saved, list(params) + [xf]):
        expect_unchanged(before, after, call=call, name=name)


@pytest.mark.exercise("permutation_symmetry")
@pytest.mark.points(1)
def test_permute_hidden_units(target):
    params = _params()
    saved = [p.copy() for p in params]
    perm = [2, 0, 1]                       # not its own inverse, so the inverse is told apart
    call = "permute_hidden_units(params (d = 3), perm=[2, 0, 1])"
    got = target.symmetry.permute_hidden_units(params, perm)
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        raise Failure(f"{call} should return a tuple (W1, b1, W2, b2)", actual=repr(type(got)))
    W1, b1, W2, b2 = params
    expected = (W1[:, perm], b1[perm], W2[perm, :], b2)
    for k, name in enumerate(("W1_new", "b1_new", "W2_new", "b2_new")):
        check_value(got[k], expected[k], {"rtol": 0.0, "atol": 0.0}, call=call, what=name)
    for name, before, after in zip(("W1", "b1", "W2", "b2"), saved, params):
        expect_unchanged(before, after, call=call, name=name)
    if got[3] is params[3]:
        raise Failure(f"{call} returned b2 itself; the contract returns new arrays (b2.copy())")
    # the permuted network computes the same function: the exact output of the original
    gt = ground_truth.load("mlp_output", params=MLP_PARAMS, x=X_BATCH)
    out = target.symmetry.mlp_forward(tuple(got), param_array(X_BATCH))
    check(out, gt, "out", call="mlp_forward(permuted params, x)", what="the output of the permuted network",
          hint="Permute the columns of W1, the entries of b1 and the rows of W2 with the same perm.")


@pytest.mark.exercise("permutation_symmetry")
@pytest.mark.points(2)
def test_equivalent_parameterizations(target, credit):
    params = _params()
    call = "equivalent_parameterizations(params with d = 3 hidden units)"
    copies = target.symmetry.equivalent_parameterizations(params)
    counts = ground_truth.load("symmetry_counts", ds=cases.SYMMETRY_DS)
    expect_equal(len(copies), int(counts.exact("permutations")[2]), call=call, what="the number of copies")
    credit.award(0.25, "count")
    W1, b1, W2, b2 = params
    for k, perm in enumerate(itertools.permutations(range(3))):   # lexicographic, as documented
        perm = list(perm)
        for part, expected, name in zip(copies[k], (W1[:, perm], b1[perm], W2[perm, :], b2), ("W1", "b1", "W2", "b2")):
            check_value(part, expected, {"rtol": 0.0, "atol": 0.0}, call=call,
                        what=f"{name} of copy {k} (permutation {tuple(perm)})",
                        hint="Copy k holds W1[:, perm], b1[perm], W2[perm, :] and b2 for the k-th perm of "
                             "itertools.permutations(range(d)).")
    credit.award(0.75, "order")
    gt = ground_truth.load("mlp_output", params=MLP_PARAMS, x=X_BATCH)
    for k, copy in enumerate(copies):
        out = target.symmetry.mlp_forward(tuple(copy), param_array(X_BATCH))
        check(out, gt, "out", call=f"mlp_forward(copy {k}, x)", what="the output")


@pytest.mark.exercise("permutation_symmetry")
@pytest.mark.points(1)
@pytest.mark.parametrize("odd", [False, True], ids=["any-activation", "odd-activation"])
def test_count_equivalent_solutions(target, odd):
    ds = cases.SYMMETRY_DS
    gt = ground_truth.load("symmetry_counts", ds=ds)
    field = "with_sign_flips" if odd else "permutations"
    for i, d in enumerate(ds):
        call = f"count_equivalent_solutions({d}, odd_activation={odd})"
        got = target.symmetry.count_equivalent_solutions(d, odd_activation=odd)
        if not isinstance(got, (int, np.integer)) or isinstance(got, bool):
            raise Failure(f"{call} should return an int, got {type(got).__name__}",
                          hint="math.factorial returns an exact int; avoid floats for counts.")
        expected = int(gt.exact(field)[i])
        expect_equal(int(got), expected, call=call, what="the count")
        if not odd:     # the default is odd_activation=False
            expect_equal(int(target.symmetry.count_equivalent_solutions(d)), expected,
                         call=f"count_equivalent_solutions({d})", what="the count (default odd_activation=False)")


class RecordingSampler:
    """A sampler that records how it is called and returns known values from the given rng."""

    def __init__(self, draw):
        self.calls, self.draw = [], draw

    def __call__(self, rng, size):
        self.calls.append(size)
        return self.draw(rng, size)


@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(1)
@pytest.mark.parametrize("n,seed", [(1, 3), (3, 4), (5, 5)])
def test_sample_symmetric_matrix(target, n, seed):
    size = n * (n + 1) // 2
    draw = lambda rng, k: rng.choice([-2.0, -1.0, 0.0, 0.5, 3.0], size=k)   # noqa: E731
    sampler = RecordingSampler(draw)
    call = f"sample_symmetric_matrix({n}, default_rng({seed}), sampler = rng.choice of 5 values)"
    got = target.symmetry.sample_symmetric_matrix(n, np.random.default_rng(seed), sampler)
    if sampler.calls != [size]:
        raise Failure(f"{call} called the sampler with sizes {sampler.calls}; expected one call with size {size}",
                      hint="Draw all n(n+1)/2 free entries with one call sampler(rng, n * (n + 1) // 2).")
    values = draw(np.random.default_rng(seed), size)
    rows, cols = np.triu_indices(n)
    expected = np.zeros((n, n))
    expected[rows, cols] = values
    expected[cols, rows] = values
    lr, lc = np.tril_indices(n)
    wrong = np.zeros((n, n))
    wrong[lr, lc] = values
    wrong[lc, lr] = values
    check_value(got, expected, {"rtol": 0.0, "atol": 0.0}, call=call, what="the matrix")
    expect_float64(got, call=call, what="the matrix")


SIGN_MATRICES = cases.EIGEN_SIGN_COUNTS["four-2x2"]


@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(1)
def test_eigenvalue_sign_fractions(target, credit):
    gt = ground_truth.load("eigen_sign_counts", matrices=SIGN_MATRICES)
    mats = [param_array(m) for m in SIGN_MATRICES]
    for form, arg in (("a list", mats), ("an array of shape (4, 2, 2)", np.array(mats))):
        call = f"eigenvalue_sign_fractions({form} of the matrices {[m.tolist() for m in mats]})"
        got = target.symmetry.eigenvalue_sign_fractions(arg)
        if len(got) != 3:
            raise Failure(f"{call} should return (positive, negative, zero)", actual=repr(got))
        check(list(got), gt, "fractions", call=call, what="(positive, negative, zero)")
        credit.award(0.5)
    # round-off: 0.1 * [[1, 1], [1, 1]] has eigenvalues 0 and 0.2, the 0 computed as ~1e-17
    gt3 = ground_truth.load("eigen_sign_counts", matrices=cases.EIGEN_SIGN_COUNTS["one-3x3"])
    mats = np.array([0.1 * np.ones((2, 2)), 0.3 * np.array([[1.0, 1.0], [1.0, 1.0]])])
    got = target.symmetry.eigenvalue_sign_fractions(mats)
    check_value(list(got), [0.5, 0.0, 0.5], {"rtol": 1e-15, "atol": 0.0},
                call="eigenvalue_sign_fractions([0.1 * ones(2, 2), 0.3 * ones(2, 2)])", what="(positive, negative, zero)",
                hint="A computed eigenvalue like 1e-17 is zero: count |lambda| <= tol as zero.")
    got = target.symmetry.eigenvalue_sign_fractions([param_array(gt3.params["matrices"][0])], tol=0.5)
    check(list(got), gt3, "fractions", call="eigenvalue_sign_fractions([[[1, 2, 0], [2, 1, 0], [0, 0, -5]]], tol=0.5)",
          what="(positive, negative, zero)")




@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", cases.EIGEN_SIGN_ENUMERATION)
def test_exact_eigenvalue_sign_probabilities(target, name):
    n, values, probs = (cases.EIGEN_SIGN_ENUMERATION[name][k] for k in ("n", "values", "probs"))
    gt = ground_truth.load("eigen_sign_enumeration", **cases.EIGEN_SIGN_ENUMERATION[name])
    call = f"exact_eigenvalue_sign_probabilities({n}, values={values}, probs={probs})"
    got = target.symmetry.exact_eigenvalue_sign_probabilities(n, [Fraction(v) for v in values],
                                                              [Fraction(p) for p in probs])
    expected = tuple(gt.exact("probabilities"))
    if not isinstance(got, tuple) or not all(isinstance(p, Fraction) for p in got):
        raise Failure(f"{call} should return a tuple of three fractions.Fraction",
                      actual=repr(got), hint="Sum Fraction weights; floats cannot be compared exactly.")
    expect_equal(got, expected, call=call, what="(P(lambda > 0), P(lambda < 0), P(lambda = 0))")


@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(1)
def test_exact_probabilities_reject_bad_input(target):
    for values, probs, why in ((["-1", "1"], ["1/2", "1/3"], "probabilities summing to 5/6"),
                               (["-1", "0", "1"], ["1/2", "1/2"], "3 values but 2 probabilities"),
                               (["-1", "1"], ["3/2", "-1/2"], "a negative probability")):
        call = f"exact_eigenvalue_sign_probabilities(2, {values}, {probs}) ({why})"
        try:
            target.symmetry.exact_eigenvalue_sign_probabilities(2, [Fraction(v) for v in values],
                                                                [Fraction(p) for p in probs])
        except ValueError:
            continue
        raise Failure(f"{call} should raise ValueError")


def _positive_definite_exactly(A: np.ndarray) -> bool:
    """Sylvester's criterion in exact rational arithmetic (every leading minor > 0)."""
    M = [[Fraction(float(a)) for a in row] for row in A]
    n = len(M)
    for k in range(n):                       # Gaussian elimination: pivots are minor ratios
        if M[k][k] <= 0:
            return False
        for i in range(k + 1, n):
            f = M[i][k] / M[k][k]
            for j in range(k, n):
                M[i][j] -= f * M[k][j]
    return True


@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(1)
@pytest.mark.parametrize("n,num_samples,seed", [(1, 40, 1), (2, 60, 2), (3, 50, 3)])
def test_positive_definite_fraction_exact_replay(target, n, num_samples, seed):
    # Replay the documented draws: num_samples matrices, each from one rng.standard_normal(n(n+1)/2)
    # in np.triu_indices order; decide definiteness exactly (a float eigensolver could disagree
    # only for a matrix within ~1e-15 of singular: probability ~1e-14 per matrix).
    rng = np.random.default_rng(seed)
    rows, cols = np.triu_indices(n)
    count = 0
    for _ in range(num_samples):
        A = np.zeros((n, n))
        vals = rng.standard_normal(n * (n + 1) // 2)
        A[rows, cols] = vals
        A[cols, rows] = vals
        count += _positive_definite_exactly(A)
    call = f"positive_definite_fraction({n}, default_rng({seed}), {num_samples})"
    got = target.symmetry.positive_definite_fraction(n, np.random.default_rng(seed), num_samples)
    check_value(got, count / num_samples, {"rtol": 0.0, "atol": 1e-15}, call=call, what="the fraction",
                hint="Draw each matrix with sample_symmetric_matrix(n, rng, standard normal sampler) and count "
                     "those whose eigenvalues are ALL > 0.")


@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
def test_positive_definite_fraction_law(target):
    # P(PD) for n = 2 is 0.11585... (a sympy/mpmath double integral); the count of positive-definite
    # draws among 2000 is Binomial(2000, P): [lo, hi] from its exact tails at 5e-10 each.
    gt = ground_truth.load("binomial_band", n=cases.PD_SAMPLES, p=PD2)
    m = cases.PD_SAMPLES
    call = f"positive_definite_fraction(2, default_rng(2718), {m})"
    got = float(target.symmetry.positive_definite_fraction(2, np.random.default_rng(2718), m))
    lo, hi = (int(v) for v in gt.exact("band"))
    if not lo / m <= got <= hi / m:
        raise Failure(f"{call} returned {got:.4f}; the exact chance is 0.1159 and {m} draws land in "
                      f"[{lo / m:.4f}, {hi / m:.4f}] except with probability 1e-9",
                      hint="A matrix counts when ALL its eigenvalues are > 0.")


@pytest.mark.exercise("wigner_symmetry")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
def test_monte_carlo_sign_fractions_agree_with_the_exact_enumeration(target):
    # m = 2000 matrices 2 x 2 with entries -1, 0, 1 (1/3 each), counted by the student's
    # eigenvalue_sign_fractions. Per matrix the fraction of positive eigenvalues lies in [0, 1] and
    # the matrices are i.i.d., so by Hoeffding P(|mean - P(lambda > 0)| >= e) <= 2 exp(-2 m e^2).
    # With e chosen so that this is delta/3 for each of the three fractions, a correct submission
    # fails with probability <= delta = 1e-9 over seeds. The matrices are drawn here, in the
    # documented fill order (sample_symmetric_matrix's exact draws are tested on their own):
    # 2000 calls of the student's sampler would cost 4000 sandbox round trips for nothing more.
    import math

    m, delta = 2000, 1e-9
    e = math.sqrt(math.log(2 * 3 / delta) / (2 * m))
    gt = ground_truth.load("eigen_sign_enumeration", **cases.EIGEN_SIGN_ENUMERATION["2x2-ternary"])
    exact = [float(p) for p in gt.exact("probabilities")]
    upper = np.random.default_rng(31415).choice([-1.0, 0.0, 1.0], size=(m, 3))  # a11, a12, a22
    mats = np.stack([upper[:, [0, 1]], upper[:, [1, 2]]], axis=1)
    call = "eigenvalue_sign_fractions(2000 symmetric 2x2 matrices with entries -1/0/1)"
    got = [float(v) for v in target.symmetry.eigenvalue_sign_fractions(mats)]
    for name, g, p in zip(("positive", "negative", "zero"), got, exact):
        if abs(g - p) > e:
            raise Failure(f"{call}: the {name} fraction is {g:.4f}; the exact probability is {p:.4f} "
                          f"({gt.text('probabilities')[('positive', 'negative', 'zero').index(name)]}) and 2000 "
                          f"matrices land within +-{e:.4f} of it except with probability 1e-9")
