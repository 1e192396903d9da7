"""Derivations by name, their content-hash keys, and (re)building ``cache.json``.

A cache entry's key is the SHA-256 of the derivation's name, its canonical parameters and the
source text of the derivation: the whole module that defines it (so an edited helper counts
too), the course functions and ``derive.py`` (encoding, rounding bounds). Editing any of them
makes the entries stale, and ``test_ground_truth`` says so until the cache is rebuilt.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sys
import time
from typing import Callable, Iterable

from . import CACHE, FORMAT, canonical_params, entry_id
from .derive import Derived, encode

DERIVATIONS: dict[str, Callable[..., dict]] = {}


def derivation(func: Callable[..., dict]) -> Callable[..., dict]:
    """Register ``func`` as the derivation named after it."""
    if func.__name__ in DERIVATIONS:
        raise ValueError(f"two derivations named {func.__name__}")
    DERIVATIONS[func.__name__] = func
    return func


def _all() -> dict[str, Callable[..., dict]]:
    from . import derivations  # noqa: F401 - importing registers every derivation
    return DERIVATIONS


def content_key(name: str, params: dict) -> str:
    func = _all()[name]
    from . import derive as derive_module
    from .derivations import functions
    sources = [inspect.getsource(sys.modules[func.__module__]), inspect.getsource(functions),
               inspect.getsource(derive_module)]
    text = "\n".join([name, canonical_params(params), *sources])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derive(name: str, params: dict) -> dict:
    """Run one derivation and return its cache record (values encoded, tolerances with reasons)."""
    func = _all()[name]
    result = func(**params)
    values, tolerance = {}, {}
    for field, item in result.items():
        if not isinstance(item, Derived):
            item = Derived(item)
        values[field] = encode(item.value)
        tolerance[field] = {"rtol": repr(float(item.rtol)), "atol": repr(float(item.atol)),
                            "why": item.why}
    return {"name": name, "params": json.loads(canonical_params(params)),
            "key": content_key(name, params), "values": values, "tolerance": tolerance}


def cases() -> list[tuple[str, dict]]:
    from .cases import CASES
    seen, out = set(), []
    for name, params in CASES:
        eid = entry_id(name, params)
        if eid not in seen:
            seen.add(eid)
            out.append((name, params))
    return out


def read_cache() -> dict:
    if not CACHE.exists():
        return {}
    return json.loads(CACHE.read_text(encoding="utf-8")).get("entries", {})


def rebuild(selected: Iterable[tuple[str, dict]] | None = None, *, reuse: bool = True,
            verbose: bool = False) -> dict:
    """Derive every case (reusing entries whose content key is unchanged) and write the cache."""
    old = read_cache() if reuse else {}
    entries, timings = {}, {}
    for name, params in (selected if selected is not None else cases()):
        eid = entry_id(name, params)
        start = time.perf_counter()
        if eid in old and old[eid].get("key") == content_key(name, params):
            entries[eid] = old[eid]
        else:
            entries[eid] = derive(name, params)
            timings[eid] = time.perf_counter() - start
            if verbose:
                print(f"{timings[eid]:7.2f}s  {eid[:110]}")
    data = {"format": FORMAT, "entries": dict(sorted(entries.items()))}
    CACHE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return timings
