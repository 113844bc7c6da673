"""Missing objects (a partial clone) degrade, never abort.

The repository is made like a ``--filter=blob:none`` clone: ``origin`` is a promisor remote (armed with a
program, which must not run) and some blobs are not in the object store. Every command carries on, warns
naming the commit and the path it could not read, and counts what it skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signoff.cli import main
from tests.helpers import commit_files, git, make_repo
from tests.hostile_repos import make_promisor


@pytest.fixture
def partial(tmp_path: Path) -> tuple[Path, Path, str]:
    """main: two commits (the second AI-attributed); topic: app.py changed (blob missing), lib.py added."""
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n", "README.md": "hi\n"}, "base")
    commit_files(
        repo,
        {"app.py": "x = 1\ny = 2\n", "sub/old.py": "import os\n"},
        "second\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    )
    git(repo, "checkout", "-q", "-b", "topic")
    head = commit_files(
        repo, {"app.py": "x = 1\ny = 2\nz = 3\n", "lib.py": "import os\nos.system(cmd)\n"}, "topic"
    )
    git(repo, "checkout", "-q", "main")
    # Missing: topic's app.py, and main's tree sub/ (as in a --filter=tree:0 clone) on the audited branch.
    make_promisor(repo, tmp_path / "PWNED", delete=["topic:app.py", "main:sub"])
    return repo, tmp_path / "PWNED", head


def _run(repo: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["-C", str(repo), *argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


def test_scan_warns_names_commit_and_path_and_carries_on(
    partial: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, marker, head = partial
    code, out, err = _run(repo, ["scan", "main..topic"], capsys)
    assert code == 0, err
    assert "lib.py" in out
    warning = [ln for ln in (out + err).splitlines() if "missing" in ln and "app.py" in ln]
    assert warning and head[:12] in warning[0], out + err
    assert not marker.exists()


def test_scan_json_flags_and_counts_missing(
    partial: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, _marker, head = partial
    code, out, err = _run(repo, ["scan", "main..topic", "--format", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    files = {f["path"]: f for f in doc["files"]}
    assert files["app.py"]["missing_object"] is True
    assert files["lib.py"]["missing_object"] is False and files["lib.py"]["added"] == 2
    assert doc["missing_objects"] == [
        {"commit": head, "path": "app.py", "object": files["app.py"]["new_blob"]}
    ]
    assert "code.command-injection" in {q["id"] for q in doc["questions"]["triggered"]}


def test_audit_skips_with_a_warning_and_counts(
    partial: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, marker, _ = partial
    second = git(repo, "rev-parse", "main").strip()
    for argv in (["audit"], ["audit", "--history"]):
        code, out, err = _run(repo, argv, capsys)
        assert code in (0, 1), err
        text = out + err
        lines = [ln for ln in text.splitlines() if "missing" in ln and "sub" in ln]
        assert lines and second[:12] in lines[0], text
    code, out, err = _run(repo, ["audit", "--format", "json"], capsys)
    doc = json.loads(out)
    assert doc["summary"]["missing_objects"] >= 1
    assert {"commit": second, "path": "sub"}.items() <= doc["missing_objects"][0].items()
    assert not marker.exists()


def test_audit_history_skips_a_missing_record_blob(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    rec = commit_files(repo, {".signoff/reviews/2026/01/r.toml": 'schema = "signoff.review/1"\n'}, "record")
    commit_files(repo, {".signoff/reviews/2026/01/r.toml": None}, "drop it")
    make_promisor(repo, tmp_path / "PWNED", delete=[f"{rec}:.signoff/reviews/2026/01/r.toml"])
    code, out, err = _run(repo, ["audit", "--history"], capsys)
    assert code in (0, 1), err
    lines = [ln for ln in (out + err).splitlines() if "missing" in ln and "r.toml" in ln]
    assert lines and rec[:12] in lines[0], out + err
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("argv", [["gate", "main..topic"], ["verify"], ["checklists", "list"]])
def test_other_commands_do_not_crash(
    partial: tuple[Path, Path, str], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, marker, _ = partial
    code, _out, err = _run(repo, argv, capsys)
    assert code in (0, 1), err
    assert not marker.exists()


def test_headless_review_records_what_it_could_not_read(
    partial: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """review --answers gets as far as signing (exit 4: no key here), warning about the missing blob."""
    repo, marker, _head = partial
    answers = repo.parent / "answers.toml"
    answers.write_text('verdict = "approve"\nsummary = "ok"\n')
    code, _out, err = _run(repo, ["review", "main..topic", "--answers", str(answers)], capsys)
    assert code == 4, err
    assert "app.py" in err and "missing" in err
    assert not marker.exists()
