"""The sandboxed target: ``target.<module>.<function>(...)`` runs in a worker process.

The grader (this process) keeps the tests, the ground truth and the score; the submission runs
only in the worker. A call travels as data (see :mod:`.protocol`), the answer comes back as
freshly built plain values, so an object with a lying ``__eq__`` or ``__array__`` never reaches a
check. Functions the tests pass in (gradients, samplers, ``np.tanh``) stay here and are called back
through the channel, except named problems (:mod:`autograder.problems`), which travel by name and
parameters and are rebuilt in the worker from trusted code; a function of the submission itself
(``target.gradient_descent.exponential_lr``) travels as a reference the worker resolves.

Timeouts are wall clock, enforced here: on expiry the worker's whole process group is killed and
the call fails with "timed out"; whatever kills a worker, the next call starts a fresh one, so
every other exercise is still graded. A module whose import killed the worker is remembered as
broken.

What comes back is read within a budget (:class:`.protocol.Budget`): bytes, JSON containers,
values and nesting, arrays and their elements, raised for calls with large inputs
(:func:`reply_budget`). A reply beyond it, or one that breaks the protocol in any other way (an
integer of 5000 digits, a bare NaN), fails its call exactly like a worker that died: the worker is
killed and the next call starts a fresh one. Reading, checking and decoding a reply all count
against the call's deadline and the submission's time budget.
"""

from __future__ import annotations

import collections
import functools
import os
import select
import signal
import subprocess
import time
import weakref
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import problems
from ..feedback import SubmissionError
from ..infrastructure import InfrastructureError
from ..targets import ModuleView, Target
from . import forkserver, isolation, pipeline
from . import protocol as P
from . import teardown

#: Exception types the worker may name that are re-raised here as themselves.
PASSED_THROUGH: dict[str, type] = {
    "NotImplementedError": NotImplementedError, "ValueError": ValueError, "TypeError": TypeError,
    "ZeroDivisionError": ZeroDivisionError, "FloatingPointError": FloatingPointError,
    "OverflowError": OverflowError, "ArithmeticError": ArithmeticError,
    "IndexError": IndexError, "KeyError": KeyError, "LookupError": LookupError,
    "LinAlgError": np.linalg.LinAlgError,
}
_FAILED_LEVELS = isolation.FAILED_LEVELS   # level -> why its worker did not start (once per process)


class SandboxUnavailable(InfrastructureError, RuntimeError):
    """No isolation level could start a worker: a problem of the grading machine, not the student.

    The submission is then not graded at all (see :mod:`autograder.infrastructure`).
    """


#: What to change when no level starts; each level's own reason comes before it.
START_FIX = ("make one level startable: install bubblewrap (apt-get install bubblewrap) where "
             "user namespaces are allowed, or, for rlimits-only, do what its reason says (a "
             "worker that ended before its first message may need more memory or processes: "
             "AUTOGRADER_SANDBOX_MEMORY_BYTES, AUTOGRADER_SANDBOX_PROCESSES); "
             "`python -m autograder.sandbox.selftest` checks this machine level by level")


class WorkerLost(Exception):
    """The worker timed out, died or broke the protocol during a request."""

    def __init__(self, reason: str, *, timed_out: bool = False):
        self.reason, self.timed_out = reason, timed_out
        super().__init__(reason)


class _Channel:
    """Frames over two pipes, with a deadline on every read and write (a worker cannot hang us)."""

    def __init__(self, fd_read: int, fd_write: int, max_frame: int):
        self.fd_read, self.fd_write = fd_read, fd_write
        os.set_blocking(fd_read, False)
        os.set_blocking(fd_write, False)
        self.deadline = float("inf")
        self.reader = P.FrameReader(self._read, max_frame, P.Budget(frame_bytes=max_frame))
        self._pollers: dict[int, select.poll] = {}   # one per event, registered once

    def _wait(self, fd: int, event: int) -> None:
        poller = self._pollers.get(event)
        if poller is None:   # each event has one fd: POLLIN the read end, POLLOUT the write end
            poller = self._pollers[event] = select.poll()
            poller.register(fd, event | select.POLLHUP | select.POLLERR)
        while True:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if poller.poll(min(left, 3600) * 1000):
                return

    def _read(self, n: int) -> bytes:
        while True:
            try:
                return os.read(self.fd_read, n)
            except BlockingIOError:
                self._wait(self.fd_read, select.POLLIN)

    def send(self, frame: bytes) -> None:
        view = memoryview(frame)
        while view:
            try:
                view = view[os.write(self.fd_write, view):]
            except BlockingIOError:
                self._wait(self.fd_write, select.POLLOUT)

    def recv(self, budget: P.Budget | None = None) -> tuple[dict, list]:
        frame = self.reader.read_frame(budget)
        self.check_deadline()   # reading is bounded by the deadline, checking it too
        return frame

    def check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise TimeoutError

    def close(self) -> None:
        for fd in (self.fd_read, self.fd_write):
            try:
                os.close(fd)
            except OSError:
                pass


