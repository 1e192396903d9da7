"""``python -m autograder.ground_truth --rebuild | --check [--sample N] [--all]``.

--rebuild   derive every case of cases.py whose content key changed and rewrite cache.json
            (add --all to re-derive everything, ignoring what is cached)
--check     re-derive cases and compare them with cache.json byte for byte, and derive each again
            at a second precision (50 digits against the cache's 100) to catch values computed
            through a cancellation (exit 1 on a mismatch or a disagreement);
            --sample N checks a deterministic sample of N cases instead of all of them
"""

from __future__ import annotations

import argparse
import sys
import time

from ..usage import OneLineParser, UsageError, require_at_least, run_command
from . import entry_id
from .derive import CHECK_DPS, WORK_DPS, working_precision
from .precision import disagreements
from .registry import cases, derive, read_cache, rebuild


def sample_cases(n: int | None) -> list[tuple[str, dict]]:
    """Every case, or a deterministic sample of about ``n``: the first case (in sorted order) of
    every derivation, so each family is re-derived, then cases spread evenly over the sorted
    catalogue. The sample never changes between runs."""
    every = sorted(cases(), key=lambda c: entry_id(*c))
    if n is None or n >= len(every):
        return every
    chosen: dict[str, tuple[str, dict]] = {}
    for name, params in every:
        chosen.setdefault(name, (name, params))
    picked = {entry_id(*c) for c in chosen.values()}
    stride = len(every) / max(n - len(picked), 1)
    for i in range(max(n - len(picked), 0)):
        picked.add(entry_id(*every[int(i * stride)]))
    return [c for c in every if entry_id(*c) in picked]


def check(selected: list[tuple[str, dict]]) -> list[str]:
    cached = read_cache()
    problems = []
    for name, params in selected:
        eid = entry_id(name, params)
        if eid not in cached:
            problems.append(f"missing: {eid}")
            continue
        with working_precision(WORK_DPS):
            high = derive(name, params)
        if high != cached[eid]:
            problems.append(f"stale or different: {eid}")
        with working_precision(CHECK_DPS):
            low = derive(name, params)
        problems += [f"precision ({CHECK_DPS} vs {WORK_DPS} digits): {eid}: {line}"
                     for line in disagreements(low, high)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m autograder.ground_truth", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--rebuild", action="store_true")
    action.add_argument("--check", action="store_true")
    parser.add_argument("--all", action="store_true", help="with --rebuild: re-derive every case")
    parser.add_argument("--sample", type=int, default=None, help="with --check: check N cases")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    return run_command(parser.prog, _run, args)


def _check_args(args: argparse.Namespace) -> None:
    if args.all and not args.rebuild:
        raise UsageError("--all goes with --rebuild (re-derive every case); --check re-derives "
                         "every case already unless --sample N is given")
    if args.sample is not None and not args.check:
        raise UsageError("--sample N goes with --check (check N cases)")
    require_at_least(args.sample, 1, "--sample")


def _run(args: argparse.Namespace) -> int:
    _check_args(args)
    start = time.perf_counter()
    if args.rebuild:
        timings = rebuild(reuse=not args.all, verbose=args.verbose)
        print(f"derived {len(timings)} of {len(cases())} cases in {time.perf_counter() - start:.1f}s")
        return 0
    problems = check(sample_cases(args.sample))
    for p in problems:
        print(p)
    print(f"checked {len(sample_cases(args.sample))} cases in {time.perf_counter() - start:.1f}s: "
          f"{'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
