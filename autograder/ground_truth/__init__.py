"""Ground truth for the hidden tests: values derived with sympy, read back without sympy.

Every expected number of a hidden test comes from a *derivation* (a function in
:mod:`autograder.ground_truth.derivations` that uses sympy / mpmath at 50 digits, never the
reference solutions). Derivations are run once, by ``python -m autograder.ground_truth --rebuild``,
and their results are stored in ``cache.json`` next to this file. Grading only reads that file:

    >>> from autograder import ground_truth
    >>> gt = ground_truth.load("gd_quadratic", A=[["2", "0"], ["0", "4"]], x0=["1", "-1"],
    ...                        eta="1/10", steps=5)
    >>> gt["trajectory"]            # float64 array, rounded once from the exact value
    >>> gt.exact("trajectory")      # nested fractions.Fraction (exact rationals only)
    >>> gt.tol("trajectory")        # {"rtol": ..., "atol": ...}: pass to expect_close(**...)
    >>> gt.why("trajectory")        # why the tolerance is that size

This module imports neither sympy nor mpmath: a grading run pays only for reading one JSON file.
A missing entry (a test asking for a case nobody derived) fails with a message saying how to add
it, never with a silently wrong number.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..infrastructure import InfrastructureError

CACHE = Path(__file__).with_name("cache.json")
FORMAT = 1

# A stored leaf is a string: an exact rational "p/q" or "p", a decimal with up to 50 significant
# digits, or a label ("saddle"). Numbers are told from labels by these patterns, so a label such
# as "inf" can never be read as a number by accident.
_RATIONAL = re.compile(r"^-?\d+(/\d+)?$")
_DECIMAL = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


class MissingGroundTruth(InfrastructureError, LookupError):
    """The ground truth a test asked for cannot be had: the cache is missing or unreadable, or
    the case was never derived. A failure of the grader, never the submission's: the submission
    is not graded (see :mod:`autograder.infrastructure`)."""

    def __init__(self, what: str, fix: str = "run `python -m autograder.ground_truth --rebuild` "
                                              "and release the autograder again"):
        super().__init__(what, fix)


def canonical_params(params: dict) -> str:
    """The one spelling of a parameter set: JSON with sorted keys and no spaces."""
    return json.dumps(_plain(params), sort_keys=True, separators=(",", ":"))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        # A float parameter would make the key depend on its repr; say it exactly instead.
        raise TypeError(f"ground-truth parameters are exact: write {value!r} as a string "
                        f"such as {str(Fraction(value).limit_denominator())!r}")
    raise TypeError(f"unsupported ground-truth parameter {value!r}")


def entry_id(name: str, params: dict) -> str:
    return f"{name}|{canonical_params(params)}"


def decode_leaf(text: str, exact: bool = False) -> Any:
    """A stored leaf as a number (a Fraction when ``exact``, else a float) or as its label."""
    return _exact_leaf(text) if exact else _float_leaf(text)


# Leaves are decoded once per process: a grading session asks for the same few thousand strings
# for every submission (``param_array`` of a test's parameters, a value's entries). What is kept
# is immutable (float, Fraction, str), so no caller can change a cached leaf.
@lru_cache(maxsize=1 << 16)
def _exact_leaf(text: str) -> Any:
    if _RATIONAL.match(text) or _DECIMAL.match(text):
        return Fraction(text)
    return text


@lru_cache(maxsize=1 << 16)
def _float_leaf(text: str) -> Any:
    if _RATIONAL.match(text):
        # float(Fraction("p/q")) is p / q: int division is correctly rounded, reduced or not.
        numerator, _, denominator = text.strip().partition("/")
        return int(numerator) / int(denominator or 1)
    if _DECIMAL.match(text):
        # float() of a 50-digit decimal is correctly rounded: one rounding, to the nearest double.
        return float(text)
    return text


def _decode(value: Any, exact: bool) -> Any:
    if isinstance(value, list):
        return [_decode(v, exact) for v in value]
    if isinstance(value, str):
        return decode_leaf(value, exact)
    return value


def _leaves(value: Any):
    if isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _fresh(value: Any) -> Any:
    """A copy a test may change without changing the cached value (Fractions are immutable)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


