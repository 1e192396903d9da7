"""The sandbox's protocol, call-backs, Generator travel, timeouts, restarts and isolation."""

from __future__ import annotations

import contextlib
import io
import math
import os
import pickle
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import time

import pytest

from autograder.feedback import SubmissionError
from autograder.sandbox import protocol as P
from autograder.sandbox.isolation import Limits, namespaces_work
from autograder.sandbox.proxy import SandboxUnavailable, sandbox_target

REPO = Path(__file__).resolve().parents[2]


def round_trip(value):
    frame = P.encode_message({"kind": "x"}, {"v": value})
    header, arrays = P.FrameReader(io.BytesIO(frame).read).read_frame()
    return P.Decoder(arrays).decode(header["v"])


@pytest.mark.parametrize("value", [
    None, True, 0, -7, 2**100, 1.5, "text", [1, [2.0, "a"]], (1, (2, 3)), {"a": (1, [2])},
    Fraction(1, 3), complex(1.5, -2.0), np.float32(1.25), np.int64(5), np.bool_(True),
])
def test_plain_values_round_trip_with_their_types(value):
    back = round_trip(value)
    assert back == value and type(back) is type(value)


def test_special_floats_and_arrays_round_trip():
    back = round_trip((math.nan, math.inf, -math.inf))
    assert math.isnan(back[0]) and back[1:] == (math.inf, -math.inf)
    for array in (np.arange(6.0).reshape(2, 3), np.array([True, False]), np.zeros((0, 3)),
                  np.array([1 + 2j]), np.array(3.0), np.arange(10)[::2]):
        got = round_trip(array)
        assert got.dtype == array.dtype and got.shape == array.shape
        assert np.array_equal(got, array) and got.flags.writeable


@pytest.mark.parametrize("value", [np.array([object()], dtype=object), np.array(["s"]),
                                   {1: 2}, object(), lambda: 1, bytearray(b"x"),
                                   type("F", (float,), {})(1.0)])
def test_unsendable_values_are_refused(value):
    with pytest.raises(P.ProtocolError):
        P.encode_message({}, {"v": value})


def test_pickled_and_object_arrays_are_never_loaded():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    npy = buffer.getvalue()
    body = b'{"v":{"$":"ndarray","i":0}}'
    frame = P._HEAD.pack(P.MAGIC, len(body), 1) + body + P._ARRAY_LEN.pack(len(npy)) + npy
    with pytest.raises(P.ProtocolError):
        P.FrameReader(io.BytesIO(frame).read).read_frame()
    with pytest.raises(P.ProtocolError):
        P.FrameReader(io.BytesIO(pickle.dumps({"a": 1})).read).read_frame()


def test_frame_limits_are_checked_before_reading():
    frame = P.pack({"kind": "x"}, [np.zeros(1000)])
    with pytest.raises(P.FrameTooLarge):
        P.FrameReader(io.BytesIO(frame).read, max_frame=2000).read_frame()
    # A header announcing 4 GB is refused without reading (or allocating) it.
    huge = P._HEAD.pack(P.MAGIC, 2**32 - 1, 0)
    with pytest.raises(P.FrameTooLarge):
        P.FrameReader(io.BytesIO(huge).read).read_frame()
    with pytest.raises(P.ProtocolError):
        round_trip(_nested(200))


def _nested(depth):
    value = 0
    for _ in range(depth):
        value = [value]
    return value


def test_unknown_tags_are_refused():
    with pytest.raises(P.ProtocolError):
        P.Decoder([]).decode({"$": "pickle", "data": "..."})


# ------------------------------------------------------------------ through a worker

