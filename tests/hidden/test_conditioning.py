"""Hidden tests for conditioning: every expected value comes from the exact eigenvalues of
autograder/ground_truth/derivations/conditioning.py (roots of the characteristic polynomial), and
the step counts from exact rational trajectories."""

from __future__ import annotations

import pytest

from autograder import ground_truth
from autograder.checks import expect_unchanged
from autograder.ground_truth.cases import CONDITIONING_HESSIANS, GD_CONTRACTIONS, STEPS_TO_SHRINK

from .support import Failure, check, param_array

pytestmark = pytest.mark.exercise("conditioning")


def _text(H):
    return "[" + ", ".join("[" + ", ".join(row) + "]" for row in H) + "]"


@pytest.mark.points(1)
@pytest.mark.parametrize("H", CONDITIONING_HESSIANS, ids=[_text(H) for H in CONDITIONING_HESSIANS])
def test_condition_number(target, H):
    gt = ground_truth.load("conditioning_spectrum", H=H)
    Hf = param_array(H)
    before = Hf.copy()
    call = f"condition_number({_text(H)})"
    check(target.conditioning.condition_number(Hf), gt, "kappa", call=call, what="kappa")
    expect_unchanged(before, Hf, call=call, name="H")


@pytest.mark.points(1)
@pytest.mark.parametrize("H,eta", GD_CONTRACTIONS, ids=[f"{_text(H)}-eta={e}" for H, e in GD_CONTRACTIONS])
def test_gd_contraction_factor(target, H, eta):
    gt = ground_truth.load("gd_contraction", H=H, eta=eta)
    got = target.conditioning.gd_contraction_factor(param_array(H), float(param_array(eta)))
    check(got, gt, "rho", call=f"gd_contraction_factor({_text(H)}, eta={eta})", what="rho",
          hint="rho >= 1 means gradient descent does not converge from every start: that is an answer too.")


@pytest.mark.points(1)
@pytest.mark.parametrize("H", CONDITIONING_HESSIANS, ids=[_text(H) for H in CONDITIONING_HESSIANS])
def test_best_fixed_step(target, H):
    gt = ground_truth.load("conditioning_spectrum", H=H)
    call = f"best_fixed_step({_text(H)})"
    result = target.conditioning.best_fixed_step(param_array(H))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failure(f"{call} returned {type(result).__name__}, not a pair (eta_star, rho_star)",
                      hint="return eta_star, rho_star")
    eta, rho = result
    check(eta, gt, "eta_star", call=call, what="eta_star")
    check(rho, gt, "rho_star", call=call, what="rho_star")


@pytest.mark.points(1)
@pytest.mark.parametrize("H,eta,factor", STEPS_TO_SHRINK,
                         ids=[f"eta={e}-factor={f}" for _, e, f in STEPS_TO_SHRINK])
def test_steps_to_shrink(target, H, eta, factor):
    gt = ground_truth.load("steps_to_shrink_diagonal", H=H, eta=eta, factor=factor)
    rho = gt["rho"]
    got = target.conditioning.steps_to_shrink(rho, float(param_array(factor)))
    # Counted on the exact trajectory of gradient descent on diag(H) from the slowest axis.
    check(got, gt, "steps", call=f"steps_to_shrink(rho={gt.text('rho')}, factor={factor})", what="k",
          hint="k is the smallest integer with rho**k <= 1/factor; 0 when factor is 1.")
