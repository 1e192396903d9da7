"""Bad input gets one line and exit code 2: the checks every command runs first, and its guard.

Each command checks its paths and options before doing any work, with the ``require_*``
helpers below; a problem raises :class:`UsageError` saying what is wrong and what to do.
:func:`run_command` runs a command and turns that into one line on stderr and exit code 2::

    autograder grade: error: there is no file or folder at 'sub': give the submission's folder, ...

Any other exception escaping a command is a bug in the grader; it too becomes one line
(``internal error: ...; please report it``) and exit code 2 rather than a traceback a newcomer
cannot read. ``AUTOGRADER_DEBUG=1`` re-raises it instead, so a bug report (and the test suite,
which sets it) gets the traceback.

Every path or name a user typed is untrusted text when echoed: :func:`shown` writes control
characters (newlines, terminal escapes, bidi overrides, undecodable bytes) as escapes, the way
``repr`` does, and shortens very long names; :func:`markup` also escapes rich markup, for
lines printed through a rich console.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
DEBUG_ENV = "AUTOGRADER_DEBUG"
MAX_SHOWN_CHARS = 160

# Characters a terminal may act on rather than print: C0/C1 controls and DEL (Cc), format
# characters such as bidi overrides and zero-width joiners (Cf), line and paragraph separators
# (Zl, Zp), and the lone surrogates Python uses for bytes of a file name that are not UTF-8 (Cs),
# which could not even be written to a UTF-8 stream.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})

T = TypeVar("T")


class UsageError(Exception):
    """A command was given a path or option it cannot use; the message says what to do."""


def escape_controls(text: str) -> str:
    """``text`` with every character a terminal could act on written as a ``\\x..`` escape."""
    if text.isprintable():          # the common case: nothing to escape (and fast)
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) not in _UNPRINTABLE:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def shown(value: object) -> str:
    """An untrusted path or name, quoted, on one printable line, at most ~160 characters."""
    text = escape_controls(os.fspath(value) if isinstance(value, os.PathLike) else str(value))
    if len(text) > MAX_SHOWN_CHARS:
        half = (MAX_SHOWN_CHARS - 1) // 2
        text = f"{text[:half]}…{text[-half:]}"
    return f"'{text}'"


def markup(value: object) -> str:
    """:func:`shown`, escaped for a rich console (so ``[red]`` in a name prints as itself)."""
    from rich.markup import escape

    return escape(shown(value))


def error_line(prog: str, message: str) -> None:
    """Write ``prog: error: message`` to stderr as exactly one line."""
    sys.stderr.write(f"{prog}: error: {escape_controls(message)}\n")
    sys.stderr.flush()


# -- the checks -------------------------------------------------------------------------------

def _stat(path: Path, what: str) -> os.stat_result | None:
    """``os.stat(path)``, None when nothing is there; other failures (a name too long, a
    component that is a file, a loop of links) are the user's to fix, so they are usage errors."""
    try:
        return path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"cannot use {shown(path)} as {what}: {exc.strerror or exc}") from None


def require_dir(path: str | os.PathLike, what: str, fix: str) -> Path:
    """``path`` is a folder this process can list; else a UsageError ending in ``fix``."""
    path = Path(path)
    info = _stat(path, what)
    if info is None:
        raise UsageError(f"there is no folder at {shown(path)}: {fix}")
    if not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{shown(path)} is a file, not a folder: {fix}")
    if not os.access(path, os.R_OK | os.X_OK):
        raise UsageError(f"cannot read the folder {shown(path)} (permission denied): "
                         "check its permissions")
    return path


def require_file(path: str | os.PathLike, what: str, fix: str) -> Path:
    """``path`` is a regular file this process can read; else a UsageError ending in ``fix``."""
    path = Path(path)
    info = _stat(path, what)
    if info is None:
        raise UsageError(f"there is no file at {shown(path)}: {fix}")
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{shown(path)} is a folder, not a file: {fix}")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or a device would block or never end when read.
        raise UsageError(f"{shown(path)} is not a regular file: {fix}")
    if not os.access(path, os.R_OK):
        raise UsageError(f"cannot read {shown(path)} (permission denied): check its permissions")
    return path


def require_file_or_dir(path: str | os.PathLike, what: str, fix: str) -> Path:
    """``path`` is a readable regular file or a listable folder."""
    path = Path(path)
    info = _stat(path, what)
    if info is None:
        raise UsageError(f"there is no file or folder at {shown(path)}: {fix}")
    if stat.S_ISDIR(info.st_mode):
        return require_dir(path, what, fix)
    return require_file(path, what, fix)


def _writable_ancestor(path: Path, what: str) -> None:
    """The nearest existing ancestor of ``path`` is a folder we may create things in."""
    parent = path.parent
    while _stat(parent, what) is None and parent != parent.parent:
        parent = parent.parent
    info = _stat(parent, what)
    if info is None or not stat.S_ISDIR(info.st_mode):
        raise UsageError(f"cannot create {what} {shown(path)}: {shown(parent)} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError(f"cannot create {what} {shown(path)}: the folder {shown(parent)} is not "
                         "writable (permission denied)")


def require_output_file(path: str | os.PathLike, what: str) -> Path:
    """``path`` is a file this process can write (it may not exist yet; its folders are made)."""
    path = Path(path)
    info = _stat(path, what)
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{shown(path)} is a folder: name a file to write {what} to")
        if not os.access(path, os.W_OK):
            raise UsageError(f"cannot write {what} to {shown(path)} (permission denied)")
        return path
    _writable_ancestor(path, what)
    return path


def require_output_dir(path: str | os.PathLike, what: str) -> Path:
    """``path`` is a folder this process can write into (it is made when missing)."""
    path = Path(path)
    info = _stat(path, what)
    if info is not None:
        if not stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{shown(path)} is a file: name a folder to write {what} into")
        if not os.access(path, os.W_OK | os.X_OK):
            raise UsageError(f"cannot write {what} into {shown(path)} (permission denied)")
        return path
    _writable_ancestor(path, what)
    return path


def require_at_least(value: T | None, minimum: T, option: str) -> None:
    """An option's number is at least ``minimum`` (None: the option was not given)."""
    if value is not None and value < minimum:
        raise UsageError(f"{option} must be at least {minimum:g}, not {value:g}")


# -- the parser and the guard -----------------------------------------------------------------

class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (argparse prints the whole usage first).

    Sub-parsers made by ``add_subparsers`` are of the parent's class, so one parser of this
    class at the top makes every command's errors one line.
    """

    def error(self, message: str):  # type: ignore[override]
        error_line(self.prog, f"{message} (see: {self.prog} --help)")
        sys.exit(EXIT_USAGE)


def run_command(prog: str, command: Callable[[argparse.Namespace], int],
                args: argparse.Namespace) -> int:
    """Run ``command(args)``: a UsageError or an unexpected exception becomes one line and exit 2.

    ``AUTOGRADER_DEBUG=1`` lets an unexpected exception through with its traceback.
    """
    try:
        return command(args)
    except UsageError as exc:
        error_line(prog, str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        error_line(prog, "interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as a Unix filter does. Point stdout at
        # /dev/null so the interpreter's final flush does not fail again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last resort, so the user never sees a traceback
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        detail = str(exc)
        detail = detail if len(detail) <= 300 else detail[:299] + "…"
        error_line(prog, f"internal error: {type(exc).__name__}: {detail}; please report it "
                         f"(run again with {DEBUG_ENV}=1 for the details)")
        return EXIT_USAGE