@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    root = tmp_path_factory.mktemp("submission")
    shutil.copyfile(REPO / "solutions" / "gradient_descent.py", root / "gradient_descent.py")
    (root / "tools.py").write_text(
        "import numpy as np, os, time\n"
        "def call_back(f, *a):\n    return f(*a)\n"
        "def draw(rng, sampler):\n    a = rng.normal(size=2)\n    b = sampler(rng, 3)\n"
        "    return a, b, rng.normal()\n"
        "def spin():\n    while True: pass\n"
        "def die():\n    os._exit(1)\n"
        "def bad_value():\n    raise ValueError('x must be positive')\n"
        "def singular():\n    return np.linalg.inv(np.zeros((2, 2)))\n"
        "def runtime():\n    raise RuntimeError('boom')\n"
        "def stub():\n    raise NotImplementedError\n"
        "def peek(path):\n    return os.path.exists(path)\n"
        "def uid():\n    return os.getuid()\n"
        "def visible_pids():\n    return [int(p) for p in os.listdir('/proc') if p.isdigit()]\n"
        "def write_into(folder):\n    try:\n        open(os.path.join(folder, 'planted.py'), 'w').close()\n"
        "        return True\n    except OSError:\n        return False\n"
        "def write_here():\n    try:\n        open('written', 'w').close()\n        return True\n"
        "    except OSError:\n        return False\n"
        "def fill_tmp(where):\n    where = os.path.expanduser(where)\n    written = 0\n    try:\n"
        "        for i in range(1000):\n"
        "            with open(f'{where}/f{i}', 'wb') as f:\n                f.write(bytes(1 << 20))\n"
        "            written += 1\n    except OSError:\n        pass\n    return written\n"
        "def forks(n):\n    made = 0\n    for _ in range(n):\n        try:\n"
        "            pid = os.fork()\n        except OSError:\n            break\n"
        "        if pid == 0:\n            time.sleep(5)\n            os._exit(0)\n"
        "        made += 1\n    return made\n"
        "def net():\n    import socket\n    try:\n        socket.create_connection(('1.1.1.1', 53), 0.5)\n"
        "        return True\n    except OSError:\n        return False\n")
    (root / "broken.py").write_text("def f(:\n    pass\n")
    return root


@contextlib.contextmanager
def opened(directory: Path, level: str | None = None, **limits):
    """A sandboxed target at ``level`` (the strongest that works when None), closed afterwards.

    Skipped where this machine cannot make that level's namespaces at all; a worker that fails
    inside namespaces the machine can make is a failure (it once hid a broken level here).
    """
    if level is not None:
        limits["levels"] = (level,)
    t = sandbox_target(directory, limits=Limits.from_env(**limits))
    try:
        try:
            t.isolation
        except SandboxUnavailable as exc:
            if level is not None and namespaces_work(level):
                raise
            pytest.skip(f"{level or 'no isolation level'} does not work here: {exc}")
        yield t
    finally:
        t.close()


@pytest.fixture(scope="module")
def target(submission):
    with opened(submission, call_timeout=1.0) as t:
        yield t


def test_reference_results_and_call_records(target):
    traj = target.gradient_descent.gd(lambda x: 2 * x, 10.0, 0.2, 3)
    assert np.allclose(traj, [10.0, 6.0, 3.6, 2.16])
    record = target.calls[-1]
    assert (record.module, record.function) == ("gradient_descent", "gd")
    assert record.args[1:] == (10.0, 0.2, 3) and np.allclose(record.result, traj)


def test_callbacks_generators_and_function_references(target):
    assert target.tools.call_back(np.tanh, 0.5) == pytest.approx(math.tanh(0.5))
    ours, theirs = np.random.default_rng(7), np.random.default_rng(7)
    a, b, c = target.tools.draw(ours, lambda rng, size: rng.uniform(size=size))
    assert np.array_equal(a, theirs.normal(size=2))
    assert np.array_equal(b, theirs.uniform(size=3))
    assert c == theirs.normal()
    # After the call our Generator is exactly where the worker's ended.
    assert ours.normal() == theirs.normal()
    schedule = target.gradient_descent.exponential_lr
    traj = target.gradient_descent.sgd(lambda x: 0 * x, 1.0, 0.1, 2, np.random.default_rng(0),
                                       noise_std=0.0, lr_schedule=schedule)
    assert np.allclose(traj, [1.0, 1.0, 1.0])


