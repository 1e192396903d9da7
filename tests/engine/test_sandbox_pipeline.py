"""Calls sent ahead (autograder/sandbox/pipeline.py): fewer round trips, the same answers and
the same blame as one call at a time."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

from autograder.feedback import SubmissionError
from autograder.sandbox import pipeline
from autograder.sandbox import proxy as proxy_module
from autograder.sandbox.proxy import sandbox_target

REFERENCE = """
def double(x):
    return 2 * x

def shout(text):
    return text.upper()
"""

#: A submission like the reference, except where a test's own inputs expose it.
STUDENT = """
import os, time

seen = []

def double(x):
    seen.append(x)
    if not isinstance(x, int):
        return 2 * x
    if x == 13:
        return 27           # wrong: the next call of the test depends on this answer
    if x == 99:
        os._exit(3)         # the worker dies on this input
    if x == 77:
        time.sleep(30)      # never ends on this input
    if x == 55:
        return list(range(300_000))   # more than the reply budget of a call on one number
    return 2 * x

def shout(text):
    return text.upper()

def history():
    return list(seen)
"""


@pytest.fixture()
def folders(tmp_path):
    (tmp_path / "ref").mkdir()
    (tmp_path / "ref" / "m.py").write_text(REFERENCE)
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "m.py").write_text(STUDENT)
    return tmp_path / "ref", tmp_path / "student"


class Sends:
    """Counts the frames the grader writes (a batch is one)."""

    def __init__(self, monkeypatch):
        self.count = 0
        send = proxy_module._Channel.send

        def counted(channel, frame):
            self.count += 1
            return send(channel, frame)
        monkeypatch.setattr(proxy_module._Channel, "send", counted)


def run_test(target, inputs: list, then=None) -> list:
    """What a test does: call double() on inputs, each next input made from the last answer
    where ``then`` says how."""
    answers, x = [], None
    for step, value in enumerate(inputs):
        x = value if then is None or step == 0 else then(x)
        try:
            x = target.m.double(x)
        except SubmissionError as exc:
            answers.append(f"error: {exc.feedback.rationale}")
            break
        answers.append(x)
    return answers


def recorded(reference, test_body) -> pipeline.Predictions:
    """The calls ``test_body(target)`` makes on the reference, recorded as the grader does."""
    pipeline.RECORDING = pipeline.Predictions()
    try:
        with contextlib.closing(sandbox_target(reference)) as target:
            test_body(target)
        return pipeline.RECORDING
    finally:
        pipeline.RECORDING = None


def graded(student, predictions, test_body):
    with contextlib.closing(sandbox_target(student)) as target:
        target._worker.predictions = predictions
        answers = test_body(target)
        return answers, target.m.history()


def test_a_tests_predicted_calls_go_as_one_batch_with_the_same_answers(folders, monkeypatch):
    reference, student = folders
    body = lambda t: run_test(t, [1, 2, 3, np.arange(3.0), 5, 6])   # noqa: E731
    predictions = recorded(reference, body)
    assert len(predictions.get(pipeline.current_test())) == 6
    sends = Sends(monkeypatch)
    ahead, history = graded(student, predictions, body)
    ahead_sends = sends.count
    sends.count = 0
    one_by_one, history_alone = graded(student, None, body)
    assert repr(ahead) == repr(one_by_one)
    assert repr(history) == repr(history_alone)
    # import, attr, the batch of six calls and history()'s attr and call, against one each
    assert one_by_one[:3] == [2, 4, 6] and ahead_sends == sends.count - 5


def test_a_wrong_answer_resynchronises_and_blames_nothing_else(folders):
    reference, student = folders
    # 13 -> the student answers 27 (the reference 26): the test's next input differs.
    body = lambda t: run_test(t, [13, 0, 0, 0], then=lambda x: x + 1)   # noqa: E731
    predictions = recorded(reference, body)
    answers, history = graded(student, predictions, body)
    assert answers == [27, 56, 114, 230]
    # What the test sees is the same as without predictions; the reference's second call
    # (27) ran in the worker ahead of time, and nothing it did reached an answer.
    assert (answers, ) == (graded(student, None, body)[0], )
    assert history[:2] == [13, 27]


@pytest.mark.parametrize("bad", [99, 77, 55])
def test_a_call_no_test_made_that_kills_its_worker_is_blamed_on_nobody(folders, bad, monkeypatch):
    reference, student = folders
    monkeypatch.setenv("AUTOGRADER_SANDBOX_CALL_TIMEOUT", "2")
    predictions = pipeline.Predictions()
    with contextlib.closing(sandbox_target(reference)) as target:
        pipeline.RECORDING = predictions
        try:   # the reference's test: 13, 26 + 1, then `bad` (a call the student's test won't make)
            target.m.double(13)
            target.m.double(27)
            target.m.double(bad)
        finally:
            pipeline.RECORDING = None
    with contextlib.closing(sandbox_target(student)) as target:
        target._worker.predictions = predictions
        assert target.m.double(13) == 27
        assert target.m.double(28) == 56      # not predicted: the rest is cancelled
        # A worker lost in a call no test made ends the calls sent ahead for this submission.
        assert target._worker._no_ahead is (bad != 55)
        assert target.m.double(3) == 6        # the worker of the cancelled calls is gone or not:
        history = target.m.history()          # nothing is blamed on the test's calls
    assert history[-2:] == [28, 3] or history[-1] == 3


@pytest.mark.parametrize("bad, words, history", [
    (99, "stopped the grading worker", [4]), (77, "timed out", [4]),
    (55, "returned something the grader cannot read", [1, 55, 4])])
def test_a_predicted_call_that_fails_is_blamed_and_the_rest_run_in_a_fresh_worker(
        folders, bad, words, history, monkeypatch):
    reference, student = folders
    monkeypatch.setenv("AUTOGRADER_SANDBOX_CALL_TIMEOUT", "2")
    predictions = recorded(reference, lambda t: [t.m.double(1), t.m.double(bad),
                                                 t.m.double(4)])
    with contextlib.closing(sandbox_target(student)) as target:
        target._worker.predictions = predictions
        assert target.m.double(1) == 2
        with pytest.raises(SubmissionError) as raised:
            target.m.double(bad)
        assert "m.double" in raised.value.feedback.rationale
        assert words in raised.value.feedback.rationale
        assert target.m.double(4) == 8        # in a fresh worker, unless the call left it alive
        assert target.m.history() == history


def test_a_reply_read_ahead_is_read_within_the_budget_its_call_was_sent_with():
    from autograder.sandbox import protocol as P
    from autograder.sandbox.isolation import Limits

    budget = P.Budget(items=1234, array_elements=99)
    frame = P.pack({"id": 7, "kind": "call", "budget": budget.to_wire()})
    assert proxy_module._Ahead(7, frame).budget(Limits()) == budget


def test_another_test_starts_afresh_and_its_own_predictions_apply(folders, monkeypatch):
    reference, student = folders
    predictions = pipeline.Predictions()
    with contextlib.closing(sandbox_target(reference)) as target:
        pipeline.RECORDING = predictions
        try:
            for name in ("a", "b"):
                monkeypatch.setenv("PYTEST_CURRENT_TEST", f"t.py::{name} (call)")
                run_test(target, [1, 2, 3] if name == "a" else [7, 8])
        finally:
            pipeline.RECORDING = None
    assert [len(predictions.get(f"t.py::{n} (call)")) for n in "ab"] == [3, 2]
    with contextlib.closing(sandbox_target(student)) as target:
        target._worker.predictions = predictions
        monkeypatch.setenv("PYTEST_CURRENT_TEST", "t.py::a (call)")
        sends = Sends(monkeypatch)
        cancelled = pipeline.COUNTS["cancelled"]
        assert run_test(target, [1]) == [2]        # a stops early: 2 and 3 are never made
        monkeypatch.setenv("PYTEST_CURRENT_TEST", "t.py::b (call)")
        assert run_test(target, [7, 8]) == [14, 16]
        assert not target._worker._ahead
        # The import, double's attribute, and one batch: a's first call, a's other two (dropped)
        # and b's two, sent with it.
        assert sends.count == 3 and pipeline.COUNTS["cancelled"] == cancelled + 2
        history = target.m.history()
    assert history == [1, 2, 3, 7, 8]


def test_calls_with_call_backs_are_never_sent_ahead(folders):
    reference, _ = folders
    predictions = recorded(reference, lambda t: [t.m.double(1), t.m.shout("a")])
    assert len(predictions.get(pipeline.current_test())) == 2

    def with_callback(t):
        t.m.double(1)
        t.m.double(lambda: 1)

    with pytest.raises(Exception):
        recorded(reference, with_callback)
    assert len(recorded(reference, lambda t: t.m.double(1)).get(pipeline.current_test())) == 1


def test_predictions_survive_a_file_and_a_bad_file_costs_only_speed(folders, tmp_path,
                                                                    monkeypatch, capsys):
    reference, student = folders
    body = lambda t: run_test(t, [1, 2, 3])   # noqa: E731
    recorded(reference, body).save(tmp_path / "p.json")
    monkeypatch.setenv(pipeline.ENV, str(tmp_path / "p.json"))
    sends = Sends(monkeypatch)
    with contextlib.closing(sandbox_target(student)) as target:
        assert body(target) == [2, 4, 6]
    assert sends.count == 4     # import, attr, one batch of three calls, exit
    (tmp_path / "bad.json").write_text("{not json")
    monkeypatch.setenv(pipeline.ENV, str(tmp_path / "bad.json"))
    with contextlib.closing(sandbox_target(student)) as target:
        assert body(target) == [2, 4, 6]
    assert capsys.readouterr().err.count("call predictions not used") == 1


def test_replies_kept_ahead_are_bounded_in_bytes_and_the_rest_made_again(folders, monkeypatch):
    reference, student = folders
    ones = np.ones(1000)

    def body(t):   # shout's attribute is looked up after the first call: the rest are read then
        return [t.m.double(ones), t.m.shout("a"), *[t.m.double(ones) for _ in range(3)]]

    predictions = recorded(reference, body)

    # Room for one reply of 8 kB (and shout's): of the four read ahead, the last two are dropped.
    monkeypatch.setattr(pipeline, "MAX_KEPT_BYTES", 12_000)
    cancelled = pipeline.COUNTS["cancelled"]
    answers, history = graded(student, predictions, body)
    assert pipeline.COUNTS["cancelled"] == cancelled + 2
    assert [a.tolist() if hasattr(a, "tolist") else a for a in answers] == \
        [[2.0] * 1000, "A", [2.0] * 1000, [2.0] * 1000, [2.0] * 1000]
    assert len(history) == 6      # the two thrown away ran twice: ahead, and when made


def test_batches_shrink_when_the_calls_ahead_are_cancelled_and_grow_when_used(folders):
    reference, student = folders
    body = lambda t: run_test(t, [13, 0, 0, 0, 0, 0], then=lambda x: x + 1)   # noqa: E731
    predictions = recorded(reference, body)
    with contextlib.closing(sandbox_target(student)) as target:
        target._worker.predictions = predictions
        assert target._worker._window == pipeline.MAX_AHEAD
        body(target)      # 13 -> 27, not the reference's 26: the four calls ahead are cancelled
        assert target._worker._window == pipeline.MAX_AHEAD // 2
    with contextlib.closing(sandbox_target(student)) as target:
        target._worker.predictions = recorded(reference, lambda t: run_test(t, [1, 2, 3]))
        target._worker._window = 8
        assert run_test(target, [1, 2, 3]) == [2, 4, 6]
        assert target._worker._window == 16


# ------------------------------------------------------------------ the grader's own recording
def test_the_thin_loop_names_the_running_test_itself(monkeypatch):
    """The session says which test runs: PYTEST_CURRENT_TEST (pytest's own protocol) is only
    the fallback, and the session's name outlives nothing."""
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "outer.py::test (call)")
    assert pipeline.current_test() == "outer.py::test (call)"
    pipeline.set_current_test("t.py::a (call)")
    try:
        assert pipeline.current_test() == "t.py::a (call)"
    finally:
        pipeline.set_current_test(None)
    assert pipeline.current_test() == "outer.py::test (call)"


