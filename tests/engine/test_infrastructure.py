"""A grading the machine could not do is never a student's zero (issue 24).

Each way the grader can fail to start (every isolation level refused, the worker dying before its
first message, an unreadable ground truth) is graded for real, by ``autograder grade`` in a
process of its own (the levels a process found refused are remembered for its lifetime, so no
other test may inherit them), and must give the same outcome: exit code 2, no test and no score in
the results, and in every report format one line that says what failed and how to fix it and
nothing aimed at the student's code.
"""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograder import infrastructure
from autograder.cli import EXIT_NOT_GRADED
from autograder.grading import REPO_ROOT
from autograder.reporters import FORMATS, render
from autograder.results import Results
from autograder.results import TestResult as _TestResult

jsonschema = pytest.importorskip("jsonschema")

EXAMPLE = REPO_ROOT / "examples" / "submission"
#: A public test file and a hidden one that reads the ground truth: enough to reach every failure.
TESTS = [REPO_ROOT / "tests" / "public" / "test_gradient_descent.py",
         REPO_ROOT / "tests" / "hidden" / "test_gradient_descent.py"]
SCHEMAS = Path(__file__).parent / "schemas"
#: Words that would blame the student, or show a score.
BLAME = ("Your code raised", "run the public tests locally", "Score:", "points", "/ ")
#: An interpreter and numpy cannot start in 30 MB: the worker dies before its first message.
TOO_LITTLE_MEMORY = "30000000"


def _grade(*args: str, env: dict | None = None, code: str | None = None,
           ) -> subprocess.CompletedProcess:
    """``autograder grade EXAMPLE --tests ... ARGS`` in a fresh process (``code``: run first)."""
    argv = ["grade", str(EXAMPLE), *(f"--tests={t}" for t in TESTS if t.exists()), *args]
    prelude = code or ""
    script = f"{prelude}\nimport sys\nfrom autograder.cli import main\nsys.exit(main({argv!r}))"
    return subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=300)


def _no_tool_path(tmp_path: Path) -> str:
    """A PATH on which neither bwrap nor unshare can be found (the grader looks them up there)."""
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    return str(empty)


@pytest.fixture
def open_directory():
    """A directory every uid may enter (pytest's own tmp_path is root's alone): rlimits-only
    refuses a grader whose files lie in one."""
    where = tempfile.mkdtemp(prefix="autograder-open-", dir="/var/tmp")
    os.chmod(where, 0o755)
    yield Path(where)
    shutil.rmtree(where)


def _refusing(level: str, tmp_path: Path, open_directory: Path) -> dict:
    env = {"AUTOGRADER_SANDBOX_LEVELS": level}
    if level in ("bubblewrap", "unshare"):
        env["PATH"] = _no_tool_path(tmp_path)
    else:
        if os.geteuid() != 0:
            pytest.skip("rlimits-only refuses only a grader that runs as root")
        env["AUTOGRADER_SANDBOX_HIDE"] = str(open_directory)
    return env


WHY = {"bubblewrap": "bwrap is not installed", "unshare": "unshare is not installed",
       "rlimits-only": "it would"}


def _not_graded(proc: subprocess.CompletedProcess) -> Results:
    """The run's results, checked for the outcome every infrastructure failure must have."""
    assert proc.returncode == EXIT_NOT_GRADED, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    validator = jsonschema.Draft202012Validator(
        json.loads((SCHEMAS / "results.schema.json").read_text(encoding="utf-8")))
    validator.validate(data)
    assert data["score"] is None and data["max_score"] is None and data["tests"] == []
    results = Results.from_dict(data)
    assert results.infrastructure_error and ". To fix: " in results.infrastructure_error
    assert "\n" not in results.infrastructure_error
    # The log says what happened: not that the submission ran anywhere.
    assert "ran in the grader's process" not in proc.stderr
    assert "Not graded: the grading machine failed" in proc.stderr
    return results


def _check_every_format(results: Results) -> None:
    line = infrastructure.one_line(results.infrastructure_error)
    for fmt in FORMATS:
        text = render(results, fmt)
        # (the terminal table wraps the line to its width; HTML escapes quotes; markdown puts
        # a backslash before the characters it would read as markup)
        shown = infrastructure.one_line(text).replace("&quot;", '"').replace("&#x27;", "'")
        if fmt == "markdown":
            shown = re.sub(r"\\(.)", r"\1", shown)
        assert line[:80] in shown, fmt
        for word in BLAME:
            assert word not in text, (fmt, word)
    gradescope = json.loads(render(results, "gradescope"))
    assert "score" not in gradescope and gradescope["tests"] == []
    exercism = json.loads(render(results, "exercism"))
    assert exercism["status"] == "error" and exercism["tests"] == []
    suites = ET.fromstring(render(results, "junit"))
    assert suites.get("errors") == "1" and suites.get("failures") == "0"


@pytest.mark.parametrize("level", ["bubblewrap", "unshare", "rlimits-only"])
def test_a_refused_level_is_not_graded_in_every_format(level, tmp_path, open_directory):
    results = _not_graded(_grade("--format=json", env=_refusing(level, tmp_path, open_directory)))
    assert results.infrastructure_error.startswith(
        f"no isolation level could start the grading worker: {level}: {WHY[level]}")
    assert results.isolation == "not started"
    _check_every_format(results)


