"""Helpers shared by subcommands: open the repository and resolve the review target."""

from __future__ import annotations

import argparse

from signoff.config import load_repo_config, section
from signoff.diff import DiffOptions
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


def diff_options(git: Git, args: argparse.Namespace | None) -> DiffOptions:
    """Diff options: ``[diff] max_file_bytes`` from the repo config, overridden by ``--max-file-size``."""
    options = DiffOptions()
    limit = section(load_repo_config(git.root), "diff").get("max_file_bytes")
    if isinstance(limit, int) and limit > 0:
        options.max_file_bytes = limit
    if args is not None and getattr(args, "max_file_size", None):
        options.max_file_bytes = args.max_file_size
    return options
