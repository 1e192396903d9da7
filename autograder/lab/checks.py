"""The lab's checks: run in the trusted parent on the plain data the worker sent back.

Each check is a small function that returns normally when the notebook passes it and raises a
:class:`~autograder.feedback.Failure` (rationale, expected, got, hint, known mistake) when it does
not, in the style of check50. Expected values come from the lab's definition (formulas, the
architecture's arithmetic) in ``spec.py``, never from running the reference notebook.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..course import load_course
from ..feedback import Failure, SubmissionError
from . import spec
from .sandbox import WorkerRun


@dataclass(frozen=True)
class Check:
    name: str
    points: float
    run: Callable[["LabRun"], None]


CHECKS: list[Check] = []


def check(points: float):
    def register(fn: Callable[["LabRun"], None]) -> Callable[["LabRun"], None]:
        CHECKS.append(Check(fn.__name__.removeprefix("check_"), float(points), fn))
        return fn
    return register


def _known(misconception: str) -> dict:
    """Feedback fields naming a known mistake of course.toml (its sentence becomes the hint)."""
    known = load_course().misconceptions.get(misconception)
    return {"misconception": misconception, "hint": known.message if known else None}


@dataclass
class LabRun:
    """The worker's measurements plus what the checks need to read them."""

    worker: WorkerRun
    epochs: int

    @property
    def data(self) -> dict:
        return self.worker.data

    def step(self, name: str, what: str) -> dict:
        """The result of a worker step, or a Failure saying why there is none."""
        steps = self.data.get("steps", {})
        if name in steps and isinstance(steps[name], dict):
            return steps[name]
        error = self.data.get("errors", {}).get(name)
        if error:
            raise SubmissionError(f"{what} failed: {error}", hint=self._cell_hint())
        if self.worker.timed_out:
            raise Failure(f"{what} never ran: the notebook did not finish within the grader's time limit",
                          hint="Keep the work inside the functions and check nothing at top level waits forever.")
        raise Failure(f"{what} never ran: the grading worker stopped early",
                      hint=self._cell_hint() or "Make sure the notebook does not exit the interpreter.")

    def _cell_hint(self) -> str | None:
        problems = list(self.data.get("cell_errors", []))
        return ("Some cells failed when the grader ran your definitions: " + "; ".join(problems[:3])
                if problems else None)

    def array(self, key: str, what: str) -> np.ndarray:
        if key not in self.worker.arrays:
            raise Failure(f"{what}: no values came back")
        return self.worker.arrays[key]

    def histories(self) -> dict[float, dict[str, np.ndarray]]:
        """{lr: {"loss": array, "val_loss": array}} for every learning rate whose run finished."""
        out = {}
        for i, lr in enumerate(spec.LEARNING_RATES):
            loss, val = self.worker.arrays.get(f"history_{i}_loss"), self.worker.arrays.get(f"history_{i}_val_loss")
            if loss is not None and val is not None and loss.size and val.size:
                out[lr] = {"loss": loss, "val_loss": val}
        return out


def _final(values: np.ndarray) -> float:
    return float(values[-1])


def best_by_validation(histories: dict) -> float | None:
    """The lab's rule: the lowest final validation loss among runs that end finite."""
    finite = {lr: _final(h["val_loss"]) for lr, h in histories.items() if math.isfinite(_final(h["val_loss"]))}
    return min(finite, key=finite.get) if finite else None


def _figure(described: dict, what: str) -> list[dict]:
    if not isinstance(described, dict) or not described.get("is_figure"):
        actual = described.get("type") if isinstance(described, dict) else type(described).__name__
        raise Failure(f"{what} must return a matplotlib Figure", expected="a matplotlib.figure.Figure",
                      actual=str(actual), hint="End the function with `return fig`.")
    return described.get("axes", [])


def _model(described: dict, what: str) -> dict:
    if not described.get("is_model"):
        raise Failure(f"{what} must return a keras Model", expected="a keras.Sequential",
                      actual=str(described.get("type")), hint="Return the keras.Sequential you built.")
    return described


