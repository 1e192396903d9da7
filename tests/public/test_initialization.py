"""Public tests for assignments/initialization.py.

Each initialiser's contract fixes its one random draw (``rng.normal(0.0, std, size=...)`` or
``rng.uniform(-a, a, size=...)``), so a fresh generator with the same seed reproduces the
expected matrix; the standard deviations and limits are worked out by hand in the comments.
"""

import math

import numpy as np
import pytest

from autograder.checks import expect_close


def normal_draw(seed, std, shape):
    return np.random.default_rng(seed).normal(0.0, std, size=shape)


def uniform_draw(seed, a, shape):
    return np.random.default_rng(seed).uniform(-a, a, size=shape)


@pytest.mark.exercise("initialization")
@pytest.mark.points(2)
def test_xavier_normal_and_uniform(target):
    m = target.initialization
    # fan_in = 3, fan_out = 5: variance 2 / (3 + 5) = 1/4, so std = 1/2.
    W = m.xavier_normal(3, 5, np.random.default_rng(0))
    expect_close(W, normal_draw(0, 0.5, (3, 5)), call="xavier_normal(fan_in=3, fan_out=5, rng seed 0)",
                 what="the weight matrix",
                 hint="Draw once with rng.normal(0.0, std, size=(fan_in, fan_out)), std = sqrt(2 / (fan_in + fan_out)).")
    # fan_in = 5, fan_out = 7: a = sqrt(6 / 12) = sqrt(1/2) = 0.7071; without the root a = 1/2.
    W = m.xavier_uniform(5, 7, np.random.default_rng(1))
    expect_close(W, uniform_draw(1, math.sqrt(0.5), (5, 7)),
                 call="xavier_uniform(fan_in=5, fan_out=7, rng seed 1)", what="the weight matrix",
                 hint="Draw once with rng.uniform(-a, a, size=(fan_in, fan_out)), a = sqrt(6 / (fan_in + fan_out)).")


@pytest.mark.exercise("initialization")
@pytest.mark.points(2)
def test_lecun_and_he_normal_use_fan_in(target):
    m = target.initialization
    # lecun_normal, fan_in = 4, fan_out = 1: variance 1/4, std 1/2 (with fan_out: std 1).
    W = m.lecun_normal(4, 1, np.random.default_rng(2))
    expect_close(W, normal_draw(2, 0.5, (4, 1)), call="lecun_normal(fan_in=4, fan_out=1, rng seed 2)",
                 what="the weight matrix")
    # he_normal, fan_in = 8, fan_out = 2: variance 2/8 = 1/4, std 1/2 (with fan_out: 2/2, std 1;
    # without He's factor 2: variance 1/8, std 0.3536).
    W = m.he_normal(8, 2, np.random.default_rng(3))
    expect_close(W, normal_draw(3, 0.5, (8, 2)), call="he_normal(fan_in=8, fan_out=2, rng seed 3)",
                 what="the weight matrix")


@pytest.mark.exercise("initialization")
def test_he_uniform(target):
    # fan_in = 24, fan_out = 3: a = sqrt(6 / 24) = 1/2 (without the root 1/4; with fan_out
    # sqrt(6 / 3) = sqrt(2)).
    W = target.initialization.he_uniform(24, 3, np.random.default_rng(4))
    expect_close(W, uniform_draw(4, 0.5, (24, 3)), call="he_uniform(fan_in=24, fan_out=3, rng seed 4)",
                 what="the weight matrix",
                 hint="Draw once with rng.uniform(-a, a, size=(fan_in, fan_out)), a = sqrt(6 / fan_in).")
