"""Calls sent ahead: the calls a test can predict go to the worker in batches.

A round trip to the worker costs both processes a wake-up and a few system calls, and a test
waits for each reply before it makes its next call. Most tests make the same calls whatever the
submission answers (the inputs are the test's own), so the grader can *predict* them: the calls
the reference solution made, test by test, recorded once (:func:`record`). When a call is
exactly (byte for byte) the one the reference made at that point of its test, the calls the
reference made next (the rest of the test, then the next tests', in the order pytest runs them)
go in the same write, up to :data:`MAX_AHEAD` of them (fewer after calls were cancelled), and
the worker runs them one after the other without waiting.

Where the recording comes from (:func:`for_tests`, the one place that decides):

* ``AUTOGRADER_CALL_PREDICTIONS=off`` (or ``0``, ``no``, ``none``): never; every call goes one
  at a time (for debugging). ``AUTOGRADER_CALL_PREDICTIONS=FILE``: that file.
* Otherwise, wherever the grader holds the hidden tests: the recording in the grader's checkout,
  ``.autograder-cache/call-predictions-<tests>.json`` (:data:`CACHE_DIR`, ignored by git). In the
  Gradescope ``autograder.zip`` it was made by ``autograder build``; in an instructor's checkout
  (the reference solutions beside the tests), it is made on demand the first time the course's
  tests grade, and made again once it is stale.
* A recording is *keyed* (:func:`fingerprint`) by a hash of the test files, of the reference
  solutions and of the recorder (:data:`RECORDER_VERSION` and the engine's code that shapes a
  call): one whose key differs from the tests, engine and reference at hand is stale and never
  used. A stale, missing or unreadable recording costs only speed: the calls go one at a time,
  with no error and the same results.
* It is a file of the grader's: it holds the inputs of hidden tests, so it is never shipped to
  students (the leak check, :mod:`autograder.build.leaks`, refuses it in a student release by
  its place and by its contents).

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

The one difference, and why it is accepted: what the *worker* runs can change, and it shows only
for a submission that keeps state between calls (a module-level counter, a seeded global random
generator). A cancelled call ran there, and calls of the next tests ran before a test's calls
that went another way. This is what the issue's design asks for: the calls "the test can
predict go ahead without waiting", and "a worker that dies mid-batch ... the rest re-run in a
fresh worker", that is, the worker's history under batching is not the one-call-at-a-time
history, only the test's view of each call (its reply, its blame, its time limit) is kept. It
is bounded: a cancellation happens only after the submission answered a call differently from
the reference (so a submission that answers as the reference does runs exactly the calls it
would have run), the calls run for nothing are ones the reference made (the tests' own inputs,
never a call the tests would not make), a batch is halved at each cancellation, and the order
is the recorded one, so grading a submission twice still gives the same results. The
exercises ask for pure functions; a stateful submission's results already depend on which
tests run and in what order. ``AUTOGRADER_CALL_PREDICTIONS=off`` grades with no call ahead.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import hashlib
import json
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from . import protocol as P

#: ``off`` (no call goes ahead), or a file written by :func:`record` to use instead of the
#: grader's own recording; unset: the grader's own (see the module's docstring).
ENV = "AUTOGRADER_CALL_PREDICTIONS"
OFF_VALUES = frozenset({"off", "0", "no", "none", "false"})
#: The recorder's version, part of every recording's key: raise it when what a recording means
#: changes (the engine's code that shapes a call is in the key anyway, by hash).
RECORDER_VERSION = 3
#: The first field of every recording: how the leak check knows one, whatever its name.
MARKER = "autograder call predictions"
#: Where the grader keeps its recordings, under its checkout (``/.autograder-cache/`` is ignored
#: by git; the Gradescope zip ships the one ``autograder build`` made there).
CACHE_DIR = ".autograder-cache"
#: The engine whose code shapes the calls (the package this module belongs to).
ENGINE = Path(__file__).resolve().parents[1]
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


#: Per thread, as the recording in force: a batch worker's session runs on a thread of its own.
_CURRENT_TEST = threading.local()


def set_current_test(test: str | None) -> None:
    """The grading session's thin loop says which test runs now (``nodeid (phase)``; None once
    it ended): the key of the calls it makes (see :func:`current_test`)."""
    _CURRENT_TEST.name = test


def current_test() -> str | None:
    """The test running now and its phase, as pytest names it (``path::name[id] (call)``): as
    the session's thin loop set it, else as pytest's own protocol sets ``PYTEST_CURRENT_TEST``."""
    return getattr(_CURRENT_TEST, "name", None) or os.environ.get("PYTEST_CURRENT_TEST")


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
    """The calls each test made (its key: :func:`current_test`), as id-free frame parts, and
    what they were recorded from (``key``: see :func:`fingerprint`)."""
    tests: dict[str, list[tuple[bytes, int, bytes]]] = field(default_factory=dict)
    key: dict[str, str] = field(default_factory=dict)
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

    def to_bytes(self) -> bytes:
        """The recording as a file: the same calls give the same bytes (a reproducible zip)."""
        # A list, not an object: the order of the tests is the order they run in.
        data = {"format": MARKER, "version": RECORDER_VERSION, "key": dict(sorted(self.key.items())),
                "tests": [[test, [[base64.b64encode(rest).decode(), count,
                                   base64.b64encode(arrays).decode()] for rest, count, arrays in calls]]
                          for test, calls in self.tests.items()]}
        return json.dumps(data, separators=(",", ":")).encode()

    def save(self, path: str | Path) -> None:
        """Write the recording to ``path`` whole or not at all (a reader never sees half)."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(self.to_bytes())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def load(cls, path: str | Path) -> "Predictions":
        data = json.loads(Path(path).read_bytes())
        if not isinstance(data, dict) or data.get("format") != MARKER \
                or data.get("version") != RECORDER_VERSION or not isinstance(data.get("tests"), list):
            raise ValueError(f"not a recording of calls (version {RECORDER_VERSION})")
        tests = {}
        for test, calls in data["tests"]:
            tests[str(test)] = [(base64.b64decode(rest), int(count), base64.b64decode(arrays))
                                for rest, count, arrays in calls]
        key = data.get("key")
        return cls(tests, {str(k): str(v) for k, v in key.items()} if isinstance(key, dict) else {})

    def fits(self, key: dict[str, str]) -> bool:
        """Was this recorded from the tests, engine and reference of ``key``? (A reference not
        at hand, ``""`` in ``key``, as in the Gradescope image, is taken as the one it shipped
        with: the build made the recording from the reference beside these very tests.)"""
        return all(self.key.get(part) == key.get(part) for part in ("tests", "recorder")) \
            and (not key.get("reference") or self.key.get("reference") == key["reference"])


