"""The one-pass line mapping equals ``git blame BASE..HEAD`` on every added line.

Random histories (hypothesis: edits, insertions, deletions, duplicated lines, new files, renames,
side branches merged with and without conflicts, reverts) are built as real repositories; for every
line the range's diff adds, :mod:`signoff.provenance.linemap` must give the same commit, path and line
number there as ``git blame --porcelain`` (boundary lines: ``None``).
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.git.runner import EMPTY_TREE, open_repo
from signoff.provenance.linemap import (
    c_unquote,
    log_args,
    origin_in,
    parse_log_patch,
    parse_log_stream,
    run_starts,
)
from signoff.provenance.tracepass import trace
from tests.helpers import commit_files, git, git_env, make_repo

WORDS = ["a", "b", "c", "x = 1", "}", "", "return", "foo()", "bar", "# note"]


def added_lines(repo: Path, base: str, head: str) -> dict[str, list[int]]:
    out = git(repo, "diff", "-U0", "--no-renames", base, head)
    res: dict[str, list[int]] = {}
    path = None
    for line in out.split("\n"):
        if line.startswith("+++ "):
            raw = c_unquote(line[4:].rstrip("\t").encode("utf-8", "surrogateescape"))
            path = None if raw == "/dev/null" else raw[2:]
        elif line.startswith("@@") and path:
            m = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", line)
            assert m is not None
            c, d = int(m.group(1)), int(m.group(2) or 1)
            res.setdefault(path, []).extend(range(c, c + d))
    return res


def blame(repo: Path, base: str, head: str, path: str) -> dict[int, tuple[str, str, int] | None]:
    rev = [head, "--root"] if base == EMPTY_TREE else [f"{base}..{head}"]
    out = git(repo, "blame", "--porcelain", *rev, "--", path)
    res: dict[int, tuple[str, int]] = {}
    boundary: set[str] = set()
    names: dict[str, str] = {}
    cur = ""
    for line in out.split("\n"):
        parts = line.split(" ")
        if len(parts) >= 3 and len(parts[0]) == 40 and parts[1].isdigit() and parts[2].isdigit():
            cur = parts[0]
            res[int(parts[2])] = (cur, int(parts[1]))
        elif line == "boundary":
            boundary.add(cur)
        elif line.startswith("filename ") and cur not in names:
            names[cur] = c_unquote(line[9:].encode("utf-8", "surrogateescape"))
    return {k: None if sha in boundary else (sha, names[sha], n) for k, (sha, n) in res.items()}


def ours(repo: Path, base: str, head: str) -> dict[str, dict[int, tuple[str, str, int] | None]]:
    g = open_repo(repo)
    head_sha = g.rev_parse(head)
    base_sha = g.rev_parse(base) if base != EMPTY_TREE else EMPTY_TREE
    revs = [head_sha] if base_sha == EMPTY_TREE else [f"{base_sha}..{head_sha}"]
    parents = {}
    for line in git(repo, "log", "--format=%H %P", *revs).split("\n"):
        if line.strip():
            sha, *ps = line.split()
            parents[sha] = tuple(ps)
    runs = trace(g, base_sha, head_sha, parents)
    out = {}
    for path, lines in added_lines(repo, base, head).items():
        r = runs.get(path, [])
        starts = run_starts(r)
        out[path] = {n: origin_in(r, starts, n) for n in lines}
    return out


def assert_same_as_blame(repo: Path, base: str = "base", head: str = "main") -> int:
    got = ours(repo, base, head)
    total = 0
    for path, lines in got.items():
        expected = blame(repo, base, head, path)
        for n, origin in lines.items():
            assert origin == expected[n], (path, n, origin, expected[n])
            total += 1
    return total


def _content(repo: Path) -> dict[str, list[str]]:
    files = {}
    for p in git(repo, "ls-files", "-z").split("\0"):
        if p:
            files[p] = (repo / p).read_text().split("\n")[:-1]
    return files


def _edit(files: dict[str, list[str]], ops: list[tuple[int, int, int]], tag: str) -> dict[str, str | None]:
    for kind, where, what in ops:
        path = sorted(files)[where % len(files)]
        lines = files[path]
        if kind == 0 or not lines:
            lines.insert(what % (len(lines) + 1), f"{WORDS[what % len(WORDS)]} {tag}")
        elif kind == 1:
            del lines[what % len(lines)]
        elif kind == 2:
            lines[what % len(lines)] = WORDS[what % len(WORDS)]
        elif kind == 3:
            lines.insert(what % (len(lines) + 1), lines[where % len(lines)])
        else:
            files[f"new_{tag}_{what % 3}.txt"] = [f"n {tag} {i}" for i in range(what % 5 + 1)]
    return {p: "".join(x + "\n" for x in lines) for p, lines in files.items()}


OPS = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 50), st.integers(0, 1000)), min_size=1, max_size=4)
STEP = st.tuples(st.sampled_from(["edit", "edit", "rename", "branch", "merge", "revert"]), OPS)


def build(repo: Path, steps: list[tuple[str, list[tuple[int, int, int]]]]) -> None:
    make_repo(repo)
    commit_files(repo, {f"f{i}.txt": "".join(f"{w} {i}\n" for w in WORDS[: 4 + i]) for i in range(3)}, "base")
    git(repo, "tag", "base")
    branches: list[str] = []
    for k, (kind, ops) in enumerate(steps):
        files = _content(repo)
        if kind == "rename":
            old = sorted(files)[ops[0][1] % len(files)]
            git(repo, "mv", old, f"r{k}_{old}")
            commit_files(repo, _edit(_content(repo), ops[1:], f"r{k}"), f"rename {k}")
        elif kind == "branch":
            git(repo, "checkout", "-q", "-b", f"side{k}")
            commit_files(repo, _edit(files, ops, f"s{k}"), f"side {k}")
            git(repo, "checkout", "-q", "main")
            branches.append(f"side{k}")
        elif kind == "merge" and branches:
            _merge(repo, branches.pop(0))
        elif (
            kind == "revert"
            and git(repo, "rev-parse", "HEAD") != git(repo, "rev-parse", "base^{commit}")
            and git(
                repo, "diff", "--name-only", "HEAD^", "HEAD"
            ).strip()  # an empty commit cannot be reverted
        ):
            merge = len(git(repo, "rev-parse", "HEAD^@").split()) > 1
            git(repo, "revert", "--no-edit", *(["-m", "1"] if merge else []), "HEAD")
        else:
            commit_files(repo, _edit(files, ops, f"c{k}"), f"change {k}")
    for b in branches:
        _merge(repo, b)


def _merge(repo: Path, branch: str) -> None:
    proc = subprocess.run(
        ["git", "merge", "-q", "--no-ff", "--no-edit", branch],
        cwd=repo,
        capture_output=True,
        env=git_env(),
        timeout=60,
    )
    if proc.returncode != 0:  # resolve conflicts by keeping both sides without the markers
        for path in git(repo, "diff", "--name-only", "--diff-filter=U").split():
            text = (repo / path).read_text()
            keep = [x for x in text.split("\n") if not x.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
            (repo / path).write_text("\n".join(keep))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "--no-edit")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=10))
def test_random_histories_match_blame(tmp_path_factory, steps) -> None:
    repo = tmp_path_factory.mktemp("hist")
    build(repo, steps)
    assert_same_as_blame(repo)


def test_merges_renames_reverts_and_root_range(tmp_path: Path) -> None:
    steps = [
        ("branch", [(0, 0, 5), (2, 1, 3)]),
        ("edit", [(0, 0, 1), (1, 2, 2), (3, 1, 4)]),
        ("rename", [(0, 1, 0), (0, 1, 7)]),
        ("revert", [(0, 0, 0)]),
        ("branch", [(0, 2, 9), (4, 0, 2)]),
        ("edit", [(2, 2, 5), (0, 0, 8)]),
        ("merge", [(0, 0, 0)]),
        ("edit", [(1, 1, 1)]),
    ]
    repo = tmp_path / "r"
    build(repo, steps)
    assert git(repo, "log", "--merges", "--format=%H", "base..main").strip()
    assert assert_same_as_blame(repo) >= 5
    assert assert_same_as_blame(repo, EMPTY_TREE, "main") > 20


def test_binary_and_quoted_paths_parse(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    commit_files(repo, {'a b/t\u00e9st "q".txt': "one\n", "bin.dat": b"\x00\x01\x02"}, "base")
    git(repo, "tag", "base")
    commit_files(repo, {'a b/t\u00e9st "q".txt': "one\ntwo\n", "bin.dat": b"\x00\x01\x03"}, "change")
    commit_files(repo, {'a b/t\u00e9st "q".txt': "zero\none\ntwo\n"}, "again")
    assert assert_same_as_blame(repo) == 2
    g = open_repo(repo)
    order, diffs = parse_log_patch(g.run(log_args(["base..main"])))
    assert len(order) == 2 and any(fp.binary for d in diffs.values() for fp in d.files.values())


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=8), chunk=st.integers(1, 300))
def test_streamed_parse_equals_whole_parse(tmp_path_factory, steps, chunk: int) -> None:
    """Pieces cut anywhere (inside hunk bodies, headers, commit lines) parse like the whole output."""
    repo = tmp_path_factory.mktemp("stream") / "repo"
    build(repo, steps)
    data = open_repo(repo).run(log_args(["base..main"]))
    assert parse_log_stream(io.BytesIO(data), chunk) == parse_log_patch(data)
