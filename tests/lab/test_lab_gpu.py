"""The full 250-epoch lab on a GPU (the self-hosted runner's job: .github/workflows/gpu-lab.yml)."""

import numpy as np
import pytest

pytest.importorskip("tensorflow", reason="the Keras lab needs TensorFlow: pip install '.[lab]'")

from autograder.lab import FULL_EPOCHS, SOURCE, gpu_present  # noqa: E402
from autograder.lab.grade import grade_lab_with_run  # noqa: E402

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not gpu_present(), reason="no NVIDIA GPU visible (nvidia-smi -L lists none)"),
]


def test_the_full_lab_trains_on_the_gpu_and_scores_full_marks():
    results, worker = grade_lab_with_run(SOURCE, epochs=FULL_EPOCHS, device="gpu")
    assert "GPU" in worker.data.get("devices", []), (
        f"TensorFlow in the worker saw {worker.data.get('devices')}: is the CUDA build installed "
        "(pip install 'tensorflow[and-cuda]') and the GPU visible inside the sandbox?")
    failures = [f"{t.name}: {t.feedback.render()}" for t in results.tests if t.status != "passed"]
    assert results.score == results.max_score, "\n".join(failures + results.errors)


def test_the_full_lab_is_deterministic_on_the_gpu():
    (first, run1), (second, run2) = (grade_lab_with_run(SOURCE, epochs=FULL_EPOCHS, device="gpu")
                                     for _ in range(2))
    assert [(t.name, t.score) for t in first.tests] == [(t.name, t.score) for t in second.tests]
    for key in (k for k in run1.arrays if k.startswith("history_")):
        assert np.array_equal(run1.arrays[key], run2.arrays[key], equal_nan=True), key
