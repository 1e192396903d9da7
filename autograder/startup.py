"""What a fresh ``autograder`` process skips: work that only a long-lived process needs.

A single ``autograder grade`` is one short process (CI, Gradescope's ``run_autograder``). Two
costs of the interpreter are paid there for nothing, about 0.1 s of CPU together:

* **The cyclic garbage collector during start-up.** Importing numpy and pytest and collecting the
  course's tests allocates a few hundred thousand objects that live until the process ends; the
  collector walks them over and over (about 150 young and 14 middle collections before the first
  test). :func:`defer_gc` turns it off at the start and :func:`resume_gc`, called by the session
  once the tests are collected, moves everything alive into the permanent generation
  (:func:`gc.freeze`) and turns it back on: a submission's run, the only part that may make
  garbage in bulk (an in-process submission's cycles), is collected as before, and later full
  collections no longer walk the start-up's objects.
* **The interpreter's tear-down.** After the report is written, finalising the interpreter runs a
  full collection and clears every module (about 75 ms). :func:`exit_now` runs the ``atexit``
  handlers, flushes the standard streams and ends the process with its exit code instead. Every
  resource the grader holds (a worker, a private copy) is released by the grading itself before
  that point, not by a finaliser.

Only the command-line program does this (:func:`autograder.cli.run` sets :data:`own_process`;
``autograder grade`` defers the collector): a program that imports the grader (tests,
``grade-all``'s workers, a notebook) keeps the interpreter's defaults.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from typing import NoReturn

#: Set by the command-line entry point: this process is the command's own, and ends with it.
own_process = False
_deferred = False


def defer_gc() -> None:
    """Turn the cyclic collector off until :func:`resume_gc` (a no-op where it is already off)."""
    global _deferred
    if gc.isenabled():
        gc.disable()
        _deferred = True


def resume_gc() -> None:
    """Freeze what start-up left alive and turn the collector back on, if :func:`defer_gc`
    turned it off (once: later calls do nothing)."""
    global _deferred
    if _deferred:
        _deferred = False
        gc.freeze()
        gc.enable()


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` as a normal exit would, without tearing the interpreter down:
    the ``atexit`` handlers run and the standard streams are flushed first.

    Under a profiler or a tracer (``python -m cProfile``, coverage, a debugger) the process exits
    the normal way, so that the tool still writes what it gathered when the program ends; so it
    does while another thread runs (a normal exit waits for it, and for an executor's work)."""
    if sys.getprofile() is not None or sys.gettrace() is not None \
            or threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()   # what a normal exit runs first (logging's flush, finalizers)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            # A closed reader or stream: a normal exit could not flush it either. (The CLI has
            # already pointed a broken stdout at /dev/null and chosen its code.)
            pass
    os._exit(code)
