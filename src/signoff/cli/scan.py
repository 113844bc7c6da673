"""``signoff scan``: the review analysis without the UI."""

from __future__ import annotations

import argparse
import sys

from signoff.analysis import analyze, diff_options, target_config
from signoff.cli.common import add_target_arguments, open_and_resolve
from signoff.errors import EXIT_USAGE
from signoff.findings.placement import sarif_paths
from signoff.output.sarif import render_sarif
from signoff.output.scan import render_json, render_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    p = sub.add_parser("scan", help="analyse a diff without the UI (text, JSON)")
    add_target_arguments(p)
    p.add_argument("--format", choices=["text", "json", "sarif"], default="text")
    p.add_argument(
        "--checklist",
        action="append",
        default=[],
        metavar="NAME",
        help="also ask an opt-in process checklist (release, incident-response, compliance, monitoring)",
    )
    p.add_argument("--no-questions", action="store_true", help="skip checklist relevance")
    p.add_argument("--max-file-size", type=int, metavar="BYTES", help="show larger files as too large")
    p.add_argument("--no-ai", action="store_true", help="skip AI provenance (commit signals, blame)")
    p.add_argument(
        "--findings",
        action="append",
        default=[],
        metavar="FILE.sarif",
        help="scanner findings (SARIF 2.1.0) to place on the diff; default: [findings] sarif in the config",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    git, target = open_and_resolve(args)
    result = analyze(
        git,
        target,
        diff_options(git, target, getattr(args, "max_file_size", None)),
        ai=not args.no_ai,
        questions=not args.no_questions or args.format == "sarif",
        include_opt_in=args.checklist,
        sarif=sarif_paths(git, args.findings, target_config(git, target)),
    )
    if args.format == "sarif":
        out = render_sarif(result.questions)
    elif args.format == "json":
        out = render_json(result, pretty=sys.stdout.isatty())
    else:
        out = render_text(result)
    sys.stdout.write(out)
    errors = result.findings.errors if result.findings is not None else []
    for message in errors:
        print(f"signoff: error: {message}", file=sys.stderr)
    return EXIT_USAGE if errors else 0
