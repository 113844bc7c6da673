"""Verify review records: signature, signer trust, and which head a record covers.

Each record ends up ``valid``, ``bad-signature``, ``unknown-signer``, ``expired`` or ``malformed`` with a
reason. SSH signatures are verified in-process (:mod:`signoff.signing.sshsig`) against an allowed-signers
file:
the repository's ``.signoff/allowed_signers``, else git's ``gpg.ssh.allowedSignersFile`` (global/system
config only). The key must be trusted for the principal the record names (``reviewer.email``), in the
``signoff-review`` namespace, at the signing time the record states (``review.finished``).
Security-key and certificate signatures are checked with ``ssh-keygen -Y verify`` instead.
OpenPGP signatures are checked with ``gpgv`` against a keyring built only from the keys pinned in the
repository (:mod:`signoff.signing.pins`); the key must be pinned for ``reviewer.email``.

Refused whatever the trust file says: DSA keys and RSA keys under 2048 bits (OpenSSH's own defaults), and
principals with non-ASCII or invisible characters (unless ``allow_non_ascii``; invisible ones never).
Key validity is judged at ``at`` when given (the gate's clock, the audit's landing time), else at the
time the record states.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signoff.records.codec import loads_with_payload, read_text
from signoff.records.model import NAMESPACE, RecordError, ReviewRecord, Subject
from signoff.signing.allowed_signers import AllowedSigners, load_many
from signoff.signing.pins import OpenPgpPins
from signoff.signing.sign import trusted_config
from signoff.signing.sshsig import BadSignature, PublicKey, SshSigError, UnsupportedKey, parse_signature
from signoff.util.sanitize import ascii_visible, visible

if TYPE_CHECKING:
    from signoff.git.runner import Git

ALLOWED_SIGNERS = Path(".signoff") / "allowed_signers"
OPENPGP_SIGNERS = Path(".signoff") / "openpgp_signers"
KEYS_DIR = Path(".signoff") / "keys"
MIN_RSA_BITS = 2048
#: OpenPGP public-key algorithms refused (RFC 4880 ids): DSA, Elgamal.
_WEAK_PGP_ALGOS = {"16": "Elgamal", "17": "DSA", "20": "Elgamal"}


def weak_key_problem(key: PublicKey) -> str | None:
    """Why an SSH key is refused whatever the trust file says (DSA, RSA < 2048 bits), or ``None``."""
    if key.keytype.startswith("ssh-dss"):
        return "DSA (ssh-dss) keys are refused: OpenSSH no longer accepts them"
    bits = key.rsa_bits
    if bits is not None and bits < MIN_RSA_BITS:
        return f"{bits}-bit RSA keys are refused: {MIN_RSA_BITS} bits or more"
    return None


def principal_problem(principal: str, allow_non_ascii: bool = False) -> str | None:
    """Why a principal is refused (invisible or control characters; non-ASCII unless allowed), or ``None``."""
    if visible(principal) != principal:
        return f"principal {ascii_visible(principal)} has invisible or control characters: refused"
    if not allow_non_ascii and not principal.isascii():
        return (
            f"principal {ascii_visible(principal)} has non-ASCII characters: refused "
            "(set [gate] allow_non_ascii_principals = true on the target to allow them)"
        )
    return None


class Status(StrEnum):
    VALID = "valid"
    BAD_SIGNATURE = "bad-signature"
    UNKNOWN_SIGNER = "unknown-signer"
    EXPIRED = "expired"
    MALFORMED = "malformed"


@dataclass
class Verification:
    """The outcome for one record. ``record`` is None when it could not be loaded."""

    source: str
    status: Status
    reason: str = ""
    record: ReviewRecord | None = None
    #: The trusted principal (SSH) or the signer's user id (OpenPGP), when known.
    signer: str = ""
    #: Fingerprint of the key that made the signature, when known.
    key: str = ""

    @property
    def ok(self) -> bool:
        return self.status is Status.VALID

    #: A summary of the record (kept when ``record`` is dropped to save memory / transfer).
    info: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.info is None and self.record is not None:
            self.info = record_info(self.record)

    def to_dict(self) -> dict[str, Any]:
        info = self.info or {}
        return {
            "path": self.source,
            "status": self.status.value,
            "reason": self.reason,
            "signer": self.signer,
            "key": self.key,
            "format": info.get("format"),
            "reviewer": info.get("reviewer"),
            "verdict": info.get("verdict"),
            "finished": info.get("finished"),
            "subject": info.get("subject"),
        }


def record_info(r: ReviewRecord) -> dict[str, Any]:
    """The fields of a record that verify reports."""
    return {
        "format": r.signature.format if r.signature else None,
        "reviewer": {"name": r.reviewer.name, "email": r.reviewer.email},
        "verdict": r.review.verdict,
        "finished": r.review.finished,
        "subject": {
            "kind": r.subject.kind,
            "base": r.subject.base,
            "head": r.subject.head,
            "head_tree": r.subject.head_tree,
            "diff_sha256": r.subject.diff_sha256,
        },
    }


def covers(
    record: ReviewRecord | Subject,
    head: str,
    head_tree: str | None = None,
    *,
    base: str | None = None,
    base_tree: str | None = None,
) -> bool:
    """Whether a record's subject covers the commit ``head`` (with tree ``head_tree``).

    A range review covers its own head commit, or any commit with the same tree (squash, rebase). A
    staged / work-tree review covers a commit whose tree is the reviewed index / work-tree tree. When
    ``base`` or ``base_tree`` is given, the reviewed base must match it too (by commit or by tree), so a
    review of ``X..A`` never counts for the same tree reached from another base. A record for head A
    never counts for head B with a different tree.
    """
    subject = record.subject if isinstance(record, ReviewRecord) else record
    if subject.kind == "range":
        hit = (bool(subject.head) and subject.head == head) or (
            bool(head_tree) and subject.head_tree == head_tree
        )
    else:
        tree = subject.index_tree if subject.kind == "staged" else subject.worktree_tree
        hit = bool(head_tree) and bool(tree) and tree == head_tree
    if not hit:
        return False
    if base is None and base_tree is None:
        return True
    return (base is not None and subject.base == base) or (
        base_tree is not None and subject.base_tree == base_tree
    )


def allowed_signers_paths(root: Path | None, git: Git | None = None) -> list[Path]:
    """Where trust comes from: the repo's ``.signoff/allowed_signers``, else git's allowedSignersFile."""
    if root is not None and (Path(root) / ALLOWED_SIGNERS).is_file():
        return [Path(root) / ALLOWED_SIGNERS]

    configured = trusted_config(git, "gpg.ssh.allowedSignersFile")
    if configured:
        p = Path(configured).expanduser()
        if not p.is_absolute() and root is not None:
            p = Path(root) / p
        return [p]
    return []


def _worktree_pins(root: Path) -> OpenPgpPins:
    """Pinned OpenPGP keys of a work tree (``.signoff/openpgp_signers``, ``.signoff/keys/*.asc``)."""
    signers = root / OPENPGP_SIGNERS
    keys_dir = root / KEYS_DIR
    data = signers.read_bytes() if signers.is_file() and not signers.is_symlink() else None
    keys = []
    if keys_dir.is_dir() and not keys_dir.is_symlink():
        for p in sorted(keys_dir.glob("*.asc"))[:256]:
            if p.is_file() and not p.is_symlink() and p.stat().st_size <= 1 << 20:
                keys.append((str(p.relative_to(root)), p.read_bytes()))
    return OpenPgpPins.parse(data, keys, f"{OPENPGP_SIGNERS} in the work tree")


class Verifier:
    """Verifies records against one trust configuration (reused for many records)."""

    def __init__(
        self,
        allowed: AllowedSigners | None = None,
        *,
        allowed_path: Path | None = None,
        gpg_program: str = "gpg",
        gpg_keyring: Path | None = None,
        ssh_program: str = "ssh-keygen",
        openpgp: OpenPgpPins | None = None,
        at: datetime | None = None,
        allow_non_ascii: bool = False,
        trust_source: str = "",
    ) -> None:
        if allowed is None:
            allowed = load_many([allowed_path]) if allowed_path else AllowedSigners()
        self.allowed = allowed
        self.allowed_path = allowed_path or allowed.path
        self.gpg_program = gpg_program
        #: An explicit keyring for ``gpgv`` (trusted as given); else only :attr:`openpgp` pins count.
        self.gpg_keyring = gpg_keyring
        self.ssh_program = ssh_program
        self.openpgp = openpgp if openpgp is not None else OpenPgpPins(source="no pinned OpenPGP keys")
        #: Judge key validity at this time instead of the time a record states.
        self.at = at
        self.allow_non_ascii = allow_non_ascii
        #: Where trust came from, as commands print it.
        self.trust_source = trust_source or (str(self.allowed_path) if self.allowed_path else "none")

    @classmethod
    def for_repo(cls, git: Git, *, allowed_signers: Path | None = None) -> Verifier:
        """Trust from ``allowed_signers`` if given, else the repo's file, else git's config."""

        paths = [Path(allowed_signers)] if allowed_signers else allowed_signers_paths(git.root, git)
        allowed = load_many(paths)
        gpg = trusted_config(git, "gpg.openpgp.program") or trusted_config(git, "gpg.program") or "gpg"
        ssh = trusted_config(git, "gpg.ssh.program") or "ssh-keygen"
        pins = _worktree_pins(git.root)
        source = str(allowed.path) if allowed.path else "none"
        if allowed.path is not None and str(allowed.path).startswith(str(git.root).rstrip("/") + "/"):
            source = f"{str(allowed.path)[len(str(git.root).rstrip('/')) + 1 :]} in the work tree"
        return cls(
            allowed,
            allowed_path=allowed.path,
            gpg_program=gpg,
            ssh_program=ssh,
            openpgp=pins,
            trust_source=source,
        )

    # -- one record ------------------------------------------------------------------------------------

    def verify_path(self, path: str | Path) -> Verification:
        try:
            record, payload = loads_with_payload(read_text(path), str(path))
        except RecordError as exc:
            reason = f"{exc.field}: {exc.reason}" if exc.field else exc.reason
            return Verification(str(path), Status.MALFORMED, reason)
        return self.verify(record, str(path), payload=payload)

    def verify(
        self,
        record: ReviewRecord,
        source: str = "",
        *,
        payload: bytes | None = None,
        at: datetime | None = None,
    ) -> Verification:
        """Verify one record (``payload``: its signed bytes if already computed; ``at``: judge the key's
        validity at this time, overriding the verifier's)."""
        sig = record.signature
        if sig is None:
            return Verification(source, Status.MALFORMED, "the record is not signed", record)
        if sig.namespace != NAMESPACE:
            return Verification(source, Status.MALFORMED, f"signature.namespace must be {NAMESPACE}", record)
        if payload is None:
            payload = record.payload()
        when = at or self.at
        if when is None:
            try:
                when = datetime.fromisoformat(record.review.finished)
            except ValueError:
                return Verification(source, Status.MALFORMED, "review.finished is not a valid time", record)
        problem = principal_problem(record.reviewer.email, self.allow_non_ascii)
        if problem is not None:
            return Verification(source, Status.UNKNOWN_SIGNER, problem, record, "", record.reviewer.key)
        if sig.format == "ssh":
            return self._verify_ssh(record, source, payload, when)
        return self._verify_openpgp(record, source, payload)

    def _verify_ssh(self, record: ReviewRecord, source: str, payload: bytes, when: datetime) -> Verification:
        assert record.signature is not None
        try:
            sig = parse_signature(record.signature.value)
        except SshSigError as exc:
            return Verification(source, Status.MALFORMED, f"signature.value: {exc}", record)
        fp = sig.public_key.fingerprint
        principal = record.reviewer.email

        def result(status: Status, reason: str = "", signer: str = "") -> Verification:
            return Verification(source, status, reason, record, signer, fp)

        if fp != record.reviewer.key:
            return result(
                Status.BAD_SIGNATURE, f"signed with key {fp}, but the record names {record.reviewer.key}"
            )
        weak = weak_key_problem(sig.public_key)
        if weak is not None:
            return result(Status.UNKNOWN_SIGNER, weak)
        try:
            sig.verify(payload, NAMESPACE)
        except BadSignature as exc:
            return result(Status.BAD_SIGNATURE, str(exc))
        except UnsupportedKey as exc:
            return self._verify_ssh_external(record, source, payload, fp, str(exc), when)
        match = self.allowed.find(sig.public_key, principal, NAMESPACE, when)
        if match.signer is None:
            if not self.allowed.entries and self.allowed_path is None:
                return result(
                    Status.UNKNOWN_SIGNER,
                    "no allowed signers: add .signoff/allowed_signers or set gpg.ssh.allowedSignersFile",
                )
            return result(Status.EXPIRED if match.expired else Status.UNKNOWN_SIGNER, match.problem)
        return result(Status.VALID, "", principal)

    def _verify_ssh_external(
        self, record: ReviewRecord, source: str, payload: bytes, fp: str, why: str, at: datetime
    ) -> Verification:
        """Security keys and certificates: ask ``ssh-keygen -Y verify``."""
        assert record.signature is not None
        if self.allowed_path is None:
            return Verification(
                source, Status.UNKNOWN_SIGNER, f"{why}; no allowed signers file", record, "", fp
            )
        with tempfile.TemporaryDirectory(prefix="signoff-verify-") as tmp:
            sigfile = Path(tmp) / "sig"
            sigfile.write_text(record.signature.value, encoding="ascii", errors="replace")
            when = at.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")
            args = [
                self.ssh_program,
                "-Y",
                "verify",
                "-f",
                str(self.allowed_path),
                "-I",
                record.reviewer.email,
                "-n",
                NAMESPACE,
                "-s",
                str(sigfile),
                f"-Overify-time={when}",
            ]
            try:
                proc = subprocess.run(
                    args, input=payload, capture_output=True, check=False, timeout=VERIFY_TIMEOUT
                )
            except subprocess.TimeoutExpired:
                reason = f"ssh-keygen did not answer within {VERIFY_TIMEOUT} s"
                return Verification(source, Status.MALFORMED, reason, record)
            except OSError as exc:
                return Verification(source, Status.MALFORMED, f"{why}; cannot run ssh-keygen: {exc}", record)
        if proc.returncode == 0:
            return Verification(source, Status.VALID, "", record, record.reviewer.email, fp)
        err = proc.stderr.decode("utf-8", "replace")
        status = Status.EXPIRED if "expired" in err or "not yet valid" in err else Status.BAD_SIGNATURE
        if "No principal matched" in err or "not found" in err.lower():
            status = Status.UNKNOWN_SIGNER
        last = [ln for ln in err.splitlines() if ln.strip()]
        return Verification(source, status, last[-1] if last else "ssh-keygen rejected it", record, "", fp)

    def _verify_openpgp(self, record: ReviewRecord, source: str, payload: bytes) -> Verification:
        assert record.signature is not None
        if "-----BEGIN PGP SIGNATURE-----" not in record.signature.value:
            return Verification(
                source, Status.MALFORMED, "signature.value is not an armored PGP signature", record
            )
        with tempfile.TemporaryDirectory(prefix="signoff-verify-") as tmp:
            sigfile = Path(tmp) / "sig.asc"
            sigfile.write_text(record.signature.value, encoding="ascii", errors="replace")
            if self.gpg_keyring is not None:
                args = ["gpgv", "--status-fd=1", "--keyring", str(self.gpg_keyring), str(sigfile), "-"]
            elif not self.openpgp.keys:
                return Verification(
                    source,
                    Status.UNKNOWN_SIGNER,
                    f"no pinned OpenPGP keys: add the key to {KEYS_DIR}/ and "
                    f"'{ascii_visible(record.reviewer.email)} FINGERPRINT' to {OPENPGP_SIGNERS}",
                    record,
                    "",
                    record.reviewer.key,
                )
            else:
                home, keyring = self.openpgp.keyring()
                args = [
                    "gpgv",
                    "--homedir",
                    str(home),
                    "--status-fd=1",
                    "--keyring",
                    str(keyring),
                    str(sigfile),
                    "-",
                ]
            try:
                proc = subprocess.run(
                    args, input=payload, capture_output=True, check=False, timeout=VERIFY_TIMEOUT
                )
            except subprocess.TimeoutExpired:
                reason = f"{args[0]} did not answer within {VERIFY_TIMEOUT} s"
                return Verification(source, Status.MALFORMED, reason, record)
            except OSError as exc:
                return Verification(source, Status.MALFORMED, f"cannot run {args[0]}: {exc.strerror}", record)
        out = _judge_gpg(proc.stdout.decode("utf-8", "replace"), record, source)
        if out.ok and self.gpg_keyring is None:
            return self._pinned(out, proc.stdout.decode("utf-8", "replace"))
        return out

    def _pinned(self, out: Verification, status_text: str) -> Verification:
        """A good OpenPGP signature counts only from a key pinned for the record's e-mail."""
        assert out.record is not None
        email = out.record.reviewer.email
        valid = parse_gpg_status(status_text).get("VALIDSIG", [[]])[0]
        algo = valid[5] if len(valid) > 5 else ""
        if algo in _WEAK_PGP_ALGOS:
            out.status, out.reason = (
                Status.UNKNOWN_SIGNER,
                f"{_WEAK_PGP_ALGOS[algo]} OpenPGP keys are refused",
            )
        elif not self.openpgp.allows(out.key, email):
            out.status = Status.UNKNOWN_SIGNER
            out.reason = (
                f"OpenPGP key {out.key} is not pinned for {ascii_visible(email)} in {OPENPGP_SIGNERS}"
            )
        else:
            out.signer = email
        return out

    # -- many records ----------------------------------------------------------------------------------

    def verify_paths(
        self, paths: Sequence[str | Path], *, jobs: int | None = None, keep_records: bool = True
    ) -> list[Verification]:
        """Verify files, results in order.

        Big batches are spread over ``jobs`` processes (default: the CPU count). With
        ``keep_records=False`` results carry only :attr:`Verification.info`, not the whole record, which
        keeps the transfer back from the worker processes cheap (``signoff verify`` does this).
        """
        jobs = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
        if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD:
            return _verify_many(self, paths, keep_records)
        chunks = [[str(p) for p in paths[i::jobs]] for i in range(jobs)]
        try:
            ctx = multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover - no fork on this platform
            return _verify_many(self, paths, keep_records)
        # The workers are forked with the verifier and their paths (nothing to pickle on the way in).
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(self, keep_records, chunks)
        ) as pool:
            parts = list(pool.map(_verify_chunk, range(jobs)))
        out: list[Verification] = [None] * len(paths)  # type: ignore[list-item]
        for i, part in enumerate(parts):
            out[i::jobs] = part
        return out


PARALLEL_THRESHOLD = 2000
#: Seconds one ``ssh-keygen -Y verify`` / ``gpgv`` may take (neither prompts; a stuck one fails closed).
VERIFY_TIMEOUT = 60
_WORKER: tuple[Verifier, bool, list[list[str]]] | None = None


def _verify_many(verifier: Verifier, paths: Sequence[str | Path], keep_records: bool) -> list[Verification]:
    """Verify in this process; the cyclic GC is paused (parsing allocates many small objects)."""
    enabled = gc.isenabled()
    gc.disable()
    verify_path = verifier.verify_path
    try:
        if keep_records:
            out = [verify_path(p) for p in paths]
        else:  # drop each record at once: its memory is reused for the next (cache-warm, no growth)
            out = []
            for p in paths:
                r = verify_path(p)
                r.record = None
                out.append(r)
    finally:
        if enabled:
            gc.enable()
    return out


def _init_worker(verifier: Verifier, keep_records: bool, chunks: list[list[str]]) -> None:
    global _WORKER
    _WORKER = (verifier, keep_records, chunks)


def _verify_chunk(index: int) -> list[Verification]:
    assert _WORKER is not None
    verifier, keep_records, chunks = _WORKER
    return _verify_many(verifier, chunks[index], keep_records)


_GPG_RESULTS = ("GOODSIG", "BADSIG", "ERRSIG", "EXPSIG", "EXPKEYSIG", "REVKEYSIG")


def parse_gpg_status(text: str) -> dict[str, list[list[str]]]:
    """``[GNUPG:] KEYWORD args…`` lines grouped by keyword."""
    out: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        if not line.startswith("[GNUPG:] "):
            continue
        parts = line[9:].split(" ")
        out.setdefault(parts[0], []).append(parts[1:])
    return out


def _judge_gpg(status_text: str, record: ReviewRecord, source: str) -> Verification:
    st = parse_gpg_status(status_text)
    results = [(k, args) for k in _GPG_RESULTS for args in st.get(k, [])]
    if len(results) != 1:
        if not results:
            return Verification(source, Status.MALFORMED, "gpg found no signature", record)
        return Verification(source, Status.MALFORMED, "more than one signature result from gpg", record)
    kind, args = results[0]
    uid = " ".join(args[1:])
    valid = st.get("VALIDSIG", [[]])[0]
    fprs = {valid[0], valid[-1]} if valid else set()
    key = valid[-1] if valid else (args[0] if args else "")

    def result(status: Status, reason: str = "") -> Verification:
        return Verification(source, status, reason, record, uid, key)

    if kind == "BADSIG":
        return result(Status.BAD_SIGNATURE, "gpg: BAD signature")
    if kind == "ERRSIG":
        if "NO_PUBKEY" in st:
            return result(Status.UNKNOWN_SIGNER, f"gpg: no public key {args[0] if args else ''}".strip())
        return result(Status.MALFORMED, "gpg could not check the signature")
    if kind == "EXPSIG":
        return result(Status.EXPIRED, "gpg: the signature has expired")
    if kind == "EXPKEYSIG":
        return result(Status.EXPIRED, "gpg: signed with an expired key")
    if kind == "REVKEYSIG":
        return result(Status.EXPIRED, "gpg: signed with a revoked key")
    if not valid:
        return result(Status.BAD_SIGNATURE, "gpg reported GOODSIG without VALIDSIG")
    if "TRUST_NEVER" in st:
        return result(Status.UNKNOWN_SIGNER, "gpg: the key is marked as never trusted")
    if record.reviewer.key.upper() not in {f.upper() for f in fprs}:
        return result(
            Status.BAD_SIGNATURE, f"signed with key {key}, but the record names {record.reviewer.key}"
        )
    return result(Status.VALID)
