"""`autograder progress` and `autograder watch`, run as a student would, in a student-like tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def student_tree(tmp_path: Path) -> Path:
    """The shape of a student release: stubs, public tests, the public engine, the plugin."""
    for name in ("assignments", "autograder"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests" / "public", tmp_path / "tests" / "public",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npythonpath = ["."]\nautograder_target = "assignments"\n')
    # A release zip gives every file one fixed timestamp; the student's edits are newer.
    for path in (tmp_path / "assignments").glob("*.py"):
        os.utime(path, (RELEASED, RELEASED))
    return tmp_path


RELEASED = 315532800    # 1980-01-01, a zip's earliest time


def edit(path: Path, text: str, *, seconds_after_release: int = 100) -> None:
    path.write_text(text)
    os.utime(path, (RELEASED + seconds_after_release, RELEASED + seconds_after_release))


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_progress_on_the_stubs_points_at_the_first_exercise(student_tree):
    out = cli("progress", cwd=student_tree).stdout
    assert "Progress: 0/" in out
    assert "Next: gd (Gradient descent)" in out
    assert "not implemented yet" in out


def test_progress_counts_a_finished_exercise(student_tree):
    shutil.copy(ROOT / "solutions" / "gradient_descent.py",
                student_tree / "assignments" / "gradient_descent.py")
    out = cli("progress", cwd=student_tree).stdout
    assert "✓ gd" in out and "✓ adam" in out
    assert "Next: gd" not in out


def test_watch_reruns_when_a_file_changes(student_tree):
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "watch", "--max-runs", "2"],
                            cwd=student_tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + 120
    while "watching" not in "".join(lines) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "✗ gd" in "".join(lines)
    time.sleep(0.5)  # let the watcher settle before the change
    shutil.copy(ROOT / "solutions" / "gradient_descent.py",
                student_tree / "assignments" / "gradient_descent.py")
    proc.wait(timeout=120)
    reader.join(timeout=5)
    second = "".join(lines).split("watching")[1]
    assert "✓ gd" in second


def test_progress_shows_the_exercise_whose_file_changed_last(student_tree):
    # The student works on normalization.py (batchnorm): that is what progress shows, not gd.
    stub = student_tree / "assignments" / "normalization.py"
    edit(stub, stub.read_text() + "\n# working on it\n")
    out = cli("progress", cwd=student_tree).stdout
    assert "Working on: batchnorm" in out and "Next: gd" not in out


def test_progress_shows_the_exercise_asked_for(student_tree):
    out = cli("progress", "adam", cwd=student_tree).stdout
    assert "Working on: adam (Adam)" in out
    bad = cli("progress", "no_such_exercise", cwd=student_tree)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1 and "no exercise 'no_such_exercise'" in bad.stderr
