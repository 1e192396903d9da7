"""The Keras lab as the tests see it: the notebook's functions in a sandboxed TensorFlow worker.

The lab's tests (``tests/hidden/test_keras_lab.py``) ask the ``lab`` fixture for what they check.
Everything comes back as plain data over the sandbox's protocol, one call at a time:

* plain calls of the notebook's functions (``lab.call("surface", "convex", x, y)``);
* probes (:mod:`autograder.lab.probes`) that call a function and describe the model or figure it
  returns: a model's JSON configuration and size, a figure's axes and lines, a training run's
  history and the optimizer and ``fit`` arguments it used;
* replays: the learning-rate checks rest on training runs the grader does itself. It rebuilds the
  notebook's model from its configuration (read as data: plain Dense and Dropout layers only) and
  trains it with the notebook's batch size and validation split, in a second worker that has never
  imported the submission, so nothing the notebook's code did can change those numbers.

A submission without the notebook, or with one that cannot be read, fails every lab test with
one sentence saying so; the lab's points stay in the maximum.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..course import load_course
from ..feedback import SubmissionError
from ..infrastructure import InfrastructureError
from . import spec

EXERCISE = "keras_lab"
MODULE = "keras_lab"


@functools.lru_cache(maxsize=1)
def _tensorflow_installed() -> bool:
    # The worker imports it from this installation (its profile sees every installed package).
    return importlib.util.find_spec("tensorflow") is not None


def gpu_present() -> bool:
    """Whether an NVIDIA GPU is visible to this machine (its device files; no process started)."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return False
    return Path("/dev/nvidia0").exists() or any(Path("/proc/driver/nvidia/gpus").glob("*"))


def default_epochs(device: str = "auto") -> int:
    """``AUTOGRADER_LAB_EPOCHS`` if set; else the full 250 epochs on a GPU, the reduced mode on CPU."""
    configured = os.environ.get("AUTOGRADER_LAB_EPOCHS")
    if configured:
        return int(configured)
    if device == "auto":
        device = "gpu" if gpu_present() else "cpu"
    return spec.FULL_EPOCHS if device == "gpu" else spec.CPU_EPOCHS


def profiles(epochs: int | None = None) -> dict:
    """The sandbox's launch profiles for the notebook exercises: module -> Limits."""
    from ..sandbox.isolation import Limits

    epochs = default_epochs() if epochs is None else int(epochs)
    return {MODULE: Limits.tensorflow(epochs, gpu=gpu_present())}


