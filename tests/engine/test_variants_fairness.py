"""Every variant is fair: each combination of every variant-aware exercise is enumerated and
checked to be well-conditioned (neither trivial nor diverging), derived in the ground-truth cache,
and to tell every known wrong answer apart from the right one by far more than the tolerance.

The bounds are the instructor's fairness policy, stated once here with their reasons.
"""

from __future__ import annotations

from fractions import Fraction
from math import factorial

import numpy as np
import pytest

from autograder import ground_truth, variants
from autograder.course import load_course

# A known mistake must miss the right answer by SEPARATION times the test's tolerance, and by
# more than the loose 1e-9 relative band in which tests/hidden/support.py names a mistake: a
# wrong answer can then never pass, and is always recognised for what it is.
SEPARATION = 1e3
NAMING_RTOL = 1e-9

# Gradient descent: eta * lambda_max <= 1.6 keeps 20% of margin below the stability edge 2; the
# contraction max|1 - eta*lambda| <= 0.95 makes the run converge visibly, and after the run the
# iterate keeps >= 1e-3 of its size (the answer is not "about zero" for everyone).
GD_EDGE, GD_CONTRACTION, GD_LEFT = Fraction(8, 5), 0.95, 1e-3
# Momentum and Nesterov: spectral radius of the (x, v) iteration <= 0.97.
MOMENTUM_RADIUS = 0.97
# Newton: H + damping I well-conditioned.
NEWTON_MIN_EIG, NEWTON_COND = 0.5, 20.0
# The stable learning rate: H definite with eigenvalues away from zero and a bounded condition.
STABLE_MIN_EIG, STABLE_COND = 0.25, 50.0
# Dropout: keep probabilities away from 0 and 1 and from 1/2 (where keep and drop coincide).
KEEP_LO, KEEP_HI, KEEP_FROM_HALF = Fraction(1, 10), Fraction(9, 10), Fraction(1, 20)

MANIFEST = variants.load_manifest()
MISCONCEPTIONS = load_course().misconceptions


def combos(exercise):
    return [pytest.param(p, id=f"{exercise}-{i}") for i, p in enumerate(MANIFEST[exercise].combinations())]


def gt_of(exercise, params, label):
    name, kwargs = variants.ground_truth_requests(exercise, params)[label]
    return ground_truth.load(name, **kwargs)


def assert_separated(gt, field, mistakes):
    """Each named mistake (a course.toml misconception) is far from ``field`` of ``gt``."""
    right = np.asarray(gt[field], dtype=float)
    tol = gt.tol(field)
    allowed = tol["atol"] + tol["rtol"] * np.abs(right)
    for mistake_id, wrong in mistakes.items():
        assert mistake_id in MISCONCEPTIONS, f"{mistake_id} is not a misconception of course.toml"
        wrong = np.asarray(wrong, dtype=float)
        assert wrong.shape == right.shape
        gap = np.max(np.abs(wrong - right))
        assert gap > SEPARATION * np.max(allowed), f"{mistake_id}: {gap} within {SEPARATION}x the tolerance"
        assert gap > NAMING_RTOL * 10 * max(1.0, np.max(np.abs(right))), f"{mistake_id} is too close"


def test_every_variant_case_is_derived():
    missing = []
    for name, kwargs in variants.variant_cases():
        try:
            ground_truth.load(name, **kwargs)
        except ground_truth.MissingGroundTruth:
            missing.append(name)
    assert not missing, "run `python -m autograder.ground_truth --rebuild`"


def test_the_variant_space_is_small_and_covers_at_least_five_exercises():
    sizes = {ex: len(space.combinations()) for ex, space in MANIFEST.items()}
    assert len(sizes) >= 5
    assert all(n >= 2 for n in sizes.values()), sizes      # a variant-aware exercise varies
    assert len(variants.variant_cases()) < 200               # the rebuild stays quick
    exercises = {e.id for e in load_course().exercises}
    assert set(sizes) <= exercises


