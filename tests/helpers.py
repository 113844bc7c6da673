"""Test helpers: build real git repositories in temporary directories."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FIXED_DATE = "2026-01-02T03:04:05+00:00"


def git_env(date: str = FIXED_DATE) -> dict[str, str]:
    keep = ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in keep}
    env.update(
        GIT_AUTHOR_NAME="Test Author",
        GIT_AUTHOR_EMAIL="author@example.com",
        GIT_COMMITTER_NAME="Test Author",
        GIT_COMMITTER_EMAIL="author@example.com",
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
        GIT_CONFIG_NOSYSTEM="1",
        HOME=env.get("SIGNOFF_TEST_HOME", env.get("HOME", "/tmp")),
    )
    return env


def git(repo: Path, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> str:
    """Run plain git in ``repo`` for test set-up (the code under test never does this)."""
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        input=input,
        capture_output=True,
        env={**git_env(), **(env or {})},
        check=False,
        timeout=60,
    )
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode("utf-8", "surrogateescape")


def make_repo(path: Path, branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", branch)
    git(path, "config", "user.name", "Test Author")
    git(path, "config", "user.email", "author@example.com")
    git(path, "config", "commit.gpgsign", "false")
    return path


def write(repo: Path, files: dict[str, str | bytes | None]) -> None:
    """Write (or, for ``None``, delete) files relative to ``repo``."""
    for rel, content in files.items():
        p = repo / rel
        if content is None:
            if p.exists() or p.is_symlink():
                p.unlink()
            continue
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_bytes(content.encode())


def commit_files(
    repo: Path,
    files: dict[str, str | bytes | None],
    message: str = "change",
    *,
    author: str | None = None,
    date: str = FIXED_DATE,
) -> str:
    """Write files, stage everything, commit; return the new commit id."""
    write(repo, files)
    git(repo, "add", "-A")
    args = ["commit", "-q", "--allow-empty", "-m", message]
    if author:
        args += ["--author", author]
    git(repo, *args, env=git_env(date))
    return git(repo, "rev-parse", "HEAD").strip()
