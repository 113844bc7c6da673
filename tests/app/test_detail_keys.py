"""Keys that jump (issue 15, big diffs): ``.``/``,`` cost the two hits whose marker moved, not the question's
hit count, and lay out nothing; after ``}``, ``r`` or ``.`` the sticky header and the file list already
show the cursor's new file when the key's action returns (one frame, not a second one a message later).
Timings are measured by ``bench/bench_tui.py``; these check the mechanism."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from signoff.app.widgets.detail import DetailPanel
from tests.app.test_big_diff_keys import _drawn_ahead, _laid_out, layouts  # noqa: F401 (a fixture)
from tests.app.tui_helpers import keys_repo, make_app, ready, screen_text
from tests.helpers import commit_files, git, make_repo

SIZE = (120, 36)


def _sql_repo(tmp_path: Path, files: int, *, plain: int = 0) -> Path:
    """``feature`` adds ``files`` files of 10 string-built SQL queries each (10 hits a file), each followed
    (in path order) by a file of ``plain`` ordinary lines when ``plain``."""
    r = make_repo(tmp_path / f"sql-{files}-{plain}")
    commit_files(r, {"README.md": "hello\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    body = "".join(
        f"def q{i}(cur, uid):\n    cur.execute(f'SELECT * FROM t{i} WHERE id = {{uid}}')\n" for i in range(10)
    )
    files_added: dict[str, str | None] = {f"db/q{k:03d}.py": body for k in range(files)}
    if plain:
        other = "".join(f"value_{n} = compute({n})\n" for n in range(plain))
        files_added |= {f"db/q{k:03d}_x.py": other for k in range(files)}
    commit_files(r, files_added, "queries")
    return r


def test_next_hit_builds_two_hits_and_lays_out_nothing(tmp_path: Path, layouts, monkeypatch) -> None:  # noqa: F811
    """``.`` on a question with 30 or 250 hits: no screen layout, the lines of at most the two hits whose
    marker moved are built, only the panel's rows on screen are drawn, and the marker stays in view."""
    drawn: Counter[str] = Counter()
    original = DetailPanel.render_line

    def counted(self: DetailPanel, y: int):  # type: ignore[no-untyped-def]
        drawn["detail"] += 1
        return original(self, y)

    monkeypatch.setattr(DetailPanel, "render_line", counted)

    async def run(files: int) -> list[tuple[int, int, int]]:
        app = make_app(_sql_repo(tmp_path, files), tmp_path / f"drafts-{files}", ai=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(app, pilot)
            q = max(screen.questions, key=lambda q: len(q.hits))
            assert len(q.hits) >= files * 10 // 2, len(q.hits)
            screen.checklist.select(q.id)
            screen.diffview.focus()
            await _laid_out(pilot, layouts)
            detail = screen.detail
            height = detail.scrollable_content_region.height
            per_key = []
            for _ in range(12):  # past the panel's first screen of hits
                layouts.clear()
                drawn.clear()
                built = detail.hit_lines_built
                await pilot.press("full_stop")
                await pilot.pause()
                n_layouts = layouts["layout"] + await _laid_out(pilot, layouts)
                per_key.append((n_layouts, detail.hit_lines_built - built, drawn["detail"]))
                marker = next((ln for ln in screen_text(app).splitlines() if "▶ db/q" in ln), None)
                assert marker is not None, "the current hit's marker is on screen"
            assert all(d <= 3 * height for *_, d in per_key), (height, per_key)
            return per_key

    for files in (3, 25):
        per_key = asyncio.run(run(files))
        assert not [k for k in per_key if k[0]], ("a . laid out the screen", per_key)
        # the hit left and the hit reached (each one line: short lines have no preview line)
        assert all(k[1] <= 2 for k in per_key), per_key


def test_header_and_file_list_follow_the_cursor_as_the_key_runs(tmp_path: Path) -> None:
    """The header and the file list show the cursor's file as soon as the key's action has run: no
    message round trip (a second frame, tens of milliseconds later under load) is needed."""
    repo = keys_repo(tmp_path)

    async def run() -> None:
        app = make_app(repo, tmp_path / "drafts", ai=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(app, pilot)
            screen.diffview.focus()
            await pilot.pause()
            header = screen.query_one("#file-header")
            n = len(screen.diff.files)
            sql = max(screen.questions, key=lambda q: len(q.hits))
            screen.checklist.select(sql.id)
            await pilot.pause()
            steps = [
                ("}", screen.action_next_file),
                ("}", screen.action_next_file),
                ("r", screen.action_mark_reviewed),
                (".", screen.action_next_hit),
                ("{", screen.action_prev_file),
            ]
            moved = 0
            for key, action in steps:
                before = screen.diffview.current_file()
                action()  # no message has been handled since
                fi = screen.diffview.current_file()
                assert fi is not None
                moved += fi != before
                assert screen.filelist.highlighted_index() == fi, key
                assert f"file {fi + 1}/{n}" in header.render().plain, (key, header.render().plain)  # type: ignore[attr-defined]
                await pilot.pause()
            assert moved >= 4, "the steps moved to other files"

    asyncio.run(run())


def test_answering_replaces_one_checklist_row_and_lays_out_nothing(tmp_path: Path, layouts) -> None:  # noqa: F811
    """p / f / a change one question's mark: its row is drawn again, the list is not rebuilt (a rebuilt
    OptionList empties and refills: a screen layout per answer)."""
    repo = keys_repo(tmp_path)

    async def run() -> list[int]:
        app = make_app(repo, tmp_path / "drafts", ai=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(app, pilot)
            screen.diffview.focus()
            await _laid_out(pilot, layouts)
            options = screen.checklist.options
            first = options.get_option_at_index(0)
            per_key = []
            for key in ("p", "f", "a"):
                layouts.clear()
                await pilot.press(key)
                await pilot.pause()
                per_key.append(layouts["layout"] + await _laid_out(pilot, layouts))
            assert options.get_option_at_index(0) is first, "the same options: prompts replaced"
            assert screen.session.answered(screen.triggered_ids()) == 3
            assert "3/" in str(screen.query_one("#checklist-title").render())
            return per_key

    assert asyncio.run(run()) == [0, 0, 0]


def test_the_next_hits_screen_is_drawn_ahead(tmp_path: Path) -> None:
    """While the view is still, the screen ``.`` would jump to is drawn ahead: a jump to a hit in another
    file (after the next screen and the next file) draws at most the new cursor row afresh."""
    repo = _sql_repo(tmp_path, 3, plain=80)

    async def run() -> list[tuple[int, int]]:
        app = make_app(repo, tmp_path / "drafts", ai=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(app, pilot)
            view = screen.diffview
            q = max(screen.questions, key=lambda q: len(q.hits))
            screen.checklist.select(q.id)
            view.focus()
            await pilot.pause()
            jumps = []
            for _ in range(min(len(q.hits), 22)):  # into the third file with hits
                await _drawn_ahead(app, view)  # a reviewer reads the hit before the next
                before, fi = view.rows_drawn, view.current_file()
                await pilot.press("full_stop")
                await pilot.pause()
                if view.current_file() != fi and fi is not None and fi + 1 != view.current_file():
                    jumps.append((view.current_file() or 0, view.rows_drawn - before))
            return jumps

    jumps = asyncio.run(run())
    assert jumps, "some jumps went to a file other than the next"
    assert all(fresh <= 2 for _, fresh in jumps), jumps
