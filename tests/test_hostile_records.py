"""Hostile files in ``.signoff/reviews/`` (anything a pull request can commit) never crash or hang.

Deep nesting, FIFOs, symlinks (to ``/dev/zero``, out of the repository, dangling), directories named like
records, huge files and invalid text each become one status line; commands run in a subprocess under a
time cap so that a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import commit_files, git, make_repo
from tests.hostile_repos import commit_hostile_records, hostile_record_files, run_signoff

CAP = 60


def _signoff(repo: Path, *argv: str, cap: int = CAP) -> subprocess.CompletedProcess[str]:
    raw = run_signoff(repo, list(argv), cap)
    out, err = raw.stdout.decode("utf-8", "replace"), raw.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err[-3000:]
    return subprocess.CompletedProcess(raw.args, raw.returncode, out, err)


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {"app.py": "x = 2\n"}, "topic")
    files = hostile_record_files(repo / ".signoff" / "reviews")
    return repo, files


def test_verify_gives_one_status_line_per_record(planted: tuple[Path, dict[str, Path]]) -> None:
    repo, files = planted
    proc = _signoff(repo, "verify")
    assert proc.returncode == 1
    for kind in ("deep", "fifo", "zero", "outside", "huge", "latin1", "dangling"):
        name = files[kind].name
        lines = [ln for ln in proc.stdout.splitlines() if name in ln]
        assert len(lines) == 1, (kind, proc.stdout)
        assert lines[0].split()[0] in ("malformed", "refused"), lines[0]
    assert "root:" not in proc.stdout  # /etc/passwd was not read into a message


def test_verify_json_has_every_record(planted: tuple[Path, dict[str, Path]]) -> None:
    repo, files = planted
    proc = _signoff(repo, "verify", "--format", "json")
    doc = json.loads(proc.stdout)
    paths = {Path(r["path"]).name for r in doc["records"]}
    assert {files[k].name for k in ("deep", "fifo", "zero", "huge")} <= paths
    assert not doc["ok"]


@pytest.mark.parametrize("kind", ["fifo", "zero", "deep", "huge", "dir", "dangling"])
def test_verify_explicit_path(planted: tuple[Path, dict[str, Path]], kind: str) -> None:
    repo, files = planted
    proc = _signoff(repo, "verify", str(files[kind]), cap=30)
    assert proc.returncode in (1, 2), proc.stderr
    assert (proc.stdout + proc.stderr).strip()


@pytest.mark.parametrize("flag", ["--payload", "--signature"])
@pytest.mark.parametrize("kind", ["fifo", "zero", "deep"])
def test_verify_payload_of_hostile_file(planted: tuple[Path, dict[str, Path]], kind: str, flag: str) -> None:
    repo, files = planted
    proc = _signoff(repo, "verify", flag, str(files[kind]), cap=30)
    assert proc.returncode == 2
    assert proc.stderr.startswith("signoff: error:")


@pytest.mark.parametrize(
    "argv",
    [
        ["audit"],
        ["audit", "--format", "markdown"],
        ["audit", "--history"],  # hung on the FIFO: the work-tree records' blob ids read it with read_bytes
        ["gate", "main..topic"],
        ["scan", "main..topic"],
    ],
)
def test_other_commands_over_planted_records(planted: tuple[Path, dict[str, Path]], argv: list[str]) -> None:
    repo, _ = planted
    proc = _signoff(repo, *argv)
    assert proc.returncode in (0, 1), proc.stderr


def test_audit_history_survives_records_added_and_deleted(tmp_path: Path) -> None:
    """A records-only commit needs no review; its hostile files stay in history for every later audit."""
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    commit_hostile_records(repo)
    for fmt in ("text", "json", "markdown"):
        proc = _signoff(repo, "audit", "--history", "--format", fmt)
        assert proc.returncode == 1, proc.stderr
        assert "deep.toml" in proc.stdout
    doc = json.loads(_signoff(repo, "audit", "--history", "--format", "json").stdout)
    deep = [r for r in doc["records"] if r["path"].endswith("deep.toml")]
    assert deep and deep[0]["status"] == "malformed"
    assert "nest" in deep[0]["reason"] or "deep" in deep[0]["reason"]


def test_many_records_are_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """More records than the limit: only the newest are read, the rest are one status line."""
    from signoff.cli import main
    from signoff.records import store

    monkeypatch.setattr(store, "MAX_RECORDS", 50)
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    reviews = repo / ".signoff" / "reviews" / "2026" / "01"
    reviews.mkdir(parents=True)
    for i in range(55):
        (reviews / f"r{i:06d}.toml").write_bytes(b"")
    assert main(["-C", str(repo), "verify"]) == 1
    out = capsys.readouterr().out
    assert "5 older records not read: more than 50 records" in out
    assert "r000004.toml" not in out and "r000005.toml" in out
    assert main(["-C", str(repo), "audit", "--format", "json"]) == 1
    assert "5 older records not read" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv", [["audit"], ["scan", "--worktree"], ["scan", "main..topic", "--findings", "{fifo}"]]
)
def test_fifo_config_and_sarif_never_block(planted: tuple[Path, dict[str, Path]], argv: list[str]) -> None:
    """A FIFO where the config or a SARIF file should be is refused, not opened for a blocking read."""
    repo, _ = planted
    os.mkfifo(repo / ".signoff" / "config.toml")
    os.mkfifo(repo / "scan.sarif")
    proc = _signoff(repo, *[a.format(fifo=repo / "scan.sarif") for a in argv], cap=30)
    assert proc.returncode in (0, 1, 2), proc.stderr
    # scan and audit read settings from the target's commit, never the work tree's config.
    assert "regular file" in proc.stderr or argv[0] in ("scan", "audit"), proc.stderr
