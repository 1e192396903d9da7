"""Hidden tests that kill surviving mutants of solutions/normalization.py: default eps and where
eps enters the root at inference. Expected values are worked out in the comments.
"""

import math

import numpy as np
import pytest

from autograder.checks import expect_close

pytestmark = pytest.mark.visibility("after_due_date")


@pytest.mark.exercise("batchnorm")
def test_batchnorm_forward_default_eps(target):
    # One feature, batch [1, 3]: mean 2, biased variance 1, so x_hat = +-1 / sqrt(1 + 1e-5).
    out = target.normalization.batchnorm_forward(np.array([[1.0], [3.0]]), np.array([1.0]), np.array([0.0]))
    r = 1.0 / math.sqrt(1.0 + 1e-5)
    expect_close(out, [[-r], [r]], call="batchnorm_forward([[1], [3]], gamma=[1], beta=[0])",
                 rtol=1e-12, hint="The default eps is 1e-5.")


@pytest.mark.exercise("batchnorm")
def test_batchnorm_inference_eps_inside_the_root(target):
    # (5 - 1) * 2 / sqrt(3 + 1) + 1 = 5.
    out = target.normalization.batchnorm_inference(np.array([[5.0]]), np.array([2.0]), np.array([1.0]),
                                                   np.array([1.0]), np.array([3.0]), eps=1.0)
    expect_close(out, [[5.0]], call="batchnorm_inference(x=[[5]], gamma=[2], beta=[1], running_mean=[1], running_var=[3], eps=1)",
                 rtol=1e-12)


@pytest.mark.exercise("batchnorm")
def test_batchnorm_inference_default_eps(target):
    # (5 - 1) * 2 / sqrt(4 + 1e-5) + 1.
    out = target.normalization.batchnorm_inference(np.array([[5.0]]), np.array([2.0]), np.array([1.0]),
                                                   np.array([1.0]), np.array([4.0]))
    expect_close(out, [[8.0 / math.sqrt(4.0 + 1e-5) + 1.0]],
                 call="batchnorm_inference(x=[[5]], gamma=[2], beta=[1], running_mean=[1], running_var=[4])",
                 rtol=1e-12, hint="The default eps is 1e-5.")
