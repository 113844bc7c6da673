"""Pilot tests: the record says what really happened (issue 12) and line comments (issue 15).

Finishing waits for the analysis; approving with open items asks and lists them in the record; "AI lines
looked at" are the lines the cursor moved through with the diff focused; passing ``ai.manual-review``
with AI lines unseen warns first; line comments go into the draft and the signed record.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from signoff.app.app import SignoffApp
from signoff.app.screens.review import ReviewScreen
from signoff.records.codec import load
from signoff.records.store import list_records
from tests.app.test_review_e2e import _configure_signing
from tests.app.tui_helpers import loaded_screen, make_app, settle

EMAIL = "reviewer@example.com"


async def _choose_approve_and_sign(app: SignoffApp, pilot) -> None:
    await pilot.press("S")
    await pilot.pause()
    app.screen.query_one("#verdict").focus()
    await pilot.press("enter")
    await pilot.press("ctrl+s")
    await pilot.pause()


def _signed(repo: Path):
    records = list_records(repo)
    assert len(records) == 1
    return load(records[0])


def test_finish_waits_for_the_analysis(review_repo: Path, tmp_path: Path, monkeypatch) -> None:
    """While the checklists are still being matched, S says so and opens nothing."""
    import signoff.app.loader as loader
    from signoff.analysis import Stage

    gate = threading.Event()
    real = loader.analyze_stages

    def held(*args, **kw):  # the real pipeline, held after the diff until the test lets it go on
        for ev in real(*args, **kw):
            if ev.stage is not Stage.DIFF:
                gate.wait(10)
            yield ev

    monkeypatch.setattr(loader, "analyze_stages", held)

    async def run() -> None:
        app = make_app(review_repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            for _ in range(50):
                await pilot.pause(0.05)
                if app.screen.diff is not None:
                    break
            assert app.screen.diff is not None and not app.screen.analysis_complete
            await pilot.press("S")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            gate.set()
            screen = await loaded_screen(app, pilot)
            assert screen.analysis_complete
            await pilot.press("S")
            await pilot.pause()
            assert app.screen.id == "summary"

    asyncio.run(run())


def test_failed_analysis_is_recorded_as_incomplete(review_repo: Path, tmp_path: Path, ssh_keys) -> None:
    """A stage that fails leaves the review finishable, but the record says so (and the gate refuses it)."""
    from tests.helpers import commit_files, git

    # Checklists are read as committed on the target branch (the change cannot change its own review).
    git(review_repo, "checkout", "-q", "main")
    commit_files(
        review_repo, {".signoff/checklists/broken.toml": "[[question]]\nid = 3\n"}, "a broken checklist"
    )
    git(review_repo, "checkout", "-q", "feature")
    git(review_repo, "rebase", "-q", "main")
    _configure_signing(review_repo, ssh_keys["ed25519-tui"])

    async def run() -> None:
        app = make_app(review_repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await loaded_screen(app, pilot)
            assert not screen.analysis_complete and "questions" in screen.pending_stages()
            await pilot.press("S")
            await pilot.pause()
            text = str(app.screen.query_one("#summary-overview").render())
            assert "analysis did not complete" in text
            await pilot.press("escape")
            await _choose_approve_and_sign(app, pilot)
            assert app.screen.id == "confirm-open"  # incomplete: asks, and lists it
            assert "Analysis not complete" in str(app.screen.query_one("#confirm-body").render())
            await pilot.press("y")
            await settle(app)
            await pilot.pause()

    asyncio.run(run())
    rec = _signed(review_repo)
    assert rec.analysis.complete is False and "questions" in rec.analysis.pending


def test_approving_with_open_items_asks_and_the_record_lists_them(
    review_repo: Path, tmp_path: Path, ssh_keys
) -> None:
    _configure_signing(review_repo, ssh_keys["ed25519-tui"])

    async def run() -> list[str]:
        app = make_app(review_repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await loaded_screen(app, pilot)
            await pilot.press("p")  # one answer, no file viewed
            await _choose_approve_and_sign(app, pilot)
            assert app.screen.id == "confirm-open"
            shown = str(app.screen.query_one("#confirm-body").render())
            assert "unanswered" in shown and "not viewed" in shown and "db/query.py" in shown
            await pilot.press("n")
            await settle(app)
            await pilot.pause()
            assert app.record_path is None and app.screen.id == "summary"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen.id == "confirm-open"
            await pilot.press("y")
            await settle(app)
            await pilot.pause()
            assert app.record_path is not None
            return [q for q in screen.triggered_ids() if app.session.answer_of(q) is None]

    unanswered = asyncio.run(run())
    rec = _signed(review_repo)
    assert rec.analysis.complete and rec.analysis.confirmed
    assert rec.analysis.unanswered == sorted(unanswered) and unanswered
    assert "db/query.py" in rec.analysis.unviewed and rec.review.files_reviewed == []


def test_ai_lines_count_only_when_the_cursor_moves_through_them(review_repo: Path, tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(review_repo, tmp_path / "drafts")
        async with app.run_test(size=(160, 60)) as pilot:
            screen = await loaded_screen(app, pilot)
            fi = screen.model.file_index("lib/helper.py")
            screen.diffview.goto_file(fi)
            await pilot.pause(1.2)  # on screen for a second: not "looked at"
            assert not app.session.seen_ai.get("lib/helper.py")
            screen.filelist.focus_list()
            await pilot.press("j", "j")  # moving in the file list is not moving through the diff
            screen.diffview.goto_file(fi)
            await pilot.pause(0.6)
            assert not app.session.seen_ai.get("lib/helper.py")
            screen.diffview.focus()
            await pilot.press("j", "j", "j")
            await pilot.pause()
            assert app.session.seen_ai.get("lib/helper.py") == {1, 2}

    asyncio.run(run())


def test_passing_ai_manual_review_with_ai_lines_unseen_warns(review_repo: Path, tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(review_repo, tmp_path / "drafts")
        async with app.run_test(size=(140, 44)) as pilot:
            screen = await loaded_screen(app, pilot)
            assert "ai.manual-review" in screen.triggered_ids()
            screen.checklist.select("ai.manual-review")
            await pilot.pause()
            await pilot.press("p")
            await pilot.pause()
            assert app.screen.id == "confirm-ai"
            assert "2 AI-attributed line(s)" in str(app.screen.query_one("#confirm-body").render())
            await pilot.press("n")
            await pilot.pause()
            assert app.session.answer_of("ai.manual-review") is None
            # look at them, then pass without a warning
            screen.diffview.goto_file(screen.model.file_index("lib/helper.py"))
            screen.diffview.focus()
            await pilot.press("j", "j", "j")
            screen.checklist.select("ai.manual-review")
            await pilot.press("p")
            await pilot.pause()
            assert app.screen is screen and app.session.answer_of("ai.manual-review").value == "pass"

    asyncio.run(run())


def test_line_comments_are_drafted_signed_and_shown(review_repo: Path, tmp_path: Path, ssh_keys) -> None:
    _configure_signing(review_repo, ssh_keys["ed25519-tui"])
    drafts = tmp_path / "drafts"

    async def comment() -> None:
        app = make_app(review_repo, drafts)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await loaded_screen(app, pilot)
            assert screen.diffview.goto_line("db/query.py", 2, "new")
            screen.diffview.focus()
            await pilot.press("C")
            await pilot.pause()
            assert app.screen.id == "note-screen"
            assert "db/query.py:2" in str(app.screen.query_one("#note-question").render())
            await pilot.press(*"use a bound parameter", "ctrl+s")
            await pilot.pause()
            c = app.session.comments[0]
            assert (c.path, c.start, c.end, c.side, c.text) == (
                "db/query.py",
                2,
                2,
                "new",
                "use a bound parameter",
            )
            assert c.blob and screen.diffview.comment_rows()  # a marker in the gutter

    asyncio.run(comment())

    async def resume_and_sign() -> None:
        app = make_app(review_repo, drafts)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await loaded_screen(app, pilot)
            assert [c.text for c in app.session.comments] == ["use a bound parameter"]
            for _ in screen.diff.files:
                await pilot.press("r")
            for _ in screen.triggered_ids():
                await pilot.press("a")
            await _choose_approve_and_sign(app, pilot)
            if app.screen.id == "confirm-open":
                await pilot.press("y")
            await settle(app)
            await pilot.pause()
            assert app.record_path is not None
            # the history screen: Enter opens the record with its answers, comments and validity
            await pilot.press("escape", "H")
            await settle(app)
            await pilot.pause()
            await pilot.press("enter")
            await settle(app)
            await pilot.pause()
            assert app.screen.id == "record-view"
            body = str(app.screen.query_one("#record-body").render())
            assert "use a bound parameter" in body and "db/query.py:2" in body and "valid" in body
            assert "ai.manual-review" in body

    asyncio.run(resume_and_sign())
    rec = _signed(review_repo)
    assert [(c.path, c.lines, c.text) for c in rec.comments] == [
        ("db/query.py", "2", "use a bound parameter")
    ]
    assert rec.ai.seen_definition == "cursor/1"


@pytest.mark.parametrize("width", [80, 160])
def test_history_columns_fit_the_width(review_repo: Path, tmp_path: Path, ssh_keys, width: int) -> None:
    from tests.review_helpers import signed_record, store

    store(
        review_repo,
        signed_record(review_repo, ssh_keys.private_ed25519("ed25519"), base="main", head="feature"),
    )

    async def run() -> None:
        app = make_app(review_repo, tmp_path / "drafts")
        async with app.run_test(size=(width, 24)) as pilot:
            await loaded_screen(app, pilot)
            await pilot.press("H")
            await settle(app)
            await pilot.pause()
            table = app.screen.query_one("#history-table")
            assert table.row_count == 1
            total = sum(c.get_render_width(table) for c in table.columns.values())
            assert total <= width, total

    asyncio.run(run())
