"""Hidden tests of the Keras lab notebook (``lab/keras_lab.ipynb``), graded by the one engine.

The notebook's imports, definitions and constants run only in a sandboxed TensorFlow worker; each
test reaches them through the ``lab`` fixture and gets plain data back: arrays, a model's JSON
configuration (read as data, never deserialised), a figure's axes and lines, a training history.
What a check rests on is recomputed here: the expected values come from the lab's definition
(formulas, the architecture's arithmetic, ``autograder.lab.spec``), the parameter count from the
configuration, and the learning-rate checks from training runs the grader replays itself in a
worker that never imported the notebook (``lab.replayed_histories()``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograder.course import load_course
from autograder.feedback import Failure
from autograder.lab import probes, spec

pytestmark = pytest.mark.exercise("keras_lab")


def _known(misconception: str) -> dict:
    """Feedback fields naming a known mistake of course.toml (its sentence becomes the hint)."""
    return {"misconception": misconception, "hint": load_course().misconceptions[misconception].message}


def _figure(described: dict, what: str) -> list[dict]:
    if not described.get("is_figure"):
        raise Failure(f"{what} must return a matplotlib Figure", expected="a matplotlib.figure.Figure",
                      actual=str(described.get("type")), hint="End the function with `return fig`.")
    return described["axes"]


def _layers(model: dict, what: str) -> list[dict]:
    """The model's layers from its configuration, or a Failure saying why there are none."""
    if not model.get("is_model"):
        raise Failure(f"{what} must return a keras Model", expected="a keras.Sequential",
                      actual=str(model.get("type")), hint="Return the keras.Sequential you built.")
    try:
        return [layer for layer in probes.layers_of(model["config"]) if layer["type"] != "InputLayer"]
    except (ValueError, TypeError, KeyError) as exc:
        raise Failure(f"{what} must be a keras.Sequential of Dense and Dropout layers",
                      actual=str(exc)[:200]) from None


def _layer_text(layer: dict) -> str:
    return (f"Dense({layer['units']}, {layer['activation']})" if layer["type"] == "Dense"
            else f"Dropout({layer['rate']:g})")


def _expected_layers(hidden: int, dropout: float) -> list[str]:
    out = []
    for _ in range(2):
        out.append(f"Dense({hidden}, relu)")
        if dropout > 0:
            out.append(f"Dropout({dropout:g})")
    return out + ["Dense(1, linear)"]


# -- Part 1: loss surfaces -------------------------------------------------------------------------

SURFACES = {
    "convex": lambda x, y: x**2 + y**2,
    "non-convex": lambda x, y: np.sin(x**2) + np.cos(y**2),
    "saddle": lambda x, y: x**2 - y**2,
}


@pytest.mark.points(1)
def test_surface_values(lab):
    x, y = spec.surface_points()
    for name in spec.SURFACE_NAMES:
        got = np.asarray(lab.call("surface", name, x.copy(), y.copy()), dtype=np.float64)
        want = SURFACES[name](x, y)
        if got.shape != want.shape:
            raise Failure(f"surface({name!r}, x, y) has the wrong shape", expected=str(want.shape),
                          actual=str(got.shape), hint="Compute element-wise with numpy; do not loop or reduce.")
        if not np.allclose(got, want, rtol=1e-5, atol=1e-6):
            worst = np.unravel_index(np.argmax(np.abs(got - want)), want.shape)
            raise Failure(f"surface({name!r}, x, y) is wrong at x={x[worst]:g}, y={y[worst]:g}",
                          expected=f"{want[worst]:.6g}", actual=f"{got[worst]:.6g}")


@pytest.mark.points(1)
def test_plot_loss_surfaces(lab):
    axes = _figure(lab.probe("figure", lab.function("plot_loss_surfaces"), n=25), "plot_loss_surfaces")
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


# -- Part 2: activation derivatives ----------------------------------------------------------------

def _expected_derivatives(x: np.ndarray) -> dict[str, np.ndarray]:
    sig = 1.0 / (1.0 + np.exp(-x))
    # sech(x)**2, not 1 - tanh(x)**2: no cancellation in the tails.
    return {"sigmoid": sig * (1.0 - sig), "tanh": 1.0 / np.cosh(x) ** 2, "relu": (x > 0).astype(float)}


