"""Name the known mistake behind a failed test by replaying its calls on the misconception catalogue.

A test that compares against sympy ground truth knows the right answer, but a wrong value that
happens to equal one mistake's answer on one input proves little, and a test author cannot
foresee every wrong answer for every input. So no test names a mistake; this module is the one
mistake matcher. The catalogue (``tests/misconceptions/``: one small module per known mistake,
holding the wrong function(s) under their real names) is code, not a list of values: when a
graded test fails, we replay the calls the test made on the submission (``target.calls``: argument
snapshots taken before each call, and what the submission returned) on every catalogue
implementation of the same ``module.function``. If one returns what the submission returned, on
every replayed call, the failure is attributed to it and its ``course.toml`` message becomes the
hint.

Catalogue modules are trusted course code (never a submission) and run in the grading process.
They are loaded once per directory per process. Where the catalogue is not present (a student
release ships none) nothing is diagnosed.

A catalogue module looks like::

    MISCONCEPTION = "adagrad-eps-outside-root"     # an id of course.toml's [[misconception]]
    MODULE = "gradient_descent"                     # the course module it replaces functions of

    def adagrad_step(x, s, g, eta, eps=1e-6):       # the wrong function, under its real name
        ...

Every public function it defines whose name is one of the course functions of ``MODULE`` is
part of the mistake (helpers start with ``_``).

Evidence. Agreeing with the submission is not enough: the mistake must also do something the
reference does not, on a call where the reference returns normally. A call on which the reference
raises (a ValueError the contract demands) says nothing about, say, the order of scale and shift
in batch normalisation: a correct submission that forgot the check would otherwise be blamed on
whichever mistake also forgets it. A mistake that *is* a missing check declares
``MISSING_CHECK = True``; for it, and only it, such calls count.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable

import numpy as np

from .course import Course, load_course

# Agreement tolerance between a catalogue implementation and the submission. Both compute the
# same formula in float64, possibly in another order; 1e-7 relative is far above rounding of the
# short recursions the tests run and far below the gap between two different formulas.
RTOL = 1e-7
ATOL = 1e-10


@dataclass(frozen=True)
class CatalogueEntry:
    """One known mistake: its id, the module it belongs to, and the wrong functions by name."""
    misconception: str
    module: str
    functions: dict[str, Callable] = field(hash=False, compare=False)
    path: Path | None = None
    missing_check: bool = False     # the mistake is a ValueError left out (see the module doc)

    @property
    def exercise(self) -> str | None:
        m = load_course().misconceptions.get(self.misconception)
        return m.exercise if m else None


@dataclass(frozen=True)
class Diagnosis:
    misconception: str
    message: str


_CATALOGUES: dict[Path, tuple[CatalogueEntry, ...]] = {}


def catalogue_functions(module: ModuleType, course: Course | None = None) -> dict[str, Callable]:
    """The wrong functions a catalogue module defines: course functions of its MODULE it defines."""
    course = course or load_course()
    names = {fn for ex in course.exercises if ex.module == module.MODULE for fn in ex.functions}
    return {name: value for name, value in vars(module).items()
            if name in names and callable(value)
            and getattr(value, "__module__", None) == module.__name__}


def load_catalogue(directory: str | Path) -> tuple[CatalogueEntry, ...]:
    """Every catalogue module of ``directory`` (sorted by file name), loaded once per process.

    A file that does not import, or lacks ``MISCONCEPTION``/``MODULE``, is a bug in the course:
    it raises here, so the meta-tests see it, rather than silently shrinking the catalogue.
    """
    directory = Path(directory).resolve()
    if directory in _CATALOGUES:
        return _CATALOGUES[directory]
    entries: list[CatalogueEntry] = []
    if directory.is_dir():
        course = load_course()
        for path in sorted(directory.glob("*.py")):
            if path.name.startswith("_"):
                continue
            name = "_misconception_" + path.stem.replace("-", "_")
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for attr in ("MISCONCEPTION", "MODULE"):
                if not isinstance(getattr(module, attr, None), str):
                    raise ValueError(f"{path}: a catalogue module must set {attr} = '...'")
            functions = catalogue_functions(module, course)
            if not functions:
                raise ValueError(f"{path}: defines none of the functions of module {module.MODULE!r}")
            entries.append(CatalogueEntry(module.MISCONCEPTION, module.MODULE, functions, path,
                                          bool(getattr(module, "MISSING_CHECK", False))))
    _CATALOGUES[directory] = tuple(entries)
    return _CATALOGUES[directory]


def same_result(a: Any, b: Any, *, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Whether two results agree: same structure, numbers within tolerance, NaN equal to NaN.

    Tuples and lists are both "a sequence" (a sandboxed result may come back as either); numbers
    and arrays are compared as float64 arrays of the same shape; anything else must be equal.
    """
    if isinstance(a, (str, bytes, Fraction, bool)) or isinstance(b, (str, bytes, Fraction, bool)):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(same_result(a[k], b[k], rtol=rtol, atol=atol) for k in a))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        if len(a) == len(b) and all(same_result(x, y, rtol=rtol, atol=atol) for x, y in zip(a, b)):
            return True
        # A list of numbers against an array of the same numbers: fall through to numbers.
    if a is None or b is None:
        return a is b
    try:
        x = np.asarray(a, dtype=np.float64)
        y = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        try:
            return bool(a == b)
        except Exception:  # noqa: BLE001 - incomparable objects simply do not agree
            return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True))


