"""Hidden tests that kill surviving mutants of solutions/second_order.py.

They pin the edges of the contract: eigenvalues exactly at +-tol, non-matrix input, the largest
eigenvalue of a 3 x 3 Hessian, the default finite-difference step, direction vectors that are
not all ones, and power iteration's start and stopping rule. Classifications and learning rates
are derived with sympy (the cases of ``MUTANT_CASES`` in autograder/ground_truth/cases.py), as
are the Hessian-vector products and the eigenpair of diag(1, 0); power iteration's start is the
seeded draw its docstring prescribes (numpy's stream), and the zero matrix's 0.0 is the
docstring's rule. Nothing is taken from the reference solution.
"""

import math

import numpy as np
import pytest

from autograder import ground_truth
from autograder.checks import as_float_array, expect_close, expect_equal, fmt
from autograder.feedback import Failure
from autograder.problems import Problem
from autograder.ground_truth.cases import MUTANT_CASES

pytestmark = pytest.mark.visibility("after_due_date")


def _case(key: str) -> ground_truth.GroundTruth:
    """The derived case of cases.MUTANT_CASES named ``key``."""
    name, params = MUTANT_CASES[key]
    return ground_truth.load(name, **params)


def expect_value_error(func, *args, call):
    try:
        result = func(*args)
    except ValueError:
        return
    except Failure:
        raise  # the submission could not be called at all (not implemented, missing): say so
    except Exception as exc:  # noqa: BLE001 - any other exception is the wrong kind of error
        raise Failure(f"{call} should raise ValueError, but it raised {type(exc).__name__}: {exc}",
                      hint="Check the shape of H first and raise ValueError with a clear message.") from None
    raise Failure(f"{call} should raise ValueError, but it returned a value", expected="ValueError",
                  actual=fmt(result))


# --- critical points: eigenvalues exactly at the tolerance count as zero ----------------------

@pytest.mark.exercise("critical_points")
@pytest.mark.points(2)
def test_eigenvalues_at_the_tolerance_are_zero(target):
    classify = target.second_order.classify_critical_point
    # |lambda| <= tol is zero, so 0.5 with tol = 0.5 is neither up nor down: with -1 beside it the
    # point is degenerate, not a saddle; with 1 beside it degenerate, not a minimum. The
    # eigenvalues of a diagonal matrix are its diagonal, exactly.
    for i, diag in enumerate(([0.5, -1.0], [-0.5, 1.0], [0.5, 1.0], [-0.5, -1.0])):
        expect_equal(classify(np.diag(diag), tol=0.5), _case(f"classify_at_tolerance_{i}")["label"],
                     call=f"classify_critical_point(diag({diag[0]}, {diag[1]}), tol=0.5)",
                     hint="An eigenvalue with |lambda| <= tol counts as zero (note the <=).")


@pytest.mark.exercise("critical_points")
def test_an_exact_zero_eigenvalue_is_degenerate(target):
    # Eigenvalues 0 and 2: positive semi-definite, not definite.
    expect_equal(target.second_order.classify_critical_point(np.diag([0.0, 2.0])),
                 _case("classify_exact_zero")["label"],
                 call="classify_critical_point(diag(0, 2))")


@pytest.mark.exercise("critical_points")
def test_classify_rejects_a_vector(target):
    expect_value_error(target.second_order.classify_critical_point, np.array([1.0, 2.0]),
                       call="classify_critical_point([1, 2]) (a vector, not a matrix)")


# --- the largest stable learning rate ----------------------------------------------------------

@pytest.mark.exercise("stable_lr")
@pytest.mark.points(2)
def test_stable_lr_uses_the_largest_of_three_eigenvalues(target):
    # diag(1, 4, 2): lambda_max = 4, so 2 / 4 = 0.5. (np.linalg.eigvals lists a diagonal matrix's
    # eigenvalues in diagonal order, so "the last one" would be 2.)
    gt = _case("stable_lr_three_eigenvalues")
    expect_close(target.second_order.max_stable_learning_rate(np.diag([1.0, 4.0, 2.0])), gt["eta_max"],
                 call="max_stable_learning_rate(diag(1, 4, 2))", **gt.tol("eta_max"))


@pytest.mark.exercise("stable_lr")
def test_stable_lr_rejects_a_vector(target):
    expect_value_error(target.second_order.max_stable_learning_rate, np.array([1.0, 2.0]),
                       call="max_stable_learning_rate([1, 2]) (a vector, not a matrix)")


# --- Hessian-vector products ---------------------------------------------------------------------

