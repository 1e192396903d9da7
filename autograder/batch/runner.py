"""``autograder grade-all``: grade every submission of a directory into the gradebook.

Work is spread over ``-j N`` local worker processes (see :mod:`.worker`) or over a Dask cluster
(``--scheduler tcp://host:8786`` or ``--scheduler local:N``, see :mod:`.on_dask`). Whatever runs
the grading, only this process writes the gradebook, one transaction per submission, so killing
the batch at any moment leaves every submission either fully graded or not graded at all; a
rerun grades the rest.
"""

from __future__ import annotations

import base64
import collections
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .. import __version__
from ..results import Results
from .discover import Submission, discover
from .cli import DEFAULT_TIMEOUT_S  # the command's default, defined where its parser is
from .gradebook import INFRASTRUCTURE_PREFIX, Gradebook


@dataclass
class Outcome:
    submission: Submission
    results: Results | None
    error: str | None
    started_at: float
    duration_s: float


@dataclass
class BatchSummary:
    graded: int = 0
    skipped: int = 0
    errors: int = 0
    wall_s: float = 0.0
    outcomes: list[Outcome] = field(default_factory=list)


def _outcome(sub: Submission, reply: dict) -> Outcome:
    results = Results.from_dict(reply["results"]) if "results" in reply else None
    error = reply.get("error")
    if results is not None and results.infrastructure_error is not None:
        # The machine failed, not the submission: an error to retry, never a grade.
        error = INFRASTRUCTURE_PREFIX + results.infrastructure_error
    elif results is not None and results.errors and not results.tests:
        error = "; ".join(results.errors)  # nothing could be graded: an error, with the reason
    return Outcome(sub, results, error, reply.get("started_at", time.time()),
                   reply.get("duration_s", 0.0))


class _LocalWorker:
    """One grading process (a grading session), killed and replaced when a job overruns.

    Up to ``DEPTH`` jobs are in flight: while the worker grades one, the next is already on its
    way, so the worker can copy it and start its sandbox in the meantime.
    """

    DEPTH = 2

    def __init__(self, isolate: bool, hide: Iterable[str] = ()) -> None:
        self.isolate = isolate
        # Where the sandbox can only hide a deny-list (the unshare level), the class's other
        # submissions and the gradebook are on it too, beside the course and the working dir.
        hidden = [os.environ.get("AUTOGRADER_SANDBOX_HIDE", ""), *hide]
        self.env = {**os.environ, "AUTOGRADER_SANDBOX_HIDE": os.pathsep.join(h for h in hidden if h)}
        self.proc: subprocess.Popen | None = None
        self.replies: queue.Queue = queue.Queue()

    def _start(self) -> None:
        argv = [sys.executable, "-m", "autograder.batch.worker"]
        if not self.isolate:
            argv.append("--no-isolation")
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, bufsize=1, env=self.env,
            start_new_session=True)  # its own process group, so a kill takes its children too
        self.replies = queue.Queue()
        stdout, replies = self.proc.stdout, self.replies
        threading.Thread(target=lambda: [replies.put(line) for line in stdout] + [replies.put("")],
                         daemon=True).start()

    def send(self, job: dict) -> None:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
        except OSError:
            pass            # it died: receive() says so

    def receive(self, timeout_s: float) -> dict:
        """The next reply, or an error saying why none came within ``timeout_s``."""
        try:
            line = self.replies.get(timeout=timeout_s)
        except queue.Empty:
            self.kill()
            return {"error": f"could not grade: timed out after {timeout_s:.0f} s"}
        if not line:
            self.kill()
            return {"error": "could not grade: the grading process died"}
        return json.loads(line)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.proc = None


def _job(sub: Submission, index: int) -> dict:
    return {"job": index, "student": sub.student, "suffix": sub.suffix,
            "payload": base64.b64encode(sub.payload).decode("ascii")}


def _run_local(todo: list[Submission], jobs: int, isolate: bool,
               timeout_s: float, hide: Iterable[str] = ()) -> Iterator[Outcome]:
    work: queue.Queue = queue.Queue()
    done: queue.Queue = queue.Queue()
    for i, sub in enumerate(todo):
        work.put((i, sub))

    def slot() -> None:
        worker = _LocalWorker(isolate, hide)
        in_flight: collections.deque = collections.deque()
        try:
            while True:
                while len(in_flight) < worker.DEPTH:
                    try:
                        i, sub = work.get_nowait()
                    except queue.Empty:
                        break
                    worker.send(_job(sub, i))
                    in_flight.append((i, sub))
                if not in_flight:
                    return
                i, sub = in_flight.popleft()
                reply = worker.receive(timeout_s)
                if "error" in reply and "job" not in reply:
                    # The worker was killed (or died) on this job: the ones behind it were
                    # never graded; they go to a fresh worker.
                    for j, other in in_flight:
                        worker.send(_job(other, j))
                elif reply.get("job") != i:
                    reply = {"error": "could not grade: the grading process answered out of order"}
                    worker.kill()
                    for j, other in in_flight:
                        worker.send(_job(other, j))
                done.put(_outcome(sub, reply))
        finally:
            worker.kill()

    threads = [threading.Thread(target=slot, daemon=True) for _ in range(max(1, min(jobs, len(todo))))]
    for t in threads:
        t.start()
    for _ in todo:
        yield done.get()
    for t in threads:
        t.join()


def _class_paths(directory, db_path) -> list[str]:
    """The class's submissions and the gradebook's folder: no worker may read them."""
    return [str(Path(directory).resolve()), str(Path(db_path).resolve().parent)]


def grade_all(directory, *, db_path, jobs: int = 2, scheduler: str | None = None,
              regrade: bool = False, isolate: bool = True, timeout_s: float = DEFAULT_TIMEOUT_S,
              on_start: Callable[[int, int], None] | None = None,
              on_outcome: Callable[[Outcome], None] | None = None) -> BatchSummary:
    """Grade every submission under ``directory`` into the gradebook at ``db_path``.

    A submission already graded with the same content hash and engine version is skipped
    unless ``regrade``. ``on_start(todo, skipped)`` and ``on_outcome(outcome)`` feed a progress view.
    """
    started = time.perf_counter()
    summary = BatchSummary()
    hide = _class_paths(directory, db_path)
    dask = None
    if scheduler:
        from .on_dask import DaskGrading

        # Connecting (a local cluster starting, its workers' sessions collecting the tests)
        # overlaps reading and hashing the class.
        dask = DaskGrading(scheduler, isolate, hide)
    try:
        submissions = discover(directory)
        with Gradebook(db_path) as book:
            todo = [s for s in submissions
                    if regrade or not book.is_graded(s.student, s.sha256, __version__)]
            summary.skipped = len(submissions) - len(todo)
            if on_start:
                on_start(len(todo), summary.skipped)
            outcomes: Iterable[Outcome] = (
                (_outcome(sub, reply) for sub, reply in dask.grade(todo)) if dask is not None
                else _run_local(todo, jobs, isolate, timeout_s, hide))
            for outcome in outcomes:
                book.record(student=outcome.submission.student, sha256=outcome.submission.sha256,
                            engine_version=__version__, source=outcome.submission.source,
                            results=outcome.results if outcome.error is None else None,
                            error=outcome.error, started_at=outcome.started_at,
                            duration_s=outcome.duration_s)
                summary.outcomes.append(outcome)
                if outcome.error is None:
                    summary.graded += 1
                else:
                    summary.errors += 1
                if on_outcome:
                    on_outcome(outcome)
    finally:
        if dask is not None:
            dask.close()
    summary.wall_s = time.perf_counter() - started
    return summary
