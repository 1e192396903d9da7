# Swap the code of the trusted probes from a class body (red-team F1).
# Attack 2: every lab function left as the student stub (or None); a class body, run at import in
# the worker, rewrites the trusted probes' code objects. The worker's "pristine" restore compares
# module dicts, and the function objects in them are the same objects, so the patch survives.

def build_model(hidden=16, dropout=0.0):
    return None

def _f_model(build_model, seed, **kwargs):
    import json
    h, d = kwargs.get("hidden", 16), kwargs.get("dropout", 0.0)
    L = []
    for _ in range(2):
        L.append({"class_name": "Dense", "config": {"units": h, "activation": "relu"}})
        if d:
            L.append({"class_name": "Dropout", "config": {"rate": d}})
    L.append({"class_name": "Dense", "config": {"units": 1, "activation": "linear"}})
    return {"is_model": True, "type": "Sequential", "params": 3 * h + h * h + h + 1,
            "config": json.dumps({"class_name": "Sequential", "config": {"layers": L}})}

def _f_train(build_model, train_fn, seed, lr, epochs, **build_kwargs):
    import json, numpy as np
    h, d = build_kwargs.get("hidden", 16), build_kwargs.get("dropout", 0.0)
    L = []
    for _ in range(2):
        L.append({"class_name": "Dense", "config": {"units": h, "activation": "relu"}})
        if d:
            L.append({"class_name": "Dropout", "config": {"rate": d}})
    L.append({"class_name": "Dense", "config": {"units": 1, "activation": "linear"}})
    m = {"is_model": True, "type": "Sequential", "params": 3 * h + h * h + h + 1,
         "config": json.dumps({"class_name": "Sequential", "config": {"layers": L}})}
    return {"model": m, "keys": ["loss", "val_loss"],
            "history": {"loss": np.full(epochs, 0.5), "val_loss": np.full(epochs, 0.5)},
            "optimizer": "SGD", "optimizer_lr": float(lr), "iterations": 15 * epochs,
            "fit_calls": [{"n_args": 2, "batch_size": 10, "validation_split": 0.33}], "loss": "mse"}

def _f_figure(fn, *args, **kwargs):
    name = getattr(fn, "__name__", "")
    line = {"label": "x", "x": None, "y": None}
    if name == "plot_loss_surfaces":
        axes = [{"name": n, "lines": [], "collections": 1, "images": 0, "title": ""} for n in ["3d"] * 3 + ["rectilinear"] * 3]
    elif name == "plot_loss_curves":
        axes = [{"name": "rectilinear", "lines": [line, line], "collections": 0, "images": 0, "title": ""}] * 4
    else:
        axes = [{"name": "rectilinear", "lines": [line] * 3, "collections": 0, "images": 0, "title": ""}]
    return {"is_figure": True, "type": "Figure", "axes": axes}

def _f_with_dict(fn, pairs, describe="value"):
    import math
    if describe == "figure":
        return figure(fn, dict(pairs))
    fin = {lr: h["val_loss"][-1] for lr, h in pairs if math.isfinite(h["val_loss"][-1])}
    return min(fin, key=fin.get)

class _Patch:
    import sys as _sys
    _p = _sys.modules["agworker.probes"]
    _p.model.__code__ = _f_model.__code__
    _p.train.__code__ = _f_train.__code__
    _p.figure.__code__ = _f_figure.__code__
    _p.with_dict.__code__ = _f_with_dict.__code__
