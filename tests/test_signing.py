"""Signing as git does (ssh-keygen, gpg), driven by git config; failures say what to configure."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from signoff.errors import SigningError
from signoff.git.runner import open_repo
from signoff.records.codec import dumps, loads
from signoff.signing.allowed_signers import AllowedSigners
from signoff.signing.pins import OpenPgpPins
from signoff.signing.sign import SigningConfig, resolve_signer, sign_record, signing_config
from signoff.signing.verify import Status, Verifier
from tests.helpers import git
from tests.sigkeys import GpgKey, SshKeys, allowed_line, make_record


def ssh_cfg(key: str | None, **kw) -> SigningConfig:
    return SigningConfig("ssh", key, "ssh-keygen", email="alice@example.com", **kw)


def keygen_verify(
    tmp: Path, allowed: str, principal: str, payload: bytes, sig: str
) -> subprocess.CompletedProcess:
    (tmp / "allowed").write_text(allowed)
    (tmp / "sig").write_text(sig)
    args = ["ssh-keygen", "-Y", "verify", "-f", str(tmp / "allowed"), "-I", principal, "-n", "signoff-review"]
    return subprocess.run(
        [*args, "-s", str(tmp / "sig")], input=payload, capture_output=True, check=False, timeout=60
    )


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa384", "rsa"])
def test_signed_record_verifies_here_and_with_ssh_keygen(
    ssh_keys: SshKeys, tmp_path: Path, kind: str
) -> None:
    key = ssh_keys[kind]
    rec = sign_record(make_record(), ssh_cfg(str(key.path)))
    assert rec.reviewer.key == key.fingerprint
    assert rec.signature is not None and rec.signature.format == "ssh"
    text = dumps(rec)
    loaded = loads(text)
    verifier = Verifier(AllowedSigners.parse(allowed_line(key)))
    assert verifier.verify(loaded).status is Status.VALID
    proc = keygen_verify(
        tmp_path, allowed_line(key), "alice@example.com", loaded.payload(), rec.signature.value
    )
    assert proc.returncode == 0, proc.stderr
    # one flipped byte of the payload: both reject
    bad = bytearray(loaded.payload())
    bad[len(bad) // 2] ^= 0x20
    assert keygen_verify(
        tmp_path, allowed_line(key), "alice@example.com", bytes(bad), rec.signature.value
    ).returncode
    assert verifier.verify(loads(text.replace("Looks fine.", "Looks fine!"))).status is Status.BAD_SIGNATURE


def test_public_key_path_signs_through_the_agent(ssh_keys: SshKeys, tmp_path: Path) -> None:
    key = ssh_keys["ed25519-agent"]
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if sock.exists():
                break
            subprocess.run(["sleep", "0.02"], check=False, timeout=60)
        env = {**os.environ, "SSH_AUTH_SOCK": str(sock)}
        subprocess.run(["ssh-add", "-q", str(key.path)], env=env, check=True, capture_output=True, timeout=60)
        os.environ["SSH_AUTH_SOCK"] = str(sock)
        try:
            # a public key path and a key:: literal: ssh-keygen uses the agent, as with git
            for configured in (str(key.pub_path), f"key::{key.pub}"):
                rec = sign_record(make_record(), ssh_cfg(configured))
                assert Verifier(AllowedSigners.parse(allowed_line(key))).verify(rec).ok
        finally:
            del os.environ["SSH_AUTH_SOCK"]
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=5)


def test_no_key_configured_says_what_to_set() -> None:
    with pytest.raises(SigningError) as info:
        resolve_signer(ssh_cfg(None))
    assert "git config --global user.signingKey" in info.value.message
    assert info.value.exit_code == 4


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="does not exist"):
        resolve_signer(ssh_cfg(str(tmp_path / "nope")))


def test_wrong_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "locked"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "right", "-f", str(key)], check=True, timeout=60
    )
    askpass = tmp_path / "askpass"
    askpass.write_text("#!/bin/sh\necho wrong\n")
    askpass.chmod(0o755)
    monkeypatch.setenv("SSH_ASKPASS", str(askpass))
    monkeypatch.setenv("SSH_ASKPASS_REQUIRE", "force")
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    with pytest.raises(SigningError, match="wrong passphrase"):
        sign_record(make_record(), ssh_cfg(str(key)))


def test_git_config_is_followed_and_flags_override(repo: Path, ssh_keys: SshKeys) -> None:
    key = ssh_keys["ed25519"]
    git(repo, "config", "--global", "gpg.format", "ssh")
    git(repo, "config", "--global", "user.signingKey", str(key.pub_path))
    git(repo, "config", "--global", "user.email", "alice@example.com")
    g = open_repo(repo)
    cfg = signing_config(g)
    assert (cfg.format, cfg.key, cfg.program, cfg.email) == (
        "ssh",
        str(key.pub_path),
        "ssh-keygen",
        "alice@example.com",
    )
    assert signing_config(g, key="OTHER", fmt="openpgp").format == "openpgp"
    assert signing_config(g, key="OTHER", fmt="openpgp").program == "gpg"
    with pytest.raises(SigningError, match="ssh or openpgp"):
        signing_config(g, fmt="x509")


def test_format_is_guessed_from_an_ssh_key_when_unset(repo: Path, ssh_keys: SshKeys) -> None:
    g = open_repo(repo)
    assert signing_config(g, key=str(ssh_keys["ed25519"].path)).format == "ssh"
    assert signing_config(g, key="key::ssh-ed25519 AAAA").format == "ssh"
    assert signing_config(g, key="ABCDEF0123456789").format == "openpgp"


def test_repo_config_cannot_choose_the_signing_program(repo: Path, ssh_keys: SshKeys, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    evil = tmp_path / "evil.sh"
    evil.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    evil.chmod(0o755)
    for k in ("gpg.ssh.program", "gpg.program", "gpg.ssh.defaultKeyCommand"):
        git(repo, "config", k, str(evil))
    git(repo, "config", "--global", "gpg.format", "ssh")
    git(repo, "config", "--global", "user.email", "alice@example.com")
    g = open_repo(repo)
    cfg = signing_config(g)
    assert cfg.program == "ssh-keygen" and cfg.default_key_command is None
    with pytest.raises(SigningError):
        resolve_signer(cfg)  # no key: the repo's defaultKeyCommand is not run
    cfg = signing_config(g, key=str(ssh_keys["ed25519"].path))
    assert sign_record(make_record(), cfg).signature is not None
    assert not marker.exists()


def test_global_config_programs_are_used(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    glob = tmp_path / "global"
    glob.write_text('[gpg "ssh"]\n\tprogram = /opt/ssh-keygen\n\tdefaultKeyCommand = ssh-add -L\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(glob))
    cfg = signing_config(open_repo(repo), fmt="ssh")
    assert cfg.program == "/opt/ssh-keygen" and cfg.default_key_command == "ssh-add -L"


# -- OpenPGP ---------------------------------------------------------------------------------------------


def test_openpgp_sign_and_verify(gpg_key: GpgKey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GNUPGHOME", str(gpg_key.home))
    cfg = SigningConfig("openpgp", gpg_key.fingerprint, "gpg", email="gina@example.com")
    rec = sign_record(make_record(email="gina@example.com"), cfg)
    assert rec.reviewer.key == gpg_key.fingerprint
    assert rec.signature is not None and "BEGIN PGP SIGNATURE" in rec.signature.value
    loaded = loads(dumps(rec))
    # Only keys pinned in the repository count, never the verifying user's keyring.
    assert Verifier().verify(loaded).status is Status.UNKNOWN_SIGNER
    armored = subprocess.run(
        ["gpg", "--batch", "--armor", "--export", gpg_key.fingerprint],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    pins = OpenPgpPins.parse(f"gina@example.com {gpg_key.fingerprint}\n".encode(), [("k.asc", armored)], "t")
    verifier = Verifier(openpgp=pins)
    result = verifier.verify(loaded)
    assert result.status is Status.VALID, result.reason
    assert result.signer == "gina@example.com"
    tampered = loads(dumps(rec).replace("Looks fine.", "Looks great."))
    assert verifier.verify(tampered).status is Status.BAD_SIGNATURE
    other = OpenPgpPins.parse(
        f"alice@example.com {gpg_key.fingerprint}\n".encode(), [("k.asc", armored)], "t"
    )
    wrong = Verifier(openpgp=other).verify(loaded)
    assert wrong.status is Status.UNKNOWN_SIGNER and "not pinned for gina@example.com" in wrong.reason


def test_openpgp_unknown_signer(gpg_key: GpgKey, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GNUPGHOME", str(gpg_key.home))
    cfg = SigningConfig("openpgp", gpg_key.fingerprint, "gpg", email="gina@example.com")
    rec = sign_record(make_record(email="gina@example.com"), cfg)
    empty = Path(os.path.join("/tmp", f"sge{os.getpid()}"))
    empty.mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("GNUPGHOME", str(empty))
    try:
        assert Verifier().verify(rec).status is Status.UNKNOWN_SIGNER
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], check=False, capture_output=True, timeout=60)
        subprocess.run(["rm", "-rf", str(empty)], check=False, timeout=60)


def test_openpgp_no_secret_key(gpg_key: GpgKey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GNUPGHOME", str(gpg_key.home))
    cfg = SigningConfig("openpgp", None, "gpg", email="nobody@example.com", name="Nobody")
    with pytest.raises(SigningError, match=r"user\.signingKey"):
        resolve_signer(cfg)


def test_gpg_status_parsing_like_git() -> None:
    from signoff.signing.verify import _judge_gpg

    rec = make_record(key="F" * 40)
    good = (
        "[GNUPG:] GOODSIG 1234 Gina <g@x>\n[GNUPG:] VALIDSIG "
        + "F" * 40
        + " 2026-01-01 1 0 4 0 22 8 00 "
        + "F" * 40
    )
    assert _judge_gpg(good, rec, "").status is Status.VALID
    two = good + "\n[GNUPG:] BADSIG 1234 Gina <g@x>"
    assert _judge_gpg(two, rec, "").status is Status.MALFORMED
    assert _judge_gpg("[GNUPG:] BADSIG 1234 G", rec, "").status is Status.BAD_SIGNATURE
    assert _judge_gpg("[GNUPG:] ERRSIG 1234 22 8 00 1 9\n[GNUPG:] NO_PUBKEY 1234", rec, "").status is (
        Status.UNKNOWN_SIGNER
    )
    assert _judge_gpg("[GNUPG:] EXPKEYSIG 1234 G", rec, "").status is Status.EXPIRED
    assert _judge_gpg("[GNUPG:] REVKEYSIG 1234 G", rec, "").status is Status.EXPIRED
    other = make_record(key="E" * 40)
    assert _judge_gpg(good, other, "").status is Status.BAD_SIGNATURE