def test_a_callback_may_call_the_submission_again(target):
    g = target.gradient_descent
    traj = g.sgd(lambda x: 2 * x, 1.0, 0.1, 2, np.random.default_rng(0), noise_std=0.0,
                 lr_schedule=lambda t: g.exponential_lr(t, rate=0.5))
    # x_t = x_{t-1} * (1 - 0.2 * exp(-0.5 t))
    x1 = 1.0 - 0.2 * math.exp(-0.5)
    assert np.allclose(traj, [1.0, x1, x1 * (1.0 - 0.2 * math.exp(-1.0))])


def test_a_worker_dying_inside_a_nested_call_fails_both_calls_cleanly(target):
    with pytest.raises(SubmissionError, match="stopped the grading worker"):
        target.tools.call_back(lambda: target.tools.die())
    assert target.tools.call_back(abs, -4) == 4


def test_exceptions_come_back_by_kind(target):
    with pytest.raises(ValueError, match="positive"):
        target.tools.bad_value()
    with pytest.raises(np.linalg.LinAlgError):
        target.tools.singular()
    with pytest.raises(SubmissionError, match="raised RuntimeError: boom"):
        target.tools.runtime()
    with pytest.raises(SubmissionError, match="is not implemented yet"):
        target.tools.stub()
    with pytest.raises(SubmissionError, match=r"could not be imported: SyntaxError: .*\(line 1\)"):
        target.broken.f()
    with pytest.raises(SubmissionError, match="has no function `nope`"):
        target.tools.nope()


def test_timeouts_and_deaths_restart_the_worker(target):
    with pytest.raises(SubmissionError, match="timed out after 1 s: an infinite loop"):
        target.tools.spin()
    assert target.tools.call_back(abs, -2) == 2
    with pytest.raises(SubmissionError, match="stopped the grading worker"):
        target.tools.die()
    assert target.tools.call_back(abs, -3) == 3


def test_a_function_that_timed_out_gets_less_time_afterwards(submission):
    # A loop that never ends should cost its call timeout once per submission, not once per
    # test calling it; other functions keep the full timeout.
    t = sandbox_target(submission, limits=Limits.from_env(call_timeout=1.5, repeat_timeout=0.3))
    try:
        spent = []
        for _ in range(3):
            started = time.monotonic()
            with pytest.raises(SubmissionError, match="timed out") as caught:
                t.tools.spin()
            spent.append(time.monotonic() - started)
        assert spent[0] >= 1.5 and all(0.3 <= s < 1.2 for s in spent[1:]), spent
        assert "already timed out in an earlier test" in str(caught.value)
        assert t.tools.call_back(abs, -4) == 4
    finally:
        t.close()


def test_the_worker_is_isolated(target):
    """What each level promises (AUTOGRADER_SANDBOX_LEVELS=unshare runs this at a weaker level)."""
    level = target.isolation
    assert level != "none"
    if level.startswith(("bubblewrap", "unshare")):
        assert not target.tools.peek(str(REPO / "solutions" / "gradient_descent.py"))
        assert not target.tools.peek(str(REPO / "tests"))
        assert not target.tools.net()
    if "uid nobody" in level or "dedicated uid" in level:
        assert target.tools.uid() not in (0, os.getuid())


def test_processes_are_limited(target):
    if target.isolation.startswith("rlimits-only") and "dedicated uid" not in target.isolation:
        pytest.skip("RLIMIT_NPROC does not bind root, and counts every process of a shared uid")
    # The worker itself is one of its processes: at most `processes - 1` children.
    assert target.tools.forks(100) < Limits().processes


