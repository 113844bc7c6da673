"""The review screen shows a big diff in parts (issue 15: diff on screen < 1 s, first question < 2 s).

The pipeline is the real one, held after a stage (a gate the test opens), so the screen is checked while
the diff is partial: the first files are shown and reviewable, the counts say how many are read, keys
that need the rest say so, nothing can be signed; then the rest arrives after the rows shown, which
do not move. Every wait is on a condition, bounded.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from signoff.analysis import Stage, StageDone
from signoff.app import loader
from signoff.app import messages as m
from signoff.app.finish import FinishError, sign_and_save
from signoff.app.screens.review import ReviewScreen
from signoff.diff import parse
from tests.app.tui_helpers import WAIT_S, loaded_screen, make_app, notifications, screen_text
from tests.test_diff_parts import CONFIG, parts_repo


def hold_after(monkeypatch: pytest.MonkeyPatch, stage: Stage) -> threading.Event:
    """Hold the real pipeline after its first ``stage`` event until the returned gate is set."""
    gate = threading.Event()
    real = loader.analyze_stages

    def held(*args: Any, **kw: Any) -> Iterator[StageDone]:
        for ev in real(*args, **kw):
            yield ev
            if ev.stage is stage:
                gate.wait(WAIT_S)

    monkeypatch.setattr(loader, "analyze_stages", held)
    monkeypatch.setattr(parse, "READ_CHUNK", 2048)
    return gate


async def until(pilot: Any, cond: Callable[[], object], what: str) -> None:
    """Wait (bounded) until ``cond()`` holds."""
    end = asyncio.get_running_loop().time() + WAIT_S
    while not cond():
        assert asyncio.get_running_loop().time() < end, f"timed out waiting for {what}"
        await pilot.pause(0.02)


@pytest.mark.parametrize("dat", [False, True], ids=["parts-extend", "file-re-read"])
def test_first_part_is_reviewable_and_the_rest_comes_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dat: bool
) -> None:
    """Without ``text.dat`` the rest is added after the rows shown (the same row model); with it, a
    file shown is re-read as text at the end, so the model is new and the cursor is put back on its
    line (the same row: the files before it did not change)."""
    gate = hold_after(monkeypatch, Stage.DIFF_PART)
    repo = parts_repo(tmp_path, dat=dat)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts", ai=False)
        async with app.run_test(size=(160, 48)) as pilot:
            try:
                await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the screen")
                screen = app.screen
                assert isinstance(screen, ReviewScreen)
                await until(pilot, lambda: screen.diff is not None, "the first part")
                st = screen.state
                part = st.diff
                assert part is not None and part.partial
                n, total = len(part.files), part.files_expected
                assert 0 < n < total and "diff" in st.pending_stages()
                await until(pilot, lambda: f"{n}/{total} files" in screen_text(app), "the count")
                assert part.files[0].path == CONFIG and CONFIG in screen_text(app)
                assert len(screen.filelist.files) == n
                # keys work on what is loaded
                dv = screen.diffview
                await pilot.press("j", "j")
                assert dv.cursor == 2
                for _ in range(n - 1):
                    await pilot.press("right_curly_bracket")
                assert dv.current_file() == n - 1
                await pilot.press("right_curly_bracket")  # no wrap to the first file: the rest is coming
                assert dv.current_file() == n - 1
                assert any("still loading" in x for x in notifications(app))
                await pilot.press("W")  # another view waits for the whole diff
                assert "whitespace" not in screen_text(app).lower()
                # nothing can be signed on a partial diff
                st.session.set_verdict("approve")
                with pytest.raises(FinishError):
                    sign_and_save(app, st)
                await pilot.press("S")
                assert app.screen is screen
                # the rest: after the rows shown, which stay where they were
                await pilot.press("g")
                await pilot.press("j", "j", "j")
                row, model = dv.cursor, screen.model
                top_file = part.files[dv.current_file() or 0].path
                gate.set()
                screen = await loaded_screen(app, pilot)
                assert (screen.model is not model) is dat and dv.cursor == row
                assert screen.state.diff is not None and not screen.state.diff.partial
                assert part.files[dv.current_file() or 0].path == top_file
                assert len(screen.filelist.files) == total and "diff" in screen.state.stages_done
                await until(pilot, lambda: f"{total} files" in screen_text(app), "the final count")
                assert f"/{total} files" not in screen_text(app)
                await pilot.press("G")
                assert dv.current_file() == total - 1
            finally:
                gate.set()

    asyncio.run(run())


def test_first_questions_come_from_the_first_part_before_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "PREVIEW_LINES", 150)
    gate = hold_after(monkeypatch, Stage.QUESTIONS_FIRST)
    repo = parts_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts", ai=False)
        async with app.run_test(size=(160, 48)) as pilot:
            try:
                await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the screen")
                screen = app.screen
                assert isinstance(screen, ReviewScreen)
                await until(pilot, lambda: bool(screen.questions), "the first questions")
                st = screen.state
                assert st.diff is not None and st.diff.partial  # the rest of the diff is not read yet
                shown = {f.path for f in st.diff.files}
                hits = {h.path for q in st.questions for h in q.hits}
                assert hits and hits <= shown
                assert "questions" in st.pending_stages() and not screen.loaded
                assert screen.checklist.options.option_count > 0
                gate.set()
                screen = await loaded_screen(app, pilot)
                every = {h.path for q in screen.state.questions for h in q.hits}
                assert every > hits and "questions" in screen.state.stages_done
            finally:
                gate.set()

    asyncio.run(run())


def test_search_over_a_partial_diff_says_what_is_not_read_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = hold_after(monkeypatch, Stage.DIFF_PART)
    repo = parts_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts", ai=False)
        async with app.run_test(size=(160, 48)) as pilot:
            try:
                await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the screen")
                screen = app.screen
                assert isinstance(screen, ReviewScreen)
                await until(pilot, lambda: screen.diff is not None, "the first part")
                assert all(not f.path.startswith("z") for f in screen.diff.files)
                await pilot.press("slash", *"z19", "enter")
                await until(pilot, lambda: "no match" in screen.search_info, "the search")
                n, total = len(screen.diff.files), screen.diff.files_expected
                assert f"no match in {n}/{total} files read" in screen.search_info
                gate.set()
                screen = await loaded_screen(app, pilot)
                await pilot.press("n")
                fi = screen.diffview.current_file()
                assert fi is not None and screen.state.diff.files[fi].path == "z19.py"
            finally:
                gate.set()

    asyncio.run(run())


def test_the_loader_waits_for_the_first_part_and_first_questions_to_be_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first part and the first questions carry an event the screen sets once it has drawn them
    (the loader waits on it, bounded, so the screen has the interpreter to itself); later parts do not."""
    monkeypatch.setattr(loader, "PREVIEW_LINES", 150)
    monkeypatch.setattr(parse, "READ_CHUNK", 2048)
    repo = parts_repo(tmp_path)
    seen: list[Any] = []

    def hook(msg: object) -> None:
        if isinstance(msg, m.DiffLoaded | m.QuestionsLoaded) and not any(msg is x for x in seen):
            seen.append(msg)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts", ai=False)
        async with app.run_test(size=(160, 48), message_hook=hook) as pilot:
            await loaded_screen(app, pilot)

    asyncio.run(run())
    diffs = [x for x in seen if isinstance(x, m.DiffLoaded)]
    questions = [x for x in seen if isinstance(x, m.QuestionsLoaded)]
    assert len(diffs) >= 2 and diffs[0].diff.partial and not diffs[-1].diff.partial
    assert questions[0].partial and questions[0].shown is not None and questions[0].shown.is_set()
    assert diffs[0].shown is not None and diffs[0].shown.is_set()
    assert all(x.shown is None for x in diffs[1:] + questions[1:])
