"""Keys that must never lose or misplace a reviewer's work (issue 15, first section), driven with Pilot."""

from __future__ import annotations

import asyncio
from pathlib import Path

from signoff.app.widgets.diffview import DiffView
from signoff.review.session import AnswerValue, load_draft
from tests.app.tui_helpers import keys_repo, make_app, notifications, ready, screen_text


def _draft(app):
    return load_draft(app.draft_dir, app.target.key)


async def _draft_when(app, pilot, ok):
    """The draft on disk once ``ok(draft)`` holds (autosave is a little delayed), else the last one."""
    for _ in range(50):
        await pilot.pause(0.1)
        draft = _draft(app)
        if draft is not None and ok(draft):
            break
    return draft


def test_ctrl_q_and_escape_in_the_note_editor_cancel_only_the_editor(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            qid = screen.checklist.current
            await pilot.press("e", *"first note", "ctrl+s")
            assert app.session.questions[qid].note == "first note"
            # ctrl+q is "cancel" in the editor: the app keeps running; typed text is not thrown away
            # on one key (it asks), a second ctrl+q cancels; the saved note is unchanged
            await pilot.press("e", *" and more", "ctrl+q")
            await pilot.pause()
            assert app.is_running and app.screen is not screen
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert app.is_running and app.screen is screen
            assert app.session.questions[qid].note == "first note"
            # esc with unsaved text asks first; a second esc discards; the note stays as saved
            await pilot.press("e", *" typed", "escape")
            assert app.screen is not screen, "one esc must not throw typed text away"
            assert any("unsaved" in n for n in notifications(app)) or "unsaved" in screen_text(app)
            await pilot.press("escape")
            assert app.screen is screen
            assert app.session.questions[qid].note == "first note"
            assert not app.session.note_edits.get(qid)

    asyncio.run(run())


def test_a_note_being_typed_is_in_the_draft_and_comes_back(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)
    drafts = tmp_path / "drafts"

    async def typing() -> str:
        app = make_app(repo, drafts)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            qid = screen.checklist.current
            await pilot.press("e", *"half a thought")
            # the autosave runs while typing, not on save
            draft = await _draft_when(app, pilot, lambda d: d.note_edits.get(qid) == "half a thought")
            assert draft is not None and draft.note_edits.get(qid) == "half a thought"
            assert not (draft.questions.get(qid) and draft.questions[qid].note)
            return qid

    qid = asyncio.run(typing())  # the app ends with the editor open: like a crash

    async def resume() -> None:
        app = make_app(repo, drafts)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            screen.checklist.select(qid)
            await pilot.press("e")
            from textual.widgets import TextArea

            assert app.screen.query_one(TextArea).text == "half a thought"
            await pilot.press("ctrl+s")
            assert app.session.questions[qid].note == "half a thought"
            assert not app.session.note_edits.get(qid)

    asyncio.run(resume())


def test_r_in_the_file_list_marks_the_highlighted_file(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            files = [f.path for f in screen.diff.files]
            dv = screen.query_one(DiffView)
            assert dv.current_file() == 0
            screen.filelist.focus_list()
            await pilot.press("j", "j", "j")
            highlighted = screen.filelist.highlighted_path()
            assert highlighted == files[3]
            await pilot.press("r")
            assert app.session.reviewed_files == {files[3]}, "r acts on the highlighted file"
            # r again on the same (reviewed) file takes the mark off, and says so
            screen.filelist.highlight_path(files[3])
            await pilot.press("r")
            assert app.session.reviewed_files == set()
            assert any("not reviewed" in n for n in notifications(app))

    asyncio.run(run())


def test_answer_keys_in_the_checklist_act_on_the_highlighted_question(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            ids = screen.triggered_ids()
            assert len(ids) >= 2
            screen.checklist.options.focus()
            await pilot.press("j")
            await pilot.press("f")
            assert app.session.answer_of(ids[1]) is AnswerValue.FAIL
            assert app.session.answer_of(ids[0]) is None

    asyncio.run(run())


def test_note_after_an_answer_goes_to_the_answered_question_and_says_so(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            first, second = screen.triggered_ids()[:2]
            await pilot.press("p")
            assert screen.checklist.current == second  # the walk moves on ...
            assert first in screen_text(app) or "note goes to" in screen_text(app)
            await pilot.press("e")
            # ... but the note editor names, and writes to, the question just answered
            from signoff.app.screens.note import NoteScreen

            assert isinstance(app.screen, NoteScreen) and app.screen.qid == first
            await pilot.press(*"why it passes", "ctrl+s")
            assert app.session.questions[first].note == "why it passes"
            assert not (app.session.questions.get(second) and app.session.questions[second].note)
            # once the reviewer moves to another question on purpose, e is for that one
            await pilot.press("J")
            third = screen.checklist.current
            await pilot.press("e")
            assert app.screen.qid == third
            await pilot.press("ctrl+s")

    asyncio.run(run())


def test_summary_text_is_autosaved_as_typed(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(100, 40)) as pilot:
            await ready(app, pilot)
            await pilot.press("S")
            await pilot.pause()
            app.screen.query_one("#summary-text").focus()
            await pilot.press(*"checked the SQL")
            draft = await _draft_when(app, pilot, lambda d: d.summary == "checked the SQL")
            assert draft is not None and draft.summary == "checked the SQL"

    asyncio.run(run())
