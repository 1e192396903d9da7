"""Named problems: the trusted functions tests hand to the code under test, named by kind and parameters.

A test often passes a function to the code it grades: the gradient ``gd`` descends, the
matrix-vector product ``power_iteration`` multiplies by, the learning-rate schedule ``sgd``
follows. In process that is just a Python function. Through the sandbox a plain function has to
stay in the grader, and each time the submission calls it the worker sends a *call-back* and waits
for the answer (~160 microseconds a round trip; a 100-step power iteration pays it 100 times).

A :class:`Problem` is such a function described by data: a kind from a closed list and its
parameters, e.g. ::

    Problem("grad", function="rosenbrock")        # the gradient of a course function
    Problem("quadratic_grad", A=[[2.0, 0.0], [0.0, 4.0]])   # grad of x.A.x/2: A @ x
    Problem("matvec", A=A)                         # v -> A @ v
    Problem("exponential_schedule", rate=0.2)      # t -> exp(-0.2 t)

It is a plain callable, so in-process targets (a student running the public tests, ``--target
solutions``, the misconception replay of :mod:`autograder.diagnosis`) simply call it. Through the
sandbox it travels as ``{"$": "problem", "name": ..., "data": {params}}`` (params as protocol
values: arrays as ``.npy``) and the worker rebuilds it from its own copy of this module, so calling
it costs no round trip. Nothing is evaluated or unpickled: an unknown kind or a malformed
parameter is a :class:`ProblemError` (a ``ProtocolError`` on the wire).

Security: why running these functions inside the worker is safe
-----------------------------------------------------------------
* The worker's copy of this module lives in the same process as the submission, which can
  monkeypatch it (replace ``Problem.__call__``, a formula, numpy). That only changes what the
  submission's *own* function computes from its inputs, which the submission controls anyway: it
  could ignore the gradient altogether. The score is decided in the grader, from the values that
  come back (rebuilt as plain data) compared with sympy ground truth, so a patched problem can
  only make the submission's answer wrong, never make a wrong answer pass.
* What must stay in the grader is a function whose *calls* are evidence: a test that counts how
  often the gradient was called, or checks the points where it was evaluated (a list it appends
  to, a counting sampler). A count or a point list kept in the worker could be forged by the
  submission, so such functions stay ordinary Python functions and keep being call-backs answered
  by the grader. Only an exact :class:`Problem` (``type(value) is Problem``) travels by name; a
  wrapper or subclass around one is a call-back like any other function.
* Rebuilding validates every parameter (kind, type, shape) with the same code on both sides, so a
  malformed tag from either side is refused rather than run.

This module is copied into the worker's private runtime next to ``protocol.py`` (see
:mod:`autograder.sandbox.isolation`), and it is part of the student release (the public tests
use it): it imports only the standard library and numpy, nothing else of ``autograder``.
The formulas are written with the same numpy operations, in the same order, as the functions
they replaced in the tests, so the numbers a submission sees are bit-for-bit the same.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

PI = np.pi


class ProblemError(ValueError):
    """An unknown problem kind or a parameter it does not accept."""


# ------------------------------------------------------------------ the course's functions
# f and its gradient, in float64, for the functions the course minimises. The names match
# autograder/objectives.py and the sympy derivations of the ground truth; the engine test
# tests/engine/test_ground_truth.py checks every one of them against sympy.


def _xy(p):
    p = np.asarray(p, dtype=np.float64)
    return p[0], p[1]


COURSE_FUNCTIONS: dict[str, tuple[Callable, Callable]] = {
    "x^2": (lambda x: np.asarray(x, dtype=float) ** 2,
            lambda x: 2.0 * np.asarray(x, dtype=float)),
    "x*cos(pi*x)": (lambda x: x * np.cos(PI * x),
                    lambda x: np.cos(PI * x) - PI * x * np.sin(PI * x)),
    "x*cos(0.15*pi*x)": (lambda x: x * np.cos(0.15 * PI * x),
                         lambda x: np.cos(0.15 * PI * x) - 0.15 * PI * x * np.sin(0.15 * PI * x)),
    "x^3": (lambda x: x ** 3, lambda x: 3.0 * x ** 2),
    "x^2+y^2": (lambda p: _xy(p)[0] ** 2 + _xy(p)[1] ** 2,
                lambda p: np.array([2 * _xy(p)[0], 2 * _xy(p)[1]])),
    "x^2-y^2": (lambda p: _xy(p)[0] ** 2 - _xy(p)[1] ** 2,
                lambda p: np.array([2 * _xy(p)[0], -2 * _xy(p)[1]])),
    "sin(x^2)+cos(y^2)": (lambda p: np.sin(_xy(p)[0] ** 2) + np.cos(_xy(p)[1] ** 2),
                          lambda p: np.array([2 * _xy(p)[0] * np.cos(_xy(p)[0] ** 2),
                                              -2 * _xy(p)[1] * np.sin(_xy(p)[1] ** 2)])),
    "rosenbrock": (lambda p: (1 - _xy(p)[0]) ** 2 + 100 * (_xy(p)[1] - _xy(p)[0] ** 2) ** 2,
                   lambda p: np.array([-2 * (1 - _xy(p)[0]) - 400 * _xy(p)[0] * (_xy(p)[1] - _xy(p)[0] ** 2),
                                       200 * (_xy(p)[1] - _xy(p)[0] ** 2)])),
    "x1^2+2*x2^2": (lambda p: _xy(p)[0] ** 2 + 2 * _xy(p)[1] ** 2,
                    lambda p: np.array([2 * _xy(p)[0], 4 * _xy(p)[1]])),
    "0.1*x1^2+2*x2^2": (lambda p: 0.1 * _xy(p)[0] ** 2 + 2 * _xy(p)[1] ** 2,
                        lambda p: np.array([0.2 * _xy(p)[0], 4 * _xy(p)[1]])),
}


# ------------------------------------------------------------------ parameter checks
# Each returns the value as the problem keeps it (a float, a read-only float64 array, a name),
# or raises ProblemError. The same checks run in the grader and in the worker.


def _real(name: str, value: Any) -> float:
    if type(value) is bool or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ProblemError(f"parameter {name} must be a real number, not {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        raise ProblemError(f"parameter {name} is too large for a float") from None


def _array(name: str, value: Any, ndim: tuple[int, ...]) -> np.ndarray:
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise ProblemError(f"parameter {name} must hold real numbers, not {value.dtype}")
    elif not isinstance(value, (list, tuple, int, float, np.integer, np.floating)) or type(value) is bool:
        raise ProblemError(f"parameter {name} must be an array of real numbers, "
                           f"not {type(value).__name__}")
    try:
        array = np.array(value, dtype=np.float64)   # a copy: the caller's array may change later
    except (TypeError, ValueError) as exc:
        raise ProblemError(f"parameter {name} is not an array of real numbers: {exc}") from None
    if array.ndim not in ndim:
        raise ProblemError(f"parameter {name} must have {' or '.join(map(str, ndim))} "
                           f"dimension(s), not {array.ndim}")
    array.setflags(write=False)   # shared by every call: nobody may change it in place
    return array


def _matrix(name: str, value: Any) -> np.ndarray:
    array = _array(name, value, (2,))
    if 0 in array.shape:
        raise ProblemError(f"parameter {name} must not be empty")
    return array


def _square(name: str, value: Any) -> np.ndarray:
    array = _matrix(name, value)
    if array.shape[0] != array.shape[1]:
        raise ProblemError(f"parameter {name} must be a square matrix, not {array.shape}")
    return array


def _factor(name: str, value: Any) -> float | np.ndarray:
    if isinstance(value, (np.ndarray, list, tuple)):
        return _array(name, value, (0, 1, 2))
    return _real(name, value)


def _function_name(name: str, value: Any) -> str:
    if type(value) is not str or value not in COURSE_FUNCTIONS:
        raise ProblemError(f"parameter {name} must name a course function "
                           f"({', '.join(sorted(COURSE_FUNCTIONS))}), not {value!r}")
    return value


# ------------------------------------------------------------------ the kinds


def _quadratic_grad(A: np.ndarray) -> Callable:
    # grad of x.A.x/2 for a symmetric A is A @ x; a 1x1 A is a scalar problem, so x may be a
    # scalar or any shape (A[0, 0] * x), as in the scalar cases of the tests.
    if A.shape == (1, 1):
        return lambda x: A[0, 0] * np.asarray(x, dtype=np.float64)
    return lambda x: A @ np.asarray(x, dtype=np.float64)


#: kind -> (parameter checks by name, builder taking the checked parameters)
KINDS: dict[str, tuple[dict[str, Callable[[str, Any], Any]], Callable[..., Callable]]] = {
    # f and grad of a course function, by its name in COURSE_FUNCTIONS
    "f": ({"function": _function_name}, lambda function: COURSE_FUNCTIONS[function][0]),
    "grad": ({"function": _function_name}, lambda function: COURSE_FUNCTIONS[function][1]),
    # the gradient of x cos(c pi x), the non-convex family of gd's variants
    "cosine_grad": ({"c": _real}, lambda c: lambda x: np.cos(c * PI * np.asarray(x, dtype=np.float64))
                    - c * PI * np.asarray(x, dtype=np.float64) * np.sin(c * PI * np.asarray(x, dtype=np.float64))),
    # x -> A @ x in float64 (the gradient of x.A.x/2 for a symmetric A)
    "quadratic_grad": ({"A": _square}, _quadratic_grad),
    # v -> A @ v, for power iteration and Hessian-vector products
    "matvec": ({"A": _matrix}, lambda A: lambda v: A @ v),
    # x -> c * x (c a number or an array broadcasting against x; c = 0 is a zero gradient)
    "scale": ({"c": _factor}, lambda c: lambda x: c * x),
    # learning-rate schedules t -> factor, as the tests write them in float64
    "exponential_schedule": ({"rate": _real}, lambda rate: lambda t: math.exp(-rate * t)),
    "polynomial_schedule": ({"alpha": _real, "power": _real},
                            lambda alpha, power: lambda t: (1.0 + alpha * t) ** (-power)),
    "geometric_schedule": ({"base": _real}, lambda base: lambda t: base ** t),
    "constant_schedule": ({}, lambda: lambda t: 1.0),
}


class Problem:
    """A trusted function given by its kind and parameters; call it like the function it names.

    >>> g = Problem("quadratic_grad", A=[[2.0, 0.0], [0.0, 4.0]])
    >>> g(np.array([1.0, -1.0]))
    array([ 2., -4.])

    ``name`` and ``params`` (the checked parameters: floats, read-only float64 arrays, names)
    are all there is to it: the sandbox sends them, the worker calls ``Problem(name, **params)``.
    Problems are immutable, so copying one (a call record's snapshot) returns it unchanged.
    """

    __slots__ = ("name", "params", "_function")

    def __init__(self, name: str, /, **params: Any):
        kind = KINDS.get(name) if type(name) is str else None
        if kind is None:
            raise ProblemError(f"unknown problem {name!r} (known: {', '.join(sorted(KINDS))})")
        checks, build = kind
        if set(params) != set(checks):
            missing, extra = sorted(set(checks) - set(params)), sorted(set(params) - set(checks))
            raise ProblemError(f"problem {name!r} takes the parameters {sorted(checks)}"
                               + (f"; missing {missing}" if missing else "")
                               + (f"; unexpected {extra}" if extra else ""))
        checked = {key: check(key, params[key]) for key, check in checks.items()}
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "params", checked)
        object.__setattr__(self, "_function", build(**checked))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._function(*args, **kwargs)

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("a Problem cannot be changed")

    def __copy__(self) -> "Problem":
        return self

    def __deepcopy__(self, memo: dict) -> "Problem":
        return self

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return other.name == self.name and all(
            type(a) is type(b) and np.array_equal(a, b)
            for a, b in zip(self.params.values(), other.params.values()))

    __hash__ = None  # equal problems may hold equal arrays: not hashable

    def __repr__(self) -> str:
        def show(value):
            return f"np.array({value.tolist()})" if isinstance(value, np.ndarray) else repr(value)
        params = "".join(f", {k}={show(v)}" for k, v in self.params.items())
        return f"Problem({self.name!r}{params})"


# ------------------------------------------------------------------ on the wire
#: The protocol tag of a problem: ``{"$": "problem", "name": kind, "data": {params}}``.
TAG = "problem"


def to_tag(problem: Problem) -> dict:
    """The tagged value the sandbox sends; the protocol encodes ``data`` (arrays as ``.npy``)."""
    # getattr: a Problem made with object.__new__ (by a submission) has no slots set.
    name, params = getattr(problem, "name", None), getattr(problem, "params", None)
    if type(name) is not str or type(params) is not dict:
        raise ProblemError("an incomplete Problem cannot be sent")
    return {"$": TAG, "name": name, "data": dict(params)}


def from_tag(tag: dict) -> Problem:
    """Rebuild a problem from a decoded tag, from this module's code only (ProblemError if bad)."""
    name, params = tag.get("name"), tag.get("data")
    if type(name) is not str or type(params) is not dict:
        raise ProblemError("a problem tag needs a name and a dict of parameters")
    try:
        return Problem(name, **params)
    except ProblemError:
        raise
    except (TypeError, ValueError, OverflowError) as exc:   # anything a parameter check missed
        raise ProblemError(f"bad parameters for problem {name!r}: {exc}") from None


__all__ = ["COURSE_FUNCTIONS", "KINDS", "Problem", "ProblemError", "TAG", "from_tag", "to_tag"]
