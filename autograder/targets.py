"""The code under test, seen through one object: ``target.<module>.<function>``.

Tests never import ``assignments`` or ``solutions`` themselves; they ask the ``target`` fixture,
so the same test file grades a student's stubs, the reference solutions, a directory of a
submission, or (through the sandbox) a submission running in another process.

Modules load lazily and one at a time, so a syntax error in ``dropout.py`` fails only the dropout
tests, with one clear message, and every other exercise is still graded.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import importlib
import sys
import traceback
import types
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

from .feedback import SubmissionError


class ModuleView:
    """One module of the code under test; attribute access returns its functions, wrapped."""

    def __init__(self, target_name: str, module_name: str, load: Callable[[], types.ModuleType],
                 record: Callable[["CallRecord"], None]):
        self._target_name = target_name
        self._module_name = module_name
        self._load = load
        self._record = record

    @functools.cached_property
    def _module(self) -> types.ModuleType | SubmissionError:
        try:
            return self._load()
        except BaseException as exc:  # noqa: BLE001 - any import-time failure becomes feedback
            if isinstance(exc, KeyboardInterrupt):
                raise
            return SubmissionError(
                f"{self._module_name}.py could not be imported: {_describe(exc)}",
                hint="Run `python -c \"import "
                f"{self._target_name}.{self._module_name}\"` to see the full error.",
            )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        module = self._module
        if isinstance(module, SubmissionError):
            # A fresh exception per test: re-raising the cached one would grow its traceback.
            fb = module.feedback
            raise SubmissionError(fb.rationale, hint=fb.hint)
        try:
            value = getattr(module, name)
        except AttributeError:
            raise SubmissionError(
                f"{self._module_name}.py has no {'constant' if name.isupper() else 'function'} `{name}`",
                hint="Keep the function names and signatures of the assignment: the tests call them by name.",
            ) from None
        if callable(value) and not isinstance(value, type):
            return _report_unimplemented(value, f"{self._module_name}.{name}", self._record)
        return value

    def __repr__(self) -> str:
        return f"<{self._target_name}.{self._module_name}>"


class Target:
    """The code under test: ``target.gradient_descent.gd(...)``."""

    #: How the code under test is kept apart from the grader ("none": same process).
    isolation = "none"
    #: An :class:`~autograder.infrastructure.InfrastructureError` when the machine could not run
    #: the code under test (the sandboxed target's worker did not start); never for in-process.
    #: (A class attribute: ``target.<name>`` otherwise means a module of the submission.)
    infrastructure_error = None
    #: What ``target.<module>`` returns; the sandboxed target swaps in its remote view.
    view_class: type = ModuleView

    def __init__(self, name: str, load_module: Callable[[str], types.ModuleType], description: str):
        self.name = name
        self.description = description
        self._load_module = load_module
        self._views: dict[str, ModuleView] = {}
        # Calls made during the current test, so a failure can be diagnosed afterwards (which
        # known mistake returns what this submission returned for the same arguments?).
        self.calls: list[CallRecord] = []
        self._closers: list[Callable[[], None]] = []

    def add_closer(self, close: Callable[[], None]) -> None:
        """Run ``close`` when this target is closed (what was opened for it: the lab's worker)."""
        self._closers.append(close)

    def __getattr__(self, module_name: str) -> ModuleView:
        if module_name.startswith("_"):
            raise AttributeError(module_name)
        if module_name not in self._views:
            self._views[module_name] = self.view_class(
                self.name, module_name, functools.partial(self._load_module, module_name),
                self.calls.append)
        return self._views[module_name]

    def close(self) -> None:
        """Release whatever the target holds (a worker process, for the sandboxed target)."""
        while self._closers:
            self._closers.pop()()

    def __repr__(self) -> str:
        return f"<Target {self.description}>"


def package_target(package: str) -> Target:
    """An importable package, in this process (``assignments`` or ``solutions``)."""
    return Target(package, lambda module: importlib.import_module(f"{package}.{module}"),
                  f"package {package!r} (in-process)")


def directory_target(directory: str | Path) -> Target:
    """Modules in a directory (``DIR/gradient_descent.py``...), imported in this process.

    Only for trusted code (the reference, the misconception catalogue): untrusted submissions go
    through the sandbox, which runs them in another process.
    """
    directory = Path(directory).resolve()
    # A synthetic package per directory, so two directories never share module objects and
    # relative imports between the submission's own modules keep working.
    package = "_target_" + hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    if package not in sys.modules:
        pkg = types.ModuleType(package)
        pkg.__path__ = [str(directory)]
        sys.modules[package] = pkg
    target = Target(package, lambda module: importlib.import_module(f"{package}.{module}"),
                    f"directory {directory} (in-process)")
    target._directory = directory
    return target


@dataclass
class CallRecord:
    """One call of the code under test: ``module.function(*args, **kwargs) -> result``.

    ``args``/``kwargs`` are deep copies taken *before* the call (a Generator keeps the state it
    had then), so a diagnosis can replay the same call on a known wrong implementation.
    """
    module: str
    function: str
    args: tuple
    kwargs: dict
    result: Any = None
    raised: bool = False


# What deepcopy itself returns unchanged (functions and fractions included: immutable).
_ATOMS = frozenset((int, float, complex, str, bytes, bool, type(None), Fraction,
                    types.FunctionType, types.BuiltinFunctionType))


def _snapshot(value: Any) -> Any:
    # Most arguments are numbers, arrays and tuples of them: copied directly, without
    # deepcopy's memo and dispatch (it ran for every call of every test).
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is tuple:
        return tuple(_snapshot(v) for v in value)
    if kind is list:
        return [_snapshot(v) for v in value]
    if kind is dict:
        return {k: _snapshot(v) for k, v in value.items()}
    if kind.__module__ == "numpy" and hasattr(value, "flags"):   # an ndarray or a numpy scalar
        return value.copy()
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an uncopyable argument just cannot be replayed
        return value


def _report_unimplemented(func: Callable, qualname: str,
                          record: Callable[[CallRecord], None]) -> Callable:
    module, _, name = qualname.partition(".")

    @functools.wraps(func)
    def call(*args, **kwargs):
        entry = CallRecord(module, name, _snapshot(args), _snapshot(kwargs))
        record(entry)
        try:
            entry.result = func(*args, **kwargs)
            return entry.result
        except NotImplementedError:
            entry.raised = True
            raise SubmissionError(
                f"{qualname} is not implemented yet (it raised NotImplementedError)",
                hint=f"Read the docstring of {qualname}: it states the maths, the shapes and an example.",
            ) from None
        except BaseException:
            entry.raised = True
            raise
    return call


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"SyntaxError: {exc.msg} (line {exc.lineno})"
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (line {last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"
