"""Security review regressions: an untrusted repository must not run code, escape the terminal or
steer writes outside itself."""

from __future__ import annotations

import os
import time
from pathlib import Path

from signoff.diff import load_diff
from signoff.gitio import open_repo, resolve_target
from signoff.record import scratch_index_tree

from .helpers import commit_files, git, make_repo


def _repo_with_hostile_submodule(tmp_path: Path) -> tuple[Path, Path]:
    """A superproject whose submodule's own config (.git/modules/sub/config) names a clean filter."""
    marker = tmp_path / "PWNED"
    sub = make_repo(tmp_path / "subsrc")
    commit_files(sub, {"f.txt": "hi\n", ".gitattributes": "f.txt filter=evil\n"}, "sub")
    top = make_repo(tmp_path / "top")
    commit_files(top, {"a.txt": "a\n"}, "a")
    git(top, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "sub")
    git(top, "commit", "-q", "-m", "add sub")
    git(top, "config", "-f", ".git/modules/sub/config", "filter.evil.clean", f"sh -c 'touch {marker}; cat'")
    git(top, "config", "-f", ".git/modules/sub/config", "filter.evil.required", "true")
    # Same size, newer mtime: git must hash the file (through the filter) to know it is unchanged.
    f = top / "sub" / "f.txt"
    later = time.time() + 5
    os.utime(f, (later, later))
    commit_files(top, {"a.txt": "b\n"}, "b")
    (top / "a.txt").write_text("c\n")
    marker.unlink(missing_ok=True)  # plain git commit above ran it; signoff must not
    return top, marker


def test_worktree_review_does_not_run_a_submodules_filter(tmp_path: Path) -> None:
    top, marker = _repo_with_hostile_submodule(tmp_path)
    g = open_repo(top)
    assert g.is_dirty()
    target = resolve_target(g, worktree=True)
    diff = load_diff(g, target)
    assert [f.path for f in diff.files] == ["a.txt"]
    scratch_index_tree(g, worktree=True)
    scratch_index_tree(g, worktree=True, untracked=True)
    assert not marker.exists()
