"""Hidden tests that kill surviving mutants of solutions/dropout.py: the strict comparison of the
mask and the defaults of dropout_forward. Expected masks are the seeded draws the docstring
prescribes (``rng.random(shape) < keep_prob``), computed here from a fresh generator.
"""

import numpy as np
import pytest

from autograder.checks import expect_close

pytestmark = pytest.mark.visibility("after_due_date")


@pytest.mark.exercise("dropout")
def test_mask_keeps_a_unit_only_when_its_draw_is_strictly_below_keep_prob(target):
    # keep_prob is chosen equal to the first uniform draw of seed 11, so unit 0 is dropped
    # (u < u is false) and the other units follow u_k < keep_prob.
    draws = np.random.default_rng(11).random(6)
    keep_prob = float(draws[0])
    expected = (draws < keep_prob).astype(float)
    assert expected[0] == 0.0
    mask = target.dropout.dropout_mask((6,), keep_prob, np.random.default_rng(11))
    expect_close(mask, expected, call=f"dropout_mask((6,), keep_prob={keep_prob!r}, seed 11)",
                 what="the mask", atol=0.0, rtol=0.0,
                 hint="Keep a unit when its draw is strictly less than keep_prob: rng.random(shape) < keep_prob.")


@pytest.mark.exercise("dropout")
def test_forward_defaults_are_inverted_training(target):
    # Defaults training=True, inverted=True: x * mask / keep_prob with mask = u < 0.5 (seed 0).
    x = np.arange(1.0, 7.0)
    mask = (np.random.default_rng(0).random(6) < 0.5).astype(float)
    out = target.dropout.dropout_forward(x, 0.5, np.random.default_rng(0))
    expect_close(out, x * mask / 0.5, call="dropout_forward(x=[1..6], keep_prob=0.5, seed 0)",
                 hint="By default dropout_forward is in training mode and inverted.")
