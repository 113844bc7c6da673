"""In-process SSHSIG verification agrees with ssh-keygen; allowed_signers parsing and matching."""

from __future__ import annotations

import base64
import struct
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from signoff.signing import sshsig
from signoff.signing.allowed_signers import AllowedSigners, match_pattern_list
from signoff.signing.sshsig import BadSignature, PublicKey, SshSigError, UnsupportedKey, parse_signature
from tests.sigkeys import KEY_TYPES, SshKeys

NS = "signoff-review"
WHEN = "20260102040405Z"
MESSAGE = b'signoff.review/1\n{"a":1}\n'


def keygen_sign(key_path: Path, message: bytes, ns: str = NS) -> str:
    proc = subprocess.run(
        ["ssh-keygen", "-Y", "sign", "-n", ns, "-f", str(key_path)],
        input=message,
        capture_output=True,
        check=True,
    )
    return proc.stdout.decode()


def keygen_verify(tmp: Path, allowed: str, principal: str, sig: str, message: bytes, when: str = "") -> bool:
    (tmp / "as").write_text(allowed)
    (tmp / "sig").write_text(sig)
    args = [
        "ssh-keygen",
        "-Y",
        "verify",
        "-f",
        str(tmp / "as"),
        "-I",
        principal,
        "-n",
        NS,
        "-s",
        str(tmp / "sig"),
    ]
    if when:
        args.append(f"-Overify-time={when}")
    return subprocess.run(args, input=message, capture_output=True, check=False).returncode == 0


@pytest.mark.parametrize("kind", list(KEY_TYPES))
def test_ssh_keygen_signatures_verify_in_process(ssh_keys: SshKeys, kind: str) -> None:
    key = ssh_keys[kind]
    sig = parse_signature(keygen_sign(key.path, MESSAGE))
    assert sig.public_key.fingerprint == key.fingerprint
    sig.verify(MESSAGE, NS)
    with pytest.raises(BadSignature):
        sig.verify(MESSAGE + b"x", NS)
    with pytest.raises(BadSignature):
        sig.verify(MESSAGE, "git")


def test_in_process_ed25519_is_byte_identical_to_ssh_keygen(ssh_keys: SshKeys) -> None:
    ours = sshsig.sign_ed25519(ssh_keys.private_ed25519(), MESSAGE, NS)
    assert ours == keygen_sign(ssh_keys["ed25519"].path, MESSAGE)


def test_every_flipped_byte_of_the_blob_fails(ssh_keys: SshKeys) -> None:
    blob = sshsig.unarmor(keygen_sign(ssh_keys["ed25519"].path, MESSAGE))
    for i in range(len(blob)):
        bad = bytearray(blob)
        bad[i] ^= 0x01
        try:
            parse_signature(sshsig.armor(bytes(bad))).verify(MESSAGE, NS)
        except (SshSigError, BadSignature):
            continue
        pytest.fail(f"flipping byte {i} still verified")


def _blob(sig: sshsig.SshSignature, sig_type: str) -> bytes:
    S = sshsig._string
    inner = S(sig_type.encode()) + S(sig.sig)
    return (
        b"SSHSIG"
        + struct.pack(">I", 1)
        + S(sig.public_key.blob)
        + S(sig.namespace.encode())
        + S(sig.reserved)
        + S(sig.hash_alg.encode())
        + S(inner)
    )


def test_rsa_sha1_signature_type_is_rejected(ssh_keys: SshKeys) -> None:
    sig = parse_signature(keygen_sign(ssh_keys["rsa"].path, MESSAGE))
    assert sig.sig_type == "rsa-sha2-512"
    parse_signature(sshsig.armor(_blob(sig, "rsa-sha2-512"))).verify(MESSAGE, NS)  # the rebuild is faithful
    with pytest.raises(BadSignature, match="SHA-1"):
        parse_signature(sshsig.armor(_blob(sig, "ssh-rsa"))).verify(MESSAGE, NS)
    with pytest.raises(BadSignature):
        parse_signature(sshsig.armor(_blob(sig, "rsa-sha2-256"))).verify(MESSAGE, NS)


def test_malformed_signatures() -> None:
    with pytest.raises(SshSigError, match="armor"):
        parse_signature("hello")
    with pytest.raises(SshSigError, match="magic"):
        parse_signature(sshsig.armor(b"NOTSIG" + b"\0" * 20))
    with pytest.raises(SshSigError, match="version"):
        parse_signature(sshsig.armor(b"SSHSIG" + struct.pack(">I", 2)))
    with pytest.raises(SshSigError, match="truncated"):
        parse_signature(sshsig.armor(b"SSHSIG" + struct.pack(">I", 1) + struct.pack(">I", 99)))


def test_trailing_bytes_rejected(ssh_keys: SshKeys) -> None:
    blob = sshsig.unarmor(keygen_sign(ssh_keys["ed25519"].path, MESSAGE))
    with pytest.raises(SshSigError, match="trailing"):
        parse_signature(sshsig.armor(blob + b"\0"))


