"""AI attribution over a 2,000-commit range touching 1,500 files, against plain ``git log -p``.

Ratio = signoff's attribution time (``provenance.attribution.attribute``: one ``git log`` for the commit
signals, one ``git log -p -U0`` replayed hunk by hunk to carry every added line back to its commit, and
per-line attribution) divided by plain ``git log -p base..head`` of the same range in the same run.
Goal (issue 14): <= 3. For reference it also times what the old design cost: one
``git blame --incremental`` per touched file. The repository is built once with ``git fast-import`` and
cached under ``$SIGNOFF_BENCH_CACHE``.

Real histories: ``--repo CLONE --range BASE..HEAD`` times the same against plain ``git diff BASE HEAD``
and ``git log -p BASE..HEAD`` of that clone (e.g. a ``git clone --shared`` of a fetched public mirror).

Run: ``python3 bench/bench_provenance.py [--commits N] [--files N] [--runs N] [--no-blame]``
     ``python3 bench/bench_provenance.py --repo /tmp/signoff-eval/steveyegge+beads --range A..B``
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import CACHE, git
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.provenance.attribution import attribute

T = TypeVar("T")
AI_FOOTER = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"


def provenance_repo(commits: int = 2000, files: int = 1500, base_lines: int = 120) -> Path:
    """``base`` with ``files`` files, then ``commits`` commits (every third one AI) up to tag ``head``."""
    repo = CACHE / f"prov2-{commits}-{files}-{base_lines}"
    if (repo / ".git" / "refs" / "tags" / "head").exists():
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    rng = random.Random(1234)
    paths = [f"src/pkg{i % 25}/mod_{i}.py" for i in range(files)]
    content = {
        p: [f"def f_{i}_{n}(x):  # base line {n}\n" for n in range(base_lines)] for i, p in enumerate(paths)
    }
    out: list[bytes] = []

    def blob(lines: list[str]) -> bytes:
        return "".join(lines).encode()

    out.append(b"commit refs/tags/base\nmark :1\ncommitter Bench <bench@example.com> 1700000000 +0000\n")
    out.append(b"data 4\nbase\n")
    for p in paths:
        data = blob(content[p])
        out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (p.encode(), len(data), data))
    for c in range(commits):
        ai = c % 3 == 0
        msg = f"change {c}" + (AI_FOOTER if ai else "\n")
        who = "Dev <dev@example.com>"
        ref = "refs/tags/head" if c == commits - 1 else "refs/heads/main"
        out.append(f"commit {ref}\nmark :{c + 2}\n".encode())
        out.append(f"author {who} {1700000000 + c} +0000\ncommitter {who} {1700000000 + c} +0000\n".encode())
        m = msg.encode()
        out.append(b"data %d\n%s\n" % (len(m), m))
        out.append(b"from :%d\n" % (c + 1))
        # each commit touches 1-3 files (every file at least once): inserts a few lines, rewrites one
        picked = {paths[c % files], *rng.sample(paths, rng.randint(0, 2))}
        for p in sorted(picked):
            lines = content[p]
            at = rng.randrange(len(lines) + 1)
            new = [f"    value_{c}_{k} = compute(x, {k})  # commit {c}\n" for k in range(rng.randint(1, 6))]
            lines[at:at] = new
            j = rng.randrange(len(lines))
            lines[j] = f"# rewritten by commit {c}\n"
            data = blob(lines)
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (p.encode(), len(data), data))
    git(repo, "fast-import", "--quiet", input=b"".join(out))
    git(repo, "tag", "-f", "head", "refs/tags/head")
    git(repo, "reset", "-q", "--hard", "head")
    return repo


def plain_git(repo: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(["git", *args], cwd=repo, stdout=subprocess.DEVNULL, check=True, timeout=600)
    return time.perf_counter() - start


def plain_log_p(repo: Path, rng: str = "base..head") -> float:
    return plain_git(repo, "log", "-p", rng)


def _cpu() -> float:
    """CPU seconds (user + system) used so far by this process and its reaped children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn: Callable[[], T]) -> tuple[float, float, T]:
    """(wall seconds, CPU seconds incl. child processes, result) of one call."""
    w, c = time.perf_counter(), _cpu()
    out = fn()
    return time.perf_counter() - w, _cpu() - c, out


