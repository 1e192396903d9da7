"""The Keras lab: a notebook built for students with otter assign and graded in an isolated worker.

* :func:`build_student_notebook` (``build.py``): source notebook -> student notebook.
* :func:`grade_lab` (``grade.py``): a submitted notebook -> :class:`~autograder.results.Results`.
* ``python -m autograder.lab grade NOTEBOOK [--epochs N]`` / ``build [SRC] DST`` from a shell.

Nothing here imports TensorFlow: only the spawned worker (``worker.py``) does.
"""

from .build import SOURCE, BuildError, build_student_notebook
from .grade import EXERCISE, default_epochs, gpu_present, grade_lab
from .spec import CPU_EPOCHS, FULL_EPOCHS

__all__ = ["SOURCE", "BuildError", "build_student_notebook", "EXERCISE", "default_epochs",
           "gpu_present", "grade_lab", "CPU_EPOCHS", "FULL_EPOCHS"]