def _dense_dropout_layers(model: dict) -> list[dict]:
    return [layer for layer in model["layers"] if layer["type"] != "InputLayer"]


def _layer_text(layer: dict) -> str:
    if layer["type"] == "Dense":
        return f"Dense({layer['units']}, {layer['activation']})"
    if layer["type"] == "Dropout":
        return f"Dropout({layer['rate']})"
    return layer["type"]


def _expected_layers(hidden: int, dropout: float) -> list[str]:
    out = []
    for _ in range(2):
        out.append(f"Dense({hidden}, relu)")
        if dropout > 0:
            out.append(f"Dropout({dropout})")
    return out + ["Dense(1, linear)"]


# -- Part 1 ---------------------------------------------------------------------------------------

_SURFACES = {
    "convex": lambda x, y: x**2 + y**2,
    "non-convex": lambda x, y: np.sin(x**2) + np.cos(y**2),
    "saddle": lambda x, y: x**2 - y**2,
}


@check(points=1)
def check_surface_values(run: LabRun) -> None:
    run.step("surface", "surface(name, x, y)")
    x, y = spec.surface_points()
    for i, name in enumerate(spec.SURFACE_NAMES):
        got = run.array(f"surface_{i}", f"surface({name!r}, x, y)")
        want = _SURFACES[name](x, y)
        if got.shape != want.shape:
            raise Failure(f"surface({name!r}, x, y) has the wrong shape", expected=str(want.shape),
                          actual=str(got.shape), hint="Compute element-wise with numpy; do not loop or reduce.")
        if not np.allclose(got, want, rtol=1e-5, atol=1e-6):
            worst = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
            raise Failure(f"surface({name!r}, x, y) is wrong at x={x[worst]:g}, y={y[worst]:g}",
                          expected=f"{want[worst]:.6g}", actual=f"{got[worst]:.6g}")


@check(points=1)
def check_plot_loss_surfaces(run: LabRun) -> None:
    axes = _figure(run.step("plot_loss_surfaces", "plot_loss_surfaces(n=25)"), "plot_loss_surfaces")
    three_d = [ax for ax in axes if ax["name"] == "3d"]
    flat = [ax for ax in axes if ax["name"] != "3d"]
    if len(three_d) != 3 or len(flat) != 3:
        raise Failure("plot_loss_surfaces must draw three 3-D axes and three contour axes",
                      expected="3 axes with projection='3d' + 3 two-dimensional axes",
                      actual=f"{len(three_d)} 3-D + {len(flat)} 2-D axes")
    if any(ax["collections"] == 0 for ax in three_d):
        raise Failure("a 3-D axes of plot_loss_surfaces is empty", hint="Draw each surface with ax.plot_surface.")
    if any(ax["collections"] == 0 for ax in flat):
        raise Failure("a 2-D axes of plot_loss_surfaces has no contour", hint="Use ax.contour (or contourf).")


# -- Part 2 ---------------------------------------------------------------------------------------

def _expected_derivatives(x: np.ndarray) -> dict[str, np.ndarray]:
    sig = 1.0 / (1.0 + np.exp(-x))
    return {"sigmoid": sig * (1.0 - sig), "tanh": 1.0 - np.tanh(x) ** 2, "relu": (x > 0).astype(float)}


@check(points=2)
def check_activation_derivatives(run: LabRun) -> None:
    step = run.step("activation_derivatives", "activation_derivatives(x)")
    x = spec.activation_points()
    missing = [k for k in ("sigmoid", "tanh", "relu") if k not in step.get("arrays", [])]
    if missing:
        raise Failure("activation_derivatives must return a dict with keys 'sigmoid', 'tanh' and 'relu'",
                      expected="['relu', 'sigmoid', 'tanh']", actual=str(step.get("keys")))
    for key, want in _expected_derivatives(x).items():
        got = run.array(f"derivative_{key}", f"the {key} derivative")
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-6):
            if got.shape != want.shape:
                raise Failure(f"the {key} derivative has the wrong shape", expected=str(want.shape),
                              actual=str(got.shape))
            worst = int(np.argmax(np.abs(got - want)))
            hint = {"sigmoid": "sigma'(x) = sigma(x) * (1 - sigma(x)).",
                    "tanh": "tanh'(x) = 1 - tanh(x)**2.",
                    "relu": "relu'(x) is 1 for x > 0 and 0 otherwise (0 at x = 0)."}[key]
            raise Failure(f"the {key} derivative is wrong at x = {x[worst]:g}", expected=f"{want[worst]:.6g}",
                          actual=f"{got[worst]:.6g}", hint=hint)