@pytest.fixture()
def checkout(tmp_path, monkeypatch):
    """A grader's checkout (public and hidden tests, the reference) whose recordings are made
    by a stand-in for grading the reference, counted."""
    for rel, text in {"tests/public/test_a.py": "def test_a(): pass\n",
                      "tests/hidden/test_b.py": "def test_b(): pass\n",
                      "solutions/m.py": REFERENCE}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    made = []

    def recorded_from(reference, tests):
        made.append((reference, list(tests)))
        return pipeline.Predictions({"tests/hidden/test_b.py::test_b (call)": []})
    monkeypatch.setattr(pipeline, "_recorded", recorded_from)
    monkeypatch.setattr(pipeline, "_MADE", {})
    monkeypatch.delenv(pipeline.ENV, raising=False)
    tests = [tmp_path / "tests/public", tmp_path / "tests/hidden"]
    return tmp_path, tests, made


def find(root, tests, *, make=True, reference=True):
    return pipeline.for_tests(tests, root=root, reference=root / "solutions" if reference else None,
                              make=make)


def test_a_recording_is_made_once_into_the_checkout_and_used_while_it_fits(checkout):
    root, tests, made = checkout
    first = find(root, tests)
    assert first is not None and len(made) == 1
    cached = list((root / pipeline.CACHE_DIR).glob("call-predictions-*.json"))
    assert len(cached) == 1 and find(root, tests) is not None and len(made) == 1
    # The Gradescope image: no reference at hand, the recording shipped with these tests is used.
    assert find(root, tests, reference=False, make=False) is not None
    # Another reference: stale, never used; recorded again where the reference is at hand.
    (root / "solutions/m.py").write_text(REFERENCE + "\n# changed\n")
    assert find(root, tests, make=False) is None
    assert find(root, tests) is not None and len(made) == 2
    # Other hidden tests: another key (and another file); the old one never stands in.
    (root / "tests/hidden/test_b.py").write_text("def test_b(): assert True\n")
    assert find(root, tests, make=False) is None and find(root, tests, reference=False, make=False) is None
    assert find(root, tests) is not None and len(made) == 3