@pytest.mark.points(2)
def test_activation_derivatives(lab):
    x = spec.activation_points()
    got = lab.call("activation_derivatives", x.copy())
    if not isinstance(got, dict) or any(k not in got for k in ("sigmoid", "tanh", "relu")):
        raise Failure("activation_derivatives must return a dict with keys 'sigmoid', 'tanh' and 'relu'",
                      expected="['relu', 'sigmoid', 'tanh']",
                      actual=str(sorted(map(str, got)) if isinstance(got, dict) else type(got).__name__))
    hints = {"sigmoid": "sigma'(x) = sigma(x) * (1 - sigma(x)).", "tanh": "tanh'(x) = 1 - tanh(x)**2.",
             "relu": "relu'(x) is 1 for x > 0 and 0 otherwise (0 at x = 0)."}
    for key, want in _expected_derivatives(x).items():
        values = np.asarray(got[key], dtype=np.float64)
        if values.shape != want.shape:
            raise Failure(f"the {key} derivative has the wrong shape", expected=str(want.shape),
                          actual=str(values.shape))
        if not np.allclose(values, want, rtol=1e-5, atol=1e-6):
            worst = int(np.argmax(np.abs(values - want)))
            raise Failure(f"the {key} derivative is wrong at x = {x[worst]:g}", expected=f"{want[worst]:.6g}",
                          actual=f"{values[worst]:.6g}", hint=hints[key])


@pytest.mark.points(1)
def test_plot_activation_derivatives(lab):
    axes = _figure(lab.probe("figure", lab.function("plot_activation_derivatives"),
                             spec.activation_points()), "plot_activation_derivatives")
    if len(axes) != 1 or len(axes[0]["lines"]) < 3:
        raise Failure("plot_activation_derivatives must draw one axes with a line per activation",
                      expected="1 axes with 3 lines",
                      actual=f"{len(axes)} axes with {[len(ax['lines']) for ax in axes]} lines")


# -- Part 3: data, model, training -----------------------------------------------------------------

def _standardise(v: np.ndarray) -> np.ndarray:
    return (v - v.mean()) / v.std()


@pytest.mark.points(2)
def test_make_data(lab):
    first = lab.call("make_data", spec.SEED)
    if not isinstance(first, tuple) or len(first) != 2:
        raise Failure("make_data must return a pair (X, y)", actual=type(first).__name__)
    x, y = (np.asarray(v, dtype=np.float64) for v in first)
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
    gap = float(np.max(np.abs(y.ravel() - _standardise(9 * raw_x**3 + 5 * raw_x**2))))
    if gap > 0.01:
        raise Failure("make_data's y does not follow y = 9 X^3 + 5 X^2 (+ 1000 * noise)",
                      expected="within 0.01 of the standardised cubic", actual=f"off by up to {gap:.3g}",
                      hint="Build y from the raw X before standardising X.")
    again = np.asarray(lab.call("make_data", spec.SEED)[1], dtype=np.float64)
    if not np.array_equal(again, y):
        raise Failure("make_data(seed) gives different data on two calls with the same seed",
                      hint="Draw the noise from np.random.default_rng(seed).")
    other = np.asarray(lab.call("make_data", spec.SEED + 1)[1], dtype=np.float64)
    if other.shape == y.shape and np.array_equal(other, y):
        raise Failure("make_data ignores its seed: two seeds gave the same noise",
                      hint="Draw the noise from np.random.default_rng(seed).")


@pytest.mark.points(1)
def test_parameter_count(lab):
    for hidden in (spec.HIDDEN, spec.SMALL_HIDDEN):
        what = f"build_model(hidden={hidden})"
        got = probes.parameters(_layers(lab.model(hidden=hidden), what))
        if got != spec.parameter_count(hidden):
            raise Failure(f"{what} has the wrong number of parameters",
                          expected=str(spec.parameter_count(hidden)), actual=str(got),
                          hint="1 -> hidden -> hidden -> 1: two Dense(hidden) layers and a Dense(1), "
                               "sized by the `hidden` argument.")


