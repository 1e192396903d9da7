"""No test demands what the docstring does not: correct implementations written differently from
the reference get full marks, and one the docstring rules out loses points where it says.

* ``a * (2 * rng.random(shape) - 1)`` is the same uniform draw as ``rng.uniform(-a, a, shape)``
  rounded differently (up to a few eps * a, so no relative accuracy near 0): the seeded-draw test
  compares with a tolerance scaled to the law's width.
* A sigmoid clipped at -700 differs from the truth only below 1e-300, where the docstring asks
  for absolute accuracy alone.
* The sympy routes the docstring of ``exact_eigenvalue_sign_probabilities`` offers take up to
  4-5 s on the 3 x 3 ternary case (``eigenvals()``); its documented call budget
  (``autograder.sandbox.isolation.CALL_BUDGETS``) is 30 s, and the ``charpoly`` route gets full
  marks.
* ``0.5 * (1 + tanh(x / 2))`` returns 0 at x = -40: the sigmoid's docstring states the relative
  accuracy it must keep there and why (a loss takes its log), so it loses the value tests, and
  nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.grading import sandbox_available

ROOT = Path(__file__).resolve().parents[2]

UNIFORM_AS_AFFINE = '''
def xavier_uniform(fan_in, fan_out, rng):
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return a * (2.0 * rng.random((fan_in, fan_out)) - 1.0)


def he_uniform(fan_in, fan_out, rng):
    a = np.sqrt(6.0 / fan_in)
    return a * (2.0 * rng.random((fan_in, fan_out)) - 1.0)
'''

SIGMOID_CLIPPED = '''
def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return (1.0 / (1.0 + np.exp(-np.clip(x, -700.0, None))))[()]
'''

SIGMOID_BY_TANH = '''
def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return (0.5 * (1.0 + np.tanh(x / 2.0)))[()]
'''

EIGEN_SIGNS_BY_SYMPY = '''
def exact_eigenvalue_sign_probabilities(n, values, probs):
    import itertools
    import sympy
    values, probs = [Fraction(v) for v in values], [Fraction(p) for p in probs]
    if len(values) != len(probs) or any(p < 0 for p in probs) or sum(probs) != 1:
        raise ValueError("bad probabilities")
    slots = [(i, j) for i in range(n) for j in range(i, n)]
    x = sympy.Symbol("x")
    totals = [Fraction(0)] * 3
    for choice in itertools.product(range(len(values)), repeat=len(slots)):
        A = sympy.zeros(n, n)
        weight = Fraction(1)
        for (i, j), k in zip(slots, choice):
            A[i, j] = A[j, i] = sympy.Rational(values[k].numerator, values[k].denominator)
            weight *= probs[k]
        coeffs = A.charpoly(x).all_coeffs()
        zero = 0
        while coeffs and coeffs[-1] == 0:
            coeffs.pop()
            zero += 1
        signs = [c > 0 for c in coeffs if c != 0]
        positive = sum(a != b for a, b in zip(signs, signs[1:]))
        for k, count in enumerate((positive, n - positive - zero, zero)):
            totals[k] += weight * count / n
    return tuple(totals)
'''


def _grade(tmp_path: Path, module: str, source: str, tests: list[str], sandbox: bool = False,
           env: dict | None = None) -> dict:
    sub = tmp_path / "submission"
    shutil.copytree(ROOT / "solutions", sub, ignore=shutil.ignore_patterns("__pycache__"))
    with open(sub / f"{module}.py", "a", encoding="utf-8") as f:
        f.write("\n\n# --- a variant (appended: these definitions win) ---\n" + source)
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                           "--tb=no", f"--target={'sandbox:' if sandbox else ''}{sub}",
                           f"--results-json={out}", *tests],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})})
    assert out.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(out.read_text())


def _lost(results: dict) -> dict[str, float]:
    return {t["nodeid"]: t["max_score"] - t["score"] for t in results["tests"] if t["score"] < t["max_score"]}


@pytest.mark.parametrize("module, source, tests", [
    ("initialization", UNIFORM_AS_AFFINE,
     ["tests/hidden/test_initialization.py", "tests/public/test_initialization.py"]),
    ("activations", SIGMOID_CLIPPED, ["tests/hidden/test_activations.py", "tests/public/test_activations.py"]),
], ids=["uniform-as-a*(2u-1)", "sigmoid-clipped-at-700"])
def test_a_correct_variant_gets_full_marks(tmp_path, module, source, tests):
    results = _grade(tmp_path, module, source, tests)
    assert results["max_score"] > 0 and not _lost(results), _lost(results)


@pytest.mark.skipif(not sandbox_available(), reason="needs the sandbox (its per-call time limits)")
def test_the_sympy_route_of_the_eigenvalue_signs_gets_its_documented_budget(tmp_path):
    """Graded in the sandbox with every other call limited to 0.5 s: importing sympy and the 729
    charpolys of the 3 x 3 case each take longer, and pass only under the function's own budget."""
    from autograder.sandbox.isolation import CALL_BUDGETS
    assert CALL_BUDGETS["symmetry.exact_eigenvalue_sign_probabilities"] == 30.0
    _quoted_budget = "each call may take up to 30 s"
    from solutions.symmetry import exact_eigenvalue_sign_probabilities
    assert _quoted_budget in " ".join(exact_eigenvalue_sign_probabilities.__doc__.split())
    results = _grade(tmp_path, "symmetry", EIGEN_SIGNS_BY_SYMPY,
                     ["tests/hidden/test_symmetry.py::test_exact_eigenvalue_sign_probabilities",
                      "tests/hidden/test_variants.py::test_exact_sign_probabilities_of_your_value_set"],
                     sandbox=True, env={"AUTOGRADER_SANDBOX_CALL_TIMEOUT": "0.5"})
    assert results["max_score"] == 15 and not _lost(results), _lost(results)   # the exercise's worth


def test_the_tanh_sigmoid_loses_only_what_the_docstring_rules_out(tmp_path):
    results = _grade(tmp_path, "activations", SIGMOID_BY_TANH,
                     ["tests/hidden/test_activations.py", "tests/public/test_activations.py"])
    lost = _lost(results)
    assert lost, "the docstring asks s(-40) = 4.25e-18 and this form returns 0"
    assert all("sigmoid" in nodeid and "sigmoid_grad" not in nodeid for nodeid in lost), lost
