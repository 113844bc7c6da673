"""Builders of hostile repositories and files, shared by the regression tests and the CI corpus run.

Every builder makes a real git repository in a temporary directory. Programs the repository could make
git (or signoff) run are scripts that append to a marker file, so a test can assert that none ran.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import commit_files, git, make_repo, write

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"


def run_signoff(repo: Path, args: list[str], cap: float) -> subprocess.CompletedProcess[bytes]:
    """``python -m signoff -C REPO ARGS`` from this checkout's ``src``, stdin closed, under a time cap
    (a command still running after ``cap`` seconds fails the test as a hang)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src"), "PAGER": "false"}
    try:
        return subprocess.run(
            [sys.executable, "-m", "signoff", "-C", str(repo), *args],
            capture_output=True,
            env=env,
            timeout=cap,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"signoff {' '.join(args)} did not finish within {cap} s (hung)")


def evil_script(path: Path, marker: Path) -> str:
    """An executable that records its invocation in ``marker`` and fails (it never waits on a pipe)."""
    path.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\nexit 1\n')
    path.chmod(path.stat().st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


def arm_programs(repo: Path, marker: Path) -> None:
    """Point every repository-configurable program we know of at a marker-writing script."""
    s = evil_script(repo.parent / f"evil-{repo.name}.sh", marker)
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in ("post-index-change", "reference-transaction", "pre-commit", "post-checkout", "pre-auto-gc"):
        (hooks / hook).write_text(f"#!/bin/sh\necho {hook} >> {marker}\n")
        (hooks / hook).chmod(0o755)
    for key, value in [
        ("core.fsmonitor", s),
        ("core.pager", s),
        ("core.editor", s),
        ("core.sshCommand", s),
        ("core.gitProxy", s),
        ("core.askPass", s),
        ("core.alternateRefsCommand", s),
        ("credential.helper", s),
        ("pager.diff", s),
        ("pager.log", s),
        ("diff.external", s),
        ("diff.evil.textconv", s),
        ("diff.evil.command", s),
        ("diff.guitool", "evil"),
        ("difftool.evil.cmd", s),
        ("merge.evil.driver", s),
        ("mergetool.evil.cmd", s),
        ("filter.evil.clean", s),
        ("filter.evil.smudge", s),
        ("filter.evil.process", s),
        ("filter.evil.required", "true"),
        ("log.showSignature", "true"),
        ("gpg.program", s),
        ("gpg.openpgp.program", s),
        ("gpg.ssh.program", s),
        ("gpg.x509.program", s),
        ("gpg.ssh.defaultKeyCommand", s),
        ("sequence.editor", s),
        ("uploadpack.packObjectsHook", s),
        ("core.hooksPath", str(hooks)),
        # Keys git's documentation (git help --config, git-config(1), 2.39) gives a program for, that
        # only other commands run: planted so a new git call of signoff's cannot start reaching them.
        ("gpg.ssh.defaultKeyCommand", s),
        ("web.browser", "evil"),
        ("browser.evil.cmd", s),
        ("man.viewer", "evil"),
        ("man.evil.cmd", s),
        ("guitool.evil.cmd", s),
        ("sendemail.toCmd", s),
        ("sendemail.ccCmd", s),
        ("sendemail.sendmailCmd", s),
        ("submodule.evil.update", f"!{s}"),
        ("remote.evil.url", "evil::x"),
        ("remote.evil.vcs", "evil"),
        ("protocol.ext.allow", "always"),
        ("url.ext::" + s + " %G/.insteadOf", "https://example.invalid/"),
        ("credential.https://example.invalid.helper", f"!{s}"),
    ]:
        git(repo, "config", key, value)
    # Values reached only through include.path / includeIf: drivers named in .git/info/attributes.
    included = repo.parent / f"included-{repo.name}.gitconfig"
    included.write_text(
        f'[filter "incl"]\n\tclean = {s}\n\tsmudge = {s}\n\tprocess = {s}\n\trequired = true\n'
        f'[diff "incl"]\n\ttextconv = {s}\n\tcommand = {s}\n'
    )
    git(repo, "config", "include.path", str(included))
    git(repo, "config", f"includeIf.gitdir:{repo}/.path", str(included))
    info = repo / ".git" / "info"
    info.mkdir(exist_ok=True)
    with (info / "attributes").open("a") as f:
        f.write("*.txt filter=incl diff=incl\n*.md diff=incl\n")


def base_and_topic(path: Path, topic: dict[str, str | bytes | None], base: dict | None = None) -> Path:
    """``main`` with ``base`` files (default: one Python file) and branch ``topic`` adding ``topic``."""
    repo = make_repo(path)
    commit_files(repo, base or {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, topic, "topic change")
    return repo


def make_promisor(repo: Path, marker: Path, *, delete: list[str]) -> None:
    """Make ``origin`` a promisor remote (as in a ``--filter=blob:none`` clone) armed with a program,
    and delete the loose objects ``delete`` (revision expressions, e.g. ``topic:app.py``)."""
    s = evil_script(repo.parent / f"lazy-{repo.name}.sh", marker)
    for rev in delete:
        oid = git(repo, "rev-parse", rev).strip()
        (repo / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    for key, value in [
        ("core.repositoryformatversion", "1"),
        ("extensions.partialClone", "origin"),
        ("remote.origin.url", "ssh://example.invalid/x"),
        ("remote.origin.promisor", "true"),
        ("remote.origin.partialclonefilter", "blob:none"),
        ("core.sshCommand", s),
    ]:
        git(repo, "config", key, value)


def deep_nesting(depth: int = 100_000) -> str:
    """A TOML document whose one value is ``depth`` nested arrays (tomllib recurses on it)."""
    return "a = " + "[" * depth + "]" * depth + "\n"


def hostile_record_files(reviews: Path) -> dict[str, Path]:
    """Plant hostile files under ``reviews`` (a ``.signoff/reviews`` directory); return them by kind.

    Kinds: deep nesting, a FIFO, a symlink to ``/dev/zero``, a symlink out of the repository, a dangling
    symlink, a directory named like a record, a huge file, invalid UTF-8, and the checked-in corpus.
    """
    reviews.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    out["deep"] = reviews / "deep.toml"
    out["deep"].write_text(deep_nesting())
    out["fifo"] = reviews / "fifo.toml"
    os.mkfifo(out["fifo"])
    out["zero"] = reviews / "zero.toml"
    out["zero"].symlink_to("/dev/zero")
    out["outside"] = reviews / "outside.toml"
    out["outside"].symlink_to("/etc/passwd")
    out["dangling"] = reviews / "dangling.toml"
    out["dangling"].symlink_to(reviews / "nowhere.toml")
    out["dir"] = reviews / "dir.toml"
    out["dir"].mkdir()
    out["huge"] = reviews / "huge.toml"
    with open(out["huge"], "wb") as fh:
        fh.write(b'summary = "')
        fh.write(b"A" * (20 << 20))
        fh.write(b'"\n')
    out["latin1"] = reviews / "latin1.toml"
    out["latin1"].write_bytes(b'schema = "signoff.review/1"\nname = "\xe9"\n')
    for f in sorted(FIXTURES.glob("record-*.toml")):
        out[f.stem] = reviews / f.name
        out[f.stem].write_bytes(f.read_bytes())
    return out


def commit_hostile_records(repo: Path) -> None:
    """Commit hostile regular files under ``.signoff/reviews`` and delete them again (history only)."""
    reviews = repo / ".signoff" / "reviews"
    files = {".signoff/reviews/deep.toml": deep_nesting()}
    for f in sorted(FIXTURES.glob("record-*.toml")):
        files[f".signoff/reviews/{f.name}"] = f.read_bytes()
    commit_files(repo, files, "records only")
    write(repo, {k: None for k in files})
    git(repo, "rm", "-q", "-r", "--cached", "--ignore-unmatch", str(reviews.relative_to(repo)))
    commit_files(repo, {}, "remove them again")
