"""Late analysis stages, view reloads and typed-ahead keys (issue 15, the bug seen only in tmux).

In a real terminal keys arrive in bursts (tmux sends ``/exec.Command`` in one write; a busy app reads
several keys at once) and the analysis stages (questions, AI marks) arrive whenever they are ready, also
in the middle of a ``W``/``x``/``X`` reload. Pilot's ``press`` waits for idle after every key, which hid
both. These tests deliver keys as one burst (:func:`burst`) and the late stages during and after a
reload, and check what the reviewer sees: the sticky header names the file under the cursor, the
cursor is on screen, the focus stays where the user put it, ``/`` opens search, and typed text never
lands in a note unless ``e`` was pressed on purpose.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from textual import events
from textual.widgets import TextArea

from signoff.app import messages as m
from signoff.app.screens import review_habits
from signoff.app.screens.note import NoteScreen
from signoff.app.screens.review import ReviewScreen
from signoff.diff.parse import load_diff
from tests.app.tui_helpers import loaded_screen, make_app, screen_lines, settle
from tests.helpers import commit_files, git, make_repo

#: Files whose only change is trailing whitespace: they leave the view when ``W`` hides whitespace.
WS_ONLY = [f"aaa/ws_{i:02d}.txt" for i in range(6)]
#: The file the reviewer works in: after every whitespace-only file, so ``W`` moves its rows.
TARGET = "mid/handler.py"
#: The file the fuzzy jump ``o`` goes to.
JUMP = "zzz/jump_target.py"


def race_repo(tmp_path: Path) -> Path:
    """``main``..``feature``: whitespace-only files first, then a Python file with a removed block, an
    SQL query built from input (a question) and a shell call, and an AI co-authored commit."""
    r = make_repo(tmp_path / "race-repo")
    base: dict[str, str | None] = {p: "".join(f"line {n}\n" for n in range(40)) for p in WS_ONLY}
    base[TARGET] = "".join(f"def old_{n}(x):\n    return x + {n}\n" for n in range(60))
    base[JUMP] = "".join(f"j{n} = {n}\n" for n in range(80))
    commit_files(r, base, "base")
    git(r, "checkout", "-q", "-b", "feature")
    change: dict[str, str | None] = {p: "".join(f"line {n}  \n" for n in range(40)) for p in WS_ONLY}
    change[TARGET] = "import os\n" + "".join(
        f"def new_{n}(cur, uid):\n    cur.execute(f'SELECT * FROM t{n} WHERE id = {{uid}}')\n"
        for n in range(50)
    )
    change[TARGET] += 'def run(arg):\n    os.system("ls " + arg)\n'
    change[JUMP] = "".join(f"j{n} = {n * 2}\n" for n in range(80))
    commit_files(r, change, "feature work")
    commit_files(
        r,
        {"lib/helper.py": "def helper(a, b):\n    return a * b\n"},
        "add helper\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    )
    return r


async def burst(app: Any, keys: list[str]) -> None:
    """Deliver ``keys`` as a terminal does when several arrive in one read: all queued at once, with no
    wait between them (``pilot.press`` waits for idle after each key)."""
    for key in keys:
        char = key if len(key) == 1 else None
        app.post_message(events.Key(_KEY_NAMES.get(key, key), char))
    await asyncio.sleep(0)


_KEY_NAMES = {"/": "slash", ".": "full_stop", " ": "space", ",": "comma"}


def typed(text: str) -> list[str]:
    return list(text)


def late_stages(screen: ReviewScreen) -> None:
    """The questions and AI marks arriving (again) now, as the worker posts them when they are ready."""
    st = screen.state
    screen.post_message(m.QuestionsLoaded(list(st.questions), st.relevance, with_ai=False))
    screen.post_message(m.AiLoaded(st.ai))
    screen.post_message(m.QuestionsLoaded(list(st.questions), st.relevance, with_ai=True))


def header_text(screen: ReviewScreen) -> str:
    return str(screen.query_one("#file-header").render())


def cursor_path(screen: ReviewScreen) -> str:
    assert screen.model is not None
    return screen.model.files[screen.model.file_of(screen.diffview.cursor)].path


def assert_consistent(screen: ReviewScreen) -> None:
    """What the reviewer sees agrees: the header names the cursor's file, the cursor is on screen."""
    dv = screen.diffview
    path = cursor_path(screen)
    assert path in header_text(screen), (path, header_text(screen))
    assert dv.cursor in dv.visible_rows(), (dv.cursor, dv.visible_rows())


