"""The course proves itself (rustlings' `dev check`): stubs fail, solutions pass, stubs don't drift."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import load_course
from autograder.stubs import expected_stubs

ROOT = Path(__file__).resolve().parents[2]


def run_public_tests(target: str, tmp_path: Path) -> dict:
    out = tmp_path / f"results-{target}.json"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--target={target}",
         f"--results-json={out}", "tests/public"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.exists(), proc.stdout + proc.stderr
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory):
    return tmp_path_factory.mktemp("contract")


def test_solutions_pass_every_public_test(tmp_module):
    results = run_public_tests("solutions", tmp_module)
    failed = [(t["nodeid"], t["feedback"]) for t in results["tests"] if t["status"] != "passed"]
    assert results["tests"] and not failed
    assert results["score"] == results["max_score"] > 0


def test_stubs_fail_every_public_test(tmp_module):
    results = run_public_tests("assignments", tmp_module)
    passed = [t["nodeid"] for t in results["tests"] if t["status"] == "passed" or t["score"] > 0]
    assert results["tests"] and not passed
    assert results["score"] == 0
    # A stub fails with a readable message, not a crash of the test itself.
    assert all("not implemented yet" in t["feedback"]["rationale"] for t in results["tests"])


def test_assignments_are_the_stubs_of_the_solutions():
    drift = [str(p.relative_to(ROOT)) for p, text in expected_stubs().items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert not drift, f"run `python -m autograder.stubs` to regenerate: {drift}"


def test_every_function_has_a_public_test():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "public").glob("test_*.py"))
    # A notebook exercise (the Keras lab) is checked by tests/lab instead.
    missing = [f"{ex.module}.{fn}" for ex in load_course().exercises if not ex.is_notebook
               for fn in ex.functions if not re.search(rf"\.{fn}\(", source)]
    assert not missing, f"functions without a public test: {missing}"


def test_public_tests_never_import_solutions():
    offenders = [p.name for p in (ROOT / "tests" / "public").glob("*.py")
                 if re.search(r"^\s*(import|from)\s+solutions", p.read_text(encoding="utf-8"), re.M)]
    assert not offenders
