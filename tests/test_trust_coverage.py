"""What an approval covers: the reviewed diff must contain the gated diff (issue 11, "What an approval
covers"): same tree is not the same change, a far-back reviewed base covers nothing it did not show,
evil merges need coverage, and a reviewed root import covers no later direct push.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from signoff.git.runner import EMPTY_TREE
from tests.helpers import commit_files, git, git_env, make_repo
from tests.trust_helpers import audit, commit_record, gate, rev, signed, trust

VULN = "def check(user):\n    return True\n"
FIXED = "def check(user):\n    return user.is_admin\n"


def git_code(repo: Path, *args: str) -> int:
    """Exit code of a git command expected to fail (a conflicted merge); bounded, no prompts."""
    argv = ["git", "-C", str(repo), *args]
    return subprocess.run(argv, capture_output=True, env=git_env(), timeout=60, check=False).returncode


def _repo(tmp_path: Path, ssh_keys, files: dict[str, str]) -> Path:
    r = make_repo(tmp_path / "repo")
    signers = trust(("alice@example.com", ssh_keys["ed25519"]), ("bob@example.com", ssh_keys["ed25519-bob"]))
    commit_files(r, {".signoff/allowed_signers": signers, **files}, "base")
    return r


def test_relanding_an_old_approved_tree_does_not_revert_a_later_fix(tmp_path: Path, ssh_keys) -> None:
    r = _repo(tmp_path, ssh_keys, {"auth.py": VULN})
    git(r, "checkout", "-q", "-b", "pr1")
    commit_files(r, {"feature.py": "def feature():\n    return 1\n"}, "feature")
    commit_record(r, signed(ssh_keys, "ed25519", r, base="main", head="HEAD"))
    approved = rev(r, "HEAD")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--no-ff", "-m", "merge pr1", "pr1")
    commit_files(r, {"auth.py": FIXED}, "security fix")
    git(r, "checkout", "-q", "-b", "pr2")
    git(r, "checkout", approved, "--", ".")  # the old approved tree, on today's main
    commit_files(r, {}, "tidy up")
    assert git(r, "rev-parse", "HEAD^{tree}") == git(r, "rev-parse", f"{approved}^{{tree}}")
    code, doc, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert doc is not None and doc["approvals"] == []


def test_an_approval_from_a_far_back_base_covers_only_what_it_showed(tmp_path: Path, ssh_keys) -> None:
    r = _repo(tmp_path, ssh_keys, {"auth.py": VULN, "ui.py": "x = 1\n"})
    far = rev(r, "HEAD")
    commit_files(r, {"auth.py": FIXED}, "security fix")
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"auth.py": VULN, "ui.py": "x = 2\n"}, "ui tweak (and quietly undo the fix)")
    # The reviewer was shown far..HEAD: auth.py is the same at both ends, so it was not in the diff.
    commit_record(r, signed(ssh_keys, "ed25519", r, base=far, head="HEAD"))
    code, doc, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert "auth.py" in "\n".join(doc["missing"]) if doc else False


def test_landing_only_part_of_an_approved_change_needs_review(tmp_path: Path, ssh_keys) -> None:
    """The reviewer approved moving a check: removed from the old endpoint, added in a middleware. The
    author then lands only the removal: its diff is contained in the approved one, path by path, but it
    is not the change that was approved (found in the attacker's look at trust model v2)."""
    old_api = "def endpoint(user):\n    if not user.is_admin:\n        raise PermissionError\n    return 1\n"
    r = _repo(tmp_path, ssh_keys, {"api.py": old_api, "middleware.py": "def wrap(f):\n    return f\n"})
    git(r, "checkout", "-q", "-b", "feature")
    moved = (
        "def wrap(f):\n    def g(user):\n        assert user.is_admin\n        return f(user)\n    return g\n"
    )
    commit_files(r, {"api.py": "def endpoint(user):\n    return 1\n", "middleware.py": moved}, "move check")
    commit_record(r, signed(ssh_keys, "ed25519", r, base="main", head="HEAD"))
    git(r, "checkout", "-q", "main", "--", "middleware.py")
    commit_files(r, {}, "keep it simple")
    code, doc, text = gate(r, "main...HEAD")
    assert code == 1, text
    assert doc is not None and doc["approvals"] == []
    assert "middleware.py" in str(doc["records"]), text


def test_rebase_onto_an_unrelated_main_change_keeps_the_approval(tmp_path: Path, ssh_keys) -> None:
    """The reviewed diff still contains the gated diff: the same change to the same files."""
    r = _repo(tmp_path, ssh_keys, {"util.py": "def fmt(x):\n    return str(x)\n", "docs.md": "a\n"})
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"util.py": "def fmt(x):\n    return repr(x)\n"}, "repr")
    commit_record(r, signed(ssh_keys, "ed25519", r, base="main", head="HEAD"))
    git(r, "checkout", "-q", "main")
    commit_files(r, {"docs.md": "b\n"}, "docs")
    git(r, "checkout", "-q", "feature")
    git(r, "rebase", "-q", "main")
    code, _, text = gate(r, "main...HEAD")
    assert code == 0, text


