"""Helpers shared by subcommands: open the repository and resolve the review target."""

from __future__ import annotations

import argparse

from signoff.git.runner import Git, open_repo
from signoff.git.target import ReviewTarget, resolve_target


def open_and_resolve(args: argparse.Namespace) -> tuple[Git, ReviewTarget]:
    git = open_repo(getattr(args, "repo_path", None))
    target = resolve_target(
        git,
        getattr(args, "range", None),
        staged=getattr(args, "staged", False),
        worktree=getattr(args, "worktree", False),
        untracked=getattr(args, "untracked", False),
        base_branch=getattr(args, "base", None),
    )
    return git, target


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """RANGE and the flags that choose what to review (shared by scan, review, gate)."""
    parser.add_argument(
        "range", nargs="?", metavar="RANGE", help="A..B, A...B (merge-base) or a single commit"
    )
    group = parser.add_argument_group("what to review")
    group.add_argument("--staged", action="store_true", help="the index against HEAD")
    group.add_argument(
        "--worktree", action="store_true", help="the work tree (staged and unstaged) against HEAD"
    )
    group.add_argument(
        "--untracked", action="store_true", help="with --worktree: include new untracked files"
    )
    group.add_argument("--base", metavar="BRANCH", help="compare against the merge-base with BRANCH")
