"""signoff gate on real repositories with records signed by real ssh-keygen keys."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from signoff.audit.gate import run_gate
from signoff.cli.main import main
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.records.model import Answer, ChecklistRef
from signoff.signing.sign import sign_record, signing_config
from signoff.signing.trustroot import resolve_gate_target
from tests.helpers import commit_files, git, make_repo
from tests.review_helpers import allowed, signed_record, store


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory):
    from tests.sigkeys import SshKeys

    return SshKeys(tmp_path_factory.mktemp("gatekeys"))


@pytest.fixture
def pr(tmp_path: Path, keys) -> Path:
    """main (trusting alice, bob and carol-expired) and a checked-out ``feature`` branch two commits ahead."""
    r = make_repo(tmp_path / "repo")
    trust = allowed(
        [
            ("alice@example.com", keys["ed25519"], ""),
            ("bob@example.com", keys["ed25519-bob"], ""),
            ("carol@example.com", keys["ed25519-carol"], 'valid-before="20260101"'),
        ]
    )
    commit_files(r, {"app.py": "x = 1\n", ".signoff/allowed_signers": trust}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"app.py": "x = 2\n"}, "one")
    commit_files(r, {"lib.py": "y = 1\n"}, "two")
    return r


def approve(r: Path, keys, who: str = "ed25519", email: str = "alice@example.com", **kw) -> Path:
    return store(r, signed_record(r, keys.private_ed25519(who), base="main", head="HEAD", email=email, **kw))


def gate(r: Path, rng: str = "main...HEAD", **kw):
    g = open_repo(r)
    return run_gate(g, resolve_target(g, rng), resolve_gate_target(g, "main"), **kw)


def test_no_review_fails_and_says_so(pr: Path) -> None:
    res = gate(pr)
    assert not res.passed
    assert "has 0" in res.missing[0] and "no review record" in res.missing[1]


def test_approval_then_record_commit_passes(pr: Path, keys) -> None:
    approve(pr, keys)
    assert gate(pr).passed  # record not committed yet: the head itself
    commit_files(pr, {}, "add review record")
    res = gate(pr)  # head now differs from the reviewed head only in .signoff/reviews/
    assert res.passed and res.approvers == ["alice@example.com"]


def test_min_approvals_counts_distinct_signers(pr: Path, keys) -> None:
    approve(pr, keys, finished="2026-02-01T00:00:00Z")
    approve(pr, keys, finished="2026-02-02T00:00:00Z")  # alice again: still one approver
    res = gate(pr, min_approvals=2)
    assert not res.passed and "needs 2 approval(s)" in res.missing[0] and "has 1" in res.missing[0]
    approve(pr, keys, "ed25519-bob", "bob@example.com")
    assert gate(pr, min_approvals=2).passed


def test_new_code_after_review_fails(pr: Path, keys) -> None:
    approve(pr, keys)
    commit_files(pr, {"app.py": "x = 3\n"}, "sneaky change after the review")
    res = gate(pr)
    assert not res.passed and res.approvals == []


def test_squash_or_rebase_with_same_tree_passes(pr: Path, keys) -> None:
    approve(pr, keys)
    commit_files(pr, {}, "record")
    git(pr, "checkout", "-q", "-b", "squashed", "main")
    git(pr, "merge", "-q", "--squash", "feature")
    commit_files(pr, {}, "squashed feature")
    assert gate(pr).passed


def test_partial_review_does_not_count(pr: Path, keys) -> None:
    store(pr, signed_record(pr, keys.private_ed25519("ed25519"), base="HEAD~1", head="HEAD"))
    res = gate(pr)
    assert not res.passed
    assert any("reviewed only" in m for m in res.missing)


def test_forged_unknown_and_expired_do_not_count(pr: Path, keys) -> None:
    good = signed_record(pr, keys.private_ed25519("ed25519"), base="main", head="HEAD", verdict="reject")
    store(pr, replace(good, review=replace(good.review, verdict="approve")))  # signature no longer matches
    store(
        pr,
        signed_record(
            pr, keys.private_ed25519("ed25519-m"), base="main", head="HEAD", email="m@evil.example"
        ),
    )
    store(
        pr,
        signed_record(
            pr, keys.private_ed25519("ed25519-carol"), base="main", head="HEAD", email="carol@example.com"
        ),
    )
    res = gate(pr)
    assert not res.passed and res.approvals == []
    why = "\n".join(res.missing)
    assert "bad-signature" in why and "unknown-signer" in why and "expired" in why


def test_trust_comes_from_the_target(pr: Path, keys) -> None:
    """A change that adds its author's key to allowed_signers cannot approve itself."""
    mallory = keys["ed25519-m"]
    p = pr / ".signoff/allowed_signers"
    p.write_text(p.read_text() + allowed([("m@evil.example", mallory, "")]))
    commit_files(pr, {}, "trust me")
    store(
        pr,
        signed_record(
            pr, keys.private_ed25519("ed25519-m"), base="main", head="HEAD", email="m@evil.example"
        ),
    )
    res = gate(pr)
    assert not res.passed and "unknown-signer" in "\n".join(res.missing)
    assert res.trust_source.startswith(".signoff/allowed_signers at main (")


