"""Named problems: the same numbers as the functions they replaced, by name through the sandbox,
no call-backs, and nothing but the closed list of kinds ever rebuilt."""

from __future__ import annotations

import copy
import io
import math
from pathlib import Path

import numpy as np
import pytest

from autograder import problems
from autograder.problems import COURSE_FUNCTIONS, Problem, ProblemError
from autograder.sandbox import protocol as P
from autograder.sandbox import proxy
from autograder.sandbox.isolation import Limits
from autograder.sandbox.proxy import SandboxUnavailable, sandbox_target
from autograder.sandbox.worker import Worker

A2 = np.array([[2.0, 1.0], [1.0, 3.0]])
A3 = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 1.0]])
RNG = np.random.default_rng(2024)
VECTORS2 = [np.array([0.3, -1.7]), RNG.standard_normal(2) * 1e3, np.array([-0.0, 5e-324])]
SCALARS = [0.3, -2.0, 1e-9, 7.25]
TIMES = [1, 2, 5, 17, 100]


def _xy(p):
    p = np.asarray(p, dtype=np.float64)
    return p[0], p[1]


#: (problem, the lambda the tests used before, inputs): the problem must give the same bits.
REPLACED = [
    (Problem("quadratic_grad", A=A2), lambda x: A2 @ np.asarray(x, dtype=np.float64), VECTORS2),
    (Problem("quadratic_grad", A=[[2.0]]), lambda x: 2.0 * np.asarray(x, dtype=np.float64),
     SCALARS + VECTORS2),
    (Problem("matvec", A=A3), lambda v: A3 @ v, [RNG.standard_normal(3) for _ in range(3)]),
    (Problem("scale", c=0.0), lambda x: 0.0 * x, SCALARS + VECTORS2),
    (Problem("scale", c=np.array([3.0, 1.0, -2.0])), lambda u: np.array([3.0, 1.0, -2.0]) * u,
     [RNG.standard_normal(3)]),
    (Problem("exponential_schedule", rate=0.2), lambda t: math.exp(-0.2 * t), TIMES),
    (Problem("polynomial_schedule", alpha=0.5, power=1.5), lambda t: (1.0 + 0.5 * t) ** (-1.5), TIMES),
    (Problem("geometric_schedule", base=0.5), lambda t: 0.5 ** t, TIMES),
    (Problem("constant_schedule"), lambda t: 1.0, TIMES),
    (Problem("grad", function="x^2"), lambda x: 2 * np.asarray(x, dtype=float), SCALARS + VECTORS2),
    (Problem("grad", function="rosenbrock"),
     lambda p: np.array([-2 * (1 - _xy(p)[0]) - 400 * _xy(p)[0] * (_xy(p)[1] - _xy(p)[0] ** 2),
                         200 * (_xy(p)[1] - _xy(p)[0] ** 2)]), VECTORS2),
    (Problem("f", function="x*cos(pi*x)"), lambda x: x * np.cos(np.pi * x), SCALARS),
    # the variants' family x cos(c pi x) at c = 0.15 is the course function of that name
    (Problem("cosine_grad", c=0.15), COURSE_FUNCTIONS["x*cos(0.15*pi*x)"][1], SCALARS + VECTORS2),
]
#: Every kind and every course function, each with sample inputs.
SAMPLES = [(p, inputs) for p, _, inputs in REPLACED] + [
    (Problem(kind, function=name), [np.array([0.5, -1.0])] if "y" in name or "x1" in name or name == "rosenbrock"
     else SCALARS) for name in COURSE_FUNCTIONS for kind in ("f", "grad")]


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("problem,before,inputs", REPLACED, ids=[repr(p)[:60] for p, _, _ in REPLACED])
def test_a_problem_computes_exactly_what_the_lambda_it_replaced_did(problem, before, inputs):
    for x in inputs:
        assert same_bits(problem(x), before(x)), (problem, x)


def test_every_kind_has_a_sample():
    assert {p.name for p, _ in SAMPLES} == set(problems.KINDS)


