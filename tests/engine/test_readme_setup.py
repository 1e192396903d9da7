"""README's set-up section says what CI does, and its counts are true.

* ``.ci/run`` runs the quick start's commands, in order (the README's own lines, read here);
  everything else it installs or changes is named in the paragraph that describes it;
* the release workflow installs what the quick start installs;
* "over N" counts of files on disk (attack submissions, misconceptions) are true and not stale
  by more than half. The suite's test count is checked by the release rehearsal, whose ``Test``
  step collects the suite (``test_workflow_rehearsal.py``).
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI_RUN = (ROOT / ".ci/run").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [c.strip() for block in blocks for line in block.splitlines() for c in line.split("&&")
            if c.strip()]


def ci_run_commands() -> list[str]:
    lines = [line.strip() for line in CI_RUN.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def normalised(command: str) -> str:
    """The same command, whatever the environment's folder is called, and without --quiet."""
    command = command.replace("$venv", ".venv").replace('"', "")
    return " ".join(w for w in command.split() if w not in ("--quiet", "-q", "-qq"))


def ci_run_paragraph() -> str:
    start = README.index("`.ci/run`")
    return README[start:README.index("\n\n", start)]


def test_quick_start_is_what_ci_runs_in_order():
    wanted = [normalised(c) for c in quick_start_commands()]
    assert wanted[0] == "python3 -m venv .venv" and wanted[-1] == "python -m pytest", wanted
    ran = [normalised(c) for c in ci_run_commands()]
    position = -1
    for command in wanted:
        assert command in ran[position + 1:], f"{command!r} is not run by .ci/run after {ran[position]!r}"
        position = ran.index(command, position + 1)


def test_what_ci_run_adds_is_named_in_the_readme():
    paragraph = " ".join(ci_run_paragraph().split())
    quick = {normalised(c) for c in quick_start_commands()}
    extra = [c for c in ci_run_commands() if normalised(c) not in quick]
    assert any("--upgrade pip" in c for c in extra) and "upgrades pip" in paragraph
    apt = re.findall(r"missing\+=\((\w+)\)", CI_RUN)
    assert apt, "the Debian packages .ci/run installs are no longer found where this test looks"
    for package in apt:
        assert f"`{package}`" in paragraph, package
    assert any(c.startswith("chmod") for c in extra) and "open" in paragraph and "uids" in paragraph
    assert "exactly these commands" in paragraph


def test_release_workflow_installs_what_the_quick_start_installs():
    install = next(c for c in quick_start_commands() if "pip install" in c)
    release = (ROOT / ".github/workflows/release.yml").read_text()
    assert re.search(rf"run: {re.escape(install)}$", release, re.M), install


COUNTS = [
    (r"`tests/engine/hostile/` holds over (\d+) attack submissions",
     lambda: len(list((ROOT / "tests/engine/hostile").glob("*.py")))),
    (r"in `hostile/notebooks/`, over (\d+) attacks on the Keras lab",
     lambda: len(list((ROOT / "tests/engine/hostile/notebooks").glob("*.py")))),
    (r"`tests/misconceptions/` holds over (\d+) known wrong implementations",
     lambda: len([p for p in (ROOT / "tests/misconceptions").glob("*.py")
                  if not p.name.startswith("_")])),
]


@pytest.mark.parametrize("claim, count", COUNTS, ids=["hostile", "hostile-notebooks", "misconceptions"])
def test_readme_counts_are_true(claim, count):
    text = " ".join(README.split())
    match = re.search(claim, text)
    assert match, f"README no longer says {claim!r}: update this test with it"
    said, found = int(match.group(1)), count()
    assert said < found < 1.5 * said, f"README says over {said}; there are {found}"


def test_readme_counts_the_manifest_exactly():
    # "What the course covers" states the manifest's counts, which change with every exercise.
    from autograder.course import load_course

    course = load_course()
    from autograder.written import written_questions

    modules = [e for e in course.exercises if e.kind == "module"]
    written = [q for e in course.exercises if e.kind == "written" for q in written_questions(e.id)]
    catalogue = [p for p in (ROOT / "tests/misconceptions").glob("*.py") if not p.name.startswith("_")]
    text = " ".join(README.split())
    match = re.search(r"(\d+) exercises in `autograder/course.toml` \((\d+) module exercises, the Keras lab "
                      r"and (\d+) written questions graded by hand \((\d+) points\)\), "
                      r"with (\d+) named misconceptions \((\d+) of them", text)
    assert match, "README no longer states the manifest's counts where this test looks"
    said = tuple(int(g) for g in match.groups())
    assert said == (len(course.exercises), len(modules), len(written), sum(q.points for q in written),
                    len(course.misconceptions), len(catalogue)), said


def readme_suite_count() -> int:
    """The README's "The suite is over N tests"."""
    match = re.search(r"The suite is over ([\d,]+) tests", " ".join(README.split()))
    assert match, "README no longer says how many tests the suite has"
    return int(match.group(1).replace(",", ""))
