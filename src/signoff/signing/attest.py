"""In-toto attestations of review records: a Statement v1 in a DSSE envelope, signed by the reviewer.

The subject is the reviewed commit (``gitCommit``) and its tree (``gitTree``); the predicate is the review
(type :data:`PREDICATE_TYPE`, documented in docs/attestation.md). The in-toto Attestation Framework has
no vetted predicate for human code review: the draft ``human-review/v0.1`` was proposed and not merged,
so signoff documents its own and also fills that draft's ``result`` / ``timestamp`` fields.

Signing uses securesystemslib's DSSE envelope and signers, so any DSSE verifier (securesystemslib,
in-toto) checks it: SSH keys sign the envelope's PAE bytes directly (ed25519, ECDSA, RSA PKCS#1 v1.5) —
from a private key file, or through ssh-agent — and OpenPGP keys through securesystemslib's GPGSigner.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_ssh_private_key
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, GPGSigner, Key, Signature, Signer, SSlibKey

from signoff.errors import SigningError, UsageError
from signoff.records.model import ReviewRecord
from signoff.signing import sshagent
from signoff.signing.sign import Signer as KeyRef
from signoff.signing.sign import SigningConfig, resolve_signer
from signoff.signing.sshsig import PublicKey, SshSigError, _Reader
from signoff.util.sanitize import visible

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://github.com/signoff/signoff/blob/main/docs/attestation.md#review-v1"
#: securesystemslib signature schemes for SSH key types (RSA: the agent's rsa-sha2-256).
_SCHEMES = {
    "ssh-ed25519": "ed25519",
    "ecdsa-sha2-nistp256": "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384": "ecdsa-sha2-nistp384",
    "ssh-rsa": "rsa-pkcs1v15-sha256",
}


# -- statement -------------------------------------------------------------------------------------


def subjects(record: ReviewRecord, name: str) -> list[dict[str, Any]]:
    """The reviewed commit and its tree as in-toto ResourceDescriptors."""
    s = record.subject
    if s.dirty or not s.head:
        raise UsageError(
            "this record reviewed uncommitted changes (staged or work tree): only reviews of commits "
            "can be attested"
        )
    return [
        {"name": name, "digest": {"gitCommit": s.head}},
        {"name": f"{name}^{{tree}}", "digest": {"gitTree": s.head_tree}},
    ]


def predicate(record: ReviewRecord, record_bytes: bytes, record_path: str) -> dict[str, Any]:
    """The review as the attestation's predicate (see docs/attestation.md)."""
    r, s = record.review, record.subject
    counts = Counter(a.answer for a in record.answers)
    failed = [
        {"id": a.id, "severity": a.severity, "note": a.note} for a in record.answers if a.answer == "fail"
    ]
    findings = getattr(record, "findings", None) or []
    triage = Counter((getattr(f, "triage", "") or "untriaged") for f in findings)
    return {
        "result": "pass" if r.verdict == "approve" else "fail",
        "timestamp": r.finished,
        "reviewer": {
            "name": record.reviewer.name,
            "email": record.reviewer.email,
            "key": record.reviewer.key,
        },
        "verdict": r.verdict,
        "summary": r.summary,
        "thoroughness": r.thoroughness,
        "understanding": r.understanding,
        "started": r.started,
        "finished": r.finished,
        "tool": r.tool,
        "range": {"base": s.base, "baseTree": s.base_tree, "head": s.head, "headTree": s.head_tree},
        "paths": len(s.paths),
        "filesReviewed": len(r.files_reviewed),
        "checklists": [{"id": c.id, "version": c.version, "sha256": c.sha256} for c in record.checklists],
        "answers": {k: counts.get(k, 0) for k in ("pass", "fail", "na", "skipped")},
        "failed": failed,
        "findings": {
            "total": len(findings),
            **{
                k: triage.get(k, 0) for k in ("true-positive", "false-positive", "accepted-risk", "untriaged")
            },
            "items": [_finding(f) for f in findings],
        },
        "ai": {
            "commits": len(record.ai.commits),
            "lines": record.ai.lines,
            "linesReviewed": record.ai.lines_reviewed,
        },
        "record": {
            "path": record_path,
            "schema": record.schema,
            "digest": {"sha256": hashlib.sha256(record_bytes).hexdigest()},
            "signatureFormat": record.signature.format if record.signature else "",
        },
    }