def test_a_stale_missing_or_corrupt_recording_costs_only_speed(checkout, monkeypatch, capsys):
    root, tests, made = checkout
    assert find(root, tests, make=False) is None                       # missing
    find(root, tests)
    path, = (root / pipeline.CACHE_DIR).glob("call-predictions-*.json")
    path.write_text('{"format": "autograder call predictions", "version": 3, "tests": [[')
    assert find(root, tests, make=False) is None                       # corrupt
    data = pipeline.Predictions({"x": []}, {"tests": "0", "recorder": "0", "reference": "0"})
    data.save(path)
    assert find(root, tests, make=False) is None                       # another key
    assert capsys.readouterr().err == ""          # no word of it: calls go one at a time
    # Made again where the reference is at hand (here from the one made in this process).
    assert find(root, tests) is not None and find(root, tests, make=False) is not None
    # An engine whose code changed: its recorder's key differs.
    monkeypatch.setattr(pipeline, "RECORDER_VERSION", pipeline.RECORDER_VERSION + 1)
    assert find(root, tests, make=False) is None


def test_only_where_the_grader_holds_the_hidden_tests_and_off_turns_it_off(checkout, monkeypatch):
    root, tests, made = checkout
    assert find(root, tests[:1]) is None and made == []                # public tests only
    monkeypatch.setenv(pipeline.ENV, "off")
    assert find(root, tests) is None and made == []
    assert pipeline.active() is None
    monkeypatch.setenv(pipeline.ENV, "")
    assert find(root, tests) is not None and len(made) == 1