@pytest.mark.parametrize("p", combos("gd"))
def test_gd_variants_converge_visibly_with_margin(p):
    A = np.array([[float(Fraction(a)) for a in row] for row in variants.rotated_quadratic(p["kappa"])])
    lam = np.linalg.eigvalsh(A)
    assert np.allclose(lam, sorted([1.0, float(Fraction(p["kappa"]))]))   # the family is what it says
    eta = Fraction(p["eta"])
    assert eta * Fraction(p["kappa"]) <= GD_EDGE and eta > 0
    contraction = max(abs(1 - float(eta) * lam))
    assert contraction <= GD_CONTRACTION
    gt = gt_of("gd", p, "trajectory")
    traj = gt["trajectory"]
    assert np.max(np.abs(traj[-1])) >= GD_LEFT * np.max(np.abs(traj[0]))
    assert np.max(np.abs(traj[-1])) > SEPARATION * gt.tol("trajectory")["atol"]
    assert_separated(gt, "trajectory", {
        "gd-ascent": gt["ascent"],
        "gd-no-update": np.broadcast_to(traj[0], traj.shape),
        "gd-missing-x0": np.concatenate([traj[1:], traj[-1:]])})


def nonconvex_entries():
    space = MANIFEST["gd"]
    return [pytest.param({**space.default(), "nonconvex": n}, id=f"gd-nonconvex-{i}")
            for i, n in enumerate(space.choices["nonconvex"])]


@pytest.mark.parametrize("p", nonconvex_entries())
def test_gd_nonconvex_variants_settle_visibly_in_a_stable_minimum(p):
    """The run ends in a local minimum (f'' > 0 there, found by nsolve among the critical
    points), with eta f'' <= GD_EDGE (stable with margin), within 1e-2 of it after the steps the
    test runs, and every known mistake is far from the right trajectory."""
    gt = gt_of("gd", p, "nonconvex")
    eta = float(Fraction(p["nonconvex"]["eta"]))
    assert gt.exact("method") == "nsolve"
    index = int(gt.exact("reached_index"))
    assert gt["labels"][index] == "minimum" and gt["curvature_at_reached"] > 0
    assert abs(gt["critical_points"][index] - gt["reached"]) < 1e-12
    assert eta * gt["curvature_at_reached"] <= float(GD_EDGE)
    traj = gt["trajectory"]
    assert abs(traj[-1] - gt["reached"]) < 1e-2, "the run must visibly settle in its minimum"
    assert_separated(gt, "trajectory", {
        "gd-ascent": gt["ascent"], "gd-no-update": np.full_like(traj, traj[0]),
        "gd-missing-x0": np.concatenate([traj[1:], traj[-1:]])})


def test_the_step_size_decides_which_minimum_is_reached():
    """The family's point: from one start, two step sizes end in different minima."""
    ends: dict[tuple, set] = {}
    for param in nonconvex_entries():
        n = param.values[0]["nonconvex"]
        ends.setdefault((n["c"], n["x0"]), set()).add(round(gt_of("gd", param.values[0], "nonconvex")["reached"], 6))
    assert any(len(reached) > 1 for reached in ends.values()), ends


def _radius(A, eta, beta, nesterov):
    lam = np.linalg.eigvalsh(A)
    radius = 0.0
    for l in lam:
        a = 1 - eta * l
        # (x, v) -> (x', v') restricted to one eigen-direction of A
        M = np.array([[a, beta * a], [-eta * l, beta * a]]) if nesterov else np.array([[a, beta], [-eta * l, beta]])
        radius = max(radius, max(abs(np.linalg.eigvals(M))))
    return radius


@pytest.mark.parametrize("p", combos("momentum"))
def test_momentum_variants_converge_and_differ_from_the_d2l_form(p):
    A = np.array([[float(Fraction(a)) for a in row] for row in p["A"]])
    assert _radius(A, float(Fraction(p["eta"])), float(Fraction(p["beta"])), nesterov=False) <= MOMENTUM_RADIUS
    gt = gt_of("momentum", p, "trajectory")
    assert_separated(gt, "x", {"momentum-d2l-form": gt["d2l_x"]})
    assert_separated(gt, "v", {"momentum-d2l-form": gt["d2l_v"]})


@pytest.mark.parametrize("p", combos("nesterov"))
def test_nesterov_variants_converge_and_differ_from_plain_momentum(p):
    A = np.array([[float(Fraction(a)) for a in row] for row in p["A"]])
    assert _radius(A, float(Fraction(p["eta"])), float(Fraction(p["beta"])), nesterov=True) <= MOMENTUM_RADIUS
    gt = gt_of("nesterov", p, "trajectory")
    assert_separated(gt, "x", {"nesterov-no-lookahead": gt["no_lookahead_x"]})


