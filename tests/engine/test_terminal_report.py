"""The terminal report a person reads (issue 17, part 4): short by default, honest about the sandbox.

``autograder grade`` prints a summary per exercise and the failing tests; ``--verbose`` every
test. A grading that fell back from bubblewrap says so on stderr, and says why.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograder.reporters import render
from autograder.reporters._common import display_name
from autograder.sandbox import fallback, isolation

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "submission"
UNSHARE = "unshare(net,mount,pid,ipc,uts; dedicated uid)"


@pytest.fixture(scope="module")
def example_results():
    from autograder.grading import grade

    return grade(EXAMPLE)


def test_default_report_of_the_example_takes_a_few_lines_an_exercise(example_results):
    text = render(example_results, "table")
    lines = text.splitlines()
    # At most about five lines an exercise (its summary row with the first failure and its hint, and up
    # to two more failing tests when they say something else), whatever the course's size.
    # plus a line for each written question graded by hand.
    exercises = len(example_results.by_exercise())
    assert len(lines) <= 20 + 5 * exercises + len(example_results.manual), \
        f"{len(lines)} lines for {exercises} exercises"
    # Every exercise is in the summary with its points; each failing one shows a first failure.
    for exercise, tests in example_results.by_exercise().items():
        got = f"{sum(t.score for t in tests):g} / {sum(t.max_score for t in tests):g}"
        assert any(got in line for line in lines), exercise
    assert "known mistake: lr-exp-sign" in text
    assert "sandbox: " + fallback.level_of(example_results.isolation) in text   # the footer
    assert lines[0].strip() == f"Score: {example_results.score:g} / {example_results.max_score:g}"


def test_verbose_report_names_every_test(example_results):
    text = render(example_results, "table", verbose=True).replace("\n", " ")
    words = " ".join(text.split())
    missing = [t.name for t in example_results.tests
               if display_name(t).split(" [")[0][:20] not in words]
    assert not missing
    assert len(text) > len(render(example_results, "table"))


def test_no_warning_at_the_strongest_level_or_when_the_levels_were_chosen():
    assert fallback.fallback_warning("bubblewrap(ipc,pid; allow-listed filesystem)") is None
    assert fallback.fallback_warning(UNSHARE, levels=("unshare", "rlimits-only")) is None
    assert fallback.fallback_warning("none (sandbox not installed)") is None


def test_warning_says_bubblewrap_is_missing_and_how_to_install_it(monkeypatch):
    monkeypatch.setattr(fallback.shutil, "which", lambda name: None)
    warning = fallback.fallback_warning(UNSHARE, levels=isolation.LEVELS)
    assert "bubblewrap is not installed" in warning and "'unshare'" in warning
    assert "apt install bubblewrap" in warning


def test_warning_says_why_an_installed_bubblewrap_did_not_start(monkeypatch):
    monkeypatch.setattr(fallback.shutil, "which", lambda name: "/usr/bin/bwrap")
    monkeypatch.setitem(isolation.FAILED_LEVELS, "bubblewrap",
                        "bwrap: setting up uid map: Permission denied\x1b[2J")
    warning = fallback.fallback_warning("rlimits-only(uid 1900000001); lab: none", levels=isolation.LEVELS)
    assert "installed but could not start" in warning and "'rlimits-only'" in warning
    assert "Permission denied" in warning and "\x1b" not in warning
    assert "apt install" not in warning          # installing it again would not help


def test_version():
    from autograder import __version__

    proc = subprocess.run([sys.executable, "-m", "autograder", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"autograder {__version__}"


def _grade_all(args: list[str]) -> str:
    """Run the grade-all command in this process and return what it printed (stderr's console)."""
    import argparse
    import io

    from rich.console import Console

    from autograder.batch.cli import add_grade_all_parser, run_grade_all

    parser = argparse.ArgumentParser()
    add_grade_all_parser(parser.add_subparsers(dest="command"))
    buffer = io.StringIO()
    run_grade_all(parser.parse_args(["grade-all", *args]),
                  console=Console(file=buffer, width=200, force_terminal=False))
    return buffer.getvalue()


def test_grade_all_notes_import_failures_and_shows_no_empty_bar(tmp_path):
    import shutil

    klass = tmp_path / "class"
    for student in ("ok", "[on red]mallory[blink]"):
        shutil.copytree(ROOT / "solutions", klass / student,
                        ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    (klass / "[on red]mallory[blink]" / "dropout.py").write_text(
        "def keep_probability(:\n")
    db = str(tmp_path / "book.sqlite")
    first = _grade_all([str(klass), "--db", db, "-j", "1"])
    notes = [line for line in first.splitlines() if "could not be imported" in line]
    assert len(notes) == 1, first
    assert notes[0].startswith("[on red]mallory[blink]: dropout.py could not "
                               "be imported: SyntaxError")
    assert "2/2" in first                                           # the bar, while grading
    again = _grade_all([str(klass), "--db", db, "-j", "1"])
    assert "2 submission(s) already graded" in again
    assert "0/0" not in again and "0%" not in again
