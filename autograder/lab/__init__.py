"""The Keras lab: a notebook exercise, built for students with otter assign and graded by the one
engine (the course's pytest session and the sandbox's workers, like every other exercise).

* :func:`build_student_notebook` (``build.py``): source notebook -> student notebook.
* ``notebook.py``: reading a handed-in notebook and keeping its imports, definitions and constants
  (the intake writes them as a module for the sandbox's worker).
* ``probes.py``: trusted code in the worker's runtime that describes models and figures as data.
* ``session.py``: the ``lab`` fixture of ``tests/hidden/test_keras_lab.py``.
* ``python -m autograder.lab grade NOTEBOOK [--epochs N]`` / ``build [SRC] DST`` from a shell.

Nothing here imports TensorFlow, starts a process or sets a limit.
"""

from .build import SOURCE, BuildError, build_student_notebook
from .session import EXERCISE, default_epochs, gpu_present
from .spec import CPU_EPOCHS, FULL_EPOCHS

__all__ = ["SOURCE", "BuildError", "build_student_notebook", "EXERCISE", "default_epochs",
           "gpu_present", "CPU_EPOCHS", "FULL_EPOCHS"]
