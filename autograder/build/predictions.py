"""The Gradescope zip's recording of the reference's calls, so that its grader sends calls ahead.

``autograder build`` adds to ``autograder.zip`` the recording that
:mod:`autograder.sandbox.pipeline` sends calls ahead with, made from the reference solutions
over the public and hidden tests (the checkout's own cached recording when it fits them, else a
new one, kept in the cache too). The Gradescope image has no reference solutions: its grader
finds the recording by the tests it was made from, and uses it only while they and the engine
are the ones it was made with.

It holds the hidden tests' inputs: it goes into the grader's zip only, and the leak check
(:mod:`.leaks`) refuses it in a student release. A reference that cannot be graded here (no
sandbox can start) leaves it out, with a warning: Gradescope then grades one call at a time.
"""

from __future__ import annotations

import sys

from .reproducible import Member
from .release import BuildContext, autograder_producer


@autograder_producer("call-predictions")
def call_predictions(ctx: BuildContext) -> list[Member]:
    from ..sandbox import pipeline

    tests = [ctx.root / "tests" / name for name in ("public", "hidden")]
    tests = [d for d in tests if d.is_dir()]
    reference = ctx.root / ctx.course.reference_package
    if not any(d.name == "hidden" for d in tests) or not reference.is_dir():
        return []
    data = pipeline.recording_bytes(tests, reference, cache_root=ctx.root)
    if data is None:
        print("autograder build: warning: the reference's calls could not be recorded; "
              "Gradescope will grade one call at a time (slower, same results)", file=sys.stderr)
        return []
    key = pipeline.fingerprint(tests, None)
    return [Member(pipeline.cache_path(ctx.root, key).relative_to(ctx.root).as_posix(), data)]
