"""How votes are counted (issue 11, "Votes"): records are append-only evidence, a reviewer's latest record
is their vote and a reject blocks, one key is one vote, the author's own approval does not count, a
partial review is not a full approval, and the change cannot rewrite the checklists it is judged by.
"""

from __future__ import annotations

from pathlib import Path

from signoff.records.model import Answer
from tests.helpers import commit_files, git, make_repo
from tests.trust_helpers import commit_record, gate, signed, trust

SQL = 'def find(cursor, uid):\n    return cursor.execute(f"SELECT * FROM users WHERE id = {uid}")\n'


def _pr(tmp_path: Path, ssh_keys, signers: str | None = None, config: str | None = None) -> Path:
    """main trusting alice and bob, and a checked-out ``feature`` two commits ahead."""
    r = make_repo(tmp_path / "repo")
    signers = signers or trust(
        ("alice@example.com", ssh_keys["ed25519"]), ("bob@example.com", ssh_keys["ed25519-bob"])
    )
    files = {"app.py": "x = 1\n", ".signoff/allowed_signers": signers}
    if config is not None:
        files[".signoff/config.toml"] = config
    commit_files(r, files, "base")
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"app.py": "x = 2\n"}, "one")
    commit_files(r, {"lib.py": "y = 1\n"}, "two")
    return r


def _approve(r: Path, ssh_keys, who: str = "ed25519", email: str = "alice@example.com", **kw) -> Path:
    return commit_record(r, signed(ssh_keys, who, r, base="main...HEAD", head="HEAD", email=email, **kw))


# -- records are append-only evidence -----------------------------------------------------------------