@pytest.mark.parametrize("p", combos("newton"))
def test_newton_variants_are_well_conditioned(p):
    K = np.array([[float(Fraction(a)) for a in row] for row in p["H"]]) + float(Fraction(p["damping"])) * np.eye(2)
    lam = np.linalg.eigvalsh(K)
    assert lam[0] >= NEWTON_MIN_EIG and lam[-1] / lam[0] <= NEWTON_COND
    gt = gt_of("newton", p, "step")
    assert_separated(gt, "x_new", {"newton-ascent": gt["ascent"], "newton-times-hessian": gt["times_hessian"],
                                   "newton-damping-ignored": gt["no_damping"]})


@pytest.mark.parametrize("p", combos("stable_lr"))
def test_stable_lr_variants_are_definite_with_eigenvalues_away_from_zero(p):
    H = np.array([[float(Fraction(a)) for a in row] for row in variants.stable_lr_matrix(p)])
    lam = np.linalg.eigvalsh(H)
    assert lam[0] >= STABLE_MIN_EIG and lam[-1] / lam[0] <= STABLE_COND
    gt = gt_of("stable_lr", p, "eta_max")
    assert gt["positive_definite"] == "true"
    assert_separated(gt, "eta_max", {"stable-lr-one-over-lambda": gt["one_over"],
                                     "stable-lr-lambda-min": gt["two_over_min"]})


@pytest.mark.parametrize("p", combos("dropout"))
def test_dropout_variants_keep_away_from_zero_one_and_one_half(p):
    keep = Fraction(p["keep"])
    assert KEEP_LO <= keep <= KEEP_HI and abs(keep - Fraction(1, 2)) >= KEEP_FROM_HALF
    assert variants.num_dropped(p) == (1 - keep) * p["num_units"]       # a whole number of units
    gt = gt_of("dropout", p, "keep")
    assert_separated(gt, "p", {"dropout-keep-vs-drop": gt["drop_fraction"]})
    band = gt_of("dropout", p, "band")
    lo, hi = (int(v) for v in band.exact("band"))
    slo, shi = (int(v) for v in band.exact("band_if_swapped"))
    assert hi < slo or shi < lo, "the keep and drop bands overlap: the mistake could pass"
    assert 0 < lo and hi < p["mask_shape"][0] * p["mask_shape"][1]    # neither all kept nor all dropped


@pytest.mark.parametrize("p", combos("permutation_symmetry"))
def test_symmetry_counts_differ_from_every_wrong_count(p):
    d = p["d"]
    gt = gt_of("permutation_symmetry", p, "counts")
    right = int(gt.exact("permutations")[0])
    assert right == factorial(d)
    for odd, flips in ((False, 1), (True, 2**d)):
        expected = right * flips
        wrong = {"symmetry-count-d-minus-1-factorial": factorial(d - 1) * flips,
                 "symmetry-count-d-to-the-d": d**d * flips}
        if odd:
            wrong["symmetry-count-forgot-sign-flips"] = right
        assert all(m in MISCONCEPTIONS for m in wrong)
        assert expected not in wrong.values(), (d, odd, wrong)


@pytest.mark.parametrize("p", combos("wigner_symmetry"))
def test_wigner_value_sets_are_symmetric_with_singular_matrices(p):
    values, probs = p["entries"]["values"], p["entries"]["probs"]
    law = dict(zip(map(Fraction, values), map(Fraction, probs)))
    assert sum(law.values()) == 1 and all(q > 0 for q in law.values())
    assert all(law.get(-v) == q for v, q in law.items()), "the public test relies on -A ~ A"
    gt = gt_of("wigner_symmetry", p, "probabilities")
    pos, neg, zero = gt.exact("probabilities")
    assert pos == neg and zero > 0
    for mistake_id, wrong in {"wigner-zero-counted-positive": tuple(gt.exact("zero_as_positive")),
                              "wigner-ignores-zero-eigenvalues": (Fraction(1, 2), Fraction(1, 2), Fraction(0))}.items():
        assert mistake_id in MISCONCEPTIONS and wrong != (pos, neg, zero)
