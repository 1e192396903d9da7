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

from autograder import ground_truth
from autograder.course import load_course
from autograder.feedback import Failure
from autograder.lab import probes, spec
from autograder.written import GradedByHand

pytestmark = pytest.mark.exercise("keras_lab")


def _known(misconception: str) -> dict:
    """Feedback fields naming a known mistake of course.toml (its sentence becomes the hint)."""
    return {"misconception": misconception, "hint": load_course().misconceptions[misconception].message}


def _figure(described: dict, what: str) -> list[dict]:
    if not described.get("is_figure"):
        raise Failure(f"{what} must return a matplotlib Figure", expected="a matplotlib.figure.Figure",
                      actual=str(described.get("type")), hint="End the function with `return fig`.")
    return described["axes"]


#: Plotted data are compared with the ground truth at float32's precision: a notebook may compute
#: its curves with TensorFlow.
PLOT_TOL = {"rtol": 1e-5, "atol": 1e-6}


def _same(values, want) -> bool:
    got = None if values is None else np.asarray(values, dtype=np.float64).ravel()
    want = np.asarray(want, dtype=np.float64).ravel()
    return got is not None and got.shape == want.shape and bool(
        np.allclose(got, want, equal_nan=True, **PLOT_TOL))


def _line_of(ax: dict, x, y) -> dict | None:
    """The line of ``ax`` that draws y over x (x None: over 0, 1, 2, ... as plt.plot(y) does)."""
    x = np.arange(len(y)) if x is None else x
    return next((line for line in ax["lines"] if _same(line["y"], y) and _same(line["x"], x)), None)


def _drawn(ax: dict) -> str:
    shown = [f"{line['label']!r} ({'?' if line['y'] is None else np.size(line['y'])} points)"
             for line in ax["lines"][:6]]
    return ", ".join(shown) or "no lines"


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

@pytest.mark.points(1)
def test_surface_values(lab):
    x, y = spec.surface_points()
    truth = ground_truth.load("lab_surface_values", xs=spec.SURFACE_XS, ys=spec.SURFACE_YS)
    for name in spec.SURFACE_NAMES:
        got = np.asarray(lab.call("surface", name, x.copy(), y.copy()), dtype=np.float64)
        want = np.asarray(truth[name], dtype=np.float64)
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


def _critical_truth(name: str) -> dict[str, np.ndarray]:
    gt = ground_truth.load("lab_critical_points", surface=name, limit=spec.SURFACE_LIMIT)
    return {"minima": np.asarray(gt["minima"], dtype=np.float64).reshape(-1, 2),
            "saddles": np.asarray(gt["saddles"], dtype=np.float64).reshape(-1, 2)}


