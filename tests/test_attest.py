"""``signoff attest``: in-toto Statement v1 in a DSSE envelope, checked with securesystemslib and the
in-toto attestation bindings (not with signoff's own code), signed by key file, ssh-agent and gpg."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_ssh_public_key
from google.protobuf import json_format
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError
from securesystemslib.signer import SSlibKey

from signoff.cli import main
from tests.helpers import commit_files, git, write
from tests.sigkeys import SshKeys, allowed_line

ANSWERS = """\
verdict = "approve"
summary = "Parameterised the lookup."
[answers."db.parameterized-queries"]
answer = "pass"
note = "bound parameters"
"""


@pytest.fixture
def reviewed(repo: Path, ssh_keys: SshKeys, capsys) -> tuple[Path, Path]:
    """A repository with a signed approval of its last commit; returns (repo, record path)."""
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"app.py": 'def q(c, n):\n    return c.execute("SELECT 1 WHERE n = ?", (n,))\n'}, "q")
    git(repo, "config", "--global", "user.email", "alice@example.com")
    write(repo, {".signoff/allowed_signers": allowed_line(ssh_keys["ed25519"])})
    (repo.parent / "answers.toml").write_text(ANSWERS)
    key = str(ssh_keys["ed25519"].path)
    assert main(["-C", str(repo), "review", "main..feature", "--answers", str(repo.parent / "answers.toml"),
                 "--key", key]) == 0  # fmt: skip
    record = repo / capsys.readouterr().out.strip()
    return repo, record


def _sslib_key(pub_line: str) -> SSlibKey:
    # RSA keys sign with PKCS#1 v1.5 / SHA-256 (what ssh-agent does): securesystemslib's key says so
    scheme = "rsa-pkcs1v15-sha256" if pub_line.startswith("ssh-rsa") else None
    return SSlibKey.from_crypto(load_ssh_public_key(pub_line.encode()), scheme=scheme)


def _check_statement(envelope: dict, repo: Path) -> dict:
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    payload = base64.b64decode(envelope["payload"])
    pb = json_format.Parse(payload, statement_pb2.Statement())  # strict: unknown fields fail
    Statement.copy_from_pb(pb).validate()
    stmt = json.loads(payload)
    head = git(repo, "rev-parse", "feature").strip()
    tree = git(repo, "rev-parse", "feature^{tree}").strip()
    digests = [s["digest"] for s in stmt["subject"]]
    assert {"gitCommit": head} in digests and {"gitTree": tree} in digests
    return stmt


def test_attest_with_key_file_verifies_with_securesystemslib(reviewed, ssh_keys: SshKeys, capsys) -> None:
    repo, record = reviewed
    out = repo.parent / "review.intoto.json"
    key = ssh_keys["ed25519"]
    assert main(["-C", str(repo), "attest", str(record), "--key", str(key.path), "-o", str(out)]) == 0
    envelope = json.loads(out.read_text())
    accepted = Envelope.from_dict(json.loads(out.read_text())).verify([_sslib_key(key.pub)], 1)
    assert len(accepted) == 1
    stmt = _check_statement(envelope, repo)
    pred = stmt["predicate"]
    assert stmt["predicateType"].endswith("#review-v1")
    assert pred["verdict"] == "approve" and pred["result"] == "pass"
    assert pred["reviewer"]["email"] == "alice@example.com"
    assert pred["answers"]["pass"] >= 1
    import hashlib

    assert pred["record"]["digest"]["sha256"] == hashlib.sha256(record.read_bytes()).hexdigest()


def test_tampered_payload_or_other_key_fails_library_verification(reviewed, ssh_keys: SshKeys) -> None:
    repo, record = reviewed
    out = repo.parent / "a.json"
    assert main(["-C", str(repo), "attest", str(record), "--key", str(ssh_keys["ed25519"].path),
                 "-o", str(out)]) == 0  # fmt: skip
    env = json.loads(out.read_text())
    stmt = json.loads(base64.b64decode(env["payload"]))
    stmt["predicate"]["verdict"] = "reject"
    forged = dict(env, payload=base64.b64encode(json.dumps(stmt).encode()).decode())
    with pytest.raises(VerificationError):
        Envelope.from_dict(forged).verify([_sslib_key(ssh_keys["ed25519"].pub)], 1)
    with pytest.raises(VerificationError):
        Envelope.from_dict(json.loads(out.read_text())).verify([_sslib_key(ssh_keys["ed25519-other"].pub)], 1)


def test_attest_refuses_a_key_that_did_not_sign_the_record(reviewed, ssh_keys: SshKeys, capsys) -> None:
    repo, record = reviewed
    out = repo.parent / "b.json"
    code = main(["-C", str(repo), "attest", str(record), "--key", str(ssh_keys["ed25519-mallory"].path),
                 "-o", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 4 and "not the key that signed" in err and not out.exists()


def test_attest_refuses_an_invalid_record(reviewed, ssh_keys: SshKeys, capsys) -> None:
    repo, record = reviewed
    record.write_text(record.read_text().replace("Parameterised", "Parametrised"))
    code = main(["-C", str(repo), "attest", str(record), "--key", str(ssh_keys["ed25519"].path)])
    assert code == 1 and "bad-signature" in capsys.readouterr().err


@pytest.fixture
def agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    sock = tmp_path / "agent.sock"
    proc = subprocess.run(
        ["ssh-agent", "-a", str(sock)], capture_output=True, text=True, check=True, timeout=30
    )
    pid = int(proc.stdout.split("SSH_AGENT_PID=")[1].split(";")[0])
    monkeypatch.setenv("SSH_AUTH_SOCK", str(sock))
    yield sock
    os.kill(pid, signal.SIGTERM)


@pytest.mark.parametrize("kind", ["ed25519", "ecdsa256", "rsa"])
def test_attest_through_ssh_agent(
    reviewed, ssh_keys: SshKeys, agent: Path, tmp_path: Path, kind: str, capsys
) -> None:
    repo, _ = reviewed
    # a record signed with this kind's key through the agent
    key = ssh_keys[kind]
    protected = tmp_path / f"{kind}-protected"
    protected.write_bytes(key.path.read_bytes())
    protected.chmod(0o600)
    subprocess.run(
        ["ssh-keygen", "-q", "-p", "-N", "s3cret", "-P", "", "-f", str(protected)], check=True, timeout=30
    )
    env = {**os.environ, "SSH_AUTH_SOCK": str(agent), "SSH_ASKPASS_REQUIRE": "never"}
    subprocess.run(
        ["ssh-add", "-q", str(key.path)],
        env=env,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    write(repo, {".signoff/allowed_signers": allowed_line(key)})
    (repo.parent / "answers.toml").write_text(ANSWERS)
    assert main(["-C", str(repo), "review", "main..feature", "--answers", str(repo.parent / "answers.toml"),
                 "--key", f"key::{key.pub}"]) == 0  # fmt: skip
    rec = repo / capsys.readouterr().out.strip()
    out = tmp_path / "agent.json"
    # the private key file is passphrase-protected and nobody can type: the agent must sign
    assert main(["-C", str(repo), "attest", str(rec), "--key", str(protected), "-o", str(out)]) == 0
    env_json = json.loads(out.read_text())
    Envelope.from_dict(env_json).verify([_sslib_key(key.pub)], 1)
    _check_statement(env_json, repo)


def test_attest_with_openpgp_verifies_with_securesystemslib(reviewed, gpg_key, monkeypatch, capsys) -> None:
    from securesystemslib.signer import GPGSigner

    repo, _ = reviewed
    monkeypatch.setenv("GNUPGHOME", str(gpg_key.home))
    git(repo, "config", "--global", "user.email", "gina@example.com")
    # OpenPGP records count only with the key pinned in the repository (docs/trust-model.md).
    armored = subprocess.run(
        ["gpg", "--batch", "--armor", "--export", gpg_key.fingerprint],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    write(
        repo,
        {
            ".signoff/keys/gina.asc": armored,
            ".signoff/openpgp_signers": f"gina@example.com {gpg_key.fingerprint}\n",
        },
    )
    (repo.parent / "answers.toml").write_text(ANSWERS)
    assert main(["-C", str(repo), "review", "main..feature", "--answers", str(repo.parent / "answers.toml"),
                 "--format", "openpgp", "--key", gpg_key.fingerprint]) == 0  # fmt: skip
    rec = repo / capsys.readouterr().out.strip()
    out = repo.parent / "gpg.json"
    assert main(["-C", str(repo), "attest", str(rec), "--format", "openpgp", "--key", gpg_key.fingerprint,
                 "-o", str(out)]) == 0  # fmt: skip
    _uri, public = GPGSigner.import_(gpg_key.fingerprint.lower(), str(gpg_key.home))
    Envelope.from_dict(json.loads(out.read_text())).verify([public], 1)


def test_attest_of_a_worktree_review_is_refused(reviewed, ssh_keys: SshKeys, capsys) -> None:
    repo, _ = reviewed
    write(repo, {"app.py": "y = 2\n"})
    (repo.parent / "answers.toml").write_text('verdict = "approve"\n')
    key = str(ssh_keys["ed25519"].path)
    assert main(["-C", str(repo), "review", "--worktree", "--answers", str(repo.parent / "answers.toml"),
                 "--key", key]) == 0  # fmt: skip
    rec = repo / capsys.readouterr().out.strip()
    assert main(["-C", str(repo), "attest", str(rec), "--key", key]) == 2
    assert "uncommitted" in capsys.readouterr().err
