"""Object ids in SHA-256 repositories: blob ids signoff computes match git's own."""

from __future__ import annotations

from pathlib import Path

from signoff.diff.parse import load_diff
from signoff.git.objects import blob_id
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from tests.helpers import commit_files, git, write


def _sha256_repo(path: Path) -> Path:
    path.mkdir()
    git(path, "init", "-q", "-b", "main", "--object-format=sha256")
    git(path, "config", "user.name", "Test Author")
    git(path, "config", "user.email", "author@example.com")
    return path


def test_untracked_blob_id_in_a_sha256_repository(tmp_path: Path) -> None:
    repo = _sha256_repo(tmp_path / "r")
    commit_files(repo, {"a.txt": "one\n"}, "init")
    write(repo, {"new.py": "print('hi')\n"})
    g = open_repo(repo)
    assert g.object_format == "sha256"
    diff = load_diff(g, resolve_target(g, None, worktree=True, untracked=True))
    new = next(f for f in diff.files if f.new_path == "new.py")
    expected = git(repo, "hash-object", "new.py").strip()
    assert len(expected) == 64
    assert new.new_blob == expected


def test_blob_id_matches_git_for_both_formats(tmp_path: Path) -> None:
    sha1 = tmp_path / "s1"
    sha1.mkdir()
    git(sha1, "init", "-q")
    sha256 = _sha256_repo(tmp_path / "s256")
    for repo, fmt in ((sha1, "sha1"), (sha256, "sha256")):
        (repo / "f").write_bytes(b"bytes\0and text\n")
        assert open_repo(repo).object_format == fmt
        assert blob_id(b"bytes\0and text\n", fmt) == git(repo, "hash-object", "f").strip()
