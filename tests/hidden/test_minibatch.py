"""Hidden tests for minibatch SGD. Batch gradients come from the exact derivation of every batch
of a small data set (whose mean is the full gradient, asserted exactly); trajectories from the
exact trajectories of every order an epoch's shuffle can give, looked up by replaying the
Generator (autograder/ground_truth/derivations/minibatch.py)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_equal, expect_unchanged
from autograder.ground_truth.cases import MINIBATCH_DATA, MINIBATCH_GRADIENTS, MINIBATCH_SGD, MINIBATCH_W0

from .support import Failure, check, check_value, param_array

pytestmark = pytest.mark.exercise("minibatch_sgd")


def _replay(n, batch_size, num_epochs, seed):
    rng = np.random.default_rng(seed)
    epochs = []
    for _ in range(num_epochs):
        order = rng.permutation(n).tolist()
        epochs.append([order[s:s + batch_size] for s in range(0, n, batch_size)])
    return epochs




@pytest.mark.points(1)
@pytest.mark.parametrize("n,batch_size,seed", [(7, 3, 0), (6, 2, 11), (5, 5, 3), (4, 1, 5)])
def test_minibatch_indices(target, n, batch_size, seed):
    expected = _replay(n, batch_size, 1, seed)[0]
    call = f"minibatch_indices({n}, {batch_size}, default_rng({seed}))"
    got = target.minibatch.minibatch_indices(n, batch_size, np.random.default_rng(seed))
    try:
        got = [np.asarray(b).astype(np.int64).tolist() for b in got]
    except (TypeError, ValueError):
        raise Failure(f"{call} did not return a list of integer arrays", hint="return a list of index arrays") from None
    expect_equal(got, expected, call=call, what="the batches",
                 hint="One rng.permutation(n), cut into consecutive pieces of batch_size.")


@pytest.mark.points(1)
@pytest.mark.parametrize("w,batch_size", MINIBATCH_GRADIENTS)
def test_minibatch_gradient_of_every_batch_averages_to_the_full_gradient(target, w, batch_size):
    gt = ground_truth.load("minibatch_gradients_all", **MINIBATCH_DATA, w=w, batch_size=batch_size)
    X, y, wa = param_array(MINIBATCH_DATA["X"]), param_array(MINIBATCH_DATA["y"]), param_array(w)
    saved = X.copy(), y.copy(), wa.copy()
    batches = list(itertools.combinations(range(X.shape[0]), batch_size))
    got = []
    for batch, expected in zip(batches, gt["gradients"]):
        call = f"minibatch_gradient(X={X.tolist()}, y={y.tolist()}, w={wa.tolist()}, batch={list(batch)})"
        got.append(check_value(target.minibatch.minibatch_gradient(X, y, wa, list(batch)), expected,
                               gt.tol("gradients"), call=call, what="the batch gradient"))
    # the mean of the student's own estimates over every batch is the full gradient (unbiased)
    check(np.mean(got, axis=0), gt, "full", call=f"the mean of minibatch_gradient over all {len(batches)} "
                                                   f"batches of size {batch_size}", what="the mean estimate",
          expected=gt["full"])
    for before, after, name in zip(saved, (X, y, wa), ("X", "y", "w")):
        expect_unchanged(before, after, call="minibatch_gradient", name=name)


@pytest.mark.points(2)
@pytest.mark.parametrize("n,batch_size,num_epochs,eta", MINIBATCH_SGD, ids=["n=4,b=2", "n=3,b=2", "n=4,b=3"])
@pytest.mark.parametrize("seed", [0, 1])
def test_minibatch_sgd_replays_exactly(target, n, batch_size, num_epochs, eta, seed):
    X, y = MINIBATCH_DATA["X"][:n], MINIBATCH_DATA["y"][:n]
    gt = ground_truth.load("minibatch_sgd_all_orders", X=X, y=y, w0=MINIBATCH_W0, eta=eta,
                           batch_size=batch_size, num_epochs=num_epochs)
    flat = [b for epoch in _replay(n, batch_size, num_epochs, seed) for b in epoch]
    key = json.dumps([sorted(b) for b in flat], separators=(",", ":"))
    call = (f"minibatch_sgd(X={param_array(X).tolist()}, y={param_array(y).tolist()}, w0=[0, 0], eta={eta}, "
            f"batch_size={batch_size}, num_epochs={num_epochs}, rng=default_rng({seed}))")
    traj = target.minibatch.minibatch_sgd(param_array(X), param_array(y), np.zeros(2), float(param_array(eta)),
                                          batch_size, num_epochs, np.random.default_rng(seed))
    check(traj, gt, key, call=call, what="the trajectory",
          hint="Replay: one rng.permutation(n) per epoch, cut into batches, one update per batch, "
               "each averaging the gradient over its batch.")