@pytest.mark.exercise("hvp")
def test_hvp_default_step_on_a_cubic(target):
    # grad f(x) = x**3 (f = sum x^4 / 4): H = diag(3 x^2), so H v = [3, 12] at x = [1, 2], v = [1, 1].
    # The central difference of a cubic errs by exactly h^2 v^3 = 1e-10 with the default h = 1e-5
    # (plus rounding ~1e-11), hence atol 1e-8; a step of order 1 errs by order 1.
    gt = _case("hvp_default_step_on_a_cubic")
    hv = target.second_order.hessian_vector_product(lambda x: np.asarray(x, dtype=float) ** 3,
                                                    np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    expect_close(hv, gt["hv"], call="hessian_vector_product(grad of sum x^4/4, x=[1, 2], v=[1, 1])",
                 atol=1e-8, rtol=0.0, hint="The default step is h = 1e-5.")


@pytest.mark.exercise("hvp")
def test_hvp_scales_the_step_by_v(target):
    # grad f(x) = A x with A = diag(2, 6): H v = A v = [4, 3] for v = [2, 0.5], whatever x and h.
    # Rounding: |A x| / h * 1e-16 ~ 1e-10, hence atol 1e-6.
    gt = _case("hvp_scales_the_step_by_v")
    A = np.diag([2.0, 6.0])
    hv = target.second_order.hessian_vector_product(Problem("matvec", A=A), np.array([1.0, 1.0]),
                                                    np.array([2.0, 0.5]))
    expect_close(hv, gt["hv"], call="hessian_vector_product(grad of x.A.x/2 with A = diag(2, 6), x=[1, 1], v=[2, 0.5])",
                 atol=1e-6, rtol=0.0, hint="Evaluate the gradient at x + h*v and x - h*v.")


# --- power iteration -------------------------------------------------------------------------------

def _unit_start(seed, dim):
    z = np.random.default_rng(seed).standard_normal(dim)
    return z / math.sqrt(float(z @ z))


def _up_to_sign(actual, expected, *, call):
    got = as_float_array(actual, call=call, what="the eigenvector")
    sign = -1.0 if got.shape == expected.shape and float(got @ expected) < 0 else 1.0
    expect_close(sign * got, expected, call=call, what="the eigenvector (up to sign)", atol=1e-12)


@pytest.mark.exercise("power_iteration")
def test_power_iteration_with_no_products_returns_the_unit_start(target):
    # num_iters = 0: v is the normalised start, and its Rayleigh quotient for diag(3, 1, -2) is
    # 3 v1^2 + v2^2 - 2 v3^2.
    v0 = _unit_start(4, 3)
    d = np.array([3.0, 1.0, -2.0])
    lam, v = target.second_order.power_iteration(Problem("scale", c=d), 3, 0, np.random.default_rng(4))
    call = "power_iteration(diag(3, 1, -2), dim=3, num_iters=0, seed 4)"
    expect_close(v, v0, call=call, what="the vector", atol=1e-12,
                 hint="Normalise the start: v = v / ||v||, before any product.")
    expect_close(lam, float(d @ (v0 * v0)), call=call, what="the eigenvalue", atol=1e-12)


@pytest.mark.exercise("power_iteration")
def test_power_iteration_keeps_going_when_a_product_has_norm_one(target):
    # A = diag(1, 0): after one product v = +-e1 exactly, and every later product has norm 1.
    # The eigenvalue is 1 and the vector e1 (up to sign).
    gt = _case("power_iteration_diag_one_zero")
    lam, v = target.second_order.power_iteration(lambda u: np.array([u[0], 0.0]), 2, 3,
                                                 np.random.default_rng(1))
    call = "power_iteration(diag(1, 0), dim=2, num_iters=3, seed 1)"
    expect_close(lam, gt["eigenvalues"][0], call=call, what="the eigenvalue", atol=1e-12)
    _up_to_sign(v, gt["eigenvectors"][0], call=call)


@pytest.mark.exercise("power_iteration")
def test_power_iteration_of_the_zero_matrix(target):
    # A = 0: the first product is exactly zero; the docstring says to stop with (0.0, v), v the
    # normalised start.
    v0 = _unit_start(2, 3)
    lam, v = target.second_order.power_iteration(lambda u: np.zeros(3), 3, 5, np.random.default_rng(2))
    call = "power_iteration(zero matrix, dim=3, num_iters=5, seed 2)"
    expect_close(lam, 0.0, call=call, what="the eigenvalue", atol=0.0)
    _up_to_sign(v, v0, call=call)
