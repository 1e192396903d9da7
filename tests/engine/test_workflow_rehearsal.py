"""Every workflow the project ships or generates, rehearsed: its commands run, not assumed.

:mod:`ci_rehearsal` runs a job's ``run:`` steps in order in a temporary folder (a fresh clone, a
fresh virtual environment, the runner's files as temporary files) and checks each ``uses:``
step's inputs with the handlers below. Steps that need a GPU or the network are skipped, each
with its reason. The workflows:

* ``.github/workflows/release.yml``: the release it builds is byte for byte what
  ``autograder build`` builds from the same checkout;
* ``.github/workflows/gpu-lab.yml``: its CPU-side commands (install, the lab tests' collection);
* the student release's ``classroom.yml`` on a student's repository holding the example
  submission: the points reach GitHub Classroom's grading reporter, one entry per exercise, and
  the result matches ``golden/example.classroom.json``;
* the instructor's ``grade-submissions.yml`` on that student's repository.

A whole-suite ``python -m pytest`` step is collected only (``--collect-only``): the suite is the
run this test belongs to. One rehearsal takes seconds to a minute here (the release's
``otter assign`` and the student's public tests are most of it); see the README.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

sys.path.insert(0, str(Path(__file__).parent))
from ci_rehearsal import (Rehearsal, decode_classroom_result, fresh_clone,  # noqa: E402
                          git_repository, substitute)

from autograder.build.release import build  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
STUDENT_REPO = "course-org/hw1-alice"
SUITE = "the whole suite is the run this rehearsal belongs to: collected, not run again"


# --------------------------------------------------------------------------- actions

CHECKOUT_INPUTS = {"repository", "ref", "token", "path", "persist-credentials", "fetch-depth"}


def checkout(repositories: dict[str, Path]):
    """actions/checkout: the job's own repository (already the workspace, or cloned to
    ``path``), or another one the test provides under its name."""
    def handler(reh: Rehearsal, inputs: dict, step: dict) -> str:
        assert set(inputs) <= CHECKOUT_INPUTS, set(inputs) - CHECKOUT_INPUTS
        repo = inputs.get("repository", "")
        dest = reh.workspace / inputs.get("path", "")
        if repo:
            assert repo in repositories, f"checkout of {repo!r}: no such repository here"
            assert inputs.get("token"), f"checkout of {repo!r} (private) without a token"
            subprocess.run(["git", "clone", "--quiet", "--branch", inputs.get("ref") or "main",
                            str(repositories[repo]), str(dest)], check=True, capture_output=True)
            return f"cloned {repo}@{inputs.get('ref') or 'main'}"
        if dest != reh.workspace:
            fresh_clone(repositories[""], dest)
            return f"cloned this repository into {inputs['path']}"
        assert (reh.workspace / ".git").exists(), "the workspace is not a clone"
        return "the workspace is a fresh clone"
    return handler


def setup_python(reh: Rehearsal, inputs: dict, step: dict) -> str:
    """actions/setup-python: the version the project supports, a dependency file for the pip
    cache; a fresh virtual environment (of this interpreter) first on PATH."""
    assert set(inputs) <= {"python-version", "cache", "cache-dependency-path"}, inputs
    version = inputs["python-version"]
    projects = sorted(reh.workspace.glob("**/pyproject.toml"), key=lambda p: (len(p.parts), p))
    assert projects, "no pyproject.toml in the workspace: setup-python's pip cache finds nothing"
    import tomllib
    requires = tomllib.loads(projects[0].read_text())["project"]["requires-python"]
    assert SpecifierSet(requires).contains(version + ".0"), f"{version} is not {requires}"
    if inputs.get("cache"):
        assert inputs["cache"] == "pip" and not inputs.get("cache-dependency-path")
    reh.setup_python()
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"python {version} asked (rehearsed with {here}); pip cache keyed on {projects[0].name}"


def upload_artifact(reh: Rehearsal, inputs: dict, step: dict) -> str:
    """actions/upload-artifact: a name, and the files its ``path`` names exist when required."""
    assert inputs.get("name") and inputs.get("path"), inputs
    target = reh.workspace / inputs["path"]
    files = [p for p in ([target] if target.is_file() else target.rglob("*")) if p.is_file()] \
        if target.exists() else []
    if inputs.get("if-no-files-found", "warn") == "error":
        assert files, f"upload-artifact {inputs['name']!r}: nothing at {inputs['path']}"
    reh.context.setdefault("artifacts", {})[inputs["name"]] = files
    return f"{inputs['name']}: {len(files)} file(s)"


def grading_reporter(reh: Rehearsal, inputs: dict, step: dict) -> str:
    """classroom-resources/autograding-grading-reporter: for each runner id its
    ``<ID>_RESULTS`` variable, base64 JSON with ``tests`` and ``max_score``; the points it
    reports are the tests' scores summed, of the max_scores summed (as the reporter does)."""
    spec = reh.spec
    assert spec["name"] == "Autograding Tests", "Classroom reads only 'Autograding Tests'"
    assert list(spec["jobs"]) == ["run-autograding-tests"], "Classroom reads that one job"
    runners = [r for r in re.split(r"[\s,]", inputs["runners"]) if r]
    assert runners
    env = {k: substitute(v, reh.context) for k, v in (step.get("env") or {}).items()}
    total = maximum = 0.0
    reports = {}
    for runner in runners:
        encoded = env.get(f"{runner.upper()}_RESULTS")
        assert encoded, f"runner {runner}: no {runner.upper()}_RESULTS"
        result = decode_classroom_result(encoded)
        assert result["status"] in ("pass", "fail", "error")
        assert isinstance(result["tests"], list) and "max_score" in result
        reports[runner] = result
        maximum += result["max_score"]
        total += sum(t["score"] for t in result["tests"])
    reh.context["classroom"] = {"results": reports, "points": (total, maximum)}
    return f"Points {total:g}/{maximum:g}"


