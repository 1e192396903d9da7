"""One pytest session grading many submissions: each gets exactly what it gets graded alone."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from autograder.grading import REPO_ROOT, Job, grade, grade_many
from autograder.reporters import without_timings

EXAMPLE = REPO_ROOT / "examples" / "submission"
STUBS = REPO_ROOT / "assignments"
SOLUTIONS = REPO_ROOT / "solutions"
PUBLIC = [REPO_ROOT / "tests" / "public"]


def _comparable(results) -> list[tuple]:
    """What a report shows per test, without timings."""
    results = without_timings(results)
    return [(t.nodeid, t.status, t.score, t.max_score,
             t.feedback.render() if t.feedback else None) for t in results.tests]


def _syntax_error(tmp_path: Path) -> Path:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "gradient_descent.py").write_text("def gd(:\n", encoding="utf-8")
    return broken


@pytest.mark.parametrize("isolate", [True, False], ids=["isolated", "in-process"])
def test_each_submission_of_a_session_gets_what_it_gets_alone(tmp_path, isolate):
    # A partly right submission, the stubs (every test fails: no credit may carry over from the
    # one before), a syntax error, then the reference: in one session, and one at a time.
    order = [EXAMPLE, STUBS, _syntax_error(tmp_path), SOLUTIONS]
    together = grade_many(order, isolate=isolate, tests=PUBLIC)
    alone = [grade(path, isolate=isolate, tests=PUBLIC) for path in order]
    assert [r.target for r in together] == [str(p) for p in order]
    for one, other in zip(together, alone):
        assert _comparable(one) == _comparable(other)
        assert one.errors == other.errors and one.isolation == other.isolation
    scores = [r.score for r in together]
    assert scores[1] == 0 and scores[2] == 0 and scores[3] == together[3].max_score
    assert 0 < scores[0] < together[0].max_score


def test_results_arrive_in_order_as_each_submission_is_done(tmp_path):
    seen = []
    results = grade_many([Job(SOLUTIONS), Job(STUBS)], isolate=False, tests=PUBLIC,
                         on_result=lambda job, res: seen.append((job.path, res.score)))
    assert seen == [(SOLUTIONS, results[0].score), (STUBS, 0.0)]
    # A long-lived batch worker hands each result on and keeps none.
    seen.clear()
    assert grade_many([Job(STUBS)], isolate=False, tests=PUBLIC, keep=False,
                      on_result=lambda job, res: seen.append(res.score)) == []
    assert seen == [0.0]


class _Trickle:
    """A lazy job source like a batch worker's queue, whose ``ready()`` says no job is waiting."""

    def __init__(self, jobs, finished: list):
        self.jobs, self.finished = list(jobs), finished
        self.asked_after: list[int] = []     # results delivered when each job was asked for

    def ready(self) -> bool:
        return False

    def __iter__(self):
        return self

    def __next__(self):
        self.asked_after.append(len(self.finished))
        if not self.jobs:
            raise StopIteration
        return self.jobs.pop(0)


def test_a_lazy_job_source_is_never_read_ahead():
    finished: list = []
    source = _Trickle([Job(SOLUTIONS), Job(STUBS)], finished)
    results = grade_many(source, isolate=False, tests=PUBLIC,
                         on_result=lambda job, res: finished.append(res))
    # Read ahead, the second job would be asked for before the first was done ([0, 0, 2]).
    assert source.asked_after == [0, 1, 2]
    assert results[1].score == 0.0 and results[0].score == results[0].max_score


def test_missing_tests_leave_every_job_not_graded(tmp_path):
    results = grade_many([SOLUTIONS, STUBS], tests=[tmp_path / "nowhere"])
    assert len(results) == 2
    # The course's fault, not the submissions': not graded, nothing scored.
    assert all("No tests to grade with" in r.infrastructure_error for r in results)
    assert all(not r.tests and not r.errors for r in results)


def test_a_worker_launched_early_is_adopted_by_its_target():
    from autograder.sandbox import isolation
    from autograder.sandbox.proxy import sandbox_target

    limits = isolation.Limits.from_env()
    early = isolation.launch_early(SOLUTIONS, limits)
    if early is None:
        pytest.skip("no isolation level can start a worker here")
    box, launched = early
    pid = launched.proc.pid
    target = sandbox_target(SOLUTIONS, limits=limits, early=early)
    try:
        assert target._worker.level is None          # launched, not yet heard from
        assert target.gradient_descent.constant_lr(3) == 1.0
        worker = target._worker
        assert worker.box is box and worker.proc.pid == pid and worker.starts == 1
    finally:
        target.close()
    assert not box.root.exists()      # the copy went with the target
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists():
        if time.monotonic() > deadline:
            pytest.fail("the early worker outlived its target")
        time.sleep(0.05)


def test_a_grader_failure_costs_only_its_own_submission(monkeypatch, tmp_path):
    # A bug of the grader's (here: preparing one submission, then running another) leaves that
    # submission not graded (the machine's failure, not a zero); the session goes on with the next.
    import autograder.grading as grading
    import autograder.pytest_plugin as plugin

    real_materialise, real_begin = grading.materialise, plugin.GradingState.begin
    broken = tmp_path / "breaks_preparation"
    broken.mkdir()

    def materialise(path, *args, **kwargs):
        if Path(path) == broken:
            raise RuntimeError("cannot prepare")
        return real_materialise(path, *args, **kwargs)

    begun = []

    def begin(state, submission):
        begun.append(submission)
        if len(begun) == 2:
            raise RuntimeError("cannot begin")
        real_begin(state, submission)

    monkeypatch.setattr(grading, "materialise", materialise)
    monkeypatch.setattr(plugin.GradingState, "begin", begin)
    results = grade_many([SOLUTIONS, broken, SOLUTIONS, STUBS], isolate=False, tests=PUBLIC)
    assert [r.graded for r in results] == [True, False, False, True]
    assert results[1].infrastructure_error.startswith(
        "the grader failed (RuntimeError: cannot prepare). To fix: this is a bug of the autograder")
    assert results[2].infrastructure_error.startswith(
        "the grader failed (RuntimeError: cannot begin). To fix:")
    assert not results[1].tests and not results[2].tests and not results[1].errors
    assert results[0].score == results[0].max_score > 0 and results[3].tests
    assert results[3].score == 0.0
