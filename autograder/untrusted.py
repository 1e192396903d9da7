"""Text a submission can influence, made safe to show: the one sanitising step before any report.

A submission chooses its exception messages, the names of its exception classes, what it prints,
the values it returns (shown as "got: ...") and, handed in as a zip or a class folder, its file
names. All of it reaches :class:`~autograder.results.Results` and from there every report. A
terminal obeys escape sequences (``ESC[2J`` clears the screen, ``ESC]8;;URL`` makes a link), an
XML parser rejects most control characters, and a megabyte message drowns every format. So every
such string passes once through :func:`clean_text`:

* ``\\r\\n`` and lone ``\\r`` become ``\\n`` (a carriage return lets a line overwrite itself);
* ESC sequences (CSI ``ESC[...``, OSC ``ESC]...BEL``, DCS/APC/PM/SOS strings, two-byte escapes)
  and their 8-bit C1 forms are removed whole, so no stray ``[2J`` is left behind;
* every other C0 control but ``\\n`` and ``\\t``, DEL, every C1 control, the bidirectional
  overrides and isolates (text that displays in another order than it reads), the Unicode
  noncharacters U+FFFE/U+FFFF and lone surrogates (which cannot be written as UTF-8) are dropped;
* the length and the number of lines are capped, and a cut is marked visibly.

This makes text *inert as characters*; it does not make it safe in every *syntax*. Each reporter
still escapes for its own medium (rich ``Text``, markdown fences, XML, HTML), because ``<``, ``[``
and backticks are ordinary characters a message may well contain.

:func:`sanitise` applies this to a whole results tree; it is idempotent, so a tree that passes
the engine's exit and, later, a reporter's gate comes out the same.
"""

from __future__ import annotations

import dataclasses
import re

from .feedback import Feedback
from .results import Results, TestResult

#: Longest a message field may be, in characters and in lines (a matrix of 30 rows still fits).
MESSAGE_CHARS = 4000
MESSAGE_LINES = 60
#: What a test printed: bigger, but bounded.
OUTPUT_CHARS = 10_000
OUTPUT_LINES = 200
#: Names and paths: one line.
NAME_CHARS = 300
#: At most this many grading errors are kept (each one a message).
MAX_ERRORS = 20

_SEQUENCES = re.compile(
    r"""
      (?:\x1b\[|\x9b) [\x30-\x3f]* [\x20-\x2f]* [\x40-\x7e]?        # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) .*? (?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, SOS, PM, APC
                                                     # (unterminated: to the end of its line)
    | \x1b [\x20-\x2f]* [\x30-\x7e]?                                 # any other ESC sequence
    """,
    re.VERBOSE | re.MULTILINE)
# C0 but \t and \n, DEL, C1, bidi embeddings/overrides/isolates, noncharacters, surrogates.
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
                      "\ud800-\udfff]")


def cut_marker(chars: int = 0, lines: int = 0) -> str:
    """The visible note that ends a cut text."""
    what = f"{lines} more lines" if lines else f"{chars} more characters"
    return f"… [cut by the grader: {what}]"


def clean_text(text: str, *, limit: int = MESSAGE_CHARS, max_lines: int = MESSAGE_LINES) -> str:
    """``text`` without control characters or escape sequences, at most ``limit`` characters
    and ``max_lines`` lines; a cut ends with :func:`cut_marker`'s note.

    ``max_lines=1`` makes a one-line name: newlines and tabs become spaces.
    """
    if not isinstance(text, str):
        text = str(text)
    if _DROPPED.search(text):   # the common case, clean text, costs one scan
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _DROPPED.sub("", _SEQUENCES.sub("", text))
    if max_lines == 1:
        text = text.replace("\n", " ").replace("\t", " ")
    elif text.count("\n") >= max_lines:
        # max_lines - 1 lines and the marker: cleaning the result again changes nothing.
        lines = text.split("\n")
        text = "\n".join(lines[:max_lines - 1]) + "\n" + cut_marker(lines=len(lines) - max_lines + 1)
    if len(text) > limit:
        # The marker counts against the limit (it is at most 60 characters), for the same reason.
        keep = max(limit - 60, 0)
        text = text[:keep] + (" " if max_lines == 1 else "\n") + cut_marker(chars=len(text) - keep)
    return text


def _optional(text: str | None, **limits) -> str | None:
    return None if text is None else clean_text(text, **limits)


def clean_feedback(feedback: Feedback | None) -> Feedback | None:
    if feedback is None:
        return None
    return dataclasses.replace(
        feedback, rationale=clean_text(feedback.rationale), expected=_optional(feedback.expected),
        actual=_optional(feedback.actual), hint=_optional(feedback.hint),
        misconception=_optional(feedback.misconception, limit=NAME_CHARS, max_lines=1))


def clean_test(test: TestResult) -> TestResult:
    one_line = {"limit": NAME_CHARS, "max_lines": 1}
    return dataclasses.replace(
        test, nodeid=clean_text(test.nodeid, **one_line), name=clean_text(test.name, **one_line),
        exercise=clean_text(test.exercise, **one_line), feedback=clean_feedback(test.feedback),
        output=clean_text(test.output, limit=OUTPUT_CHARS, max_lines=OUTPUT_LINES),
        test_code=clean_text(test.test_code, limit=OUTPUT_CHARS, max_lines=OUTPUT_LINES))


def sanitise(results: Results) -> Results:
    """A copy of ``results`` in which every string a submission can influence is clean
    (see the module's docstring); scores, statuses and timings are untouched."""
    errors = [clean_text(e) for e in results.errors[:MAX_ERRORS]]
    if len(results.errors) > MAX_ERRORS:
        errors.append(f"… [cut by the grader: {len(results.errors) - MAX_ERRORS} more errors]")
    return dataclasses.replace(
        results, tests=[clean_test(t) for t in results.tests],
        target=clean_text(results.target, limit=NAME_CHARS * 2, max_lines=1),
        isolation=clean_text(results.isolation, limit=NAME_CHARS, max_lines=1), errors=errors)
