"""After signing, the review is read-only and says so: no key types into a box or changes an answer."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import TextArea

from tests.app.test_review_e2e import _configure_signing
from tests.app.tui_helpers import keys_repo, make_app, notifications, ready, screen_text, settle


def test_after_signing_everything_is_read_only(tmp_path: Path, ssh_keys) -> None:
    repo = keys_repo(tmp_path)
    _configure_signing(repo, ssh_keys["ed25519-tui"])

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await ready(app, pilot)
            first = screen.triggered_ids()[0]
            await pilot.press("p")
            await pilot.press("S")
            await pilot.pause()
            app.screen.query_one("#verdict").focus()
            await pilot.press("enter")
            app.screen.query_one("#summary-text").focus()
            await pilot.press(*"fine", "ctrl+s")
            await pilot.pause()
            if app.screen.id == "confirm-open":  # approving with open items asks first
                await pilot.press("y")
            await settle(app)
            await pilot.pause()
            assert app.record_path is not None
            summary = app.screen
            box = summary.query_one("#summary-text", TextArea)
            assert box.read_only
            assert "read-only" in screen_text(app)
            # "press q to quit" must quit, not type q into the signed summary
            box.focus()
            before = box.text
            await pilot.press("escape")  # back to the review screen
            await pilot.pause()
            assert box.text == before == "fine"
            assert app.screen is screen
            assert "signed" in screen_text(app).lower() and "read-only" in screen_text(app)
            # answers, notes, reviewed marks: refused with a message, nothing changes
            answers = {q: st.answer for q, st in app.session.questions.items()}
            await pilot.press("f", "a", "c", "r")
            assert {q: st.answer for q, st in app.session.questions.items()} == answers
            assert app.session.reviewed_files == set()
            assert app.session.answer_of(first) is not None
            assert any("read-only" in n for n in notifications(app))
            await pilot.press("e")
            assert app.screen is screen, "no note editor on a signed review"
            await pilot.press("q")
            await pilot.pause()
        assert not app.is_running

    asyncio.run(run())


def test_q_on_the_signed_summary_quits(tmp_path: Path, ssh_keys) -> None:
    repo = keys_repo(tmp_path, extra_files=0)
    _configure_signing(repo, ssh_keys["ed25519-tui"])

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(100, 40)) as pilot:
            await ready(app, pilot)
            await pilot.press("S")
            await pilot.pause()
            app.screen.query_one("#verdict").focus()
            await pilot.press("enter")
            app.screen.query_one("#summary-text").focus()
            await pilot.press(*"ok", "ctrl+s")
            await pilot.pause()
            if app.screen.id == "confirm-open":  # approving with open items asks first
                await pilot.press("y")
            await settle(app)
            await pilot.pause()
            assert app.record_path is not None
            app.screen.query_one("#summary-text").focus()
            await pilot.press("q")
            await pilot.pause()
        assert not app.is_running

    asyncio.run(run())


def test_history_table_fits_80_columns(tmp_path: Path, ssh_keys) -> None:
    from signoff.cli import main

    repo = keys_repo(tmp_path, extra_files=0)
    _configure_signing(repo, ssh_keys["ed25519-tui"])
    answers = tmp_path / "answers.toml"
    answers.write_text('verdict = "approve"\nsummary = "ok"\n')
    assert main(["-C", str(repo), "review", "main..feature", "--answers", str(answers)]) == 0

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(app, pilot)
            await pilot.press("H")
            await settle(app)
            await pilot.pause()
            table = app.screen.query_one("#history-table")
            assert table.row_count == 1
            assert table.virtual_size.width <= table.size.width, "no sideways scrolling needed"
            text = screen_text(app)
            assert "approve" in text and "valid" in text and "reviewer@" in text
            assert ".toml" in text  # the record's file name survives the elision

    asyncio.run(run())