async def settled(app: Any, pilot: Any) -> None:
    """Workers done and every typed key routed (bounded: a loaded machine is slow)."""
    for _ in range(200):
        if not app._typed and not app._key_busy:
            break
        await asyncio.sleep(0.05)
    await settle(app)
    await pilot.pause()
    await settle(app)
    await pilot.pause()


def test_typed_ahead_search_goes_to_the_search_box_not_a_note(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(race_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await loaded_screen(app, pilot)
            await burst(app, ["/", *typed("exec.Command"), "enter"])
            await settled(app, pilot)
            assert app.screen is screen, type(app.screen).__name__
            assert screen.diffview.search_term == "exec.Command"
            assert not screen.session.note_edits and not any(
                s.note for s in screen.session.questions.values()
            )
            assert screen.focused is screen.diffview

    asyncio.run(run())


def test_slash_opens_search_from_every_pane_that_advertises_it(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(race_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await loaded_screen(app, pilot)
            panes = {
                "files": screen.filelist.rows,
                "checklist": screen.checklist.options,
                "detail": screen.detail,
                "diff": screen.diffview,
            }
            for name, widget in panes.items():
                screen.set_focus(widget)
                await pilot.pause()
                assert "/" in [b.key_display or "/" for b in _bound(screen, "slash")], name
                term = f"os.sys{name[:2]}"
                await burst(app, ["/", *typed(term), "enter"])
                await settled(app, pilot)
                assert app.screen is screen, (name, type(app.screen).__name__)
                assert screen.diffview.search_term == term, name
                assert not screen.session.note_edits, name

    asyncio.run(run())


def _bound(screen: ReviewScreen, key: str) -> list[Any]:
    return [b.binding for k, b in screen.active_bindings.items() if k == key]


def test_note_typed_ahead_after_a_deliberate_e_goes_into_the_note(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(race_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await loaded_screen(app, pilot)
            await burst(app, ["e", *typed("checked it")])
            await settled(app, pilot)
            assert isinstance(app.screen, NoteScreen)
            assert app.screen.query_one(TextArea).text == "checked it"
            await pilot.press("ctrl+s")
            await settled(app, pilot)
            assert app.screen is screen
            notes = [s.note for s in screen.session.questions.values() if s.note]
            assert notes == ["checked it"]

    asyncio.run(run())


def test_late_stages_during_and_after_reloads_keep_cursor_header_and_focus(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(race_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await loaded_screen(app, pilot)
            dv = screen.diffview
            assert dv.goto_line(TARGET, 70, "new")
            await pilot.pause()
            want = dv.location()
            assert want is not None
            for key in ("W", "x", "X", "W"):
                before = cursor_path(screen), dv.location()[1:]  # type: ignore[index]
                await burst(app, [key])
                late_stages(screen)  # during the reload
                await pilot.pause()
                late_stages(screen)  # and after it
                await settled(app, pilot)
                assert screen.focused is dv, key
                assert (cursor_path(screen), dv.location()[1:]) == before, key  # type: ignore[index]
                assert_consistent(screen)

    asyncio.run(run())


def test_focus_stays_in_the_checklist_through_late_stages_and_reloads(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(race_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await loaded_screen(app, pilot)
            options = screen.checklist.options
            screen.set_focus(options)
            await pilot.pause()
            for key in ("W", "W"):
                await burst(app, [key])
                late_stages(screen)
                await settled(app, pilot)
                assert screen.focused is options, key
            await burst(app, ["/", *typed("SELECT"), "enter"])
            await settled(app, pilot)
            assert screen.diffview.search_term == "SELECT"
            assert not screen.session.note_edits

    asyncio.run(run())


def test_cursor_on_a_file_that_the_view_empties_stays_on_that_file_in_view(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(race_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await loaded_screen(app, pilot)
            dv = screen.diffview
            dv.focus()
            # deep in the diff first (the view scrolls), then back on a whitespace-only file
            assert dv.goto_line(JUMP, 60, "new")
            await pilot.pause()
            assert dv.goto_line(WS_ONLY[-1], 30, "new")
            await pilot.pause()
            await burst(app, ["W"])
            late_stages(screen)
            await settled(app, pilot)
            assert cursor_path(screen) == WS_ONLY[-1]  # its header row: no lines left in this view
            assert not screen.diff.files[screen.model.file_index(WS_ONLY[-1])].hunks
            assert_consistent(screen)

    asyncio.run(run())


def test_fuzzy_jump_then_w_while_stages_arrive(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(race_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(160, 48)) as pilot:
            screen = await loaded_screen(app, pilot)
            await pilot.press("o")
            await pilot.pause()
            await pilot.press(*"jump_targ")
            await pilot.pause(0.5)
            await burst(app, ["enter", "W"])
            late_stages(screen)
            await settled(app, pilot)
            late_stages(screen)
            await settled(app, pilot)
            assert app.screen is screen
            assert cursor_path(screen) == JUMP
            assert_consistent(screen)
            assert screen.focused is screen.diffview
            await burst(app, ["/", *typed("j70"), "enter"])
            await settled(app, pilot)
            assert screen.diffview.search_term == "j70"
            assert cursor_path(screen) == JUMP
            assert_consistent(screen)
            assert not screen.session.note_edits

    asyncio.run(run())


def test_an_older_reload_finishing_last_never_replaces_the_newer_view(tmp_path: Path, monkeypatch) -> None:
    """``W`` twice: the first (whitespace hidden) reload is held until the second has been shown; its
    late result must be dropped, or the view says one thing and shows another."""
    release = threading.Event()
    calls: list[bool] = []

    def slow_first(git_: Any, target: Any, opts: Any) -> Any:
        calls.append(opts.ignore_whitespace)
        if len(calls) == 1:
            release.wait(20)
        return load_diff(git_, target, opts)

    monkeypatch.setattr(review_habits, "load_diff", slow_first)

    async def run() -> None:
        app = make_app(race_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await loaded_screen(app, pilot)
            assert screen.diffview.goto_line(TARGET, 70, "new")
            await burst(app, ["W"])
            await pilot.pause(0.2)
            await burst(app, ["W"])
            for _ in range(100):  # the second reload (whitespace shown again) is on screen
                await pilot.pause(0.05)
                if not screen._ignore_ws and screen.state.record_diff is None and calls:
                    break
            release.set()
            await settled(app, pilot)
            shown = [f.path for f in screen.diff.files if f.hunks]
            assert not screen._ignore_ws
            assert all(p in shown for p in WS_ONLY), "the stale whitespace-hidden view came back"
            assert "whitespace ignored" not in str(screen.query_one("#status").render())
            assert cursor_path(screen) == TARGET
            assert_consistent(screen)

    asyncio.run(run())


def test_status_line_reports_view_toggles_within_80_columns(tmp_path: Path) -> None:
    async def run() -> None:
        app = make_app(race_repo(tmp_path), tmp_path / "drafts")
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded_screen(app, pilot)
            await pilot.press("W")
            await settled(app, pilot)
            line = screen_lines(app)[0]
            assert "whitespace ignored" in line or "ws ignored" in line, line
            await pilot.press("/", *"SELECT", "enter")
            await settled(app, pilot)
            line = screen_lines(app)[0]
            assert "/SELECT" in line and ("ws" in line or "whitespace" in line), line

    asyncio.run(run())
