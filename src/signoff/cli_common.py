"""Helpers shared by subcommands: open the repository and resolve the review target."""

from __future__ import annotations

import argparse

from signoff.gitio import Git, ReviewTarget, open_repo, resolve_target


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
