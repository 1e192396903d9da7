"""The student notebook is built from the source with otter assign: no solutions, same bytes twice."""

import json

import pytest

pytest.importorskip("otter", reason="building the lab needs otter-grader: pip install '.[lab]'")

from autograder.course import load_course  # noqa: E402
from autograder.lab import SOURCE, build_student_notebook  # noqa: E402
from autograder.lab.build import otter_assign  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("build")
    first = build_student_notebook(SOURCE, tmp / "a" / "keras_lab.ipynb")
    second = build_student_notebook(SOURCE, tmp / "b" / "keras_lab.ipynb")
    return first, second


def code_of(path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in nb["cells"] if c["cell_type"] == "code")


def test_the_build_is_byte_reproducible(built):
    first, second = built
    assert first.read_bytes() == second.read_bytes()


def test_the_student_notebook_keeps_the_functions_and_drops_their_solutions(built):
    code = code_of(built[0])
    for fn in load_course().exercise("keras_lab").functions:
        assert f"def {fn}(" in code
    for leaked in ("BEGIN SOLUTION", "END SOLUTION", "layers.append(keras.layers.Dropout(dropout))",
                   "np.sin(x**2) + np.cos(y**2)", "validation_split=0.33, verbose=0",
                   "LEARNING_RATES = (1.0"):
        assert leaked not in code, leaked
    assert "LEARNING_RATES = ..." in code
    # The written answers of the manual questions are gone too.
    text = built[0].read_text(encoding="utf-8")
    assert "the units die" not in text and "ASSIGNMENT CONFIG" not in text


def test_the_student_notebook_can_run_its_public_checks(built):
    nb = json.loads(built[0].read_text(encoding="utf-8"))
    code = code_of(built[0])
    assert 'grader = otter.Notebook("keras_lab.ipynb")' in code
    assert 'grader.check("learning_rate")' in code
    assert set(nb["metadata"]["otter"]["tests"]) == {"surfaces", "activations", "learning_rate", "dropout",
                                                      "gpu_setup"}


def test_the_reference_notebook_runs_top_to_bottom_and_passes_its_public_checks(tmp_path, monkeypatch):
    """otter's reference notebook, executed with nbclient (EPOCHS lowered to 2 to keep it quick)."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("tensorflow", reason="the Keras lab needs TensorFlow: pip install '.[lab]'")
    reference = otter_assign(SOURCE, tmp_path / "dist").parents[1] / "autograder" / SOURCE.name
    nb = nbformat.read(reference, as_version=4)
    setup = [c for c in nb.cells if c.cell_type == "code" and "EPOCHS = 250" in c.source]
    assert len(setup) == 1
    setup[0].source = setup[0].source.replace("EPOCHS = 250", "EPOCHS = 2")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # A kernel is a fresh process (spawned, not forked): TensorFlow runs only there.
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(reference.parent)}}).execute()
    checks = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
    assert len(checks) == 5
    for cell in checks:
        text = "".join(str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)
        assert "All test cases passed" in text, (cell.source, text)
