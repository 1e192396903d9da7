"""Hidden tests that kill surviving mutants of solutions/normalization.py: default eps and where
eps enters the root at inference. Expected values are derived with sympy (the cases of
``MUTANT_CASES`` in autograder/ground_truth/cases.py); the comments show the arithmetic.
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


@pytest.mark.exercise("batchnorm")
def test_batchnorm_forward_default_eps(target):
    # One feature, batch [1, 3]: mean 2, biased variance 1, so x_hat = +-1 / sqrt(1 + 1e-5).
    gt = _case("batchnorm_forward_default_eps")
    out = target.normalization.batchnorm_forward(np.array([[1.0], [3.0]]), np.array([1.0]), np.array([0.0]))
    expect_close(out, gt["y"], call="batchnorm_forward([[1], [3]], gamma=[1], beta=[0])",
                 **gt.tol("y"), hint="The default eps is 1e-5.")


@pytest.mark.exercise("batchnorm")
def test_batchnorm_inference_eps_inside_the_root(target):
    # (5 - 1) * 2 / sqrt(3 + 1) + 1 = 5.
    gt = _case("batchnorm_inference_eps_inside")
    out = target.normalization.batchnorm_inference(np.array([[5.0]]), np.array([2.0]), np.array([1.0]),
                                                   np.array([1.0]), np.array([3.0]), eps=1.0)
    expect_close(out, gt["y"], call="batchnorm_inference(x=[[5]], gamma=[2], beta=[1], running_mean=[1], running_var=[3], eps=1)",
                 **gt.tol("y"))


@pytest.mark.exercise("batchnorm")
def test_batchnorm_inference_default_eps(target):
    # (5 - 1) * 2 / sqrt(4 + 1e-5) + 1.
    gt = _case("batchnorm_inference_default_eps")
    out = target.normalization.batchnorm_inference(np.array([[5.0]]), np.array([2.0]), np.array([1.0]),
                                                   np.array([1.0]), np.array([4.0]))
    expect_close(out, gt["y"],
                 call="batchnorm_inference(x=[[5]], gamma=[2], beta=[1], running_mean=[1], running_var=[4])",
                 **gt.tol("y"), hint="The default eps is 1e-5.")
