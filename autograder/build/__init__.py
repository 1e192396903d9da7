"""``autograder build``: releases made from the course checkout (see :mod:`.release`).

The CLI wires the sub-command with ``add_build_parser(subparsers)`` and ``run_build(args)``
(defined in :mod:`.command`). This file stays free of import statements on purpose: the student
release ships the ``summary`` module of this package (the CI job summary), hence this file, and
the release's allowlist follows import statements; the build itself is never shipped.
"""

import importlib

__all__ = ["add_build_parser", "run_build"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module(".command", __name__), name)
    raise AttributeError(name)
