"""What the sandbox worker does with a notebook's Keras models and figures: turn them into data.

A model or a figure cannot cross the protocol (only plain data does), so the tests ask the worker
to run a *probe*: trusted code of this module, copied into the worker's runtime like the rest of
it, that calls the notebook's function and describes the result as numbers, strings and arrays.

The worker also runs the submission, so whatever a probe returns is only a claim: the tests check
it for what it is (a model's configuration, read as JSON and never deserialised) and recompute
what they rely on (the training runs of the learning-rate checks are replayed by :func:`replay`
in a worker that has run no submission code at all).

Standard library, numpy, and (imported when a probe runs) keras and matplotlib only.
"""

from __future__ import annotations

import json

import numpy as np

#: Layers the grader rebuilds a model from: anything else is refused, never deserialised.
REPLAYABLE_LAYERS = ("InputLayer", "Dense", "Dropout")
#: A replayed model is the lab's 1-16-16-1 network or a mistake near it: far more is refused
#: (a forged configuration must not make the grader's own worker train for minutes).
MAX_LAYERS = 16
MAX_PARAMETERS = 100_000
ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "elu", "softplus", "swish", "gelu")
MAX_LINE_POINTS = 4096


def _keras():
    import keras  # noqa: PLC0415 - only TensorFlow profiles import it
    return keras


def _deterministic():
    # The notebook's worker and the grader's replay must train bit for bit alike.
    import tensorflow as tf  # noqa: PLC0415
    tf.config.experimental.enable_op_determinism()


def _floats(value, limit: int = 1_000_000) -> np.ndarray:
    arr = np.array(value, dtype=np.float64, copy=True)
    if arr.size > limit:
        raise ValueError(f"{arr.size} values, more than the {limit} expected")
    return arr


def _points(values):
    """A line's or scatter's coordinates as floats; None when there are too many to send."""
    try:
        return _floats(values, 2 * MAX_LINE_POINTS) if np.size(values) <= 2 * MAX_LINE_POINTS else None
    except (TypeError, ValueError):
        return None


def figure(fn, *args, **kwargs) -> dict:
    """Call ``fn``; describe the Figure it returns: per axes its projection and what is drawn."""
    import matplotlib  # noqa: PLC0415
    matplotlib.use("Agg")
    import matplotlib.figure  # noqa: PLC0415
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig = fn(*args, **kwargs)
    if not isinstance(fig, matplotlib.figure.Figure):
        return {"is_figure": False, "type": type(fig).__name__}
    axes = []
    for ax in fig.axes:
        lines = []
        for line in ax.lines[:64]:
            x, y = line.get_xdata(), line.get_ydata()
            lines.append({"label": str(line.get_label())[:200],
                          "x": _points(x), "y": _points(y),
                          "marker": str(line.get_marker())[:20],
                          "linestyle": str(line.get_linestyle())[:20]})
        # Scatter plots (PathCollection) draw their points as offsets: (n, 2) in data space.
        scatters = [{"label": str(c.get_label())[:200], "offsets": _points(c.get_offsets())}
                    for c in ax.collections[:64] if type(c).__name__ == "PathCollection"]
        axes.append({"name": str(ax.name), "lines": lines, "collections": len(ax.collections),
                     "scatters": scatters, "images": len(ax.images),
                     "title": str(ax.get_title())[:200]})
    plt.close(fig)
    return {"is_figure": True, "type": "Figure", "axes": axes}


def with_dict(fn, pairs, describe: str = "value"):
    """``fn(dict(pairs))``: the protocol's dicts have string keys, the lab's histories are keyed
    by learning rate. ``describe="figure"`` describes the Figure it returns."""
    mapping = {key: value for key, value in pairs}
    if describe == "figure":
        return figure(fn, mapping)
    return fn(mapping)


def _describe_model(model) -> dict:
    """A model's configuration (JSON) and initial weights. A Sequential written without an
    ``Input`` is built for the lab's one feature first (what its first ``fit`` would do)."""
    keras = _keras()
    if not isinstance(model, keras.Model):
        return {"is_model": False, "type": type(model).__name__}
    if not model.built:
        model.build((None, 1))
    weights = [_floats(w) for w in model.get_weights()]
    if sum(w.size for w in weights) > MAX_PARAMETERS:
        weights = None     # not replayable: layers_of says why
    return {"is_model": True, "type": type(model).__name__, "config": model.to_json(),
            "weights": weights}


