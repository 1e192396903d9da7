"""The lab's grading worker: runs a notebook's definitions, calls them, writes back plain data.

This file is copied into a fresh directory and started as a script in a new process (spawned by
``autograder.lab.sandbox``, never forked from a process that has run TensorFlow: a forked child
of TensorFlow hangs). It imports nothing from ``autograder`` and cannot see the grader's checks:
it only measures. Every verdict is taken in the trusted parent from what this writes:

* ``out/result.json``: JSON (numbers, strings, lists; ``NaN`` allowed), and
* ``out/arrays.npz``: numpy arrays, read by the parent with ``allow_pickle=False``.

Both are rewritten after every step, so a submission that hangs or crashes later still gets
credit for the steps that finished.

Usage: ``python -s worker.py WORKDIR`` with ``WORKDIR/spec.json`` and ``WORKDIR/cells.json``.
"""

import json
import math
import os
import resource
import signal
import sys
import time
import traceback
import types


def apply_limits(limits):
    """Soft = hard, so the submission cannot raise them again (never above a hard limit already set)."""
    for name, value in limits.items():
        which = getattr(resource, name)
        value = resource.RLIM_INFINITY if value is None or value < 0 else int(value)
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY and (value == resource.RLIM_INFINITY or value > hard):
            value = hard
        resource.setrlimit(which, (value, value))


class StepTimeout(BaseException):
    """One step ran past its time; BaseException so an ``except Exception`` in the submission misses it."""


def _on_alarm(signum, frame):
    raise StepTimeout()


class Recorder:
    """Collects the measurements and writes them out atomically after every step."""

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.data = {"steps": {}, "errors": {}, "cell_errors": [], "timings": {}}
        self.arrays = {}

    def flush(self):
        import numpy as np
        tmp_json = os.path.join(self.out_dir, "result.json.tmp")
        with open(tmp_json, "w", encoding="utf-8") as fh:
            json.dump(self.data, fh)
        os.replace(tmp_json, os.path.join(self.out_dir, "result.json"))
        tmp_npz = os.path.join(self.out_dir, "arrays.tmp.npz")
        np.savez(tmp_npz, **self.arrays)
        os.replace(tmp_npz, os.path.join(self.out_dir, "arrays.npz"))

    def step(self, name, seconds, fn):
        """Run fn(); its return value (JSON-able) goes to steps[name]; an exception to errors[name]."""
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, max(1.0, seconds))
        try:
            self.data["steps"][name] = fn()
        except StepTimeout:
            self.data["errors"][name] = f"did not finish within {seconds:.0f} s"
        except BaseException as exc:  # noqa: BLE001 - SystemExit and friends from the submission too
            self.data["errors"][name] = describe(exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        self.data["timings"][name] = round(time.perf_counter() - started, 3)
        self.flush()


def describe(exc):
    """One line a student can act on: the exception and where in their code it was raised."""
    text = f"{type(exc).__name__}: {exc}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell")]
    if frames:
        text += f" (in {frames[-1].filename[1:-1]}, line {frames[-1].lineno}, in {frames[-1].name})"
    return text[:2000]


def as_float_array(value, np):
    """A plain float64 array from whatever came back, or raise: lying objects end here."""
    if value is None:
        raise TypeError("it returned None: is the function written yet (does it end with return)?")
    arr = np.array(value, dtype=np.float64, copy=True)
    if arr.dtype != np.float64:
        raise TypeError("not an array of numbers")
    return arr


def describe_figure(fig):
    """The shape of a figure as plain data: per axes its projection and what was drawn on it."""
    import matplotlib.figure
    import matplotlib.pyplot as plt
    if not isinstance(fig, matplotlib.figure.Figure):
        return {"is_figure": False, "type": type(fig).__name__}
    axes = [{"name": str(ax.name), "lines": len(ax.lines), "collections": len(ax.collections),
             "images": len(ax.images)} for ax in fig.axes]
    plt.close(fig)
    return {"is_figure": True, "axes": axes}


