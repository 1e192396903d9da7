"""The full 250-epoch lab on a GPU (the self-hosted runner's job: .github/workflows/gpu-lab.yml)."""

from pathlib import Path

import pytest

pytest.importorskip("tensorflow", reason="the Keras lab needs TensorFlow: pip install '.[lab]'")

from autograder.grading import grade  # noqa: E402
from autograder.lab import FULL_EPOCHS, SOURCE, gpu_present  # noqa: E402

LAB_TESTS = Path(__file__).resolve().parents[2] / "tests" / "hidden" / "test_keras_lab.py"

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not gpu_present(), reason="no NVIDIA GPU visible (no /dev/nvidia0)"),
]


def test_the_full_lab_on_the_gpu_scores_full_marks_twice_alike():
    first, second = (grade(SOURCE, tests=[LAB_TESTS], lab_epochs=FULL_EPOCHS) for _ in range(2))
    failures = [f"{t.name}: {t.feedback.render()}" for t in first.tests if t.status != "passed"]
    assert first.score == first.max_score > 0, "\n".join(failures + first.errors)
    assert first.lab == {"device": "GPU", "epochs": FULL_EPOCHS}
    assert [(t.name, t.score, t.feedback) for t in first.tests] == \
        [(t.name, t.score, t.feedback) for t in second.tests]