@pytest.mark.points(1)
def test_layer_structure(lab):
    got = [_layer_text(layer) for layer in _layers(lab.model(), "build_model()")]
    want = _expected_layers(spec.HIDDEN, 0.0)
    if got != want:
        raise Failure("build_model() has the wrong layers", expected=", ".join(want), actual=", ".join(got),
                      hint="Two Dense(16, activation='relu') layers, then a linear Dense(1); "
                           "no Dropout when dropout=0.")


def _train_run(lab, lr: float = 0.1) -> dict:
    run = lab.train(lr)
    _layers(run["model"], "build_model()")
    return run


def _as_replayed(claimed: dict, replayed: dict, what: str) -> None:
    """The history a training run of the notebook's returned is the one the grader gets when it
    trains the same model (configuration, initial weights, data, seed) itself: what ``train``
    reports is checked against what it did."""
    for key in ("loss", "val_loss"):
        got = np.asarray(claimed.get(key, []), dtype=np.float64)
        want = np.asarray(replayed[key], dtype=np.float64)
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-4, atol=1e-7, equal_nan=True):
            raise Failure(f"{what}: its {key} history is not the training the grader replays",
                          expected=f"{want.size} values ending in {want[-1]:.6g}" if want.size else "values",
                          actual=f"{got.size} values" + (f" ending in {got[-1]:.6g}" if got.size else ""),
                          hint="Train on make_data(seed) with keras.utils.set_random_seed(seed) called "
                               "just before model.fit, and return history.history unchanged.")


@pytest.mark.points(1)
def test_train_history(lab):
    run = _train_run(lab)
    if run["keys"] != ["loss", "val_loss"]:
        raise Failure("train must return history.history with 'loss' and 'val_loss'",
                      expected="['loss', 'val_loss']", actual=str(run["keys"]),
                      hint="Fit with validation_split=0.33 and return history.history.")
    for key in ("loss", "val_loss"):
        n = np.asarray(run["history"][key]).size
        if n != lab.epochs:
            raise Failure(f"the {key} history must have one value per epoch", expected=str(lab.epochs),
                          actual=str(n), hint="Pass epochs=epochs to model.fit.")
    _as_replayed(run["history"], lab.replayed_histories()[0.1], "train(build_model(), 0.1, ...)")


@pytest.mark.points(1)
def test_train_setup(lab):
    run = _train_run(lab)
    if run["optimizer"] != "SGD":
        raise Failure("train must compile with plain SGD", expected="SGD", actual=str(run["optimizer"]))
    if run["optimizer_lr"] is None or not math.isclose(run["optimizer_lr"], 0.1, rel_tol=1e-6):
        raise Failure("train must use the learning rate it is given", expected="0.1",
                      actual=str(run["optimizer_lr"]), hint="keras.optimizers.SGD(learning_rate=lr).")
    if run["loss"] not in ("mse", "mean_squared_error", "MeanSquaredError"):
        raise Failure("train must minimise the mean squared error", expected="loss='mse'", actual=str(run["loss"]))
    want = spec.steps_per_epoch() * lab.epochs
    if run["iterations"] != want:
        raise Failure("train took the wrong number of SGD steps: check batch_size and validation_split",
                      expected=f"{want} ({spec.steps_per_epoch()} batches of 10 from the first "
                               f"{int(spec.N_SAMPLES * (1 - spec.VALIDATION_SPLIT))} samples, per epoch)",
                      actual=str(run["iterations"]),
                      hint="model.fit(X, y, batch_size=10, validation_split=0.33, epochs=epochs).")
    _as_replayed(run["history"], lab.replayed_histories()[0.1], "train(build_model(), 0.1, ...)")


@pytest.mark.points(1)
def test_learning_rates_are_floats(lab):
    declared = lab.value("LEARNING_RATES")
    shown = repr(declared)[:200]
    if not isinstance(declared, (list, tuple)) or len(declared) != len(spec.LEARNING_RATES) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isclose(v, lr)
            for v, lr in zip(declared, spec.LEARNING_RATES)):
        raise Failure("LEARNING_RATES must list the lab's four rates", expected=str(spec.LEARNING_RATES),
                      actual=shown)
    if any(type(v) is not float for v in declared):
        raise Failure("LEARNING_RATES must hold floats", expected=str(spec.LEARNING_RATES), actual=shown,
                      **_known("lab-integer-learning-rate"))


