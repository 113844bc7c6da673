"""Repository-supplied ``[ai]`` patterns run in a linear-time engine: no hang, clear refusals.

The repository is untrusted: its ``.signoff/config.toml`` may hold a regex (``message_patterns``) or a
path glob (``paths``) built to backtrack catastrophically over a long commit message or path. Each
attack is driven through ``signoff scan`` in a child process under a time cap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import commit_files, git_env, make_repo

#: Wall-clock cap for one ``signoff scan`` (the attacks below take minutes to hours with backtracking).
CAP = 20


def _config(**ai: list[str]) -> str:
    lines = ["[ai]"]
    for key, values in ai.items():
        quoted = ", ".join("'" + v + "'" for v in values)
        lines.append(f"{key} = [{quoted}]")
    return "\n".join(lines) + "\n"


def scan(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**git_env(), "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.run(
        [sys.executable, "-m", "signoff", "-C", str(repo), "scan", "--format", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=CAP,
        check=False,
    )


def test_catastrophic_message_pattern_over_a_long_message_does_not_hang(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "r")
    commit_files(r, {".signoff/config.toml": _config(message_patterns=["^(a+)+$"])}, "base")
    commit_files(r, {"x.py": "x = 1\n"}, "a" * 20_000 + "!")
    proc = scan(r, "HEAD~1..HEAD")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ai"]["summary"]["ai_commits"] == 0


def test_message_pattern_still_matches_in_linear_time(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "r")
    commit_files(r, {".signoff/config.toml": _config(message_patterns=["^(a+)+$"])}, "base")
    commit_files(r, {"x.py": "x = 1\n"}, "a" * 20_000)
    proc = scan(r, "HEAD~1..HEAD")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ai"]["summary"]["ai_commits"] == 1
    assert "config message pattern" in proc.stdout


def test_catastrophic_path_glob_over_a_long_path_does_not_hang(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "r")
    glob = "*a" * 12 + "*b"
    commit_files(r, {".signoff/config.toml": _config(paths=[glob])}, "base")
    long_name = "a" * 200
    commit_files(r, {f"{long_name}/{long_name}.py": "x = 1\n"}, "human")
    proc = scan(r, "HEAD~1..HEAD")
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    ("pattern", "feature"),
    [
        (r"(a)\1", "backreference"),
        (r"(?<=x)y", "look"),
        (r"x(?=y)", "look"),
        (r"(?>a+)b", "atomic"),
    ],
)
def test_unsupported_features_are_refused_in_one_line(tmp_path: Path, pattern: str, feature: str) -> None:
    r = make_repo(tmp_path / "r")
    commit_files(r, {".signoff/config.toml": _config(message_patterns=[pattern])}, "base")
    commit_files(r, {"x.py": "x = 1\n"}, "change")
    proc = scan(r, "HEAD~1..HEAD")
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert "[ai] message_patterns" in err and feature in err.lower() and "RE2" in err
