"""A long-lived grading worker for batch runs: one JSON job per line in, one JSON result out.

A pool of these is cheaper than a process per submission: each runs one grading session
(:func:`autograder.grading.grade_many`), so pytest, numpy and the engine are imported and the
tests collected once, and the next submission's sandbox starts while the current one is graded.
Each can still be killed on its own when a submission overruns, which ``concurrent.futures``
pools cannot do. The submission itself still runs in the sandbox that
``autograder.grading.grade`` starts; this process only holds trusted code.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path


def grade_payloads(packed: list[tuple[str, str, bytes]], isolate: bool = True) -> list[dict]:
    """Grade packed submissions ``(student, suffix, payload)`` in one grading session.

    What a Dask task runs: a chunk of submissions per task, so the tests are collected once per
    chunk rather than once per submission. Always one reply per submission, never raises.
    """
    from ..grading import Job, grade_many
    from .discover import safe_name

    replies: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="grade-all-") as tmp:
        jobs = []
        for i, (student, suffix, payload) in enumerate(packed):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            path = folder / f"{safe_name(student)}{suffix}"
            path.write_bytes(payload)
            # With a course salt configured, each student is graded on their own variant.
            jobs.append(Job(path, student=student if _has_salt() else None))
        started = [time.time()]

        def reply(job, results) -> None:
            replies.append({"results": results.to_dict(), "started_at": started[0],
                            "duration_s": time.time() - started[0]})
            started[0] = time.time()

        try:
            grade_many(jobs, isolate=isolate, on_result=reply, keep=False)
        except Exception as exc:  # noqa: BLE001 - the batch records it and goes on
            replies += [{"error": f"the grader failed: {type(exc).__name__}: {exc}",
                         "started_at": started[0], "duration_s": 0.0}] * (len(packed) - len(replies))
    return replies


def grade_payload(student: str, suffix: str, payload: bytes, isolate: bool = True) -> dict:
    """Grade one packed submission; always returns a dict, never raises."""
    return grade_payloads([(student, suffix, payload)], isolate)[0]


class _JobSource:
    """Jobs as they arrive on stdin, for :func:`autograder.grading.grade_many`.

    A thread reads the lines, so the grading session can ask whether the next job is already
    waiting (``ready``) and prepare it (copy it, start its sandbox) while the current one runs.
    """

    def __init__(self, stream) -> None:
        self._queue: queue.Queue = queue.Queue()
        self.tmp = tempfile.TemporaryDirectory(prefix="grade-all-")
        self.numbers: dict[int, int] = {}     # id(Job) -> the runner's job number
        self.started: dict[int, float] = {}
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(json.loads(line))
        self._queue.put(None)

    def ready(self) -> bool:
        return not self._queue.empty()

    def __iter__(self):
        return self

    def __next__(self):
        from ..grading import Job
        from .discover import safe_name

        job = self._queue.get()
        if job is None:
            raise StopIteration
        folder = Path(self.tmp.name) / str(job["job"])
        folder.mkdir()
        path = folder / f"{safe_name(job['student'])}{job['suffix']}"
        path.write_bytes(base64.b64decode(job["payload"]))
        # With a course salt configured, each student is graded on their own variant.
        graded = Job(path, student=job["student"] if _has_salt() else None)
        self.numbers[id(graded)] = job["job"]
        self.started[id(graded)] = time.time()
        return graded

    def done(self, job) -> tuple[int, float]:
        shutil.rmtree(job.path.parent, ignore_errors=True)
        return self.numbers.pop(id(job)), self.started.pop(id(job))


def _has_salt() -> bool:
    return bool(os.environ.get("AUTOGRADER_SALT") or os.environ.get("AUTOGRADER_SALT_FILE"))


def main() -> int:
    """Grade the jobs of stdin in one grading session, one JSON reply per line on stdout."""
    from ..grading import grade_many

    # The protocol owns the real stdout; anything else printing (pytest, a library) goes to stderr.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    source = _JobSource(sys.stdin)

    def reply(job, results) -> None:
        number, started = source.done(job)
        protocol.write(json.dumps({"job": number, "results": results.to_dict(),
                                   "started_at": started,
                                   "duration_s": time.time() - started}) + "\n")

    grade_many(source, on_result=reply, isolate="--no-isolation" not in sys.argv[1:], keep=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
