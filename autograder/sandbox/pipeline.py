"""Calls sent ahead: the calls a test can predict go to the worker in batches.

A round trip to the worker costs both processes a wake-up and a few system calls, and a test
waits for each reply before it makes its next call. Most tests make the same calls whatever the
submission answers (the inputs are the test's own), so the grader can *predict* them: the calls
the reference solution made, test by test, recorded once (:func:`record`) and loaded with
``AUTOGRADER_CALL_PREDICTIONS=FILE``. When a call is exactly (byte for byte) the one the
reference made at that point of its test, the calls the reference made next (the rest of the
test, then the next tests', in the order pytest runs them) go in the same write, up to
:data:`MAX_AHEAD` of them (fewer after calls were cancelled), and the worker runs them one after
the other without waiting.

What a test sees does not change:

* A call sent ahead counts only once the test makes it, byte for byte: its reply is then read
  (or was read already) and returned exactly as a reply to that call would be, with the call's
  own time limit.
* Where the test makes a call that was not predicted (an earlier reply differed from the
  reference's), every call still ahead is *cancelled*: its reply is read and thrown away (the
  worker ran it for nothing), and the test goes on one call at a time. The next test starts
  afresh (it re-synchronises); calls ahead for a test that ended before making them are
  dropped the same way. Predictions never change which call is blamed: a worker that dies,
  times out or breaks the protocol while running a call the test has not made yet is ended
  without a word to the test, and the call the test makes next runs in a fresh worker, which
  blames it only if it fails there too. A worker that dies in a call the test did make blames
  that call (the first one unanswered); the calls after it run in a fresh worker.
* Only calls without call-backs are predicted (a call-back is a function of the test, unknown
  before the test runs); calls in a notebook's profile worker (TensorFlow) never are.
* Every reply is read within the budget its call was sent with (:class:`.protocol.Budget`), and
  the replies read ahead and kept are bounded in bytes all together (:data:`MAX_KEPT_BYTES`).
* Cancelled calls cost the submission none of its time budget; once a worker is lost in a call
  no test made (it died, ran out of time or broke the protocol), the submission's calls go one
  at a time, so at most one worker and one call's time limit are ever spent on calls no test
  made.

What the worker runs can change, and only for a submission that keeps state between calls:
a cancelled call ran there, and calls of the next tests ran before a test's calls that went
another way. The order is the recorded one, so grading a submission twice still gives the same.

The predictions are a file of the grader's (trusted): they hold the inputs of hidden tests, so
they belong with the grader, never in a student's release.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import protocol as P

#: Where the grader finds its predictions (a file written by :func:`record`).
ENV = "AUTOGRADER_CALL_PREDICTIONS"
#: Calls sent ahead in one batch at most, and at least while calls are sent ahead: a batch is
#: halved each time calls ahead are cancelled and doubled each time one is used to its end.
MAX_AHEAD = 64
MIN_AHEAD = 4
#: The bytes of one batch at most: less than a pipe holds (64 KiB on Linux), so that the write
#: never waits for the worker, which may be waiting for us to read its replies.
MAX_BATCH_BYTES = 48 * 1024
#: The bytes of replies read ahead and kept at most: each is bounded by its call's budget, and
#: so is their sum (beyond it, the calls left are cancelled and made one at a time).
MAX_KEPT_BYTES = 16 * 2**20


def current_test() -> str | None:
    """The test running now and its phase, as pytest names it (``path::name[id] (call)``)."""
    return os.environ.get("PYTEST_CURRENT_TEST")


def frame_with_id(request_id: int, rest: bytes, count: int, arrays: bytes) -> bytes:
    """A request frame whose JSON header is ``{"id":N,`` followed by ``rest``."""
    body = b'{"id":%d,' % request_id + rest
    return P._HEAD.pack(P.MAGIC, len(body), count) + body + arrays


def split_frame(frame: bytes) -> tuple[bytes, int, bytes] | None:
    """The parts of a request frame that do not depend on its id (see :func:`frame_with_id`)."""
    _, body_len, count = P._HEAD.unpack_from(frame)
    body = frame[P._HEAD.size:P._HEAD.size + body_len]
    if not body.startswith(b'{"id":'):
        return None
    comma = body.find(b",")
    if comma < 0:
        return None
    return body[comma + 1:], count, frame[P._HEAD.size + body_len:]


@dataclass
class Predictions:
    """The calls each test made (its key: :func:`current_test`), as id-free frame parts."""
    tests: dict[str, list[tuple[bytes, int, bytes]]] = field(default_factory=dict)
    _keys: list[str] = field(default_factory=list, repr=False, compare=False)
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def add(self, test: str, frame: bytes) -> None:
        parts = split_frame(frame)
        if parts is not None:
            self.tests.setdefault(test, []).append(parts)

    def get(self, test: str) -> list[tuple[bytes, int, bytes]]:
        return self.tests.get(test, [])

    def after(self, test: str, made: int):
        """(test, call) for every call predicted after the first ``made + 1`` of ``test``: the
        rest of that test, then the next tests', in the order they were recorded (the order
        pytest runs them)."""
        self._indexed()
        for call in self.get(test)[made + 1:]:
            yield test, call
        for later in self._keys[self._index.get(test, len(self._keys)) + 1:]:
            for call in self.tests[later]:
                yield later, call

    def position(self, test: str | None) -> int | None:
        """Where ``test`` runs among the tests recorded (None: it was not recorded)."""
        return self._indexed().get(test)

    def _indexed(self) -> dict[str, int]:
        if len(self._index) != len(self.tests):
            self._keys = list(self.tests)
            self._index = {key: i for i, key in enumerate(self._keys)}
        return self._index

    def save(self, path: str | Path) -> None:
        # A list, not an object: the order of the tests is the order they run in.
        data = {"version": 2, "tests": [
            [test, [[base64.b64encode(rest).decode(), count, base64.b64encode(arrays).decode()]
                    for rest, count, arrays in calls]] for test, calls in self.tests.items()]}
        Path(path).write_text(json.dumps(data))

    @classmethod
    def load(cls, path: str | Path) -> "Predictions":
        data = json.loads(Path(path).read_text())
        if data.get("version") != 2 or not isinstance(data.get("tests"), list):
            raise ValueError("not a file of call predictions (version 2)")
        tests = {}
        for test, calls in data["tests"]:
            tests[str(test)] = [(base64.b64decode(rest), int(count), base64.b64decode(arrays))
                                for rest, count, arrays in calls]
        return cls(tests)


#: Calls sent ahead in this process, confirmed by their test, and cancelled (for benchmarks,
#: and for the hostile corpus to check that its pipelined runs really predicted).
COUNTS = {"sent": 0, "confirmed": 0, "cancelled": 0}

_LOADED: dict[tuple[str, float], Predictions | None] = {}
#: Set while :func:`record` runs: every predictable call of the main worker is added to it.
RECORDING: Predictions | None = None


def from_env() -> Predictions | None:
    """The predictions named by ``AUTOGRADER_CALL_PREDICTIONS``, read once per file version.

    A file that cannot be read costs only speed: one line on stderr says so, grading goes on.
    """
    path = os.environ.get(ENV)
    if not path:
        return None
    try:
        key = (path, os.stat(path).st_mtime)
    except OSError as exc:
        key = (path, 0.0)
        if key not in _LOADED:
            print(f"autograder: call predictions not used ({ENV}: {exc.strerror})",
                  file=sys.stderr)
            _LOADED[key] = None
        return None
    if key not in _LOADED:
        try:
            _LOADED[key] = Predictions.load(path)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            print(f"autograder: call predictions not used ({path}: {str(exc)[:200]})",
                  file=sys.stderr)
            _LOADED[key] = None
    return _LOADED[key]


def record(submission: str | Path, tests: list[str | Path], out: str | Path) -> int:
    """Grade ``submission`` (the reference solutions) on ``tests`` and save the calls each test
    made to ``out``; returns how many calls were recorded."""
    global RECORDING
    from ..grading import grade_many   # noqa: PLC0415 - the grader, only when recording

    RECORDING = Predictions()
    try:
        grade_many([Path(submission)], tests=tests)
        recorded = RECORDING
    finally:
        RECORDING = None
    recorded.save(out)
    return sum(len(calls) for calls in recorded.tests.values())


def main(argv: list[str] | None = None) -> None:
    import argparse   # noqa: PLC0415

    parser = argparse.ArgumentParser(
        prog="python -m autograder.sandbox.pipeline",
        description="Record the calls each test makes on the reference solutions, for "
                    f"{ENV} (a file of the grader's: it holds hidden tests' inputs).")
    parser.add_argument("out", help="the file to write")
    parser.add_argument("tests", nargs="+", help="test files or folders, as the grader runs them")
    parser.add_argument("--solutions", default="solutions", help="the reference solutions")
    args = parser.parse_args(argv)
    # Through the package's module, not __main__: the proxy reads the package module's RECORDING.
    from autograder.sandbox import pipeline   # noqa: PLC0415
    count = pipeline.record(args.solutions, args.tests, args.out)
    print(f"{count} calls recorded in {args.out}")


if __name__ == "__main__":
    main()
