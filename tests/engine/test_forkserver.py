"""Bubblewrap workers forked by the fork server (autograder/sandbox/forkserver.py): nothing a
worker does reaches the server or the next worker, the server survives every attack, and without
it (turned off, or dead) workers start as before at the same level."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest

from autograder.feedback import SubmissionError
from autograder.sandbox import forkserver
from autograder.sandbox.isolation import Limits
from autograder.sandbox.proxy import sandbox_target

HERE = Path(__file__).parent
ATTACK = (HERE / "hostile" / "fork_server_leaks.py").read_text()
DESCRIPTION = "bubblewrap(ipc,pid,net,uts; allow-listed filesystem; dedicated uid)"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("bwrap") is None,
    reason="the fork server serves a root grader at the bubblewrap level only")


@pytest.fixture(autouse=True)
def fresh_server(monkeypatch):
    """Each test starts without a server and leaves none behind (nor a retirement)."""
    monkeypatch.delenv("AUTOGRADER_SANDBOX_FORKSERVER", raising=False)
    forkserver.shutdown()
    forkserver.RETIRED = None
    yield
    forkserver.shutdown()
    forkserver.RETIRED = None


def submission(root: Path) -> Path:
    """``leak.gd`` is the attack of the hostile case (it leaves traces, then kills its worker);
    ``leak.traces()`` says what a worker finds of what earlier workers left."""
    root.mkdir()
    (root / "leak.py").write_text(
        "def gd(*args):\n    return 'an earlier worker left traces'\n\n" + ATTACK
        + "\n\ndef traces():\n    return _traces()\n")
    return root


def worker_of(target):
    return target._worker_for("leak")


def test_nothing_a_forked_worker_does_reaches_the_server_or_the_next_worker(tmp_path):
    first = sandbox_target(submission(tmp_path / "first"), limits=Limits.from_env())
    second = sandbox_target(submission(tmp_path / "second"), limits=Limits.from_env())
    try:
        assert first.leak.traces() == []
        (server,) = forkserver._SERVERS.values()
        assert server.proc.poll() is None
        assert isinstance(worker_of(first).proc, forkserver.ForkedWorker)
        assert first.isolation == DESCRIPTION
        for _ in range(3):   # each call leaves its traces, kills its worker; the next one looks
            with pytest.raises(SubmissionError, match="stopped the grading worker"):
                first.leak.gd(lambda x: 2 * x, np.ones(2), 0.1, 3)
            assert first.leak.traces() == []
            assert isinstance(worker_of(first).proc, forkserver.ForkedWorker)
        assert worker_of(first).starts == 4
        # Another submission's worker, from the same server: nothing either.
        assert second.leak.traces() == []
        assert isinstance(worker_of(second).proc, forkserver.ForkedWorker)
        # The server lived through it all, never retired, and holds no file a worker wrote.
        assert forkserver.RETIRED is None and list(forkserver._SERVERS.values()) == [server]
        assert server.proc.poll() is None
        planted = [str(p) for p in server.root.rglob("*") if "leak" in p.name and p.name != "leak.py"]
        assert planted == []
    finally:
        first.close()
        second.close()


def test_turned_off_workers_start_as_before_at_the_same_level(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_SANDBOX_FORKSERVER", "0")
    t = sandbox_target(submission(tmp_path / "s"), limits=Limits.from_env())
    try:
        assert t.leak.traces() == []
        assert not isinstance(worker_of(t).proc, forkserver.ForkedWorker)
        assert t.isolation == DESCRIPTION and forkserver._SERVERS == {}
    finally:
        t.close()


def test_a_dead_server_is_retired_and_the_next_worker_starts_as_before(tmp_path):
    t = sandbox_target(submission(tmp_path / "s"), limits=Limits.from_env())
    try:
        assert t.leak.traces() == []
        (server,) = forkserver._SERVERS.values()
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait()
        with pytest.raises(SubmissionError, match="stopped the grading worker"):
            t.leak.gd(lambda x: 2 * x, np.ones(2), 0.1, 3)
        assert t.leak.traces() == []
        assert not isinstance(worker_of(t).proc, forkserver.ForkedWorker)
        assert t.isolation == DESCRIPTION
        assert forkserver.RETIRED is not None and "fork server" in forkserver.RETIRED
    finally:
        t.close()


def test_the_tensorflow_profile_is_never_forked():
    assert not forkserver.applies(Limits.tensorflow(epochs=1))
    assert forkserver.applies(Limits.from_env())
    assert not forkserver.applies(Limits.from_env(levels=("unshare", "rlimits-only")))
