"""Reporters: each output format is a pure function of a :class:`~autograder.results.Results`.

``render(results, fmt)`` is the one entry point the CLI uses. Every reporter renders failures
through :class:`~autograder.feedback.Feedback` (rationale, expected, actual, misconception, hint),
and every format except Gradescope (whose platform hides tests by their ``visibility`` itself)
first passes through :func:`conceal`, so a hidden test's details never reach a student.
"""

from __future__ import annotations

from typing import Callable

from ..results import Results
from ..untrusted import sanitise
from ._common import HIDDEN_SENTENCE, conceal, display_name, without_timings
from .exercism import render_exercism
from .gradescope import render_gradescope
from .json import render_json
from .junit import render_junit
from .markdown import render_markdown


def render_table(results: Results, **options) -> str:
    """The terminal report as text (see :mod:`.table`); rich is imported only when it is wanted."""
    from .table import render_table as _render_table

    return _render_table(results, **options)


def render_html(results: Results, **options) -> str:
    """A self-contained HTML page (see :mod:`.html`); matplotlib is imported only for it."""
    from .html import render_html as _render_html

    return _render_html(results, show_hidden=True)  # prepare() has already concealed what it must


REPORTERS: dict[str, Callable[[Results], str]] = {
    "table": render_table,
    "gradescope": render_gradescope,
    "exercism": render_exercism,
    "junit": render_junit,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
}
FORMATS = tuple(REPORTERS)

# Formats whose platform applies per-test visibility itself; the others get concealed results.
_PLATFORM_HIDES = {"gradescope"}


def prepare(results: Results, fmt: str, *, timings: bool = True,
            show_hidden: bool = False) -> Results:
    """The results a ``fmt`` report shows: sanitised, timings dropped on request, hidden tests
    concealed.

    ``timings=False`` zeroes or drops every wall-clock field, so two gradings of the same
    submission render byte-identical reports. ``show_hidden=True`` (instructors) shows hidden
    tests' details in every format.
    """
    if fmt not in REPORTERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    # The engine sanitised results it graded; results read back from a file or built by a caller
    # may not have been. Sanitising is idempotent, so this gate costs one scan of clean text.
    results = sanitise(results)
    if not timings:
        results = without_timings(results)
    if not show_hidden and fmt not in _PLATFORM_HIDES:
        results = conceal(results)
    return results


def render(results: Results, fmt: str, *, timings: bool = True, show_hidden: bool = False,
           verbose: bool = False) -> str:
    """Render ``results`` as ``fmt`` (one of :data:`FORMATS`); see :func:`prepare`.

    ``verbose`` concerns the table only: every test with its whole message, instead of a summary
    per exercise and the failing tests.
    """
    prepared = prepare(results, fmt, timings=timings, show_hidden=show_hidden)
    if fmt == "table":
        return render_table(prepared, verbose=verbose)
    return REPORTERS[fmt](prepared)


__all__ = ["FORMATS", "HIDDEN_SENTENCE", "REPORTERS", "conceal", "display_name", "prepare", "render",
           "render_exercism", "render_gradescope", "render_json", "render_junit",
           "render_markdown", "render_table", "without_timings"]