class GroundTruth:
    """One cached derivation: values by field, each with its tolerance and the reason for it."""

    def __init__(self, name: str, params: dict, record: dict):
        self.name = name
        self.params = params
        self._record = record
        self._decoded_values: dict = {}

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self._record["values"])

    def _raw(self, field: str) -> Any:
        try:
            return self._record["values"][field]
        except KeyError:
            raise MissingGroundTruth(f"ground truth {self.name} has no field {field!r}; "
                                     f"it has {list(self._record['values'])}") from None

    def __getitem__(self, field: str) -> Any:
        """The value as float64: a float for a scalar, an ndarray otherwise, a str for a label."""
        return _fresh(self._decoded(field, exact=False))

    def exact(self, field: str) -> Any:
        """The value as stored: ``Fraction`` leaves (a decimal leaf becomes its exact Fraction)."""
        return _fresh(self._decoded(field, exact=True))

    def _decoded(self, field: str, *, exact: bool) -> Any:
        # Decoded once per process: a grading session reads the same values for every submission.
        key = (field, exact)
        cache = self._decoded_values
        if key not in cache:
            value = _decode(self._raw(field), exact=exact)
            if not exact and isinstance(value, list) and \
                    not any(isinstance(leaf, str) for leaf in _leaves(value)):
                value = np.asarray(value, dtype=np.float64)   # labels stay lists of strings
            cache[key] = value
        return cache[key]

    def text(self, field: str) -> Any:
        """The stored strings themselves (for messages)."""
        return self._raw(field)

    def tol(self, field: str) -> dict:
        """``{"rtol": r, "atol": a}`` for :func:`autograder.checks.expect_close`."""
        t = self._record["tolerance"].get(field, {})
        return {"rtol": float(t.get("rtol", 0.0)), "atol": float(t.get("atol", 0.0))}

    def why(self, field: str) -> str:
        return self._record["tolerance"].get(field, {}).get("why", "")

    def __repr__(self) -> str:
        return f"<GroundTruth {self.name} {canonical_params(self.params)}>"


def _version() -> tuple | None:
    """What tells one version of the cache file from another (None: there is no file)."""
    try:
        st = CACHE.stat()
    except OSError:
        return None
    return CACHE, st.st_ino, st.st_size, st.st_mtime_ns


def _entries() -> dict:
    """The cache's entries, read once per version of the file: a rebuilt file is read again (and
    what was decoded from the old one forgotten)."""
    version = _version()
    if version != _READ[0]:
        entries = _read_entries()
        _LOADED.clear()
        _READ[:] = [version, entries]
    return _READ[1]


def _read_entries() -> dict:
    if not CACHE.exists():
        raise MissingGroundTruth(f"the ground truth {CACHE} does not exist: run "
                                 "`python -m autograder.ground_truth --rebuild`")
    try:
        data = json.loads(CACHE.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MissingGroundTruth(
            f"the ground truth {CACHE} cannot be read ({type(exc).__name__}: {exc})",
            f"make {CACHE} readable by the grader, or rebuild it with "
            "`python -m autograder.ground_truth --rebuild`") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or not isinstance(data.get("entries"), dict):
        found = data.get("format") if isinstance(data, dict) else None
        raise MissingGroundTruth(f"the ground truth {CACHE} has format {found!r}, expected "
                                 f"{FORMAT}: run `python -m autograder.ground_truth --rebuild`")
    return data["entries"]


def load(name: str, /, **params: Any) -> GroundTruth:
    """The cached derivation ``name`` for these parameters, or a clear MissingGroundTruth."""
    key = entry_id(name, params)
    entries = _entries()   # first: a changed file empties _LOADED
    if key not in _LOADED:
        record = entries.get(key)
        if record is None:
            raise MissingGroundTruth(
                f"no ground truth for {key}. Add the case to autograder/ground_truth/cases.py and "
                "run `python -m autograder.ground_truth --rebuild`.")
        _LOADED[key] = GroundTruth(name, params, record)
    return _LOADED[key]


_READ: list = [object(), None]   # [the version of the file read, its entries]
_LOADED: dict[str, GroundTruth] = {}   # one per entry, so its decoded values are reused


def param_array(value: Any) -> Any:
    """A parameter written exactly (strings, nested lists) as float64: a float or an ndarray."""
    decoded = _decode(_plain(value), exact=False)
    if isinstance(decoded, list):
        return np.asarray(decoded, dtype=np.float64)
    if isinstance(decoded, int):
        return float(decoded)
    return decoded