ACTIONS = {"actions/setup-python": setup_python, "actions/upload-artifact": upload_artifact,
           "classroom-resources/autograding-grading-reporter": grading_reporter}


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    return fresh_clone(ROOT, tmp_path_factory.mktemp("clone") / "course")


@pytest.fixture(scope="module")
def reference(clone, tmp_path_factory) -> Path:
    """``autograder build`` of the clone, in this (the instructor's) environment."""
    out = tmp_path_factory.mktemp("reference")
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)   # the rehearsal's runner has none either
    try:
        build(clone, out)
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return out


@pytest.fixture(scope="module")
def student_repo(reference, tmp_path_factory) -> Path:
    """A student's repository: the student release with the example submission's modules."""
    repo = tmp_path_factory.mktemp("student") / "hw1-alice"
    with zipfile.ZipFile(reference / "student.zip") as z:
        z.extractall(repo)
    for module in sorted((ROOT / "examples/submission").glob("*.py")):
        shutil.copy(module, repo / "assignments" / module.name)
    return git_repository(repo)


def rehearsal(workflow: Path, tmp: Path, workspace: Path, repos: dict, **kw) -> Rehearsal:
    return Rehearsal(workflow, tmp, workspace, actions={**ACTIONS,
                     "actions/checkout": checkout(repos)}, **kw)


# --------------------------------------------------------------------------- the workflows

@pytest.fixture(scope="module")
def release_run(tmp_path_factory) -> Rehearsal:
    tmp = tmp_path_factory.mktemp("release")
    workspace = fresh_clone(ROOT, tmp / "workspace")
    reh = rehearsal(ROOT / ".github/workflows/release.yml", tmp, workspace, {"": ROOT},
                    collect_only={"Test": SUITE})
    reh.run()
    return reh


def test_release_workflow_builds(release_run):
    release_run.assert_passed()


def test_release_workflow_builds_what_autograder_build_builds(release_run, reference):
    release_run.assert_passed()
    dist = release_run.workspace / "dist"
    for name in ("student.zip", "autograder.zip", "manifest.json"):
        assert (dist / name).read_bytes() == (reference / name).read_bytes(), name
    uploaded = {p.name for p in release_run.context["artifacts"]["releases"]}
    assert {"student.zip", "autograder.zip", "manifest.json"} <= uploaded


def test_the_release_workflow_of_issue_21_fails_here(tmp_path):
    # The rehearsal can fail, and for the reason GitHub would: release.yml as it was (installing
    # .[dev], which has no otter-grader) cannot build the lab's notebook, so the build exits 2.
    spec = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())
    steps = spec["jobs"]["build"]["steps"]
    (install,) = [s for s in steps if s.get("name") == "Install"]
    install["run"] = 'python -m pip install -e ".[dev]"'
    spec["jobs"]["build"]["steps"] = [s for s in steps if s.get("name") != "Test"]
    old = tmp_path / "release-issue-21.yml"
    old.write_text(yaml.safe_dump(spec, sort_keys=False))
    reh = rehearsal(old, tmp_path, fresh_clone(ROOT, tmp_path / "workspace"), {"": ROOT})
    reh.run()
    outcomes = {s.name: s for s in reh.steps}
    build_step = outcomes["Build the releases"]
    assert build_step.outcome == "failure" and build_step.detail.startswith("exit 2"), reh.report()
    assert "otter-grader" in build_step.detail
    assert outcomes["Install"].outcome == "success"
    assert "otter" not in "".join(p.name for p in reh.packages.site.iterdir())


def test_release_tests_collect_the_whole_suite_readme_counts(release_run):
    # The release's environment collects every test, with no collection error, and README's
    # "over N tests" is true of it (and not stale by more than half).
    from test_readme_setup import readme_suite_count
    (test,) = [s for s in release_run.steps if s.name == "Test"]
    match = re.search(r"^(\d+) tests? collected", test.detail, re.M)
    assert match and "error" not in test.detail.splitlines()[-1], test.detail[-2000:]
    collected, said = int(match.group(1)), readme_suite_count()
    assert said < collected < 1.5 * said, f"README says over {said} tests; {collected} collected"