@check(points=1)
def check_plot_activation_derivatives(run: LabRun) -> None:
    axes = _figure(run.step("plot_activation_derivatives", "plot_activation_derivatives(x)"),
                   "plot_activation_derivatives")
    if len(axes) != 1 or axes[0]["lines"] < 3:
        raise Failure("plot_activation_derivatives must draw one axes with a line per activation",
                      expected="1 axes with 3 lines",
                      actual=f"{len(axes)} axes with {[ax['lines'] for ax in axes]} lines")


# -- Part 3 ---------------------------------------------------------------------------------------

def _standardise(v: np.ndarray) -> np.ndarray:
    return (v - v.mean()) / v.std()


@check(points=2)
def check_make_data(run: LabRun) -> None:
    step = run.step("make_data", f"make_data({spec.SEED})")
    x, y = run.array("data_x", "make_data's X"), run.array("data_y", "make_data's y")
    shape = (spec.N_SAMPLES, 1)
    if x.shape != shape or y.shape != shape:
        raise Failure("make_data must return X and y of shape (220, 1)", expected=f"{shape} and {shape}",
                      actual=f"{x.shape} and {y.shape}", hint="X = np.arange(-10, 100, 0.5).reshape(-1, 1).")
    raw_x = np.arange(-10, 100, 0.5)
    if not np.allclose(x.ravel(), _standardise(raw_x), atol=1e-5):
        raise Failure("make_data's X is not the standardised np.arange(-10, 100, 0.5)",
                      expected=f"mean 0, std 1, first value {_standardise(raw_x)[0]:.5f}",
                      actual=f"mean {x.mean():.3g}, std {x.std():.3g}, first value {x.ravel()[0]:.5f}")
    if abs(y.mean()) > 1e-3 or abs(y.std() - 1.0) > 1e-3:
        raise Failure("make_data's y is not standardised", expected="mean 0, std 1",
                      actual=f"mean {y.mean():.4g}, std {y.std():.4g}",
                      hint="y = (y - y.mean()) / y.std(), after adding the noise.")
    # The noise (1000 * N(0, 1)) is tiny next to 9 X^3 + 5 X^2 (std about 2.5e6): after
    # standardising, y must follow the noiseless cubic to within 0.01 everywhere.
    cubic = _standardise(9 * raw_x**3 + 5 * raw_x**2)
    gap = float(np.max(np.abs(y.ravel() - cubic)))
    if gap > 0.01:
        raise Failure("make_data's y does not follow y = 9 X^3 + 5 X^2 (+ 1000 * noise)",
                      expected="within 0.01 of the standardised cubic", actual=f"off by up to {gap:.3g}",
                      hint="Build y from the raw X before standardising X.")
    if not step.get("same_seed_same_data"):
        raise Failure("make_data(seed) gives different data on two calls with the same seed",
                      hint="Draw the noise from np.random.default_rng(seed).")
    if not step.get("other_seed_other_noise"):
        raise Failure("make_data ignores its seed: two seeds gave the same noise",
                      hint="Draw the noise from np.random.default_rng(seed).")


