"""``signoff review --answers FILE``: build, sign, store; clear errors and nothing written on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from signoff.cli.main import main
from signoff.records.codec import load
from signoff.records.store import list_drafts, list_records
from signoff.signing.sshsig import parse_public_key, parse_signature
from tests.helpers import commit_files, git, write
from tests.sigkeys import SshKeys, allowed_line

SQL = "def q(c, name):\n    return c.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
ANSWERS = """\
verdict = "changes-requested"
summary = "string-built SQL"
thoroughness = "high"
understanding = "low"

[answers.db.parameterized-queries]
answer = "fail"
note = "uses % formatting"
evidence = [{path = "app.py", lines = "2"}]
"""


@pytest.fixture
def sql_repo(repo: Path, ssh_keys: SshKeys) -> Path:
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"app.py": SQL}, "query")
    git(repo, "config", "--global", "user.email", "alice@example.com")
    write(repo, {".signoff/allowed_signers": allowed_line(ssh_keys["ed25519"])})
    return repo


def review(repo: Path, answers: str, *extra: str) -> int:
    (repo.parent / "answers.toml").write_text(answers)
    return main(["-C", str(repo), "review", "--answers", str(repo.parent / "answers.toml"), *extra])


def test_headless_review_signs_and_stores(sql_repo: Path, ssh_keys: SshKeys, capsys) -> None:
    assert review(sql_repo, ANSWERS, "--key", str(ssh_keys["ed25519"].path)) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith(".signoff/reviews/") and printed.endswith(".toml")
    rec = load(sql_repo / printed)
    assert rec.review.verdict == "changes-requested" and rec.review.understanding == "low"
    assert rec.subject.head == git(sql_repo, "rev-parse", "HEAD").strip()
    answer = rec.answer("db.parameterized-queries")
    assert answer is not None and answer.answer == "fail" and answer.note == "uses % formatting"
    assert answer.evidence[0].path == "app.py" and answer.severity
    # triggered but unanswered questions are recorded as skipped
    assert any(a.answer == "skipped" for a in rec.answers)
    assert rec.checklists and rec.review.files_reviewed == ["app.py"]
    assert main(["-C", str(sql_repo), "verify"]) == 0
    assert capsys.readouterr().out.startswith("valid ")


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            ANSWERS + '\n[answers."no.such-question"]\nanswer = "pass"\n',
            "unknown question id: no.such-question",
        ),
        (ANSWERS.replace('answer = "fail"', 'answer = "maybe"'), 'answers."db.parameterized-queries".answer'),
        (ANSWERS.replace('verdict = "changes-requested"', 'verdict = "lgtm"'), "verdict: expected one of"),
        (ANSWERS.replace("thoroughness", "thorough"), "thorough: unknown field"),
        (ANSWERS.replace('note = "uses', 'nope = "uses'), "nope: unknown field"),
        (ANSWERS + 'files_reviewed = ["other.py"]\n', "files_reviewed"),
        ("verdict = ", "not valid TOML"),
    ],
)
def test_bad_answers_write_nothing(
    sql_repo: Path, ssh_keys: SshKeys, capsys, answers: str, message: str
) -> None:
    code = review(sql_repo, answers, "--key", str(ssh_keys["ed25519"].path))
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert list_records(sql_repo) == [] and list_drafts(sql_repo / ".git") == []


def test_no_key_keeps_the_draft(sql_repo: Path, capsys) -> None:
    assert review(sql_repo, ANSWERS, "--format", "ssh") == 4
    err = capsys.readouterr().err
    assert "user.signingKey" in err and "kept as a draft" in err
    assert list_records(sql_repo) == []
    drafts = list_drafts(sql_repo / ".git")
    assert len(drafts) == 1 and "db.parameterized-queries" in drafts[0].read_text()


def test_worktree_review(sql_repo: Path, ssh_keys: SshKeys, capsys) -> None:
    write(sql_repo, {"app.py": SQL + "# more\n"})
    assert (
        review(sql_repo, 'verdict = "approve"\n', "--worktree", "--key", str(ssh_keys["ed25519"].path)) == 0
    )
    rec = load(sql_repo / capsys.readouterr().out.strip())
    assert rec.subject.kind == "worktree" and rec.subject.dirty and len(rec.subject.worktree_tree) == 40
    assert rec.review.verdict == "approve"


def _signoff_without_terminal(
    repo: Path, *argv: str, block_textual: bool = False
) -> subprocess.CompletedProcess:
    """Run signoff as CI would: stdin from /dev/null, output to pipes, no TEXTUAL_DRIVER."""

    code = "import sys\n"
    if block_textual:
        code += "sys.modules['textual'] = None\n"
    code += "from signoff.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    return subprocess.run(
        [sys.executable, "-c", code, "-C", str(repo), *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_review_without_the_tui_installed(sql_repo: Path) -> None:
    done = _signoff_without_terminal(sql_repo, "review", block_textual=True)
    assert done.returncode == 2, done.stderr
    assert "not installed" in done.stderr and "--answers FILE" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("argv", [("review",), ("base..head",), ()])
def test_review_without_a_terminal_refuses_instead_of_waiting(sql_repo: Path, argv: tuple[str, ...]) -> None:
    """A CI job or a pipe has no terminal: the TUI would wait forever for keys; say so in one line."""

    done = _signoff_without_terminal(sql_repo, *argv)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.strip().count("\n") == 0
    assert "needs a terminal" in done.stderr and "--answers FILE" in done.stderr


def test_demo_without_a_terminal_refuses_before_building(tmp_path: Path) -> None:
    where = tmp_path / "demo"
    done = _signoff_without_terminal(tmp_path, "demo", "--dir", str(where))
    assert done.returncode == 2 and "needs a terminal" in done.stderr
    assert not where.exists()


def test_a_hostile_clone_cannot_choose_the_signing_key_or_the_reviewer(
    sql_repo: Path, ssh_keys: SshKeys, capsys
) -> None:
    """The repository's own .git/config names the attacker's key, e-mail and format; the review is still
    signed with the reviewer's key from their global config and names the reviewer (issue 12)."""
    mallory = ssh_keys["rsa"]
    for k, v in {
        "user.signingKey": str(mallory.path),
        "user.email": "mallory@example.com",
        "user.name": "Mallory",
        "gpg.format": "openpgp",
    }.items():
        git(sql_repo, "config", "--local", k, v)
    git(sql_repo, "config", "--global", "gpg.format", "ssh")
    git(sql_repo, "config", "--global", "user.signingKey", str(ssh_keys["ed25519"].path))
    git(sql_repo, "config", "--global", "user.name", "Alice")
    assert review(sql_repo, 'verdict = "approve"\n') == 0, capsys.readouterr().err
    rec = load(sql_repo / capsys.readouterr().out.strip())
    assert rec.reviewer.email == "alice@example.com" and rec.reviewer.name == "Alice"
    assert rec.signature is not None and rec.signature.format == "ssh"
    assert parse_signature(rec.signature.value).public_key == parse_public_key(ssh_keys["ed25519"].pub)
    assert main(["-C", str(sql_repo), "verify"]) == 0