def test_a_problem_is_immutable_and_keeps_its_own_copy_of_its_parameters():
    A = np.array([[2.0, 0.0], [0.0, 4.0]])
    g = Problem("matvec", A=A)
    A[0, 0] = 100.0                            # the test's array changing later changes nothing
    assert same_bits(g(np.array([1.0, 1.0])), np.array([2.0, 4.0]))
    with pytest.raises(ValueError):
        g.params["A"][0, 0] = 5.0              # read-only
    with pytest.raises(AttributeError):
        g.name = "grad"
    # A call record's snapshot (autograder.targets) and the misconception replay deep-copy
    # arguments: a problem survives that as itself.
    assert copy.deepcopy(g) is g and copy.copy(g) is g
    assert g == Problem("matvec", A=[[2.0, 0.0], [0.0, 4.0]]) != Problem("matvec", A=[[2.0, 0.0], [0.0, 5.0]])


@pytest.mark.parametrize("name,params", [
    ("nope", {}), ("__init__", {}), ("grad", {}), ("grad", {"function": "x^4"}),
    ("grad", {"function": 3}), ("grad", {"function": "x^2", "extra": 1.0}),
    ("quadratic_grad", {"A": [[1.0, 2.0]]}), ("quadratic_grad", {"A": np.zeros((2, 2, 2))}),
    ("matvec", {"A": "AAAA"}), ("matvec", {"A": np.array([["a"]])}), ("matvec", {"A": np.zeros((0, 3))}),
    ("matvec", {"A": [[1.0, "x"]]}), ("matvec", {"A": np.array([[1 + 2j]])}),
    ("scale", {"c": True}), ("scale", {"c": None}), ("exponential_schedule", {"rate": "0.1"}),
    ("exponential_schedule", {"rate": 10 ** 400}), ("constant_schedule", {"x": 1.0}),
])
def test_unknown_kinds_and_malformed_parameters_are_refused(name, params):
    with pytest.raises(ProblemError):
        Problem(name, **params)


# ------------------------------------------------------------------ on the wire


def _grader_special(value):
    return problems.to_tag(value) if type(value) is Problem else None


def _frame(values: dict) -> tuple[dict, list]:
    frame = P.encode_message({"kind": "call"}, values, special=_grader_special)
    return P.FrameReader(io.BytesIO(frame).read).read_frame()


def _worker_decoder(arrays):
    worker = Worker.__new__(Worker)   # only its decoder: no pipes, no submission
    return worker._decoder(arrays, {})


@pytest.mark.parametrize("problem,inputs", SAMPLES, ids=[repr(p)[:60] for p, _ in SAMPLES])
def test_a_problem_travels_by_name_and_is_rebuilt_equal(problem, inputs):
    header, arrays = _frame({"args": (problem,)})
    assert header["args"]["items"][0]["$"] == "problem"
    for decoder in (_worker_decoder(arrays), P.Decoder(arrays, proxy._result_specials([]))):
        (rebuilt,) = decoder.decode(header["args"])
        assert type(rebuilt) is Problem and rebuilt == problem and rebuilt is not problem
        for x in inputs:
            assert same_bits(rebuilt(x), problem(x))


def test_arrays_of_a_problem_travel_as_npy_not_json():
    header, arrays = _frame({"args": (Problem("matvec", A=A3),)})
    assert len(arrays) == 1 and same_bits(arrays[0], A3)


@pytest.mark.parametrize("tag", [
    {"$": "problem", "name": "os.system", "data": {"$": "dict", "items": []}},
    {"$": "problem", "name": "grad", "data": {"$": "dict", "items": [["function", "eval('1')"]]}},
    {"$": "problem", "name": "grad"},
    {"$": "problem", "name": ["grad"], "data": {"$": "dict", "items": [["function", "x^2"]]}},
    {"$": "problem", "name": "grad", "data": [["function", "x^2"]]},
    {"$": "problem", "name": "matvec", "data": {"$": "dict", "items": [["A", {"$": "callback", "id": 0}]]}},
    {"$": "problem", "name": "matvec", "data": {"$": "dict", "items": [["A", {"$": "ndarray", "i": 3}]]}},
    {"$": "problem", "name": "scale", "data": {"$": "dict", "items": [["c", {"$": "fraction", "n": "1", "d": "3"}]]}},
])
def test_malformed_problem_tags_are_protocol_errors_on_both_sides(tag):
    for decoder in (_worker_decoder([]), P.Decoder([], proxy._result_specials([lambda: 0]))):
        with pytest.raises(P.ProtocolError):
            decoder.decode(tag)


