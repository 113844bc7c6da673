"""Review since the last review: find the earlier record of this range, the interdiff since its head,
answers carried forward when their hit lines did not change, the link in the new record."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from signoff.analysis import analyze
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.records.model import Answer
from signoff.review.rereview import carry_forward, find_previous, load_interdiff
from tests.helpers import commit_files, git, make_repo
from tests.review_helpers import allowed, signed_record, store
from tests.sigkeys import SshKeys, sign_in_process

APP = 'import os\n\n\ndef run(x):\n    os.system("ls " + x)\n'
DB = "def get(cur, uid):\n    cur.execute(f'SELECT * FROM t WHERE id = {uid}')\n"
DB2 = "def get(cur, uid):\n    cur.execute(f'SELECT * FROM t WHERE id = {uid} LIMIT 1')\n"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> SshKeys:
    return SshKeys(tmp_path_factory.mktemp("rereviewkeys"))


@pytest.fixture
def reviewed(tmp_path: Path, keys: SshKeys) -> dict:
    """feature@H1 reviewed by alice (every triggered question answered), then H2 changes only db.py."""
    r = make_repo(tmp_path / "repo")
    trust = allowed([("alice@example.com", keys["ed25519"], "")])
    commit_files(r, {"README.md": "r\n", ".signoff/allowed_signers": trust}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    h1 = commit_files(r, {"app.py": APP, "db.py": DB}, "shell and sql")
    g = open_repo(r)
    full = analyze(g, resolve_target(g, "main..feature"), ai=False)
    ids = full.questions.triggered_ids()
    shell = next(q for q in ids if any(h.path == "app.py" for h in full.questions.result(q).hits))
    sql = next(q for q in ids if any(h.path == "db.py" for h in full.questions.result(q).hits))
    answers = [Answer(q, "", "pass" if q != sql else "fail", "high", f"note {q}") for q in ids]
    rec = signed_record(
        r,
        keys.private_ed25519("ed25519"),
        base="main",
        head="HEAD",
        answers=answers,
        paths=["app.py", "db.py"],
    )
    both = replace(rec.review, files_reviewed=["app.py", "db.py"])
    rec = sign_in_process(replace(rec, review=both), keys.private_ed25519("ed25519"))
    path = store(r, rec)
    commit_files(r, {}, "record")
    h2 = commit_files(r, {"db.py": DB2}, "limit")
    return {"root": r, "h1": h1, "h2": h2, "shell": shell, "sql": sql, "ids": ids, "path": path, "rec": rec}


def test_previous_record_is_found_and_linked(reviewed: dict) -> None:
    g = open_repo(reviewed["root"])
    target = resolve_target(g, "main..feature")
    prev = find_previous(g, target)
    assert prev is not None
    assert prev.record.subject.head == reviewed["h1"]
    assert prev.path == str(reviewed["path"].relative_to(reviewed["root"]))
    assert prev.payload_sha256 == hashlib.sha256(reviewed["rec"].payload()).hexdigest()
    assert prev.signer == "alice@example.com"
    inter = load_interdiff(g, target, prev)
    assert [f.path for f in inter.files] == ["db.py"]  # the record-only commit is not in the interdiff
    link = prev.link(carried=["a"], reanswer=["b"])
    assert link.head == reviewed["h1"] and link.reviewer == "alice@example.com" and link.carried == ["a"]


def test_answers_carry_forward_only_where_hit_lines_did_not_change(reviewed: dict) -> None:
    g = open_repo(reviewed["root"])
    target = resolve_target(g, "main..feature")
    prev = find_previous(g, target)
    full = analyze(g, target, ai=False)
    plan = carry_forward(prev.record, full.questions, load_interdiff(g, target, prev))
    assert reviewed["shell"] in plan.carried and plan.carried[reviewed["shell"]].answer == "pass"
    assert plan.carried[reviewed["shell"]].note == f"note {reviewed['shell']}"
    assert reviewed["sql"] in plan.reanswer and reviewed["sql"] not in plan.carried
    assert plan.files == {"app.py"}  # db.py changed since: it needs looking at again


def test_same_head_carries_everything(reviewed: dict) -> None:
    g = open_repo(reviewed["root"])
    target = resolve_target(g, f"main..{reviewed['h1']}")
    prev = find_previous(g, target)
    assert prev is not None and prev.same_head
    plan = carry_forward(prev.record, analyze(g, target, ai=False).questions, load_interdiff(g, target, prev))
    assert set(plan.carried) == set(reviewed["ids"]) and plan.reanswer == []


def test_a_record_signed_by_a_key_the_change_trusts_itself_is_not_offered(
    tmp_path: Path, keys: SshKeys
) -> None:
    """The change adds mallory to allowed_signers and commits her record of H1 with every answer pass:
    trust comes from the base, so nothing is carried forward from it."""
    r = make_repo(tmp_path / "repo")
    commit_files(
        r,
        {
            "README.md": "r\n",
            ".signoff/allowed_signers": allowed([("alice@example.com", keys["ed25519"], "")]),
        },
        "base",
    )
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"app.py": APP}, "shell")
    both = allowed(
        [("alice@example.com", keys["ed25519"], ""), ("mallory@example.com", keys["ed25519-mallory"], "")]
    )
    commit_files(r, {".signoff/allowed_signers": both}, "trust mallory")
    forged = signed_record(
        r, keys.private_ed25519("ed25519-mallory"), base="main", head="HEAD", email="mallory@example.com"
    )
    store(r, forged)
    commit_files(r, {}, "record")
    commit_files(r, {"app.py": APP + "# more\n"}, "more")
    g = open_repo(r)
    assert find_previous(g, resolve_target(g, "main..feature")) is None


def test_a_record_trusted_only_at_an_old_base_is_not_offered(tmp_path: Path, keys: SshKeys) -> None:
    """Issue 11: the change branches from an old main commit that still trusted mallory (main has since
    removed her key) and commits her record of the range: trust comes from the target's tip, so nothing
    is carried from it (trusting the review's base would offer it)."""
    r = make_repo(tmp_path / "repo")
    both = allowed(
        [("alice@example.com", keys["ed25519"], ""), ("mallory@example.com", keys["ed25519-mallory"], "")]
    )
    old = commit_files(r, {"README.md": "r\n", ".signoff/allowed_signers": both}, "base")
    commit_files(
        r, {".signoff/allowed_signers": allowed([("alice@example.com", keys["ed25519"], "")])}, "drop mallory"
    )
    git(r, "checkout", "-q", "-b", "feature", old)
    commit_files(r, {"app.py": APP}, "shell")
    forged = signed_record(
        r, keys.private_ed25519("ed25519-mallory"), base=old, head="HEAD", email="mallory@example.com"
    )
    store(r, forged)
    commit_files(r, {}, "record")
    commit_files(r, {"app.py": APP + "# more\n"}, "more")
    g = open_repo(r)
    target = resolve_target(g, "main...feature")
    assert target.base == old
    assert find_previous(g, target) is None
    assert find_previous(g, target, trust=old) is not None  # the same record, trusted at the old base


def test_a_record_of_another_base_is_not_offered(reviewed: dict, keys: SshKeys) -> None:
    g = open_repo(reviewed["root"])
    other = resolve_target(g, f"{reviewed['h1']}..feature")
    assert find_previous(g, other) is None


def test_headless_review_since_last_review_links_and_carries(reviewed: dict, keys: SshKeys, capsys) -> None:
    from signoff.cli import main
    from signoff.records.codec import load

    r = reviewed["root"]
    git(r, "config", "--global", "user.email", "alice@example.com")
    answers = r.parent / "answers.toml"
    answers.write_text(f'verdict = "approve"\n[answers."{reviewed["sql"]}"]\nanswer = "pass"\n')
    key = str(keys["ed25519"].path)
    assert (
        main(
            [
                "-C",
                str(r),
                "review",
                "main..feature",
                "--answers",
                str(answers),
                "--key",
                key,
                "--since-last-review",
            ]
        )
        == 0
    )
    out = capsys.readouterr()
    assert "answer(s) carried" in out.err
    rec = load(r / out.out.strip())
    assert rec.previous is not None and rec.previous.head == reviewed["h1"]
    assert reviewed["shell"] in rec.previous.carried and reviewed["sql"] not in rec.previous.carried
    assert rec.answer(reviewed["shell"]).answer == "pass" and rec.answer(reviewed["sql"]).answer == "pass"
    assert main(["-C", str(r), "verify"]) == 0


def test_headless_since_last_review_without_one_is_an_error(tmp_path: Path, keys: SshKeys, capsys) -> None:
    from signoff.cli import main

    r = make_repo(tmp_path / "repo")
    commit_files(r, {"README.md": "r\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"app.py": APP}, "shell")
    answers = tmp_path / "a.toml"
    answers.write_text('verdict = "approve"\n')
    assert (
        main(["-C", str(r), "review", "main..feature", "--answers", str(answers), "--since-last-review"]) == 2
    )
    assert "no valid earlier record" in capsys.readouterr().err
