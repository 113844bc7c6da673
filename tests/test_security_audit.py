"""Security review regressions: an untrusted repository must not run code, escape the terminal or
steer writes outside itself."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from signoff.diff.parse import load_diff
from signoff.errors import SignoffError
from signoff.git.objects import scratch_index_tree
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.integration import SignerLine, add_allowed_signer, write_config
from signoff.records.store import save_draft, write_record

from .helpers import commit_files, git, make_repo
from .sigkeys import make_record


def _repo_with_hostile_submodule(tmp_path: Path) -> tuple[Path, Path]:
    """A superproject whose submodule's own config (.git/modules/sub/config) names a clean filter."""
    marker = tmp_path / "PWNED"
    sub = make_repo(tmp_path / "subsrc")
    commit_files(sub, {"f.txt": "hi\n", ".gitattributes": "f.txt filter=evil\n"}, "sub")
    top = make_repo(tmp_path / "top")
    commit_files(top, {"a.txt": "a\n"}, "a")
    git(top, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "sub")
    git(top, "commit", "-q", "-m", "add sub")
    git(top, "config", "-f", ".git/modules/sub/config", "filter.evil.clean", f"sh -c 'touch {marker}; cat'")
    git(top, "config", "-f", ".git/modules/sub/config", "filter.evil.required", "true")
    # Same size, newer mtime: git must hash the file (through the filter) to know it is unchanged.
    f = top / "sub" / "f.txt"
    later = time.time() + 5
    os.utime(f, (later, later))
    commit_files(top, {"a.txt": "b\n"}, "b")
    (top / "a.txt").write_text("c\n")
    marker.unlink(missing_ok=True)  # plain git commit above ran it; signoff must not
    return top, marker


def test_worktree_review_does_not_run_a_submodules_filter(tmp_path: Path) -> None:
    top, marker = _repo_with_hostile_submodule(tmp_path)
    g = open_repo(top)
    assert g.is_dirty()
    target = resolve_target(g, worktree=True)
    diff = load_diff(g, target)
    assert [f.path for f in diff.files] == ["a.txt"]
    scratch_index_tree(g, worktree=True)
    scratch_index_tree(g, worktree=True, untracked=True)
    assert not marker.exists()


# -- writes never follow a symlinked directory out of the repository ------------------------------------


def _outside(tmp_path: Path) -> Path:
    out = tmp_path / "outside"
    out.mkdir()
    return out


def _files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


