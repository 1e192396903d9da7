"""Which code a grading run tests, as a typed value, and the one function that opens it.

A :data:`TargetSpec` says what the ``target`` fixture is: an importable package (the reference
``solutions``, a student's ``assignments``), a directory imported in this process (trusted code
only), or a directory run in the sandbox's worker process (every submission). The grader builds
one with :func:`choose` (where isolation is decided); a plain ``pytest --target=TEXT`` run parses
its option once with :func:`parse`. :func:`open_target` is the only code that turns a spec into
a :class:`~autograder.targets.Target`, so the sandbox is imported here and nowhere else on the
grading side (``targets`` itself knows nothing of it, and the sandbox's proxy imports ``targets``).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from .targets import Target, directory_target, package_target

#: The prefix of ``--target=sandbox:DIR`` on pytest's command line.
SANDBOX_PREFIX = "sandbox:"


@dataclass(frozen=True)
class PackageSpec:
    """An importable package, imported in this process (``assignments`` or ``solutions``)."""
    package: str


@dataclass(frozen=True)
class DirectorySpec:
    """A directory of modules imported in this process: trusted code, or ``--no-isolation``.

    ``lab_epochs``: as for :class:`SandboxSpec` (the lab's notebook still runs in the sandbox).
    """
    directory: Path
    lab_epochs: int | None = None


@dataclass(frozen=True)
class SandboxSpec:
    """A directory of modules run in the sandbox's worker process.

    ``lab_epochs`` is the Keras lab's training length for this submission (None: the lab's
    default).
    """
    directory: Path
    lab_epochs: int | None = None


TargetSpec = Union[PackageSpec, DirectorySpec, SandboxSpec]


def sandbox_available() -> bool:
    """Is the sandbox installed (a student release ships without it)?"""
    return importlib.util.find_spec("autograder.sandbox") is not None


def choose(directory: Path, *, isolate: bool, lab_epochs: int | None = None) -> TargetSpec:
    """The spec for a materialised submission: the one place isolation is chosen.

    Isolated grading runs the submission in the sandbox's worker; without the sandbox installed,
    or with ``isolate=False``, it is imported in this process.
    """
    if isolate and sandbox_available():
        return SandboxSpec(Path(directory), lab_epochs)
    return DirectorySpec(Path(directory), lab_epochs)


def parse(text: str) -> TargetSpec:
    """A ``--target`` value: ``sandbox:DIR``, a directory path, or an importable package name."""
    if text.startswith(SANDBOX_PREFIX):
        return SandboxSpec(Path(text[len(SANDBOX_PREFIX):]))
    if Path(text).is_dir() and not text.isidentifier():
        return DirectorySpec(Path(text))
    return PackageSpec(text)


def open_target(spec: TargetSpec) -> Target:
    """The target ``spec`` names, ready for the tests (a sandbox's worker already starting)."""
    if isinstance(spec, PackageSpec):
        return package_target(spec.package)
    if isinstance(spec, DirectorySpec):
        return _with_lab_epochs(directory_target(spec.directory), spec.lab_epochs)
    # Launch the worker before importing the proxy (numpy): its start-up then runs on the other
    # core while this process imports and collects. Without an early launch (it failed), the
    # target starts its worker at the first call and reports why it could not.
    from .sandbox import isolation

    limits = isolation.Limits.from_env()
    early = isolation.launch_early(spec.directory, limits)
    from .lab.session import profiles
    from .sandbox.proxy import sandbox_target

    return _with_lab_epochs(sandbox_target(spec.directory, limits=limits, early=early,
                                           profiles=profiles(spec.lab_epochs)), spec.lab_epochs)


def _with_lab_epochs(target: Target, epochs: int | None) -> Target:
    # For the lab fixture (underscored: a target's other attributes are the submission's
    # modules); what became of the notebooks it reads from the materialised folder.
    target._lab_epochs = epochs
    return target