@check(points=1)
def check_parameter_count(run: LabRun) -> None:
    step = run.step("build_model", "build_model()")
    for key, hidden in (("default", spec.HIDDEN), ("small", spec.SMALL_HIDDEN)):
        model = _model(step[key], f"build_model(hidden={hidden})")
        if model["params"] != spec.parameter_count(hidden):
            raise Failure(f"build_model(hidden={hidden}) has the wrong number of parameters",
                          expected=str(spec.parameter_count(hidden)), actual=str(model["params"]),
                          hint="1 -> hidden -> hidden -> 1: two Dense(hidden) layers and a Dense(1), "
                               "sized by the `hidden` argument.")


@check(points=1)
def check_layer_structure(run: LabRun) -> None:
    model = _model(run.step("build_model", "build_model()")["default"], "build_model()")
    got = [_layer_text(layer) for layer in _dense_dropout_layers(model)]
    want = _expected_layers(spec.HIDDEN, 0.0)
    if got != want:
        raise Failure("build_model() has the wrong layers", expected=", ".join(want), actual=", ".join(got),
                      hint="Two Dense(16, activation='relu') layers, then a linear Dense(1); "
                           "no Dropout when dropout=0.")


def _train_info(run: LabRun, index: int) -> dict:
    lr = spec.LEARNING_RATES[index]
    return run.step(f"train_{index}", f"train(build_model(), {lr}, {run.epochs}, {spec.SEED})")


@check(points=1)
def check_train_history(run: LabRun) -> None:
    index = spec.LEARNING_RATES.index(0.1)
    info = _train_info(run, index)
    if info.get("keys") != ["loss", "val_loss"]:
        raise Failure("train must return history.history with 'loss' and 'val_loss'",
                      expected="['loss', 'val_loss']", actual=str(info.get("keys")),
                      hint="Fit with validation_split=0.33 and return history.history.")
    for key in ("loss", "val_loss"):
        n = run.array(f"history_{index}_{key}", f"the {key} history").size
        if n != run.epochs:
            raise Failure(f"the {key} history must have one value per epoch", expected=str(run.epochs),
                          actual=str(n), hint="Pass epochs=epochs to model.fit.")


@check(points=1)
def check_train_setup(run: LabRun) -> None:
    index = spec.LEARNING_RATES.index(0.1)
    info = _train_info(run, index)
    lr = spec.LEARNING_RATES[index]
    if info.get("optimizer") != "SGD":
        raise Failure("train must compile with plain SGD", expected="SGD", actual=str(info.get("optimizer")))
    if info.get("optimizer_lr") is None or not math.isclose(info["optimizer_lr"], lr, rel_tol=1e-6):
        raise Failure("train must use the learning rate it is given", expected=str(lr),
                      actual=str(info.get("optimizer_lr")), hint="keras.optimizers.SGD(learning_rate=lr).")
    if info.get("loss_fn") not in ("mse", "mean_squared_error", "MeanSquaredError"):
        raise Failure("train must minimise the mean squared error", expected="loss='mse'",
                      actual=str(info.get("loss_fn")))
    want = spec.steps_per_epoch() * run.epochs
    if info.get("iterations") != want:
        raise Failure("train took the wrong number of SGD steps: check batch_size and validation_split",
                      expected=f"{want} ({spec.steps_per_epoch()} batches of 10 from the first "
                               f"{int(spec.N_SAMPLES * (1 - spec.VALIDATION_SPLIT))} samples, per epoch)",
                      actual=str(info.get("iterations")),
                      hint="model.fit(X, y, batch_size=10, validation_split=0.33, epochs=epochs).")


@check(points=1)
def check_learning_rates_are_floats(run: LabRun) -> None:
    declared = run.data.get("learning_rates_declared")
    shown = run.data.get("learning_rates_repr", "missing")
    if not declared or len(declared) != len(spec.LEARNING_RATES) or not all(
            d.get("value") is not None and math.isclose(d["value"], lr)
            for d, lr in zip(declared, spec.LEARNING_RATES)):
        raise Failure("LEARNING_RATES must list the lab's four rates", expected=str(spec.LEARNING_RATES),
                      actual=str(shown))
    if any(d.get("type") != "float" for d in declared):
        raise Failure("LEARNING_RATES must hold floats", expected=str(spec.LEARNING_RATES), actual=str(shown),
                      **_known("lab-integer-learning-rate"))


