"""grade-all: discovery of export layouts, the gradebook's guarantees, crash safety, Dask."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from autograder.batch.discover import discover, pack_directory
from autograder.batch.gradebook import Gradebook
from autograder.course import load_course
from autograder.feedback import Feedback
from autograder.results import Results
from autograder.results import TestResult as Row  # not collected as a test class

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
STUBS = ROOT / "assignments"


#: Notebook exercises (the Keras lab): no module submission here hands their notebook in.
NOTEBOOKS = {ex.id for ex in load_course().exercises if ex.is_notebook}

def copy_modules(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for f in src.glob("*.py"):
        if f.name != "__init__.py":
            shutil.copy(f, dst / f.name)
    return dst


# --- discovery ------------------------------------------------------------------------------

def test_plain_layout_finds_every_kind_of_entry(tmp_path):
    copy_modules(SOLUTIONS, tmp_path / "alice")
    (tmp_path / "bob.py").write_text("def gd(grad, x0, eta, n):\n    return None\n")
    (tmp_path / "carol.ipynb").write_text("{}")
    with zipfile.ZipFile(tmp_path / "dave.zip", "w") as zf:
        zf.writestr("gradient_descent.py", "x = 1\n")
    (tmp_path / "notes.txt").write_text("not a submission")
    found = {s.student: s.suffix for s in discover(tmp_path)}
    assert found == {"alice": ".zip", "bob": ".py", "carol": ".ipynb", "dave": ".zip"}


def test_directory_hash_ignores_timestamps_and_caches(tmp_path):
    sub = copy_modules(SOLUTIONS, tmp_path / "s")
    before = pack_directory(sub)
    os.utime(sub / "dropout.py", (1, 1))
    (sub / "__pycache__").mkdir()
    (sub / "__pycache__" / "x.pyc").write_bytes(b"junk")
    assert pack_directory(sub) == before
    (sub / "dropout.py").write_text("changed = True\n")
    assert pack_directory(sub) != before


def test_gradescope_export_reads_students_from_metadata(tmp_path):
    for sid in ("submission_101", "submission_102"):
        copy_modules(SOLUTIONS, tmp_path / sid)
    (tmp_path / "submission_metadata.yml").write_text(textwrap.dedent("""\
        submission_101:
          :submitters:
          - :name: Ada Lovelace
            :sid: '1815'
            :email: ada@example.org
          :score: 0.0
        submission_102:
          :submitters:
          - :name: Alan Turing
            :email: alan@example.org
        """))
    assert sorted(s.student for s in discover(tmp_path)) == ["1815", "alan@example.org"]


def test_github_classroom_export_drops_the_assignment_prefix(tmp_path):
    for user in ("octocat", "hubot", "mona-lisa"):
        copy_modules(SOLUTIONS, tmp_path / f"optim-hw1-{user}")
    assert sorted(s.student for s in discover(tmp_path)) == ["hubot", "mona-lisa", "octocat"]


def test_two_submissions_for_one_student_are_refused(tmp_path):
    copy_modules(SOLUTIONS, tmp_path / "amy")
    (tmp_path / "amy.py").write_text("x = 1\n")
    with pytest.raises(ValueError, match="amy"):
        discover(tmp_path)


# --- the gradebook --------------------------------------------------------------------------

def fake_results(n: int, passed: int) -> Results:
    tests = [Row(nodeid=f"t{i}", name=f"t{i}", exercise="gd", suite="public",
                        status="passed" if i < passed else "failed", max_score=1.0,
                        score=1.0 if i < passed else 0.0,
                        feedback=None if i < passed else Feedback("wrong", misconception="gd-ascent"))
             for i in range(n)]
    return Results(tests=tests, target="x")


def test_record_is_all_or_nothing(tmp_path):
    db = tmp_path / "g.sqlite"
    with Gradebook(db) as book:
        book.record(student="a", sha256="h1", engine_version="v", source="a", results=fake_results(3, 2),
                    error=None, started_at=1.0, duration_s=0.1)
        broken = fake_results(3, 1)
        broken.tests.append(broken.tests[0])  # duplicate primary key: the insert fails midway
        with pytest.raises(sqlite3.IntegrityError):
            book.record(student="b", sha256="h2", engine_version="v", source="b", results=broken,
                        error=None, started_at=2.0, duration_s=0.1)
        assert [r.student for r in book.submissions()] == ["a"]
        assert len(book.per_test()) == 3
        # Regrading replaces, never duplicates.
        book.record(student="a", sha256="h1", engine_version="v", source="a", results=fake_results(3, 3),
                    error=None, started_at=3.0, duration_s=0.1)
        assert [(r.student, r.score) for r in book.submissions()] == [("a", 3.0)]
        assert len(book.per_test()) == 3
        assert book.integrity_ok()


def test_exports(tmp_path):
    from autograder.batch.exports import export_all

    with Gradebook(tmp_path / "g.sqlite") as book:
        book.record(student="a", sha256="h1", engine_version="v", source="a", results=fake_results(4, 1),
                    error=None, started_at=1.0, duration_s=0.1)
        book.record(student="b", sha256="h2", engine_version="v", source="b", results=None,
                    error="could not grade: timed out after 5 s", started_at=2.0, duration_s=5.0)
        paths = export_all(book, tmp_path / "out")
    students = (tmp_path / "out" / "students.csv").read_text().splitlines()
    assert students[1].startswith("a,h1,graded,1.0,4.0")
    assert "timed out" in students[2]
    tests = (tmp_path / "out" / "tests.csv").read_text()
    assert "gd-ascent" in tests and tests.count("\n") == 5
    assert (tmp_path / "out" / "histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(paths) == 4


# --- grading a class ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_class(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("class")
    copy_modules(SOLUTIONS, d / "ref")
    copy_modules(STUBS, d / "stub")
    broken = copy_modules(SOLUTIONS, d / "broken")
    (broken / "dropout.py").write_text("def keep_probability(:\n")
    (d / "ascent.py").write_text((SOLUTIONS / "gradient_descent.py").read_text().replace(
        "x = x - eta * np.asarray(grad(x)", "x = x + eta * np.asarray(grad(x)"))
    return d


def scores(db: Path) -> dict[str, tuple[float, float, str]]:
    with Gradebook(db) as book:
        return {r.student: (r.score, r.max_score, r.status) for r in book.submissions()}


def module_points(db: Path, student: str) -> float:
    """The student's maximum without the notebook exercises (no submission here hands one in)."""
    with Gradebook(db) as book:
        return sum(row[5] for row in book.per_test() if row[0] == student and row[1] not in NOTEBOOKS)