class LabSession:
    """One submission's lab: its notebook's status, the worker calls, the grader's replays."""

    def __init__(self, target, notebook_status, epochs: int, own_target: bool):
        self.target = target
        self.status = notebook_status
        self.epochs = epochs
        self._own_target = own_target
        self._replayer = None
        self._replays: dict[Any, tuple[bool, Any]] = {}

    # ---------------------------------------------------------------- the notebook
    def require(self) -> None:
        """Fail the running test when there is no notebook to grade, saying why; stop the
        grading as the machine's failure when the grader has no TensorFlow to run it with."""
        if self.status.status != "ok":
            raise SubmissionError(f"Not graded: {self.status.reason}.",
                                  hint="Hand in the lab's notebook (keras_lab.ipynb) with your "
                                       "work saved in it.")
        if not _tensorflow_installed():
            raise InfrastructureError("the grader cannot run the Keras lab: TensorFlow is not "
                                      "installed where the grader runs",
                                      "install the lab's dependencies: pip install '.[lab]'")

    def call(self, name: str, *args, **kwargs) -> Any:
        return self.function(name)(*args, **kwargs)

    def function(self, name: str):
        """A function (or constant) of the notebook; when it is missing because a cell of the
        notebook failed to run, the failure says which cell and why."""
        self.require()
        try:
            return getattr(getattr(self.target, MODULE), name)
        except SubmissionError as exc:
            hint = self.hint()
            if hint is None:
                raise
            raise SubmissionError(exc.feedback.rationale, hint=hint) from None

    value = function

    def written_answer(self, question) -> str:
        """The answer the intake read out of the notebook for a written question ('' for none):
        text, never run; the reporters sanitise and bound it."""
        if self.status.status != "ok":
            raise SubmissionError(f"Not graded: {self.status.reason}.",
                                  hint="Hand in the lab's notebook (keras_lab.ipynb) with your "
                                       "work saved in it.")
        return dict(self.status.answers).get(question.label, "")

    def probe(self, name: str, *args, **kwargs) -> Any:
        self.require()
        return self.target.probe(MODULE, name, *args, **kwargs)

    @functools.cached_property
    def cell_errors(self) -> list[str]:
        try:
            errors = getattr(getattr(self.target, MODULE), "_notebook_cell_errors")
        except Exception:  # noqa: BLE001 - only ever a hint
            return []
        return [str(e)[:300] for e in errors][:3] if isinstance(errors, (list, tuple)) else []

    def hint(self) -> str | None:
        notes = list(self.status.notes) + self.cell_errors
        return ("Some cells failed when the grader ran your definitions: " + "; ".join(notes[:3])
                if notes else None)

    # ---------------------------------------------------------------- memoised runs
    # What the notebook's worker claims: its models' configurations and weights, its training
    # runs, its dropout outputs. The tests check these against the grader's own replays.
    def model(self, hidden: int | None = None, dropout: float | None = None) -> dict:
        """``build_model(...)`` as the notebook's worker describes it, once the grader has
        recomputed its outputs from its configuration and weights and found them the same."""
        kwargs = {k: v for k, v in (("hidden", hidden), ("dropout", dropout)) if v is not None}

        def run():
            model = self.probe("model", self.function("build_model"), spec.SEED,
                               spec.probe_inputs(), **kwargs)
            if model.get("is_model"):
                got = np.asarray(model.get("outputs", []), dtype=np.float64)
                want = self._outputs_of((hidden, dropout), self._replayable(model))["infer_a"]
                if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-6):
                    # With Dropout layers, the known way to get there: dropping at inference.
                    known = ({"misconception": "lab-dropout-at-inference",
                              "hint": load_course().misconceptions["lab-dropout-at-inference"].message}
                             if dropout else
                             {"hint": "Return the keras.Sequential itself, built from keras.layers."})
                    raise SubmissionError(
                        "the model build_model returns does not compute what its own layers and "
                        "weights compute", expected="the outputs of its Dense and Dropout layers",
                        actual="other outputs", **known)
            return model
        return self._once(("model", hidden, dropout), run)

    def train(self, lr: float, dropout: float | None = None) -> dict:
        kwargs = {} if dropout is None else {"hidden": spec.HIDDEN, "dropout": dropout}
        return self._once(("train", lr, dropout), lambda: self.probe(
            "train", self.function("build_model"), self.function("train"), spec.SEED, lr,
            self.epochs, **kwargs))

    def evaluated(self) -> dict:
        """``test_loss``'s claim on the grader's test split, after the notebook's ``train`` ran a
        short run of ``build_model()``, beside the loss the grader recomputes from that trained
        model's predictions in its own worker (configuration and weights read as data)."""
        def run():
            from .probes import lab_data

            x, y = lab_data(spec.SEED)
            _, test = spec.grader_split()
            out = self.probe("evaluated", self.function("build_model"), self.function("train"),
                             self.function("test_loss"), spec.SEED, spec.EVAL_LR, spec.EVAL_EPOCHS,
                             x[test], y[test])
            model = self._replayable(out.get("model", {}))
            predictions = self._replayer_target().probe(MODULE, "predict", model["config"],
                                                        model["weights"], x[test])
            errors = np.asarray(predictions, dtype=np.float64).ravel() - y[test].astype(np.float64).ravel()
            return {"claimed": out.get("claimed"), "recomputed": float(np.mean(errors**2)),
                    "n_test": int(test.size)}
        return self._once(("evaluated",), run)

    def timed(self) -> dict:
        """``time_learning_rates`` at the grader's rates and epochs, described, with the wall time
        the grader measured around the whole call (its own clock, in its own process)."""
        def run():
            fn = self.function("time_learning_rates")
            started = time.perf_counter()
            out = self.probe("timed", fn, list(spec.TIMING_RATES), spec.TIMING_EPOCHS, spec.SEED)
            return {**out, "grader_seconds": time.perf_counter() - started}
        return self._once(("timed",), run)

    def replayed_histories(self) -> dict[float, dict]:
        """The notebook's model (its configuration and initial weights) trained by the grader at
        each of the lab's learning rates."""
        return self._replayed("rates", self.model, list(spec.LEARNING_RATES))

    def replayed_dropout_history(self) -> dict:
        """The dropout network of Part 4 trained by the grader as the notebook's ``train`` would."""
        runs = self._replayed("dropout", lambda: self.model(hidden=spec.HIDDEN,
                                                            dropout=spec.DROPOUT_TRAIN_RATE),
                              [spec.DROPOUT_TRAIN_LR])
        return runs[float(spec.DROPOUT_TRAIN_LR)]

    def replayed_dropout_outputs(self) -> dict:
        """The outputs of ``build_model(dropout=0.5)``'s configuration and weights, computed by the
        grader in training and at inference (those :meth:`model` checked the notebook's against)."""
        model = self._replayable(self.model(hidden=spec.HIDDEN, dropout=spec.DROPOUT_RATE))
        return self._outputs_of((spec.HIDDEN, spec.DROPOUT_RATE), model)

    def _outputs_of(self, key, model: dict) -> dict:
        return self._once(("outputs", key), lambda: self._replayer_target().probe(
            MODULE, "replay_outputs", model["config"], model["weights"], spec.SEED,
            spec.probe_inputs()))

    def _replayed(self, key: str, model_of, rates: list[float]) -> dict[float, dict]:
        def run():
            model = self._replayable(model_of())
            fit = self._fit_arguments()
            out = self._replayer_target().probe(
                MODULE, "replay", model["config"], model["weights"], spec.SEED, rates, self.epochs,
                fit["batch_size"], fit["validation_split"])
            return {float(lr): history for lr, history in out.items()}
        return self._once(key, run)

    def _once(self, key: str, run):
        """``run()``'s value, or the failure it raised, computed once per submission: a replay that
        fails is not tried again by every test that needs it."""
        if key not in self._replays:
            try:
                self._replays[key] = (True, run())
            except SubmissionError as exc:
                self._replays[key] = (False, exc.feedback)
        ok, value = self._replays[key]
        if not ok:
            raise SubmissionError(value.rationale, expected=value.expected, actual=value.actual,
                                  hint=value.hint, misconception=value.misconception)
        return value

    @staticmethod
    def _replayable(model: dict) -> dict:
        if not model.get("is_model"):
            raise SubmissionError("build_model must return a keras Model for the grader to train",
                                  expected="a keras.Sequential", actual=str(model.get("type")))
        try:
            from .probes import layers_of

            layers_of(model["config"])
        except (ValueError, TypeError, KeyError) as exc:
            raise SubmissionError("the grader trains only a keras.Sequential of Dense and Dropout "
                                  "layers", actual=str(exc)[:200]) from None
        return model

    def _fit_arguments(self) -> dict:
        """The batch size and validation split the notebook's ``train`` passed to ``fit``; the
        lab's own (its docstring's) where it passed none or ``train`` does not run."""
        try:
            calls = self.train(0.1).get("fit_calls") or [{}]
        except SubmissionError:
            calls = [{}]
        call = calls[-1] if isinstance(calls[-1], dict) else {}
        batch = call.get("batch_size")
        split = call.get("validation_split")
        return {"batch_size": batch if type(batch) is int and 0 < batch <= 4096 else spec.BATCH_SIZE,
                "validation_split": float(split) if isinstance(split, (int, float))
                and 0.0 < split < 1.0 else spec.VALIDATION_SPLIT}

    def _replayer_target(self):
        if self._replayer is None:
            from ..sandbox.proxy import sandbox_target

            # An empty submission: the worker that replays the training has never imported any
            # code of a student's, so what it reports is the grader's own measurement.
            self._empty = tempfile.TemporaryDirectory(prefix="autograder-replay-")
            limits = self.target.limits_for(MODULE)
            self._replayer = sandbox_target(self._empty.name, profiles={MODULE: limits})
        return self._replayer

    def close(self) -> None:
        if self._replayer is not None:
            self._replayer.close()
            self._empty.cleanup()
            self._replayer = None
        if self._own_target:
            self.target.close()


