"""Hidden tests for dropout: exact keep probabilities, the exact seeded mask of the documented
draw, the law of the mask (Binomial, exact quantiles at delta = 1e-9), and the four forward modes."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged
from autograder.ground_truth import cases

from .support import Failure, check, check_value, expect_float64


@pytest.mark.exercise("dropout")
@pytest.mark.points(1)
@pytest.mark.parametrize("num_dropped,num_units", cases.KEEP_PROBABILITY)
def test_keep_probability(target, num_dropped, num_units):
    gt = ground_truth.load("keep_probability", num_dropped=num_dropped, num_units=num_units)
    call = f"keep_probability({num_dropped}, {num_units})"
    got = target.dropout.keep_probability(num_dropped, num_units)
    if np.ndim(got) != 0:
        raise Failure(f"{call} should return one number, got shape {np.shape(got)}")
    check(got, gt, "p", call=call, what="p")


def _exact_mask(shape, keep_prob, seed):
    return (np.random.default_rng(seed).random(shape) < keep_prob).astype(np.float64)


@pytest.mark.exercise("dropout")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape,keep_prob,seed", [((5,), 0.3, 1), ((3, 4), 5 / 12, 2), ((2, 3, 4), 0.9, 3),
                                                  ((4, 4), 1.0, 4), ((6,), 0.0, 5)],
                         ids=["vector", "matrix", "3d", "keep-all", "drop-all"])
def test_dropout_mask_exact_draw(target, shape, keep_prob, seed):
    call = f"dropout_mask({shape}, keep_prob={keep_prob:g}, rng=default_rng({seed}))"
    rng = np.random.default_rng(seed)
    got = target.dropout.dropout_mask(shape, keep_prob, rng)
    fresh = np.random.default_rng(seed)
    expected = (fresh.random(shape) < keep_prob).astype(np.float64)
    check_value(got, expected, {"rtol": 0.0, "atol": 0.0}, call=call, what="the mask",
                hint="Draw rng.random(shape) once and keep the entries below keep_prob.")
    expect_float64(got, call=call, what="the mask")
    if rng.random() != fresh.random():
        raise Failure(f"{call} used the generator differently from one call rng.random(shape)",
                      hint="Make exactly one draw of the whole shape.")


@pytest.mark.exercise("dropout")
@pytest.mark.points(1)
@pytest.mark.visibility("after_due_date")
@pytest.mark.parametrize("p,seed", list(cases.DROPOUT_MASK_RATES.items()))
def test_dropout_mask_keep_rate(target, p, seed):
    # K = number kept among n = 4000 ~ Binomial(n, p); [lo, hi] from the exact tails, each <= 5e-10,
    # so a correct mask fails with probability <= 1e-9 over seeds.
    gt = ground_truth.load("binomial_band", n=cases.DROPOUT_MASK_UNITS, p=p)
    keep = float(gt.exact("mean")) / 4000
    call = f"dropout_mask((40, 100), keep_prob={keep:g}, rng=default_rng({seed}))"
    mask = np.asarray(target.dropout.dropout_mask((40, 100), keep, np.random.default_rng(seed)), dtype=float)
    kept = int(np.sum(mask == 1.0))
    lo, hi = (int(v) for v in gt.exact("band"))
    if np.any((mask != 0.0) & (mask != 1.0)):
        raise Failure(f"{call}: a mask holds only 0.0 and 1.0")
    if not lo <= kept <= hi:
        raise Failure(f"{call} kept {kept} of 4000 units; Binomial(4000, {p}) keeps between {lo} and {hi} "
                      "except with probability 1e-9",
                      hint="Each unit is kept when rng.random() < keep_prob.")


X = np.array([[1.5, -2.0, 0.25], [4.0, 0.0, -1.0]])


@pytest.mark.exercise("dropout")
@pytest.mark.points(1)
@pytest.mark.parametrize("training,inverted", [(True, True), (True, False), (False, True), (False, False)],
                         ids=["train-inverted", "train-standard", "test-inverted", "test-standard"])
@pytest.mark.parametrize("keep_prob", [0.75, 1.0], ids=["p=0.75", "p=1"])
def test_dropout_forward_modes(target, training, inverted, keep_prob):
    seed = 99
    x = X.copy()
    call = f"dropout_forward(x={X.tolist()}, keep_prob={keep_prob}, rng=default_rng({seed}), training={training}, inverted={inverted})"
    rng = np.random.default_rng(seed)
    got = target.dropout.dropout_forward(x, keep_prob, rng, training=training, inverted=inverted)
    mask = _exact_mask(X.shape, keep_prob, seed)
    # The contract's table.
    table = {(True, True): X * mask / keep_prob, (True, False): X * mask,
             (False, True): X.copy(), (False, False): X * keep_prob}
    # x * mask / p: at most 2 roundings
    check_value(got, table[(training, inverted)], {"rtol": 4 * np.finfo(float).eps, "atol": 0.0}, call=call,
                what="the output")
    expect_float64(got, call=call, what="the output")
    expect_unchanged(X, x, call=call, name="x")
    if got is x:
        raise Failure(f"{call} returned x itself", hint="Return a new array (x.copy() at test time).")
    fresh = np.random.default_rng(seed)
    if training:
        fresh.random(X.shape)
    if rng.random() != fresh.random():
        raise Failure(f"{call} used the generator {'more than the one mask draw' if training else 'at test time'}",
                      hint="Training draws one mask with dropout_mask(np.shape(x), keep_prob, rng); "
                           "test time draws nothing.")


@pytest.mark.exercise("dropout")
@pytest.mark.points(1)
def test_dropout_forward_defaults_to_inverted_training(target):
    x = X.copy()
    call = f"dropout_forward(x={X.tolist()}, keep_prob=0.5, rng=default_rng(7)) (defaults)"
    got = target.dropout.dropout_forward(x, 0.5, np.random.default_rng(7))
    expected = X * _exact_mask(X.shape, 0.5, 7) / 0.5
    check_value(got, expected, {"rtol": 4 * np.finfo(float).eps, "atol": 0.0}, call=call, what="the output",
                hint="With the defaults (training=True, inverted=True) the output is x * mask / keep_prob, with mask = dropout_mask(np.shape(x), keep_prob, rng).")