def model(build_model, seed: int, probe, **kwargs) -> dict:
    """``build_model(**kwargs)`` after seeding Keras: its configuration (JSON), its initial
    weights, and its outputs at inference on ``probe`` (which the grader recomputes from the
    other two: a model is what it computes, not what it says it is)."""
    _keras().utils.set_random_seed(seed)
    net = build_model(**kwargs)
    described = _describe_model(net)
    if described["is_model"]:
        x = np.asarray(probe, dtype=np.float32).reshape(-1, 1)
        described["outputs"] = _floats(np.asarray(net(x, training=False)))
    return described


class _RecordedFit:
    """Stands in for ``model.fit`` on one model: notes the arguments (by name, wherever they were
    given), then fits as asked."""

    def __init__(self, fit):
        import inspect  # noqa: PLC0415
        self.fit, self.calls = fit, []
        self._signature = inspect.signature(fit)

    def __call__(self, *args, **kwargs):
        try:
            named = self._signature.bind(*args, **kwargs).arguments
        except TypeError:
            named = kwargs
        shown = {k: v for k, v in named.items()
                 if k not in ("x", "y") and (isinstance(v, (int, float, str, bool)) or v is None)}
        self.calls.append(shown)
        return self.fit(*args, **kwargs)


def train(build_model, train_fn, seed: int, lr, epochs: int, **build_kwargs) -> dict:
    """``train_fn(build_model(**build_kwargs), lr, epochs, seed)``, described: the history it
    returned, how it compiled and fitted the model, and the model's configuration."""
    keras = _keras()
    _deterministic()
    keras.utils.set_random_seed(seed)
    net = build_model(**build_kwargs)
    described = _describe_model(net)
    if not described["is_model"]:
        return {"model": described}
    recorder = _RecordedFit(net.fit)
    net.fit = recorder
    history = train_fn(net, lr, epochs, seed)
    if not isinstance(history, dict):
        raise TypeError(f"train returned {type(history).__name__}, not the history dict")
    optimizer = getattr(net, "optimizer", None)
    info = {"model": described, "keys": sorted(str(k) for k in history),
            "history": {str(k): _floats(v).ravel() for k, v in history.items()
                        if str(k) in ("loss", "val_loss")},
            "optimizer": type(optimizer).__name__ if optimizer is not None else None,
            "optimizer_lr": None, "iterations": None, "fit_calls": recorder.calls[:4]}
    try:
        info["optimizer_lr"] = float(np.asarray(optimizer.learning_rate))
        info["iterations"] = int(np.asarray(optimizer.iterations))
    except Exception:  # noqa: BLE001 - not an optimizer we know: the checks say so
        pass
    loss = getattr(net, "loss", None)
    info["loss"] = loss if isinstance(loss, str) else getattr(loss, "__name__", type(loss).__name__)
    return info


# -- trusted replays: run only in a worker that has imported no submission ----------------------

def layers_of(config_json: str) -> list[dict]:
    """The layers of a Sequential model's JSON configuration, checked and reduced to what the
    grader rebuilds: ``[{"type": "Dense", "units": 16, "activation": "relu"}, ...]``.

    Raises ValueError for anything else (a functional model, a Lambda, a custom layer): a
    configuration is read as data and never deserialised, so it cannot run code.
    """
    config = json.loads(config_json) if isinstance(config_json, str) else config_json
    if not isinstance(config, dict) or config.get("class_name") != "Sequential":
        raise ValueError("not a keras.Sequential model")
    layers = (config.get("config") or {}).get("layers")
    if not isinstance(layers, list) or len(layers) > MAX_LAYERS:
        raise ValueError(f"no list of at most {MAX_LAYERS} layers")
    out = []
    for layer in layers:
        kind = layer.get("class_name") if isinstance(layer, dict) else None
        conf = layer.get("config") if isinstance(layer, dict) else None
        if kind not in REPLAYABLE_LAYERS or not isinstance(conf, dict):
            raise ValueError(f"a layer the grader does not rebuild: {str(kind)[:60]}")
        if kind == "Dense":
            units, activation = conf.get("units"), conf.get("activation")
            if type(units) is not int or not 0 < units <= 4096 or activation not in ACTIVATIONS:
                raise ValueError("a Dense layer with unexpected units or activation")
            out.append({"type": "Dense", "units": units, "activation": activation,
                        "use_bias": bool(conf.get("use_bias", True))})
        elif kind == "Dropout":
            rate = conf.get("rate")
            if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
                raise ValueError("a Dropout layer with an unexpected rate")
            out.append({"type": "Dropout", "rate": float(rate)})
        else:
            out.append({"type": "InputLayer"})
    if parameters(out) > MAX_PARAMETERS:
        raise ValueError(f"{parameters(out)} parameters, more than the {MAX_PARAMETERS} the grader "
                         "trains")
    return out


