"""The hidden suite proves itself: the reference scores 100%, the untouched stubs score 0, every
function of the course is exercised, and grading is deterministic (byte-identical results apart
from durations)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import ground_truth
from autograder.course import load_course

ROOT = Path(__file__).resolve().parents[2]
HIDDEN = ROOT / "tests" / "hidden"


def grade_hidden(target: str, out: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         f"--target={target}", f"--results-json={out}", str(HIDDEN),
         # The lab's notebook proves itself in tests/lab/test_lab_grading.py (its reference,
         # its student notebook and its mistakes graded through the same engine).
         f"--ignore={HIDDEN / 'test_keras_lab.py'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hidden")
    return {"solutions": grade_hidden("solutions", tmp / "solutions.json"),
            "solutions-again": grade_hidden("solutions", tmp / "solutions-again.json"),
            "assignments": grade_hidden("assignments", tmp / "assignments.json")}


def test_reference_solutions_score_full_marks(graded):
    results = graded["solutions"]
    # Every automatic test passes; the written questions wait for a human, with the answer found.
    failed = [(t["nodeid"], t["feedback"]) for t in results["tests"]
              if t["status"] not in ("passed", "manual")]
    assert results["tests"] and not failed
    manual = [t for t in results["tests"] if t["status"] == "manual"]
    assert manual and not any("No answer was found" in t["feedback"]["rationale"] for t in manual)
    assert results["score"] == results["max_score"] > 0
    assert all(t["suite"] == "hidden" for t in results["tests"])


def test_untouched_stubs_score_zero(graded):
    results = graded["assignments"]
    scored = [t["nodeid"] for t in results["tests"] if t["status"] == "passed" or t["score"] > 0]
    assert results["tests"] and not scored and results["score"] == 0
    assert len(results["tests"]) == len(graded["solutions"]["tests"])
    # a stub fails with a readable message, not a crash of the test itself; its written
    # questions are still listed for a human, with no answer found
    automatic = [t for t in results["tests"] if t["status"] != "manual"]
    assert all(t["status"] == "failed" and "not implemented yet" in t["feedback"]["rationale"]
               for t in automatic)
    manual = [t for t in results["tests"] if t["status"] == "manual"]
    assert manual and all("No answer was found" in t["feedback"]["rationale"] for t in manual)


def _without_durations(results: dict) -> str:
    data = json.loads(json.dumps(results))
    data.pop("execution_time", None)
    for t in data["tests"]:
        t.pop("duration", None)
    return json.dumps(data, indent=2, sort_keys=True)


def test_grading_twice_gives_identical_results(graded):
    assert _without_durations(graded["solutions"]) == _without_durations(graded["solutions-again"])


def test_every_exercise_has_hidden_points(graded):
    by_exercise: dict[str, float] = {}
    for t in graded["solutions"]["tests"]:
        by_exercise[t["exercise"]] = by_exercise.get(t["exercise"], 0) + t["max_score"]
    # the Keras lab's points are proven in tests/lab/test_lab_grading.py
    # (written questions are graded by hand: tests/engine/test_written_questions.py)
    missing = [ex.id for ex in load_course().exercises
               if ex.has_module and by_exercise.get(ex.id, 0) <= 0]
    assert not missing, f"exercises without hidden points: {missing}"


def test_every_function_is_called_by_a_hidden_test():
    # The hidden tests parametrize over the tables of cases.py (cases.INITIALIZERS names the
    # initialisers they call by name), so its text counts as theirs.
    cases_py = Path(ground_truth.__file__).with_name("cases.py")
    source = "\n".join(p.read_text(encoding="utf-8") for p in [*HIDDEN.glob("test_*.py"), cases_py])
    missing = []
    for ex in load_course().exercises:
        if ex.is_notebook:
            continue
        for fn in ex.functions:
            # called directly (`.gd(`) or by name through getattr (`f"{method}_step"`, NAMES lists)
            if not (re.search(rf"\.{fn}\(", source) or re.search(rf"[\"']{fn}[\"']", source)
                    or (fn.endswith("_step") and "_step\")" in source) or (fn.endswith("_lr") and "_lr\")" in source)):
                missing.append(f"{ex.module}.{fn}")
    assert not missing, f"functions no hidden test calls: {missing}"


def test_some_hidden_tests_are_released_after_the_due_date(graded):
    visibilities = {t["visibility"] for t in graded["solutions"]["tests"]}
    assert "after_due_date" in visibilities and "visible" in visibilities


def test_hidden_tests_never_import_solutions_or_sympy():
    for path in HIDDEN.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(solutions|assignments|sympy|mpmath)\b", text, re.M), path.name


def test_misconception_ids_used_by_hidden_tests_exist():
    # A wrong id would only surface when a student makes that mistake (checks.py looks it up
    # then): catch it now. Every hyphenated string literal whose first word is the first word of
    # a known misconception id (gd-, adam-, wigner-, ...) must be a known id; test ids such as
    # "ill-conditioned" share no such prefix.
    known = set(load_course().misconceptions)
    prefixes = {m.split("-")[0] for m in known}
    source = "\n".join(p.read_text(encoding="utf-8") for p in HIDDEN.glob("*.py"))
    used = set(re.findall(r"\"([a-z0-9]+(?:-[a-z0-9]+)+)\"", source))
    unknown = sorted(u for u in used if u.split("-")[0] in prefixes and u not in known)
    assert not unknown, f"misconception ids used in tests/hidden but missing from course.toml: {unknown}"
