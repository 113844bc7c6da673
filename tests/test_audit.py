"""signoff audit on a real history: merges, squash, fast-forward, stale, forged, unknown and expired keys."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from signoff.audit.run import run_audit
from signoff.cli.main import main
from signoff.git.runner import EMPTY_TREE, open_repo
from signoff.output.audit import render_json, render_markdown, render_text
from signoff.records.model import Answer
from signoff.signing.verify import Status
from tests.helpers import commit_files, git, make_repo
from tests.review_helpers import allowed, rev, signed_record, store, tree

AI_TRAILER = "\n\nCo-authored-by: Claude <noreply@anthropic.com>"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory):
    from tests.sigkeys import SshKeys

    return SshKeys(tmp_path_factory.mktemp("auditkeys"))


@pytest.fixture(scope="module")
def hist(tmp_path_factory: pytest.TempPathFactory, keys) -> dict:
    """The audited repository and the ids of its commits and records (built once per module)."""
    r = make_repo(tmp_path_factory.mktemp("audit") / "repo")
    alice, bob, carol = (keys[n] for n in ("ed25519", "ed25519-bob", "ed25519-carol"))
    trust = allowed(
        [
            ("alice@example.com", alice, ""),
            ("bob@example.com", bob, ""),
            ("carol@example.com", carol, 'valid-before="20260101"'),
        ]
    )
    ids: dict = {"root": r}
    ids["c0"] = commit_files(
        r, {"a.py": "a = 0\n", "c.py": "c = 0\n", ".signoff/allowed_signers": trust}, "c0"
    )
    git(r, "checkout", "-q", "-b", "f1")
    commit_files(r, {"a.py": "a = 1\n"}, "f1a")
    ids["f1"] = commit_files(r, {"b.py": "b = 1\n"}, "f1b")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--no-ff", "-m", "merge f1", "f1")
    ids["m1"] = rev(r, "HEAD")
    git(r, "checkout", "-q", "-b", "f2")
    ids["f2"] = commit_files(r, {"c.py": "c = 2\n"}, "f2")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--squash", "f2")
    ids["s2"] = commit_files(r, {}, "squash f2")
    git(r, "checkout", "-q", "-b", "f3")
    ids["f3a"] = commit_files(r, {"d.py": "d = 1\n"}, "f3a")
    ids["f3"] = commit_files(r, {"c.py": "c = 3\n"}, "f3b")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--ff-only", "f3")
    ids["u1"] = commit_files(r, {"a.py": "a = 9\n", "new.py": "x = 1\ny = 2\nz = 3\n"}, "tweak" + AI_TRAILER)
    ids["u2"] = commit_files(r, {"e.py": "e = 1\n"}, "human change")
    git(r, "checkout", "-q", "-b", "g")
    ids["g1"] = commit_files(r, {"g.py": "g = 1\ng = 2\n"}, "generated g" + AI_TRAILER)
    commit_files(r, {"h.py": "h = 1\n"}, "human h")
    git(r, "checkout", "-q", "main")
    git(r, "merge", "-q", "--no-ff", "-m", "merge g", "g")
    ids["m3"] = rev(r, "HEAD")

    k = keys.private_ed25519
    # R7 (bob, covers u2) is committed, then deleted: only --history sees it.
    r7 = store(
        r,
        signed_record(
            r,
            k("ed25519-bob"),
            base=ids["u1"],
            head=ids["u2"],
            email="bob@example.com",
            finished="2026-02-05T00:00:00Z",
        ),
    )
    ids["add7"] = commit_files(r, {}, "add R7")
    git(r, "rm", "-q", str(r7.relative_to(r)))
    ids["drop7"] = commit_files(r, {}, "drop R7")

    r1 = signed_record(r, k("ed25519"), base=ids["c0"], head=ids["f1"], finished="2026-02-01T00:00:00Z")
    ids["R1"] = store(r, r1)
    ids["R2"] = store(
        r,
        signed_record(
            r,
            k("ed25519-bob"),
            base=ids["m1"],
            head=ids["f2"],
            email="bob@example.com",
            finished="2026-02-02T00:00:00Z",
            answers=[
                Answer("db.sql", "SQL parameterised?", "fail", "high", "string concat"),
                Answer("shell.exec", "Shell calls safe?", "fail", "medium"),
            ],
        ),
    )
    ids["R3"] = store(
        r,
        signed_record(
            r,
            k("ed25519"),
            base=ids["s2"],
            head=ids["f3"],
            finished="2026-02-03T00:00:00Z",
            answers=[Answer("db.sql", "SQL parameterised?", "pass", "high")],
        ),
    )
    # Forged: R1's signature on a record claiming u1 was reviewed.
    forged = replace(
        r1,
        subject=replace(
            r1.subject,
            head=ids["u1"],
            head_tree=tree(r, ids["u1"]),
            base=ids["f3"],
        ),
    )
    ids["R4"] = store(r, replace(forged, review=replace(forged.review, finished="2026-02-04T00:00:01Z")))
    ids["R5"] = store(
        r,
        signed_record(
            r,
            k("ed25519-m"),
            base=ids["f3"],
            head=ids["u1"],
            email="mallory@example.com",
            finished="2026-02-04T00:00:00Z",
        ),
    )
    ids["R6"] = store(
        r,
        signed_record(
            r,
            k("ed25519-carol"),
            base=ids["drop7"],
            head=ids["m3"],
            email="carol@example.com",
            finished="2026-02-04T00:00:00Z",
        ),
    )
    ids["rec"] = commit_files(r, {}, "records")
    ids["git"] = open_repo(r)
    ids["report"] = run_audit(ids["git"])
    return ids


def _rel(ids: dict, name: str) -> str:
    return str(Path(ids[name]).relative_to(ids["root"]))


def test_records_validity(hist: dict) -> None:
    rep = hist["report"]
    status = {r.path: r.status for r in rep.records}
    assert status[_rel(hist, "R1")] is Status.VALID
    assert status[_rel(hist, "R2")] is Status.VALID
    assert status[_rel(hist, "R3")] is Status.VALID
    assert status[_rel(hist, "R4")] is Status.BAD_SIGNATURE
    assert status[_rel(hist, "R5")] is Status.UNKNOWN_SIGNER
    assert status[_rel(hist, "R6")] is Status.EXPIRED
    # R7 was committed and deleted again: still evidence (valid, not in the tree, added by add7).
    gone = [r for r in rep.records if not r.in_tree]
    assert len(rep.records) == 7 and len(gone) == 1 and gone[0].valid and gone[0].commit == hist["add7"]


def test_coverage_by_merge_squash_and_fast_forward(hist: dict) -> None:
    rep = hist["report"]
    by_sha = {c.sha: c for c in rep.commits}
    assert by_sha[hist["m1"]].how == "tree" and by_sha[hist["m1"]].covered_by == [_rel(hist, "R1")]
    assert by_sha[hist["s2"]].how == "tree" and by_sha[hist["s2"]].covered_by == [_rel(hist, "R2")]
    assert by_sha[hist["f3a"]].how == "range" and by_sha[hist["f3"]].how == "commit"
    for name in ("add7", "rec"):
        assert by_sha[hist[name]].records_only and by_sha[hist[name]].reviewed
    # Deleting a record is a change that needs review; R7 (deleted since) still covers u2.
    assert not by_sha[hist["drop7"]].records_only and by_sha[hist["u2"]].covered_by
    # Forged, unknown-signer and expired records cover nothing.
    assert [c.sha for c in rep.unreviewed] == [hist[n] for n in ("c0", "u1", "m3", "drop7")]
    assert not rep.ok
    assert any("4 commit(s) on main with no valid covering approval" in p for p in rep.problems())


def test_ai_lines_in_unreviewed_commits(hist: dict) -> None:
    rep = hist["report"]
    ai = {c.sha: c for c in rep.ai_unreviewed}
    assert set(ai) == {hist["u1"], hist["m3"]}
    assert ai[hist["u1"]].ai_lines == 4  # a.py (1) + new.py (3)
    assert [s for s, _ in ai[hist["m3"]].ai_commits] == [hist["g1"]]
    assert ai[hist["m3"]].ai_lines == 2
    assert "claude" in ai[hist["u1"]].ai_commits[0][1].lower()


def test_stale_and_superseded(hist: dict) -> None:
    rep = hist["report"]
    by = {r.path: r for r in rep.records}
    r1, r2, r3 = by[_rel(hist, "R1")], by[_rel(hist, "R2")], by[_rel(hist, "R3")]
    assert r1.stale and r1.stale_paths == ["a.py"] and not r1.superseded
    assert r2.stale and r2.stale_paths == ["c.py"] and r2.superseded  # R3 approved c.py's current content
    assert r3.stale is False
    assert [r.path for r in rep.stale] == [r1.path]


def test_failed_answers(hist: dict) -> None:
    rep = hist["report"]
    got = {f.question: f for f in rep.failed}
    assert got["db.sql"].resolved_by == _rel(hist, "R3")
    assert got["shell.exec"].resolved_by is None
    assert [f.question for f in rep.outstanding] == ["shell.exec"]


def test_per_reviewer_counts(hist: dict) -> None:
    stats = {s.reviewer: s for s in hist["report"].reviewers}
    assert (stats["alice@example.com"].records, stats["alice@example.com"].invalid) == (3, 1)
    assert stats["alice@example.com"].approvals == 2
    assert stats["alice@example.com"].commits_covered == 3  # m1 (R1), f3a and f3 (R3)
    assert stats["bob@example.com"].approvals == 2  # R2, and R7 (deleted since)
    assert stats["mallory@example.com"].invalid == 1
    assert stats["carol@example.com"].invalid == 1


def test_history_records(hist: dict) -> None:
    rep = run_audit(hist["git"], include_history=True)
    extra = [r for r in rep.records if not r.in_tree]
    assert len(extra) == 1 and extra[0].valid and extra[0].commit == hist["add7"]
    assert [c.sha for c in rep.unreviewed] == [hist[n] for n in ("c0", "u1", "m3", "drop7")]
    assert len(rep.records) == 7


def test_since_revision_and_date(hist: dict) -> None:
    rep = run_audit(hist["git"], since=hist["f3"], ai=False)
    assert [c.sha for c in rep.unreviewed] == [hist[n] for n in ("u1", "m3", "drop7")]
    assert rep.commits[0].sha == hist["u1"]
    rep = run_audit(hist["git"], since="2030-01-01", ai=False)
    assert rep.commits == [] and not rep.unreviewed


def test_renderers(hist: dict) -> None:
    rep = hist["report"]
    doc = json.loads(render_json(rep))
    assert doc["schema"] == "signoff.audit/1" and doc["ok"] is False
    assert doc["summary"]["unreviewed"] == 4 and doc["summary"]["invalid"] == 3
    assert doc["summary"]["ai_unreviewed_lines"] == 6
    # make_record's [ai] says 12 AI lines, 10 seen: 2 unseen per valid approval (R1, R2, R3, R7).
    assert doc["summary"]["ai_lines_unseen_in_approvals"] == 8
    text = render_text(rep)
    assert "Unreviewed commits (4)" in text and "bad-signature" in text and "problems:" in text
    md = render_markdown(rep)
    assert (
        md.startswith("# signoff audit: main") and "| records |" in md and "## Unreviewed commits (4)" in md
    )


def test_cli_exit_codes(hist: dict, tmp_path: Path, keys, capsys) -> None:
    assert main(["-C", str(hist["root"]), "audit", "--format", "json", "--no-ai"]) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False
    # A fully reviewed repository: exit 0.
    r = make_repo(tmp_path / "clean")
    trust = allowed([("alice@example.com", keys["ed25519"], "")])
    commit_files(r, {"a.py": "a\n", ".signoff/allowed_signers": trust}, "c0")
    store(r, signed_record(r, keys.private_ed25519("ed25519"), base=EMPTY_TREE, head="HEAD"))
    commit_files(r, {}, "record")
    out = tmp_path / "audit.md"
    assert main(["-C", str(r), "audit", "--format", "markdown", "-o", str(out)]) == 0
    assert "no problems found" in out.read_text()
    assert main(["-C", str(r), "audit", "--since", "not-a-rev"]) == 2


def test_stale_is_problem_config(tmp_path: Path, keys) -> None:
    r = make_repo(tmp_path / "repo")
    trust = allowed([("alice@example.com", keys["ed25519"], "")])
    commit_files(r, {"a.py": "a\n", ".signoff/allowed_signers": trust}, "c0")
    store(r, signed_record(r, keys.private_ed25519("ed25519"), base=EMPTY_TREE, head="HEAD"))
    commit_files(
        r,
        {".signoff/config.toml": "[audit]\nstale_is_problem = true\nunreviewed_is_problem = false\n"},
        "records + config",
    )
    commit_files(r, {"a.py": "b\n"}, "change a")
    rep = run_audit(open_repo(r), ai=False)
    assert len(rep.unreviewed) == 2  # config change and a.py change
    assert rep.problems() == ["1 stale review(s)"]