def parameters(layers: list[dict], inputs: int = 1) -> int:
    """Weights and biases of a chain of Dense layers fed ``inputs`` features (Dropout adds none)."""
    total, width = 0, inputs
    for layer in layers:
        if layer["type"] == "Dense":
            total += width * layer["units"] + (layer["units"] if layer["use_bias"] else 0)
            width = layer["units"]
    return total


def lab_data(seed: int, n_points: int = 220) -> tuple[np.ndarray, np.ndarray]:
    """The lab's data set as its assignment defines it (make_data's docstring)."""
    rng = np.random.default_rng(seed)
    x = np.arange(-10, 100, 0.5)[:n_points]
    y = 9 * x**3 + 5 * x**2 + 1000 * rng.standard_normal(x.shape)
    x = (x - x.mean()) / x.std()
    y = (y - y.mean()) / y.std()
    return x.reshape(-1, 1).astype("float32"), y.reshape(-1, 1).astype("float32")


def _rebuilt(keras, layers: list[dict], weights):
    net = keras.Sequential([keras.Input(shape=(1,))])
    for layer in layers:
        if layer["type"] == "Dense":
            net.add(keras.layers.Dense(layer["units"], activation=layer["activation"],
                                       use_bias=layer["use_bias"]))
        elif layer["type"] == "Dropout":
            net.add(keras.layers.Dropout(layer["rate"]))
    if weights is not None:
        net.set_weights([np.asarray(w, dtype=np.float32) for w in weights])
    return net


def replay(config_json: str, weights, seed: int, rates, epochs: int, batch_size: int,
           validation_split: float) -> dict:
    """Rebuild the model from its configuration and initial weights once per learning rate,
    train it with plain SGD on the mean squared error as the lab's ``train`` does (seeded before
    fitting), and return the histories, keyed by ``repr(lr)``."""
    keras = _keras()
    _deterministic()
    layers = layers_of(config_json)
    x, y = lab_data(seed)
    out = {}
    for lr in rates:
        keras.utils.set_random_seed(seed)
        net = _rebuilt(keras, layers, weights)
        net.compile(optimizer=keras.optimizers.SGD(learning_rate=float(lr)), loss="mse")
        keras.utils.set_random_seed(seed)
        history = net.fit(x, y, batch_size=int(batch_size), epochs=int(epochs),
                          validation_split=float(validation_split), verbose=0).history
        out[repr(float(lr))] = {k: _floats(history.get(k, [])).ravel() for k in ("loss", "val_loss")}
    return out


def replay_outputs(config_json: str, weights, seed: int, probe) -> dict:
    """The rebuilt model's outputs twice in training and twice at inference, and those of the same
    weights with its Dropout layers left out."""
    keras = _keras()
    layers = layers_of(config_json)
    keras.utils.set_random_seed(seed)
    net = _rebuilt(keras, layers, weights)
    x = np.asarray(probe, dtype=np.float32).reshape(-1, 1)
    out = {name: _floats(np.asarray(net(x, training=training)))
           for name, training in (("train_a", True), ("train_b", True), ("infer_a", False),
                                  ("infer_b", False))}
    plain = _rebuilt(keras, [layer for layer in layers if layer["type"] != "Dropout"],
                     net.get_weights())
    out["plain"] = _floats(np.asarray(plain(x, training=False)))
    return out


