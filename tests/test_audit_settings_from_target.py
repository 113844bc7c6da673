"""``signoff audit`` takes its settings and trust from the target's tip, never from the branch it runs on.

The audit often runs in a checkout of a branch under review (a PR's CI job). That branch's own
``.signoff/config.toml`` and ``allowed_signers`` must not change what the audit counts or hides:
``[audit]``, ``[review]``, ``[ai]`` and the trusted keys come from the target (``--target REF``, default
as for the gate: the protected branch's remote-tracking ref). Real histories, real ssh-keygen keys.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import commit_files, git, make_repo
from tests.trust_helpers import audit, cli, commit_record, protect, rev, signed, trust

EVIL = "def check(user):\n    return True\n"


def _main_with_a_direct_push(tmp_path: Path, ssh_keys) -> tuple[Path, str]:
    """main: a base with alice trusted, then an unreviewed direct push; origin/main protects it."""
    r = make_repo(tmp_path / "repo")
    signers = trust(("alice@example.com", ssh_keys["ed25519"]))
    commit_files(r, {".signoff/allowed_signers": signers, "auth.py": "x = 1\n"}, "base")
    pushed = commit_files(r, {"auth.py": EVIL}, "pushed straight to main")
    protect(r)
    git(r, "checkout", "-q", "-b", "pr")
    return r, pushed


def _unreviewed(doc: dict) -> list[str]:
    return [c["sha"] for c in doc["commits"] if not c["reviewed"]]


def test_the_branchs_own_audit_settings_do_not_hide_unreviewed_commits(tmp_path: Path, ssh_keys) -> None:
    r, pushed = _main_with_a_direct_push(tmp_path, ssh_keys)
    config = '[audit]\nunreviewed_is_problem = false\nsince = "2030-01-01"\n'
    commit_files(r, {".signoff/config.toml": config}, "quiet the audit")
    code, doc = audit(r)
    assert pushed in _unreviewed(doc), doc["commits"]
    assert code == 1, doc["problems"]
    assert doc["settings"].startswith(".signoff/config.toml at origin/main") or "defaults" in doc["settings"]


def test_the_branchs_own_default_branch_does_not_choose_what_is_audited(tmp_path: Path, ssh_keys) -> None:
    r, pushed = _main_with_a_direct_push(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "-b", "clean", "main~1")
    commit_files(r, {"docs.md": "x\n"}, "an innocent branch")
    git(r, "checkout", "-q", "pr")
    commit_files(r, {".signoff/config.toml": '[review]\ndefault_branch = "clean"\n'}, "audit elsewhere")
    code, doc = audit(r)
    assert doc["branch"] != "clean"
    assert pushed in _unreviewed(doc)
    assert code == 1


def test_the_branchs_own_allowed_signers_do_not_make_its_approvals_count(tmp_path: Path, ssh_keys) -> None:
    """The branch trusts mallory's key and commits her approval of the direct push to main."""
    r, pushed = _main_with_a_direct_push(tmp_path, ssh_keys)
    alice, mallory = ssh_keys["ed25519"], ssh_keys["ed25519-m"]
    signers = trust(("alice@example.com", alice), ("mallory@example.com", mallory))
    commit_files(r, {".signoff/allowed_signers": signers}, "trust mallory")
    rec = signed(ssh_keys, "ed25519-m", r, base="main~1", head="main", email="mallory@example.com")
    commit_record(r, rec, "mallory approves")
    code, doc = audit(r, "--branch", "pr")
    assert pushed in _unreviewed(doc), doc["records"]
    assert "origin/main" in doc["trust"]
    assert code == 1


def test_config_and_trust_on_the_target_apply(tmp_path: Path, ssh_keys) -> None:
    """Control: the same settings committed on the target do apply, and --target names another ref."""
    r, pushed = _main_with_a_direct_push(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "main")
    commit_files(r, {".signoff/config.toml": "[audit]\nunreviewed_is_problem = false\n"}, "policy")
    code, doc = audit(r)
    assert code == 1  # origin/main still has no config
    code, doc = audit(r, "--target", "main")
    assert code == 0, doc["problems"]
    assert pushed in _unreviewed(doc)
    assert doc["settings"].startswith(".signoff/config.toml at main (")
    for fmt in ("text", "markdown"):
        _, out, _ = cli(r, "audit", "--no-ai", "--target", "main", "--format", fmt)
        assert "config.toml at main " in out.replace("\\", ""), out


def test_no_target_is_a_one_line_error(tmp_path: Path, ssh_keys) -> None:
    r = make_repo(tmp_path / "repo", branch="trunk")
    commit_files(r, {"a.py": "a = 1\n"}, "base")
    code, out, err = cli(r, "audit", "--no-ai")
    assert code == 2, out + err
    assert "--target" in err and "Traceback" not in err
    code, out, err = cli(r, "audit", "--no-ai", "--target", "trunk")
    assert code == 1, err  # the base commit is unreviewed
    assert rev(r, "HEAD") in out or "unreviewed" in out
