"""``signoff review``: open the TUI on the diff (``--answers FILE``: headless, for scripts)."""

from __future__ import annotations

import argparse

from signoff.cli_common import open_and_resolve
from signoff.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    from signoff.cli import add_target_arguments

    p = sub.add_parser("review", help="review a diff in the terminal UI (the default command)")
    add_target_arguments(p)
    p.add_argument("--answers", metavar="FILE", help="headless: answers TOML; sign and store the record")
    p.add_argument("--max-file-size", type=int, metavar="BYTES", help="show larger files as too large")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    git, target = open_and_resolve(args)
    if args.answers:
        raise UsageError("--answers is not available yet")
    from signoff.app import run_review

    return run_review(git, target, args)