def evaluated(build_model, train_fn, test_loss_fn, seed: int, lr, epochs: int, x_test, y_test) -> dict:
    """Train ``build_model()`` with the notebook's ``train``, then ask its ``test_loss`` for the
    test split's loss: the claim, with the trained model's configuration and weights (from which
    the grader's own worker recomputes the loss: :func:`predict`)."""
    keras = _keras()
    _deterministic()
    keras.utils.set_random_seed(seed)
    net = build_model()
    if not isinstance(net, keras.Model):
        return {"model": {"is_model": False, "type": type(net).__name__}}
    train_fn(net, lr, epochs, seed)
    claimed = test_loss_fn(net, np.asarray(x_test, dtype=np.float32), np.asarray(y_test, dtype=np.float32))
    described = _describe_model(net)
    try:
        claimed = float(np.asarray(claimed, dtype=np.float64).reshape(-1)[0])
    except (TypeError, ValueError, IndexError):
        claimed = repr(claimed)[:100]
    return {"model": described, "claimed": claimed}


def predict(config_json: str, weights, x) -> np.ndarray:
    """The rebuilt model's outputs on ``x`` at inference (run only in the grader's own worker)."""
    keras = _keras()
    net = _rebuilt(keras, layers_of(config_json), weights)
    return _floats(np.asarray(net(np.asarray(x, dtype=np.float32).reshape(-1, 1), training=False)))


def timed(fn, rates, epochs: int, seed: int) -> dict:
    """``fn(rates, epochs, seed)`` (the notebook's ``time_learning_rates``), described per rate:
    its history lengths and its reported seconds (the grader times the whole call itself)."""
    out = fn(list(rates), epochs, seed)
    if not isinstance(out, dict):
        return {"is_dict": False, "type": type(out).__name__}
    runs = {}
    for key, run in list(out.items())[:16]:
        entry = {"key": repr(key)[:40]}
        if isinstance(run, dict):
            seconds = run.get("seconds")
            entry["seconds"] = float(seconds) if isinstance(seconds, (int, float, np.floating)) \
                and not isinstance(seconds, bool) else repr(seconds)[:60]
            for name in ("loss", "val_loss"):
                try:
                    entry[name] = int(np.size(run.get(name)))
                except Exception:  # noqa: BLE001 - described as missing
                    entry[name] = None
        runs[repr(float(key)) if isinstance(key, (int, float)) and not isinstance(key, bool)
             else repr(key)[:40]] = entry
    return {"is_dict": True, "runs": runs}


class _FakeDevice:
    """What ``tf.config.list_physical_devices`` lists: a device with a name and a type."""

    def __init__(self, name: str, device_type: str):
        self.name, self.device_type = name, device_type

    def __repr__(self):
        return f"PhysicalDevice(name={self.name!r}, device_type={self.device_type!r})"


class _FakeConfig:
    """A stand-in for ``tf.config`` listing ``gpus`` fake GPUs and recording what is asked of it."""

    def __init__(self, gpus: int):
        self.calls: list[list] = []
        self._devices = [_FakeDevice("/physical_device:CPU:0", "CPU")] + \
            [_FakeDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(gpus)]
        self.experimental = self
        self.list_logical_devices = self.list_physical_devices

    def list_physical_devices(self, device_type=None):
        return [d for d in self._devices if device_type is None or d.device_type == device_type]

    def set_memory_growth(self, device, enable):
        self.calls.append([getattr(device, "name", repr(device))[:80], repr(enable)[:20]])

    def get_memory_growth(self, device):
        return any(name == getattr(device, "name", None) for name, _ in self.calls)


def gpu_setup(fn, gpus: int) -> dict:
    """``fn(config)`` with a fake ``tf.config`` that lists ``gpus`` GPUs: the memory-growth calls
    it made and what it returned."""
    config = _FakeConfig(gpus)
    returned = fn(config)
    return {"calls": config.calls[:16], "returned": repr(returned)[:60]}


#: The probes a test may name (the worker refuses any other name).
PROBES = {"figure": figure, "with_dict": with_dict, "model": model, "train": train,
          "replay": replay, "replay_outputs": replay_outputs, "evaluated": evaluated,
          "predict": predict, "timed": timed, "gpu_setup": gpu_setup}