def _replay(function: Callable, record, *, strict: bool = False) -> tuple[bool, Any]:
    """Call ``function`` on a fresh copy of the record's arguments: (returned normally, result).

    ``strict`` makes numpy's overflow, division and invalid-value warnings raise, as a test that
    checks "no overflow" does; otherwise wrong formulas overflow by design and stay quiet.
    """
    try:
        args = copy.deepcopy(record.args)
        kwargs = copy.deepcopy(record.kwargs)
    except Exception:  # noqa: BLE001 - an argument that cannot be copied cannot be replayed
        return False, None
    errstate = (dict(over="raise", divide="raise", invalid="raise", under="ignore") if strict
                else dict(all="ignore"))
    with warnings.catch_warnings(), np.errstate(**errstate):
        warnings.simplefilter("ignore")
        try:
            return True, function(*args, **kwargs)
        except FloatingPointError as exc:
            return False, exc
        except Exception:  # noqa: BLE001 - a catalogue function that raises is skipped
            return False, None


def _explains(function: Callable, record) -> tuple[bool, Any]:
    """Whether ``function`` reproduces what the submission did on this call, and its result.

    A call that returned is reproduced by returning the same thing. A call that raised (a test
    turned the exception into a Failure, e.g. "hit a floating-point error") is reproduced by a
    mistake that raises FloatingPointError when numpy's floating-point errors are made errors.
    """
    if record.raised:
        ok, result = _replay(function, record, strict=True)
        return (not ok and isinstance(result, FloatingPointError)), result
    ok, result = _replay(function, record)
    return ok and same_result(result, record.result), result


def _is_evidence(reference: Callable, record, result, *, missing_check: bool) -> bool:
    """Whether this call shows the mistake doing something else than the reference.

    Only calls the reference completes count, unless the mistake is a missing check, whose
    evidence is exactly a call the reference refuses and the mistake answers.
    """
    if record.raised:
        ok, _ = _replay(reference, record, strict=True)
        return ok
    ok, ref_result = _replay(reference, record)
    if not ok:
        return missing_check
    return not same_result(ref_result, result)


def _reference_functions(course: Course) -> Callable[[str, str], Callable | None]:
    cache: dict[str, ModuleType | None] = {}

    def lookup(module: str, function: str) -> Callable | None:
        if module not in cache:
            try:
                cache[module] = importlib.import_module(f"{course.reference_package}.{module}")
            except Exception:  # noqa: BLE001 - no reference shipped: no discrimination check
                cache[module] = None
        return getattr(cache[module], function, None) if cache[module] else None
    return lookup


def diagnose(calls: Iterable, catalogue: Iterable[CatalogueEntry], *,
             exercise: str | None = None, course: Course | None = None) -> Diagnosis | None:
    """The known mistake that explains the recorded calls, or None.

    An entry explains the calls when (1) at least one recorded call went to one of its functions,
    (2) replaying every such call on it does what the submission did (returns the same result,
    or raises FloatingPointError where the submission's call raised), and (3) on at least one of
    them the reference solution (when importable) returns normally and returns something else: a
    mistake that agrees with the right answer explains nothing (e.g. a failure of an
    input-was-modified check), and neither does one that merely also accepts an input the
    reference rejects (see "Evidence" above). Entries of the test's own exercise win over
    others. When two mistakes explain the calls equally (on these inputs sqrt(var) = var, say)
    the test cannot tell which one the student made, and naming either would be a guess: no
    diagnosis. The result does not depend on the catalogue's order.
    """
    course = course or load_course()
    calls = list(calls)
    if not calls:
        return None
    reference = _reference_functions(course)
    explaining: list[CatalogueEntry] = []
    for entry in catalogue:
        relevant = [c for c in calls if c.module == entry.module and c.function in entry.functions]
        if not relevant:
            continue
        explains, differs = True, False
        for record in relevant:
            ok, result = _explains(entry.functions[record.function], record)
            if not ok:
                explains = False
                break
            if not differs:
                ref = reference(record.module, record.function)
                differs = ref is None or _is_evidence(ref, record, result,
                                                      missing_check=entry.missing_check)
        if explains and differs and entry.misconception in course.misconceptions:
            explaining.append(entry)
    own = [e for e in explaining if e.exercise == exercise]
    candidates = own or explaining
    if len({e.misconception for e in candidates}) != 1:
        return None     # none, or several that the test's inputs cannot tell apart: a guess
    found = candidates[0].misconception
    return Diagnosis(found, course.misconceptions[found].message)


def catalogue_directory(config) -> Path:
    """Where the catalogue lives for this pytest run (ini ``autograder_misconceptions``)."""
    configured = config.getini("autograder_misconceptions") or "tests/misconceptions"
    path = Path(configured)
    return path if path.is_absolute() else Path(str(config.rootpath)) / path


def diagnose_test(config, calls, exercise: str | None) -> Diagnosis | None:
    """The plugin's entry point: never lets a problem of the diagnosis break grading."""
    try:
        directory = catalogue_directory(config)
        if not directory.is_dir():
            return None
        return diagnose(list(calls), load_catalogue(directory), exercise=exercise)
    except Exception:  # noqa: BLE001 - a diagnosis is a bonus; the score never depends on it
        return None


__all__ = ["CatalogueEntry", "Diagnosis", "catalogue_functions", "load_catalogue", "same_result",
           "diagnose", "diagnose_test", "catalogue_directory"]