def test_latest_verdict_per_reviewer_wins(pr: Path, keys) -> None:
    approve(pr, keys, finished="2026-02-01T00:00:00Z")
    approve(pr, keys, finished="2026-02-02T00:00:00Z", verdict="changes-requested")
    assert not gate(pr).passed


def test_failed_high_answer_blocks_until_passed(pr: Path, keys) -> None:
    fail = [Answer("db.sql", "SQL parameterised?", "fail", "high", "concat")]
    approve(pr, keys, finished="2026-02-01T00:00:00Z", answers=fail)
    res = gate(pr)
    assert not res.passed and [b.question for b in res.blockers] == ["db.sql"]
    assert any("failed answer db.sql (severity high)" in m for m in res.missing)
    ok = [Answer("db.sql", "SQL parameterised?", "pass", "high")]
    approve(pr, keys, "ed25519-bob", "bob@example.com", finished="2026-02-02T00:00:00Z", answers=ok)
    assert gate(pr).passed


def test_low_failed_answer_does_not_block(pr: Path, keys) -> None:
    approve(pr, keys, answers=[Answer("style.x", "Nits?", "fail", "low")])
    assert gate(pr).passed


def test_required_checklist(pr: Path, keys) -> None:
    git(pr, "checkout", "-q", "main")
    commit_files(pr, {".signoff/config.toml": '[gate]\nrequired_checklists = ["web"]\n'}, "policy")
    git(pr, "checkout", "-q", "feature")
    git(pr, "rebase", "-q", "main")
    web = [ChecklistRef("web", "1", "f" * 64)]
    approve(
        pr,
        keys,
        finished="2026-02-01T00:00:00Z",
        checklists=web,
        answers=[Answer("web.xss", "Output encoded?", "skipped")],
    )
    res = gate(pr)
    assert not res.passed and "required checklist web not complete" in res.missing[-1]
    assert "skipped" in res.checklists_missing["web"]
    approve(
        pr,
        keys,
        finished="2026-02-02T00:00:00Z",
        checklists=web,
        answers=[Answer("web.xss", "Output?", "pass")],
    )
    assert gate(pr).passed


def test_policy_comes_from_the_target(pr: Path, keys) -> None:
    """A change cannot lower min_approvals for itself."""
    git(pr, "checkout", "-q", "main")
    commit_files(pr, {".signoff/config.toml": "[gate]\nmin_approvals = 2\n"}, "policy")
    git(pr, "checkout", "-q", "feature")
    git(pr, "rebase", "-q", "main")
    commit_files(pr, {".signoff/config.toml": "[gate]\nmin_approvals = 0\n"}, "lower the bar")
    approve(pr, keys)
    res = gate(pr)
    assert res.min_approvals == 2 and not res.passed


def test_signed_with_ssh_keygen(pr: Path, keys) -> None:
    """A record signed by ssh-keygen -Y sign (via signoff.signing.sign) counts."""
    rec = signed_record(pr, keys.private_ed25519("ed25519"), base="main", head="HEAD")
    cfg = signing_config(open_repo(pr), key=str(keys["ed25519"].path), fmt="ssh")
    store(pr, sign_record(replace(rec, signature=None), cfg))
    assert gate(pr).passed