def test_workers_hide_the_class_and_the_gradebook_from_submissions(tmp_path, monkeypatch):
    # Where the sandbox can only hide a deny-list (unshare), one student's code must not read
    # another's submission or the gradebook: the batch adds both to the grader's hidden paths.
    from autograder.batch.runner import _class_paths, _LocalWorker

    monkeypatch.setenv("AUTOGRADER_SANDBOX_HIDE", "/already/hidden")
    worker = _LocalWorker(True, _class_paths(tmp_path / "class", tmp_path / "books" / "g.sqlite"))
    hidden = worker.env["AUTOGRADER_SANDBOX_HIDE"].split(os.pathsep)
    assert hidden == ["/already/hidden", str((tmp_path / "class").resolve()),
                      str((tmp_path / "books").resolve())]


def test_grade_all_scores_skips_and_regrades(small_class, tmp_path):
    from autograder.batch.runner import grade_all

    db = tmp_path / "g.sqlite"
    summary = grade_all(small_class, db_path=db, jobs=2)
    assert (summary.graded, summary.errors, summary.skipped) == (4, 0, 0)
    got = scores(db)
    full = got["ref"][1]
    # The reference modules hand in no lab notebook: every point but the lab's.
    with Gradebook(db) as book:
        lab = sum(row[5] for row in book.per_test() if row[0] == "ref" and row[1] in NOTEBOOKS)
    assert full > lab > 0 and got["ref"] == (full - lab, full, "graded")
    assert got["stub"][0] == 0.0
    assert 0 < got["broken"][0] < full      # only the dropout exercise is lost
    assert 0 < got["ascent"][0] < full
    again = grade_all(small_class, db_path=db, jobs=2)
    assert (again.graded, again.skipped) == (0, 4)
    forced = grade_all(small_class, db_path=db, jobs=1, regrade=True)
    assert forced.graded == 4 and scores(db) == got