def test_the_recorder_leaves_out_what_a_zip_leaves_out():
    from autograder.build import layout

    assert set(pipeline.SKIPPED_NAMES) == set(layout.SKIPPED_NAMES)


# ------------------------------------------------------------------ the same results, end to end
def _misconception_sample(tmp_path) -> list:
    """A few catalogue entries (tests/misconceptions/_harness.py) of different modules (the
    whole catalogue: ``python benchmarks/round_trips.py --same-results``)."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "tests" / "misconceptions"))
    try:
        import _harness
    finally:
        sys.path.remove(str(root / "tests" / "misconceptions"))
    seen, paths = set(), []
    for entry in _harness.load_catalogue(_harness.CATALOGUE):
        if entry.module not in seen and len(seen) < 3:
            seen.add(entry.module)
            paths.append(_harness.build_submission(entry, tmp_path / entry.misconception))
    return paths


def test_the_grader_sends_calls_ahead_by_default_and_the_results_are_the_same(tmp_path,
                                                                              monkeypatch):
    """The example submission, the reference and a misconception of each module, graded with
    the checkout's own recording and with ``AUTOGRADER_CALL_PREDICTIONS=off``: every report
    format the same, byte for byte; calls really went ahead."""
    from pathlib import Path

    from autograder.grading import grade_many
    from autograder.reporters import FORMATS, render

    root = Path(__file__).resolve().parents[2]
    if not (root / "tests" / "hidden").is_dir():
        pytest.skip("no hidden tests in this checkout: nothing is sent ahead")
    jobs = [root / "examples" / "submission", root / "solutions", *_misconception_sample(tmp_path)]
    monkeypatch.delenv(pipeline.ENV, raising=False)
    confirmed = pipeline.COUNTS["confirmed"]
    ahead = grade_many(jobs)
    assert pipeline.COUNTS["confirmed"] - confirmed > 300 * len(jobs) // 2
    monkeypatch.setenv(pipeline.ENV, "off")
    confirmed = pipeline.COUNTS["confirmed"]
    one_at_a_time = grade_many(jobs)
    assert pipeline.COUNTS["confirmed"] == confirmed
    for job, a, b in zip(jobs, ahead, one_at_a_time):
        assert b.graded and 0 < a.max_score
        for fmt in FORMATS:
            assert render(a, fmt, timings=False) == render(b, fmt, timings=False), (job, fmt)


def test_a_recording_in_force_belongs_to_its_thread():
    """A batch worker's grading session lives on a thread beside others: one ending never
    takes another's recording out of force."""
    import threading

    mine, theirs = pipeline.Predictions({"a": []}), pipeline.Predictions({"b": []})
    entered, leave = threading.Event(), threading.Event()

    def other_session():
        with pipeline.using(theirs):
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=other_session)
    thread.start()
    entered.wait(10)
    with pipeline.using(mine):
        leave.set()
        thread.join(10)      # the other session ends while this one runs
        assert pipeline.active() is mine


def test_a_reference_that_could_not_be_graded_leaves_no_recording(checkout, monkeypatch):
    # A grade broken off (no worker could start) records nothing: kept, it would be trusted as
    # "nothing to predict" by every later grade and shipped empty in autograder.zip.
    from autograder import grading
    from autograder.results import Results

    root, tests, made = checkout
    broken = Results(errors=["the sandbox could not start"])
    monkeypatch.setattr(grading, "grade_many", lambda *a, **k: [broken])
    with pytest.raises(RuntimeError, match="the sandbox could not start"):
        pipeline._record_here(root / "solutions", tests)

    def fails(reference, tests):
        raise RuntimeError("the reference could not be recorded (no call was recorded)")
    monkeypatch.setattr(pipeline, "_recorded", fails)
    assert find(root, tests) is None
    assert pipeline.recording_bytes(tests, root / "solutions", cache_root=root) is None
    assert not list((root / pipeline.CACHE_DIR).glob("call-predictions-*.json"))
    # An empty recording already in the cache (as an older engine left it) is never used.
    key = pipeline.fingerprint(tests, root / "solutions")
    pipeline.Predictions({}, key).save(pipeline.cache_path(root, key))
    assert find(root, tests, make=False) is None
