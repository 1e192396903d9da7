"""Shared set-up of the engine's own tests."""

import pytest

from autograder.usage import DEBUG_ENV


@pytest.fixture(autouse=True)
def _grader_bugs_keep_their_traceback(monkeypatch):
    """A command's guard turns an unexpected exception into one line for users; here it re-raises
    (and commands run as subprocesses inherit it), so a bug fails its test with the traceback.
    Tests of the guard itself remove the variable."""
    monkeypatch.setenv(DEBUG_ENV, "1")
