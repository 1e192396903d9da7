"""The workflow rehearsal's own machinery (``ci_rehearsal``), on small workflows written here.

The rehearsals of the project's workflows (``test_workflow_rehearsal.py``) are only as good as
this: expressions, ``if:`` after a failure, outputs and ``GITHUB_ENV`` between steps, skips that
must name what the step needs, and the package index's stand-in, which installs nothing extra.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from ci_rehearsal import (ExpressionError, Rehearsal, closure, evaluate,  # noqa: E402
                          pip_install_requirements, substitute)


def workflow(tmp_path: Path, steps: str, job_extra: str = "") -> Path:
    path = tmp_path / "wf.yml"
    path.write_text("name: t\non: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n" + job_extra
                    + "    steps:\n" + steps)
    return path


def rehearse(tmp_path, steps, **kw) -> Rehearsal:
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    reh = Rehearsal(workflow(tmp_path, steps, kw.pop("job_extra", "")), tmp_path / "r", ws, **kw)
    reh.run()
    return reh


def test_expressions():
    ctx = {"github": {"event": {"inputs": {"epochs": ""}}, "actor": "alice"},
           "steps": {"grade": {"outputs": {"name": "x"}}}, "matrix": {"repository": "o/r"}}
    assert evaluate("github.event.inputs.epochs || '250'", ctx) == "250"
    assert evaluate("github.actor != 'github-classroom[bot]'", ctx) is True
    assert evaluate("always() && steps.grade.outputs.name != ''", ctx, "failure") is True
    assert evaluate("steps.nope.outputs.name != ''", ctx) is False
    assert evaluate("fromJSON('[\"a\", \"b\"]')", ctx) == ["a", "b"]
    assert substitute("grade-${{ matrix.repository }}", ctx) == "grade-o/r"
    with pytest.raises(ExpressionError):
        evaluate("hashFiles('x')", ctx)


def test_outputs_env_and_conditions_follow_the_runner(tmp_path):
    reh = rehearse(tmp_path, """\
      - id: one
        run: |
          echo "answer=42" >> "$GITHUB_OUTPUT"
          echo "COLOUR=blue" >> "$GITHUB_ENV"
          echo "hello" >> "$GITHUB_STEP_SUMMARY"
      - name: uses them
        run: test "${{ steps.one.outputs.answer }}" = 42 && test "$COLOUR" = blue
      - name: fails
        run: exit 3
      - name: after a failure, by default
        run: echo never
      - name: after a failure, always
        if: always()
        run: echo ran
      - name: only on failure
        if: failure()
        run: echo ran too
""")
    outcomes = [(s.name, s.outcome) for s in reh.steps]
    assert outcomes == [("echo \"answer=42\" >> \"$GITHUB_OUTPUT\"", "success"),
                        ("uses them", "success"), ("fails", "failure"),
                        ("after a failure, by default", "skipped"),
                        ("after a failure, always", "success"), ("only on failure", "success")]
    assert reh.summary == "hello\n"
    with pytest.raises(AssertionError, match="exit 3"):
        reh.assert_passed()


def test_a_skip_must_name_what_the_step_needs(tmp_path):
    with pytest.raises(AssertionError, match="nothing in it needs"):
        rehearse(tmp_path, "      - name: slow\n        run: sleep 100\n",
                 skips={"slow": "needs a GPU"})
    reh = rehearse(tmp_path, "      - name: gpu\n        run: nvidia-smi\n",
                   skips={"gpu": "needs a GPU"})
    assert reh.steps[0].outcome == "skipped" and reh.steps[0].detail == "needs a GPU"


def test_an_unknown_action_is_refused(tmp_path):
    with pytest.raises(AssertionError, match="no rehearsal knows"):
        rehearse(tmp_path, "      - uses: someone/else@v1\n")


def test_the_index_stand_in_provides_the_closure_and_nothing_else(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["rich>=13"]\n'
        '[project.optional-dependencies]\nextra = ["jsonschema"]\n')
    assert pip_install_requirements('python -m pip install -e ".[extra]"', tmp_path) == \
        ["rich>=13", "jsonschema"]
    assert pip_install_requirements("python -m pip install -e .", tmp_path) == ["rich>=13"]
    found, missing = closure(["rich>=13"])
    assert {"rich", "pygments", "markdown-it-py"} <= set(found) and not missing
    assert "jsonschema" not in found and "numpy" not in found
    assert closure(["surely-not-installed-here"])[1] == ["surely-not-installed-here"]
