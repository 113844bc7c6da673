"""What a review covers: the subject of a target, including scratch index trees for dirty reviews."""

from __future__ import annotations

from typing import TYPE_CHECKING

from signoff.git.objects import scratch_index_tree
from signoff.git.runner import EMPTY_TREE
from signoff.records.codec import safe_path
from signoff.records.model import Subject

if TYPE_CHECKING:
    from signoff.diff.model import Diff
    from signoff.git.runner import Git
    from signoff.git.target import ReviewTarget


def subject_for(git: Git, target: ReviewTarget, diff: Diff) -> Subject:
    """The subject of a review of ``target`` whose diff is ``diff``.

    Staged and work-tree reviews also pin the tree ids of the index and of the work tree. They are
    computed with a temporary copy of the index (``GIT_INDEX_FILE``): the repository's index is never
    written, only tree and blob objects are added to the object database (as ``git stash`` would).
    """
    head = target.head or ""
    head_tree = git.rev_parse(head, kind="tree") if head else EMPTY_TREE
    base_tree = EMPTY_TREE if target.base == EMPTY_TREE else git.rev_parse(target.base, kind="tree")
    paths = sorted({safe_path(p) for f in diff.files for p in (f.old_path, f.new_path) if p})
    subject = Subject(
        kind=target.kind,
        base=target.base,
        base_tree=base_tree,
        head=head,
        head_tree=head_tree,
        diff_sha256=diff.patch_sha256,
        paths=paths,
        dirty=target.kind != "range",
        untracked=target.untracked,
    )
    if target.kind in ("staged", "worktree"):
        subject.index_tree = scratch_index_tree(git)
    if target.kind == "worktree":
        subject.worktree_tree = scratch_index_tree(git, worktree=True, untracked=target.untracked)
    return subject
