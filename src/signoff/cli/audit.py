"""``signoff audit``: every review, its validity, and what on the default branch was never reviewed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from signoff.audit.run import run_audit
from signoff.errors import EXIT_CHECK_FAILED, EXIT_OK
from signoff.git.runner import open_repo
from signoff.output.audit import render_json, render_markdown, render_text


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "audit",
        help="history report: reviews and validity, stale reviews, unreviewed commits and AI lines",
        description=(
            "Audit review records against the first-parent history of the default branch, with settings "
            "and trust from the target's tip (--target). "
            "Exit 0 when no problem was found, 1 when one was (see the report's 'problems')."
        ),
    )
    p.add_argument("--since", metavar="DATE|REV", help="only check commits after REV or from DATE on")
    p.add_argument("--branch", metavar="BRANCH", help="audit BRANCH instead of the default branch")
    p.add_argument(
        "--history", action="store_true", help="also verify every record version ever committed (any ref)"
    )
    p.add_argument("--no-ai", action="store_true", help="skip AI attribution of unreviewed commits")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument(
        "--allowed-signers",
        metavar="FILE",
        help="trust these SSH signers (default: .signoff/allowed_signers at the target's tip)",
    )
    p.add_argument(
        "--findings",
        action="append",
        default=[],
        metavar="FILE.sarif",
        help="scanner output for the branch tip: findings no valid record triaged are problems",
    )
    p.add_argument(
        "--target",
        metavar="REF",
        help=(
            "the protected branch: [audit]/[review]/[ai] settings, allowed signers and pinned OpenPGP keys "
            "come from its tip, never from the work tree (default as for gate: signoff.target from your "
            "global git config, else origin/HEAD, origin/main, origin/master, else local main/master)"
        ),
    )
    p.add_argument(
        "--trust-from",
        metavar="REF",
        help="take .signoff/allowed_signers and the pinned OpenPGP keys from REF (default: the target)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    git = open_repo(getattr(args, "repo_path", None))
    report = run_audit(
        git,
        since=args.since,
        branch=args.branch,
        include_history=args.history,
        allowed_signers=Path(args.allowed_signers) if args.allowed_signers else None,
        ai=not args.no_ai,
        sarif=args.findings,
        trust_from=args.trust_from,
        target=args.target,
    )
    if args.format == "json":
        text = render_json(report, pretty=not args.output and sys.stdout.isatty())
    elif args.format == "markdown":
        text = render_markdown(report)
    else:
        text = render_text(report)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK if report.ok else EXIT_CHECK_FAILED