def test_security_key_types_are_unsupported_not_accepted() -> None:
    blob = (
        sshsig._string(b"sk-ssh-ed25519@openssh.com") + sshsig._string(b"\0" * 32) + sshsig._string(b"ssh:")
    )
    with pytest.raises(UnsupportedKey):
        PublicKey(blob).check()


def test_public_key_of_private_file(ssh_keys: SshKeys) -> None:
    key = ssh_keys["ecdsa256"]
    assert sshsig.public_key_of_private(key.path.read_bytes()).fingerprint == key.fingerprint
    assert sshsig.public_key_of_private(b"junk") is None


# -- allowed_signers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "patterns", "expected"),
    [
        ("alice@example.com", "alice@example.com", True),
        ("alice@example.com", "*@example.com", True),
        ("alice@example.com", "bob@example.com,*@example.com", True),
        ("alice@example.com", "*@example.com,!alice@*", False),
        ("alice@example.com", "?lice@example.com", True),
        ("alice@example.com", "*@example.org", False),
        ("Alice@example.com", "alice@example.com", False),
    ],
)
def test_principal_patterns(principal: str, patterns: str, expected: bool) -> None:
    assert match_pattern_list(principal, patterns) is expected


def test_parse_allowed_signers_options(ssh_keys: SshKeys) -> None:
    pub = ssh_keys["ed25519"].pub
    text = (
        "# comment\n\n"
        f'alice@example.com,bob@example.com namespaces="signoff-review,git" {pub}\n'
        f'"carol@example.com" valid-after="20250101",valid-before="20260101Z" {pub}\n'
        f"*@example.org cert-authority {pub}\n"
        f"dave@example.com bogus-option {pub}\n"
        "erin@example.com ssh-ed25519 not-base64!!\n"
    )
    a = AllowedSigners.parse(text, "as")
    assert [e.principals for e in a.entries] == [
        "alice@example.com,bob@example.com",
        "carol@example.com",
        "*@example.org",
    ]
    assert a.entries[0].namespaces == "signoff-review,git"
    assert a.entries[1].valid_before == datetime(2026, 1, 1, tzinfo=UTC)
    assert a.entries[2].cert_authority
    assert len(a.errors) == 2 and a.errors[0].startswith("as:6:") and "bad base64" in a.errors[1]
    key = parse_signature(keygen_sign(ssh_keys["ed25519"].path, MESSAGE)).public_key
    assert a.find(key, "alice@example.com", NS, None).signer is not None
    assert a.find(key, "alice@example.com", "other", None).signer is None
    # cert-authority lines never match a plain key
    assert a.find(key, "x@example.org", NS, None).signer is None
    m = a.find(key, "carol@example.com", NS, datetime(2026, 6, 1, tzinfo=UTC))
    assert m.signer is None and m.expired and "valid-before" in m.problem
    m = a.find(key, "carol@example.com", NS, datetime(2024, 6, 1, tzinfo=UTC))
    assert m.expired and "valid-after" in m.problem
    assert a.find(key, "carol@example.com", NS, datetime(2025, 6, 1, tzinfo=UTC)).signer is not None


@pytest.mark.parametrize(
    ("principals", "options", "principal", "when"),
    [
        ("alice@example.com", "", "alice@example.com", WHEN),
        ("*@example.com", "", "alice@example.com", WHEN),
        ("*@example.com,!alice@*", "", "alice@example.com", WHEN),
        ("alice@example.com", 'namespaces="git"', "alice@example.com", WHEN),
        ("alice@example.com", 'namespaces="signoff-*"', "alice@example.com", WHEN),
        ("alice@example.com", 'valid-before="20260101Z"', "alice@example.com", WHEN),
        ("alice@example.com", 'valid-after="20260103Z"', "alice@example.com", WHEN),
        (
            "alice@example.com",
            'valid-after="20260101Z",valid-before="20260103Z"',
            "alice@example.com",
            "20260102040405Z",
        ),
        ("bob@example.com", "", "alice@example.com", WHEN),
    ],
)
def test_trust_decisions_agree_with_ssh_keygen(
    ssh_keys: SshKeys,
    tmp_path: Path,
    principals: str,
    options: str,
    principal: str,
    when: str,
) -> None:
    key = ssh_keys["ed25519"]
    line = f"{principals} {options} {key.pub}\n" if options else f"{principals} {key.pub}\n"
    sig_text = keygen_sign(key.path, MESSAGE)
    theirs = keygen_verify(tmp_path, line, principal, sig_text, MESSAGE, when)
    sig = parse_signature(sig_text)
    sig.verify(MESSAGE, NS)
    at = datetime.strptime(when, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
    ours = AllowedSigners.parse(line).find(sig.public_key, principal, NS, at).signer is not None
    assert ours == theirs


def test_fingerprint_matches_ssh_keygen(ssh_keys: SshKeys) -> None:
    key = ssh_keys["rsa"]
    out = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(key.pub_path)], capture_output=True, check=True
    ).stdout
    assert key.fingerprint in out.decode()
    blob = base64.b64decode(key.pub.split()[1])
    assert PublicKey(blob).fingerprint == key.fingerprint