@pytest.mark.parametrize("level", ["bubblewrap", "unshare"])
def test_no_level_lets_a_worker_write_to_the_hosts_disk(level, submission):
    # The worker's HOME and TMPDIR live in its box, on the host's disk at the unshare level: a
    # bounded tmpfs covers them. Its submission is read-only to it under bubblewrap, and to a
    # worker with a uid of its own.
    with opened(submission, level) as t:
        assert t.tools.fill_tmp("~") <= Limits().tmp_bytes // 2**20
        if level == "bubblewrap" or "dedicated uid" in t.isolation or "uid nobody" in t.isolation:
            assert not t.tools.write_here()


@pytest.mark.parametrize("level", ["bubblewrap", "unshare"])
def test_no_level_lets_a_worker_change_the_graders_numpy(level, submission):
    # A worker that keeps the grader's uid (not root: a user namespace) owns the grader's virtual
    # environment: whatever it planted there, the grader's next run would import.
    numpy_dir = Path(np.__file__).resolve().parent
    with opened(submission, level) as t:
        assert not t.tools.write_into(str(numpy_dir))
    assert not (numpy_dir / "planted.py").exists()


@pytest.mark.parametrize("level", ["bubblewrap", "unshare"])
def test_no_level_shows_the_hosts_processes(level, submission):
    # Other processes' command lines (the grader's, another student's job) are in /proc.
    with opened(submission, level) as t:
        pids = t.tools.visible_pids()
        assert len(pids) <= 3, pids   # the worker (and bubblewrap's or unshare's init)


def test_the_submission_budget_is_enforced(submission):
    with opened(submission, call_timeout=0.5, submission_timeout=0.8) as t:
        with pytest.raises(SubmissionError, match="timed out"):
            t.tools.spin()
        with pytest.raises(SubmissionError, match="the rest of its 0.8 s time budget"):
            t.tools.spin()
        with pytest.raises(SubmissionError, match="was not run"):
            t.tools.call_back(abs, 1)


def test_the_private_tmp_is_bounded(target):
    if target.isolation.startswith("rlimits-only"):
        pytest.skip("rlimits-only has no private /tmp")
    for scratch in ("/tmp", "/var/tmp", "/dev/shm", "/dev"):
        assert target.tools.fill_tmp(scratch) <= Limits().tmp_bytes // 2**20, scratch


TAMPER = '''
import os, sys

def tamper(marker):
    """Rewrite the worker's own runtime and plant links beside it, as far as this uid can."""
    runtime = os.path.dirname(sys.modules["agworker"].__path__[0])
    box = os.path.dirname(runtime)
    done = []
    escape = "from __future__ import annotations\\nopen(%r, 'w').write('escaped')\\n" % marker
    for name in ("worker.py", "protocol.py", "isolation_inside.py"):
        path = os.path.join(runtime, "agworker", name)
        try:
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace("from __future__ import annotations\\n", escape, 1))
            done.append(name)
        except OSError:
            pass
    try:
        for name in os.listdir(os.path.join(runtime, "agworker", "__pycache__")):
            os.unlink(os.path.join(runtime, "agworker", "__pycache__", name))
        done.append("bytecode removed")
    except OSError:
        pass
    for name, points_to in (("worker-stderr.txt", marker + ".stderr"), ("submission", "/")):
        try:
            os.replace(os.path.join(box, name), os.path.join(box, name + ".old"))
            os.symlink(points_to, os.path.join(box, name))
            done.append(name)
        except OSError:
            pass
    return done

def die():
    os._exit(1)

def alive():
    return os.getuid()
'''