#: Calls sent ahead in this process, confirmed by their test, and cancelled (for benchmarks,
#: and for the hostile corpus to check that its pipelined runs really predicted).
COUNTS = {"sent": 0, "confirmed": 0, "cancelled": 0}

_LOADED: dict[tuple[str, float, int], Predictions | None] = {}
#: Set while :func:`record` runs: every predictable call of the main worker is added to it.
RECORDING: Predictions | None = None
#: The recording :func:`using` put in force (what a sandbox target now uses), per thread: a
#: batch worker's grading session lives on a thread of its own, beside other sessions.
_UNSET = object()
_IN_FORCE: contextvars.ContextVar = contextvars.ContextVar("call_predictions", default=_UNSET)


def disabled() -> bool:
    """``AUTOGRADER_CALL_PREDICTIONS=off``: no call goes ahead (for debugging)."""
    return os.environ.get(ENV, "").strip().lower() in OFF_VALUES


def _load(path: Path, *, say: bool) -> Predictions | None:
    """The recording in ``path``, read once per file version; None where it cannot be read
    (``say``: one line on stderr says why; grading goes on, one call at a time)."""
    try:
        st = os.stat(path)
        version = (str(path), st.st_mtime, st.st_size)
    except OSError as exc:
        version = (str(path), 0.0, -1)
        if say and version not in _LOADED:
            print(f"autograder: call predictions not used ({ENV}: {exc.strerror})", file=sys.stderr)
        _LOADED[version] = None
        return None
    if version not in _LOADED:
        try:
            _LOADED[version] = Predictions.load(path)
        except (OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
            if say:
                print(f"autograder: call predictions not used ({path}: {str(exc)[:200]})",
                      file=sys.stderr)
            _LOADED[version] = None
    return _LOADED[version]


def from_env() -> Predictions | None:
    """The recording named by ``AUTOGRADER_CALL_PREDICTIONS=FILE`` (None: unset, or ``off``).

    A file that cannot be read costs only speed: one line on stderr says so, grading goes on.
    """
    path = os.environ.get(ENV, "").strip()
    if not path or disabled():
        return None
    return _load(Path(path), say=True)


def active() -> Predictions | None:
    """The recording a sandbox target opened now sends calls ahead with: the one in force
    (:func:`using`, as grading does), else ``AUTOGRADER_CALL_PREDICTIONS=FILE`` (plain pytest
    with ``--target=sandbox:DIR``)."""
    if RECORDING is not None:
        return None
    in_force = _IN_FORCE.get()
    return from_env() if in_force is _UNSET else in_force


@contextlib.contextmanager
def using(predictions: Predictions | None) -> Iterator[None]:
    """Put ``predictions`` in force for the targets opened inside (None: none)."""
    token = _IN_FORCE.set(predictions)
    try:
        yield
    finally:
        _IN_FORCE.reset(token)


# ------------------------------------------------------------------ where recordings come from
#: Left out of a key, as ``autograder build`` leaves them out of its zips
#: (``autograder.build.layout.SKIPPED_NAMES``): a key made from a checkout fits its zip.
SKIPPED_NAMES = ("__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".DS_Store")


def _files(base: Path) -> list[tuple[str, Path]]:
    """Every file under ``base`` that a zip of it would hold, by its name under ``base``
    (``base`` itself where it is a file: the grader may be given test files)."""
    if base.is_file():
        return [("", base)]
    found = []
    for folder, dirs, names in os.walk(base):
        dirs[:] = [d for d in dirs if d not in SKIPPED_NAMES and not d.endswith(".egg-info")]
        rel = Path(folder).relative_to(base)
        found += [((rel / name).as_posix(), Path(folder, name)) for name in names
                  if name not in SKIPPED_NAMES and not name.endswith((".pyc", ".pyo"))
                  and not os.path.islink(os.path.join(folder, name))]
    return sorted(found)


def _digest(bases: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for base in bases:
        for rel, path in _files(base):
            data = path.read_bytes()
            digest.update(b"%s/%s\0%d\0" % (base.name.encode(), rel.encode(), len(data)))
            digest.update(data)
    return digest.hexdigest()


def fingerprint(test_dirs: Iterable[Path], reference: Path | None) -> dict[str, str]:
    """A recording's key: hashes of the test files (named under their folder, ``public/...``,
    ``hidden/...``, wherever the checkout is), of the recorder (its version and the engine's
    code and data, which shape every call) and of the reference (``""``: not at hand)."""
    return {"tests": _digest(test_dirs),
            "recorder": f"{RECORDER_VERSION}:{_digest([ENGINE])}",
            "reference": _digest([reference]) if reference is not None else ""}


def cache_path(root: Path, key: dict[str, str]) -> Path:
    """Where the grader's checkout ``root`` keeps the recording of the tests of ``key``."""
    return Path(root) / CACHE_DIR / f"call-predictions-{key['tests'][:16]}.json"


def for_tests(test_dirs: list[Path], *, root: Path, reference: Path | None,
              make: bool) -> Predictions | None:
    """The recording to grade ``test_dirs`` with (None: every call goes one at a time).

    ``AUTOGRADER_CALL_PREDICTIONS`` decides first (``off``, or a file). Otherwise only where the
    grader holds the hidden tests (a ``hidden`` folder among ``test_dirs``): the recording kept
    in ``root``'s cache when its key fits these tests, this engine and ``reference`` (None: no
    reference at hand, as in the Gradescope image); with ``make``, a missing or stale one is
    recorded first from ``reference``. Never raises: a recording that cannot be had costs speed.
    """
    if disabled() or RECORDING is not None:
        return None
    explicit = os.environ.get(ENV, "").strip()
    if explicit:
        found = from_env()
        if found is not None and found.key and not found.fits(fingerprint(test_dirs, reference)):
            print(f"autograder: call predictions not used ({explicit} was recorded from other "
                  "tests, engine or reference)", file=sys.stderr)
            return None
        return found
    if not any(Path(d).name == "hidden" for d in test_dirs):
        return None
    try:
        reference = reference if reference is not None and reference.is_dir() else None
        key = fingerprint(test_dirs, reference)
        path = cache_path(root, key)
        found = _load(path, say=False) if path.is_file() else None
        if found is not None and found.fits(key) and found.tests:
            return found
        if not make or reference is None:
            return None
        return _record_into(path, key, reference, test_dirs)
    except Exception:  # noqa: BLE001 - only speed is at stake: grade one call at a time
        return None


#: Recordings made in this process, by their whole key (a copy of a checkout, as the build's
#: tests make, then needs no recording of its own).
_MADE: dict[tuple[str, ...], Predictions] = {}


def _record_into(path: Path, key: dict[str, str], reference: Path,
                 test_dirs: list[Path]) -> Predictions | None:
    """Record the reference's calls into ``path`` (one process at a time: another grader that
    got there first leaves its recording, which is then read)."""
    import fcntl   # noqa: PLC0415 - POSIX only, like the sandbox

    whole = tuple(key[part] for part in sorted(key))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / "call-predictions.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _load(path, say=False) if path.is_file() else None
        if found is not None and found.fits(key) and found.tests:
            return found
        recorded = _MADE.get(whole)
        if recorded is None:
            recorded = _recorded(reference, test_dirs)
            recorded.key = dict(key)
            _MADE[whole] = recorded
        recorded.save(path)
        return recorded


def recording_bytes(test_dirs: list[Path], reference: Path, cache_root: Path) -> bytes | None:
    """The recording for ``autograder build`` to ship: the one in ``cache_root``'s cache when it
    fits, else a new one (kept there too). Its key names no reference file's path, so the
    Gradescope image finds it by its tests alone. None: the reference could not be graded."""
    key = fingerprint(test_dirs, reference)
    path = cache_path(cache_root, key)
    found = _load(path, say=False) if path.is_file() else None
    if found is None or not found.fits(key) or not found.tests:
        try:
            found = _record_into(path, key, reference, test_dirs)
        except Exception:  # noqa: BLE001 - the build goes on without it (the caller says so)
            return None
    return found.to_bytes() if found is not None and found.tests else None


def _recorded(submission: str | Path, tests: list[str | Path]) -> Predictions:
    """The reference's calls, recorded in a process of its own (``python -m`` this module):
    whatever this process holds (grading sessions of a batch on other threads, patched modules,
    a session running now) has no say in what is recorded, and a recording costs a few seconds
    once per change of the tests, engine or reference."""
    import subprocess   # noqa: PLC0415
    import tempfile   # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="autograder-recording-") as tmp:
        out = Path(tmp) / "recording.json"
        env = {k: v for k, v in os.environ.items() if k != ENV}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ENGINE.parent), env.get("PYTHONPATH")) if p)
        done = subprocess.run(
            [sys.executable, "-m", "autograder.sandbox.pipeline", str(out),
             *map(str, tests), "--solutions", str(submission)],
            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
        if done.returncode != 0 or not out.is_file():
            last = (done.stderr.strip().splitlines() or ["no word"])[-1][:200]
            raise RuntimeError(f"the reference could not be recorded ({last})")
        return Predictions.load(out)


def _record_here(submission: str | Path, tests: list[str | Path]) -> Predictions:
    """Grade ``submission`` here, every predictable call of its main worker recorded."""
    global RECORDING
    from ..grading import grade_many   # noqa: PLC0415 - the grader, only when recording

    RECORDING = Predictions()
    try:
        results = grade_many([Path(submission)], tests=tests)
        recorded = RECORDING
    finally:
        RECORDING = None
    # Only a reference graded to its end, in the sandbox, is a recording: one graded where no
    # worker could start (or broken off) would be kept and trusted as "nothing to predict".
    if not recorded.tests or not all(r.graded for r in results):
        why = "; ".join(e for r in results for e in r.errors)[:200] or "no call was recorded"
        raise RuntimeError(f"the reference could not be recorded ({why})")
    return recorded


def record(submission: str | Path, tests: list[str | Path], out: str | Path) -> int:
    """Grade ``submission`` (the reference solutions) on ``tests`` and save the calls each test
    made to ``out``, keyed (:func:`fingerprint`); returns how many calls were recorded."""
    tests = [Path(t).resolve() for t in tests]
    recorded = _record_here(submission, tests)
    recorded.key = fingerprint(tests, Path(submission).resolve())
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
