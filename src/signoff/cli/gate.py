"""``signoff gate [RANGE]``: exit 0 only if the change has enough valid, signed, current approvals.

Exit codes: 0 pass (or nothing to review), 1 the gate failed (the output says what is missing),
2 usage / bad config, 3 repository problem (unknown revision, shallow clone, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from signoff.audit.gate import GateResult, run_gate
from signoff.cli.common import add_target_arguments
from signoff.errors import EXIT_CHECK_FAILED, EXIT_OK
from signoff.git.runner import Git, open_repo
from signoff.git.target import resolve_target
from signoff.signing.trustroot import Target, resolve_gate_target
from signoff.util.sanitize import ascii_visible, visible

_ZERO = {"0" * 40, "0" * 64}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    p = sub.add_parser(
        "gate",
        help="pass only if the change has enough valid, signed, current approvals (CI, pre-push)",
        description=(
            "Exit 0 when the change has at least N valid approvals from allowed signers for its head "
            "(or a head differing only in .signoff/reviews/), no failed answer of high severity or "
            "above, and every required checklist complete; exit 1 otherwise, saying what is missing. "
            "Exit 2: usage or config error; 3: repository error."
        ),
    )
    add_target_arguments(p)
    p.add_argument(
        "--min-approvals",
        type=int,
        metavar="N",
        help="approvals needed (default: [gate] min_approvals at the target, else 1)",
    )
    p.add_argument(
        "--target",
        metavar="REF",
        help=(
            "the branch the change lands on: trust, policy and checklists come from its tip, and without "
            "a RANGE the change is REF...HEAD (default: signoff.target from your global git config, "
            "else origin/HEAD, origin/main, origin/master; never the repository's own config)"
        ),
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--allowed-signers",
        metavar="FILE",
        help="trust these SSH signers (default: .signoff/allowed_signers at the target's tip)",
    )
    p.set_defaults(func=run)


def _pre_push_range(args: argparse.Namespace, git: Git, trust: Target) -> None:
    """Under pre-commit's pre-push stage, gate what is being pushed when no RANGE is given: ``FROM..TO``,
    or for a new branch (FROM all zeros) or a FROM commit this clone lacks, ``TARGET...TO``."""
    if args.range or args.staged or args.worktree or args.base:
        return
    to_ref = os.environ.get("PRE_COMMIT_TO_REF", "")
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF", "")
    if not to_ref or to_ref in _ZERO or not git.ref_exists(to_ref):
        return
    if from_ref and from_ref not in _ZERO and git.ref_exists(from_ref):
        args.range = f"{from_ref}..{to_ref}"
    else:
        args.range = f"{trust.commit}...{to_ref}"


def run(args: argparse.Namespace) -> int:
    git = open_repo(getattr(args, "repo_path", None))
    trust = resolve_gate_target(git, args.target)
    _pre_push_range(args, git, trust)
    target = resolve_target(
        git,
        args.range,
        staged=args.staged,
        worktree=args.worktree,
        untracked=args.untracked,
        base_branch=args.base or (trust.ref if args.range is None else None),
    )
    result = run_gate(
        git,
        target,
        trust,
        min_approvals=args.min_approvals,
        allowed_signers=Path(args.allowed_signers) if args.allowed_signers else None,
    )
    if args.format == "json":
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(result))
    return EXIT_OK if result.passed else EXIT_CHECK_FAILED


def render_text(result: GateResult) -> str:
    v = visible
    out = [
        f"signoff gate {v(result.spec)}: {'PASS' if result.passed else 'FAIL'}",
        f"  head {result.head[:12]} (tree {result.head_tree[:12]}), base {result.base[:12]}",
        f"  approvals: {len(result.approvals)} of {result.min_approvals} needed"
        + (f" ({', '.join(ascii_visible(a) for a in result.approvers)})" if result.approvals else ""),
        f"  target: {v(result.target.ref)} ({result.target.commit[:12]}, from {result.target.how})",
        f"  trust: {v(result.trust_source)}",
        f"  policy: {v(result.policy_source)}",
    ]
    if not result.changed:
        out.append("  nothing to review: the change adds only review records")
    out += [f"  warning: {v(w)}" for w in result.warnings]
    if result.missing:
        out.append("missing:")
        out += [f"  {v(m)}" for m in result.missing]
    return "\n".join(out) + "\n"