@check(points=2)
def check_lr_1_diverges(run: LabRun) -> None:
    index = spec.LEARNING_RATES.index(1.0)
    error = run.data.get("errors", {}).get(f"train_{index}", "")
    if "should be float" in error or "learning_rate=1" in error.replace(" ", ""):
        raise Failure("the run at learning rate 1.0 never started: Keras rejected the rate",
                      actual=error[:300], **_known("lab-integer-learning-rate"))
    _train_info(run, index)
    histories = run.histories()
    if 1.0 not in histories:
        raise Failure("the run at learning rate 1.0 returned no loss history")
    others = [_final(h["loss"]) for lr, h in histories.items() if lr != 1.0 and math.isfinite(_final(h["loss"]))]
    if not others:
        raise Failure("no other learning rate finished with a finite loss to compare 1.0 against")
    best = min(others)
    final = _final(histories[1.0]["loss"])
    if math.isfinite(final) and final < 100 * best:
        raise Failure("at learning rate 1.0 the network should diverge, but its loss stayed small",
                      expected=f"a non-finite loss or at least 100 x the best rate's ({100 * best:.3g})",
                      actual=f"{final:.3g}",
                      hint="Check that train passes lr to SGD unchanged (no clipping, no schedule).")


@check(points=2)
def check_best_rate_converges(run: LabRun) -> None:
    for i in range(len(spec.LEARNING_RATES)):
        if spec.LEARNING_RATES[i] != 1.0:
            _train_info(run, i)
    histories = run.histories()
    best = best_by_validation(histories)
    if best not in (0.1, 0.01):
        raise Failure("the best learning rate (lowest final validation loss) should be 0.1 or 0.01",
                      expected="0.1 or 0.01", actual=str(best),
                      hint="Compare your loss curves: a rate that is too small has barely started.")
    final = _final(histories[best]["loss"])
    if not final < 0.05:
        raise Failure(f"at learning rate {best} the training loss did not converge",
                      expected="a final training MSE below 0.05 (predicting the mean scores 1.0)",
                      actual=f"{final:.3g}")


@check(points=2)
def check_best_learning_rate_function(run: LabRun) -> None:
    step = run.step("best_learning_rate", "best_learning_rate(histories)")
    want = best_by_validation({lr: {k: np.asarray(v) for k, v in h.items()}
                               for lr, h in spec.synthetic_histories().items()})
    got = step.get("synthetic")
    if got is None or not math.isclose(got, want):
        raise Failure("best_learning_rate picked the wrong rate on the grader's histories",
                      expected=str(want), actual=str(got),
                      hint="Rank the runs by their LAST validation loss, skipping runs that end in nan or inf.")
    own = best_by_validation(run.histories())
    if own is not None and ("own" not in step or not math.isclose(step["own"], own)):
        raise Failure("best_learning_rate disagrees with your own training runs",
                      expected=str(own), actual=str(step.get("own")))


@check(points=1)
def check_plot_loss_curves(run: LabRun) -> None:
    step = run.step("plot_loss_curves", "plot_loss_curves(histories)")
    axes = _figure(step.get("figure", {}), "plot_loss_curves")
    n = step.get("n_histories")
    if len(axes) != n or any(ax["lines"] < 2 for ax in axes):
        raise Failure("plot_loss_curves must draw one axes per learning rate, each with the training "
                      "and validation loss", expected=f"{n} axes with 2 lines each",
                      actual=f"{len(axes)} axes with {[ax['lines'] for ax in axes]} lines")


# -- Part 4 ---------------------------------------------------------------------------------------

def _dropout_model(run: LabRun) -> dict:
    step = run.step("dropout_behaviour", f"build_model(hidden=16, dropout={spec.DROPOUT_RATE})")
    return _model(step["model"], f"build_model(dropout={spec.DROPOUT_RATE})")