@pytest.mark.parametrize("level", ["bubblewrap", "unshare"])
def test_a_dead_workers_changes_to_its_box_never_reach_the_next_worker(level, tmp_path):
    # At the unshare level a worker runs its runtime's code before it walls itself off: a
    # submission that rewrote that code and then died had its code run by the next worker, as
    # root, with the host's file system in view (this test wrote `escaped` before the fix).
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "tamper.py").write_text(TAMPER)
    marker = tmp_path / "escaped"
    with opened(tmp_path / "sub", level) as t:
        t.tamper.tamper(str(marker))
        with pytest.raises(SubmissionError):
            t.tamper.die()
        uid = t.tamper.alive()        # a fresh worker, started from the same box
        assert t._worker.starts == 2
    assert not marker.exists() and not Path(str(marker) + ".stderr").exists()
    if os.geteuid() == 0:
        assert uid != 0


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a box to another uid needs root")
def test_a_box_is_reachable_by_its_own_worker_only_and_writable_in_its_scratch_only(tmp_path):
    from autograder.sandbox.isolation import SandboxDir

    (tmp_path / "sub" / "pkg").mkdir(parents=True)
    (tmp_path / "sub" / "pkg" / "m.py").write_text("x = 1\n")
    os.chmod(tmp_path / "sub" / "pkg" / "m.py", 0o600)     # whatever the grader's umask made
    box = SandboxDir(tmp_path / "sub", Limits.from_env())
    try:
        box.refresh(uid=1_900_000_123)
        root = box.root.stat()
        assert (root.st_uid, root.st_gid, root.st_mode & 0o777) == (0, 1_900_000_123, 0o750)
        assert box.tmp.stat().st_uid == 1_900_000_123
        for path in (box.submission, box.submission / "pkg", box.runtime / "agworker"):
            assert path.stat().st_uid == 0 and path.stat().st_mode & 0o777 == 0o755
        assert (box.submission / "pkg" / "m.py").stat().st_mode & 0o777 == 0o644
    finally:
        box.remove()


@pytest.mark.parametrize("level", ["bubblewrap", "unshare"])
def test_a_grader_with_a_strict_umask_still_starts_its_workers(level, submission):
    # Mount points, the runtime and the copy made under umask 077 would shut the worker's uid
    # out of the Python installation and of its own submission.
    old = os.umask(0o077)
    try:
        with opened(submission, level) as t:
            assert t.tools.call_back(abs, -3) == 3
    finally:
        os.umask(old)


@pytest.mark.skipif(os.geteuid() != 0, reason="the rlimits-only level gives root's workers a uid")
def test_rlimits_only_refuses_a_grader_whose_files_another_uid_could_read(tmp_path, monkeypatch):
    # Without a mount namespace only permissions hide the hidden tests from the worker's uid
    # (Gradescope's containers, say, where no namespace can be made).
    import tempfile

    from autograder.sandbox import isolation

    base = Path(tempfile.mkdtemp(dir="/var/tmp"))   # under a directory every uid may enter
    course = base / "course"
    (course / "tests" / "hidden").mkdir(parents=True)
    os.chmod(base, 0o755)
    monkeypatch.setattr(isolation, "grader_paths", lambda: [str(course)])
    monkeypatch.setattr(isolation, "_closed_to_others", lambda path: None)  # Python is open
    (tmp_path / "sub").mkdir()
    box = isolation.SandboxDir(tmp_path / "sub", Limits.from_env())
    try:
        for mode in (0o755, 0o711):   # listable or not: hidden/test_*.py names can be guessed
            os.chmod(course, mode)
            with pytest.raises(PermissionError, match=f"chmod 700 {course}"):
                isolation.plan("rlimits-only", box, Limits(), 3, 4)
        os.chmod(course, 0o700)
        launch = isolation.plan("rlimits-only", box, Limits(), 3, 4)
        assert launch.config["uid"] != 0
    finally:
        box.remove()
        shutil.rmtree(base)


