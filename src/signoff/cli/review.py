"""``signoff review``: open the TUI on the diff (``--answers FILE``: headless, for scripts; the file's
format is in :mod:`signoff.review.answers`)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from signoff.analysis import analyze, diff_options, target_config
from signoff.cli.common import add_target_arguments, open_and_resolve
from signoff.errors import UsageError
from signoff.findings.placement import sarif_paths
from signoff.records.store import delete_draft
from signoff.review.answers import AnswersFile, read_answers
from signoff.review.compose import comment_blobs, compose_record, sign_and_store
from signoff.review.rereview import carry_forward, find_previous, load_interdiff
from signoff.review.session import ReviewSession
from signoff.review.triage import triage_table
from signoff.signing.sign import signing_config
from signoff.util.sanitize import visible

try:  # the TUI is optional: a minimal install still signs headless reviews
    from signoff.app.run import run_review
except ImportError:  # pragma: no cover - exercised in a subprocess without textual
    run_review = None  # type: ignore[assignment]

NO_TERMINAL = "signoff review needs a terminal (stdin and stdout); for scripts and CI use --answers FILE"
NO_TUI = "the review TUI is not installed (pip install textual); use --answers FILE for a headless review"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    p = sub.add_parser("review", help="review a diff in the terminal UI (the default command)")
    add_target_arguments(p)
    p.add_argument("--answers", metavar="FILE", help="headless: answers TOML; sign and store the record")
    p.add_argument("--max-file-size", type=int, metavar="BYTES", help="show larger files as too large")
    p.add_argument("--key", metavar="KEY", help="signing key (overrides git's user.signingKey)")
    p.add_argument(
        "--format", choices=["ssh", "openpgp"], help="signature format (overrides git's gpg.format)"
    )
    p.add_argument(
        "--email",
        metavar="EMAIL",
        help="reviewer e-mail, the signer's principal (overrides git's user.email)",
    )
    p.add_argument(
        "--checklist", action="append", default=[], metavar="NAME", help="also ask an opt-in checklist"
    )
    p.add_argument(
        "--findings",
        action="append",
        default=[],
        metavar="FILE.sarif",
        help="scanner findings (SARIF 2.1.0) to show and triage; default: [findings] sarif in the config",
    )
    p.add_argument(
        "--since-last-review",
        action="store_true",
        help="with --answers: take over the answers of the latest valid earlier record of this range "
        "whose hit lines did not change, and link the new record to it",
    )
    p.add_argument(
        "--target",
        metavar="REF",
        help="with --since-last-review: trust the signers at this branch's tip (default: as signoff gate)",
    )
    p.add_argument("--no-ai", action="store_true", help="skip AI attribution (commit signals, blame)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "answers", None):
        answers = read_answers(Path(args.answers))  # validate before touching anything
        git, target = open_and_resolve(args)
        return run_headless(git, target, args, answers)
    check_tui()
    git, target = open_and_resolve(args)
    return start_tui(git, target, args)


def check_tui() -> None:
    """Refuse in one line, before any work, when the TUI cannot run here."""

    if run_review is None:
        raise UsageError(NO_TUI)
    if not _has_terminal():
        raise UsageError(NO_TERMINAL)


def start_tui(git: Any, target: Any, args: argparse.Namespace) -> int:
    """Open the review TUI on ``target``; the caller ran :func:`check_tui` before doing any work."""

    assert run_review is not None
    return run_review(git, target, args)


def _has_terminal() -> bool:
    """A TUI needs a terminal, or textual-serve's web driver (``signoff serve`` sets TEXTUAL_DRIVER);
    without one Textual would wait forever for input that never comes (a CI job, a pipe)."""

    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


# -- headless ------------------------------------------------------------------------------------------


def run_headless(git: Any, target: Any, args: argparse.Namespace, answers: AnswersFile) -> int:
    """Build, sign and store the record; print its path. Nothing is written on a usage error."""

    cfg = signing_config(
        git,
        key=getattr(args, "key", None),
        fmt=getattr(args, "format", None),
        email=getattr(args, "email", None),
    )
    result = analyze(
        git,
        target,
        diff_options(git, target, getattr(args, "max_file_size", None)),
        include_opt_in=tuple(getattr(args, "checklist", []) or ()),
        sarif=sarif_paths(git, getattr(args, "findings", []) or [], target_config(git, target)),
        ai=not getattr(args, "no_ai", False),
    )
    if result.findings is not None and result.findings.errors:
        raise UsageError(result.findings.errors[0] + " (nothing was signed)")
    for missing in result.diff.missing:
        print(f"signoff: warning: {visible(missing.warning())}", file=sys.stderr)
    findings_table = triage_table(result.findings, answers.findings)
    known = {q.id for q in result.questions.checklists.questions} if result.questions is not None else set()
    unknown = sorted(set(answers.answers) - known)
    if unknown:
        raise UsageError(
            f"unknown question id: {', '.join(unknown)} (see signoff scan, or signoff checklists list)"
        )
    paths = {f.path for f in result.diff.files} | {f.old_path for f in result.diff.files if f.old_path}
    stray = [p for p in answers.files_reviewed or [] if p not in paths]
    if stray:
        raise UsageError(f"files_reviewed: not in the diff: {', '.join(stray)}")
    for i, c in enumerate(answers.comments):
        if c.path not in paths:
            raise UsageError(f"comments[{i}].path: not in the diff: {c.path}")
    given, previous = answers.answers, None
    if getattr(args, "since_last_review", False):
        given, previous = since_last_review(git, target, result, answers.answers, cfg.email, args.target)
    record = compose_record(
        git,
        target,
        result.diff,
        verdict=answers.verdict,
        summary=answers.summary,
        answers=given,
        previous=previous,
        relevance=result.questions,
        attribution=result.ai,
        thoroughness=answers.thoroughness,
        understanding=answers.understanding,
        files_reviewed=answers.files_reviewed,
        comments=comment_blobs(result.diff, answers.comments),
        name=cfg.name,
        email=cfg.email,
    )
    if findings_table is not None:
        record = replace(record, findings=findings_table)
    # the same draft form as the TUI's, so `signoff review` resumes a review whose signing failed here
    session = ReviewSession.from_answer_inputs(
        target.key,
        given,
        verdict=answers.verdict,
        summary=answers.summary,
        thoroughness=answers.thoroughness,
        understanding=answers.understanding,
        files_reviewed=record.review.files_reviewed,
        comments=record.comments or [],
    )
    path = sign_and_store(git, record, cfg, draft_key=target.key, draft=session.to_dict())
    delete_draft(git, target.key)
    try:
        shown = path.relative_to(git.root)
    except ValueError:
        shown = path
    print(shown)
    sys.stdout.flush()
    return 0


def since_last_review(
    git: Any, target: Any, result: Any, given: dict[str, Any], me: str, trust: str | None = None
) -> tuple[dict[str, Any], Any]:
    """The answers with those carried from the latest valid earlier record of the range, and the link.

    Answers in the file win; carried ones fill the questions it leaves out. No earlier record: a
    :class:`UsageError` (the caller asked for one).
    """
    prev = find_previous(git, target, prefer=me, trust=trust)
    if prev is None:
        raise UsageError(
            "--since-last-review: no valid earlier record of this range "
            "(same base, signed by a key trusted at the target's tip)"
        )
    plan = carry_forward(prev.record, result.questions, load_interdiff(git, target, prev))
    carried = {q: a for q, a in plan.carried.items() if q not in given}
    reanswer = [q for q in plan.reanswer if q not in given]
    print(
        f"since {prev.path} ({prev.signer}, {prev.head[:12]}): {len(carried)} answer(s) carried, "
        f"{len(reanswer)} to answer again",
        file=sys.stderr,
    )
    return {**carried, **given}, prev.link(carried, reanswer)
