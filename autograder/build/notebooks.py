"""Producer: the student notebook of every notebook exercise (the Keras lab), built by its owner.

A ``course.toml`` exercise with ``notebook = "lab/keras_lab.ipynb"`` names its *source*
notebook (otter-assign format, solutions inside). This producer asks ``autograder.lab`` to build
the student version and ships it under the same path; the source is declared secret, so the
leak check refuses the release if a solution-marked function of it reaches the student notebook.

Registered in ``release.PRODUCER_MODULES``. Building the notebook needs otter-grader (the ``lab``
extra); where it is missing the build stops and says so, and ``autograder build --skip notebooks``
makes a release without the lab (the manifest's ``skipped_producers`` then says so).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .release import BuildContext, BuildError, Member, student_producer


def notebook_exercises(ctx: BuildContext) -> list[str]:
    return [ex.notebook for ex in ctx.course.exercises if getattr(ex, "notebook", "")]


@student_producer("notebooks")
def student_notebooks(ctx: BuildContext) -> list[Member]:
    sources = notebook_exercises(ctx)
    if not sources:
        return []
    try:
        from autograder.lab import BuildError as LabBuildError
        from autograder.lab import build_student_notebook
    except ImportError as exc:
        raise BuildError(f"course.toml has notebook exercises but autograder.lab is missing: {exc}") from exc
    members = []
    for rel in sources:
        ctx.secret(rel)
        with tempfile.TemporaryDirectory(prefix="autograder-build-") as tmp:
            try:
                built = build_student_notebook(ctx.root / rel, Path(tmp) / Path(rel).name)
            except LabBuildError as exc:
                raise BuildError(f"the student notebook of {rel} could not be built: {exc} "
                                 "(or leave the lab out: --skip notebooks)") from exc
            members.append(Member(rel, built.read_bytes()))
    return members
