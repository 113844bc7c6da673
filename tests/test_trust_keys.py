"""Keys and time (issue 11, "Keys and time"): key validity at the gate's own clock and, in the audit, at
the time a record entered the protected branch; OpenPGP keys pinned in the repository; no DSA or short
RSA keys; no look-alike principals; and every command says where trust came from.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from signoff.git.runner import open_repo
from signoff.signing.sign import sign_record, signing_config
from tests.helpers import commit_files, git, make_repo
from tests.trust_helpers import (
    audit,
    cli,
    commit_record,
    gate,
    signed,
    trust,
    unsigned,
    weak_key,
    weak_public,
    weak_sign,
)

OLD = "2025-12-01T00:00:00+00:00"


def _pr(tmp_path: Path, signers: str, *, head_date: str | None = None, extra: dict | None = None) -> Path:
    r = make_repo(tmp_path / "repo")
    commit_files(
        r, {"app.py": "x = 1\n", ".signoff/allowed_signers": signers, **(extra or {})}, "base", date=OLD
    )
    git(r, "checkout", "-q", "-b", "feature")
    kw = {"date": head_date} if head_date else {"date": OLD}
    commit_files(r, {"app.py": "x = 2\n"}, "change", **kw)
    return r


# -- time ---------------------------------------------------------------------------------------------


def test_gate_judges_an_expired_key_at_its_own_clock_not_the_records(tmp_path: Path, ssh_keys) -> None:
    carol = ssh_keys["ed25519-carol"]
    r = _pr(tmp_path, trust(("carol@example.com", carol, 'valid-before="20260101"')))
    backdated = signed(
        ssh_keys,
        "ed25519-carol",
        r,
        base="main",
        head="HEAD",
        email="carol@example.com",
        finished="2025-12-15T00:00:00Z",
    )
    commit_record(r, backdated)
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert "expired" in text


def test_audit_judges_a_key_when_the_record_entered_the_branch(tmp_path: Path, ssh_keys) -> None:
    carol = ssh_keys["ed25519-carol"]
    r = _pr(tmp_path, trust(("carol@example.com", carol, 'valid-before="20260101"')))
    rec = signed(
        ssh_keys,
        "ed25519-carol",
        r,
        base="main",
        head="HEAD",
        email="carol@example.com",
        finished="2025-12-15T00:00:00Z",
    )
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--ff-only", "feature")
    commit_record(r, rec, date="2026-03-01T00:00:00+00:00")  # landed long after the key's valid-before
    _, doc = audit(r)
    (entry,) = doc["records"]
    assert entry["status"] == "expired", entry


def test_audit_flags_a_record_that_finished_before_its_head_existed(tmp_path: Path, ssh_keys) -> None:
    r = _pr(
        tmp_path, trust(("alice@example.com", ssh_keys["ed25519"])), head_date="2026-02-10T00:00:00+00:00"
    )
    rec = signed(ssh_keys, "ed25519", r, base="main", head="HEAD", finished="2026-02-01T00:00:00Z")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--ff-only", "feature")
    commit_record(r, rec, date="2026-02-11T00:00:00+00:00")
    code, doc = audit(r)
    (entry,) = doc["records"]
    assert "finished-before-head" in entry["flags"]
    assert code == 1 and any("before" in p for p in doc["problems"])


# -- OpenPGP --------------------------------------------------------------------------------------------


def _gpg_record(r: Path, gpg_key, email: str):
    rec = unsigned(r, base="main", head="HEAD", email=email)
    cfg = signing_config(open_repo(r), key=gpg_key.fingerprint, fmt="openpgp")
    return sign_record(replace(rec, signature=None), cfg)


def test_openpgp_key_in_the_runners_keyring_is_not_trusted(
    tmp_path: Path, ssh_keys, gpg_key, monkeypatch
) -> None:
    monkeypatch.setenv("GNUPGHOME", str(gpg_key.home))
    r = _pr(tmp_path, trust(("alice@example.com", ssh_keys["ed25519"])))
    commit_record(r, _gpg_record(r, gpg_key, "alice@example.com"))  # any key in CI's keyring, as alice
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    commit_record(r, _gpg_record(r, gpg_key, "gina@example.com"))  # as itself: still not pinned
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text


def _pinned(gpg_key) -> dict[str, str]:
    import subprocess

    env = {**os.environ, "GNUPGHOME": str(gpg_key.home)}
    armored = subprocess.run(
        ["gpg", "--batch", "--armor", "--export", gpg_key.fingerprint],
        env=env,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    return {
        ".signoff/keys/gina.asc": armored,
        ".signoff/openpgp_signers": f"gina@example.com {gpg_key.fingerprint}\n",
    }


def test_openpgp_key_pinned_on_the_target_counts_for_its_principal_only(
    tmp_path: Path, ssh_keys, gpg_key, monkeypatch
) -> None:
    monkeypatch.setenv("GNUPGHOME", str(gpg_key.home))
    r = _pr(tmp_path, trust(("alice@example.com", ssh_keys["ed25519"])), extra=_pinned(gpg_key))
    commit_record(r, _gpg_record(r, gpg_key, "alice@example.com"))
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    commit_record(r, _gpg_record(r, gpg_key, "gina@example.com"))
    empty = tmp_path / "emptyhome"
    empty.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(empty))  # the runner's keyring plays no part
    code, _, text = gate(r, "main...HEAD")
    assert code == 0, text


# -- weak keys ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dsa", "rsa1024"])
def test_weak_keys_do_not_approve(tmp_path: Path, kind: str) -> None:
    key = weak_key(kind)
    r = _pr(tmp_path, f'alice@example.com namespaces="signoff-review" {weak_public(key)}\n')
    commit_record(r, weak_sign(unsigned(r, base="main", head="HEAD"), key))
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    code, out, err = cli(r, "verify")
    assert code == 1 and ("DSA" in out + err or "2048" in out + err), out + err


# -- look-alike principals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "shown"),
    [("\u0430lice@example.com", "<U+0430>"), ("alice\U000e0041@example.com", "<TAG A>")],
)
def test_look_alike_reviewers_are_refused_and_shown(tmp_path: Path, ssh_keys, email: str, shown: str) -> None:
    r = _pr(tmp_path, trust(("*@example.com", ssh_keys["ed25519"])))
    commit_record(r, signed(ssh_keys, "ed25519", r, base="main", head="HEAD", email=email))
    code, out, err = cli(r, "gate", "main...HEAD")
    assert code == 1, out + err
    assert shown in out


# -- where trust came from --------------------------------------------------------------------------------


def test_verify_trust_from_a_ref(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, trust(("alice@example.com", ssh_keys["ed25519"])))
    p = r / ".signoff/allowed_signers"
    p.write_text(p.read_text() + trust(("m@evil.example", ssh_keys["ed25519-m"])))
    commit_files(r, {}, "trust me")
    commit_record(r, signed(ssh_keys, "ed25519-m", r, base="main", head="HEAD", email="m@evil.example"))
    code, out, _ = cli(r, "verify")
    assert code == 0 and "trust: .signoff/allowed_signers" in out  # the checkout's own file, and it says so
    code, out, _ = cli(r, "verify", "--trust-from", "main")
    assert code == 1, out
    assert "trust: .signoff/allowed_signers at main" in out and "unknown-signer" in out


def test_every_command_says_where_trust_came_from(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, trust(("alice@example.com", ssh_keys["ed25519"])))
    commit_record(r, signed(ssh_keys, "ed25519", r, base="main", head="HEAD"))
    for argv in (["verify"], ["gate", "main...HEAD"], ["audit", "--no-ai"]):
        _, out, _ = cli(r, *argv)
        assert "trust:" in out, argv
