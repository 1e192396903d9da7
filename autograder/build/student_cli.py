"""The ``autograder`` command of a student release: ``autograder progress`` and ``autograder watch``.

The instructor's ``autograder`` (``autograder.cli``) also grades, builds and keeps a gradebook,
which needs code a student release does not ship; a student's install points the same command
name here instead, so the README's commands work alike in both.
"""

from __future__ import annotations

import sys

from ..usage import OneLineParser, run_command


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="autograder",
                                     description="Your progress through the course's exercises.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    from ..progress import add_progress_parsers

    add_progress_parsers(commands)
    args = parser.parse_args(argv)
    return run_command(f"autograder {args.command}", args.func, args)


if __name__ == "__main__":
    sys.exit(main())
