"""Helpers for the trust-model attack tests: real histories, real keys, driven through the CLI.

Every attack test builds a git history in a temp dir, signs records with real keys (ssh-keygen keys
signed in process, or ``ssh-keygen -Y sign`` / ``gpg`` where the key type needs it) and runs
``signoff`` through :func:`signoff.cli.main`, so the tests do not depend on module layout.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

from signoff.cli import main
from signoff.git.runner import EMPTY_TREE
from signoff.records.model import Answer, ReviewRecord, Subject
from signoff.records.store import write_record
from tests.helpers import commit_files, git
from tests.sigkeys import NAMESPACE, SshKey, make_record, sign_in_process

NS = 'namespaces="signoff-review"'
FINISHED = "2026-02-01T00:00:00Z"


def cli(repo: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``signoff -C repo ARGV`` in process; ``(exit code, stdout, stderr)``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["-C", str(repo), *argv])
    return code, out.getvalue(), err.getvalue()


def gate(repo: Path, *argv: str) -> tuple[int, dict[str, Any] | None, str]:
    """``signoff gate ARGV --format json``: ``(exit code, JSON document or None, stdout+stderr)``."""
    code, out, err = cli(repo, "gate", *argv, "--format", "json")
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    return code, doc, out + err


def audit(repo: Path, *argv: str) -> tuple[int, dict[str, Any]]:
    code, out, err = cli(repo, "audit", "--no-ai", *argv, "--format", "json")
    assert out.strip(), err
    return code, json.loads(out)


def rev(repo: Path, r: str) -> str:
    return git(repo, "rev-parse", r).strip()


def tree(repo: Path, r: str) -> str:
    return git(repo, "rev-parse", f"{r}^{{tree}}").strip()


def trust(*entries: tuple[str, SshKey] | tuple[str, SshKey, str]) -> str:
    """``allowed_signers`` text for ``(principal, key[, extra options])`` entries."""
    lines = []
    for principal, key, *extra in entries:
        opts = f"{NS},{extra[0]}" if extra and extra[0] else NS
        lines.append(f"{principal} {opts} {key.pub}\n")
    return "".join(lines)


def unsigned(
    repo: Path,
    *,
    base: str,
    head: str,
    email: str = "alice@example.com",
    verdict: str = "approve",
    finished: str = FINISHED,
    answers: list[Answer] | None = None,
    files_reviewed: list[str] | None = None,
    thoroughness: str = "high",
    understanding: str = "high",
) -> ReviewRecord:
    """A complete record for ``base..head`` (every changed file viewed unless ``files_reviewed``).

    ``base`` may be ``A...B``: the merge-base of A and B.
    """
    if "..." in base:
        base = git(repo, "merge-base", *base.split("...")).strip()
    base_sha = base if base == EMPTY_TREE else rev(repo, base)
    head_sha = rev(repo, head)
    names = git(repo, "diff", "--name-only", "--no-renames", base_sha, head_sha)
    paths = sorted(p for p in names.splitlines() if p)
    rec = make_record(email=email, finished=finished)
    return replace(
        rec,
        subject=Subject(
            "range",
            base_sha,
            EMPTY_TREE if base == EMPTY_TREE else tree(repo, base_sha),
            head_sha,
            tree(repo, head_sha),
            "e" * 64,
            paths,
        ),
        review=replace(
            rec.review,
            verdict=verdict,
            started="2026-01-31T00:00:00Z" if finished > "2026-01-31" else finished,
            finished=finished,
            thoroughness=thoroughness,
            understanding=understanding,
            files_reviewed=paths if files_reviewed is None else files_reviewed,
        ),
        answers=answers if answers is not None else [],
        checklists=[],
        ai=replace(rec.ai, commits=[], lines=0, lines_reviewed=0),
    )


def signed(keys, who: str, repo: Path, **kw: Any) -> ReviewRecord:
    """:func:`unsigned`, signed in process with the Ed25519 key ``keys[who]``."""
    return sign_in_process(unsigned(repo, **kw), keys.private_ed25519(who))


def store(repo: Path, record: ReviewRecord) -> Path:
    return write_record(repo, record)


def commit_record(repo: Path, record: ReviewRecord, message: str = "review record", **kw: Any) -> Path:
    """Store the record in the work tree and commit it; the record's path."""
    path = store(repo, record)
    commit_files(repo, {}, message, **kw)
    return path