def describe_model(model, keras):
    if not isinstance(model, keras.Model):
        return {"is_model": False, "type": type(model).__name__}
    layers = []
    for layer in model.layers:
        activation = getattr(layer, "activation", None)
        layers.append({
            "type": type(layer).__name__,
            "units": int(layer.units) if isinstance(getattr(layer, "units", None), int) else None,
            "activation": getattr(activation, "__name__", None) if activation is not None else None,
            "rate": float(layer.rate) if isinstance(getattr(layer, "rate", None), (int, float)) else None,
        })
    return {"is_model": True, "params": int(model.count_params()), "layers": layers}


def _resources():
    """Peak address space and threads, for tuning the limits (read from /proc, Linux only)."""
    wanted = {"VmPeak": "vm_peak_kib", "VmHWM": "rss_peak_kib", "Threads": "threads"}
    out = {}
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in wanted:
                    out[wanted[key]] = int(value.split()[0])
    except (OSError, ValueError):
        pass
    return out


def main(workdir):
    with open(os.path.join(workdir, "spec.json"), encoding="utf-8") as fh:
        spec = json.load(fh)
    with open(os.path.join(workdir, "cells.json"), encoding="utf-8") as fh:
        cells = json.load(fh)
    apply_limits(spec["limits"])
    out_dir = os.path.join(workdir, "out")
    os.makedirs(out_dir, exist_ok=True)
    # The submission's prints go to a file: they can neither mix with nor imitate our output.
    log = os.open(os.path.join(workdir, "submission-output.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    signal.signal(signal.SIGALRM, _on_alarm)
    # Past the file-size limit a write fails with EFBIG instead of killing the worker outright.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    rec = Recorder(out_dir)
    budget = float(spec["step_seconds"])
    train_budget = float(spec["train_seconds"])
    seed = int(spec["seed"])
    epochs = int(spec["epochs"])

    started = time.perf_counter()
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import keras
    import tensorflow as tf
    # Bit-identical losses run to run: seeded by keras.utils.set_random_seed before each model.
    tf.config.experimental.enable_op_determinism()
    rec.data["versions"] = {"tensorflow": tf.__version__, "keras": keras.__version__,
                            "numpy": np.__version__}
    rec.data["devices"] = [d.device_type for d in tf.config.list_physical_devices()]
    rec.data["timings"]["import"] = round(time.perf_counter() - started, 3)

    module = types.ModuleType("keras_lab")
    module.__file__ = "keras_lab.ipynb"
    sys.modules["keras_lab"] = module
    for index, source in cells:
        try:
            signal.setitimer(signal.ITIMER_REAL, budget)
            exec(compile(source, f"<cell {index}>", "exec"), module.__dict__)
        except BaseException as exc:  # noqa: BLE001 - a broken cell must not stop the others
            rec.data["cell_errors"].append(f"code cell {index}: {describe(exc)}")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    ns = module.__dict__
    rec.flush()

    def fn(name):
        f = ns.get(name)
        if not callable(f):
            raise NameError(f"the notebook defines no function `{name}`")
        return f

    # -- Part 1: surfaces ------------------------------------------------------------------------
    def surfaces():
        x = np.asarray(spec["surface_x"], dtype=np.float64)
        y = np.asarray(spec["surface_y"], dtype=np.float64)
        for i, name in enumerate(spec["surface_names"]):
            rec.arrays[f"surface_{i}"] = as_float_array(fn("surface")(name, x.copy(), y.copy()), np)
        return {"names": spec["surface_names"]}
    rec.step("surface", budget, surfaces)
    rec.step("plot_loss_surfaces", budget, lambda: describe_figure(fn("plot_loss_surfaces")(n=25)))

    # -- Part 2: activation derivatives ----------------------------------------------------------
    def derivatives():
        x = np.asarray(spec["activation_x"], dtype=np.float64)
        result = fn("activation_derivatives")(x.copy())
        if not isinstance(result, dict):
            raise TypeError(f"activation_derivatives returned {type(result).__name__}, not a dict")
        keys = []
        for key in ("sigmoid", "tanh", "relu"):
            if key in result:
                rec.arrays[f"derivative_{key}"] = as_float_array(result[key], np)
                keys.append(key)
        return {"keys": sorted(str(k) for k in result), "arrays": keys}
    rec.step("activation_derivatives", budget, derivatives)
    rec.step("plot_activation_derivatives", budget, lambda: describe_figure(
        fn("plot_activation_derivatives")(np.asarray(spec["activation_x"], dtype=np.float64))))

    # -- Part 3: data, model, training -----------------------------------------------------------
    def data():
        x1, y1 = fn("make_data")(seed)
        x2, y2 = fn("make_data")(seed)
        _, y3 = fn("make_data")(seed + 1)
        rec.arrays["data_x"] = as_float_array(x1, np)
        rec.arrays["data_y"] = as_float_array(y1, np)
        same = bool(np.array_equal(as_float_array(x1, np), as_float_array(x2, np))
                    and np.array_equal(as_float_array(y1, np), as_float_array(y2, np)))
        other = as_float_array(y3, np)
        differs = bool(other.shape != rec.arrays["data_y"].shape or not np.array_equal(other, rec.arrays["data_y"]))
        return {"same_seed_same_data": same, "other_seed_other_noise": differs}
    rec.step("make_data", budget, data)

    def model_structure():
        keras.utils.set_random_seed(seed)
        default = describe_model(fn("build_model")(), keras)
        keras.utils.set_random_seed(seed)
        small = describe_model(fn("build_model")(hidden=spec["small_hidden"]), keras)
        return {"default": default, "small": small}
    rec.step("build_model", budget, model_structure)

    declared = ns.get("LEARNING_RATES")
    try:
        rec.data["learning_rates_declared"] = [
            {"repr": repr(v)[:40], "type": type(v).__name__,
             "value": float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None}
            for v in declared] if isinstance(declared, (list, tuple)) else None
    except BaseException as exc:  # noqa: BLE001
        rec.data["learning_rates_declared"] = None
        rec.data["errors"]["LEARNING_RATES"] = describe(exc)
    rec.data["learning_rates_repr"] = repr(declared)[:200]

    # The rates exactly as the notebook declares them when they are the four of the lab (so an
    # integer 1 meets Keras as the student wrote it); the lab's own rates otherwise.
    rates = spec["learning_rates"]
    decl = rec.data["learning_rates_declared"]
    if decl and len(decl) == len(rates) and all(
            d["value"] is not None and math.isclose(d["value"], r) for d, r in zip(decl, rates)):
        run_rates = list(declared)
    else:
        run_rates = list(rates)

    histories = {}   # float lr -> {"loss": [...], "val_loss": [...]} as the student's train returned it
    raw_histories = {}

    def train_one(i, lr):
        keras.utils.set_random_seed(seed)
        model = fn("build_model")()
        history = fn("train")(model, lr, epochs, seed)
        if not isinstance(history, dict):
            raise TypeError(f"train returned {type(history).__name__}, not the history dict")
        keys = []
        for key in ("loss", "val_loss"):
            if key in history:
                rec.arrays[f"history_{i}_{key}"] = as_float_array(history[key], np).ravel()
                keys.append(key)
        optimizer = getattr(model, "optimizer", None)
        info = {"lr": float(rates[i]), "keys": keys,
                "optimizer": type(optimizer).__name__ if optimizer is not None else None}
        try:
            info["optimizer_lr"] = float(np.asarray(optimizer.learning_rate))
            info["iterations"] = int(np.asarray(optimizer.iterations))
        except BaseException:  # noqa: BLE001 - not an optimizer we know: the check says so
            info["optimizer_lr"] = info["iterations"] = None
        loss = getattr(model, "loss", None)
        info["loss_fn"] = loss if isinstance(loss, str) else getattr(loss, "__name__", type(loss).__name__)
        raw_histories[float(rates[i])] = history
        if keys == ["loss", "val_loss"]:
            histories[float(rates[i])] = {k: [float(v) for v in rec.arrays[f"history_{i}_{k}"]] for k in keys}
        return info
    for i, lr in enumerate(run_rates):
        rec.step(f"train_{i}", train_budget, lambda i=i, lr=lr: train_one(i, lr))

    def best_rate():
        chosen = {}
        if histories:
            value = fn("best_learning_rate")({lr: dict(h) for lr, h in histories.items()})
            chosen["own"] = float(as_float_array(value, np))
        synthetic = {float(k): v for k, v in spec["synthetic_histories"]}
        chosen["synthetic"] = float(as_float_array(fn("best_learning_rate")(synthetic), np))
        return chosen
    rec.step("best_learning_rate", budget, best_rate)

    def loss_curves():
        # The notebook's own runs when there are any; else the grader's stand-ins, so the plot
        # is graded on its own even when training failed.
        shown = histories or {float(k): v for k, v in spec["synthetic_histories"]}
        return {"n_histories": len(shown),
                "figure": describe_figure(fn("plot_loss_curves")({lr: dict(h) for lr, h in shown.items()}))}
    rec.step("plot_loss_curves", budget, loss_curves)

    # -- Part 4: dropout -------------------------------------------------------------------------
    def dropout_behaviour():
        rate = spec["dropout_rate"]
        keras.utils.set_random_seed(seed)
        model = fn("build_model")(hidden=16, dropout=rate)
        info = {"model": describe_model(model, keras)}
        if not info["model"]["is_model"]:
            return info  # the checks say what came back instead of a model
        probe = np.asarray(spec["probe"], dtype=np.float32).reshape(-1, 1)
        for name, training in (("train_a", True), ("train_b", True), ("infer_a", False), ("infer_b", False)):
            rec.arrays[f"dropout_{name}"] = as_float_array(np.asarray(model(probe, training=training)), np)
        keras.utils.set_random_seed(seed)
        plain = fn("build_model")(hidden=16, dropout=0.0)
        plain.set_weights(model.get_weights())
        rec.arrays["dropout_plain"] = as_float_array(np.asarray(plain(probe, training=False)), np)
        return info
    rec.step("dropout_behaviour", budget, dropout_behaviour)

    def dropout_training():
        keras.utils.set_random_seed(seed)
        model = fn("build_model")(hidden=16, dropout=spec["dropout_train_rate"])
        history = fn("train")(model, spec["dropout_train_lr"], epochs, seed)
        rec.arrays["dropout_history_val_loss"] = as_float_array(history["val_loss"], np).ravel()
        rec.arrays["dropout_history_loss"] = as_float_array(history["loss"], np).ravel()
        return {"trained": True}
    rec.step("dropout_training", train_budget, dropout_training)

    def dropout_plot():
        plain = histories.get(float(spec["dropout_train_lr"]))
        if plain is None or "dropout_history_val_loss" not in rec.arrays:
            # The plot is still graded, on the grader's own stand-in histories.
            labelled = {label: {"loss": h, "val_loss": h} for label, h in spec["synthetic_dropout"]}
        else:
            drop = {"loss": [float(v) for v in rec.arrays["dropout_history_loss"]],
                    "val_loss": [float(v) for v in rec.arrays["dropout_history_val_loss"]]}
            labelled = {"no dropout": dict(plain), f"dropout {spec['dropout_train_rate']}": drop}
        return {"n_histories": len(labelled), "figure": describe_figure(fn("plot_dropout_effect")(labelled))}
    rec.step("plot_dropout_effect", budget, dropout_plot)

    rec.data["resources"] = _resources()
    rec.data["finished"] = True
    rec.data["timings"]["total"] = round(time.perf_counter() - started, 3)
    rec.flush()


if __name__ == "__main__":
    main(sys.argv[1])
    # Skip interpreter teardown: TensorFlow's thread pools can take seconds to wind down and
    # everything has been written already.
    os._exit(0)
