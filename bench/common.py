"""Shared helpers for the benchmark scripts: cached big repositories and timing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

CACHE = Path(os.environ.get("SIGNOFF_BENCH_CACHE", Path(tempfile.gettempdir()) / "signoff-bench"))


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, input=input, capture_output=True, check=True).stdout


#: Lines of ordinary code (a mix of languages) for the "realistic" variant of the big diff.
REALISTIC_LINES = [
    "    result = self.client.get(url, params=params, timeout=30)",
    "    if not items:",
    "        return []",
    "for (let i = 0; i < rows.length; i++) {",
    "  const total = rows.reduce((acc, r) => acc + r.amount, 0);",
    "func (s *Server) handle(w http.ResponseWriter, r *http.Request) {",
    "\tif err != nil {",
    '\t\treturn nil, fmt.Errorf("load config: %w", err)',
    "public List<Order> findOrders(long customerId) {",
    '    logger.info("processed {} records", count);',
    "  def to_s",
    '    "#{name} <#{email}>"',
    "$items = array_map(fn($x) => $x * 2, $values);",
    "SELECT id, name FROM customers WHERE region = :region;",
    'echo "building $TARGET"',
    '    return {"id": self.id, "name": self.name}',
    "# compute the running average over the window",
    "        total += value * weight",
    "import { useState } from 'react';",
    "    assert response.status_code == 200",
]


def big_diff_repo(
    files: int = 2000, lines_per_file: int = 300, changed_per_file: int = 125, *, realistic: bool = False
) -> Path:
    """A repository with commits ``base`` and ``head``; head rewrites ``changed_per_file`` lines per file.

    With the defaults the diff has 2,000 files and 500,000 changed lines (250,000 added + 250,000 removed).
    Built once with ``git fast-import`` and cached under ``$SIGNOFF_BENCH_CACHE``.
    """
    repo = CACHE / f"diff-{files}-{lines_per_file}-{changed_per_file}{'-real' if realistic else ''}"
    if (repo / ".git" / "refs" / "tags" / "head").exists():
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    exts = [".py", ".js", ".go", ".java", ".rb", ".ts", ".sql", ".sh"]
    stream: list[bytes] = []

    def commit(ref: str, mark: int, msg: str, variant: int, parent: int | None) -> None:
        stream.append(f"commit refs/tags/{ref}\nmark :{mark}\n".encode())
        stream.append(b"committer Bench <bench@example.com> 1700000000 +0000\n")
        data = msg.encode()
        stream.append(b"data %d\n%s\n" % (len(data), data))
        if parent:
            stream.append(b"from :%d\n" % parent)
        for i in range(files):
            path = f"src/pkg{i % 40}/mod_{i}{exts[i % len(exts)]}"
            out = []
            for n in range(lines_per_file):
                if realistic:
                    k = (i * 7 + n * 3 + (variant if n % 2 == 0 and n // 2 < changed_per_file else 0)) % len(
                        REALISTIC_LINES
                    )
                    out.append(f"{REALISTIC_LINES[k]}  # {n}\n")
                elif variant and n % 2 == 0 and n // 2 < changed_per_file:
                    out.append(f"value_{i}_{n} = compute(query, 'changed {n}')  # new\n")
                else:
                    out.append(f"value_{i}_{n} = compute(query, {n})  # original line\n")
            blob = "".join(out).encode()
            stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(blob), blob))

    commit("base", 1, "base", 0, None)
    commit("head", 2, "head", 1, 1)
    git(repo, "fast-import", "--quiet", input=b"".join(stream))
    git(repo, "reset", "-q", "--hard", "head")
    return repo


def installed_env() -> dict[str, str]:
    """The environment for timing ``python -m signoff`` as an installed package runs: byte-compiled
    modules are cached (under the bench cache, not the source tree) instead of recompiled on every run,
    which ``PYTHONDONTWRITEBYTECODE`` would force (about 0.2 s per run on this machine)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    return env


def timed(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time (s) and peak RSS (KiB) of one run of ``cmd``, output discarded."""
    wall, _, rss = timed_cpu(cmd, cwd, env)
    return wall, rss


def timed_cpu(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall time (s), CPU time (user + system, s, with the children it waited for) and peak RSS (KiB)
    of one run of ``cmd``, output discarded."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            tail = err.read()[-600:].decode(errors="replace").strip()
            raise SystemExit(f"{' '.join(cmd)} failed: {tail}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def best_of(n: int, cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    runs = [timed(cmd, cwd, env) for _ in range(n)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


@dataclass
class Paired:
    """``cmd`` against ``reference`` in runs made back to back."""

    #: Wall-time ratios cmd / reference, one per pair.
    ratios: list[float] = field(default_factory=list)
    #: CPU-time ratios (user + system): steadier than wall time when other jobs share the cores.
    cpu_ratios: list[float] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)
    rss: int = 0


def paired(
    n: int, reference: Sequence[str], cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> Paired:
    """``n`` runs of ``reference`` then ``cmd``, back to back (on a shared machine the load drifts:
    a ratio of two runs made together is steadier than a ratio of two minimums made apart)."""
    out = Paired()
    for _ in range(n):
        ref_wall, ref_cpu, _ = timed_cpu(reference, cwd)
        wall, cpu, peak = timed_cpu(cmd, cwd, env)
        out.ratios.append(wall / ref_wall)
        out.cpu_ratios.append(cpu / max(ref_cpu, 1e-3))
        out.walls.append(wall)
        out.rss = max(out.rss, peak)
    return out


def spread(values: Sequence[float], unit: str = "") -> str:
    """``median (min–max)`` of ``values``."""
    ordered = sorted(values)
    mid = ordered[len(ordered) // 2]
    return f"{mid:.2f}{unit} ({ordered[0]:.2f}–{ordered[-1]:.2f})"
