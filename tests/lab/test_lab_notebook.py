"""Reading a submitted notebook and keeping only what the grader runs (pure text: no TensorFlow)."""

import json

import pytest

pytest.importorskip("nbformat", reason="reading notebooks needs nbformat: pip install '.[lab]'")

from autograder.lab.notebook import NotebookError, extract_definitions, read_notebook  # noqa: E402


def notebook(*sources: str) -> str:
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
              "source": s} for i, s in enumerate(sources)]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_keeps_imports_definitions_and_constants_and_drops_the_experiments():
    nb = read_notebook(notebook(
        "import numpy as np\nimport otter\ngrader = otter.Notebook('x.ipynb')",
        "RATES = (1.0, 0.1)\nEPOCHS = 250\nN: int = 3\nmodel = build()\n",
        "def f(x):\n    return 2 * x\n\nhistories = {lr: f(lr) for lr in RATES}\nprint(histories)",
        "%matplotlib inline\n!pip install keras\nclass A:\n    pass",
        "grader.check('q1')",
    ))
    code = extract_definitions(nb)
    text = "\n".join(src for _, src in code.chunks)
    for kept in ("import numpy as np", "RATES = (1.0, 0.1)", "EPOCHS = 250", "N: int = 3", "def f(x):", "class A:"):
        assert kept in text
    for dropped in ("otter", "build()", "histories", "print", "grader", "matplotlib", "pip"):
        assert dropped not in text
    assert [index for index, _ in code.chunks] == [0, 1, 2, 3]
    assert not code.problems


def test_a_cell_with_a_syntax_error_is_reported_and_the_others_kept():
    code = extract_definitions(read_notebook(notebook("def f(:\n    pass", "def g():\n    return 1")))
    assert [index for index, _ in code.chunks] == [1]
    assert "code cell 0 has a syntax error" in code.problems[0]


@pytest.mark.parametrize("raw, reason", [
    ("", "not valid JSON"),
    ("[1, 2]", "not a Jupyter notebook"),
    ('{"cells": "nope", "nbformat": 4}', "does not follow the Jupyter format"),
])
def test_unreadable_notebooks_raise_a_readable_error(raw, reason):
    with pytest.raises(NotebookError, match=reason):
        read_notebook(raw)