def test_gpu_lab_workflow_cpu_side(tmp_path):
    workspace = fresh_clone(ROOT, tmp_path / "workspace")
    reh = rehearsal(ROOT / ".github/workflows/gpu-lab.yml", tmp_path, workspace, {"": ROOT},
                    context={"github": {"event": {"inputs": {}}}},
                    skips={"Show the GPU": "needs a GPU",
                           "Swap in the CUDA build of TensorFlow": "needs a GPU and the network",
                           "Grade the reference notebook at full length on the GPU": "needs a GPU",
                           "GPU tests (marked gpu)": "needs a GPU",
                           "Benchmark, CPU and GPU in the same run": "needs a GPU"},
                    collect_only={"Lab tests in the reduced CPU mode": SUITE})
    reh.run()
    reh.assert_passed()
    ran = [s.name for s in reh.steps if s.kind == "run"]
    assert "Lab tests in the reduced CPU mode" in ran and len(ran) >= 2, reh.report()
    assert reh.context["env"]["EPOCHS"] == "250"


@pytest.fixture(scope="module")
def classroom_run(student_repo, tmp_path_factory) -> Rehearsal:
    tmp = tmp_path_factory.mktemp("classroom")
    workspace = tmp / "workspace"
    subprocess.run(["git", "clone", "--quiet", str(student_repo), str(workspace)], check=True)
    reh = rehearsal(workspace / ".github/workflows/classroom.yml", tmp, workspace, {},
                    context={"github": {"actor": "alice"}})
    reh.run()
    return reh


def test_classroom_workflow_reports_points_to_classroom(classroom_run):
    reh = classroom_run
    outcomes = {s.name: s.outcome for s in reh.steps}
    # The example submission is partly right: its tests fail, which fails the job (as
    # Classroom's own reporter does); every step after them still runs and reports.
    failed = [s.name for s in reh.steps if s.outcome == "failure"]
    assert failed == ["Public tests"], reh.report()
    assert all(o != "skipped" for o in outcomes.values()), reh.report()
    results = json.loads((reh.workspace / "results.json").read_text())
    total, maximum = reh.context["classroom"]["points"]
    earned = sum(t["score"] for t in results["tests"])
    possible = sum(t["max_score"] for t in results["tests"])
    assert (round(total, 6), round(maximum, 6)) == (round(earned, 6), round(possible, 6))
    assert 0 < total < maximum
    assert f"{total:g} / {maximum:g} points" in reh.summary, reh.summary[:300]


def test_classroom_result_has_one_entry_per_exercise(classroom_run):
    import tomllib
    results = json.loads((classroom_run.workspace / "results.json").read_text())
    (result,) = classroom_run.context["classroom"]["results"].values()
    course = tomllib.loads((ROOT / "autograder/course.toml").read_text())["exercise"]
    graded = {t["exercise"] for t in results["tests"]}
    in_order = [e for e in course if e["id"] in graded]          # the course's teaching order
    assert [t["name"] for t in result["tests"]] == [e["title"] for e in in_order]
    for entry, exercise in zip(result["tests"], in_order):
        tests = [t for t in results["tests"] if t["exercise"] == exercise["id"]]
        assert entry["score"] == round(sum(t["score"] for t in tests), 6), exercise["id"]
        assert entry["status"] == ("pass" if all(t["status"] == "passed" for t in tests) else "fail")
    assert result["max_score"] == sum(t["max_score"] for t in results["tests"])
    assert result["status"] == "fail"


def test_classroom_result_of_the_example_matches_the_golden_file(classroom_run):
    (result,) = classroom_run.context["classroom"]["results"].values()
    for entry in result["tests"]:
        entry["duration"] = 0          # the one field that changes from run to run
    golden = GOLDEN / "example.classroom.json"
    actual = classroom_run.root / "example.classroom.json"
    actual.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    assert result == json.loads(golden.read_text()), \
        f"the Classroom result changed; if that is intended: cp {actual} {golden}"


def test_instructor_workflow_grades_a_student_repository(student_repo, tmp_path):
    generated = ROOT / "autograder/build/templates/instructor/.github/workflows/grade-submissions.yml"
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    reh = rehearsal(generated, tmp_path, workspace, {"": ROOT, STUDENT_REPO: student_repo},
                    context={"inputs": {"repositories": json.dumps([STUDENT_REPO]), "ref": "main"},
                             "matrix": {"repository": STUDENT_REPO},
                             "secrets": {"AUTOGRADER_TOKEN": "a-read-only-token"}})
    reh.run()
    reh.assert_passed()
    name = STUDENT_REPO.replace("/", "__")
    grade = json.loads((workspace / "grades" / f"{name}.json").read_text())
    assert grade["tests"] and grade["score"] is not None and 0 < grade["score"] < grade["max_score"]
    assert any(t["suite"] == "hidden" for t in grade["tests"]), "the hidden tests were not run"
    assert f"## {STUDENT_REPO}" in reh.summary
    assert reh.context["steps"]["grade"]["outputs"]["name"] == name
    assert [p.name for p in reh.context["artifacts"][f"grade-{name}"]] != []
