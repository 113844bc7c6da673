"""First-parent history, tree content keys and review coverage on real repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.errors import UsageError
from signoff.git.history import first_parent_history, parse_since_date
from signoff.git.objects import blobs_at, content_keys, tree_of
from signoff.git.runner import EMPTY_TREE, open_repo
from tests.helpers import commit_files, git, make_repo


def _rev(r: Path, rev: str) -> str:
    return git(r, "rev-parse", rev).strip()


@pytest.fixture
def merges(tmp_path: Path) -> dict[str, str]:
    """main: c0 ─ merge(--no-ff f1) ─ squash(f2) ─ ff(f3a, f3b) ─ records-only, with the branch heads."""
    r = make_repo(tmp_path / "repo")
    ids: dict[str, str] = {"root": str(r)}
    ids["c0"] = commit_files(r, {"a.py": "a = 0\n"}, "c0", date="2026-01-01T00:00:00+00:00")
    git(r, "checkout", "-q", "-b", "f1")
    ids["f1a"] = commit_files(r, {"a.py": "a = 1\n"}, "f1a")
    ids["f1"] = commit_files(r, {"b.py": "b = 1\n"}, "f1b")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--no-ff", "-m", "merge f1", "f1")
    ids["m1"] = _rev(r, "HEAD")
    git(r, "checkout", "-q", "-b", "f2")
    ids["f2a"] = commit_files(r, {"c.py": "c = 1\n"}, "f2a")
    ids["f2"] = commit_files(r, {"c.py": "c = 2\n"}, "f2b")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--squash", "f2")
    ids["s2"] = commit_files(r, {}, "squash f2", date="2026-03-01T00:00:00+00:00")
    git(r, "checkout", "-q", "-b", "f3")
    ids["f3a"] = commit_files(r, {"d.py": "d = 1\n"}, "f3a", date="2026-03-02T00:00:00+00:00")
    ids["f3"] = commit_files(r, {"d.py": "d = 2\n"}, "f3b", date="2026-03-03T00:00:00+00:00")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--ff-only", "f3")
    ids["rec"] = commit_files(
        r, {".signoff/reviews/x.toml": "x = 1\n"}, "add record", date="2026-03-04T00:00:00+00:00"
    )
    return ids


def test_history_is_first_parent_oldest_first(merges: dict[str, str]) -> None:
    git_ = open_repo(merges["root"])
    hist = first_parent_history(git_)
    assert [c.sha for c in hist.commits] == [merges[k] for k in ("c0", "m1", "s2", "f3a", "f3", "rec")]
    assert hist.commits[1].is_merge and hist.commits[1].parents[1] == merges["f1"]
    assert hist.branch == "main" and hist.tip == merges["rec"]
    assert all(len(c.tree) == 40 for c in hist.commits)


def test_content_key_ignores_signoff_dir_only(merges: dict[str, str]) -> None:
    git_ = open_repo(merges["root"])
    hist = first_parent_history(git_)
    f3, rec = hist.commits[4], hist.commits[5]
    assert f3.tree != rec.tree
    assert hist.content[f3.tree] == hist.content[rec.tree] == f3.tree
    assert hist.signoff_only(5) and not hist.signoff_only(4)
    # The stripped tree is a real git tree id: the same bytes git would hash.
    stripped = hist.content[rec.tree]
    assert git(Path(merges["root"]), "cat-file", "-t", stripped).strip() == "tree"


def test_content_key_keeps_trust_files(tmp_path: Path) -> None:
    """Only .signoff/reviews is ignored: allowed_signers and config changes change the content key."""
    r = make_repo(tmp_path / "repo")
    base = commit_files(r, {"a.py": "a\n", ".signoff/allowed_signers": "x\n"}, "base")
    rec = commit_files(r, {".signoff/reviews/2026/01/r.toml": "r\n"}, "record")
    trust = commit_files(r, {".signoff/allowed_signers": "x\nmallory\n"}, "trust mallory")
    rec2 = commit_files(r, {".signoff/reviews/2026/01/r2.toml": "r\n"}, "another record")
    git_ = open_repo(r)
    hist = first_parent_history(git_)
    keys = [hist.content[c.tree] for c in hist.commits]
    assert [c.sha for c in hist.commits] == [base, rec, trust, rec2]
    assert keys[0] == keys[1] == hist.commits[0].tree
    assert keys[2] != keys[1] and keys[3] == keys[2]
    assert [hist.signoff_only(i) for i in range(4)] == [False, True, False, True]
    # A tree whose .signoff holds only reviews has the key of the tree without .signoff at all.
    r2 = make_repo(tmp_path / "r2")
    plain = commit_files(r2, {"a.py": "a\n"}, "plain")
    with_rec = commit_files(r2, {".signoff/reviews/x.toml": "r\n"}, "record")
    g2 = open_repo(r2)
    t = tree_of(g2, [plain, with_rec])
    keys2 = content_keys(g2, t.values())
    assert keys2[t[with_rec]] == keys2[t[plain]] == t[plain]


def test_match_head_by_commit_tree_content_and_merge(merges: dict[str, str]) -> None:
    git_ = open_repo(merges["root"])
    hist = first_parent_history(git_)
    trees = tree_of(git_, [merges["f1"], merges["f2"], merges["f3"]])
    hist.content.update(content_keys(git_, trees.values()))
    # f1 was merged with --no-ff: the merge has f1's tree and f1 as second parent.
    assert hist.match_head(merges["f1"], trees[merges["f1"]]) == [(1, "tree")]
    assert hist.match_head(merges["f1"], None) == [(1, "merged")]
    # f2 was squashed: only the tree matches.
    assert hist.match_head(merges["f2"], trees[merges["f2"]]) == [(2, "tree")]
    # f3 fast-forwarded; the next commit only adds a record.
    assert hist.match_head(merges["f3"], trees[merges["f3"]]) == [(4, "commit"), (5, "records-only")]
    # An unrelated tree matches nothing.
    assert hist.match_head("0" * 40, EMPTY_TREE) == []


def test_covered_by_ranges(merges: dict[str, str]) -> None:
    git_ = open_repo(merges["root"])
    hist = first_parent_history(git_)
    t = tree_of(git_, [merges[k] for k in ("c0", "m1", "s2", "f1", "f1a", "f2", "f2a", "f3", "f3a")])
    hist.content.update(content_keys(git_, t.values()))

    def cov(base: str, head: str) -> dict[int, str]:
        return hist.covered_by(merges[base], t[merges[base]], merges[head], t[merges[head]])

    assert cov("c0", "f1") == {1: "tree"}
    assert cov("m1", "f2") == {2: "tree"}
    assert cov("s2", "f3") == {3: "range", 4: "commit", 5: "records-only"}
    assert cov("f3a", "f3") == {4: "commit", 5: "records-only"}
    # A review of only the last commit of f2 does not cover the squash (its base is off main).
    assert cov("f2a", "f2") == {}
    # A review from the empty tree covers everything up to its head.
    assert hist.covered_by(EMPTY_TREE, EMPTY_TREE, merges["f3"], t[merges["f3"]]) == {
        0: "range",
        1: "range",
        2: "range",
        3: "range",
        4: "commit",
        5: "records-only",
    }


def test_rebase_onto_moved_main_does_not_match(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"a.py": "a = 0\n"}, "c0")
    git(r, "checkout", "-q", "-b", "feat")
    head = commit_files(r, {"b.py": "b = 1\n"}, "feat")
    git(r, "checkout", "-q", "main")
    commit_files(r, {"a.py": "a = 9\n"}, "main moved")
    git(r, "checkout", "-q", "feat")
    git(r, "rebase", "-q", "main")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--ff-only", "feat")
    git_ = open_repo(r)
    hist = first_parent_history(git_)
    t = tree_of(git_, [head])
    hist.content.update(content_keys(git_, t.values()))
    assert hist.match_head(head, t[head]) == []


def test_rebase_keeping_tree_matches(tmp_path: Path) -> None:
    """GitHub's "rebase and merge" rewrites the commits of an up-to-date branch: same trees."""
    r = make_repo(tmp_path / "repo")
    c0 = commit_files(r, {"a.py": "a = 0\n"}, "c0")
    git(r, "checkout", "-q", "-b", "feat")
    commit_files(r, {"b.py": "b = 1\n"}, "f1")
    head = commit_files(r, {"b.py": "b = 2\n"}, "f2")
    git(r, "checkout", "-q", "main")
    git(r, "cherry-pick", f"{c0}..feat", env={"GIT_COMMITTER_DATE": "2026-05-05T00:00:00+00:00"})
    git_ = open_repo(r)
    hist = first_parent_history(git_)
    assert hist.tip != head
    t = tree_of(git_, [c0, head])
    hist.content.update(content_keys(git_, t.values()))
    assert hist.covered_by(c0, t[c0], head, t[head]) == {1: "range", 2: "tree"}