def test_killed_batch_resumes_without_losing_or_duplicating(small_class, tmp_path):
    many = tmp_path / "many"
    for i in range(8):
        copy_modules(SOLUTIONS if i % 2 else STUBS, many / f"s{i}")
    db = tmp_path / "g.sqlite"
    cmd = [sys.executable, "-m", "autograder", "grade-all", str(many), "-j", "1", "--db", str(db)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    graded = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db) as con:
                    graded = con.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
            except sqlite3.OperationalError:
                graded = 0
            if graded >= 2:
                break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 2 <= graded < 8, "the batch should be killed midway"
    with Gradebook(db) as book:
        assert book.integrity_ok()
        counts = book.db.execute(
            "SELECT s.student, COUNT(r.nodeid) FROM submissions s LEFT JOIN results r"
            " ON r.submission_id = s.id GROUP BY s.id").fetchall()
        assert len({n for _, n in counts}) == 1 and counts[0][1] > 0  # no partial rows
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=300)
    with Gradebook(db) as book:
        rows = book.submissions()
        assert sorted(r.student for r in rows) == [f"s{i}" for i in range(8)]  # each exactly once
        assert book.integrity_ok()


def test_a_hanging_submission_costs_only_its_own_grade(tmp_path):
    from autograder.batch.runner import grade_all

    d = tmp_path / "class"
    copy_modules(SOLUTIONS, d / "ok")
    hang = copy_modules(SOLUTIONS, d / "hang")
    (hang / "activations.py").write_text("while True:\n    pass\n")
    summary = grade_all(d, db_path=tmp_path / "g.sqlite", jobs=2, timeout_s=60)
    got = scores(tmp_path / "g.sqlite")
    assert got["ok"][0] == module_points(tmp_path / "g.sqlite", "ok") > 0
    # Either the sandbox's own timeout caught it (graded, activations lost) or the batch did.
    assert got["hang"][0] < got["ok"][0]
    assert summary.graded + summary.errors == 2


def test_jobs_in_flight_behind_a_killed_one_are_graded_by_a_fresh_worker(tmp_path):
    # One worker, two jobs in flight: the first overruns the batch's timeout (its import spins
    # longer than the sandbox's own import limit), so the worker is killed with the second job
    # already sent to it; that job must be sent again, not lost or recorded as an error.
    from autograder.batch.runner import grade_all

    d = tmp_path / "class"
    hang = copy_modules(SOLUTIONS, d / "a_hang")
    (hang / "activations.py").write_text("while True:\n    pass\n")
    copy_modules(SOLUTIONS, d / "b_ok")
    copy_modules(STUBS, d / "c_stub")
    summary = grade_all(d, db_path=tmp_path / "g.sqlite", jobs=1, timeout_s=8)
    got = scores(tmp_path / "g.sqlite")
    assert got["a_hang"][2] != "graded" and summary.errors == 1
    assert got["b_ok"][0] == module_points(tmp_path / "g.sqlite", "b_ok") > 0 and got["b_ok"][2] == "graded"
    assert got["c_stub"] == (0.0, got["b_ok"][1], "graded")


