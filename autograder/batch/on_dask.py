"""``grade-all --scheduler``: grading on a Dask cluster, each Dask worker keeping one grading session.

:class:`DaskGrading` connects on a thread of its own as soon as the batch starts, so that a
``local:N`` cluster (its processes, their imports of ``distributed``) and its workers' grading
sessions start while the class is still being read and hashed. Each worker starts its session
(pytest imported, the tests collected) as soon as it has the :class:`GradingSessions` plugin: a
``local:N`` worker before it even registers with the scheduler; a worker of a cluster of its own
(``tcp://``) when the plugin is registered, before any task is sent. The tasks
(:func:`.worker.grade_payloads`) carry one submission's bytes each, so no shared disk is needed,
and return JSON-able replies; Dask balances them over the workers one submission at a time, as
``-j`` does, so one slow submission holds up no others. Imported only where ``distributed`` is.

On a cluster of its own, start one Dask worker per core with two threads each, so that a
worker's next submission is prepared while the current one is graded (as ``-j`` does)::

    dask worker tcp://scheduler:8786 --nworkers "$(nproc)" --nthreads 2

A worker process runs one grading session, so more threads than two per process add no speed.
"""

from __future__ import annotations

import atexit
import itertools
import os
import sys
import threading
from concurrent.futures import Future
from typing import Iterable, Iterator

from distributed import WorkerPlugin

from .discover import Submission
from .worker import close_sessions, limit_memory, start_session

#: How long a worker of a cluster of its own waits, when the batch removes the plugin, for its
#: session to wind pytest down (it has no job left by then: well under a second).
CLOSE_WAIT_S = 5.0

#: Threads of each worker of a ``local:N`` cluster: the one a submission is graded on and the one
#: whose task waits in the worker's grading session, prepared ahead (as ``-j`` keeps two jobs in
#: flight per worker).
THREADS_PER_WORKER = 2

#: A local cluster without the dashboard's bookkeeping: the statistical profiler samples every
#: worker thread a hundred times a second, and the event-loop, system and memory monitors wake
#: every process every few tens of milliseconds; together about 0.06 of a core on this project's
#: 2-core machine, taken from grading for a dashboard nobody opens. The nanny still checks its
#: worker's memory every second.
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


class GradingSessions(WorkerPlugin):
    """Start a kept grading session when a Dask worker starts; end it when the plugin goes.

    The worker process is put under the batch grader's memory ceiling first
    (:func:`.worker.limit_memory`, as each ``-j`` process is): a reply that got past the
    protocol's budget fails that one submission, not the machine.

    ``exit_at_once`` (a ``local:N`` worker, a process of this batch's own): once the worker has
    closed and its session ended, the process leaves without the interpreter's final teardown.
    That teardown frees the whole collected session object by object (every test item, fixture
    and ground-truth value) and took 1.5 to 4 s here, while the nanny waits up to 4 s for the
    process before killing it; nothing in it is needed: the replies are sent and only the batch
    process writes the gradebook. A worker of a cluster of its own is left to exit as it does.
    """

    name = "autograder-grading-session"

    def __init__(self, isolate: bool, exit_at_once: bool = False) -> None:
        self.isolate, self.exit_at_once = isolate, exit_at_once

    def setup(self, worker) -> None:
        if self.exit_at_once:
            # atexit runs its handlers last in, first out: this one runs after those registered
            # later, before those registered earlier (the standard library's and distributed's
            # own, which only tidy a process that is about to vanish).
            atexit.register(_exit_now)
        limit_memory()
        start_session(self.isolate)

    def teardown(self, worker) -> None:
        # A process about to exit at once need not wait for pytest to wind down (the nanny would
        # kill it after 4 s, with a warning, were it still collecting the tests then).
        close_sessions(timeout=0 if self.exit_at_once else CLOSE_WAIT_S)


def _exit_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


class DaskGrading:
    """A Dask client for one batch (and the ``local:N`` cluster it owns), connected on a thread
    of its own from the moment this is made; :meth:`grade` waits for it."""

    def __init__(self, scheduler: str, isolate: bool, hide: Iterable[str] = ()) -> None:
        self.scheduler, self.isolate = scheduler, isolate
        self.plugin = GradingSessions(isolate, exit_at_once=self.local_workers is not None)
        self._hide = list(hide)
        self._connected: Future = Future()
        threading.Thread(target=self._connect, daemon=True, name="dask-connect").start()

    @property
    def local_workers(self) -> int | None:
        kind, _, count = self.scheduler.partition(":")
        return int(count) if kind == "local" else None

    def _connect(self) -> None:
        try:
            self._connected.set_result(self._client_and_cluster())
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the client
            self._connected.set_exception(exc)

    def _client_and_cluster(self):
        import dask
        from distributed import Client, LocalCluster

        if self.local_workers is None:
            client = Client(self.scheduler)
            client.register_plugin(self.plugin)
            return client, None
        hidden = [os.environ.get("AUTOGRADER_SANDBOX_HIDE", ""), *self._hide]
        with dask.config.set(QUIET_CLUSTER):
            # The plugin goes with the workers' own arguments: each starts its session before
            # it registers with the scheduler (and so does a worker the nanny restarts).
            cluster = LocalCluster(
                n_workers=self.local_workers, threads_per_worker=THREADS_PER_WORKER,
                processes=True, plugins={self.plugin},
                # No dashboard; its HTTP server (health checks) on a free port, not 8787.
                dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
                env={"AUTOGRADER_SANDBOX_HIDE": os.pathsep.join(h for h in hidden if h)})
        try:
            return Client(cluster), cluster
        except BaseException:
            cluster.close()
            raise

    def grade(self, todo: list[Submission]) -> Iterator[tuple[Submission, dict]]:
        """Each submission with its reply, as they are graded (a lost worker: an error reply)."""
        from distributed import as_completed

        from .worker import grade_payloads

        client, _ = self._connected.result()
        numbers = itertools.count()
        # Keys are unique per task: two students may hand in identical bytes, yet be graded on
        # different variants.
        futures = {client.submit(grade_payloads, [(s.student, s.suffix, s.payload)], self.isolate,
                                 pure=False, key=f"grade-{s.sha256[:16]}-{next(numbers)}"): s
                   for s in todo}
        for future in as_completed(futures):
            sub = futures.pop(future)
            try:
                reply = future.result()[0]
            except Exception as exc:  # noqa: BLE001 - its worker was lost, every retry Dask made
                reply = {"error": f"could not grade: {type(exc).__name__}: {exc}"}
            yield sub, reply

    def close(self) -> None:
        """Disconnect; a cluster of its own outlives the batch, so its workers end their sessions."""
        try:
            client, cluster = self._connected.result()
        except Exception:  # noqa: BLE001 - it never connected: nothing to close
            return
        if cluster is None:
            try:
                client.unregister_worker_plugin(self.plugin.name)
            except Exception:  # noqa: BLE001 - the cluster is gone: nothing is left to end
                pass
        client.close()
        if cluster is not None:
            cluster.close()