def _needs_dropout_layers(run: LabRun) -> None:
    model = _dropout_model(run)
    if not any(layer["type"] == "Dropout" for layer in model["layers"]):
        raise Failure("this check needs Dropout layers, and build_model(dropout=0.5) has none",
                      **_known("lab-dropout-ignored"))


@check(points=1)
def check_dropout_layers(run: LabRun) -> None:
    model = _dropout_model(run)
    got = [_layer_text(layer) for layer in _dense_dropout_layers(model)]
    want = _expected_layers(spec.HIDDEN, spec.DROPOUT_RATE)
    if "Dropout" not in " ".join(got):
        raise Failure("build_model(dropout=0.5) has no Dropout layer", expected=", ".join(want),
                      actual=", ".join(got), **_known("lab-dropout-ignored"))
    if got != want:
        raise Failure("build_model(dropout=0.5) must put a Dropout(0.5) after each hidden layer",
                      expected=", ".join(want), actual=", ".join(got))


@check(points=1)
def check_dropout_active_in_training(run: LabRun) -> None:
    _needs_dropout_layers(run)
    a = run.array("dropout_train_a", "outputs in training mode")
    b = run.array("dropout_train_b", "outputs in training mode")
    inference = run.array("dropout_infer_a", "outputs at inference")
    if np.array_equal(a, b) or np.array_equal(a, inference):
        raise Failure("with training=True the dropout network must drop units: two calls should differ",
                      expected="different outputs on each call with training=True",
                      actual="identical outputs", hint="Use keras.layers.Dropout; do not pass training=False inside the model.")


@check(points=1)
def check_dropout_inactive_at_inference(run: LabRun) -> None:
    _needs_dropout_layers(run)
    a = run.array("dropout_infer_a", "outputs at inference")
    b = run.array("dropout_infer_b", "outputs at inference")
    plain = run.array("dropout_plain", "outputs without dropout")
    if not np.array_equal(a, b):
        raise Failure("at inference (training=False) dropout must do nothing, but two calls differ",
                      expected="identical outputs", actual="different outputs", **_known("lab-dropout-at-inference"))
    if a.shape != plain.shape or not np.allclose(a, plain, rtol=1e-5, atol=1e-6):
        raise Failure("at inference the dropout network must equal the same weights without dropout "
                      "(inverted dropout scales during training, not at inference)",
                      expected="the outputs of build_model(dropout=0.0) with the same weights",
                      actual=f"outputs off by up to {float(np.max(np.abs(a - plain))) if a.shape == plain.shape else 'a shape mismatch'}",
                      **_known("lab-dropout-at-inference"))


@check(points=1)
def check_dropout_model_trains(run: LabRun) -> None:
    _needs_dropout_layers(run)
    run.step("dropout_training", f"train(build_model(dropout={spec.DROPOUT_TRAIN_RATE}), "
                                 f"{spec.DROPOUT_TRAIN_LR}, {run.epochs}, {spec.SEED})")
    val = run.array("dropout_history_val_loss", "the dropout network's validation loss")
    loss = run.array("dropout_history_loss", "the dropout network's training loss")
    if val.size != run.epochs or not np.all(np.isfinite(val)) or not np.all(np.isfinite(loss)):
        raise Failure("the dropout network must train to finite losses, one per epoch",
                      expected=f"{run.epochs} finite values", actual=f"{val.size} values, "
                      f"{int(np.sum(~np.isfinite(val)))} not finite")


@check(points=1)
def check_plot_dropout_effect(run: LabRun) -> None:
    step = run.step("plot_dropout_effect", "plot_dropout_effect(histories)")
    axes = _figure(step.get("figure", {}), "plot_dropout_effect")
    n = step.get("n_histories")
    if len(axes) != 1 or axes[0]["lines"] < n:
        raise Failure("plot_dropout_effect must draw one axes with a validation-loss line per history",
                      expected=f"1 axes with {n} lines",
                      actual=f"{len(axes)} axes with {[ax['lines'] for ax in axes]} lines")
