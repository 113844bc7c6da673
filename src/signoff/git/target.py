"""What to review: the review target (a range, the index or the work tree) and how it is resolved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from signoff.errors import RepoError, SignoffError
from signoff.git.runner import EMPTY_TREE, Git

# --------------------------------------------------------------------------------------------------
# What to review


class NothingToReview(SignoffError):
    """There is no change to review; the CLI says so and exits 0."""

    exit_code = 0


Kind = Literal["range", "staged", "worktree"]


@dataclass(frozen=True)
class ReviewTarget:
    """What a review covers: a commit range, the index, or the work tree, against ``base``."""

    kind: Kind
    base: str
    head: str | None
    spec: str
    untracked: bool = False
    notes: tuple[str, ...] = field(default=())
    #: The commit whose committed ``.signoff/`` settings apply: the tip of the branch the change goes into
    #: (``A`` of ``A...B``, the default branch or ``--base`` branch, ``HEAD`` for index and work tree),
    #: never the merge-base, which the change's author picks by choosing where to branch from.
    settings_rev: str = ""

    @property
    def settings_at(self) -> str:
        """:attr:`settings_rev`, else the base."""
        return self.settings_rev or self.base

    def commits(self, git: Git) -> list[str]:
        """Commits in ``base..head`` (oldest first); empty for index/work-tree reviews."""
        if self.kind != "range" or self.head is None:
            return []
        return git.commits_between(self.base, self.head)

    @property
    def key(self) -> str:
        """A stable identifier of the target (used to find a draft again)."""
        return f"{self.kind}:{self.base}:{self.head or 'unborn'}:{int(self.untracked)}"


def default_branch(git: Git) -> str | None:
    """The default branch: ``origin/HEAD``, else ``main``, else ``master`` (local, then origin's)."""
    code, out = git.try_run(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"])
    if code == 0 and out.strip() and git.ref_exists(out.decode().strip()):
        return out.decode("utf-8", "surrogateescape").strip()
    for name in ("main", "master", "origin/main", "origin/master"):
        ref = name if "/" in name else f"refs/heads/{name}"
        if git.ref_exists(ref):
            return name
    return None


def _first_parent(git: Git, commit: str) -> str:
    code, out = git.try_run(["rev-parse", "--verify", "--quiet", f"{commit}^1"])
    return out.decode().strip() if code == 0 else EMPTY_TREE


def resolve_target(
    git: Git,
    rev: str | None = None,
    *,
    staged: bool = False,
    worktree: bool = False,
    untracked: bool = False,
    base_branch: str | None = None,
) -> ReviewTarget:
    """Turn the user's request into a :class:`ReviewTarget` (see the README for the rules)."""
    chosen = sum(bool(x) for x in (rev, staged, worktree))
    if chosen > 1:
        raise RepoError("give only one of RANGE, --staged, --worktree")
    if untracked and not worktree and rev is None and not staged:
        worktree = True
    if untracked and (staged or rev):
        raise RepoError("--untracked applies to --worktree reviews only")
    head = git.head()
    if staged or worktree:
        kind: Kind = "staged" if staged else "worktree"
        base = head or EMPTY_TREE
        if base_branch:
            base = git.rev_parse(base_branch)
        spec = "--staged" if staged else "--worktree"
        return ReviewTarget(kind, base, head, spec, untracked=untracked, settings_rev=base)
    if rev is not None:
        if head is None and not git.ref_exists(rev):
            raise RepoError("the repository has no commits yet")
        return _resolve_rev(git, rev)
    if head is None:
        if git.is_dirty(untracked=True):
            return ReviewTarget("worktree", EMPTY_TREE, None, "--worktree", untracked=True)
        raise RepoError("the repository has no commits yet: nothing to review")
    return _resolve_default(git, head, base_branch)


def _resolve_rev(git: Git, rev: str) -> ReviewTarget:
    if rev.startswith("-"):
        raise RepoError(f"unknown revision: {rev}")
    if "..." in rev:
        a, _, b = rev.partition("...")
        a_sha, b_sha = git.rev_parse(a or "HEAD"), git.rev_parse(b or "HEAD")
        base = git.merge_base(a_sha, b_sha)
        if base is None:
            shallow = " (shallow clone: fetch more history)" if git.is_shallow() else ""
            raise RepoError(f"{a or 'HEAD'} and {b or 'HEAD'} have no common ancestor{shallow}")
        return ReviewTarget("range", base, b_sha, rev, settings_rev=a_sha)
    if ".." in rev:
        a, _, b = rev.partition("..")
        return ReviewTarget("range", git.rev_parse(a or "HEAD"), git.rev_parse(b or "HEAD"), rev)
    commit = git.rev_parse(rev)
    parent = _first_parent(git, commit)
    return ReviewTarget("range", parent, commit, rev)


def _resolve_default(git: Git, head: str, base_branch: str | None) -> ReviewTarget:
    branch = base_branch or default_branch(git)
    if branch is None:
        if git.is_dirty():
            return ReviewTarget("worktree", head, head, "--worktree")
        raise RepoError(
            "cannot find the default branch (no origin/HEAD, main or master): pass a RANGE or --base"
        )
    base_sha = git.rev_parse(branch)
    mb = git.merge_base(head, base_sha)
    if mb is None:
        if git.is_shallow():
            raise RepoError(
                f"no merge base with {branch}: this is a shallow clone; run git fetch --unshallow "
                "or pass an explicit RANGE"
            )
        raise RepoError(f"the current branch has no common history with {branch}: pass a RANGE")
    if mb == head:
        if git.is_dirty():
            return ReviewTarget("worktree", head, head, "--worktree")
        where = git.current_branch() or "HEAD"
        raise NothingToReview(f"nothing to review: {where} has no changes against {branch}")
    return ReviewTarget("range", mb, head, f"{branch}...HEAD", settings_rev=base_sha)