def _final(values) -> float:
    return float(np.asarray(values)[-1])


def best_by_validation(histories: dict) -> float | None:
    """The lab's rule: the lowest final validation loss among runs that end finite."""
    finite = {lr: _final(h["val_loss"]) for lr, h in histories.items() if math.isfinite(_final(h["val_loss"]))}
    return min(finite, key=finite.get) if finite else None


@pytest.mark.points(2)
def test_lr_1_diverges(lab):
    try:
        declared = lab.value("LEARNING_RATES")
    except Failure:
        declared = None   # its own test says so; this one needs only the model
    if isinstance(declared, (list, tuple)) and declared and type(declared[0]) is int:
        raise Failure("the run at learning rate 1.0 cannot start: Keras rejects an integer rate",
                      actual=repr(declared)[:200], **_known("lab-integer-learning-rate"))
    histories = lab.replayed_histories()
    others = [_final(h["loss"]) for lr, h in histories.items() if lr != 1.0 and math.isfinite(_final(h["loss"]))]
    if not others:
        raise Failure("no other learning rate finished with a finite loss to compare 1.0 against")
    best, final = min(others), _final(histories[1.0]["loss"])
    if math.isfinite(final) and final < 100 * best:
        raise Failure("at learning rate 1.0 the network should diverge, but its loss stayed small",
                      expected=f"a non-finite loss or at least 100 x the best rate's ({100 * best:.3g})",
                      actual=f"{final:.3g}", hint="Check the model: two ReLU hidden layers and a linear output.")


@pytest.mark.points(2)
def test_best_rate_converges(lab):
    histories = lab.replayed_histories()
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


@pytest.mark.points(2)
def test_best_learning_rate_function(lab):
    synthetic = spec.synthetic_histories()
    want = best_by_validation(synthetic)
    got = lab.probe("with_dict", lab.function("best_learning_rate"), list(synthetic.items()))
    if not isinstance(got, (int, float)) or not math.isclose(got, want):
        raise Failure("best_learning_rate picked the wrong rate on the grader's histories",
                      expected=str(want), actual=repr(got)[:100],
                      hint="Rank the runs by their LAST validation loss, skipping runs that end in nan or inf.")
    replayed = {lr: {k: [float(v) for v in h[k]] for k in ("loss", "val_loss")}
                for lr, h in lab.replayed_histories().items()}
    own = best_by_validation(replayed)
    got = lab.probe("with_dict", lab.function("best_learning_rate"), list(replayed.items()))
    if own is not None and (not isinstance(got, (int, float)) or not math.isclose(got, own)):
        raise Failure("best_learning_rate disagrees with the lab's training runs",
                      expected=str(own), actual=repr(got)[:100])


@pytest.mark.points(1)
def test_plot_loss_curves(lab):
    histories = spec.synthetic_histories()
    axes = _figure(lab.probe("with_dict", lab.function("plot_loss_curves"), list(histories.items()),
                             describe="figure"), "plot_loss_curves")
    if len(axes) != len(histories) or any(len(ax["lines"]) < 2 for ax in axes):
        raise Failure("plot_loss_curves must draw one axes per learning rate, each with the training "
                      "and validation loss", expected=f"{len(histories)} axes with 2 lines each",
                      actual=f"{len(axes)} axes with {[len(ax['lines']) for ax in axes]} lines")


# -- Part 4: dropout -------------------------------------------------------------------------------

def _dropout_layers(lab) -> list[dict]:
    return _layers(lab.model(hidden=spec.HIDDEN, dropout=spec.DROPOUT_RATE),
                   f"build_model(dropout={spec.DROPOUT_RATE})")


def _needs_dropout_layers(lab) -> None:
    if not any(layer["type"] == "Dropout" for layer in _dropout_layers(lab)):
        raise Failure("this check needs Dropout layers, and build_model(dropout=0.5) has none",
                      **_known("lab-dropout-ignored"))


