"""Trust and policy come from the target branch's tip, never from anything the change can choose.

Attacks (issue 11, "Trust root and policy"): branching from an old main commit to bring back a removed
key, a lower ``min_approvals`` or the time before ``allowed_signers`` existed; a gate without a RANGE
that reads its target from the change's own config (what the pre-push hook does for a new branch).
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import commit_files, git, make_repo
from tests.trust_helpers import cli, commit_record, gate, protect, signed, trust


def _main(tmp_path: Path, ssh_keys, **files: str) -> Path:
    r = make_repo(tmp_path / "repo")
    signers = trust(("alice@example.com", ssh_keys["ed25519"]), ("bob@example.com", ssh_keys["ed25519-bob"]))
    commit_files(
        r,
        {
            "app.py": "def check(user):\n    return user.is_admin\n",
            ".signoff/allowed_signers": signers,
            **files,
        },
        "base",
    )
    return r


def test_key_removed_on_main_does_not_come_back_from_an_old_branch_point(tmp_path: Path, ssh_keys) -> None:
    r = make_repo(tmp_path / "repo")
    dave = ssh_keys["ed25519-dave"]
    signers = trust(("alice@example.com", ssh_keys["ed25519"]), ("dave@example.com", dave))
    old = commit_files(r, {"app.py": "x = 1\n", ".signoff/allowed_signers": signers}, "base")
    commit_files(
        r, {".signoff/allowed_signers": trust(("alice@example.com", ssh_keys["ed25519"]))}, "revoke dave"
    )
    git(r, "checkout", "-q", "-b", "feature", old)  # the author picks the merge-base
    commit_files(r, {"app.py": "x = 'evil'\n"}, "evil")
    commit_record(
        r, signed(ssh_keys, "ed25519-dave", r, base="main...HEAD", head="HEAD", email="dave@example.com")
    )
    code, doc, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert doc is not None and not doc["passed"]
    assert "unknown-signer" in "\n".join(doc["missing"])


def test_lower_min_approvals_at_an_old_branch_point_does_not_apply(tmp_path: Path, ssh_keys) -> None:
    r = _main(tmp_path, ssh_keys)
    old = git(r, "rev-parse", "HEAD").strip()
    commit_files(r, {".signoff/config.toml": "[gate]\nmin_approvals = 2\n"}, "two reviewers")
    git(r, "checkout", "-q", "-b", "feature", old)
    commit_files(r, {"app.py": "def check(user):\n    return True\n"}, "evil")
    commit_record(r, signed(ssh_keys, "ed25519", r, base="main...HEAD", head="HEAD"))
    code, doc, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert doc is not None and doc["policy"]["min_approvals"] == 2


def test_branching_from_before_allowed_signers_existed_gives_no_self_trust(tmp_path: Path, ssh_keys) -> None:
    r = make_repo(tmp_path / "repo")
    old = commit_files(r, {"app.py": "x = 1\n"}, "before signoff")
    commit_files(r, {".signoff/allowed_signers": trust(("alice@example.com", ssh_keys["ed25519"]))}, "adopt")
    git(r, "checkout", "-q", "-b", "feature", old)
    mallory = ssh_keys["ed25519-m"]
    commit_files(
        r, {"app.py": "x = 'evil'\n", ".signoff/allowed_signers": trust(("m@evil.example", mallory))}, "evil"
    )
    commit_record(
        r, signed(ssh_keys, "ed25519-m", r, base="main...HEAD", head="HEAD", email="m@evil.example")
    )
    code, doc, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert doc is not None and "main" in doc["policy"]["trust"]


def _self_targeting_change(tmp_path: Path, ssh_keys) -> Path:
    r = _main(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(
        r,
        {
            "app.py": "def check(user):\n    return True\n",
            ".signoff/config.toml": '[review]\ndefault_branch = "feature"\n',
        },
        "evil, and gate me against myself",
    )
    return r


def test_gate_without_range_ignores_the_changes_default_branch(tmp_path: Path, ssh_keys) -> None:
    r = _self_targeting_change(tmp_path, ssh_keys)
    code, out, err = cli(r, "gate")
    assert code == 1, out + err
    assert "nothing to review" not in out + err


def test_pre_push_of_a_new_branch_gates_against_the_trusted_target(
    tmp_path: Path, ssh_keys, monkeypatch
) -> None:
    r = _self_targeting_change(tmp_path, ssh_keys)
    protect(r)
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "0" * 40)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", git(r, "rev-parse", "HEAD").strip())
    code, out, err = cli(r, "gate")
    assert code == 1, out + err
    assert "origin/main" in out


def test_target_option_takes_trust_policy_and_range_from_the_target(tmp_path: Path, ssh_keys) -> None:
    r = _main(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"util.py": "def fmt(x):\n    return repr(x)\n"}, "util")
    commit_record(
        r, signed(ssh_keys, "ed25519-bob", r, base="main...HEAD", head="HEAD", email="bob@example.com")
    )
    code, doc, text = gate(r, "--target", "main")
    assert code == 0, text
    assert doc is not None and doc["target"]["ref"] == "main"
    assert doc["policy"]["trust"].startswith(".signoff/allowed_signers at main")


def test_default_target_is_the_protected_branchs_remote_tracking_ref(tmp_path: Path, ssh_keys) -> None:
    r = _main(tmp_path, ssh_keys)
    protect(r)
    # A local main the change's author moved (in CI this is whatever the checkout made) is not the target.
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(
        r, {".signoff/allowed_signers": trust(("m@evil.example", ssh_keys["ed25519-m"]))}, "trust me"
    )
    git(r, "branch", "-f", "main", "HEAD")
    commit_files(r, {"app.py": "evil = 1\n"}, "evil")
    commit_record(r, signed(ssh_keys, "ed25519-m", r, base="HEAD~1", head="HEAD", email="m@evil.example"))
    code, doc, text = gate(r)
    assert code == 1, text
    assert doc is not None and doc["target"]["ref"] == "origin/main"


def test_shipped_pre_push_snippet_names_the_target(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    code, out, _ = cli(r, "init", "--snippets", "pre-commit")
    assert code == 0
    assert "--target" in out
    hooks = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text()
    assert "--target" in hooks or "target" in hooks.lower()
