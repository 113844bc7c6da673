"""Real signing keys for tests, generated once per test session (ssh-keygen, gpg), and record builders.

The fixtures are registered in tests/conftest.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_ssh_private_key

from signoff.records.model import (
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
from signoff.signing.sshsig import parse_public_key, sign_ed25519

NAMESPACE = "signoff-review"
STARTED = "2026-01-02T03:04:05Z"
KEY_TYPES = {
    "ed25519": ["-t", "ed25519"],
    "ecdsa256": ["-t", "ecdsa", "-b", "256"],
    "ecdsa384": ["-t", "ecdsa", "-b", "384"],
    "ecdsa521": ["-t", "ecdsa", "-b", "521"],
    "rsa": ["-t", "rsa", "-b", "3072"],
}


@dataclass
class SshKey:
    kind: str
    path: Path
    pub: str
    fingerprint: str

    @property
    def pub_path(self) -> Path:
        return self.path.with_name(self.path.name + ".pub")


class SshKeys:
    """Lazily generated keys, one per type (and per extra name)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._keys: dict[str, SshKey] = {}

    def __getitem__(self, name: str) -> SshKey:
        if name not in self._keys:
            kind = name.split("-")[0]
            path = self.base / name
            subprocess.run(
                ["ssh-keygen", "-q", *KEY_TYPES[kind], "-N", "", "-C", name, "-f", str(path)],
                check=True,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=60,
            )
            pub = path.with_name(path.name + ".pub").read_text().strip()
            self._keys[name] = SshKey(kind, path, pub, parse_public_key(pub).fingerprint)
        return self._keys[name]

    def private_ed25519(self, name: str = "ed25519"):
        return load_ssh_private_key(self[name].path.read_bytes(), None)


@pytest.fixture(scope="session")
def ssh_keys(tmp_path_factory: pytest.TempPathFactory) -> SshKeys:
    return SshKeys(tmp_path_factory.mktemp("sshkeys"))


@dataclass
class GpgKey:
    home: Path
    fingerprint: str
    uid: str


@pytest.fixture(scope="session")
def gpg_key() -> GpgKey:
    """An unprotected Ed25519 OpenPGP key in its own short-path GNUPGHOME."""
    if shutil.which("gpg") is None:
        pytest.skip("gpg not installed")
    home = Path(tempfile.mkdtemp(prefix="sg", dir="/tmp"))
    home.chmod(0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    uid = "Gina Gpg <gina@example.com>"
    subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never"],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    out = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--list-secret-keys"],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode()
    fpr = next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:"))
    yield GpgKey(home, fpr, uid)
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False, capture_output=True, timeout=60)
    shutil.rmtree(home, ignore_errors=True)


# -- records -----------------------------------------------------------------------------------------------


def make_record(
    *,
    head: str = "c" * 40,
    head_tree: str = "d" * 40,
    email: str = "alice@example.com",
    key: str = "",
    finished: str = "2026-01-02T04:04:05Z",
    summary: str = "Looks fine.",
) -> ReviewRecord:
    return ReviewRecord(
        subject=Subject("range", "a" * 40, "b" * 40, head, head_tree, "e" * 64, ["src/app.py", "lib/ü.py"]),
        reviewer=Reviewer("Alice Ä", email, key),
        review=Review(
            "approve",
            summary,
            "high",
            "medium",
            "2026-01-02T03:04:05Z",
            finished,
            "signoff test",
            ["src/app.py"],
        ),
        checklists=[ChecklistRef("web", "3", "f" * 64)],
        answers=[
            Answer(
                "db.sql",
                "Is SQL parameterised?",
                "pass",
                "high",
                "ok",
                [Evidence("src/app.py", "3-5", "a" * 40)],
            ),
            Answer("shell.exec", "Shell calls?", "na"),
        ],
        ai=AiSummary([AiCommit("c" * 40, "trailer")], 12, 10),
    )


def sign_in_process(record: ReviewRecord, private_key) -> ReviewRecord:
    """Sign with an Ed25519 key in-process (byte-identical to ssh-keygen's signature)."""
    from dataclasses import replace

    from signoff.signing.sshsig import ed25519_public_key

    fp = ed25519_public_key(private_key).fingerprint
    unsigned = replace(record, reviewer=replace(record.reviewer, key=fp), signature=None)
    value = sign_ed25519(private_key, unsigned.payload(), NAMESPACE)
    return replace(unsigned, signature=Signature("ssh", NAMESPACE, unsigned.reviewer.email, value))


def allowed_line(key: SshKey, principal: str = "alice@example.com", options: str = "") -> str:
    opts = f" {options}" if options else ""
    return f"{principal}{opts} {key.pub}\n"