def test_rebase_onto_a_change_of_a_reviewed_file_needs_review(tmp_path: Path, ssh_keys) -> None:
    r = _repo(tmp_path, ssh_keys, {"auth.py": FIXED})
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"extra.py": "y = 1\n", "auth.py": FIXED + "# note\n"}, "feature")
    commit_record(r, signed(ssh_keys, "ed25519", r, base="main", head="HEAD"))
    git(r, "checkout", "-q", "main")
    commit_files(r, {"auth.py": "# header\n" + FIXED}, "main touches auth.py")
    git(r, "checkout", "-q", "feature")
    git(r, "rebase", "-q", "main")
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text


def _approved_branch(tmp_path: Path, ssh_keys, *, record_on_branch: bool = True):
    """main and an approved ``feature``; the record is committed on the branch or returned to commit later."""
    r = _repo(tmp_path, ssh_keys, {"auth.py": FIXED})
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"feature.py": "def feature():\n    return 1\n"}, "feature")
    rec = signed(ssh_keys, "ed25519", r, base="main", head="HEAD")
    if record_on_branch:
        commit_record(r, rec)
    git(r, "checkout", "-q", "main")
    return r if record_on_branch else (r, rec)


def _merge_commit(audit_doc: dict, sha: str) -> dict:
    return next(c for c in audit_doc["commits"] if c["sha"] == sha)


def test_audit_clean_merge_of_an_approved_head_is_reviewed(tmp_path: Path, ssh_keys) -> None:
    r, rec = _approved_branch(tmp_path, ssh_keys, record_on_branch=False)
    commit_files(r, {"docs.md": "x\n"}, "main moves on")
    git(r, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    merge = rev(r, "HEAD")
    commit_record(r, rec, "the approval of feature's head")
    _, doc = audit(r)
    assert _merge_commit(doc, merge)["reviewed"] is True


def test_audit_evil_merge_is_unreviewed(tmp_path: Path, ssh_keys) -> None:
    r, rec = _approved_branch(tmp_path, ssh_keys, record_on_branch=False)
    git(r, "merge", "-q", "--no-ff", "--no-commit", "feature")
    (r / "auth.py").write_text(VULN)  # in neither parent
    git(r, "add", "auth.py")
    git(r, "commit", "-q", "-m", "merge feature")
    merge = rev(r, "HEAD")
    commit_record(r, rec, "the approval of feature's head")
    code, doc = audit(r)
    assert _merge_commit(doc, merge)["reviewed"] is False
    assert code == 1


def test_audit_conflict_resolution_adding_code_is_unreviewed(tmp_path: Path, ssh_keys) -> None:
    """Both sides edit the same line; the merge's conflict resolution is code neither parent has (what
    ``--remerge-diff`` shows): the approval of the second parent does not cover it."""
    r = _repo(tmp_path, ssh_keys, {"auth.py": FIXED})
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"auth.py": FIXED.replace("is_admin", "is_admin and user.active")}, "active only")
    rec = signed(ssh_keys, "ed25519", r, base="main", head="HEAD")
    git(r, "checkout", "-q", "main")
    commit_files(r, {"auth.py": FIXED.replace("is_admin", "is_admin or user.is_owner")}, "owners too")
    code = git_code(r, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    assert code != 0  # a real conflict
    (r / "auth.py").write_text("def check(user):\n    return user.is_admin or user.active or True\n")
    git(r, "add", "auth.py")
    git(r, "commit", "-q", "--no-edit")
    merge = rev(r, "HEAD")
    commit_record(r, rec, "the approval of feature's head")
    code, doc = audit(r)
    assert _merge_commit(doc, merge)["reviewed"] is False
    assert code == 1


def test_gate_evil_merge_of_main_into_the_branch_needs_review(tmp_path: Path, ssh_keys) -> None:
    r = _approved_branch(tmp_path, ssh_keys)
    commit_files(r, {"docs.md": "x\n"}, "main moves on")
    git(r, "checkout", "-q", "feature")
    git(r, "merge", "-q", "--no-ff", "--no-commit", "main")
    (r / "auth.py").write_text(VULN)
    git(r, "add", "auth.py")
    git(r, "commit", "-q", "-m", "merge main")
    code, _, text = gate(r, "main...HEAD")
    assert code == 1, text


def test_audit_restored_root_tree_does_not_cover_direct_pushes(tmp_path: Path, ssh_keys) -> None:
    r = _repo(tmp_path, ssh_keys, {"auth.py": FIXED})
    commit_record(r, signed(ssh_keys, "ed25519", r, base=EMPTY_TREE, head="HEAD"))
    evil = commit_files(r, {"auth.py": VULN}, "pushed straight to main")
    git(r, "revert", "--no-edit", evil)
    _, doc = audit(r)
    assert _merge_commit(doc, evil)["reviewed"] is False
    assert _merge_commit(doc, rev(r, "HEAD"))["reviewed"] is False
