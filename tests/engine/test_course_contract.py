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
    missing = [f"{ex.module}.{fn}" for ex in load_course().exercises if ex.has_module
               for fn in ex.functions if not re.search(rf"\.{fn}\(", source)]
    assert not missing, f"functions without a public test: {missing}"


def test_public_tests_never_import_solutions():
    offenders = [p.name for p in (ROOT / "tests" / "public").glob("*.py")
                 if re.search(r"^\s*(import|from)\s+solutions", p.read_text(encoding="utf-8"), re.M)]
    assert not offenders


# --- the manifest (autograder/course.toml) and the disk agree ---------------------------------

def test_the_manifest_and_the_disk_agree():
    # The drift test: `autograder course check` finds nothing named that is missing, and nothing
    # on disk (stub function, test file, test, derivation, case, known mistake, correct variant)
    # that no exercise names.
    from autograder.course_files import check

    problems = check()
    assert not problems, "run `autograder course check`:\n" + "\n".join(problems)


def test_the_check_sees_what_is_missing_and_what_is_unnamed(tmp_path):
    from autograder.course import MANIFEST
    from autograder.course_files import check

    text = MANIFEST.read_text(encoding="utf-8")
    # adam names a test file that is not there, and forgets one of its known mistakes
    text = text.replace('hidden_tests = ["tests/hidden/test_gradient_descent.py", '
                        '"tests/hidden/test_mutants_gradient_descent.py"]\nground_truth = [{ derivation = '
                        '"adaptive_quadratic", method = "adam" }',
                        'hidden_tests = ["tests/hidden/test_gradient_descent.py", '
                        '"tests/hidden/test_mutants_gradient_descent.py", "tests/hidden/test_adam.py"]\n'
                        'ground_truth = [{ derivation = "adaptive_quadratic", method = "adam" }', 1)
    text = re.sub(r"^adam-t-from-zero = .*\n", "", text, count=1, flags=re.M)
    assert "test_adam.py" in text and "adam-t-from-zero" not in text
    manifest = tmp_path / "course.toml"
    manifest.write_text(text, encoding="utf-8")
    problems = check(load_course(manifest), ROOT, tests=False)
    assert "adam: test file tests/hidden/test_adam.py does not exist" in problems
    assert "tests/misconceptions/adam_t_from_zero.py is no misconception of the manifest" in problems


def test_course_show_lists_every_file_of_adam():
    proc = subprocess.run([sys.executable, "-m", "autograder", "course", "show", "adam"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for expected in ["autograder/course.toml:", "assignments/gradient_descent.py:", "def adam_step",
                     "solutions/gradient_descent.py:", "tests/public/test_gradient_descent.py:",
                     "tests/hidden/test_gradient_descent.py:", "tests/hidden/test_mutants_gradient_descent.py:",
                     "autograder/ground_truth/derivations/optimizers.py:", "adaptive_step",
                     "autograder/ground_truth/cases.py:", "tests/misconceptions/adam_no_bias_correction.py",
                     "tests/misconceptions/adam_eps_inside_root.py", "tests/misconceptions/adam_t_from_zero.py",
                     "tests/misconceptions/adam_missing_one_minus_beta.py",
                     "tests/misconceptions/correct/adam_unrolled.py"]:
        assert expected in out, f"{expected} missing from `autograder course show adam`:\n{out}"
    # adam's cases only: the adaptive derivations are shared with adagrad and rmsprop
    assert "method=adagrad" not in out and "method=rmsprop" not in out
    bad = subprocess.run([sys.executable, "-m", "autograder", "course", "show", "no_such_exercise"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no exercise 'no_such_exercise'" in bad.stderr
    assert "Traceback" not in bad.stderr


def _typed_literal(node) -> bool:
    """Whether an argument holds a number, string, list or dict typed in place (a key that
    picks a case out of a table, cases.NEWTON["2d"], is a name, not a parameter)."""
    import ast

    if isinstance(node, ast.Subscript):
        return _typed_literal(node.value)
    if isinstance(node, (ast.List, ast.Dict, ast.Tuple)):
        return True
    if isinstance(node, ast.Constant):
        return not isinstance(node.value, bool)
    return any(_typed_literal(child) for child in ast.iter_child_nodes(node))


def test_hidden_tests_read_their_parameters_from_cases_py():
    # cases.py is the one list of ground-truth parameters: a hidden test names a case through its
    # tables (cases.NEWTON[...]) and never types a parameter into ground_truth.load itself.
    import ast

    typed = []
    for path in sorted((ROOT / "tests" / "hidden").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "load" and getattr(node.func.value, "id", "") == "ground_truth"):
                for kw in node.keywords:
                    if _typed_literal(kw.value):
                        typed.append(f"{path.name}:{node.lineno} {kw.arg or '**'}=")
    assert not typed, f"parameters typed in tests instead of read from cases.py: {typed}"


def test_a_written_exercise_slots_in_with_one_block(tmp_path):
    # Questions answered in prose and graded by hand: no module, no tests, a file of questions.
    from autograder.course import MANIFEST
    from autograder.course_files import check

    block = ('\n[[exercise]]\nid = "why_momentum"\ntitle = "Why momentum helps"\nkind = "written"\n'
             'file = "written/why_momentum.md"\nhint = "Compare the two trajectories of exercise 4."\n')
    manifest = tmp_path / "course.toml"
    manifest.write_text(MANIFEST.read_text(encoding="utf-8") + block, encoding="utf-8")
    course = load_course(manifest)
    written = course.exercise("why_momentum")
    assert written.kind == "written" and not written.has_module and not written.is_notebook
    assert "why_momentum" not in course.modules
    assert check(course, ROOT, tests=False) == ["why_momentum: its file written/why_momentum.md does not exist"]