def test_since_date_and_revision(merges: dict[str, str]) -> None:
    git_ = open_repo(merges["root"])
    assert first_parent_history(git_, since="2026-03-02").start == 3
    assert first_parent_history(git_, since=merges["s2"]).start == 3
    # A revision off the first-parent chain: its ancestors are out of scope, like ^REV.
    assert first_parent_history(git_, since=merges["f1a"]).start == 1
    hist = first_parent_history(git_, since="2026-03-03T00:00:00Z")
    assert [c.subject for c in hist.scope] == ["f3b", "add record"]
    with pytest.raises(UsageError):
        first_parent_history(git_, since="no-such-rev")
    with pytest.raises(UsageError):
        first_parent_history(git_, since="--all")


def test_parse_since_date() -> None:
    assert parse_since_date("2026-01-02") == 1767312000
    assert parse_since_date("2026-01-02T01:00:00+01:00") == 1767312000
    assert parse_since_date("3 days ago", now=1_000_000) == 1_000_000 - 3 * 86400
    assert parse_since_date("main") is None


def test_blobs_at_batch(merges: dict[str, str]) -> None:
    git_ = open_repo(merges["root"])
    got = blobs_at(git_, [(merges["f2a"], "c.py"), (merges["f2"], "c.py"), (merges["c0"], "c.py")])
    assert got[(merges["f2a"], "c.py")] != got[(merges["f2"], "c.py")]
    assert got[(merges["c0"], "c.py")] is None


def test_unborn_branch_has_empty_history(tmp_path: Path) -> None:
    r = make_repo(tmp_path / "repo")
    hist = first_parent_history(open_repo(r), branch="HEAD")
    assert hist.commits == [] and hist.tip is None


def test_head_tree_seen_twice_covers_only_the_first_time(tmp_path: Path) -> None:
    """A revert back to a reviewed tree does not cover the commits between (they were never reviewed)."""
    r = make_repo(tmp_path / "repo")
    c0 = commit_files(r, {"a.py": "a = 0\n"}, "c0")
    c1 = commit_files(r, {"a.py": "a = 1\n"}, "reviewed")
    commit_files(r, {"a.py": "evil\n"}, "unreviewed")
    commit_files(r, {"a.py": "a = 1\n"}, "back to the reviewed tree")
    git_ = open_repo(r)
    hist = first_parent_history(git_)
    t = tree_of(git_, [c0, c1])
    assert hist.covered_by(c0, t[c0], c1, t[c1]) == {1: "commit"}
