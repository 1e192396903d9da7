"""Hidden tests for saddles: exact eigenvalues and escape times counted on exact trajectories
(autograder/ground_truth/derivations/saddles.py)."""

from __future__ import annotations

import math

import pytest

from autograder import ground_truth
from autograder.checks import expect_equal, expect_unchanged
from autograder.ground_truth.cases import SADDLE_ESCAPES

from .support import check, param_array

pytestmark = pytest.mark.exercise("saddles")
IDS = ["diag-2-1", "3d", "coupled", "offset-zero", "already-out"]


def _text(H):
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in H) + "]"


@pytest.mark.points(1)
@pytest.mark.parametrize("H,eta,offset,radius", SADDLE_ESCAPES[:3], ids=IDS[:3])
def test_saddle_escape_factor(target, H, eta, offset, radius):
    gt = ground_truth.load("saddle_escape", H=H, eta=eta, offset=offset, radius=radius)
    Hf = param_array(H)
    before = Hf.copy()
    call = f"saddle_escape_factor({_text(H)}, eta={eta})"
    check(target.saddles.saddle_escape_factor(Hf, float(param_array(eta))), gt, "factor", call=call,
          what="the escape factor")
    expect_unchanged(before, Hf, call=call, name="H")


@pytest.mark.points(1)
@pytest.mark.parametrize("H,eta,offset,radius", SADDLE_ESCAPES, ids=IDS)
def test_steps_to_escape(target, H, eta, offset, radius):
    gt = ground_truth.load("saddle_escape", H=H, eta=eta, offset=offset, radius=radius)
    call = f"steps_to_escape({_text(H)}, eta={eta}, offset={offset}, radius={radius})"
    got = target.saddles.steps_to_escape(param_array(H), float(param_array(eta)), float(param_array(offset)),
                                         float(param_array(radius)))
    if gt.text("steps") == "inf":
        expect_equal(got, math.inf, call=call, what="the number of steps",
                     hint="Started on the stable directions (offset 0), gradient descent stalls at the saddle for "
                          "ever: return math.inf.")
        return
    check(got, gt, "steps", call=call, what="the number of steps",
          hint="The smallest k with offset * factor**k >= radius (0 if offset >= radius already).")
