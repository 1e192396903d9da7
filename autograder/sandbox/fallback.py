"""Why a grading did not run at the strongest isolation level, in a sentence a person can act on.

The sandbox tries bubblewrap first and falls back to ``unshare`` (a deny-list) and then to
``rlimits-only`` when it cannot start (see :mod:`.isolation`). Falling back is not an error, but
the person grading should know, and know *why*: bubblewrap may be missing (install it), present
but unable to start our worker here (a container that forbids its namespaces, a Python that it
cannot see), or switched off on purpose with ``AUTOGRADER_SANDBOX_LEVELS``. The sentence says
what actually happened in this process, from :data:`.isolation.FAILED_LEVELS`.
"""

from __future__ import annotations

import shutil

from . import isolation

STRONGEST = isolation.LEVELS[0]
INSTALL = "install the Debian package bubblewrap (sudo apt install bubblewrap)"


def level_of(description: str) -> str:
    """``"unshare(net,mount,...); lab: ..."`` -> ``"unshare"``: the main worker's level."""
    return description.split(";", 1)[0].split("(", 1)[0].strip()


def fallback_warning(description: str, levels: tuple[str, ...] | None = None) -> str | None:
    """A warning when the submission ran below bubblewrap (None when it did not, or when the
    levels tried were chosen without bubblewrap).

    ``description`` is ``Results.isolation``; ``levels`` the levels the grader was allowed to
    try (default: ``AUTOGRADER_SANDBOX_LEVELS``, else all of them).
    """
    level = level_of(description)
    if level == STRONGEST or level.startswith("none"):
        return None       # the strongest level, or no sandbox at all (warned about elsewhere)
    if levels is None:
        try:
            levels = isolation.Limits.from_env().levels
        except (TypeError, ValueError):
            levels = isolation.LEVELS
    if STRONGEST not in levels:
        return None       # the grader asked for these levels; nothing fell back
    weaker = f"the submission ran at the weaker '{level}' level"
    if shutil.which("bwrap") is None:
        return f"bubblewrap is not installed, so {weaker}; {INSTALL} for the strongest sandbox"
    why = isolation.FAILED_LEVELS.get(STRONGEST)
    if why:
        # The worker's last words: keep them to one clean line.
        from ..untrusted import NAME_CHARS, clean_text

        why = clean_text(why, limit=NAME_CHARS, max_lines=1)
        return (f"bubblewrap is installed but could not start the grading worker here, so "
                f"{weaker}: {why}")
    return f"{weaker}, not bubblewrap"