class GradingWorker:
    """One worker process for one submission, restarted after it dies."""

    def __init__(self, directory: Path, limits: isolation.Limits):
        self.directory = directory
        self.limits = limits
        self.box: isolation.SandboxDir | None = None
        self.proc: subprocess.Popen | None = None
        self._uid: int | None = None      # the worker's uid, when no one else uses it
        self.channel: _Channel | None = None
        self.level: str | None = None
        self.description = "not started"
        self.used = 0.0          # wall-clock seconds spent in requests, against the budget
        self.starts = 0
        self._next_id = 0
        self._depth = 0
        self._pending: tuple[str, Any] | None = None   # a launched worker not yet awaited
        # Calls sent ahead (see .pipeline): only the main worker of a target predicts.
        self.predicts = False
        self.predictions: pipeline.Predictions | None = None
        self._predictions_read = False  # pipeline.active() is read at the first predictable call
        self._ahead: collections.deque[_Ahead] = collections.deque()
        self._test: str | None = None   # the test of the last predictable call
        self._made = 0                  # the predictable calls that test has made so far
        self._diverged = False          # that test went another way than the reference
        self._ready_at = 0.0      # when the worker could start the next call sent ahead
        self._no_ahead = False    # a worker was lost in a call no test made: predict no more
        # How many calls go ahead in the next batch: halved at each cancellation (a submission
        # whose answers differ from the reference's wastes less), doubled when a batch is used up.
        self._window = pipeline.MAX_AHEAD
        self.unavailable: SandboxUnavailable | None = None   # why no worker could start
        self._reaper = weakref.finalize(self, lambda: None)

    # ---------------------------------------------------------------- life cycle
    def start(self) -> None:
        if self._pending is not None:
            level, launch = self._pending
            self._pending = None
            try:
                self._await_hello(level, launch)
                return
            except (OSError, WorkerLost, P.ProtocolError) as exc:
                if not self._retire_fork_server(level, exc):
                    _FAILED_LEVELS[level] = str(exc)
        if self.box is None:
            try:
                self.box = isolation.SandboxDir(self.directory, self.limits)
            except OSError as exc:
                raise self._unavailable(
                    f"the worker's box could not be written ({exc})",
                    "give the grader a writable /var/tmp (or $TMPDIR) with free space") from None
        errors = [f"{lv}: {why}" for lv, why in _FAILED_LEVELS.items()
                  if lv in self.limits.levels]
        levels = [lv for lv in self.limits.levels if lv not in _FAILED_LEVELS] or ["rlimits-only"]
        tries = [lv for level in levels for lv in (level, level)]   # a second try: see below
        while tries:
            level = tries.pop(0)
            try:
                self._await_hello(level, self._spawn(level))
                return
            except (OSError, WorkerLost, P.ProtocolError, ValueError) as exc:
                if isinstance(exc, ValueError) and "larger than" in str(exc):
                    raise SubmissionError(f"the submission could not be copied: {exc}") from None
                if self._retire_fork_server(level, exc):
                    continue   # the same level again, started as a process of its own
                if tries and tries[0] == level:
                    tries.pop(0)
                _FAILED_LEVELS[level] = str(exc)
                errors.append(f"{level}: {exc}")
        self.close()
        raise self._unavailable("no isolation level could start the grading worker: "
                                + "; ".join(errors), START_FIX)

    def _retire_fork_server(self, level: str, exc: BaseException) -> bool:
        """Kill a worker that did not start; True when the fork server had forked it (the
        server is then retired for this process, and the level gets a start of its own)."""
        forked = self.proc is not None and not isinstance(self.proc, subprocess.Popen)
        self.kill()
        if forked:
            forkserver.retire(f"its worker did not start at the {level} level: {exc}")
        return forked

    def _unavailable(self, what: str, fix: str) -> SandboxUnavailable:
        """The failure to start, remembered: a test that catches every exception cannot hide it
        from the grader (see ``SandboxTarget.infrastructure_error``)."""
        self.unavailable = SandboxUnavailable(what, fix)
        return self.unavailable

    def _spawn(self, level: str) -> "isolation.Launch":
        return self._adopt(isolation.spawn(level, self.box, self.limits))

    def adopt(self, box: "isolation.SandboxDir", launched: "isolation.Launched") -> None:
        """Take over a worker launched early (:func:`isolation.launch_early`) for this box."""
        self.box = box
        self._pending = (launched.level, self._adopt(launched))

    def _adopt(self, launched: "isolation.Launched") -> "isolation.Launch":
        self.proc = launched.proc
        # Every process of a worker's uid is swept where no pid namespace holds them all.
        self._uid = launched.uid if launched.level == "rlimits-only" else None
        self.channel = _Channel(launched.fd_read, launched.fd_write, self.limits.max_frame_bytes)
        # A grader that exits without close() still takes its worker down with it.
        self._reaper = weakref.finalize(self, _kill_group, self.proc)
        return launched.launch

    def _await_hello(self, level: str, launch: "isolation.Launch") -> None:
        self.channel.deadline = time.monotonic() + self.limits.start_timeout
        try:
            header, _ = self.channel.recv()
        except (TimeoutError, EOFError) as exc:
            detail = self._stderr_tail()
            how = (f"said nothing within {self.limits.start_timeout:g} s"
                   if isinstance(exc, TimeoutError) else "ended before its first message")
            raise WorkerLost(f"the worker did not start (it {how}){detail}") from None
        if header.get("kind") != "hello":
            raise WorkerLost("the worker did not say hello")
        self.level, self.description = level, launch.description
        self.starts += 1

    def _stderr_tail(self) -> str:
        try:   # never through a link: the text goes into a report the student reads
            fd = os.open(self.box.stderr, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 4096))
                text = f.read().decode(errors="replace")
        except OSError:
            return ""
        # The box's name is random: two gradings must say the same thing. The last line (a
        # traceback's exception) says why.
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        last = lines[-1].replace(str(self.box.root), "<sandbox>")[-300:] if lines else ""
        return f": {last}" if last else ""

    def kill(self) -> None:
        """Kill the worker and every process it started (see :mod:`.teardown`)."""
        self._pending = None
        self._ahead.clear()
        if self.proc is not None:
            self._reaper.detach()
            # Not just its group: a process the submission started in a session of its own
            # would outlive the grading (and could forge what is written after it).
            teardown.end_worker(self.proc, uid=self._uid)
            self.proc = None
        if self.channel is not None:
            self.channel.close()
            self.channel = None

    def close(self) -> None:
        if self.proc is not None and self.channel is not None:
            try:
                self.channel.deadline = time.monotonic() + 0.5
                self.channel.send(P.pack({"kind": "exit"}))
            except (OSError, TimeoutError):
                pass
        self.kill()
        if self.box is not None:
            self.box.remove()
            self.box = None

    # ---------------------------------------------------------------- requests
    def budget_left(self) -> float:
        return self.limits.submission_timeout - self.used

    def request(self, header: dict, values: dict, *, encode_special=None,
                on_callback: Callable[[dict, list], bytes] | None = None,
                decode_special=None, timeout: float | None = None,
                budget: P.Budget | None = None,
                predictable: Callable[[], bool] | None = None) -> tuple[dict, Any]:
        """Send one request; answer call-backs until its reply; return (header, decoded values).

        Every frame of the worker's (its call-backs and its reply) is read within ``budget``: by
        default :func:`reply_budget` for what this request sends; a caller that knows the size
        of the answer may pass a tighter one (or a larger one, for a call kind that needs it).

        ``predictable()`` says, once the values are encoded, whether this call may be one of
        the calls sent ahead (:mod:`.pipeline`): a call without call-backs.
        """
        if self.budget_left() <= 0:
            raise WorkerLost(f"the submission used up its {self.limits.submission_timeout:g} s "
                             "time budget", timed_out=True)
        encoder = P.Encoder(encode_special)
        encoded = {key: encoder.encode(value) for key, value in values.items()}
        budget = budget or reply_budget(self.limits, encoder.size)
        test = pipeline.current_test() if self._depth == 0 and self.predicts else None
        if test is not None and not self._predictions_read:
            # Read at the first call, not when the target opened: grading opens the next
            # submission's target before it has settled which recording is in force.
            self._predictions_read = True
            if self.predictions is None:
                self.predictions = pipeline.active()
        ahead = test is not None and predictable is not None and predictable()
        if ahead and test != self._test:
            self._test, self._made, self._diverged = test, 0, False
        if test is not None and pipeline.RECORDING is not None:
            pipeline.RECORDING.tests.setdefault(test, [])   # its place among the tests
        if self._ahead and self._depth == 0:
            self._resynchronise(test, ahead)
        if self._pending is not None:
            self.start()
        # A worker still running calls sent ahead is not restarted here: its first call the
        # test makes is blamed for its death (see _confirmed).
        unread = any(entry.reply is None for entry in self._ahead)
        if not unread and (self.proc is None or not _alive(self.proc)):
            if self._depth:   # inside a call-back: the call around it has lost its worker
                raise WorkerLost(_death(self.proc.returncode if self.proc else None))
            self.kill()
            self.start()
        limit = timeout if timeout is not None else \
            self.limits.import_timeout if header.get("kind") == "import" else self.limits.call_timeout
        timeout = min(limit, self.budget_left())
        why = "" if timeout == limit else \
            f" (the rest of its {self.limits.submission_timeout:g} s time budget)"

        def pack(request_id: int) -> bytes:
            # The id first: a frame predicted for another id differs only in its first bytes.
            # The worker checks its own reply against the budget it is told: an honest answer
            # too large to read comes back as "unsendable", and the worker lives on.
            return P.pack({"id": request_id, **header, **encoded, "budget": budget.to_wire()},
                          encoder.arrays, max_frame=self.limits.max_frame_bytes)

        if ahead and self._ahead:
            frame = pack(self._ahead[0].request_id)
            if frame == self._ahead[0].frame:
                pipeline.COUNTS["confirmed"] += 1
                self._made += 1
                if len(self._ahead) == 1:   # this batch was right to the end
                    self._window = min(pipeline.MAX_AHEAD, 2 * self._window)
                return self._confirmed(self._ahead.popleft(), budget, timeout, why,
                                       on_callback, decode_special)
            self._cancel()   # the test went another way than the reference did
            self._diverged = True
            if self.proc is None or not _alive(self.proc):
                self.kill()
                self.start()
        self._next_id += 1
        request_id = self._next_id
        frame = pack(request_id)
        batch = frame
        if ahead:
            if pipeline.RECORDING is not None:
                pipeline.RECORDING.add(test, frame)
            if not self._diverged and not self._no_ahead and self.predictions is not None:
                batch = self._send_ahead(test, request_id, frame)
            self._made += 1
        started = time.monotonic()
        # A call-back of ours may call the submission again (a lambda around a target function):
        # that nested request must not extend, or be billed on top of, the one around it.
        outer_deadline = self.channel.deadline if self._depth else float("inf")
        self.channel.deadline = min(started + timeout, outer_deadline)
        self._depth += 1
        try:
            self.channel.send(batch)
            return self._reply(request_id, budget, on_callback, decode_special)
        except (TimeoutError, EOFError, P.ProtocolError, RecursionError, MemoryError,
                OSError) as exc:
            raise self._lost_request(exc, timeout, why) from None
        finally:
            self._depth -= 1
            self._ready_at = time.monotonic()
            if self.channel is not None:
                self.channel.deadline = outer_deadline
            if not self._depth:
                self.used += time.monotonic() - started

    def _reply(self, request_id: int, budget: P.Budget, on_callback, decode_special,
               first: tuple[dict, list] | None = None) -> tuple[dict, Any]:
        """Answer call-backs until the reply to ``request_id``; decode it (``first``: a frame
        already read for it)."""
        while True:
            reply, arrays = first if first is not None else self.channel.recv(budget)
            first = None
            if reply.get("kind") == "callback" and on_callback is not None:
                answer = on_callback(reply, arrays)
                if self.channel is None:   # a nested call in the call-back lost the worker
                    raise EOFError
                self.channel.send(answer)
                continue
            if reply.get("id") != request_id:
                raise P.ProtocolError("a reply to another request")
            decoder = P.Decoder(arrays, decode_special)   # one: an array is decoded once
            decoded = {key: decoder.decode(reply[key])
                       for key in ("value", "generators") if key in reply}
            self.channel.check_deadline()
            return reply, decoded

    def _lost_request(self, exc: BaseException, timeout: float, why: str) -> "WorkerLost":
        proc = self.proc
        self.kill()   # reaps it: its exit code is known from here on
        code = proc.returncode if proc is not None else None
        # What was refused (megabytes of a hostile reply) must not outlive the call: pytest
        # keeps the exception of every failed test, with its context and their frames.
        exc.__traceback__ = None
        return _lost(exc, code, timeout, why)

    # ---------------------------------------------------------------- calls sent ahead
    def _send_ahead(self, test: str, request_id: int, frame: bytes) -> bytes:
        """``frame`` and, where it is the call the reference made at this point of ``test``,
        the calls the reference made after it, in this test and the next ones, as one write
        (see :mod:`.pipeline`)."""
        predicted = self.predictions.get(test)
        if len(predicted) <= self._made or \
                pipeline.frame_with_id(request_id, *predicted[self._made]) != frame:
            self._diverged = True
            return frame
        frames, size = [frame], len(frame)
        for later, parts in self.predictions.after(test, self._made):
            ahead = pipeline.frame_with_id(self._next_id + 1, *parts)
            # The whole batch fits in the pipe: a write that waited for the worker to read
            # while the worker waited for us to read its replies would never end.
            size += len(ahead)
            if size > pipeline.MAX_BATCH_BYTES or len(frames) > self._window:
                break
            self._next_id += 1
            self._ahead.append(_Ahead(self._next_id, ahead, later))
            frames.append(ahead)
        pipeline.COUNTS["sent"] += len(frames) - 1
        return b"".join(frames)

    def _resynchronise(self, test: str | None, ahead: bool) -> None:
        """Before a request of ``test`` while calls are ahead: calls of tests that ran before it
        (and ended before making them) are dropped; a request of a test that was not recorded
        cancels them all, and so does a predictable call that is not the next one ahead (see
        ``request``); one that cannot have been predicted (an attribute, a call with
        call-backs) reads them first, and keeps them."""
        where = self.predictions.position(test) if self.predictions is not None else None
        if where is None:   # a test the reference made no request in
            if ahead:
                self._cancel()
                self._diverged = True
            else:
                self._settle()
            return
        done = 0
        for entry in self._ahead:
            if self.predictions.position(entry.test) >= where:
                break
            done += 1
        if done or not ahead:
            self._settle()
        done = min(done, len(self._ahead))   # settling may have ended the worker
        pipeline.COUNTS["cancelled"] += done
        if done:
            self._window = max(pipeline.MIN_AHEAD, self._window // 2)
        for _ in range(done):
            self._ahead.popleft()
        if ahead and self._ahead and self._ahead[0].test != test:
            self._cancel()   # a call of this test that the reference did not make
            self._diverged = True

    def _confirmed(self, entry: "_Ahead", budget: P.Budget, timeout: float, why: str,
                   on_callback, decode_special) -> tuple[dict, Any]:
        """The reply to a call sent ahead that the test has now made: blamed on it, as if it
        had been sent now, with the same time limit (from now, or, for a reply read already,
        from when the worker could start it)."""
        started = time.monotonic()
        self._depth += 1
        try:
            if entry.reply is None:
                # Counted from now, as if it were sent now: the worker started it no later,
                # and the test's own work since the last reply is not the call's time.
                self.channel.deadline = started + timeout
            elif entry.reply_at - entry.start_at > timeout:   # it came, but too late
                raise TimeoutError
            reply = self._reply(entry.request_id, budget, on_callback, decode_special,
                                first=entry.reply)
            if entry.reply is None:
                self._ready_at = time.monotonic()
            return reply
        except (TimeoutError, EOFError, P.ProtocolError, RecursionError, MemoryError,
                OSError) as exc:
            # A reply read ahead must not outlive the call either (see _lost_request).
            entry.reply = reply = None  # noqa: F841 - this frame stays in the traceback
            raise self._lost_request(exc, timeout, why) from None
        finally:
            self._depth -= 1
            if self.channel is not None:
                self.channel.deadline = float("inf")
            self.used += time.monotonic() - started

    def _settle(self) -> None:
        """Read the replies still coming for the calls sent ahead, and keep them. A worker that
        fails while running a call the test has not made is ended, blaming no one."""
        began = time.monotonic()
        kept = sum(entry.size for entry in self._ahead)
        dropped = None   # from here on, replies are read and thrown away (too many bytes kept)
        for index, entry in enumerate(self._ahead):
            if entry.reply is not None:
                continue
            # The first one is timed from now (the test's own work since the last reply is not
            # its time), each next one from the reply before it.
            entry.start_at = max(self._ready_at, began)
            self.channel.deadline = entry.start_at + self.limits.call_timeout
            budget = entry.budget(self.limits)
            try:
                reply = self.channel.recv(budget)
                self._ready_at = entry.reply_at = time.monotonic()
                entry.size = self.channel.reader.last_size
                kept += entry.size
                if dropped is None and kept > pipeline.MAX_KEPT_BYTES:
                    dropped = index
                if dropped is None:
                    entry.reply = reply
                del reply
            except (TimeoutError, EOFError, P.ProtocolError, RecursionError, MemoryError,
                    OSError) as exc:
                # The call may be made next, in a fresh worker. Calls are no longer sent ahead
                # for this submission, so this happens once at most: a worker cannot make us
                # start fresh ones for nothing, or spend more than one call's time limit.
                self._no_ahead = True
                exc.__traceback__ = None
                self.kill()
                return
            finally:
                if self.channel is not None:
                    self.channel.deadline = float("inf")
        if dropped is not None:
            pipeline.COUNTS["cancelled"] += len(self._ahead) - dropped
            for _ in range(len(self._ahead) - dropped):
                self._ahead.pop()

    def _cancel(self) -> None:
        """The calls ahead will not be made: their replies are read and dropped."""
        self._settle()
        pipeline.COUNTS["cancelled"] += len(self._ahead)
        if self._ahead:
            self._window = max(pipeline.MIN_AHEAD, self._window // 2)
        self._ahead.clear()


class _Ahead:
    """A call sent ahead for the test running now, and its reply once read."""

    __slots__ = ("request_id", "frame", "test", "start_at", "reply", "reply_at", "size")

    def __init__(self, request_id: int, frame: bytes, test: str | None = None):
        self.request_id, self.frame, self.test = request_id, frame, test
        self.size = 0   # the bytes of its reply, once read
        self.start_at = self.reply_at = 0.0   # when its reply was read ahead: from, and at
        self.reply: tuple[dict, list] | None = None

    def budget(self, limits: isolation.Limits) -> P.Budget:
        """The budget this call's frame told the worker (what its reply is read within)."""
        _, body_len, _ = P._HEAD.unpack_from(self.frame)
        wire = P.parse_json(self.frame[P._HEAD.size:P._HEAD.size + body_len]).get("budget")
        return P.Budget.from_wire(wire) or reply_budget(limits, 0)


def _lost(exc: BaseException, code: int | None, timeout: float, why: str) -> WorkerLost:
    """Why a request lost its worker, in the words of the report."""
    if isinstance(exc, TimeoutError):
        return WorkerLost(f"timed out after {timeout:.3g} s{why}", timed_out=True)
    if isinstance(exc, EOFError):
        return WorkerLost(_death(code))
    if isinstance(exc, (P.FrameTooLarge, P.OverBudget)):
        return WorkerLost(f"sent back too much data ({exc})")
    return WorkerLost(f"broke the grading protocol ({exc})")


def reply_budget(limits: isolation.Limits, inputs: int) -> P.Budget:
    """What the worker may send back for a request whose values hold ``inputs`` values (array
    elements and container entries): the default :class:`.protocol.Budget` within the frame size
    of ``limits``, raised to 16 times the inputs (a call on a 100,000-element array may answer
    with a few arrays of that size)."""
    return _default_budget(limits.max_frame_bytes).for_inputs(inputs)


@functools.lru_cache(maxsize=8)
def _default_budget(frame_bytes: int) -> P.Budget:
    return P.Budget(frame_bytes=frame_bytes)


def _alive(proc) -> bool:
    """Is the worker still running? (Without reaping it, so its group can still be killed.)"""
    if not isinstance(proc, subprocess.Popen):   # forked by the fork server: not our child
        return proc.poll() is None
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
    except ChildProcessError:
        return False


def _kill_group(proc) -> None:
    if not isinstance(proc, subprocess.Popen):   # forked: its relay's pid is not pinned by us
        proc.kill()
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _death(code: int | None) -> str:
    if code is None:
        return "the worker process died"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory or CPU time?)" if name in ("SIGKILL", "SIGXCPU", "SIGSEGV") else ""
        return f"the worker process was killed by {name}{hint}"
    return f"the worker process exited with code {code}"


# -------------------------------------------------------------------- the target


class RemoteFunction:
    """A function of the submission, as seen from the grader."""

    def __init__(self, target: "SandboxTarget", module: str, name: str):
        self._target, self.module, self.name = target, module, name
        self.__name__ = self.__qualname__ = name
        self.__doc__ = f"{module}.{name}, run in the sandboxed worker"

    def __call__(self, *args, **kwargs):
        return self._target._call(self.module, self.name, args, kwargs)

    def __repr__(self) -> str:
        return f"<sandboxed function {self.module}.{self.name}>"


class RemoteModule:
    """A module of the submission: attribute access asks the worker what the name is."""

    def __init__(self, target: "SandboxTarget", name: str):
        self._target, self._name = target, name
        self._attrs: dict[str, Any] = {}

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in self._attrs:
            self._attrs[name] = self._target._attr(self._name, name)
        value = self._attrs[name]
        if isinstance(value, AttributeError):
            raise value
        return value


class RemoteModuleView(ModuleView):
    """ModuleView with the sandbox's import: failures come back as words, not exceptions."""

    @functools.cached_property
    def _module(self):
        return self._load()

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        module = self._module
        if isinstance(module, SubmissionError):
            # A fresh exception each time: re-raising one object grows its traceback by a frame
            # per test, and pytest then spends seconds rendering hundreds of frames.
            fb = module.feedback
            raise SubmissionError(fb.rationale, expected=fb.expected, actual=fb.actual,
                                  hint=fb.hint, misconception=fb.misconception)
        return super().__getattr__(name)


class SandboxTarget(Target):
    """``target.<module>.<function>`` with the submission in a sandboxed worker process."""

    view_class = RemoteModuleView

    def __init__(self, directory: str | Path, *, limits: isolation.Limits | None = None,
                 early: tuple[isolation.SandboxDir, isolation.Launched] | None = None,
                 profiles: dict[str, isolation.Limits] | None = None):
        directory = Path(directory).resolve()
        if not directory.is_dir():
            raise FileNotFoundError(f"no submission directory {directory}")
        super().__init__("submission", self._load_module, f"sandboxed directory {directory}")
        self._directory = directory
        self._limits = limits or isolation.Limits.from_env()
        self._worker = GradingWorker(directory, self._limits)
        # The main worker's calls may be sent ahead (a notebook's profile worker's never are).
        self._worker.predicts = True
        if early is not None:
            self._worker.adopt(*early)
        # Modules that need a launch profile of their own (a notebook that trains Keras models):
        # the same worker, the same levels and rules, other limits; started at their first use.
        self._profiles = dict(profiles or {})
        self._profile_workers: dict[str, GradingWorker] = {}
        self._broken: dict[str, SubmissionError] = {}
        self._timed_out: set[str] = set()    # functions that already ran out of time
        self.last_output = ""

    def _worker_for(self, module: str) -> GradingWorker:
        limits = self._profiles.get(module)
        if limits is None:
            return self._worker
        if module not in self._profile_workers:
            self._profile_workers[module] = GradingWorker(self._directory, limits)
        return self._profile_workers[module]

    def limits_for(self, module: str) -> isolation.Limits:
        return self._profiles.get(module, self._limits)

    @property
    def isolation(self) -> str:  # type: ignore[override]
        if self._worker.level is None:
            try:
                self._worker.start()
            except SubmissionError:
                return "not started"
        return self._worker.description

    def close(self) -> None:
        super().close()
        self._worker.close()
        for worker in self._profile_workers.values():
            worker.close()

    def probe(self, module: str, name: str, *args, **kwargs):
        """Run the trusted probe ``name`` (:mod:`autograder.lab.probes`) in the worker of
        ``module``, on functions of the submission passed as arguments; plain data comes back."""
        return self._call(module, name, args, kwargs, kind="probe")

    @property
    def infrastructure_error(self) -> SandboxUnavailable | None:
        """Why no worker could start for this submission, if that happened at any point (for
        its modules or for a notebook's profile)."""
        return self._worker.unavailable or next(
            (w.unavailable for w in self._profile_workers.values() if w.unavailable), None)

    # ---------------------------------------------------------------- requests
    def _load_module(self, module: str):
        if module in self._broken:
            return self._broken[module]
        try:
            reply, _ = self._worker_for(module).request({"kind": "import", "module": module}, {})
        except WorkerLost as exc:
            error = SubmissionError(
                f"{module}.py could not be imported: importing it {_lost_words(exc)}",
                hint="Code at the top level of a module runs when it is imported: keep it to "
                     "imports and definitions.")
            self._broken[module] = error
            return error
        if reply.get("kind") == "import_failed":
            return _import_error(module, _text(reply, "description"))
        return RemoteModule(self, module)

    def _attr(self, module: str, name: str):
        try:
            reply, values = self._worker_for(module).request({"kind": "attr", "module": module, "name": name}, {},
                                                decode_special=_result_specials({}))
        except WorkerLost as exc:
            raise SubmissionError(f"{module}.{name} could not be looked up: the worker "
                                  f"{_lost_words(exc)}") from None
        if reply.get("kind") == "import_failed":
            raise _import_error(module, _text(reply, "description"))
        if not reply.get("exists"):
            return AttributeError(name)
        if reply.get("callable"):
            return RemoteFunction(self, module, name)
        return values.get("value")

    def _call(self, module: str, name: str, args: tuple, kwargs: dict, kind: str = "call"):
        qualname = f"{module}.{name}" if kind == "call" else f"{module}: {name}"
        worker = self._worker_for(module)
        limits = worker.limits
        lent: dict[int, np.random.Generator] = {}
        callbacks: list[Callable] = []

        def encode_special(value):
            if isinstance(value, np.random.Generator):
                tag = P.generator_state(value)
                tag["g"] = len(lent)
                lent[tag["g"]] = value
                return tag
            inner = value if isinstance(value, RemoteFunction) else getattr(value, "__wrapped__", None)
            if isinstance(inner, RemoteFunction) and inner._target is self:
                return {"$": "function", "module": inner.module, "name": inner.name}
            # A named problem travels by name and is rebuilt in the worker: no call-backs. Only
            # the exact class: a wrapper or subclass (a counting one) stays a call-back of ours.
            if type(value) is problems.Problem:
                return problems.to_tag(value)
            if callable(value):
                callbacks.append(value)
                return {"$": "callback", "id": len(callbacks) - 1}
            return None

        def on_callback(reply: dict, arrays: list) -> bytes:
            return _answer_callback(reply, arrays, callbacks, limits.max_frame_bytes)

        again = qualname in self._timed_out
        repeat = min(limits.repeat_timeout, limits.call_timeout)
        budget = isolation.CALL_BUDGETS.get(qualname) if kind == "call" else None
        first = max(budget, limits.call_timeout) if budget is not None else None
        try:
            reply, values = worker.request(
                {"kind": kind, "module": module, "name": name},
                {"args": tuple(args), "kwargs": dict(kwargs)},
                encode_special=encode_special, on_callback=on_callback,
                decode_special=_result_specials(callbacks), timeout=repeat if again else first,
                predictable=lambda: kind == "call" and not callbacks)
        except WorkerLost as exc:
            words = _lost_words(exc)
            if exc.timed_out and "budget" not in exc.reason:
                self._timed_out.add(qualname)
                if again:
                    words += (f" It already timed out in an earlier test, so its later calls "
                              f"get {repeat:g} s each.")
            raise SubmissionError(f"{qualname} {words}", hint=_lost_hint(exc)) from None
        # The Generators we lent move on exactly as far as the worker's copies did.
        for key, moved in (values.get("generators") or {}).items():
            own = lent.get(int(key)) if str(key).isdigit() else None
            if own is not None and isinstance(moved, np.random.Generator) \
                    and type(moved.bit_generator) is type(own.bit_generator):
                own.bit_generator.state = moved.bit_generator.state
        # What the submission printed: kept for diagnosis, never mixed into the grader's output.
        self.last_output = str(reply.get("output", ""))[: limits.max_output_chars + 100]
        kind = reply.get("kind")
        if kind == "result":
            return values.get("value")
        if kind == "raised":
            passed = PASSED_THROUGH.get(str(reply.get("passed_as")))
            message = _text(reply, "message")
            if passed is not None:
                raise passed(message)
            where = f" ({_text(reply, 'where', 200)})" if reply.get("where") else ""
            raised = _text(reply, "type", 200)
            raise SubmissionError(f"{qualname} raised {raised}: {message}{where}",
                                  hint="Run the public tests locally to see the traceback.")
        if kind == "import_failed":
            raise _import_error(module, _text(reply, "description"))
        if kind == "unsendable":
            raise SubmissionError(f"{qualname} returned something the grader cannot read: "
                                  f"{_text(reply, 'message')}",
                                  hint="Return floats, lists or numpy arrays of numbers.")
        raise SubmissionError(f"{qualname}: the worker answered {str(kind)[:100]!r}: "
                              f"{_text(reply, 'message')}")


def _text(reply: dict, key: str, limit: int = 2000) -> str:
    """A text field of a reply, cut to what the worker itself would send (it may not be the
    worker's own code writing the reply)."""
    return str(reply.get(key, ""))[:limit]


def _result_specials(callbacks: list) -> dict:
    def callback(tag):
        index = tag.get("id")
        if type(index) is not int or not 0 <= index < len(callbacks):
            raise P.ProtocolError("unknown call-back")
        return callbacks[index]
    return {"generator": P.make_generator, "callback": callback, problems.TAG: _problem}


def _problem(tag: dict) -> problems.Problem:
    """A problem named by the worker, rebuilt from the grader's own copy of the trusted code."""
    try:
        return problems.from_tag(tag)
    except problems.ProblemError as exc:
        raise P.ProtocolError(str(exc)) from None


def _answer_callback(reply: dict, arrays: list, callbacks: list, max_frame: int) -> bytes:
    """Run a trusted function for the worker and pack its answer (or its exception)."""
    index = reply.get("id")
    lent: dict[int, np.random.Generator] = {}

    def generator(tag):
        gen = P.make_generator(tag)
        if "g" in tag:
            lent[tag["g"]] = gen
        return gen

    decoder = P.Decoder(arrays, {**_result_specials(callbacks), "generator": generator})
    try:
        func = callbacks[index] if type(index) is int and 0 <= index < len(callbacks) else None
        if func is None:
            raise P.ProtocolError("unknown call-back")
        args = decoder.decode(reply.get("args"))
        kwargs = decoder.decode(reply.get("kwargs"))
        if not isinstance(args, tuple) or not isinstance(kwargs, dict):
            raise P.ProtocolError("bad call-back arguments")
        value = func(*args, **kwargs)
        states = {str(g): P.generator_state(gen) for g, gen in lent.items()}
        return P.encode_message({"kind": "callback_result", "id": index, "generators": states},
                                {"value": value},
                                special=lambda v: P.generator_state(v)
                                if isinstance(v, np.random.Generator) else None,
                                max_frame=max_frame)
    except P.ProtocolError:
        raise
    except Exception as exc:  # noqa: BLE001 - the submission gets the exception, not the grader
        name = type(exc).__name__ if type(exc).__name__ in PASSED_THROUGH else "Exception"
        return P.pack({"kind": "callback_raised", "id": index, "type": name,
                       "message": str(exc)[:2000]})


def _lost_words(exc: WorkerLost) -> str:
    if exc.timed_out:
        if "budget" in exc.reason:
            return f"was not run: {exc.reason}"
        return f"{exc.reason}: an infinite loop?"
    return f"stopped the grading worker: {exc.reason}"


def _lost_hint(exc: WorkerLost) -> str:
    if exc.timed_out:
        return "Check that every loop ends (a step counter, a tolerance that can be reached)."
    if exc.reason.startswith("sent back too much data"):
        return "Return only what the function is asked for: a number, or an array of its size."
    return "Do not call exit(), os._exit() or kill the process; return a value instead."


def _import_error(module: str, description: str) -> SubmissionError:
    return SubmissionError(
        f"{module}.py could not be imported: {description}",
        hint=f"Run `python -c \"import {module}\"` in your submission's folder to see the full error.")


def sandbox_target(directory: str | Path, *, limits: isolation.Limits | None = None,
                   early: tuple[isolation.SandboxDir, isolation.Launched] | None = None,
                   profiles: dict[str, isolation.Limits] | None = None) -> SandboxTarget:
    """The submission in ``directory``, graded through a sandboxed worker process (``early``: a
    worker already launched for it by :func:`isolation.launch_early`; ``profiles``: modules
    whose worker runs with other limits, module -> Limits)."""
    return SandboxTarget(directory, limits=limits, early=early, profiles=profiles)