def _finding(f: Any) -> dict[str, Any]:
    keys = ("tool", "rule", "level", "path", "line", "question", "triage", "note")
    return {k: getattr(f, k) for k in keys if hasattr(f, k)}


def statement(record: ReviewRecord, record_bytes: bytes, record_path: str, name: str) -> dict[str, Any]:
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects(record, name),
        "predicateType": PREDICATE_TYPE,
        "predicate": predicate(record, record_bytes, record_path),
    }


# -- signers ---------------------------------------------------------------------------------------


def sslib_key(pub: PublicKey) -> SSlibKey:
    """The securesystemslib form of an SSH public key (default key id: sha256 of its canonical JSON)."""
    scheme = _SCHEMES.get(pub.keytype)
    if scheme is None:
        raise SigningError(f"{pub.keytype} keys cannot sign attestations: use ed25519, ECDSA or RSA")
    try:
        crypto_key = pub._key
    except SshSigError as exc:
        raise SigningError(f"unusable SSH key: {exc}") from None
    return SSlibKey.from_crypto(crypto_key, scheme=scheme)


class AgentSigner(Signer):
    """A securesystemslib signer that asks ssh-agent for the signature."""

    def __init__(self, pub: PublicKey) -> None:
        self._ssh_key = pub
        self._public_key = sslib_key(pub)

    @property
    def public_key(self) -> Key:
        return self._public_key

    @classmethod
    def from_priv_key_uri(cls, priv_key_uri: str, public_key: Key, secrets_handler: Any = None) -> Signer:
        raise NotImplementedError("AgentSigner is built from an SSH public key")

    def sign(self, payload: bytes) -> Signature:
        fmt, sig = sshagent.sign(self._ssh_key, payload)
        if fmt.startswith("ecdsa-"):
            r = _Reader(sig)
            sig = encode_dss_signature(r.mpint(), r.mpint())
        return Signature(self._public_key.keyid, sig.hex())


def _key_file_signer(ref: KeyRef) -> Signer | None:
    """A signer for an SSH private key file, or None when the file holds only a public key."""
    data = Path(ref.key).expanduser().read_bytes()
    if b"PRIVATE KEY" not in data:
        return None
    assert ref.public_key is not None
    try:
        private = load_ssh_private_key(data, None)
    except TypeError:  # passphrase-protected
        if any(k.blob == ref.public_key.blob for k, _ in _agent_keys()):
            return None
        if not sys.stdin.isatty():
            raise SigningError(
                f"{visible(ref.key)} is passphrase-protected: ssh-add it to ssh-agent (or run in a terminal)"
            ) from None
        secret = getpass.getpass(f"Passphrase for {ref.key}: ").encode()
        try:
            private = load_ssh_private_key(data, secret)
        except ValueError:
            raise SigningError("wrong passphrase") from None
    except ValueError as exc:
        raise SigningError(f"cannot read the SSH key {visible(ref.key)}: {exc}") from None
    return CryptoSigner(private, sslib_key(ref.public_key))


def _agent_keys() -> list[tuple[PublicKey, str]]:
    try:
        return sshagent.identities()
    except SigningError:
        return []


def dsse_signer(cfg: SigningConfig) -> tuple[Signer, KeyRef]:
    """The securesystemslib signer for the configured key, and the resolved key reference."""
    ref = resolve_signer(cfg)
    if ref.format == "openpgp":
        try:
            _uri, gpg_key = GPGSigner.import_(ref.fingerprint.lower())
        except Exception as exc:  # securesystemslib raises several kinds (no gpg, no key)
            raise SigningError(f"cannot use OpenPGP key {visible(ref.fingerprint)}: {exc}") from None
        return GPGSigner(gpg_key), ref
    assert ref.public_key is not None
    signer = None if ref.literal else _key_file_signer(ref)
    return signer or AgentSigner(ref.public_key), ref


def sign_statement(stmt: dict[str, Any], signer: Signer) -> dict[str, Any]:
    """The DSSE envelope (JSON form) holding ``stmt``, signed by ``signer``."""
    payload = json.dumps(stmt, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    envelope = Envelope(payload, PAYLOAD_TYPE, {})
    try:
        envelope.sign(signer)
    except SigningError:
        raise
    except Exception as exc:  # a signer's own failure (gpg exit status, key mismatch)
        raise SigningError(f"signing the attestation failed: {exc}") from None
    return envelope.to_dict()
