"""A failure that compares numbers says by how much the worst entry misses its tolerance.

issue 19: "largest difference at index ..." ranked entries by absolute error, so it could point at
an entry within tolerance; and when got and expected print alike (a float32 result, say) the
message showed two identical arrays and no size at all.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import expect_close, expect_equal
from autograder.feedback import Failure


def failure(*args, **kwargs) -> Failure:
    with pytest.raises(Failure) as info:
        expect_close(*args, call="f(x)", **kwargs)
    return info.value


def test_the_worst_entry_is_ranked_by_its_ratio_to_the_tolerance():
    # Entry 0 is off by 1e-3, the largest absolute error, but within 2e-9 relative of 1e6;
    # entry 2 is off by 3.1e-7 against a tolerance of 6e-9: entry 2 is the one that fails.
    f = failure([1e6 + 1e-3, 2.0, 3.0 + 3.1e-7], [1e6, 2.0, 3.0], rtol=2e-9, atol=0.0)
    assert "|got - expected| = 3.1e-7 > tol 6e-9 at index [2]" in f.feedback.rationale


def test_a_difference_below_display_precision_still_shows_its_size():
    f = failure(np.float32(0.1), 0.1, rtol=1e-15)
    assert f.feedback.expected == f.feedback.actual == "0.1"
    assert "|got - expected| = 1.5e-9 > tol 1e-16" in f.feedback.rationale
    assert "index" not in f.feedback.rationale          # one number: no index to point at


def test_indices_of_a_matrix_and_a_zero_tolerance():
    f = failure([[1.0, 2.0], [3.0, 5.0]], [[1.0, 2.0], [3.0, 4.0]], rtol=0.0, atol=0.0)
    assert "|got - expected| = 1 > tol 0 at index [1, 1]" in f.feedback.rationale


def test_nan_where_a_number_was_expected_is_the_worst_entry():
    f = failure([1.0 + 1e-3, np.nan], [1.0, 1.0], rtol=1e-9)
    assert "NaN or infinity" in f.feedback.rationale and "at index [1]" in f.feedback.rationale


def test_a_check_never_names_a_mistake_itself():
    # Naming is the replay's job (autograder/diagnosis.py): a check has no way to be told one.
    f = failure([2.0], [1.0])
    assert f.feedback.misconception is None
    with pytest.raises(TypeError):
        expect_close([2.0], [1.0], call="f(x)", mistakes={"gd-ascent": [2.0]})
    with pytest.raises(TypeError):
        expect_equal(2, 1, call="f(x)", mistakes={"gd-ascent": 2})
