"""``python -m autograder``: the same command line as ``autograder``."""

from .cli import run

run()
