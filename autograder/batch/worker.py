"""A long-lived grading worker for batch runs: one JSON job per line in, one JSON result out.

A pool of these is cheaper than a process per submission: each runs one grading session
(:func:`autograder.grading.grade_many`), so pytest, numpy and the engine are imported and the
tests collected once, and the next submission's sandbox starts while the current one is graded.
Each can still be killed on its own when a submission overruns, which ``concurrent.futures``
pools cannot do. The submission itself still runs in the sandbox that
``autograder.grading.grade`` starts; this process only holds trusted code.

It still decodes what the submissions send back, so it runs under a memory ceiling of its own
(:func:`limit_memory`): should a reply ever get past the protocol's budget, this process fails
with a MemoryError, the batch records that one submission as not graded and a fresh worker goes
on with the rest, instead of the machine swapping for every grader on it.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path


#: The ceiling of one grading process's heap and private mappings (RLIMIT_DATA), in bytes: a
#: grading session with numpy, pytest and the tests collected uses about 120 MB of it.
#: ``AUTOGRADER_BATCH_MEMORY_BYTES`` sets another; 0 leaves the process unlimited.
DEFAULT_MEMORY_BYTES = 4 * 2**30


def limit_memory(limit: int | None = None) -> int | None:
    """Cap this process's data segment (heap and private writable mappings) at ``limit`` bytes.

    RLIMIT_DATA, not RLIMIT_AS: address space that is reserved but never written (thread stacks,
    numpy's and malloc's reservations) costs nothing, and counting it would refuse honest work.
    Only the soft limit is lowered: the sandboxed workers this process starts raise theirs again
    and are held by their own limits (see :mod:`autograder.sandbox.worker`). Returns the limit set.
    """
    if limit is None:
        limit = int(float(os.environ.get("AUTOGRADER_BATCH_MEMORY_BYTES", DEFAULT_MEMORY_BYTES)))
    if limit <= 0:
        return None
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    return limit


def grade_payloads(packed: list[tuple[str, str, bytes]], isolate: bool = True) -> list[dict]:
    """Grade packed submissions ``(student, suffix, payload)`` in this process's grading session.

    What a Dask task runs (one submission a task: see :mod:`.on_dask`). The session
    (:class:`_KeptSession`) outlives the task: started when the Dask worker starts
    (:class:`.on_dask.GradingSessions`) or else by the first task, it is reused by every later
    task of that worker, so ``--scheduler local:2`` pays for a session once per worker, as ``-j 2``
    does. Tasks running on a worker's other threads wait in the session's queue: the next one is
    prepared (copied, its sandbox started) while the current one is graded. Always one reply per
    submission, in order; never raises.
    """
    with tempfile.TemporaryDirectory(prefix="grade-all-") as tmp:
        jobs = [_unpack(Path(tmp), str(i), *one) for i, one in enumerate(packed)]
        return start_session(isolate).grade(jobs)


_SESSIONS: dict[bool, "_KeptSession"] = {}
_SESSIONS_LOCK = threading.Lock()


def close_sessions(timeout: float | None = 60.0) -> None:
    """End this process's kept grading sessions (each after the jobs it already has) and wait for
    them, up to ``timeout`` seconds each: while one runs, this process's ``sys.stdout`` is the
    session's (pytest's output is never shown)."""
    with _SESSIONS_LOCK:
        kept = list(_SESSIONS.values())
        _SESSIONS.clear()
    for session in kept:
        session.close()
    for session in kept:
        session.join(timeout)


def start_session(isolate: bool) -> "_KeptSession":
    """This process's grading session for ``isolate``: started now (pytest imported, the tests
    collected, on a thread of its own) if there is none or it died, else the one kept."""
    with _SESSIONS_LOCK:
        kept = _SESSIONS.get(isolate)
        if kept is None or not kept.alive:
            kept = _SESSIONS[isolate] = _KeptSession(isolate)
        return kept


class _QueueSource:
    """A lazy job source for :func:`autograder.grading.grade_many`, fed through a queue.

    Whoever has work puts it on ``_queue`` (``None`` ends the source); the grading session reads
    it one job at a time and asks ``ready()`` whether the next one is already waiting, to prepare
    it (copy it, start its sandbox) while the current one runs, and never blocks on one that has
    not arrived. ``_job`` turns what was queued into the session's job.
    """

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue()

    def _job(self, item):
        return item

    def ready(self) -> bool:
        return not self._queue.empty()

    def __iter__(self):
        return self

    def __next__(self):
        item = self._queue.get()
        if item is None:
            raise StopIteration
        return self._job(item)


class _KeptSession(_QueueSource):
    """One grading session (:func:`autograder.grading.grade_many`) kept alive on a thread of its
    own, fed jobs by whichever task wants them graded.

    Jobs are graded one at a time, in the order they arrive (pytest, and the grading session on
    it, run one test at a time per process), whichever of the Dask worker's threads sent them: a
    second thread's task waits here, and is prepared ahead while the first is graded. A job is
    prepared ahead only when it is already waiting, so an idle session holds no sandbox.
    Should the session itself fail (a grader bug), every job waiting on it gets an error reply
    and the next task starts a fresh session.
    """

    def __init__(self, isolate: bool):
        super().__init__()
        self.isolate = isolate
        self.alive = True
        self._waiting: dict[int, queue.Queue] = {}     # id(job) -> where its reply goes
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True, name="grading-session")
        self._thread.start()

    def grade(self, jobs: list) -> list[dict]:
        replies: queue.Queue = queue.Queue()
        with self._lock:
            if not self.alive:
                return [_session_lost("it stopped before this task")] * len(jobs)
            for job in jobs:
                self._waiting[id(job)] = replies
                self._queue.put(job)
        return [replies.get() for _ in jobs]

    def close(self) -> None:
        """End the session once the jobs already given to it are graded."""
        with self._lock:
            if self.alive:
                self._queue.put(None)

    def join(self, timeout: float | None = 60.0) -> None:
        """Wait for the session to end (after :meth:`close`): it then prints where it should."""
        self._thread.join(timeout)

    def _finished(self, job, results) -> None:
        with self._lock:
            replies = self._waiting.pop(id(job))
        replies.put(_reply(results))

    def _run(self) -> None:
        from ..grading import grade_many

        why = "it ended"
        try:
            grade_many(self, isolate=self.isolate, keep=False, on_result=self._finished)
        except Exception as exc:  # noqa: BLE001 - the batch records it and goes on
            why = f"{type(exc).__name__}: {exc}"
        finally:
            with self._lock:
                self.alive = False
                waiting, self._waiting = self._waiting, {}
            for replies in waiting.values():
                replies.put(_session_lost(why))


def _session_lost(why: str) -> dict:
    return {"error": f"the grader failed: its grading session stopped ({why})",
            "started_at": time.time(), "duration_s": 0.0}


def _unpack(where: Path, key: str, student: str, suffix: str, payload: bytes):
    """A packed submission written to a folder of its own, as a job of the grading session."""
    from ..grading import Job
    from .discover import safe_name

    folder = where / key
    folder.mkdir()
    path = folder / f"{safe_name(student)}{suffix}"
    path.write_bytes(payload)
    # With a course salt configured, each student is graded on their own variant.
    has_salt = bool(os.environ.get("AUTOGRADER_SALT") or os.environ.get("AUTOGRADER_SALT_FILE"))
    return Job(path, student=student if has_salt else None)


def _reply(results) -> dict:
    # The time spent grading it, not the time it waited its turn behind the one before.
    return {"results": results.to_dict(), "started_at": time.time() - results.execution_time,
            "duration_s": results.execution_time}


class _JobSource(_QueueSource):
    """Jobs as they arrive on stdin (one JSON line each), for the grading session.

    A thread reads the lines, so the session can see whether the next job is already waiting.
    """

    def __init__(self, stream) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory(prefix="grade-all-")
        self.numbers: dict[int, int] = {}     # id(Job) -> the runner's job number
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(json.loads(line))
        self._queue.put(None)

    def _job(self, item):
        graded = _unpack(Path(self.tmp.name), str(item["job"]), item["student"], item["suffix"],
                         base64.b64decode(item["payload"]))
        self.numbers[id(graded)] = item["job"]
        return graded

    def done(self, job) -> int:
        shutil.rmtree(job.path.parent, ignore_errors=True)
        return self.numbers.pop(id(job))


def main() -> int:
    """Grade the jobs of stdin in one grading session, one JSON reply per line on stdout."""
    from ..grading import grade_many

    limit_memory()
    # The protocol owns the real stdout; anything else printing (pytest, a library) goes to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    source = _JobSource(sys.stdin)

    def reply(job, results) -> None:
        protocol.write(json.dumps({"job": source.done(job), **_reply(results)}) + "\n")

    grade_many(source, on_result=reply, isolate="--no-isolation" not in sys.argv[1:], keep=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
