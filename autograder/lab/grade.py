"""Grade a Keras-lab notebook: extract its definitions, run them in the worker, check the data.

    results = grade_lab("submission.ipynb", epochs=20)   # reduced CPU mode
    results = grade_lab("submission.ipynb")               # epochs from default_epochs()

Bad input gets a report, never an exception: a file that is missing, not JSON, or not a notebook
yields a :class:`~autograder.results.Results` in which every check failed with that reason (and
the reason in ``Results.errors``), so the score is 0 of the lab's full points.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from ..feedback import Failure, Feedback
from ..results import Results, TestResult
from . import spec
from .checks import CHECKS, LabRun
from .notebook import NotebookError, extract_definitions, read_notebook
from .sandbox import WorkerRun, run_worker

EXERCISE = "keras_lab"
MAX_NOTEBOOK_BYTES = 32 * 1024 ** 2


def gpu_present() -> bool:
    """Whether an NVIDIA GPU is visible, asked without importing TensorFlow in this process."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return False
    try:
        listing = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return listing.returncode == 0 and "GPU" in listing.stdout


def default_epochs(device: str = "auto") -> int:
    """``AUTOGRADER_LAB_EPOCHS`` if set; else the full 250 epochs on a GPU and the reduced mode on CPU."""
    configured = os.environ.get("AUTOGRADER_LAB_EPOCHS")
    if configured:
        return int(configured)
    if device == "auto":
        device = "gpu" if gpu_present() else "cpu"
    return spec.FULL_EPOCHS if device == "gpu" else spec.CPU_EPOCHS


def default_timeout(epochs: int) -> float:
    """Generous on a loaded 2-core machine: about 0.15 s per epoch per run is typical here."""
    return 120.0 + 6 * train_timeout(epochs)


def train_timeout(epochs: int) -> float:
    return 30.0 + 1.0 * epochs


def worker_spec(epochs: int, step_seconds: float, train_seconds: float) -> dict:
    x, y = spec.surface_points()
    return {
        "seed": spec.SEED,
        "epochs": int(epochs),
        "step_seconds": step_seconds,
        "train_seconds": train_seconds,
        "surface_names": list(spec.SURFACE_NAMES),
        "surface_x": x.tolist(),
        "surface_y": y.tolist(),
        "activation_x": spec.activation_points().tolist(),
        "small_hidden": spec.SMALL_HIDDEN,
        "learning_rates": list(spec.LEARNING_RATES),
        "synthetic_histories": [[lr, h] for lr, h in spec.synthetic_histories().items()],
        "synthetic_dropout": [[label, h] for label, h in spec.synthetic_dropout().items()],
        "dropout_rate": spec.DROPOUT_RATE,
        "dropout_train_rate": spec.DROPOUT_TRAIN_RATE,
        "dropout_train_lr": spec.DROPOUT_TRAIN_LR,
        "probe": spec.probe_inputs().tolist(),
    }


def _result(check, nodeid_base: str, status: str, score: float, feedback: Feedback | None,
            duration: float = 0.0) -> TestResult:
    return TestResult(nodeid=f"{nodeid_base}::{check.name}", name=check.name, exercise=EXERCISE,
                      suite="hidden", status=status, max_score=check.points, score=score,
                      visibility="visible", feedback=feedback, duration=round(duration, 6))


def _unreadable(path: Path, reason: str, started: float) -> Results:
    results = Results(target=str(path), isolation="none", errors=[reason])
    feedback = Feedback(f"The notebook could not be graded: {reason}",
                        hint="Open it in Jupyter, save it, and submit the .ipynb file itself.")
    results.tests = [_result(c, path.name, "error", 0.0, feedback) for c in CHECKS]
    results.execution_time = round(time.perf_counter() - started, 3)
    return results