def ssh_sign(record: ReviewRecord, key_path: Path, pub: str) -> ReviewRecord:
    """Sign with ``ssh-keygen -Y sign`` (any key type OpenSSH signs with)."""
    from signoff.records.model import Signature
    from signoff.signing.sshsig import parse_public_key

    fp = parse_public_key(pub).fingerprint
    rec = replace(record, reviewer=replace(record.reviewer, key=fp), signature=None)
    proc = subprocess.run(
        ["ssh-keygen", "-q", "-Y", "sign", "-n", NAMESPACE, "-f", str(key_path)],
        input=rec.payload(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    value = proc.stdout.decode("ascii")
    return replace(rec, signature=Signature("ssh", NAMESPACE, rec.reviewer.email, value))


def protect(repo: Path, branch: str = "main") -> None:
    """Make ``origin/<branch>`` (and ``origin/HEAD``) point at ``branch``, as in a CI clone."""
    git(repo, "update-ref", f"refs/remotes/origin/{branch}", rev(repo, branch))
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", f"refs/remotes/origin/{branch}")


# -- keys OpenSSH no longer accepts by default (DSA, RSA < 2048), signed in process -----------------------


def _ssh_string(b: bytes) -> bytes:
    import struct

    return struct.pack(">I", len(b)) + b


def _mpint(n: int) -> bytes:
    raw = n.to_bytes((n.bit_length() + 8) // 8, "big") if n else b""
    return _ssh_string(raw)


def weak_key(kind: str):
    """A fresh ``"dsa"`` (1024-bit) or ``"rsa1024"`` private key (``cryptography``: no OpenSSH needed)."""
    from cryptography.hazmat.primitives.asymmetric import dsa, rsa

    if kind == "dsa":
        return dsa.generate_private_key(key_size=1024)
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def weak_public(private) -> str:
    """The ``keytype base64`` public key line of a :func:`weak_key`."""
    import base64

    from cryptography.hazmat.primitives.asymmetric import dsa

    if isinstance(private, dsa.DSAPrivateKey):
        n = private.public_key().public_numbers()
        p = n.parameter_numbers
        blob = _ssh_string(b"ssh-dss") + _mpint(p.p) + _mpint(p.q) + _mpint(p.g) + _mpint(n.y)
        return "ssh-dss " + base64.b64encode(blob).decode()
    rn = private.public_key().public_numbers()
    blob = _ssh_string(b"ssh-rsa") + _mpint(rn.e) + _mpint(rn.n)
    return "ssh-rsa " + base64.b64encode(blob).decode()


def weak_sign(record: ReviewRecord, private) -> ReviewRecord:
    """Sign an SSHSIG over the record's payload with a DSA (``ssh-dss``) or RSA (``rsa-sha2-512``) key."""
    import hashlib
    import struct

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    from signoff.records.model import Signature
    from signoff.signing.sshsig import MAGIC, armor, parse_public_key

    pub = parse_public_key(weak_public(private))
    rec = replace(record, reviewer=replace(record.reviewer, key=pub.fingerprint), signature=None)
    payload = rec.payload()
    signed_data = (
        MAGIC
        + _ssh_string(NAMESPACE.encode())
        + _ssh_string(b"")
        + _ssh_string(b"sha512")
        + _ssh_string(hashlib.sha512(payload).digest())
    )
    if isinstance(private, dsa.DSAPrivateKey):
        r_, s_ = decode_dss_signature(private.sign(signed_data, hashes.SHA1()))
        sig = _ssh_string(b"ssh-dss") + _ssh_string(r_.to_bytes(20, "big") + s_.to_bytes(20, "big"))
    else:
        raw = private.sign(signed_data, padding.PKCS1v15(), hashes.SHA512())
        sig = _ssh_string(b"rsa-sha2-512") + _ssh_string(raw)
    blob = (
        MAGIC
        + struct.pack(">I", 1)
        + _ssh_string(pub.blob)
        + _ssh_string(NAMESPACE.encode())
        + _ssh_string(b"")
        + _ssh_string(b"sha512")
        + _ssh_string(sig)
    )
    return replace(rec, signature=Signature("ssh", NAMESPACE, rec.reviewer.email, armor(blob)))