@pytest.mark.points(1)
def test_dropout_layers(lab):
    got = [_layer_text(layer) for layer in _dropout_layers(lab)]
    want = _expected_layers(spec.HIDDEN, spec.DROPOUT_RATE)
    if not any(text.startswith("Dropout") for text in got):
        raise Failure("build_model(dropout=0.5) has no Dropout layer", expected=", ".join(want),
                      actual=", ".join(got), **_known("lab-dropout-ignored"))
    if got != want:
        raise Failure("build_model(dropout=0.5) must put a Dropout(0.5) after each hidden layer",
                      expected=", ".join(want), actual=", ".join(got))


def _dropout_outputs(lab) -> dict:
    """The dropout network's outputs as the grader computes them from its configuration and
    weights (``lab.model`` has checked the notebook's own outputs at inference against them,
    naming lab-dropout-at-inference where they differ)."""
    _needs_dropout_layers(lab)
    return lab.replayed_dropout_outputs()


@pytest.mark.points(1)
def test_dropout_active_in_training(lab):
    out = _dropout_outputs(lab)
    if np.array_equal(out["train_a"], out["train_b"]) or np.array_equal(out["train_a"], out["infer_a"]):
        raise Failure("with training=True the dropout network must drop units: two calls should differ",
                      expected="different outputs on each call with training=True", actual="identical outputs",
                      hint="Use keras.layers.Dropout; do not pass training=False inside the model.")


@pytest.mark.points(1)
def test_dropout_inactive_at_inference(lab):
    out = _dropout_outputs(lab)
    a, b, plain = (np.asarray(out[k]) for k in ("infer_a", "infer_b", "plain"))
    if not np.array_equal(a, b):
        raise Failure("at inference (training=False) dropout must do nothing, but two calls differ",
                      expected="identical outputs", actual="different outputs", **_known("lab-dropout-at-inference"))
    if a.shape != plain.shape or not np.allclose(a, plain, rtol=1e-5, atol=1e-6):
        gap = float(np.max(np.abs(a - plain))) if a.shape == plain.shape else "a shape mismatch"
        raise Failure("at inference the dropout network must equal the same weights without dropout "
                      "(inverted dropout scales during training, not at inference)",
                      expected="the outputs of build_model(dropout=0.0) with the same weights",
                      actual=f"outputs off by up to {gap}", **_known("lab-dropout-at-inference"))


@pytest.mark.points(1)
def test_dropout_model_trains(lab):
    _needs_dropout_layers(lab)
    run = lab.train(spec.DROPOUT_TRAIN_LR, dropout=spec.DROPOUT_TRAIN_RATE)
    _layers(run["model"], f"build_model(dropout={spec.DROPOUT_TRAIN_RATE})")
    loss, val = (np.asarray(run.get("history", {}).get(k, [])) for k in ("loss", "val_loss"))
    if val.size != lab.epochs or not np.all(np.isfinite(val)) or not np.all(np.isfinite(loss)):
        raise Failure("the dropout network must train to finite losses, one per epoch",
                      expected=f"{lab.epochs} finite values",
                      actual=f"{val.size} values, {int(np.sum(~np.isfinite(val)))} not finite")
    _as_replayed(run["history"], lab.replayed_dropout_history(),
                 f"train(build_model(dropout={spec.DROPOUT_TRAIN_RATE}), {spec.DROPOUT_TRAIN_LR}, ...)")


@pytest.mark.points(1)
def test_plot_dropout_effect(lab):
    labelled = {label: {"loss": h, "val_loss": h} for label, h in spec.synthetic_dropout().items()}
    axes = _figure(lab.probe("figure", lab.function("plot_dropout_effect"), labelled), "plot_dropout_effect")
    if len(axes) != 1 or len(axes[0]["lines"]) < len(labelled):
        raise Failure("plot_dropout_effect must draw one axes with a validation-loss line per history",
                      expected=f"1 axes with {len(labelled)} lines",
                      actual=f"{len(axes)} axes with {[len(ax['lines']) for ax in axes]} lines")

