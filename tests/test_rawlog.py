"""git.rawlog reads real ``git log -z --raw`` output: commits without changes, odd paths, every status."""

from __future__ import annotations

from pathlib import Path

from signoff.git.rawlog import raw_log
from signoff.git.runner import open_repo
from tests.helpers import commit_files, git


def test_commits_and_their_changes_from_real_git(repo: Path) -> None:
    commit_files(repo, {"a.txt": "1\n", "dir/b c\nnewline.txt": "x\n"}, "first")
    git(repo, "commit", "-q", "--allow-empty", "-m", "empty")
    (repo / "a.txt").write_text("2\n")
    git(repo, "rm", "-q", "dir/b c\nnewline.txt")
    git(repo, "add", "a.txt")
    git(repo, "commit", "-q", "-m", "modify and delete")
    g = open_repo(repo)
    data = g.run(
        [
            "log",
            "-z",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--format=%x01%H %s",
            "--end-of-options",
            "HEAD",
            "--",
        ]
    )
    got = [(h.split()[1], sorted((c.status, c.path) for c in ch)) for h, ch in raw_log(data)]
    assert got == [
        ("modify", [("D", "dir/b c\nnewline.txt"), ("M", "a.txt")]),
        ("empty", []),
        ("first", [("A", "a.txt"), ("A", "dir/b c\nnewline.txt")]),
    ]
    added = next(ch for h, ch in raw_log(data) if h.endswith("first"))
    blob = g.run(["rev-parse", "HEAD~2:a.txt"]).decode().strip()
    assert next(c.new for c in added if c.path == "a.txt") == blob


def test_lines_before_the_first_commit_and_truncated_output_are_ignored() -> None:
    assert list(raw_log(b"")) == []
    assert list(raw_log(b":100644 100644 a b M\0x\0")) == []
    assert list(raw_log(b"\x01abc\n:100644 100644 a b M")) == [("abc", [])]
