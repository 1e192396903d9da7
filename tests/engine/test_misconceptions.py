"""Tests of the tests: every known mistake loses points, is named (by its own name and hint, and
by no other), and costs only its own exercise; no correct variant gets any mistake named.

The catalogue (tests/misconceptions/) is graded by the real suites (public, and hidden where the
checkout has them) exactly as a submission would be; see tests/misconceptions/_harness.py. A
failure here means the suites have a gap: add a check (in a hidden test, on an input on which
this mistake's answer differs from the right one and from every other mistake's) rather than
weakening this test.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from autograder.course import load_course
from autograder.diagnosis import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "tests" / "misconceptions"


def _harness():
    spec = importlib.util.spec_from_file_location("_misconception_harness", CATALOGUE / "_harness.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ENTRIES = load_catalogue(CATALOGUE)
IDS = [e.misconception for e in ENTRIES]
VARIANTS = [p.stem for p in sorted((CATALOGUE / "correct").glob("*.py"))]


@pytest.fixture(scope="module")
def graded():
    harness = _harness()
    found, baseline, variants = harness.run_catalogue(workers=2)
    # Collateral damage is measured against the reference's own score: it must be perfect.
    assert baseline["score"] == baseline["max_score"] > 0, "the reference solutions lose points"
    print("\n" + harness.table(found) + "\n" + harness.variant_table(variants))
    return found, variants


@pytest.fixture(scope="module")
def verdicts(graded):
    return graded[0]


def test_catalogue_is_large_and_covers_every_exercise():
    course = load_course()
    assert len(ENTRIES) >= 45, f"only {len(ENTRIES)} known mistakes in the catalogue"
    covered = {course.misconceptions[e.misconception].exercise for e in ENTRIES}
    # The Keras lab's known mistakes are graded as notebooks in tests/lab/test_lab_grading.py.
    missing = [ex.id for ex in course.exercises if ex.id not in covered and ex.has_module]
    assert not missing, f"exercises without a known mistake: {missing}"


def test_catalogue_ids_are_unique_and_declared():
    course = load_course()
    assert len(set(IDS)) == len(IDS), "two catalogue files declare the same misconception"
    undeclared = [i for i in IDS if i not in course.misconceptions]
    assert not undeclared, f"add it under its [[exercise]] in course.toml ([exercise.misconceptions]) for {undeclared}"
    for entry in ENTRIES:
        assert entry.path.stem == entry.misconception.replace("-", "_"), entry.path
        exercise = course.exercise(course.misconceptions[entry.misconception].exercise)
        assert entry.module == exercise.module, f"{entry.misconception}: MODULE is not its exercise's"
        assert set(entry.functions) <= set(exercise.functions), \
            f"{entry.misconception} replaces functions of another exercise: {sorted(entry.functions)}"


def test_every_declared_misconception_has_a_wrong_implementation():
    # A message the grader can show must be backed by code that makes the mistake, or nothing
    # proves a test recognises it.
    course = load_course()
    notebook = {ex.id for ex in course.exercises if not ex.has_module}
    missing = sorted(m.id for m in course.misconceptions.values()
                     if m.exercise not in notebook and m.id not in IDS)
    assert not missing, f"add tests/misconceptions/<id>.py for {missing}"


def test_messages_are_sentences_a_student_can_act_on():
    course = load_course()
    for m in course.misconceptions.values():
        assert len(m.message) >= 40 and m.message.rstrip().endswith((".", ")")), m.id
        assert "Traceback" not in m.message


@pytest.mark.parametrize("misconception", IDS)
def test_known_mistake_loses_points(verdicts, misconception):
    v = verdicts[misconception]
    assert v.caught, f"{misconception}: graded {v.score}/{v.max_score}; no test catches this mistake"


@pytest.mark.parametrize("misconception", IDS)
def test_known_mistake_is_named(verdicts, misconception):
    v = verdicts[misconception]
    if not v.caught:
        pytest.fail(f"{misconception} is not caught, so it cannot be named")
    assert v.named, (f"{misconception} loses points but no failed test names it"
                     + (f" (named instead: {v.named_other})" if v.named_other else ""))


@pytest.mark.parametrize("misconception", IDS)
def test_known_mistake_is_named_by_its_own_name_and_hint_only(verdicts, misconception):
    v = verdicts[misconception]
    assert not v.named_other, f"{misconception}: failed tests also name {v.named_other}"
    assert not v.wrong_hint, f"{misconception} is named with a hint other than its own in {v.wrong_hint}"


def test_there_are_correct_variants():
    assert len(VARIANTS) >= 5, "write right answers differently in tests/misconceptions/correct/"


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_correct_variant_gets_no_mistake_named(graded, variant):
    v = graded[1][variant]
    assert not v.named, f"correct variant {variant} was told it made a known mistake: {v.named}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_correct_variant_loses_only_what_it_says(graded, variant):
    v = graded[1][variant]
    if v.loses_points:
        assert v.lost, f"{variant} should lose points ({v.loses_points}) but scores in full"
    else:
        assert not v.lost, f"correct variant {variant} loses points in {sorted(v.lost)}"


@pytest.mark.parametrize("misconception", IDS)
def test_known_mistake_costs_only_its_own_exercise(verdicts, misconception):
    v = verdicts[misconception]
    assert not v.collateral, f"{misconception} ({v.exercise}) also loses points in {v.collateral}"
