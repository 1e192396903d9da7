"""The student release works alone: unzip, install with its README's command, run pytest.

A fresh virtual environment (no --system-site-packages, no pre-installed wheels) and a plain
``python -m pip install -e .``, exactly as the README says: about 12 s here with a warm pip
cache (numpy, pytest, rich from the package index). Every public test then fails with a readable
message and nothing errors at collection; with the solutions copied over the stubs, all pass.
"""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.build.release import build

ROOT = Path(__file__).resolve().parents[2]
#: The lab notebook producer needs otter-grader and takes seconds: only its own test runs it.
SKIP = ("notebooks",)


def readme_install_command(readme: str) -> list[str]:
    """The README's own install line (so README and test cannot disagree)."""
    match = re.search(r"^python -m pip install (.+)$", readme, re.M)
    assert match, "the student README has no `python -m pip install` line"
    return ["-m", "pip", "install", "--quiet", *match.group(1).split()]


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build(ROOT, out, epoch=1700000000, skip=SKIP)
    home = tmp_path_factory.mktemp("student") / "hw"
    home.mkdir()
    with zipfile.ZipFile(out / "student.zip") as z:
        z.extractall(home)
    subprocess.run([sys.executable, "-m", "venv", str(home / ".venv")], check=True, timeout=120)
    python = home / ".venv" / "bin" / "python"
    readme = (home / "README.md").read_text()
    install = subprocess.run([str(python), *readme_install_command(readme)], cwd=home,
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr
    return home


def pytest_in(home: Path, results: str = "results.json") -> tuple[subprocess.CompletedProcess, dict]:
    out = home / results
    out.unlink(missing_ok=True)
    # Exactly the student's command, plus a results file to read the outcome from.
    proc = subprocess.run([str(home / ".venv" / "bin" / "python"), "-m", "pytest",
                           f"--results-json={out}"], cwd=home, capture_output=True, text=True,
                          timeout=600)
    assert out.exists(), proc.stdout + proc.stderr
    return proc, json.loads(out.read_text())


@pytest.fixture(scope="module")
def stub_run(release):
    return pytest_in(release, "results-stubs.json")


def test_the_stubs_fail_every_test_readably(stub_run, release):
    proc, results = stub_run
    assert proc.returncode == 1, proc.stdout[-3000:]          # 2 would mean collection errors
    assert "error" not in proc.stdout.splitlines()[-1], proc.stdout[-3000:]
    public = [p for p in (release / "tests" / "public").glob("test_*.py")]
    assert public and results["tests"]
    assert {t["nodeid"].split("::")[0] for t in results["tests"]} == \
        {p.relative_to(release).as_posix() for p in public}
    assert all(t["status"] == "failed" for t in results["tests"]), \
        [(t["nodeid"], t["status"]) for t in results["tests"] if t["status"] != "failed"]
    assert all("not implemented yet" in t["feedback"]["rationale"] for t in results["tests"])
    assert "Traceback" not in proc.stdout


def test_the_solutions_pass_every_test(release, tmp_path):
    backup = tmp_path / "stubs"
    shutil.copytree(release / "assignments", backup)
    try:
        for solution in (ROOT / "solutions").glob("*.py"):
            shutil.copy2(solution, release / "assignments" / solution.name)
        proc, results = pytest_in(release)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert results["tests"] and all(t["status"] == "passed" for t in results["tests"])
        assert results["score"] == results["max_score"] > 0
    finally:
        shutil.rmtree(release / "assignments")
        shutil.copytree(backup, release / "assignments")


def test_the_job_summary_renders_the_points(stub_run, release):
    # The classroom workflow's last step, on the stubs' results.
    proc = subprocess.run([str(release / ".venv" / "bin" / "python"), "-m", "autograder.build.summary",
                           "results-stubs.json"], cwd=release, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "0 / " in proc.stdout and "gd" in proc.stdout


def test_the_progress_command_is_installed(stub_run, release):
    # The README's `autograder progress`, from the console script the student pyproject declares.
    proc = subprocess.run([str(release / ".venv" / "bin" / "autograder"), "progress"], cwd=release,
                          capture_output=True, text=True, timeout=300, env={"COLUMNS": "100", "PATH": ""})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0/" in proc.stdout and "exercises done" in proc.stdout
    assert "not implemented yet" in proc.stdout


def _feedback_example(readme: str, lead: str) -> str:
    """The code block after ``lead`` in a README: its example of a failed test's feedback."""
    match = re.search(re.escape(lead) + r"\n\n```\n(.*?)```", readme, re.S)
    assert match, f"the README shows no example of a failed test's feedback after {lead!r}"
    return match.group(1)


def test_the_readmes_feedback_example_is_what_pytest_prints(release, tmp_path):
    # The example submission makes the momentum-d2l-form mistake. The student's own `pytest`
    # must print the student README's example verbatim; the release has no misconception
    # catalogue (it would hold near-solutions), so no mistake is named there.
    backup = tmp_path / "gradient_descent.py"
    shutil.copy2(release / "assignments" / "gradient_descent.py", backup)
    try:
        shutil.copy2(ROOT / "examples" / "submission" / "gradient_descent.py",
                     release / "assignments" / "gradient_descent.py")
        proc, _ = pytest_in(release, "results-example.json")
    finally:
        shutil.copy2(backup, release / "assignments" / "gradient_descent.py")
    example = _feedback_example((release / "README.md").read_text(),
                                "worst entry misses its tolerance:")
    assert example in proc.stdout, proc.stdout[-3000:]
    assert "known mistake" not in proc.stdout


def test_the_course_readmes_feedback_example_is_what_the_grader_prints():
    # In the course repository the catalogue is there: the same failure names its mistake.
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--target=examples/submission", "tests/public/test_gradient_descent.py",
                           "-k", "momentum"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    example = _feedback_example((ROOT / "README.md").read_text(),
                                "a failure whose calls a known mistake reproduces also names it:")
    assert "known mistake: momentum-d2l-form" in example
    assert example in proc.stdout, proc.stdout[-3000:]
