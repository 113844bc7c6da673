"""Start the review TUI from the CLI and report what was kept when it closes."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from signoff.analysis import diff_options, target_config
from signoff.app.app import SignoffApp
from signoff.findings.placement import sarif_paths

if TYPE_CHECKING:
    from signoff.git.runner import Git
    from signoff.git.target import ReviewTarget


def run_review(git: Git, target: ReviewTarget, args: argparse.Namespace | None = None) -> int:
    """Open the review TUI on ``target``; return the process exit code. The draft is kept on quit."""

    options = diff_options(git, target, getattr(args, "max_file_size", None))
    opt_in = tuple(getattr(args, "checklist", None) or ()) if args is not None else ()
    app = SignoffApp(
        git,
        target,
        diff_options=options,
        opt_in=opt_in,
        sign_key=getattr(args, "key", None),
        sign_format=getattr(args, "format", None),
        sign_email=getattr(args, "email", None),
        ai=not getattr(args, "no_ai", False),
        sarif=tuple(sarif_paths(git, getattr(args, "findings", None) or [], target_config(git, target))),
    )
    code = app.run()
    session = app.session
    if app.record_path is not None:
        print(f"signoff: review saved to {app.record_path}")
    elif session.questions or session.reviewed_files:
        answered = sum(1 for s in session.questions.values() if s.answer)
        print(
            f"signoff: draft kept ({answered} answers, {len(session.reviewed_files)} files reviewed); "
            "run signoff again on the same range to resume.",
            file=sys.stderr,
        )
    return int(code or 0)
