"""The ``signoff`` command line: argparse with one module per subcommand under ``signoff.cli``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from signoff import __version__
from signoff.errors import EXIT_USAGE, SignoffError
from signoff.util.sanitize import visible

#: Subcommand modules in ``signoff.cli``; each has ``register(subparsers)`` and sets ``func``.
COMMAND_MODULES = [
    "scan",
    "review",
    "verify",
    "init",
    "audit",
    "checklists",
    "gate",
    "attest",
    "serve",
    "demo",
]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (``only``) one with just that subcommand, so start-up imports only its code."""
    parser = argparse.ArgumentParser(
        prog="signoff",
        description="Security review of git diffs, with AI provenance and signed review records.",
    )
    parser.add_argument("--version", action="version", version=f"signoff {__version__}")
    parser.add_argument(
        "-C", dest="repo_path", metavar="PATH", help="run as if started in PATH (like git -C)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [only] if only else COMMAND_MODULES:
        importlib.import_module(f"signoff.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = _default_to_review(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser(_command_of(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except SignoffError as exc:
        stream = sys.stdout if exc.exit_code == 0 else sys.stderr
        prefix = "" if exc.exit_code == 0 else "signoff: error: "
        # Messages may quote repository text (checklist keys, paths, git's stderr): make it visible.
        print(f"{prefix}{visible(exc.message, keep_newlines=True)}", file=stream)
        return exc.exit_code
    except KeyboardInterrupt:
        print("signoff: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _skip_globals(argv: list[str]) -> int:
    i = 0
    while i + 1 < len(argv) and argv[i] == "-C":
        i += 2
    return i


def _command_of(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (after the global options), if any."""
    i = _skip_globals(argv)
    return argv[i] if i < len(argv) and argv[i] in COMMAND_MODULES else None


def _default_to_review(argv: list[str]) -> list[str]:
    """``signoff [RANGE] [flags]`` means ``signoff review [RANGE] [flags]``."""
    i = _skip_globals(argv)
    rest = argv[i:]
    if "review" not in COMMAND_MODULES or any(a in ("-h", "--help", "--version") for a in rest):
        return argv
    if rest and rest[0] in COMMAND_MODULES:
        return argv
    return [*argv[:i], "review", *rest]
