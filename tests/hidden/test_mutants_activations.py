"""Hidden tests that kill surviving mutants of solutions/activations.py.

The public tests probe 0, +-ln 3 and +-1000; these probe the interval (0, 1), where a branch
boundary moved from 0 to 1 would pick the wrong formula. Expected values are derived with
sympy (the cases of ``MUTANT_CASES`` in autograder/ground_truth/cases.py).
"""

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import expect_close
from autograder.ground_truth.cases import MUTANT_CASES

pytestmark = pytest.mark.visibility("after_due_date")


def _case(key: str) -> ground_truth.GroundTruth:
    """The derived case of cases.MUTANT_CASES named ``key``."""
    name, params = MUTANT_CASES[key]
    return ground_truth.load(name, **params)


@pytest.mark.exercise("activations")
def test_sigmoid_between_zero_and_one(target):
    gt = _case("sigmoid_between_zero_and_one")
    expect_close(target.activations.sigmoid(np.array([0.5, -0.5])), gt["sigmoid"],
                 call="sigmoid([0.5, -0.5])", **gt.tol("sigmoid"))


@pytest.mark.exercise("activations")
def test_relu_grad_between_zero_and_one(target):
    # relu'(x) = 1 for every x > 0, however small.
    gt = _case("relu_grad_between_zero_and_one")
    expect_close(target.activations.relu_grad(np.array([0.5, 1e-300, -0.5])), gt["relu_grad"],
                 call="relu_grad([0.5, 1e-300, -0.5])", atol=0.0, rtol=0.0)
