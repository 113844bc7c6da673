"""Benchmark ``signoff audit``: 10,000 signed records over a 5,000-commit first-parent history.

The history is built with ``git fast-import``: every fifth first-parent commit merges a one-commit side
branch, one commit in ten carries an AI trailer. Records (two or three per reviewed commit, a few
commits left unreviewed, some failed answers) are signed in-process with Ed25519 in SSHSIG format
(byte-identical to ``ssh-keygen -Y sign``) and committed in one final records-only commit. Built once and
cached under ``$SIGNOFF_BENCH_CACHE``. Prints wall time and peak RSS of ``signoff audit`` (JSON output),
with and without ``--history``, and of plain ``git log --first-parent`` for scale. Goal: < 5 s.

    python3 bench/bench_audit.py [--commits N] [--records N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, git, timed
from signoff.records.codec import dumps
from signoff.records.model import NAMESPACE, Answer, Review, Reviewer, ReviewRecord, Signature, Subject
from signoff.records.store import record_name
from signoff.signing.sshsig import ed25519_public_key, sign_ed25519

REVIEWERS = 20
FILES = 200
AI_TRAILER = "\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"


def _history(repo: Path, commits: int) -> None:
    """``commits`` first-parent commits on main; every fifth merges a one-commit side branch."""
    out: list[bytes] = []
    mark = 0
    version = [0] * FILES
    prev = 0

    def blob_cmd(path: str, n: int) -> bytes:
        body = "".join(f"line {k} of {path} version {n}\n" for k in range(20)).encode()
        return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(body), body)

    def commit(ref: str, msg: str, parents: list[int], path: str, n: int, t: int) -> int:
        nonlocal mark
        mark += 1
        out.append(f"commit {ref}\nmark :{mark}\n".encode())
        out.append(b"author Dev <dev@example.com> %d +0000\n" % t)
        out.append(b"committer Dev <dev@example.com> %d +0000\n" % t)
        data = msg.encode()
        out.append(b"data %d\n%s\n" % (len(data), data))
        if parents:
            out.append(b"from :%d\n" % parents[0])
            for p in parents[1:]:
                out.append(b"merge :%d\n" % p)
        out.append(blob_cmd(path, n))
        return mark

    t0 = 1_700_000_000
    for i in range(commits):
        f = i % FILES
        version[f] += 1
        msg = f"change {i}" + (AI_TRAILER if i % 10 == 3 else "\n")
        if i % 5 == 4 and prev:
            side = commit("refs/heads/side", f"side work {i}\n", [prev], f"side/s{i % 50}.py", i, t0 + 60 * i)
            prev = commit(
                "refs/heads/main",
                f"Merge side {i}\n",
                [prev, side],
                f"src/f{f}.py",
                version[f],
                t0 + 60 * i + 1,
            )
        else:
            prev = commit(
                "refs/heads/main", msg, [prev] if prev else [], f"src/f{f}.py", version[f], t0 + 60 * i
            )
    git(repo, "fast-import", "--quiet", input=b"".join(out))


def _sign_range(args: tuple[int, list[tuple], list[bytes], list[str]]) -> list[tuple[str, str]]:
    """Sign records for a slice of the plan; returns (relative path, TOML)."""
    offset, plan, raw_keys, emails = args
    keys = [Ed25519PrivateKey.from_private_bytes(k) for k in raw_keys]
    fps = [ed25519_public_key(k).fingerprint for k in keys]
    out = []
    for n, (base, base_tree, head, head_tree, path, who, fail) in enumerate(plan, offset):
        minute, second = (n // 60) % 60, n % 60
        answers = [Answer("db.sql", "SQL parameterised?", "fail" if fail else "pass", "high")]
        answers.append(Answer("input.validate", "Input validated?", "pass", "medium"))
        rec = ReviewRecord(
            subject=Subject("range", base, base_tree, head, head_tree, f"{n:064x}", [path]),
            reviewer=Reviewer(f"Reviewer {who}", emails[who], fps[who]),
            review=Review(
                "approve",
                f"Reviewed change {n}.",
                "high",
                "high",
                f"2026-01-{1 + n // 3600 % 28:02d}T03:{minute:02d}:{second:02d}Z",
                f"2026-01-{1 + n // 3600 % 28:02d}T04:{minute:02d}:{second:02d}Z",
                "signoff bench",
                [path],
            ),
            answers=answers,
        )
        value = sign_ed25519(keys[who], rec.payload(), NAMESPACE)
        signed = ReviewRecord(
            rec.subject,
            rec.reviewer,
            rec.review,
            answers=rec.answers,
            signature=Signature("ssh", NAMESPACE, emails[who], value),
        )
        rel = str(record_name(signed))
        out.append((rel.replace(".toml", f"-{n}.toml"), dumps(signed)))
    return out


def build(commits: int, records: int) -> Path:
    repo = CACHE / f"audit-{commits}-{records}"
    if (repo / ".git" / "bench-ready").exists():
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Bench")
    git(repo, "config", "user.email", "bench@example.com")
    _history(repo, commits)
    git(repo, "reset", "-q", "--hard", "main")
    raw = git(repo, "log", "--first-parent", "--format=%H %T %P", "main").decode().splitlines()
    fp = [line.split() for line in reversed(raw)]
    trees = dict(
        line.split()[:2] for line in git(repo, "log", "--all", "--format=%H %T").decode().splitlines()
    )
    names = git(
        repo, "log", "--first-parent", "--format=%x01%H", "--name-only", "-m", "--first-parent", "main"
    )
    path_of: dict[str, str] = {}
    for chunk in names.decode().split("\x01")[1:]:
        lines = [x for x in chunk.splitlines() if x]
        path_of[lines[0]] = lines[1] if len(lines) > 1 else "README"
    # Plan: 2 reviews per commit (3 for some), commits i % 37 == 5 left unreviewed.
    plan: list[tuple] = []
    i = 0
    while len(plan) < records:
        k = i % len(fp)
        sha, tree, *parents = fp[k]
        i += 1
        if k % 37 == 5 or not parents:
            continue
        base = parents[0]
        head, head_tree = sha, tree
        if len(parents) > 1 and i % 2:  # review the side branch instead of the merge
            head, head_tree = parents[1], trees[parents[1]]
        plan.append(
            (
                base,
                trees[base],
                head,
                head_tree,
                path_of.get(sha, "README"),
                len(plan) % REVIEWERS,
                len(plan) % 97 == 0,
            )
        )
    raw_keys = [os.urandom(32) for _ in range(REVIEWERS)]
    emails = [f"reviewer{k}@example.com" for k in range(REVIEWERS)]
    keys = [Ed25519PrivateKey.from_private_bytes(k) for k in raw_keys]
    signers = "".join(
        f'{e} namespaces="signoff-review" {ed25519_public_key(k).openssh()}\n'
        for e, k in zip(emails, keys, strict=True)
    )
    workers = os.cpu_count() or 1
    step = -(-len(plan) // workers)
    chunks = [(lo, plan[lo : lo + step], raw_keys, emails) for lo in range(0, len(plan), step)]
    with ProcessPoolExecutor(workers) as pool:
        for part in pool.map(_sign_range, chunks):
            for rel, text in part:
                p = repo / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text, encoding="utf-8")
    # allowed_signers comes with the records: a trust change, so that commit is itself unreviewed.
    (repo / ".signoff" / "allowed_signers").write_text(signers)
    git(repo, "add", "-A")
    git(repo, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "records and allowed signers")
    (repo / ".git" / "bench-ready").write_text("ok")
    return repo


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commits", type=int, default=5000)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    t0 = time.perf_counter()
    repo = build(args.commits, args.records)
    print(f"setup: {time.perf_counter() - t0:.1f} s ({repo})")
    exe = [sys.executable, "-m", "signoff"]
    out = Path(repo / ".git" / "audit.json")

    # The audit exits 1 when it finds problems (it does: some commits are left unreviewed).
    def audit(extra: list[str]) -> tuple[float, int]:
        walls, rss = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            proc = subprocess.Popen([*exe, "audit", "--format", "json", "-o", str(out), *extra], cwd=repo)
            _, status, usage = os.wait4(proc.pid, 0)
            walls.append(time.perf_counter() - start)
            rss = max(rss, usage.ru_maxrss)
            if os.waitstatus_to_exitcode(status) not in (0, 1):
                raise SystemExit("signoff audit failed")
        return min(walls), rss

    wall, rss = audit([])
    doc = json.loads(out.read_text())
    s = doc["summary"]
    print(
        f"audit: {s['records']} records ({s['valid']} valid), {s['commits']} commits "
        f"({s['unreviewed']} unreviewed, {s['ai_unreviewed_lines']} AI lines unreviewed), "
        f"{s['failed_outstanding']} failed answers open"
    )
    print(f"signoff audit           : {wall:6.2f} s  peak RSS {rss / 1024:6.0f} MiB   (goal < 5 s)")
    wall_h, rss_h = audit(["--history"])
    print(f"signoff audit --history : {wall_h:6.2f} s  peak RSS {rss_h / 1024:6.0f} MiB")
    log = ["git", "log", "--first-parent", "--format=%H %T %P", "main"]
    wall_g = min(timed(log, repo)[0] for _ in range(3))
    print(f"plain git log --first-parent: {wall_g:6.3f} s")
    wall_gate, rss_gate = _gate(repo, exe, args.runs)
    raw = ["git", "log", "--raw", "--format=%H", "main", "--", ".signoff/reviews"]
    wall_raw = min(timed(raw, repo)[0] for _ in range(3))
    print(
        f"signoff gate (reads all {s['records']} records on main's history): {wall_gate:6.2f} s  "
        f"peak RSS {rss_gate / 1024:6.0f} MiB; plain git log --raw of the records: {wall_raw:6.3f} s"
    )
    return 0 if wall < 5 else 1


def _gate(repo: Path, exe: list[str], runs: int) -> tuple[float, int]:
    """Wall time and peak RSS of ``signoff gate --target main`` on a one-commit change off main."""
    env = {**os.environ, "GIT_INDEX_FILE": str(repo / ".git" / "bench-gate-index")}
    subprocess.run(["git", "read-tree", "main"], cwd=repo, env=env, check=True)
    blob = git(repo, "hash-object", "-w", "--stdin", input=b"def bench():\n    return 1\n").decode().strip()
    subprocess.run(
        ["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},bench_gate.py"],
        cwd=repo,
        env=env,
        check=True,
    )
    tree = subprocess.run(["git", "write-tree"], cwd=repo, env=env, capture_output=True, check=True).stdout
    head = (
        git(repo, "commit-tree", tree.decode().strip(), "-p", "main", "-m", "bench change").decode().strip()
    )
    walls, rss = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*exe, "gate", "--target", "main", f"main...{head}", "--format", "json"],
            cwd=repo,
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        rss = max(rss, usage.ru_maxrss)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit("signoff gate failed")
    return min(walls), rss


if __name__ == "__main__":
    raise SystemExit(main())
