"""A repository's checklist overrides must not be able to hang ``signoff scan``.

Regexes and path globs in ``.signoff/checklists/*.toml`` come from the repository under review. Before,
they ran in Python's backtracking ``re``: patterns the lint accepted (bounded nested repeats, alternation
inside a bounded repeat, adjacent wide character classes) and globs (never linted) took minutes on a line
or path of a few dozen characters. Now every repository-supplied pattern runs in RE2 (linear time), and
features RE2 lacks (lookaround, backreferences, possessive repeats) are refused with a one-line message.
Each attack is driven through the real command line, in a subprocess with a time cap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import signoff
from tests.helpers import commit_files, git, make_repo

#: Seconds one ``scan`` may take; the attacks below ran for minutes (each regex alone > 5 s).
TIME_CAP = 40.0

EVIL_REGEXES = {
    # Bounded repeats nested in a bounded repeat: exponential in Python's re on 'aaa…!'.
    "bounded-nested": r"(?:a{1,30}){1,30}$",
    # Alternatives that match alike, inside a bounded repeat.
    "alternation-in-bounded": r"(?:a|a){1,40}b",
    # Three adjacent wide character classes: cubic per start position.
    "wide-classes": r"[\s\S]{0,300}[\s\S]{0,300}[\s\S]{0,300}#",
}
#: Each ``*`` is ``[^/]*``: polynomial of degree 13 on a long path of 'a's without 'b'.
EVIL_GLOB = "*a*a*a*a*a*a*a*a*a*a*a*a*b"
LONG_NAME = "a" * 120 + ".py"


def _override(regexes: dict[str, str], globs: list[str]) -> str:
    out = ['id = "hostile"', 'title = "Hostile"', 'version = "1"', 'description = "From the PR."']
    for name, rx in regexes.items():
        out += [
            "[[questions]]",
            f'id = "hostile.{name}"',
            'text = "Pattern from the repository?"',
            'severity = "low"',
            "[questions.triggers]",
            f"added = ['{rx}']",
        ]
    if globs:
        out += [
            "[[questions]]",
            'id = "hostile.glob"',
            'text = "Glob from the repository?"',
            'severity = "low"',
            "[questions.triggers]",
            "paths = [" + ", ".join(f"'{g}'" for g in globs) + "]",
        ]
    return "\n".join(out) + "\n"


def _scan(repo: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    src = str(Path(signoff.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "signoff", "scan", "base..head", "--no-ai", *args],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIME_CAP,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"signoff scan still running after {TIME_CAP:.0f} s: a repository pattern hangs it")
    return proc, time.perf_counter() - start


def _hostile_repo(tmp_path: Path, override: str) -> Path:
    repo = make_repo(tmp_path / "repo")
    # The overrides are on the target branch (a hostile repository, not only a hostile change): the
    # change's own overrides are never in effect (tests/test_settings_from_target.py).
    commit_files(repo, {"README.md": "x\n", ".signoff/checklists/hostile.toml": override}, "base")
    git(repo, "tag", "base")
    evil_lines = "\n".join(
        ["a" * 40 + "!", "a" * 45, "aaab", "x" * 3000, *(f"v{i} = {i}" for i in range(50))]
    )
    commit_files(
        repo,
        {
            "src/attack.py": evil_lines + "\n",
            f"src/{LONG_NAME}": "x = 1\n",
        },
        "head",
    )
    git(repo, "tag", "head")
    return repo


@pytest.mark.parametrize("name", sorted(EVIL_REGEXES))
def test_repo_regex_cannot_hang_scan(tmp_path: Path, name: str) -> None:
    repo = _hostile_repo(tmp_path, _override({name: EVIL_REGEXES[name]}, []))
    proc, _ = _scan(repo, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    hit = {q["id"]: q for q in doc["questions"]["triggered"]}.get(f"hostile.{name}")
    # Linear time, same meaning: the patterns still match what they describe.
    if name == "alternation-in-bounded":
        assert hit is not None and any(h["path"] == "src/attack.py" for h in hit["hits"])


def test_repo_glob_cannot_hang_scan(tmp_path: Path) -> None:
    repo = _hostile_repo(tmp_path, _override({}, [EVIL_GLOB, "**/**/**/**/**/**/**/**/**/**/x"]))
    proc, _ = _scan(repo, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert "hostile.glob" not in {q["id"] for q in doc["questions"]["triggered"]}


@pytest.mark.parametrize(
    ("regex", "feature"),
    [(r"(?<!x)secret", "lookbehind"), (r"(a)\\1", "backreference"), (r"a++b", "possessive")],
)
def test_repo_regex_outside_re2_is_refused_in_one_line(tmp_path: Path, regex: str, feature: str) -> None:
    repo = _hostile_repo(tmp_path, _override({"x": regex}, []))
    proc, _ = _scan(repo)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    problem = [ln for ln in proc.stderr.splitlines() if "hostile.toml" in ln]
    assert len(problem) == 1 and "RE2" in problem[0], proc.stderr


def test_repo_regex_lint_names_the_missing_feature(tmp_path: Path) -> None:
    from signoff.cli import main

    f = tmp_path / "ours.toml"
    f.write_text(_override({"x": r"(?=a)b"}, []))
    code = main(["checklists", "lint", str(f)])
    assert code != 0
