"""Seeing where you are (issue 15): pane sizes, elided paths, sticky file header, focus, long lines,
search counts, small terminals. Each test reads what the terminal shows (the compositor's output)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from signoff.app.widgets.diffview import DiffView
from tests.app.tui_helpers import (
    FAR_COLUMN,
    LONG_A,
    LONG_LINE,
    N_SQL_HITS,
    keys_repo,
    make_app,
    notifications,
    ready,
    screen_lines,
    screen_text,
)


def test_sidebar_sized_to_the_terminal_paths_elided_in_the_middle(tmp_path: Path) -> None:
    from signoff.app.widgets.filelist import elide_middle

    assert elide_middle("a/b/c/name.py", 40) == "a/b/c/name.py"
    short = elide_middle(LONG_A, 24)
    assert len(short) == 24 and short.endswith("ledger_entries.py") and "…" in short
    assert elide_middle("x" * 50 + ".py", 10).endswith(".py")
    repo = keys_repo(tmp_path)

    async def run(size: tuple[int, int]) -> int:
        app = make_app(repo, tmp_path / f"drafts-{size[0]}")
        async with app.run_test(size=size) as pilot:
            screen = await ready(app, pilot)
            width = screen.query_one("#sidebar").size.width
            screen.filelist.focus_list()
            await pilot.press("G")  # the two long paths are last
            await pilot.pause()
            text = screen_text(app)
            # both long paths keep their distinct file names, with their counts
            assert "ledger_entries.py" in text and "ledger_accounts.py" in text
            sidebar = [ln.split("│")[0] for ln in screen_lines(app)[2:]]
            line_a = next(ln for ln in sidebar if "ledger_entries.py" in ln)
            if size[0] >= 160:  # and, given the room, the counts
                assert line_a.rstrip().endswith("ledger_entries.py +2 −0")
                line_q = next(ln for ln in sidebar if "many/q0.py" in ln)
                assert "Q1" in line_q and "+20" in line_q
            # the user can resize the sidebar
            await pilot.press("greater_than_sign")
            await pilot.pause()
            assert screen.query_one("#sidebar").size.width > width
            await pilot.press("less_than_sign", "less_than_sign")
            await pilot.pause()
            assert screen.query_one("#sidebar").size.width < width
            return width

    w80 = asyncio.run(run((80, 24)))
    w160 = asyncio.run(run((160, 48)))
    assert w160 > w80 + 10, "the sidebar grows with the terminal"
    assert w160 > 34


def test_sticky_file_header_names_the_file_after_a_jump(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await ready(app, pilot)
            dv = screen.query_one(DiffView)
            fi = dv.model.file_index("pkg/mod_05.py")
            dv.goto_file(fi)
            await pilot.press(*["j"] * 28)
            await pilot.pause()
            assert dv.scroll_y > dv.model.file_starts[fi], "the file's own header row is above the fold"
            header = str(screen.query_one("#file-header").render())
            assert "pkg/mod_05.py" in header
            top = screen_lines(app)[1:4]
            assert any("pkg/mod_05.py" in ln for ln in top), top

    asyncio.run(run())


def test_current_hit_marker_stays_in_view_in_the_detail_panel(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            sql = next(q for q in screen.questions if len(q.hits) >= N_SQL_HITS)
            screen.checklist.select(sql.id)
            await pilot.pause()
            for _ in range(30):
                await pilot.press("full_stop")
            await pilot.pause()
            detail = screen.detail
            shown = screen_text(app)
            assert "▶" in shown, "the current hit's marker is on screen"
            marker_line = next(ln for ln in screen_lines(app) if "▶" in ln)
            assert "many/q" in marker_line
            assert detail.scroll_y > 0

    asyncio.run(run())


def test_focused_pane_is_visible_and_dead_keys_say_so(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            panes = ["#files", "#checklist", "#diff-pane", "#detail"]
            seen = []
            for _ in range(4):
                await pilot.press("tab")
                await pilot.pause()
                active = [p for p in panes if screen.query_one(p).has_class("-active")]
                assert len(active) == 1, active
                seen.append(active[0])
            assert len(set(seen)) >= 3, "tab moves the visible focus between panes"
            # the title of the active pane looks different from the others
            screen.filelist.focus_list()
            files_title = screen.query_one("#files-title")
            check_title = screen.query_one("#checklist-title")
            for _ in range(60):  # the focus and its style land (bounded: a loaded machine is slow)
                await pilot.pause(0.05)
                if files_title.styles.background != check_title.styles.background:
                    break
            assert files_title.styles.background != check_title.styles.background
            # a diff key pressed in the file list: a message, not silence
            await pilot.press("v")
            assert any("diff" in n for n in notifications(app))

    asyncio.run(run())


def test_a_hit_at_column_10000_can_be_seen(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            q = next(q for q in screen.questions if any(h.path == "long.py" for h in q.hits))
            screen.checklist.select(q.id)
            await pilot.pause()
            await pilot.press("full_stop")
            await pilot.pause()
            text = screen_text(app)
            # the detail names the column and shows the text around it
            col = LONG_LINE.index("os.system") + 1
            assert col > FAR_COLUMN and f"col {col:,}" in text
            assert 'os.system("rm -rf " + user_input)' in text
            # the diff scrolled sideways to it: the call is on screen in the diff pane
            dv = screen.query_one(DiffView)
            assert dv.scroll_x > 5000
            diff_rows = [ln for ln in screen_lines(app) if "os.system(" in ln]
            assert len(diff_rows) >= 2, "in the diff and in the detail"
            # w shows the whole line wrapped in the detail panel
            await pilot.press("w")
            await pilot.pause()
            body = screen.detail.text()
            assert "user_input" in body and "a" * 200 in body.replace("\n", "")

    asyncio.run(run())


def test_search_reports_the_match_count_and_wrapping(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await ready(app, pilot)
            await pilot.press("slash", *"SELECT * FROM t3", "enter")
            await pilot.pause()
            # t3, t30..t39: 11 matches
            assert "1/11" in screen_text(app) or any("11 matches" in n for n in notifications(app))
            dv = screen.query_one(DiffView)
            for _ in range(10):
                await pilot.press("n")
            app.clear_notifications()
            await pilot.press("n")  # from the last match back to the first
            assert any("wrapped" in n for n in notifications(app))
            assert "1/11" in screen_text(app)
            assert "t3 " in dv.model.lines_at(dv.cursor)[1].text

    asyncio.run(run())


def test_small_terminal_side_by_side_is_usable(tmp_path: Path) -> None:
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await ready(app, pilot)
            dv = screen.query_one(DiffView)
            dv.goto_file(dv.model.file_index("pkg/mod_00.py"))
            await pilot.press("s", "j", "j")
            await pilot.pause()
            assert dv.side_by_side
            # each side gets at least 36 columns: enough for the gutter and the code
            assert dv.size.width >= 2 * 36 + 1
            line = next(ln for ln in screen_lines(app) if "value_0_1 = 1" in ln)
            assert line.count("value_0_1 = 1") == 1  # added file: only the new side

    asyncio.run(run())