def grade_lab(notebook_path: str | os.PathLike, *, epochs: int | None = None,
              timeout: float | None = None, device: str = "auto") -> Results:
    """Grade one lab notebook.

    ``epochs``: training epochs per run (default :func:`default_epochs`: 250 with a GPU, the
    reduced CPU mode without). ``timeout``: the wall-clock limit of the worker in seconds
    (default :func:`default_timeout`). ``device``: ``"cpu"``, ``"gpu"`` or ``"auto"`` (a GPU when
    ``nvidia-smi`` lists one).
    """
    return grade_lab_with_run(notebook_path, epochs=epochs, timeout=timeout, device=device)[0]


def grade_lab_with_run(notebook_path: str | os.PathLike, *, epochs: int | None = None,
                       timeout: float | None = None, device: str = "auto",
                       isolation: str | None = None) -> tuple[Results, WorkerRun | None]:
    """:func:`grade_lab`, plus the worker's raw measurements (None when the notebook was unreadable)."""
    started = time.perf_counter()
    path = Path(notebook_path)
    if device == "auto":
        device = "gpu" if gpu_present() else "cpu"
    epochs = default_epochs(device) if epochs is None else int(epochs)
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return _unreadable(path, f"the notebook is larger than {MAX_NOTEBOOK_BYTES // 1024 ** 2} MiB "
                                     "(clear the outputs before submitting)", started), None
        nb = read_notebook(path.read_bytes())
    except OSError as exc:
        return _unreadable(path, f"the file could not be read ({exc.strerror or exc})", started), None
    except NotebookError as exc:
        return _unreadable(path, str(exc), started), None

    code = extract_definitions(nb)
    total = default_timeout(epochs) if timeout is None else float(timeout)
    worker = run_worker(code.chunks, worker_spec(epochs, step_seconds=min(120.0, total),
                                                 train_seconds=min(train_timeout(epochs), total)),
                        timeout=total, device=device, isolation=isolation)
    run = LabRun(worker=worker, epochs=epochs)

    results = Results(target=f"{path} (epochs={epochs}, {device})", isolation=worker.isolation)
    if "versions" not in worker.data:
        # The worker died before running any of the notebook's code: the grader's environment
        # (TensorFlow missing or broken, no memory) is at fault, not the submission.
        reason = (f"the grading worker could not start TensorFlow ({_crash_reason(worker)}); "
                  "install the lab's dependencies with pip install '.[lab]'")
        if worker.timed_out:
            reason = f"the grading worker did not even import TensorFlow within {total:.0f} s"
        results.errors.append(reason)
        feedback = Feedback(f"The notebook could not be graded: {reason}",
                            hint="This is a problem of the grader, not of your notebook: tell your instructor.")
        results.tests = [_result(c, path.name, "error", 0.0, feedback) for c in CHECKS]
        results.execution_time = round(time.perf_counter() - started, 3)
        return results, worker
    results.errors.extend(code.problems)
    results.errors.extend(worker.data.get("cell_errors", []))
    if worker.timed_out:
        results.errors.append(f"the notebook's code did not finish within {total:.0f} s; "
                              "checks of the steps that finished still count")
    elif not worker.data.get("finished"):
        results.errors.append(_crash_reason(worker))
    for check in CHECKS:
        t0 = time.perf_counter()
        try:
            check.run(run)
        except Failure as failure:
            results.tests.append(_result(check, path.name, "failed", 0.0, failure.feedback, time.perf_counter() - t0))
        except Exception as exc:  # noqa: BLE001 - odd data from the worker: a failed check, not a crash
            feedback = Feedback(f"the grader could not read what your code returned ({type(exc).__name__}: {exc})")
            results.tests.append(_result(check, path.name, "failed", 0.0, feedback, time.perf_counter() - t0))
        else:
            results.tests.append(_result(check, path.name, "passed", check.points, None, time.perf_counter() - t0))
    results.execution_time = round(time.perf_counter() - started, 3)
    return results, worker


def _crash_reason(worker: WorkerRun) -> str:
    tail = worker.log_tail.strip().splitlines()[-1:] or [""]
    return (f"the grading worker stopped before the end (exit status {worker.returncode})"
            + (f": {tail[0][:300]}" if tail[0] else ""))