def test_deleting_a_later_reject_does_not_bring_the_approval_back(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    head = git(r, "rev-parse", "HEAD").strip()
    _approve(r, ssh_keys, finished="2026-02-01T00:00:00Z")
    reject = commit_record(
        r,
        signed(
            ssh_keys, "ed25519", r, base="main", head=head, verdict="reject", finished="2026-02-02T00:00:00Z"
        ),
    )
    assert gate(r, "main...HEAD")[0] == 1
    git(r, "rm", "-q", str(reject.relative_to(r)))
    commit_files(r, {}, "tidy records")
    code, doc, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert doc is not None and doc["approvals"] == []


def test_editing_a_record_file_needs_review(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    path = _approve(r, ssh_keys)
    path.write_text(path.read_text() + "\n# edited\n")
    commit_files(r, {}, "touch the record")
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert ".signoff/reviews/" in text


# -- a reviewer's latest record is their vote; a reject blocks ---------------------------------------


def test_a_later_reject_of_the_last_commit_only_is_the_reviewers_vote(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    head = git(r, "rev-parse", "HEAD").strip()
    _approve(r, ssh_keys, finished="2026-02-01T00:00:00Z")
    later = signed(
        ssh_keys, "ed25519", r, base="HEAD~2", head=head, verdict="reject", finished="2026-02-02T00:00:00Z"
    )
    commit_record(r, later)
    code, doc, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert doc is not None and doc["approvals"] == []


def test_a_reject_from_another_allowed_signer_blocks(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    _approve(r, ssh_keys)
    _approve(r, ssh_keys, "ed25519-bob", "bob@example.com", verdict="changes-requested")
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert "bob@example.com" in text and "changes-requested" in text


def test_reject_blocks_can_be_turned_off_on_the_target(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys, config="[gate]\nreject_blocks = false\n")
    _approve(r, ssh_keys)
    _approve(r, ssh_keys, "ed25519-bob", "bob@example.com", verdict="reject")
    code, _, text = gate(r, "main...HEAD")
    assert code == 0, text


# -- one key, one vote ----------------------------------------------------------------------------------


def test_one_key_listed_for_two_emails_is_one_vote(tmp_path: Path, ssh_keys) -> None:
    k = ssh_keys["ed25519"]
    r = _pr(tmp_path, ssh_keys, signers=trust(("alice@example.com", k), ("alice.two@example.com", k)))
    _approve(r, ssh_keys)
    _approve(r, ssh_keys, email="alice.two@example.com")
    code, doc, text = gate(r, "main...HEAD", "--min-approvals", "2")
    assert code == 1, text
    assert doc is not None and len(doc["approvals"]) == 1


def test_a_wildcard_principal_is_one_vote(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys, signers=trust(("*@example.com", ssh_keys["ed25519"])))
    _approve(r, ssh_keys, email="a@example.com")
    _approve(r, ssh_keys, email="b@example.com")
    code, _, text = gate(r, "main...HEAD", "--min-approvals", "2")
    assert code == 1, text


def test_two_keys_of_one_person_are_one_vote(tmp_path: Path, ssh_keys) -> None:
    signers = trust(
        ("alice@example.com", ssh_keys["ed25519"]), ("alice@example.com", ssh_keys["ed25519-alice2"])
    )
    r = _pr(tmp_path, ssh_keys, signers=signers)
    _approve(r, ssh_keys)
    _approve(r, ssh_keys, "ed25519-alice2")
    code, _, text = gate(r, "main...HEAD", "--min-approvals", "2")
    assert code == 1, text


# -- self-approval ------------------------------------------------------------------------------------


def test_the_authors_own_approval_does_not_count(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    commit_files(r, {"lib.py": "y = 2\n"}, "mine", author="Alice <alice@example.com>")
    _approve(r, ssh_keys)
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert "self-approval" in text


def test_self_approval_can_be_allowed_on_the_target(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys, config="[gate]\nallow_self_approval = true\n")
    commit_files(r, {"lib.py": "y = 2\n"}, "mine", author="Alice <alice@example.com>")
    _approve(r, ssh_keys)
    code, _, text = gate(r, "main...HEAD")
    assert code == 0, text


def test_self_approval_by_the_key_that_signed_the_commits(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    git(r, "config", "gpg.format", "ssh")
    git(r, "config", "user.signingKey", str(ssh_keys["ed25519"].path))
    (r / "lib.py").write_text("y = 3\n")
    git(r, "add", "lib.py")
    git(r, "commit", "-q", "-S", "-m", "signed by alice's key, under another name")
    _approve(r, ssh_keys)
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert "self-approval" in text


# -- partial reviews ----------------------------------------------------------------------------------


def test_a_review_of_some_files_is_not_a_full_approval(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    _approve(r, ssh_keys, files_reviewed=["app.py"], thoroughness="none", understanding="none")
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert "lib.py" in text and "thoroughness" in text


def test_a_triggered_critical_question_must_be_answered(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    commit_files(r, {"db.py": SQL}, "query")
    _approve(r, ssh_keys, answers=[Answer("db.parameterized-queries", "SQL?", "skipped", "critical")])
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert "db.parameterized-queries" in text
    _approve(
        r,
        ssh_keys,
        "ed25519-bob",
        "bob@example.com",
        answers=[Answer("db.parameterized-queries", "SQL?", "pass", "critical")],
    )
    code, _, text = gate(r, "main...HEAD")
    assert code == 0, text  # bob's approval is complete (alice's does not count, and does not block)


def test_the_change_cannot_lower_the_severity_it_is_judged_by(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    ours = '[[questions]]\nid = "db.parameterized-queries"\nseverity = "low"\n'
    commit_files(r, {"db.py": SQL, ".signoff/checklists/ours.toml": 'id = "database"\n' + ours}, "query")
    failed = [Answer("db.parameterized-queries", "SQL?", "fail", "low", "f-string")]
    _approve(r, ssh_keys, answers=failed)
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert "db.parameterized-queries" in text and "critical" in text


# -- audit: deleting a record removes nothing ---------------------------------------------------------


def test_audit_deleting_a_record_needs_review_and_hides_nothing(tmp_path: Path, ssh_keys) -> None:
    r = _pr(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    failed = [Answer("db.parameterized-queries", "SQL?", "fail", "critical", "f-string")]
    path = commit_record(
        r,
        signed(
            ssh_keys, "ed25519-bob", r, base="HEAD^1", head="HEAD^2", email="bob@example.com", answers=failed
        ),
    )
    git(r, "rm", "-q", str(path.relative_to(r)))
    drop = commit_files(r, {}, "drop an inconvenient record")
    from tests.trust_helpers import audit

    code, doc = audit(r)
    assert code == 1
    dropped = next(c for c in doc["commits"] if c["sha"] == drop)
    assert dropped["reviewed"] is False and dropped["records_only"] is False
    assert [f["question"] for f in doc["failed_answers"]] == ["db.parameterized-queries"]
