"""The points the student workflow reports to GitHub Classroom (``autograder.build.classroom``).

The format is that of Classroom's own graders (``classroom-resources/autograding-*-grader``),
read by ``classroom-resources/autograding-grading-reporter``: the step output ``result`` is
base64 of JSON ``{"version": 1, "status", "max_score", "tests": [{"name", "status", "score",
"message", "test_code", "filename", "line_no", "duration"}]}``, and the reporter adds up the
tests' ``score`` out of ``max_score``. The end-to-end check (the workflow on the example
submission, against ``golden/example.classroom.json``) is in ``test_workflow_rehearsal.py``.
"""

import base64
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_reporters import mixed_results, ungradable_results  # noqa: E402

from autograder.build.classroom import NOT_RUN, classroom_result, encode, main  # noqa: E402
from autograder.feedback import Feedback  # noqa: E402
from autograder.results import Results  # noqa: E402
from autograder.results import TestResult as Result  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"name", "status", "score", "message", "test_code", "filename", "line_no", "duration"}


def reporter_points(result: dict) -> tuple[float, float]:
    """What the grading reporter sends Classroom: the tests' scores summed, of max_score."""
    return sum(t["score"] for t in result["tests"]), result["max_score"]


def test_one_entry_per_exercise_with_the_graders_keys():
    result = classroom_result(mixed_results(), timings=False)
    assert result["version"] == 1 and result["status"] == "fail"
    assert [t["test_code"].split()[-1] for t in result["tests"]] == \
        ["gd", "lr_schedules", "sgd", "momentum", "adam"]          # course order
    assert all(set(t) == KEYS for t in result["tests"])
    assert reporter_points(result) == (4, 10)                      # 2 + 0 + 1 + 0 + 1 of 10
    statuses = {t["test_code"].split()[-1]: t["status"] for t in result["tests"]}
    assert statuses == {"gd": "pass", "lr_schedules": "fail", "sgd": "fail", "momentum": "fail",
                        "adam": "fail"}                            # a skipped test is no pass


def test_hidden_details_stay_out_of_the_log():
    text = json.dumps(classroom_result(mixed_results()))
    assert "adam-no-bias-correction" not in text and "[0.99]" not in text


def test_every_test_passing_is_a_pass_and_durations_are_milliseconds():
    results = Results(tests=[Result("t::a", "test_a", "gd", "public", "passed", 2.0, 2.0,
                                        duration=0.25)])
    result = classroom_result(results)
    assert result["status"] == "pass" and result["tests"][0]["duration"] == 250
    assert result["tests"][0]["message"] == "1 of 1 test passed: 2 of 2 points."


def test_a_run_that_graded_nothing_is_an_error_worth_nothing(tmp_path):
    ungradable = classroom_result(ungradable_results())
    assert ungradable["status"] == "error"
    broken = classroom_result(Results.not_graded("no sandbox level could start a worker"))
    assert broken["status"] == "error" and broken["max_score"] == 0
    assert broken["tests"][0]["message"] == "no sandbox level could start a worker"


def test_untrusted_messages_are_cleaned_and_bounded():
    evil = "\x1b[2J\x1b]8;;http://x\x07click" + "A" * 50_000
    results = Results(tests=[Result("t::a", "test_a", "gd", "public", "failed", 1.0, 0.0,
                                        feedback=Feedback(evil))])
    message = classroom_result(results)["tests"][0]["message"]
    assert "\x1b" not in message and "\x07" not in message and len(message) <= 1000


def test_the_command_writes_one_output_line(tmp_path, capsys):
    path = tmp_path / "results.json"
    path.write_text(mixed_results().to_json())
    assert main([str(path), "--no-timings"]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1 and line.startswith("result=")
    decoded = json.loads(base64.b64decode(line.strip().removeprefix("result=")))
    assert decoded == classroom_result(mixed_results(), timings=False)
    assert line.strip().removeprefix("result=") == encode(decoded)


def test_no_results_file_is_reported_not_crashed(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder.build.classroom",
                           str(tmp_path / "missing.json"), "--json"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and proc.stderr == ""
    result = json.loads(proc.stdout)
    assert result["status"] == "error" and result["tests"][0]["message"] == NOT_RUN
    (tmp_path / "bad.json").write_text("{not json")
    assert main([str(tmp_path / "bad.json"), "--json"]) == 0
