"""What the record says really happened: line comments, analysis completeness, the AI-seen definition —
headless (``review --answers``), in the gate and in the audit Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.audit.gate import run_gate
from signoff.audit.run import run_audit
from signoff.cli import main
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.output.audit import render_markdown
from signoff.records.codec import load
from signoff.records.model import Analysis, Comment
from signoff.records.store import list_drafts, list_records
from signoff.signing.trustroot import resolve_gate_target
from tests.helpers import commit_files, git, make_repo, write
from tests.review_helpers import allowed, signed_record, store
from tests.sigkeys import SshKeys, allowed_line

SQL = "def q(c, name):\n    return c.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
ANSWERS = """\
verdict = "approve"
summary = "ok"

[answers."db.parameterized-queries"]
answer = "pass"

[[comments]]
path = "app.py"
lines = "2"
text = "rename name -> username"

[[comments]]
path = "app.py"
lines = "1-2"
side = "new"
text = "multi\\nline"
"""


@pytest.fixture
def sql_repo(repo: Path, ssh_keys: SshKeys) -> Path:
    commit_files(repo, {"app.py": "x = 1\n", "README.md": "r\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"app.py": SQL, "README.md": "readme\n"}, "query")
    git(repo, "config", "--global", "user.email", "alice@example.com")
    write(repo, {".signoff/allowed_signers": allowed_line(ssh_keys["ed25519"])})
    return repo


def review(repo: Path, answers: str, *extra: str) -> int:
    (repo.parent / "answers.toml").write_text(answers)
    return main(
        ["-C", str(repo), "review", "main..feature", "--answers", str(repo.parent / "answers.toml"), *extra]
    )


def test_headless_comments_are_signed_into_the_record(sql_repo: Path, ssh_keys: SshKeys, capsys) -> None:
    assert review(sql_repo, ANSWERS, "--key", str(ssh_keys["ed25519"].path)) == 0
    rec = load(sql_repo / capsys.readouterr().out.strip())
    assert rec.schema == "signoff.review/2"
    assert [(c.path, c.lines, c.side, c.text) for c in rec.comments] == [
        ("app.py", "2", "new", "rename name -> username"),
        ("app.py", "1-2", "new", "multi\nline"),
    ]
    assert all(len(c.blob) == 40 for c in rec.comments)  # pinned to the reviewed blob
    # headless: the analysis ran to the end; what was left open is listed
    assert rec.analysis is not None and rec.analysis.complete and rec.analysis.pending == []
    assert "db.parameterized-queries" not in rec.analysis.unanswered
    assert rec.analysis.unanswered == sorted(a.id for a in rec.answers if a.answer == "skipped")
    assert rec.analysis.unviewed == []  # files_reviewed defaults to every file headless
    assert rec.ai.seen_definition == "files-reviewed/1"
    assert main(["-C", str(sql_repo), "verify"]) == 0


def test_headless_unviewed_files_are_listed(sql_repo: Path, ssh_keys: SshKeys, capsys) -> None:
    answers = 'files_reviewed = ["app.py"]\n' + ANSWERS
    assert review(sql_repo, answers, "--key", str(ssh_keys["ed25519"].path)) == 0
    rec = load(sql_repo / capsys.readouterr().out.strip())
    assert rec.analysis.unviewed == ["README.md"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('lines = "2"', "comments[0].lines: expected N or N-M"),
        ('path = "app.py"', "comments[0].path: not in the diff"),
        ('text = "rename name -> username"', "comments[0].text: expected a non-empty string"),
    ],
)
def test_bad_comments_write_nothing(
    sql_repo: Path, ssh_keys: SshKeys, capsys, bad: str, message: str
) -> None:
    broken = {
        'lines = "2"': 'lines = "two"',
        'path = "app.py"': 'path = "nope.py"',
        'text = "rename name -> username"': 'text = ""',
    }[bad]
    code = review(sql_repo, ANSWERS.replace(bad, broken, 1), "--key", str(ssh_keys["ed25519"].path))
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert list_records(sql_repo) == [] and list_drafts(sql_repo / ".git") == []


def test_unknown_comment_field(sql_repo: Path, ssh_keys: SshKeys, capsys) -> None:
    code = review(sql_repo, ANSWERS + 'colour = "red"\n', "--key", str(ssh_keys["ed25519"].path))
    assert code == 2 and "comments[1].colour: unknown field" in capsys.readouterr().err


# -- the gate refuses a record that says its analysis was incomplete -------------------------------------


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> SshKeys:
    return SshKeys(tmp_path_factory.mktemp("truthkeys"))


@pytest.fixture
def pr(tmp_path: Path, keys: SshKeys) -> Path:
    r = make_repo(tmp_path / "repo")
    trust = allowed([("alice@example.com", keys["ed25519"], "")])
    commit_files(r, {"app.py": "x = 1\n", ".signoff/allowed_signers": trust}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"app.py": "x = 2\n"}, "one")
    return r


def _gate(r: Path):
    g = open_repo(r)
    return run_gate(g, resolve_target(g, "main...HEAD"), resolve_gate_target(g, "main"))


def test_gate_refuses_an_approval_signed_before_the_analysis_finished(pr: Path, keys: SshKeys) -> None:
    incomplete = Analysis(complete=False, pending=["questions"])
    store(
        pr, signed_record(pr, keys.private_ed25519("ed25519"), base="main", head="HEAD", analysis=incomplete)
    )
    res = _gate(pr)
    assert not res.passed
    why = [c.why for c in res.considered]
    assert any("analysis was incomplete" in w and "questions" in w for w in why), why
    store(
        pr,
        signed_record(
            pr,
            keys.private_ed25519("ed25519"),
            base="main",
            head="HEAD",
            finished="2026-02-02T00:00:00Z",
            analysis=Analysis(complete=True),
        ),
    )
    assert _gate(pr).passed


def test_audit_markdown_shows_line_comments(pr: Path, keys: SshKeys) -> None:
    note = Comment("app.py", "1", "is 2 right? <img src=x>", "new", "")
    store(pr, signed_record(pr, keys.private_ed25519("ed25519"), base="main", head="HEAD", comments=[note]))
    md = render_markdown(run_audit(open_repo(pr), ai=False))
    assert "## Line comments (1)" in md
    line = next(x for x in md.splitlines() if "is 2 right?" in x)
    assert "app.py:1" in line and "\\<img" in line  # repository text made inert


def test_session_draft_keeps_comments_and_rereview_state(tmp_path: Path) -> None:
    from signoff.review.session import LineComment, ReviewSession, load_draft, save_draft

    s = ReviewSession("range:a:b:0")
    s.add_comment(LineComment("a.py", 1, 3, "two\nlines", "old", "f" * 40))
    s.previous = {
        "record": "r.toml",
        "payload_sha256": "9" * 64,
        "reviewer": "alice@example.com",
        "head": "c" * 40,
        "finished": "2026-01-02T03:04:05Z",
        "reanswer": ["q.again"],
    }
    s.carried, s.reanswer = {"q.carried", "q.mine"}, {"q.again"}
    save_draft(tmp_path, s)
    back = load_draft(tmp_path, "range:a:b:0")
    assert back is not None and back.comments == s.comments and back.previous == s.previous
    assert back.carried == s.carried and back.reanswer == s.reanswer
    back.answer("q.again", "pass")
    back.answer("q.mine", "fail")
    back.state("q.carried").answer = back.state("q.mine").answer  # carried answers are set, not typed
    link = back.previous_link()
    assert link.carried == ["q.carried"] and link.reanswer == ["q.again"] and link.head == "c" * 40
    assert back.record_comments()[0].lines == "1-3" and back.comments_at("a.py", "old", 2) == [0]
    back.set_comment(0, "")
    assert back.comments == []