def test_numpy_inside_a_hidden_directory_is_still_the_workers(submission, monkeypatch):
    # README's quick start makes the virtual environment inside the course checkout, which the
    # unshare level hides: the worker must get numpy back from under it, and nothing else.
    site_packages = Path(np.__file__).resolve().parent.parent
    monkeypatch.setenv("AUTOGRADER_SANDBOX_HIDE", str(site_packages))
    with opened(submission, "unshare") as t:
        assert t.tools.call_back(abs, -3) == 3
        assert t.tools.peek(str(site_packages / "numpy" / "__init__.py"))
        assert not t.tools.peek(str(site_packages / "pytest"))


def _reachable_python() -> str | None:
    """An interpreter of this Python version whose installation every uid can reach (the
    rlimits-only level runs the worker's uid with nothing hidden or exposed), or None."""
    from autograder.sandbox import isolation

    version = f"python{os.sys.version_info.major}.{os.sys.version_info.minor}"
    for candidate in (os.sys.executable, shutil.which(version), f"/usr/bin/{version}"):
        if not candidate or not os.path.exists(candidate):
            continue
        real = os.path.realpath(candidate)
        prefix = Path(real).parents[1]
        if isolation._closed_to_others(real) is None and \
                isolation._closed_to_others(str(prefix / "lib" / version)) is None:
            return real
    return None


def _rlimits_only_here(monkeypatch) -> None:
    """Let a root grader start rlimits-only workers in this test: nothing of the grader's to hide
    (the test's submission is all there is) and an interpreter every uid can reach."""
    from autograder.sandbox import isolation

    if os.geteuid() != 0:
        pytest.skip("only a root grader gives rlimits-only workers a uid of their own")
    python = _reachable_python()
    if python is None:
        pytest.skip("no Python installation here is reachable by other uids")
    import numpy
    closed = isolation._closed_to_others(str(Path(numpy.__file__).parent))
    if closed is not None:   # CI's virtual environment lives under a private mktemp folder
        pytest.skip(f"numpy is not reachable by other uids here (it would take: {closed})")
    monkeypatch.setattr(isolation, "grader_paths", lambda: [])
    monkeypatch.setattr(isolation, "_python", lambda: python)
    monkeypatch.setattr(isolation, "_closed_to_others", lambda path: None)


def _escapee_marked(marker: str) -> list[int]:
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() in f.read():
                    pids.append(int(pid))
        except OSError:
            pass
    return pids


@pytest.mark.parametrize("level", ["bubblewrap", "unshare", "rlimits-only"])
@pytest.mark.parametrize("how", ["close", "timeout"])
def test_no_process_a_submission_starts_outlives_its_worker(level, how, tmp_path, monkeypatch):
    # A process in a session of its own (a double fork and setsid) leaves the worker's process
    # group: once the worker is ended (closed after grading, or killed at a timeout) it must be
    # dead too, before anything is written. The rlimits-only level has no pid namespace to end.
    if level == "rlimits-only":
        _rlimits_only_here(monkeypatch)
    marker = f"AUTOGRADER-ESCAPEE-{level}-{how}-{os.getpid()}"
    (tmp_path / "escape.py").write_text(
        "import os, subprocess, sys\n"
        "def escape():\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        f"            os.execv(sys.executable, [sys.executable, '-S', '-c', 'import time; time.sleep(60) # {marker}'])\n"
        "        os._exit(0)\n"
        "    child = subprocess.Popen([sys.executable, '-S', '-c',\n"
        f"                              'import time; time.sleep(60) # {marker}'],\n"
        "                             start_new_session=True)\n"
        "    return child.pid\n"
        "def spin():\n"
        "    while True:\n"
        "        pass\n")
    with opened(tmp_path, level, call_timeout=1.0) as t:
        assert t.isolation.startswith(level)
        t.escape.escape()
        deadline = time.monotonic() + 5
        while len(_escapee_marked(marker)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(_escapee_marked(marker)) == 2, "the escapees never started"
        if how == "timeout":
            with pytest.raises(SubmissionError, match="timed out"):
                t.escape.spin()
            assert not _escapee_marked(marker)
    assert not _escapee_marked(marker)