def _soft_data_limit(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max data size"):
            return line.split()[3]
    return "?"


def test_the_batch_grading_processes_run_under_a_memory_ceiling(monkeypatch):
    from autograder.batch.runner import _LocalWorker

    monkeypatch.setenv("AUTOGRADER_BATCH_MEMORY_BYTES", str(3 * 2**30))
    worker = _LocalWorker(True)
    worker._start()
    try:
        deadline = time.monotonic() + 60
        while _soft_data_limit(worker.proc.pid) != str(3 * 2**30):
            assert worker.proc.poll() is None and time.monotonic() < deadline, \
                _soft_data_limit(worker.proc.pid)
            time.sleep(0.1)
    finally:
        worker.kill()


def test_the_ceiling_stops_the_grader_but_not_the_submissions_worker(tmp_path):
    # Under a 1 GiB ceiling the grader cannot build 2 GB; a submission may still use its own
    # memory (up to its worker's RLIMIT_AS): the ceiling is the grader's, not the sandbox's.
    (tmp_path / "hog.py").write_text("def hog(n):\n    return len(bytearray(n))\n")
    script = textwrap.dedent(f"""
        from autograder.batch.worker import limit_memory
        from autograder.sandbox.proxy import sandbox_target
        limit_memory({2**30})
        target = sandbox_target({str(tmp_path)!r})
        print("worker", target.hog.hog(1_200_000_000))
        target.close()
        try:
            bytearray(2 * 10**9)
            print("grader allocated")
        except MemoryError:
            print("grader MemoryError")
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.stdout.split("\n")[:2] == ["worker 1200000000", "grader MemoryError"], proc.stderr


def test_dask_grades_one_submission_a_task_and_a_lost_one_costs_only_its_own_grade(monkeypatch):
    # One submission a task, so Dask balances the class one submission at a time (one slow
    # submission holds up no others); a task whose worker was lost (after Dask's own retries)
    # is an error for that submission only. The workers' grading sessions are started by a
    # plugin registered before any task, and ended when a cluster of its own outlives the batch.
    distributed = pytest.importorskip("distributed")
    from autograder.batch.discover import Submission
    from autograder.batch.on_dask import DaskGrading, GradingSessions

    class Future:
        def __init__(self, packed):
            self.packed = packed

        def result(self):
            assert len(self.packed) == 1
            if self.packed[0][0] == "bob":
                raise RuntimeError("the worker running this task was lost")
            return [{"error": f"graded {self.packed[0][0]}"}]

    class Client:
        keys: list = []
        calls: list = []

        def __init__(self, address):
            pass

        def register_plugin(self, plugin):
            Client.calls.append(("register", type(plugin), plugin.isolate))

        def unregister_worker_plugin(self, name):
            Client.calls.append(("unregister", name))

        def submit(self, func, packed, isolate, pure, key):
            Client.calls.append(("submit", packed[0][0]))
            Client.keys.append(key)
            return Future(packed)

        def close(self):
            Client.calls.append(("close",))

    monkeypatch.setattr(distributed, "Client", Client)
    monkeypatch.setattr(distributed, "as_completed", lambda futures: list(futures))
    # Two students with identical bytes: their tasks must still have keys of their own.
    subs = [Submission(name, name, ".py", b"x = 1\n") for name in ("ann", "bob", "cy")]
    dask = DaskGrading("tcp://nowhere:8786", isolate=True)
    try:
        outcomes = list(dask.grade(subs))
    finally:
        dask.close()
    assert sorted((sub.student, reply["error"]) for sub, reply in outcomes) == [
        ("ann", "graded ann"),
        ("bob", "could not grade: RuntimeError: the worker running this task was lost"),
        ("cy", "graded cy")]
    assert len(Client.keys) == len(set(Client.keys)) == 3
    assert Client.calls == [("register", GradingSessions, True), ("submit", "ann"),
                            ("submit", "bob"), ("submit", "cy"),
                            ("unregister", GradingSessions.name), ("close",)]


def test_dask_local_cluster_gives_the_same_gradebook_rows(small_class, tmp_path):
    pytest.importorskip("distributed")
    from autograder.batch.runner import grade_all

    local_db, dask_db = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    grade_all(small_class, db_path=local_db, jobs=2)
    summary = grade_all(small_class, db_path=dask_db, scheduler="local:2")
    assert summary.graded == 4
    assert scores(dask_db) == scores(local_db)
    with Gradebook(local_db) as local, Gradebook(dask_db) as dask:
        assert dask.per_test() == local.per_test() and len(local.per_test()) > 4 * 100


def test_a_dask_worker_keeps_one_grading_session_across_its_tasks(monkeypatch):
    # The plugin starts the worker's session when the worker starts, before any task; the tests
    # are collected once per worker process, not once per task, and each task still gets one
    # reply per submission, in order.
    pytest.importorskip("distributed")
    from autograder import grading
    from autograder.batch import worker
    from autograder.batch import on_dask
    from autograder.batch.on_dask import GradingSessions

    sessions, ceilings = [], []
    # The worker process goes under the grader's memory ceiling; not this test's process.
    monkeypatch.setattr(on_dask, "limit_memory", lambda: ceilings.append(1))
    real_run_session = grading.run_session

    def counted(*args, **kwargs):
        sessions.append(1)
        return real_run_session(*args, **kwargs)

    monkeypatch.setattr(grading, "run_session", counted)
    monkeypatch.setattr(worker, "_SESSIONS", {})
    right = (ROOT / "solutions" / "gradient_descent.py").read_bytes()
    wrong = b"def gd(*args, **kwargs):\n    raise NotImplementedError\n"
    plugin = GradingSessions(isolate=False)
    plugin.setup(worker=None)
    started = worker._SESSIONS[False]
    try:
        first = worker.grade_payloads([("ann", ".py", right), ("bob", ".py", wrong)], isolate=False)
        second = worker.grade_payloads([("cy", ".py", wrong)], isolate=False)
        assert worker._SESSIONS[False] is started
    finally:
        plugin.teardown(worker=None)
    assert len(sessions) == 1 and not started.alive and worker._SESSIONS == {}
    assert ceilings == [1]
    scores = [reply["results"]["score"] for reply in first + second]
    assert scores[0] > 0 and scores[1] == 0 and scores[2] == 0