def _as_points(value) -> np.ndarray | None:
    try:
        arr = np.asarray(value if value is not None else [], dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if arr.size == 0:
        return np.zeros((0, 2))
    return arr if arr.ndim == 2 and arr.shape[1] == 2 else None


def _same_points(got: np.ndarray, want: np.ndarray, tol: float = 1e-6) -> bool:
    """Equal as sets of points (any order), each within ``tol``."""
    if got.shape != want.shape:
        return False
    order = lambda a: a[np.lexsort((np.round(a[:, 1], 4), np.round(a[:, 0], 4)))]  # noqa: E731
    return bool(np.allclose(order(got), order(want), rtol=0, atol=tol))


def _show(points: np.ndarray) -> str:
    return "[" + ", ".join(f"({x:.4g}, {y:.4g})" for x, y in points[:8]) + \
        (", ..." if len(points) > 8 else "") + "]"


@pytest.mark.points(2)
def test_critical_points(lab):
    limit = float(spec.SURFACE_LIMIT)
    for name in spec.SURFACE_NAMES:
        got = lab.call("critical_points", name, limit)
        if not isinstance(got, dict) or not {"minima", "saddles"} <= set(got):
            raise Failure(f"critical_points({name!r}) must return a dict with 'minima' and 'saddles'",
                          actual=repr(got)[:200])
        for kind, want in _critical_truth(name).items():
            points = _as_points(got[kind])
            if points is None:
                raise Failure(f"critical_points({name!r})[{kind!r}] must be a list of (x, y) pairs",
                              actual=repr(got[kind])[:200])
            if not _same_points(points, want):
                raise Failure(f"the {kind} of the {name} surface in [-2, 2]^2 are wrong",
                              expected=_show(want), actual=_show(points),
                              hint="Find the critical points of g(x) and h(y) separately (g'(x) = 0 "
                                   "at x = 0 and where the derivative of the outer function is 0), "
                                   "classify each by its first non-zero even derivative, and pair "
                                   "them up.")


def _markers(ax: dict, word: str) -> np.ndarray | None:
    """The points of ``ax``'s lines and scatters whose label names ``word`` (None: none drawn)."""
    found = [np.column_stack([np.ravel(line["x"]), np.ravel(line["y"])]) for line in ax["lines"]
             if word in line["label"].lower() and line["x"] is not None and line["y"] is not None
             and np.size(line["x"]) == np.size(line["y"])]
    found += [np.asarray(sc["offsets"], dtype=np.float64).reshape(-1, 2) for sc in ax.get("scatters", [])
              if word in sc["label"].lower() and sc["offsets"] is not None]
    return np.concatenate(found) if found else None


@pytest.mark.points(1)
def test_plot_marks_critical_points(lab):
    axes = _figure(lab.probe("figure", lab.function("plot_loss_surfaces"), n=spec.SURFACE_GRID,
                             limit=float(spec.SURFACE_LIMIT)), "plot_loss_surfaces")
    flat = [ax for ax in axes if ax["name"] != "3d"]
    if len(flat) != len(spec.SURFACE_NAMES):
        raise Failure("plot_loss_surfaces must draw one contour axes per surface",
                      expected=str(len(spec.SURFACE_NAMES)), actual=str(len(flat)))
    for ax, name in zip(flat, spec.SURFACE_NAMES):
        for kind, word in (("minima", "minim"), ("saddles", "saddle")):
            want = _critical_truth(name)[kind]
            drawn = _markers(ax, word)
            drawn = np.zeros((0, 2)) if drawn is None else drawn
            if not _same_points(drawn, want):
                raise Failure(f"the contour plot of the {name} surface marks the wrong {kind}",
                              expected=f"a line labelled {word!r}... at {_show(want)}" if len(want)
                              else f"no {kind} marked", actual=_show(drawn),
                              hint='ax.plot(xs, ys, "o", label="minimum") and ax.plot(xs, ys, "x", '
                                   'label="saddle") on each contour axes, from critical_points.')


# -- Part 2: activation functions and their derivatives ---------------------------------------------

def _curves() -> dict[str, np.ndarray]:
    """sigmoid, tanh, relu and their derivatives ("sigmoid_grad", ...) at the lab's points."""
    gt = ground_truth.load("lab_activation_curves", points=spec.ACTIVATION_POINTS)
    return {name: np.asarray(gt[name], dtype=np.float64) for name in gt.fields}


def _expected_derivatives(x: np.ndarray) -> dict[str, np.ndarray]:
    curves = _curves()
    return {name: curves[f"{name}_grad"] for name in ("sigmoid", "tanh", "relu")}


def _expected_values(x: np.ndarray) -> dict[str, np.ndarray]:
    curves = _curves()
    return {name: curves[name] for name in ("sigmoid", "tanh", "relu")}


@pytest.mark.points(1)
def test_activation_values(lab):
    x = spec.activation_points()
    got = lab.call("activations", x.copy())
    if not isinstance(got, dict) or any(k not in got for k in ("sigmoid", "tanh", "relu")):
        raise Failure("activations must return a dict with keys 'sigmoid', 'tanh' and 'relu'",
                      expected="['relu', 'sigmoid', 'tanh']",
                      actual=str(sorted(map(str, got)) if isinstance(got, dict) else type(got).__name__))
    for key, want in _expected_values(x).items():
        values = np.asarray(got[key], dtype=np.float64)
        if values.shape != want.shape or not np.allclose(values, want, **PLOT_TOL):
            worst = int(np.argmax(np.abs(values - want))) if values.shape == want.shape else 0
            raise Failure(f"{key}(x) is wrong" + (f" at x = {x[worst]:g}" if values.shape == want.shape else ""),
                          expected=f"{want[worst]:.6g}" if values.shape == want.shape else str(want.shape),
                          actual=f"{values.ravel()[worst]:.6g}" if values.shape == want.shape else str(values.shape))


@pytest.mark.points(1)
def test_plot_activations(lab):
    x = spec.activation_points()
    axes = _figure(lab.probe("figure", lab.function("plot_activations"), x), "plot_activations")
    names = ("sigmoid", "tanh", "relu")
    if len(axes) != len(names):
        raise Failure("plot_activations must draw one axes per activation (sigmoid, tanh, ReLU)",
                      expected="3 axes", actual=f"{len(axes)} axes")
    values, slopes = _expected_values(x), _expected_derivatives(x)
    for ax, name in zip(axes, names):
        for what, want in ((name, values[name]), (f"{name}'", slopes[name])):
            if _line_of(ax, x, want) is None:
                raise Failure(f"the {name} axes of plot_activations does not draw {what} over x",
                              expected=f"a line through the grader's {x.size} points of {what}",
                              actual=_drawn(ax), hint="ax.plot(x, values) for the function and its derivative.")


@pytest.mark.points(1)
def test_plot_sigmoid_vs_tanh(lab):
    x = spec.activation_points()
    axes = _figure(lab.probe("figure", lab.function("plot_sigmoid_vs_tanh"), x), "plot_sigmoid_vs_tanh")
    values = _expected_values(x)
    if len(axes) != 1:
        raise Failure("plot_sigmoid_vs_tanh must draw both functions on one axes",
                      expected="1 axes", actual=f"{len(axes)} axes")
    for name in ("sigmoid", "tanh"):
        if _line_of(axes[0], x, values[name]) is None:
            raise Failure(f"plot_sigmoid_vs_tanh does not draw {name} over x", actual=_drawn(axes[0]),
                          expected=f"a line through the grader's {x.size} points of {name}")


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
    x = spec.activation_points()
    axes = _figure(lab.probe("figure", lab.function("plot_activation_derivatives"), x),
                   "plot_activation_derivatives")
    if len(axes) != 1 or len(axes[0]["lines"]) < 3:
        raise Failure("plot_activation_derivatives must draw one axes with a line per activation",
                      expected="1 axes with 3 lines",
                      actual=f"{len(axes)} axes with {[len(ax['lines']) for ax in axes]} lines")
    for name, want in _expected_derivatives(x).items():
        if _line_of(axes[0], x, want) is None:
            raise Failure(f"plot_activation_derivatives does not draw {name}' over x",
                          expected=f"a line through the grader's {x.size} points of {name}'",
                          actual=_drawn(axes[0]))


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
def test_plot_data(lab):
    x, y = probes.lab_data(spec.SEED)
    axes = _figure(lab.probe("figure", lab.function("plot_data"), x, y), "plot_data")
    want = np.column_stack([x.ravel(), y.ravel()]).astype(np.float64)
    drawn = [np.asarray(sc["offsets"], dtype=np.float64).reshape(-1, 2) for ax in axes
             for sc in ax.get("scatters", []) if sc["offsets"] is not None]
    drawn += [np.column_stack([np.ravel(line["x"]), np.ravel(line["y"])]) for ax in axes
              for line in ax["lines"] if line["marker"] not in ("None", "", " ")
              and line["x"] is not None and line["y"] is not None and np.size(line["x"]) == np.size(line["y"])]
    if not any(_same_points(points, want, tol=1e-5) for points in drawn):
        raise Failure("plot_data must draw the data set it is given as a scatter plot",
                      expected=f"{len(want)} points at (X, y)",
                      actual=f"{[len(p) for p in drawn]} points drawn" if drawn else "no scatter",
                      hint="ax.scatter(X, y) with the arrays passed in (flatten them with np.ravel).")


def _split(lab, seed: int, n: int) -> tuple:
    """split_data on arrays that name their rows: X[i] = i, y[i] = 1000 + i."""
    ids = np.arange(n, dtype=np.float64).reshape(-1, 1)
    got = lab.call("split_data", ids, ids + 1000.0, seed)
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        raise Failure("split_data must return (X_train, X_test, y_train, y_test)", actual=repr(got)[:100])
    return tuple(np.asarray(part, dtype=np.float64).reshape(-1) for part in got)


@pytest.mark.points(2)
def test_split_data(lab):
    for n in (spec.N_SAMPLES, 10):
        x_train, x_test, y_train, y_test = _split(lab, spec.SEED, n)
        want = (n - spec.test_size(n), spec.test_size(n))
        if (x_train.size, x_test.size) != want or (y_train.size, y_test.size) != want:
            raise Failure(f"split_data of {n} samples must hold out ceil(n / 3) of them",
                          expected=f"{want[0]} training and {want[1]} test samples",
                          actual=f"X: {x_train.size} + {x_test.size}, y: {y_train.size} + {y_test.size}",
                          hint="n_test = int(np.ceil(n / 3)).")
        rows = np.concatenate([x_train, x_test])
        if sorted(rows.tolist()) != list(range(n)):
            raise Failure("split_data must put every sample in exactly one part",
                          expected="the training and test rows together are each row once",
                          actual=f"{len(set(x_train) & set(x_test))} rows in both parts, "
                                 f"{n - len(set(rows.tolist()))} rows in neither")
        if not (np.array_equal(y_train, x_train + 1000) and np.array_equal(y_test, x_test + 1000)):
            raise Failure("split_data separated samples from their targets: y[i] must stay with X[i]",
                          hint="Index X and y with the same index arrays.")
    again = _split(lab, spec.SEED, spec.N_SAMPLES)[1]
    first = _split(lab, spec.SEED, spec.N_SAMPLES)[1]
    other = _split(lab, spec.SEED + 1, spec.N_SAMPLES)[1]
    if not np.array_equal(first, again):
        raise Failure("split_data(X, y, seed) holds out different samples on two calls with the same seed",
                      hint="Draw the permutation from np.random.default_rng(seed).")
    if np.array_equal(np.sort(first), np.sort(other)):
        raise Failure("split_data ignores its seed: two seeds held out the same samples",
                      hint="Draw the permutation from np.random.default_rng(seed).")
    if np.array_equal(np.sort(first), np.arange(spec.N_SAMPLES - spec.test_size(), spec.N_SAMPLES)):
        raise Failure("split_data holds out the last third without shuffling",
                      hint="Hold out the first ceil(n / 3) indices of a random permutation.")


@pytest.mark.points(2)
def test_test_loss(lab):
    run = lab.evaluated()
    claimed, recomputed = run["claimed"], run["recomputed"]
    if not isinstance(claimed, float) or not math.isfinite(claimed):
        raise Failure("test_loss must return the test set's mean squared error as a finite float",
                      actual=repr(claimed)[:100], hint="return float(model.evaluate(X_test, y_test, verbose=0))")
    if not math.isclose(claimed, recomputed, rel_tol=1e-4, abs_tol=1e-6):
        raise Failure("test_loss does not match the mean squared error of the model's own predictions "
                      f"on the {run['n_test']} test samples",
                      expected=f"{recomputed:.6g} (recomputed by the grader from the trained model)",
                      actual=f"{claimed:.6g}",
                      hint="Evaluate the model it is given on (X_test, y_test): model.evaluate returns "
                           "the compiled loss, the MSE.")


@pytest.mark.points(1)
def test_training_times(lab):
    out = lab.timed()
    if not out.get("is_dict"):
        raise Failure("time_learning_rates must return a dict keyed by learning rate",
                      actual=str(out.get("type")))
    runs = out["runs"]
    want = [repr(float(lr)) for lr in spec.TIMING_RATES]
    if sorted(runs) != sorted(want):
        raise Failure("time_learning_rates must time every rate it is given, keyed by the rate",
                      expected=str(list(spec.TIMING_RATES)), actual=str([r["key"] for r in runs.values()]))
    total = 0.0
    for key in want:
        run = runs[key]
        seconds = run.get("seconds")
        if not isinstance(seconds, float) or not math.isfinite(seconds) or seconds <= 0:
            raise Failure(f"the time of learning rate {key} must be a positive number of seconds",
                          actual=str(seconds)[:60],
                          hint="seconds = time.perf_counter() - started, around that rate's train call.")
        for name in ("loss", "val_loss"):
            if run.get(name) != spec.TIMING_EPOCHS:
                raise Failure(f"the timed run of learning rate {key} must train for the epochs asked",
                              expected=f"{spec.TIMING_EPOCHS} {name} values", actual=str(run.get(name)),
                              hint="Pass epochs through to train.")
        total += seconds
    # The notebook's clock runs inside the grader's call: its times cannot add up to more.
    if total > out["grader_seconds"] + 0.05:
        raise Failure("the reported training times add up to more than the whole call took",
                      expected=f"at most {out['grader_seconds']:.2f} s in all",
                      actual=f"{total:.2f} s", hint="Time each training run with time.perf_counter().")


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
    for ax, (lr, history) in zip(axes, histories.items()):
        for key in ("loss", "val_loss"):
            if not any(_same(line["y"], history[key]) for line in ax["lines"]):
                raise Failure(f"the axes of learning rate {lr} does not draw its {key} history",
                              expected=f"a line through {history[key]}", actual=_drawn(ax),
                              hint="ax.plot(history['loss']) and ax.plot(history['val_loss']), one "
                                   "axes per rate, in the order of the dict.")


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
    for label, history in labelled.items():
        if not any(_same(line["y"], history["val_loss"]) and label in line["label"]
                   for line in axes[0]["lines"]):
            raise Failure(f"plot_dropout_effect does not draw the validation loss of {label!r}",
                          expected=f"a line labelled {label!r} through {history['val_loss']}",
                          actual=_drawn(axes[0]))



# -- written questions ----------------------------------------------------------------------------

@pytest.mark.points(0)
@pytest.mark.parametrize("question", spec.WRITTEN_QUESTIONS, ids=[q.label for q in spec.WRITTEN_QUESTIONS])
def test_written_answer(lab, question):
    """A written question is graded by hand: the report lists it, with its points and the answer
    read out of the notebook, outside the automatic score."""
    raise GradedByHand(question, lab.written_answer(question))


# -- Part 5: the GPU's memory ------------------------------------------------------------------------

@pytest.mark.points(1)
def test_gpu_memory_growth(lab):
    """Shown a fake ``tf.config`` with no GPU and with two: memory growth is set on each listed GPU,
    exactly once, and on nothing when none is listed."""
    for gpus in spec.GPU_COUNTS:
        out = lab.probe("gpu_setup", lab.function("enable_memory_growth"), gpus)
        want = [[f"/physical_device:GPU:{i}", "True"] for i in range(gpus)]
        calls = [list(call) for call in out["calls"]]
        if calls != want:
            raise Failure(f"with {gpus} GPU(s) listed, enable_memory_growth made the wrong calls",
                          expected=f"set_memory_growth(gpu, True) once per GPU: {want}" if gpus
                          else "no set_memory_growth call", actual=str(calls)[:300],
                          hint='gpus = config.list_physical_devices("GPU"); then '
                               "config.experimental.set_memory_growth(gpu, True) for each.")
        if out["returned"] != repr(gpus):
            raise Failure(f"with {gpus} GPU(s) listed, enable_memory_growth must return {gpus}",
                          expected=repr(gpus), actual=out["returned"])
