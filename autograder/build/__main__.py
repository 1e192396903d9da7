"""``python -m autograder.build``: the same as ``autograder build``."""

import sys

from ..usage import OneLineParser, run_command
from .command import add_build_parser


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m autograder.build")
    sub = parser.add_subparsers(dest="command", required=True)
    add_build_parser(sub).prog = parser.prog   # its messages name the command as typed
    args = parser.parse_args(["build", *(sys.argv[1:] if argv is None else argv)])
    return run_command("python -m autograder.build", args.func, args)


if __name__ == "__main__":
    sys.exit(main())