def real_history(repo: Path, rng: str, runs: int) -> None:
    """Attribution over ``rng`` of a real clone against plain git diff / git log -p in the same run.

    Both wall time and CPU time (this process plus its git children) are reported: on a shared machine
    the CPU ratio is the steadier one."""
    base, _, head = rng.partition("..")
    g = open_repo(repo)
    target = resolve_target(g, rng)
    diff = load_diff(g, target)
    n_commits = len(target.commits(g))
    touched = sum(1 for f in diff.files if f.added)
    print(f"{repo.name} {rng}: {n_commits} commits, {len(diff.files)} files ({touched} with added lines)")
    print(f"  +{diff.added} -{diff.removed}")
    rows: dict[str, list[tuple[float, float]]] = {}
    result = None
    for _ in range(runs):
        for label, fn in (
            ("plain git diff BASE HEAD", lambda: plain_git(repo, "diff", base, head)),
            ("plain git log -p BASE..HEAD", lambda: plain_git(repo, "log", "-p", rng)),
        ):
            w, c, _ = _timed(fn)
            rows.setdefault(label, []).append((w, c))
        fresh = open_repo(repo)
        w, c, d = _timed(partial(load_diff, fresh, target))
        rows.setdefault("signoff load_diff", []).append((w, c))
        w, c, result = _timed(partial(attribute, fresh, target, d))
        rows.setdefault("signoff attribute()", []).append((w, c))
    assert result is not None
    print(
        f"  attribution: {result.ai}/{result.added} AI lines, {len(result.commits)} AI commits, "
        f"{result.traced_files} files traced, {len(result.warnings)} warnings"
    )
    best = {k: (min(w for w, _ in v), min(c for _, c in v)) for k, v in rows.items()}
    dw, dc = best["plain git diff BASE HEAD"]
    lw, lc = best["plain git log -p BASE..HEAD"]
    head_row = f"  {'(best of ' + str(runs) + ')':<30} {'wall':>8} {'cpu':>8}"
    print(head_row + "   x git diff (wall/cpu)   x git log -p")
    for label, (w, c) in best.items():
        print(
            f"  {label:<30} {w:7.2f}s {c:7.2f}s   {w / dw:6.2f} / {c / dc:6.2f}"
            f"        {w / lw:5.2f} / {c / lc:5.2f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of this process {rss:.0f} MB; goal: attribute() <= 3x git log -p of the same range")


def blame_each(repo: Path, touched: list[str]) -> float:
    start = time.perf_counter()
    for path in touched:
        subprocess.run(
            ["git", "blame", "--incremental", "base..head", "--", path],
            cwd=repo,
            stdout=subprocess.DEVNULL,
            check=True,
        )
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--commits", type=int, default=2000)
    ap.add_argument("--files", type=int, default=1500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-blame", action="store_true", help="skip timing one git blame per file")
    ap.add_argument("--repo", type=Path, help="a real clone to measure instead of the synthetic range")
    ap.add_argument("--range", default="", help="BASE..HEAD of --repo")
    args = ap.parse_args()
    if args.repo:
        if ".." not in args.range:
            ap.error("--repo needs --range BASE..HEAD")
        real_history(args.repo, args.range, args.runs)
        return
    t0 = time.perf_counter()
    repo = provenance_repo(args.commits, args.files)
    print(f"repo: {repo} (ready in {time.perf_counter() - t0:.1f}s)")

    g = open_repo(repo)
    target = resolve_target(g, "base..head")
    diff = load_diff(g, target)
    touched = [f.path for f in diff.files if f.added]
    n_commits = len(target.commits(g))
    print(f"range: {n_commits} commits, {len(touched)} touched files, +{diff.added} -{diff.removed}")

    ours, total, plain, result = [], [], [], None
    for _ in range(args.runs):
        plain.append(plain_log_p(repo))
        g = open_repo(repo)  # fresh: the hardened-env probe is included
        t = time.perf_counter()
        d = load_diff(g, target)
        t1 = time.perf_counter()
        result = attribute(g, target, d)
        t2 = time.perf_counter()
        ours.append(t2 - t1)
        total.append(t2 - t)
    assert result is not None
    print(
        f"attribution: {result.ai}/{result.added} AI lines, {len(result.commits)} AI commits, "
        f"{result.traced_files} files traced, {len(result.warnings)} warnings"
    )
    base = min(plain)
    rows = [("plain git log -p base..head", base), ("signoff attribute()", min(ours))]
    rows.append(("signoff load_diff + attribute()", min(total)))
    if not args.no_blame:
        rows.append((f"old design: {len(touched)} sequential git blame", blame_each(repo, touched)))
    for label, secs in rows:
        print(f"{label:<48} {secs:7.3f}s  ratio {secs / base:.2f}")
    print("goal: attribute() ratio <= 3")


if __name__ == "__main__":
    main()