def test_write_record_refuses_symlinked_reviews_dir(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    outside = _outside(tmp_path)
    (repo / ".signoff").mkdir()
    (repo / ".signoff" / "reviews").symlink_to(outside, target_is_directory=True)
    with pytest.raises(SignoffError, match="symbolic link"):
        write_record(repo, make_record())
    assert _files_under(outside) == []


def test_write_record_refuses_symlinked_month_dir(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    outside = _outside(tmp_path)
    (repo / ".signoff" / "reviews" / "2026").mkdir(parents=True)
    (repo / ".signoff" / "reviews" / "2026" / "01").symlink_to(outside, target_is_directory=True)
    with pytest.raises(SignoffError, match="symbolic link"):
        write_record(repo, make_record())
    assert _files_under(outside) == []


def test_write_record_still_writes_normally(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    path = write_record(repo, make_record())
    assert path.is_file() and path.parent.parent.parent == repo / ".signoff" / "reviews"


def test_init_refuses_symlinked_signoff_dir(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    outside = _outside(tmp_path)
    (repo / ".signoff").symlink_to(outside, target_is_directory=True)
    with pytest.raises(SignoffError, match="symbolic link"):
        write_config(repo)
    with pytest.raises(SignoffError, match="symbolic link"):
        add_allowed_signer(repo, SignerLine("a@example.com", "ssh-ed25519", "AAAA", "test"))
    assert _files_under(outside) == []


def test_drafts_refuse_symlinked_dir_in_git_dir(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    outside = _outside(tmp_path)
    (repo / ".git" / "signoff").symlink_to(outside, target_is_directory=True)
    g = open_repo(repo)
    with pytest.raises(SignoffError, match="symbolic link"):
        save_draft(g, "range:a:b:0", {"x": 1})
    assert _files_under(outside) == []


# -- regexes from the repository cannot hang a scan -------------------------------------------------------

_EVIL_CHECKLIST = """
id = "team"
title = "Team rules"
version = "1"
description = "Local."
[[questions]]
id = "team.slow"
text = "Slow?"
severity = "low"
[questions.triggers]
added = ['{regex}']
"""


@pytest.mark.parametrize(
    "regex",
    [
        "(a|a)*b",  # exponential: the alternatives start alike
        "(a|aa)+$",
        "(x|y|xy)*z",
        "\\s*\\s*\\s*\\s*\\s*\\s*\\s*\\s*x",  # polynomial: one degree per adjacent repeat
        ".*.*.*.*.*x",
    ],
)
def test_repo_checklist_with_backtracking_regex_runs_in_linear_time(tmp_path: Path, regex: str) -> None:
    """Repository patterns never reach Python's backtracking ``re``: RE2 takes them, in linear time."""
    from signoff.checklists.load import load_checklists

    repo = make_repo(tmp_path / "r")
    d = repo / ".signoff" / "checklists"
    d.mkdir(parents=True)
    (d / "team.toml").write_text(_EVIL_CHECKLIST.replace("{regex}", regex))
    q = load_checklists(repo).by_id("team.slow")
    assert q is not None
    (p,) = q.triggers.added
    assert p.linear and type(p.regex).__module__.startswith("re2")
    assert p.regex.search("a" * 20000 + " " * 20000) is None or regex == "(a|aa)+$"


@pytest.mark.parametrize("regex", ["(?:foo|bar)+x", "\\s*\\S+", ".*.*x", "(?:a|b)*c", "\\w+\\s*=\\s*\\d+"])
def test_ordinary_regexes_are_still_accepted(tmp_path: Path, regex: str) -> None:
    from signoff.checklists.load import load_checklists

    repo = make_repo(tmp_path / "r")
    d = repo / ".signoff" / "checklists"
    d.mkdir(parents=True)
    (d / "team.toml").write_text(_EVIL_CHECKLIST.replace("{regex}", regex))
    assert load_checklists(repo).by_id("team.slow") is not None


# -- error messages carrying repository text reach the terminal made visible ------------------------------


def test_cli_error_message_with_repo_text_is_sanitised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from signoff.cli.main import main

    repo = make_repo(tmp_path / "r")
    d = repo / ".signoff" / "checklists"
    d.mkdir(parents=True)
    (d / "team.toml").write_text('id = "team"\n"\\u001b]0;pwned\\u0007\\u202e" = 1\n')
    commit_files(repo, {"a.py": "x = 1\n"}, "base")
    commit_files(repo, {"a.py": "x = 2\n"}, "change")
    code = main(["-C", str(repo), "scan", "HEAD"])
    err = capsys.readouterr().err
    assert code != 0 and "unknown key" in err
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert "<ESC>]0;pwned^G<RLO>" in err


# -- TUI notifications show repository text literally --------------------------------------------------


def test_tui_load_failure_with_markup_in_repo_text_is_shown_literally(tmp_path: Path) -> None:
    import asyncio

    from signoff.app.app import SignoffApp

    repo = make_repo(tmp_path / "r")
    d = repo / ".signoff" / "checklists"
    d.mkdir(parents=True)
    (d / "team.toml").write_text('id = "team"\n"x[/] [@click=app.quit]q[/]" = 1\n')
    commit_files(repo, {"a.py": "x = 1\n"}, "base")
    commit_files(repo, {"a.py": "x = 2\n"}, "change")

    async def run() -> None:
        g = open_repo(repo)
        app = SignoffApp(g, resolve_target(g, "HEAD"), draft_dir=tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause()
            notes = [str(n.message) for n in app._notifications]
            assert any("x[/] [@click=app.quit]q[/]" in n for n in notes), notes
            assert all(not n.markup for n in app._notifications if "@click" in str(n.message))
            app.export_screenshot()  # renders the toasts: a markup string would raise MarkupError here
            assert app.is_running

    asyncio.run(run())


def test_tui_draft_refused_by_symlinked_dir_is_reported_not_raised(tmp_path: Path) -> None:
    import asyncio

    from signoff.app.app import SignoffApp

    repo = make_repo(tmp_path / "r")
    commit_files(repo, {"a.py": "x = 1\n"}, "base")
    commit_files(repo, {"a.py": "x = 2\n"}, "change")
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "signoff").symlink_to(_outside(tmp_path), target_is_directory=True)

    async def run() -> None:
        g = open_repo(repo)
        app = SignoffApp(g, resolve_target(g, "HEAD"), draft_dir=drafts)
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.save_draft()  # written a moment later, on the draft writer thread
            for _ in range(50):
                await pilot.pause(0.1)
                if any("symbolic link" in str(n.message) for n in app._notifications):
                    break
            assert any("symbolic link" in str(n.message) for n in app._notifications)
            assert app.is_running

    asyncio.run(run())
    assert _files_under(tmp_path / "outside") == []


def test_markdown_report_text_cannot_mention_link_or_inject_html() -> None:
    """Repo text in the Markdown audit (a PR comment) neither pings people, autolinks, nor injects HTML."""
    from signoff.output.audit import _md

    assert _md("ping @security-team now") == "` ping @security-team now `"
    assert _md("see https://evil.example/x").startswith("`")
    assert _md("a `b` @c") == "`` a `b` @c ``"
    assert _md("x | y @z") == "` x \\| y @z `"
    html = _md("<img src=x onerror=alert(1)> &lt; [x](javascript:1)")
    assert "<" not in html.replace("\\<", "") and "&lt;" not in html and "\\[x\\]\\(" in html
    assert _md("line\nbreak") == "line break"
    assert "\x1b" not in _md("\x1b]0;title\x07")
