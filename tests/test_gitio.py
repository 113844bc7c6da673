"""Hardened git access and resolution of the review target."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from signoff.cli.main import main
from signoff.errors import RepoError
from signoff.git.runner import EMPTY_TREE, open_repo
from signoff.git.target import NothingToReview, resolve_target
from tests.helpers import commit_files, git, make_repo, write


def _arm(repo: Path, marker: Path) -> None:
    """Point every repo-configurable program at a script that writes ``marker``."""
    script = repo.parent / "evil.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\ncat\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in ("post-index-change", "reference-transaction", "pre-commit", "post-checkout"):
        (hooks / hook).write_text(f"#!/bin/sh\necho {hook} >> {marker}\n")
        (hooks / hook).chmod(0o755)
    s = str(script)
    for key, value in [
        ("core.fsmonitor", s),
        ("core.pager", s),
        ("pager.diff", s),
        ("diff.external", s),
        ("diff.evil.textconv", s),
        ("diff.evil.command", s),
        ("filter.evil.clean", s),
        ("filter.evil.smudge", s),
        ("filter.evil.process", s),
        ("filter.evil.required", "true"),
        ("log.showSignature", "true"),
        ("gpg.program", s),
        ("gpg.ssh.program", s),
        ("core.hooksPath", str(hooks)),
    ]:
        git(repo, "config", key, value)


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    repo = make_repo(tmp_path / "hostile")
    commit_files(repo, {"a.txt": "one\n", "b.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    write(repo, {".gitattributes": "* diff=evil filter=evil\n"})
    commit_files(repo, {"a.txt": "one\ntwo\n", "b.py": "x = 2\n"}, "topic change")
    write(repo, {"a.txt": "one\ntwo\nthree\n", "new.txt": "untracked\n"})
    git(repo, "add", "a.txt")
    write(repo, {"b.py": "x = 3\n"})
    marker = tmp_path / "MARKER"
    _arm(repo, marker)
    return repo, marker


def test_hostile_fixture_is_armed(hostile: tuple[Path, Path]) -> None:
    """Plain git on the fixture does run the planted programs (so the next test can fail)."""
    repo, marker = hostile
    subprocess.run(["git", "diff", "main", "topic"], cwd=repo, capture_output=True, check=False)
    subprocess.run(["git", "status"], cwd=repo, capture_output=True, check=False)
    assert marker.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["scan"],
        ["scan", "main..topic"],
        ["scan", "main...topic", "--format", "json"],
        ["scan", "HEAD"],
        ["scan", "--staged"],
        ["scan", "--worktree"],
        ["scan", "--worktree", "--untracked", "--format", "json"],
        ["scan", "--base", "main"],
        ["scan", "main..topic", "--format", "sarif"],
        ["verify"],
        ["audit"],
        ["audit", "--history", "--format", "json"],
        ["gate", "main..topic"],
        ["checklists", "list"],
        ["review", "main..topic", "--answers", "ANSWERS"],
    ],
)
def test_no_repo_program_runs(
    hostile: tuple[Path, Path], argv: list[str], capsys: pytest.CaptureFixture
) -> None:
    repo, marker = hostile
    if "ANSWERS" in argv:
        answers = repo.parent / "answers.toml"
        answers.write_text('verdict = "approve"\nsummary = "ok"\n')
        argv = [str(answers) if a == "ANSWERS" else a for a in argv]
    code = main(["-C", str(repo), *argv])
    out = capsys.readouterr()
    # gate and audit fail (nothing reviewed), review --answers cannot sign (no key): expected
    # outcomes; what matters is that they got that far and that no repo-configured program ran.
    allowed = {"gate": {1}, "audit": {1}, "review": {4}}.get(argv[0], {0})
    assert code in allowed, out.err
    assert "Traceback" not in out.err
    assert not marker.exists(), marker.read_text()


def test_no_repo_program_runs_via_subprocess(hostile: tuple[Path, Path]) -> None:
    """The installed entry point, with a pager-happy environment, also runs nothing."""
    repo, marker = hostile
    env = {**os.environ, "PAGER": str(repo.parent / "evil.sh"), "GIT_PAGER": str(repo.parent / "evil.sh")}
    proc = subprocess.run(
        [sys.executable, "-m", "signoff", "scan", "main..topic"],
        cwd=repo,
        env=env,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()


def test_open_from_subdirectory_and_worktree(feature_repo: Path, tmp_path: Path) -> None:
    sub = feature_repo / "lib"
    assert open_repo(sub).root == feature_repo
    wt = tmp_path / "wt"
    git(feature_repo, "worktree", "add", "-q", str(wt), "main")
    g = open_repo(wt)
    assert g.root == wt
    assert g.common_dir == (feature_repo / ".git").resolve()


def test_errors_are_clear(tmp_path: Path, repo: Path) -> None:
    with pytest.raises(RepoError, match="not a git repository"):
        open_repo(tmp_path)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    with pytest.raises(RepoError, match="bare repository"):
        open_repo(bare)
    g = open_repo(repo)
    with pytest.raises(RepoError, match="no commits"):
        resolve_target(g)


def test_resolve_ranges(feature_repo: Path) -> None:
    g = open_repo(feature_repo)
    main_sha = g.rev_parse("main")
    head = g.rev_parse("HEAD")
    t = resolve_target(g)
    assert (t.kind, t.base, t.head) == ("range", main_sha, head)
    t = resolve_target(g, "main..feature")
    assert (t.base, t.head) == (main_sha, head)
    t = resolve_target(g, "feature...main")
    assert (t.base, t.head) == (main_sha, main_sha)
    t = resolve_target(g, "HEAD")
    assert t.base == g.rev_parse("HEAD~1") and t.head == head
    root = resolve_target(g, "main")
    assert root.base == EMPTY_TREE
    assert len(resolve_target(g).commits(g)) == 2
    with pytest.raises(RepoError, match="unknown revision"):
        resolve_target(g, "nope")
    with pytest.raises(RepoError, match="unknown revision"):
        resolve_target(g, "--output=/tmp/x")


def test_default_on_main(feature_repo: Path) -> None:
    git(feature_repo, "checkout", "-q", "main")
    g = open_repo(feature_repo)
    with pytest.raises(NothingToReview):
        resolve_target(g)
    write(feature_repo, {"README.md": "changed\n"})
    t = resolve_target(g)
    assert t.kind == "worktree" and t.base == g.rev_parse("HEAD")


def test_default_prefers_origin_head(feature_repo: Path) -> None:
    git(feature_repo, "branch", "trunk", "main")
    git(feature_repo, "update-ref", "refs/remotes/origin/trunk", "main")
    git(feature_repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    git(feature_repo, "branch", "-m", "main", "old-main")
    g = open_repo(feature_repo)
    t = resolve_target(g)
    assert t.spec == "origin/trunk...HEAD"


def test_detached_head_and_shallow(feature_repo: Path, tmp_path: Path) -> None:
    git(feature_repo, "checkout", "-q", "--detach", "HEAD")
    g = open_repo(feature_repo)
    assert resolve_target(g).kind == "range"
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{feature_repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    sg = open_repo(clone)
    assert sg.is_shallow()
    with pytest.raises(RepoError, match="shallow"):
        resolve_target(sg, "HEAD~1..HEAD")


def test_cli_exit_codes(tmp_path: Path, feature_repo: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["-C", str(tmp_path), "scan"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("signoff: error: not a git repository") and err.count("\n") == 1
    assert main(["-C", str(feature_repo), "scan", "nope..HEAD"]) == 3
    assert "unknown revision: nope" in capsys.readouterr().err
    git(feature_repo, "checkout", "-q", "main")
    assert main(["-C", str(feature_repo), "scan"]) == 0
    assert "nothing to review" in capsys.readouterr().out