def test_a_worker_dying_before_its_first_message_is_not_graded_and_says_why_the_same_way_twice():
    env = {"AUTOGRADER_SANDBOX_MEMORY_BYTES": TOO_LITTLE_MEMORY}
    first = _not_graded(_grade("--format=json", "--no-timings", env=env))
    assert "ended before its first message" in first.infrastructure_error
    # The box's random path never reaches the line: the same failure reads the same.
    assert "autograder-sandbox-" not in first.infrastructure_error
    second = _not_graded(_grade("--format=json", "--no-timings", env=env))
    assert first.to_json() == second.to_json()
    _check_every_format(first)


@pytest.mark.parametrize("content", ["{ not json", '{"format": 0, "entries": {}}'])
def test_an_unreadable_ground_truth_is_not_graded(content, tmp_path):
    if not TESTS[1].exists():
        pytest.skip("only the instructor's checkout has the hidden tests that read ground truth")
    bad = tmp_path / "cache.json"
    bad.write_text(content, encoding="utf-8")
    proc = _grade("--format=json", code=f"import autograder.ground_truth as g, pathlib\n"
                                        f"g.CACHE = pathlib.Path({str(bad)!r})")
    results = _not_graded(proc)
    assert results.infrastructure_error.startswith(f"the ground truth {bad} ")
    assert "autograder.ground_truth --rebuild" in results.infrastructure_error
    _check_every_format(results)


def test_gradescope_gets_no_results_file_when_the_machine_failed(tmp_path):
    out = tmp_path / "results" / "results.json"
    out.parent.mkdir()
    out.write_text('{"score": 5, "tests": []}')          # a stale file must not stand in
    proc = _grade("--format=gradescope", f"--output={out}",
                  env={"AUTOGRADER_SANDBOX_MEMORY_BYTES": TOO_LITTLE_MEMORY})
    assert proc.returncode == EXIT_NOT_GRADED
    assert not out.exists()
    assert "Not graded: the grading machine failed" in proc.stderr


def test_a_swallowed_sandbox_failure_still_leaves_the_submission_not_graded():
    # A test that catches every exception (tests/hidden/test_mutants_second_order.py does) must
    # not turn the machine's failure into the student's: the target remembers it.
    from autograder.sandbox.proxy import GradingWorker, SandboxUnavailable, SandboxTarget

    target = SandboxTarget.__new__(SandboxTarget)
    target._worker = GradingWorker.__new__(GradingWorker)
    target._worker.unavailable = SandboxUnavailable("no level", "install bubblewrap")
    assert str(target.infrastructure_error) == "no level. To fix: install bubblewrap."


def test_grade_all_records_the_machines_failure_as_an_error_to_retry(tmp_path, monkeypatch):
    from autograder.batch.gradebook import INFRASTRUCTURE_PREFIX, Gradebook
    from autograder.batch.runner import grade_all

    course = tmp_path / "class" / "alice"
    course.mkdir(parents=True)
    for module in EXAMPLE.glob("*.py"):
        (course / module.name).write_text(module.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "gradebook.sqlite"
    monkeypatch.setenv("AUTOGRADER_SANDBOX_MEMORY_BYTES", TOO_LITTLE_MEMORY)
    failed = grade_all(course.parent, db_path=db, jobs=1)
    assert (failed.graded, failed.errors) == (0, 1)
    with Gradebook(db) as book:
        (row,) = book.submissions()
        assert row.status == "error" and row.error.startswith(INFRASTRUCTURE_PREFIX)
        assert row.score == 0 and row.max_score == 0       # no grade, not a zero out of 327
        assert book.per_test() == []
    monkeypatch.delenv("AUTOGRADER_SANDBOX_MEMORY_BYTES")
    retried = grade_all(course.parent, db_path=db, jobs=1)     # no --regrade: it is retried
    assert (retried.graded, retried.skipped) == (1, 0)
    with Gradebook(db) as book:
        (row,) = book.submissions()
        assert row.status == "graded" and row.max_score > 0


def test_the_results_of_a_failed_machine_carry_no_test_even_when_tests_ran():
    ran = Results(tests=[_TestResult("t::a", "a", "gd", "public", "error", 2.0, 0.0)],
                  infrastructure_error="the ground truth cannot be read. To fix: rebuild it.")
    settled = ran.settled()
    assert settled.tests == [] and settled.to_dict()["score"] is None
    assert not settled.graded and Results.from_dict(settled.to_dict()) == settled


def test_the_rlimits_only_refusal_names_the_directory_to_open(open_directory):
    from autograder.sandbox.isolation import _closed_to_others

    closed = open_directory / "closed"
    (closed / "inner").mkdir(parents=True)
    (closed / "inner" / "python").write_text("")
    os.chmod(closed, 0o700)
    os.chmod(closed / "inner" / "python", 0o644)
    assert _closed_to_others(str(closed / "inner" / "python")) == f"chmod o+x {closed}"
    os.chmod(closed, 0o755)
    os.chmod(closed / "inner" / "python", 0o600)
    assert _closed_to_others(str(closed / "inner" / "python")) == \
        f"chmod o+r {closed / 'inner' / 'python'}"
    os.chmod(closed / "inner" / "python", 0o644)
    assert _closed_to_others(str(closed / "inner" / "python")) is None
