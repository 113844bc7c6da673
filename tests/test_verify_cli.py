"""``signoff verify`` end to end, and the record store (paths, no overwrite, drafts)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from signoff.cli.main import main
from signoff.records.codec import dumps, loads
from signoff.records.store import (
    delete_draft,
    draft_path,
    list_records,
    load_draft,
    record_name,
    save_draft,
    slug,
    write_record,
)
from tests.helpers import commit_files, git
from tests.sigkeys import SshKeys, allowed_line, make_record, sign_in_process


@pytest.fixture
def signed_repo(repo: Path, ssh_keys: SshKeys) -> tuple[Path, Path]:
    """A repo with one commit, its allowed_signers, and one valid record for HEAD."""
    head = commit_files(repo, {"app.py": "x = 1\n"}, "one")
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    (repo / ".signoff").mkdir()
    (repo / ".signoff" / "allowed_signers").write_text(allowed_line(ssh_keys["ed25519"]))
    rec = sign_in_process(make_record(head=head, head_tree=tree), ssh_keys.private_ed25519())
    path = write_record(repo, rec)
    return repo, path


def run(repo: Path, *args: str) -> int:
    return main(["-C", str(repo), "verify", *args])


def test_valid_record(signed_repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    repo, path = signed_repo
    assert run(repo) == 0
    out = capsys.readouterr().out
    assert out.startswith("valid ") and str(path.relative_to(repo)) in out and "alice@example.com" in out


def test_tampered_record_fails(signed_repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    repo, path = signed_repo
    path.write_text(path.read_text().replace('verdict = "approve"', 'verdict = "reject"'))
    assert run(repo) == 1
    assert capsys.readouterr().out.startswith("bad-signature ")


def test_json_output(signed_repo: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    repo, path = signed_repo
    (path.parent / "junk.toml").write_text("schema = 1\n")
    assert run(repo, "--format", "json") == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "signoff.verify/1" and doc["ok"] is False
    by_status = {r["status"]: r for r in doc["records"]}
    assert by_status["valid"]["verdict"] == "approve"
    assert by_status["malformed"]["reason"].startswith("schema: ")


def test_payload_checks_with_plain_ssh_keygen(
    signed_repo: tuple[Path, Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    repo, path = signed_repo
    assert main(["verify", "--payload", str(path)]) == 0
    payload = capsysbinary.readouterr().out
    assert main(["verify", "--signature", str(path)]) == 0
    (repo / "sig").write_bytes(capsysbinary.readouterr().out)
    args = ["ssh-keygen", "-Y", "verify", "-f", str(repo / ".signoff" / "allowed_signers")]
    args += ["-I", "alice@example.com", "-n", "signoff-review", "-s", str(repo / "sig")]
    assert subprocess.run(args, input=payload, capture_output=True, check=False).returncode == 0
    assert subprocess.run(args, input=payload + b" ", capture_output=True, check=False).returncode != 0


def test_unknown_signer(signed_repo: tuple[Path, Path], ssh_keys: SshKeys, capsys) -> None:
    repo, _ = signed_repo
    (repo / ".signoff" / "allowed_signers").write_text(allowed_line(ssh_keys["ecdsa256"]))
    assert run(repo) == 1
    assert capsys.readouterr().out.startswith("unknown-signer ")


def test_principal_must_match_the_reviewer(signed_repo: tuple[Path, Path], ssh_keys: SshKeys, capsys) -> None:
    repo, _ = signed_repo
    (repo / ".signoff" / "allowed_signers").write_text(allowed_line(ssh_keys["ed25519"], "bob@example.com"))
    assert run(repo) == 1
    out = capsys.readouterr().out
    assert out.startswith("unknown-signer ") and "bob@example.com" in out


def test_expired_key(signed_repo: tuple[Path, Path], ssh_keys: SshKeys, capsys) -> None:
    repo, _ = signed_repo
    line = allowed_line(ssh_keys["ed25519"], options='valid-before="20260101Z"')
    (repo / ".signoff" / "allowed_signers").write_text(line)
    assert run(repo) == 1
    assert capsys.readouterr().out.startswith("expired ")


def test_head_tree_must_match_head(repo: Path, ssh_keys: SshKeys, capsys) -> None:
    head = commit_files(repo, {"a": "1\n"}, "one")
    (repo / ".signoff").mkdir()
    (repo / ".signoff" / "allowed_signers").write_text(allowed_line(ssh_keys["ed25519"]))
    write_record(
        repo, sign_in_process(make_record(head=head, head_tree="9" * 40), ssh_keys.private_ed25519())
    )
    assert run(repo) == 1
    assert "is not the tree of head" in capsys.readouterr().out


def test_signature_copied_onto_another_record(
    signed_repo: tuple[Path, Path], ssh_keys: SshKeys, capsys
) -> None:
    repo, path = signed_repo
    original = loads(path.read_text())
    other = sign_in_process(
        make_record(head="1" * 40, finished="2026-01-03T00:00:00Z"), ssh_keys.private_ed25519()
    )
    forged = replace(other, signature=original.signature, reviewer=original.reviewer)
    forged_path = write_record(repo, forged)
    assert run(repo, str(forged_path)) == 1
    assert capsys.readouterr().out.startswith("bad-signature ")


def test_no_trust_configured(repo: Path, ssh_keys: SshKeys, capsys) -> None:
    head = commit_files(repo, {"a": "1\n"}, "one")
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    write_record(repo, sign_in_process(make_record(head=head, head_tree=tree), ssh_keys.private_ed25519()))
    assert run(repo) == 1
    assert "allowed_signers" in capsys.readouterr().out


def test_no_records(repo: Path, capsys) -> None:
    commit_files(repo, {"a": "1\n"}, "one")
    assert run(repo) == 0
    assert "no review records" in capsys.readouterr().out


# -- store ----------------------------------------------------------------------------------------------


def test_record_name_and_no_overwrite(tmp_path: Path, ssh_keys: SshKeys) -> None:
    rec = sign_in_process(make_record(email="../../Evil Name\x1b[31m@x"), ssh_keys.private_ed25519())
    name = record_name(rec)
    assert name.as_posix() == ".signoff/reviews/2026/01/cccccccccccc-evil-name-31m-20260102T040405Z.toml"
    first = write_record(tmp_path, rec)
    second = write_record(tmp_path, rec)
    assert first != second and second.name.endswith("-2.toml")
    assert first.read_text() == dumps(rec) == second.read_text()
    assert list_records(tmp_path) == sorted([first, second])
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".tmp-")]


def test_slug() -> None:
    assert slug("Ünïcode Ñame") == "unicode-name"
    assert slug("...") == "reviewer"
    assert len(slug("a" * 100)) == 32


def test_drafts_round_trip(tmp_path: Path) -> None:
    key = "range:abc:def:0"
    assert load_draft(tmp_path, key) is None
    data = {"verdict": None, "summary": "half done", "answers": {"db.sql": {"answer": "pass", "note": ""}}}
    path = save_draft(tmp_path, key, data)
    assert path == draft_path(tmp_path, key) and path.parent == tmp_path / "signoff" / "drafts"
    assert load_draft(tmp_path, key) == {
        "summary": "half done",
        "answers": {"db.sql": {"answer": "pass", "note": ""}},
    }
    assert load_draft(tmp_path, "range:other:def:0") is None
    delete_draft(tmp_path, key)
    assert load_draft(tmp_path, key) is None