def test_cli_exit_codes_and_json(pr: Path, keys, capsys) -> None:
    assert main(["-C", str(pr), "gate", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "signoff.gate/1" and doc["passed"] is False and doc["missing"]
    approve(pr, keys)
    assert main(["-C", str(pr), "gate", "main...HEAD", "--min-approvals", "1"]) == 0
    assert "PASS" in capsys.readouterr().out
    assert main(["-C", str(pr), "gate", "no-such-rev..HEAD"]) == 3
    assert main(["-C", str(pr), "gate", "--worktree"]) == 2


def test_pre_push_range(pr: Path, keys, monkeypatch) -> None:
    approve(pr, keys)
    head = git(pr, "rev-parse", "HEAD").strip()
    # A new branch (FROM is all zeros): the default target, main...HEAD, which alice approved.
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "0" * 40)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", head)
    assert main(["-C", str(pr), "gate"]) == 0
    commit_files(pr, {"app.py": "x = 4\n"}, "unreviewed, pushed")
    new = git(pr, "rev-parse", "HEAD").strip()
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", head)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", new)
    assert main(["-C", str(pr), "gate"]) == 1


def test_pre_commit_hooks_file() -> None:
    text = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text()
    assert "id: signoff-gate" in text and "stages: [pre-push]" in text and "entry: signoff gate" in text


def test_init_writes_config_and_allowed_signer(tmp_path: Path, keys, capsys, monkeypatch) -> None:
    r = make_repo(tmp_path / "repo")
    user = tmp_path / "user.gitconfig"  # the user's own (global) config: init trusts nothing else
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(user))
    git(r, "config", "--global", "gpg.format", "ssh")
    git(r, "config", "--global", "user.signingKey", str(keys["ed25519"].pub_path))
    git(r, "config", "--global", "user.email", "alice@example.com")
    assert main(["-C", str(r), "init", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "--- github ---" in out and "--- gitlab ---" in out and "--- pre-commit ---" in out
    import tomllib

    cfg = tomllib.loads((r / ".signoff/config.toml").read_text())
    assert cfg["gate"]["min_approvals"] == 1 and cfg["gate"]["block_severity"] == "high"
    # Every key is documented by a comment line right above it.
    lines = (r / ".signoff/config.toml").read_text().splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            assert lines[i - 1].startswith("#"), line
    signers = (r / ".signoff/allowed_signers").read_text()
    assert f'alice@example.com namespaces="signoff-review" {keys["ed25519"].pub.split(" ")[0]}' in signers
    # Idempotent; the line verifies with ssh-keygen's own parser.
    assert main(["-C", str(r), "init", "--snippets", "none"]) == 0
    assert (r / ".signoff/allowed_signers").read_text() == signers
    assert "already trusts" in capsys.readouterr().out
    sig = subprocess.run(
        ["ssh-keygen", "-Y", "sign", "-n", "signoff-review", "-f", str(keys["ed25519"].path)],
        input=b"x",
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    (tmp_path / "sig").write_bytes(sig)
    subprocess.run(
        [
            "ssh-keygen",
            "-Y",
            "verify",
            "-f",
            str(r / ".signoff/allowed_signers"),
            "-I",
            "alice@example.com",
            "-n",
            "signoff-review",
            "-s",
            str(tmp_path / "sig"),
        ],
        input=b"x",
        capture_output=True,
        check=True,
        timeout=30,
    )


def test_init_without_ssh_key_explains(tmp_path: Path, capsys) -> None:
    r = make_repo(tmp_path / "repo")
    assert main(["-C", str(r), "init", "--snippets", "none"]) == 0
    out = capsys.readouterr().out
    assert "not updated" in out and not (r / ".signoff/allowed_signers").exists()


def test_broken_checklist_fails_the_gate_and_says_why(pr: Path, keys) -> None:
    """The target branch holds a broken checklist (the gate reads checklists at the base): the gate says
    so instead of silently losing severities."""
    git(pr, "checkout", "-q", "main")
    commit_files(pr, {".signoff/checklists/evil.toml": "id = 'evil'\n[[questions\n"}, "break checklists")
    git(pr, "checkout", "-q", "feature")
    git(pr, "rebase", "-q", "main")
    approve(pr, keys, answers=[Answer("db.parameterized-queries", "SQL parameterised?", "fail")])
    res = gate(pr)
    assert not res.passed
    assert any(m.startswith("checklists could not be loaded") and "evil.toml" in m for m in res.missing)


def test_votes_use_typed_reasons_not_message_text(pr: Path, keys) -> None:
    from signoff.audit.gate import CountReason

    approve(pr, keys, finished="2026-02-01T00:00:00Z")
    approve(pr, keys, "ed25519-bob", "bob@example.com", finished="2026-02-02T00:00:00Z", verdict="reject")
    res = gate(pr, min_approvals=1)
    reasons = {c.entry.reviewer: c.reason for c in res.considered}
    assert reasons == {"alice@example.com": CountReason.APPROVED, "bob@example.com": CountReason.VERDICT}