def test_a_subclass_or_wrapper_of_a_problem_is_not_sent_as_one():
    class Counting(Problem):
        pass
    wrapped = Problem("matvec", A=A2)
    assert _grader_special(Counting("matvec", A=A2)) is None
    assert _grader_special(lambda v: wrapped(v)) is None


def test_the_worker_runtime_gets_a_copy_of_the_problems_module():
    from autograder.sandbox.isolation import SandboxDir
    box = SandboxDir(Path(__file__).parent, Limits.from_env())
    try:
        box.refresh(None)   # what every worker start does
        copied = box.runtime / "agworker" / "problems.py"
        assert copied.read_bytes() == Path(problems.__file__).read_bytes()
    finally:
        box.remove()


# ------------------------------------------------------------------ through a worker


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    root = tmp_path_factory.mktemp("problems-submission")
    (root / "tools.py").write_text(
        "import sys\n"
        "def call_back(f, *a):\n    return f(*a)\n"
        "def power(matvec, n, v):\n    for _ in range(n):\n        v = matvec(v)\n"
        "        v = v / (v @ v) ** 0.5\n    return v\n"
        "def kind(f):\n    return type(f).__module__ + '.' + type(f).__name__\n"
        "def give_back(f):\n    return f\n"
        "def hollow(f):\n    return object.__new__(type(f))\n"
        "def sabotage():\n"
        "    m = sys.modules['agworker.problems']\n"
        "    m.Problem.__call__ = lambda self, *a, **k: 0.0\n"
        "    m.KINDS.clear()\n    m.from_tag = None\n    return 'done'\n")
    t = sandbox_target(root, limits=Limits.from_env(call_timeout=5.0))
    try:
        t.isolation
    except SandboxUnavailable as exc:
        pytest.skip(f"no isolation level works here: {exc}")
    yield t
    t.close()


@pytest.fixture
def callbacks(monkeypatch):
    """How many call-backs the grader answers during the test."""
    count = [0]
    answer = proxy._answer_callback

    def counting(*args, **kwargs):
        count[0] += 1
        return answer(*args, **kwargs)
    monkeypatch.setattr(proxy, "_answer_callback", counting)
    return count


def test_a_problem_is_called_in_the_worker_without_call_backs(target, callbacks):
    start = np.array([1.0, 0.0])
    matvec = Problem("matvec", A=A2)
    got = target.tools.power(matvec, 60, start)
    # The same loop in the grader, on the grader's copy: the same bits.
    v = start
    for _ in range(60):
        v = matvec(v)
        v = v / (v @ v) ** 0.5
    assert same_bits(got, v)
    assert callbacks[0] == 0
    assert target.tools.kind(matvec) == "agworker.problems.Problem"


def test_every_sample_problem_gives_the_same_bits_in_the_worker(target, callbacks):
    for problem, inputs in SAMPLES:
        for x in inputs:
            assert same_bits(target.tools.call_back(problem, x), problem(x)), (problem, x)
    assert callbacks[0] == 0


def test_a_counting_wrapper_stays_a_grader_side_call_back(target, callbacks):
    seen = []
    matvec = Problem("matvec", A=A2)

    def counted(v):
        seen.append(np.array(v))
        return matvec(v)
    target.tools.power(counted, 5, np.array([1.0, 0.0]))
    assert callbacks[0] == 5 and len(seen) == 5


def test_a_problem_the_submission_returns_comes_back_rebuilt_by_the_grader(target):
    problem = Problem("quadratic_grad", A=A3)
    back = target.tools.give_back(problem)
    assert type(back) is Problem and back == problem and back is not problem


def test_patching_the_workers_copy_lasts_only_for_that_call(target):
    assert target.tools.sabotage() == "done"
    x = np.array([0.25, -1.5])
    assert same_bits(target.tools.call_back(Problem("grad", function="rosenbrock"), x),
                     Problem("grad", function="rosenbrock")(x))


def test_a_hollow_problem_from_the_submission_is_unsendable_not_a_crash(target):
    from autograder.feedback import SubmissionError
    with pytest.raises(SubmissionError, match="cannot read"):
        target.tools.hollow(Problem("constant_schedule"))
    assert target.tools.call_back(Problem("constant_schedule"), 3) == 1.0