def lab_session(target, rootdir: Path) -> LabSession:
    """The lab of ``target`` (built once per target and closed with it)."""
    session = getattr(target, "_lab_session", None)
    if session is not None:
        return session
    from ..submission import missing_notebook, read_notebook_intake

    # (Underscored attributes: any other attribute of a target is a module of the code under test.)
    epochs = getattr(target, "_lab_epochs", None) or default_epochs()
    directory = getattr(target, "_directory", None)
    notebooks = read_notebook_intake(directory) if directory is not None else None
    if notebooks is not None:
        # A submission: its notebook was read when it was handed in.
        status = notebooks.get(EXERCISE) or missing_notebook(load_course().exercise(EXERCISE))
        if callable(getattr(type(target), "probe", None)):
            session = LabSession(target, status, epochs, own_target=False)
        else:   # graded in-process (--no-isolation): the notebook still runs only in the sandbox
            from ..sandbox.proxy import sandbox_target

            sandboxed = sandbox_target(target._directory, profiles=profiles(epochs))
            session = LabSession(sandboxed, status, epochs, own_target=True)
    else:
        session = _local_session(target, Path(rootdir), epochs)
    target._lab_session = session
    target.add_closer(session.close)
    return session


def _local_session(target, rootdir: Path, epochs: int) -> LabSession:
    """The lab of an in-process target (the reference, the stubs, a trusted folder): its
    notebook graded through the sandbox all the same, since TensorFlow stays out of pytest."""
    from ..sandbox.proxy import sandbox_target
    from ..submission import NotebookIntake, _write_notebook_module

    exercise = load_course().exercise(EXERCISE)
    notebook = _notebook_of(target, rootdir, exercise)
    folder = tempfile.TemporaryDirectory(prefix="autograder-lab-")
    if notebook is None:
        status = NotebookIntake(EXERCISE, "missing",
                                f"{Path(exercise.notebook).name} was not found for {target.name}")
    else:
        status = _write_notebook_module(notebook, Path(folder.name), exercise)
    sandboxed = sandbox_target(folder.name, profiles=profiles(epochs))
    sandboxed.add_closer(folder.cleanup)
    return LabSession(sandboxed, status, epochs, own_target=True)


def _notebook_of(target, rootdir: Path, exercise) -> Path | None:
    name = getattr(target, "name", "")
    candidates = []
    folder = getattr(target, "_directory", None)
    if folder is not None:
        candidates += sorted(Path(folder).rglob(Path(exercise.notebook).name))
    elif name == load_course().reference_package:
        candidates.append(Path(__file__).resolve().parents[2] / exercise.notebook)
    else:
        # The student release keeps the student notebook at the source's path; in the
        # instructor's checkout that path holds the source, solutions and all: not the stubs'.
        here = rootdir / exercise.notebook
        if here.is_file() and "# BEGIN SOLUTION" not in here.read_text(encoding="utf-8", errors="replace"):
            candidates.append(here)
    return next((p for p in candidates if p.is_file()), None)
