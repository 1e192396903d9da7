"""Hidden tests for symmetry breaking: sympy's differentiation of the network's loss and 70-digit
gradient descent (autograder/ground_truth/derivations/symmetry_breaking.py), from constant, zero
and distinct initial weights."""

from __future__ import annotations

import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged
from autograder.ground_truth.cases import SYMBREAK_DATA, SYMBREAK_INITS, SYMBREAK_TRAINING

from .support import Failure, check, param_array

pytestmark = pytest.mark.exercise("symmetry_breaking")


def _pair(result, call, names):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failure(f"{call} returned {type(result).__name__}, not a pair {names}", hint=f"return {names}")
    return result


@pytest.mark.points(1)
@pytest.mark.parametrize("init", list(SYMBREAK_INITS))
def test_two_layer_gradients(target, init):
    W1, W2 = SYMBREAK_INITS[init]
    gt = ground_truth.load("two_layer_gradients_exact", **SYMBREAK_DATA, W1=W1, W2=W2)
    X, y, A, B = (param_array(v) for v in (SYMBREAK_DATA["X"], SYMBREAK_DATA["y"], W1, W2))
    saved = [a.copy() for a in (X, y, A, B)]
    call = f"two_layer_gradients(X={X.tolist()}, y={y.tolist()}, W1={A.tolist()}, W2={B.tolist()})"
    dW1, dW2 = _pair(target.symmetry_breaking.two_layer_gradients(X, y, A, B), call, "(dW1, dW2)")
    check(dW2, gt, "dW2", call=call, what="dW2")
    check(dW1, gt, "dW1", call=call, what="dW1")
    for before, after, name in zip(saved, (X, y, A, B), ("X", "y", "W1", "W2")):
        expect_unchanged(before, after, call=call, name=name)


@pytest.mark.points(2)
@pytest.mark.parametrize("init", list(SYMBREAK_INITS))
def test_train_two_layer(target, init):
    W1, W2 = SYMBREAK_INITS[init]
    gt = ground_truth.load("two_layer_training", **SYMBREAK_DATA, W1=W1, W2=W2, **SYMBREAK_TRAINING)
    X, y, A, B = (param_array(v) for v in (SYMBREAK_DATA["X"], SYMBREAK_DATA["y"], W1, W2))
    call = f"train_two_layer(X={X.tolist()}, y={y.tolist()}, W1={A.tolist()}, W2={B.tolist()}, eta=0.5, steps=5)"
    hint = {"constant": "Units that start equal get equal gradients and stay equal: every column of W1 stays "
                        "the same as the others.",
            "zero": "From zero weights a tanh network never moves: H = 0 gives dW2 = 0 and W2 = 0 gives dW1 = 0.",
            "random": "Distinct initial weights give each unit its own gradient."}[init]
    new1, new2 = _pair(target.symmetry_breaking.train_two_layer(X, y, A, B, 0.5, 5), call, "(W1, W2)")
    check(new2, gt, "W2", call=call, what="W2 after 5 steps", hint=hint)
    check(new1, gt, "W1", call=call, what="W1 after 5 steps", hint=hint)
