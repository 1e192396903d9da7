"""A fresh ``autograder`` process skips the collector during start-up and the interpreter's
tear-down (autograder/startup.py), and ends exactly as a normal exit would."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder import startup
from autograder.cli import EXIT_GRADED, main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "submission"
GD_TESTS = ROOT / "tests" / "public" / "test_gradient_descent.py"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def collector_restored():
    """The collector as the test found it (a test that freezes unfreezes)."""
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()
    startup._deferred = False


def test_the_collector_is_off_until_resumed_then_frozen_and_on(collector_restored):
    gc.enable()
    startup.defer_gc()
    assert not gc.isenabled()
    startup.resume_gc()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    startup.resume_gc()          # once only: a second session leaves it alone
    assert gc.isenabled()


def test_a_collector_already_off_is_left_off(collector_restored):
    gc.disable()
    startup.defer_gc()
    startup.resume_gc()          # not ours to turn on
    assert not gc.isenabled()


def test_grading_in_a_program_that_imports_the_grader_keeps_the_collector(capsys):
    assert not startup.own_process and gc.isenabled()
    frozen = gc.get_freeze_count()
    assert main(["grade", str(EXAMPLE), "--tests", str(GD_TESTS), "--format", "json"]) == EXIT_GRADED
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def _program(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    """Run ``body`` in a fresh interpreter that imports the grader."""
    script = tmp_path / "program.py"
    script.write_text(textwrap.dedent(body))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, env=ENV, timeout=120)


def test_the_program_grades_with_the_collector_resumed_after_collection(tmp_path):
    # What `autograder grade` does, with a look at the collector when the first test runs and
    # when grading is done.
    proc = _program(tmp_path, f"""
        import gc, sys
        from autograder import cli, grading, session, startup
        seen = []
        run_session = grading.run_session
        def start(*args, **kwargs):
            seen.append(("collecting", gc.isenabled()))
            return run_session(*args, **kwargs)
        grading.run_session = start
        first = session._ThinRunner.run
        def run(self, state):
            seen.append(("first test", gc.isenabled(), gc.get_freeze_count() > 0))
            return first(self, state)
        session._ThinRunner.run = run
        startup.own_process = True
        print(cli.main(["grade", {str(EXAMPLE)!r}, "--tests", {str(GD_TESTS)!r},
                        "--format", "json", "--output", "r.json"]), seen, gc.isenabled())
        """)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == str(EXIT_GRADED)
    assert "[('collecting', False), ('first test', True, True)] True" in proc.stdout


def test_exit_now_runs_atexit_flushes_and_keeps_the_code(tmp_path):
    proc = _program(tmp_path, """
        import atexit, sys
        from autograder import startup
        atexit.register(lambda: print("atexit ran"))
        sys.stdout.write("unflushed line\\n")      # a pipe: block-buffered, not yet written
        startup.exit_now(3)
        print("never")
        """)
    assert proc.returncode == 3
    assert proc.stdout.splitlines() == ["unflushed line", "atexit ran"]


def test_the_program_s_exit_codes_are_the_commands(tmp_path):
    run = lambda *args: subprocess.run([sys.executable, "-m", "autograder", *args],  # noqa: E731
                                       capture_output=True, text=True, cwd=tmp_path, env=ENV,
                                       timeout=120)
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("autograder ")
    assert run("no-such-command").returncode == 2
    assert run("grade", str(tmp_path / "missing")).returncode == 2
    graded = run("grade", str(EXAMPLE), "--tests", str(GD_TESTS), "--format", "markdown")
    assert graded.returncode == EXIT_GRADED, graded.stderr
    # Written to a pipe and flushed before the process ended: the whole report.
    assert graded.stdout.startswith("# Autograder: 75 / ") and graded.stdout.endswith("\n")


def test_under_a_profiler_the_program_exits_the_normal_way(tmp_path):
    # cProfile writes its file after the program returns: a skipped tear-down would lose it.
    proc = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(tmp_path / "p.prof"),
                           "-m", "autograder", "--version"],
                          capture_output=True, text=True, cwd=tmp_path, env=ENV, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "p.prof").stat().st_size > 0


def test_while_another_thread_runs_the_program_exits_the_normal_way(tmp_path):
    # A normal exit waits for a thread that is not a daemon; so does exit_now then.
    proc = _program(tmp_path, """
        import threading, time
        from autograder import startup
        threading.Thread(target=lambda: (time.sleep(0.3), print("thread done"))).start()
        startup.exit_now(4)
        """)
    assert proc.returncode == 4
    assert proc.stdout.splitlines() == ["thread done"]
