"""Benchmark ``signoff verify``: 10,000 signed records, in-process vs one ``ssh-keygen`` per record.

Records are signed in-process with Ed25519 (byte-identical to ``ssh-keygen -Y sign``; a sample is checked
with ``ssh-keygen -Y verify`` first). Prints the in-process time for all records (parallel, as
``signoff verify`` runs it, and single-process), ``ssh-keygen -Y verify`` per record on a sample scaled to
all records, and the ratio. Goals: 10,000 records < 2 s; >= 20x faster than ssh-keygen per record.

    python3 bench/bench_verify.py [--records N] [--sample N]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signoff.records.codec import dumps, load
from signoff.records.model import (
    NAMESPACE,
    AiCommit,
    AiSummary,
    Answer,
    ChecklistRef,
    Evidence,
    Review,
    Reviewer,
    ReviewRecord,
    Signature,
    Subject,
)
from signoff.records.store import list_records, record_name, write_record
from signoff.signing.allowed_signers import AllowedSigners
from signoff.signing.sshsig import ed25519_public_key, sign_ed25519
from signoff.signing.verify import Verifier

REVIEWERS = 20


def _record(i: int, key: Ed25519PrivateKey, email: str) -> ReviewRecord:
    h = f"{i:08x}" * 5
    answers = [
        Answer(
            f"check.q{j}",
            f"Question {j}: is the input validated before it reaches the database?",
            ["pass", "na", "fail", "skipped"][(i + j) % 4],
            "high" if j % 3 == 0 else "medium",
            f"note {j} for record {i}" if j % 2 else "",
            [Evidence(f"src/module_{j}.py", f"{j + 1}-{j + 9}", h)] if j % 2 else [],
        )
        for j in range(8)
    ]
    minute = i % 60
    rec = ReviewRecord(
        subject=Subject(
            "range", "a" * 40, "b" * 40, h, h[::-1], f"{i:064x}", [f"src/module_{j}.py" for j in range(6)]
        ),
        reviewer=Reviewer(f"Reviewer {email.split('@')[0]}", email, ed25519_public_key(key).fingerprint),
        review=Review(
            "approve",
            f"Reviewed change {i}: looks fine.",
            "high",
            "medium",
            f"2026-01-02T03:{minute:02d}:00Z",
            f"2026-01-02T04:{minute:02d}:{i % 60:02d}Z",
            "signoff bench",
            [f"src/module_{j}.py" for j in range(6)],
        ),
        checklists=[ChecklistRef("web", "3", "f" * 64), ChecklistRef("secrets", "1", "e" * 64)],
        answers=answers,
        ai=AiSummary([AiCommit(h, "trailer")], 40, 35),
    )
    value = sign_ed25519(key, rec.payload(), NAMESPACE)
    return replace(rec, signature=Signature("ssh", NAMESPACE, email, value))


def _write_range(args: tuple[Path, int, int, list[bytes], list[str]]) -> None:
    root, lo, hi, raw_keys, emails = args
    keys = [Ed25519PrivateKey.from_private_bytes(k) for k in raw_keys]
    for i in range(lo, hi):
        rec = _record(i, keys[i % REVIEWERS], emails[i % REVIEWERS])
        if i < 20:
            write_record(root, rec)  # the real path (atomic, fsync) for a few
        else:
            path = root / record_name(rec)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dumps(rec), encoding="utf-8")


def build(root: Path, n: int) -> tuple[list[Path], Path]:
    """Sign and write ``n`` records (tomlkit is slow to write: spread over the CPUs)."""
    raw_keys = [os.urandom(32) for _ in range(REVIEWERS)]
    keys = [Ed25519PrivateKey.from_private_bytes(k) for k in raw_keys]
    emails = [f"reviewer{k}@example.com" for k in range(REVIEWERS)]
    allowed = root / ".signoff" / "allowed_signers"
    allowed.parent.mkdir(parents=True)
    lines = [f"{e} {ed25519_public_key(k).openssh()}\n" for e, k in zip(emails, keys, strict=True)]
    allowed.write_text("".join(lines))
    workers = os.cpu_count() or 1
    step = -(-n // workers)
    chunks = [(root, lo, min(n, lo + step), raw_keys, emails) for lo in range(0, n, step)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_write_range, chunks))
    return list_records(root), allowed


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--sample", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="signoff-bench-verify-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        paths, allowed = build(root, args.records)
        print(f"setup: {len(paths)} records signed and written in {time.perf_counter() - t0:.1f} s")

        # Interop: the in-process SSHSIG is the one ssh-keygen writes and checks.
        sample = paths[:: max(1, len(paths) // args.sample)][: args.sample]
        sigdir = root / "sigs"
        sigdir.mkdir()
        jobs = []
        for k, p in enumerate(sample):
            rec = load(p)
            assert rec.signature is not None
            sig = sigdir / f"{k}.sig"
            sig.write_text(rec.signature.value)
            jobs.append((rec.payload(), rec.reviewer.email, sig))
        t0, c0 = time.perf_counter(), _children_cpu()
        for payload, email, sig in jobs:
            args = ["ssh-keygen", "-Y", "verify", "-f", str(allowed), "-I", email, "-n", NAMESPACE]
            proc = subprocess.run([*args, "-s", str(sig)], input=payload, capture_output=True, check=False)
            if proc.returncode != 0:
                print(f"ssh-keygen rejected a record: {proc.stderr.decode()}", file=sys.stderr)
                return 1
        per_keygen = (time.perf_counter() - t0) / len(jobs)
        cpu_keygen = (_children_cpu() - c0) / len(jobs)
        print(
            f"ssh-keygen -Y verify: {len(jobs)} sampled records all good, {per_keygen * 1000:.2f} ms each "
            f"(CPU {cpu_keygen * 1000:.2f} ms)"
        )

        verifier = Verifier(AllowedSigners.load(allowed), allowed_path=allowed)
        n = len(paths)
        t0, c0 = time.perf_counter(), time.process_time()
        results = verifier.verify_paths(paths, jobs=1, keep_records=False)
        single, cpu_single = time.perf_counter() - t0, time.process_time() - c0
        assert all(r.ok for r in results), [r.reason for r in results if not r.ok][:3]
        t0, c0 = time.perf_counter(), _children_cpu()
        results = verifier.verify_paths(paths, keep_records=False)
        parallel, cpu_children = time.perf_counter() - t0, _children_cpu() - c0
        assert all(r.ok for r in results)
        cores = os.cpu_count() or 1
        print(f"load average (other work on the machine): {os.getloadavg()[0]:.2f} on {cores} CPUs")
        print(
            f"in-process, 1 process: {n} records in {single:.2f} s wall, {cpu_single:.2f} s CPU "
            f"({cpu_single / n * 1e6:.0f} us CPU/record)"
        )
        print(
            f"in-process, as signoff verify runs it ({min(cores, 8)} processes): {parallel:.2f} s wall, "
            f"{cpu_children:.2f} s CPU in the workers"
        )
        idle = cpu_single / min(cores, 8)
        print(f"  -> on {min(cores, 8)} idle CPUs: ~{idle:.2f} s (CPU time / processes)")
        scaled = per_keygen * n
        best = min(single, parallel)
        verdict = "met" if best < 2 else "NOT met"
        print(f"ssh-keygen once per record, scaled to {n}: {scaled:.1f} s wall, {cpu_keygen * n:.1f} s CPU")
        print(f"ratio (wall): {scaled / best:.0f}x (goal >= 20x); < 2 s goal: {verdict} ({best:.2f} s)")
        print(f"ratio (CPU):  {cpu_keygen / (cpu_single / n):.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
