"""What the assignment text claims about sizes and values is true.

A docstring is the assignment: a claim such as "without the bias correction the first steps are
far too small" teaches the wrong thing when it is false (at t = 1 with the default betas the
uncorrected Adam step is 3.16 times too *large*). Each claim below is quoted from the solution's
docstring (the stubs are generated from it) and checked against sympy or the ground-truth cache,
never against the code under test. Editing a quoted sentence fails its test until the claim is
checked again here.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import sympy as sp

from autograder import ground_truth
from solutions import activations, dropout, gradient_descent, initialization


def _shown(value, text: str) -> bool:
    """Does ``value`` print as ``text`` (to that many decimals), as the docstring shows it?"""
    return f"{float(value):.{len(text.split('.')[1])}f}" == text


def _docstring(func) -> str:
    return " ".join(inspect.getdoc(func).split())


def _quoted(func, *phrases: str) -> None:
    text = _docstring(func)
    for phrase in phrases:
        assert " ".join(phrase.split()) in text, (
            f"{func.__name__}'s docstring no longer says {phrase!r}: check the new claim here")


def test_adam_without_bias_correction_takes_a_first_step_about_three_times_too_large():
    _quoted(gradient_descent.adam_step, "about 3 times too large, not too small",
            "(1 - beta1) / sqrt(1 - beta2) = 0.1 / 0.0316 = 3.16")
    b1, b2 = sp.Rational(9, 10), sp.Rational(999, 1000)
    assert _shown((1 - b1) / sp.sqrt(1 - b2), "3.16")
    # The cached derivation at t = 1 from zero moments with the default betas (eps = 1e-6).
    gt = ground_truth.load("adaptive_step", method="adam", x=["1", "-2", "1/2"],
                           g=["3", "-1/10", "0"], eta="1/100",
                           state={"v": ["0", "0", "0"], "s": ["0", "0", "0"]}, t=1)
    x = np.array([1.0, -2.0, 0.5])
    right, wrong = x - gt["x"], x - gt["wrong_no_bias_correction"]
    ratio = wrong[:2] / right[:2]
    assert np.all(ratio > 3.1) and np.all(ratio < 3.17), ratio


def test_adams_first_step_has_length_about_eta():
    _quoted(gradient_descent.adam_step, "the first step has length about eta in every coordinate")
    gt = ground_truth.load("adaptive_step", method="adam", x=["1", "-2", "1/2"],
                           g=["3", "-1/10", "0"], eta="1/100",
                           state={"v": ["0", "0", "0"], "s": ["0", "0", "0"]}, t=1)
    steps = np.abs(np.array([1.0, -2.0, 0.5]) - gt["x"])[:2]     # g = 0 moves nothing
    np.testing.assert_allclose(steps, 0.01, rtol=1e-4)


def test_rmsprops_first_step_is_larger_than_adagrads():
    _quoted(gradient_descent.rmsprop_step, "s_new = 0.1 * 4 = 0.4",
            "eta * 2 / sqrt(0.4) = 3.16 * eta, larger than AdaGrad's")
    _quoted(gradient_descent.adagrad_step, "the first step has length eta whatever g is")
    g, gamma = sp.Integer(2), sp.Rational(9, 10)
    s_rms = (1 - gamma) * g**2
    assert s_rms == sp.Rational(2, 5)
    rms, ada = g / sp.sqrt(s_rms), g / sp.sqrt(g**2)       # in units of eta, eps = 0
    assert _shown(rms, "3.16") and rms > ada == 1


def test_activation_examples():
    _quoted(activations.sigmoid, "``s(ln 3) = 1 / (1 + 1/3) = 0.75``", "``s(-ln 3) = 0.25``")
    _quoted(activations.sigmoid_grad, "``s'(ln 3) = 0.75 * 0.25 = 0.1875``")
    _quoted(activations.tanh_grad, "``tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6``",
            "``tanh'(ln 2) = 1 - 0.36 = 0.64``", "``tanh'(ln 3) = 0.36``")
    z = sp.Symbol("z")
    s = 1 / (1 + sp.exp(-z))
    assert sp.nsimplify(s.subs(z, sp.log(3))) == sp.Rational(3, 4)
    assert sp.nsimplify(s.subs(z, -sp.log(3))) == sp.Rational(1, 4)
    assert sp.simplify(sp.diff(s, z).subs(z, sp.log(3))) == sp.Rational(3, 16)
    assert sp.simplify(sp.tanh(sp.log(2)).rewrite(sp.exp)) == sp.Rational(3, 5)
    assert sp.simplify(sp.diff(sp.tanh(z), z).subs(z, sp.log(2)).rewrite(sp.exp)) == sp.Rational(16, 25)
    assert sp.simplify(sp.diff(sp.tanh(z), z).subs(z, sp.log(3)).rewrite(sp.exp)) == sp.Rational(9, 25)


def test_sigmoid_states_the_relative_accuracy_its_test_asks():
    """The hidden test holds sigmoid to rtol 8 eps down to 1e-300; the docstring says so and why,
    and its numbers are right: s(-40) = 4.25e-18, log of it -40, and the tanh form gives 0."""
    _quoted(activations.sigmoid, "``s(-40)`` is ``4.25e-18``, not 0", "``log(4.25e-18) = -40``",
            "``0.5 * (1 + tanh(x / 2))`` and ``1 - s(-x)`` both return exactly 0 at ``x = -40``",
            "Below ``1e-300``")
    value = sp.N(1 / (1 + sp.exp(40)), 30)
    assert f"{float(value):.2e}" == "4.25e-18"
    assert _shown(sp.log(1 / (1 + sp.exp(40))), "-40.0")
    assert 0.5 * (1 + np.tanh(-20.0)) == 0.0 and 1 - 1 / (1 + np.exp(-40.0)) == 0.0
    record = ground_truth.load("activation_values", points=["-1000", "-745", "-40", "-3", "-1/2", "0",
                                                            "1/3", "2", "25", "40", "710", "1000"])
    assert record.tol("sigmoid") == {"rtol": pytest.approx(8 * 2.0**-52), "atol": 1e-300}


def test_dropout_keep_probability_example():
    _quoted(dropout.keep_probability, "``p = 1 - 70/120 = 50/120 = 5/12 = 0.41667``",
            "7/12 = 0.58333")
    assert 1 - sp.Rational(70, 120) == sp.Rational(5, 12)
    assert _shown(sp.Rational(5, 12), "0.41667")
    assert _shown(sp.Rational(7, 12), "0.58333")


W = sp.Symbol("w", real=True)


def _normal_variance(std):
    return sp.integrate(W**2 * sp.exp(-W**2 / (2 * std**2)) / (std * sp.sqrt(2 * sp.pi)),
                        (W, -sp.oo, sp.oo))


def _uniform_variance(a):
    return sp.integrate(W**2 / (2 * a), (W, -a, a))


@pytest.mark.parametrize("func, phrase, law, scale, variance", [
    (initialization.xavier_normal, "``fan_in = 3, fan_out = 5``: variance 2 / 8 = 0.25, so ``std = 0.5``",
     _normal_variance, sp.Rational(1, 2), sp.Rational(2, 3 + 5)),
    (initialization.xavier_uniform, "``a = sqrt(6 / 3) = sqrt(2) = 1.414``, so every weight lies in "
     "(-1.414, 1.414) and the variance is 2 / 3 = 2 / (1 + 2)", _uniform_variance,
     sp.sqrt(sp.Rational(6, 1 + 2)), sp.Rational(2, 1 + 2)),
    (initialization.lecun_normal, "``fan_in = 4, fan_out = 10``: variance 1 / 4, ``std = 0.5``",
     _normal_variance, sp.Rational(1, 2), sp.Rational(1, 4)),
    (initialization.he_normal, "``fan_in = 8, fan_out = 2``: variance 2 / 8 = 0.25, ``std = 0.5``",
     _normal_variance, sp.Rational(1, 2), sp.Rational(2, 8)),
    (initialization.he_uniform, "``fan_in = 6``: ``a = sqrt(6 / 6) = 1``, weights uniform on (-1, 1) "
     "with variance 1 / 3 = 2 / 6", _uniform_variance, sp.Integer(1), sp.Rational(2, 6)),
])
def test_initialisation_examples(func, phrase, law, scale, variance):
    """Each example's scale gives the variance it states, integrated from the distribution."""
    _quoted(func, phrase)
    assert sp.simplify(law(scale) - variance) == 0
