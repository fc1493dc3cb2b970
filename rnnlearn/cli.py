"""The ``rnnlearn`` command line.

    rnnlearn exercises build [NAME ...] [--no-execute]   regenerate exercises/ from solutions/
    rnnlearn grade NOTEBOOK... [--csv FILE] [--timeout SECONDS]   grade submissions
"""

from __future__ import annotations

import argparse
import pathlib
import sys


def _exercises(argv: list[str]) -> int:
    from rnnlearn.exercises import build

    parser = argparse.ArgumentParser(prog="rnnlearn exercises")
    parser.add_argument("action", choices=["build"], help="build: regenerate exercises/ from solutions/")
    parser.add_argument("names", nargs="*", help="notebook stems to build (default: all), e.g. 01_rnn_equations")
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path("."), help="repository root")
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without executing them")
    args = parser.parse_args(argv)
    written = build(args.root, names=args.names or None, execute=not args.no_execute)
    print(f"wrote {len(written)} notebooks")
    return 0 if written else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    commands = {"exercises": _exercises, "grade": _grade}
    if not argv or argv[0] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return commands[argv[0]](argv[1:])


def _grade(argv: list[str]) -> int:
    from rnnlearn.grading.batch import main as grade_main

    return grade_main(argv)


if __name__ == "__main__":
    sys.exit(main())
