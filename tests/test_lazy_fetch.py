"""A hostile clone with a promisor remote and a missing object must not make git run a program.

Git lazily fetches a missing object from a promisor remote; the transport runs whatever the repository
configures (``core.sshCommand``, ``remote.*.uploadpack``, ``ext::`` URLs, ``core.gitProxy``), also when
the value is reached through ``include.path``. signoff forbids every transport on its git calls.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from signoff.cli.main import main
from tests.helpers import commit_files, git, make_repo


def _script(path: Path, marker: Path) -> str:
    path.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\nexit 1\n')
    path.chmod(0o755)
    return str(path)


def _promisor_repo(tmp_path: Path, variant: str) -> tuple[Path, Path]:
    """A repo whose ``origin`` is a promisor remote armed per ``variant``; one blob of the range is gone."""
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"a.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {"a.py": "x = 1\ny = 2\n"}, "topic change")
    blob = git(repo, "rev-parse", "HEAD:a.py").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    marker = tmp_path / "PWNED"
    evil = _script(tmp_path / "evil.sh", marker)
    cfg = [
        ("core.repositoryformatversion", "1"),
        ("extensions.partialClone", "origin"),
        ("remote.origin.promisor", "true"),
        ("remote.origin.partialclonefilter", "blob:none"),
    ]
    if variant == "sshCommand":
        cfg += [("remote.origin.url", "ssh://example.invalid/x"), ("core.sshCommand", evil)]
    elif variant == "sshCommand-protocol-allowed":
        cfg += [
            ("remote.origin.url", "ssh://example.invalid/x"),
            ("core.sshCommand", evil),
            ("protocol.ssh.allow", "always"),
        ]
    elif variant == "uploadpack":
        cfg += [("remote.origin.url", str(tmp_path)), ("remote.origin.uploadpack", evil)]
    elif variant == "ext":
        cfg += [("remote.origin.url", f"ext::{evil} %S"), ("protocol.ext.allow", "always")]
    elif variant == "gitProxy":
        cfg += [("remote.origin.url", "git://example.invalid/x"), ("core.gitProxy", evil)]
    elif variant == "include":
        included = tmp_path / "included.cfg"
        included.write_text(f'[core]\n\tsshCommand = "{evil}"\n')
        cfg += [("remote.origin.url", "ssh://example.invalid/x"), ("include.path", str(included))]
    else:  # pragma: no cover
        raise AssertionError(variant)
    for key, value in cfg:
        git(repo, "config", key, value)
    return repo, marker


VARIANTS = ["sshCommand", "sshCommand-protocol-allowed", "uploadpack", "ext", "gitProxy", "include"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_plain_git_runs_the_program(tmp_path: Path, variant: str) -> None:
    """The fixture is armed: plain git lazily fetches and runs the repository's program."""
    repo, marker = _promisor_repo(tmp_path, variant)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "diff", "main", "topic"], cwd=repo, env=env, capture_output=True, check=False)
    assert marker.exists()


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "main..topic"],
        ["scan", "main..topic", "--format", "json"],
        ["audit", "--history"],
        ["gate", "main..topic"],
        ["verify"],
    ],
)
def test_signoff_runs_nothing(
    tmp_path: Path, variant: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, marker = _promisor_repo(tmp_path, variant)
    code = main(["-C", str(repo), *argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    # The missing blob is skipped with a warning (test_missing_objects.py): scan and verify succeed,
    # gate and audit report their findings; none stops on it or fetches it.
    assert code in (0, 1), err
    assert not marker.exists(), marker.read_text()
