"""Pilot tests for what reviewers expect (issue 15): review since the last review, half-page moves, the
current line in $EDITOR, a fuzzy file jump, viewed files collapsed and filtered, whitespace-insensitive
view, more context and the whole file."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from typing import Any

from signoff.app.screens.review import ReviewScreen
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.records.codec import load
from signoff.records.model import Answer
from signoff.records.store import list_records
from tests.app.tui_helpers import loaded_screen, make_app, settle
from tests.helpers import commit_files, git
from tests.review_helpers import allowed, signed_record, store

# -- review since the last review ---------------------------------------------------------------------


def test_rereview_offers_the_interdiff_and_carries_answers(
    review_repo: Path, tmp_path: Path, ssh_keys
) -> None:
    from signoff.analysis import analyze

    key = ssh_keys["ed25519-tui"]
    trust = allowed([("reviewer@example.com", key, "")])
    git(review_repo, "checkout", "-q", "main")
    commit_files(review_repo, {".signoff/allowed_signers": trust}, "trust")
    git(review_repo, "checkout", "-q", "feature")
    git(review_repo, "rebase", "-q", "main")
    g = open_repo(review_repo)
    full = analyze(g, resolve_target(g, "main..feature"), ai=False)
    ids = full.questions.triggered_ids()
    answers = [Answer(q, "", "pass", "high", "first look") for q in ids]
    rec = signed_record(
        review_repo,
        ssh_keys.private_ed25519("ed25519-tui"),
        base="main",
        head="feature",
        email="reviewer@example.com",
        answers=answers,
    )
    store(review_repo, rec)
    commit_files(review_repo, {}, "record")
    commit_files(
        review_repo,
        {"db/query.py": "def get(cur, uid):\n    cur.execute(f'SELECT * FROM t WHERE id = {uid!r}')\n"},
        "tweak",
    )
    sql = next(q for q in ids if any(h.path == "db/query.py" for h in full.questions.result(q).hits))

    async def run() -> None:
        app = make_app(review_repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app)
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)  # offered by a notice, never in the way
            await pilot.press("R")
            await pilot.pause()
            assert app.screen.id == "rereview-offer"
            assert "reviewer@example.com" in str(app.screen.query_one("#offer-body").render())
            await pilot.press("i")
            await settle(app)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            assert [f.path for f in screen.diff.files] == ["db/query.py"]  # the interdiff
            assert len(screen.full_diff.files) > 1  # the record still covers the whole range
            assert app.session.previous is not None
            carried = [q for q in ids if q != sql]
            assert all(app.session.answer_of(q).value == "pass" for q in carried)
            assert app.session.answer_of(sql) is None and sql in app.session.reanswer
            assert "re-answer" in str(screen.query_one("#status").render()) or sql in app.session.reanswer

    asyncio.run(run())


# -- movement, editor, fuzzy jump ------------------------------------------------------------------------


def _long_repo(tmp_path: Path) -> Path:
    from tests.helpers import make_repo

    r = make_repo(tmp_path / "repo")
    commit_files(r, {"a.py": "".join(f"a{i} = {i}\n" for i in range(200)), "b.txt": "x\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    body = "".join(f"a{i} = {i + 1}\n" if i % 50 == 0 else f"a{i} = {i}\n" for i in range(200))
    commit_files(
        r,
        {
            "a.py": body,
            "b.txt": "x  \n",  # whitespace only
            "src/deep/nested/handler.py": "".join(f"h{i} = 1\n" for i in range(120)),
        },
        "change",
    )
    return r


def test_half_page_moves(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(_long_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await loaded_screen(app, pilot)
            dv = screen.diffview
            dv.focus()
            half = max(1, dv.scrollable_content_region.height // 2)
            await pilot.press("ctrl+d")
            assert dv.cursor == half
            await pilot.press("ctrl+d", "ctrl+u")
            assert dv.cursor == half

    asyncio.run(run())


def test_editor_opens_the_current_line_and_never_the_repo_editor(tmp_path: Path, monkeypatch) -> None:
    r = _long_repo(tmp_path)
    marker = tmp_path / "repo-editor-ran"
    git(r, "config", "core.editor", f"touch {marker}")
    log = tmp_path / "editor.log"
    editor = tmp_path / "ed.sh"
    editor.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\n')
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)

    async def run() -> None:
        app = make_app(r, tmp_path / "drafts")
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await loaded_screen(app, pilot)
            assert screen.diffview.goto_line("a.py", 51, "new")
            await pilot.press("E")  # no $EDITOR: says so, runs nothing
            await pilot.pause()
            assert not marker.exists() and not log.exists()
            os.environ["EDITOR"] = str(editor)
            await pilot.press("E")
            await settle(app)
            await pilot.pause()

    try:
        asyncio.run(run())
    finally:
        os.environ.pop("EDITOR", None)
    args = log.read_text().split("\n")
    assert args[0] == "+51" and Path(args[1]).is_absolute() and args[1].endswith("a.py")
    assert Path(args[1]).read_text().startswith("a0 = 1\n")  # the reviewed (new) content
    assert not marker.exists()


def test_fuzzy_file_jump(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(_long_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await loaded_screen(app, pilot)
            await pilot.press("o")
            await pilot.pause()
            await pilot.press(*"hndlr")
            await pilot.pause(0.5)
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is screen
            fi = screen.diffview.current_file()
            assert screen.diff.files[fi].path == "src/deep/nested/handler.py"

    asyncio.run(run())


def test_viewed_files_collapse_and_can_be_hidden(tmp_path: Path) -> None:
    repo = _long_repo(tmp_path)

    async def run() -> int:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await loaded_screen(app, pilot)
            rows_before = len(screen.model)
            first = screen.diff.files[0].path
            screen.diffview.focus()
            await pilot.press("r")
            assert first in app.session.reviewed_files
            assert screen.model.collapsed(0) and len(screen.model) < rows_before
            await pilot.press("V")
            await pilot.pause()
            shown = [screen.diff.files[i].path for i in screen.filelist.shown_indices()]
            assert first not in shown and len(shown) == len(screen.diff.files) - 1
            await pilot.press("V")
            assert len(screen.filelist.shown_indices()) == len(screen.diff.files)
            return rows_before

    rows_before = asyncio.run(run())

    async def resume() -> None:  # the draft's reviewed files come back collapsed
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await loaded_screen(app, pilot)
            assert screen.diff.files[0].path in app.session.reviewed_files
            assert screen.model.collapsed(0) and len(screen.model) < rows_before
            assert not any(screen.model.collapsed(i) for i in range(1, len(screen.diff.files)))

    asyncio.run(resume())


def test_whitespace_toggle_and_context(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(_long_repo(tmp_path), tmp_path / "drafts")
        # every notice said, kept here: a notice expires after a few seconds, which a loaded machine
        # can spend between the key and the assertion
        said: list[str] = []
        real_notify = app.notify

        def notify(message: str, *args: Any, **kwargs: Any) -> None:
            said.append(str(message))
            real_notify(message, *args, **kwargs)

        app.notify = notify  # type: ignore[method-assign]
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await loaded_screen(app, pilot)
            assert "b.txt" in [f.path for f in screen.diff.files]
            await pilot.press("W")
            await settle(app)
            await pilot.pause()
            assert "b.txt" not in [f.path for f in screen.diff.files if f.hunks]
            assert "whitespace" in str(screen.query_one("#status").render())
            # said at any width (the status line is cut at 80 columns)
            assert any("Whitespace-only changes hidden" in m for m in said)
            assert "b.txt" in [f.path for f in screen.full_diff.files]  # the record is unchanged
            await pilot.press("W")
            await settle(app)
            await pilot.pause()
            # more context around hunks, then the whole file
            fi = screen.model.file_index("a.py")
            screen.diffview.goto_file(fi)
            rows = screen.model.file_end(fi) - screen.model.file_starts[fi]
            await pilot.press("x")
            await settle(app)
            await pilot.pause()
            fi = screen.model.file_index("a.py")
            assert screen.model.file_end(fi) - screen.model.file_starts[fi] > rows
            assert any("a.py: " in m and "context" in m for m in said)
            await pilot.press("X")
            await settle(app)
            await pilot.pause()
            fi = screen.model.file_index("a.py")
            assert screen.model.row_for_line(fi, 100, "new") is not None  # far from any change
            assert any(m == "a.py: the whole file" for m in said)

    asyncio.run(run())


def test_signed_record_after_views_is_of_the_full_diff(tmp_path: Path, ssh_keys) -> None:
    """Whitespace-insensitive view and extra context never change what the record covers."""
    from tests.app.test_review_e2e import _configure_signing

    r = _long_repo(tmp_path)
    _configure_signing(r, ssh_keys["ed25519-tui"])

    async def run() -> None:
        app = make_app(r, tmp_path / "drafts")
        async with app.run_test(size=(100, 30)) as pilot:
            await loaded_screen(app, pilot)
            await pilot.press("W", "x")
            await settle(app)
            await pilot.press("S")
            await pilot.pause()
            app.screen.query_one("#verdict").focus()
            await pilot.press("down", "enter", "ctrl+s")
            await settle(app)
            await pilot.pause()

    asyncio.run(run())
    rec = load(list_records(r)[0])
    assert "b.txt" in rec.subject.paths and rec.review.verdict == "changes-requested"
