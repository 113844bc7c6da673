"""Per-key work does not grow with the file count (issue 15, big diffs): on 1,500 files ``r``, ``t``, ``j``
and PgDn draw only the rows on screen, and the screen holds as many widgets as on 15 files. Timings are
measured by ``bench/bench_tui.py``; this checks the mechanism that makes them flat."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from textual.screen import Screen

from signoff.app.widgets.diffview import DiffView
from signoff.app.widgets.filelist import FileRows
from tests.app.tui_helpers import make_app, ready
from tests.helpers import commit_files, git, make_repo

SIZE = (100, 30)


def _wide_repo(tmp_path: Path, n: int) -> Path:
    """``feature`` adds ``n`` small files in ``n // 50`` directories, one with a shell call."""
    r = make_repo(tmp_path / f"wide-{n}")
    commit_files(r, {"README.md": "hello\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    files: dict[str, str | None] = {
        f"pkg{i // 50:02d}/mod_{i:04d}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(n)
    }
    files["pkg00/run.py"] = "import os\n\ndef run(x):\n    os.system('ls ' + x)\n"
    commit_files(r, files, "many files")
    return r


async def _drawn_by(pilot, key: str, counts: Counter[str]) -> int:
    counts.clear()
    await pilot.press(key)
    await pilot.pause()
    return sum(counts.values())


@pytest.fixture
def drawn(monkeypatch) -> Counter[str]:
    """Counts the rows each list widget draws."""
    counts: Counter[str] = Counter()
    for cls in (FileRows, DiffView):
        original = cls.render_line

        def counted(self, y: int, _original=original, _name=cls.__name__):
            counts[_name] += 1
            return _original(self, y)

        monkeypatch.setattr(cls, "render_line", counted)
    return counts


def test_keys_draw_only_what_is_on_screen_whatever_the_file_count(tmp_path: Path, drawn) -> None:
    async def run(n: int) -> tuple[int, dict[str, int]]:
        app = make_app(_wide_repo(tmp_path, n), tmp_path / f"drafts-{n}", ai=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(app, pilot)
            assert len(screen.diff.files) == n + 1
            nodes = len(list(app.screen.walk_children()))
            per_key: dict[str, int] = {}
            screen.filelist.focus_list()
            await pilot.press("j", "j")
            per_key["r"] = await _drawn_by(pilot, "r", drawn)
            assert len(app.session.reviewed_files) == 1
            per_key["t"] = await _drawn_by(pilot, "t", drawn)
            per_key["t again"] = await _drawn_by(pilot, "t", drawn)
            screen.diffview.focus()
            await pilot.pause()
            per_key["j"] = await _drawn_by(pilot, "j", drawn)
            per_key["pagedown"] = await _drawn_by(pilot, "pagedown", drawn)
            return nodes, per_key

    small_nodes, small = asyncio.run(run(15))
    big_nodes, big = asyncio.run(run(1500))
    assert big_nodes == small_nodes, "no widget per file"
    # each key redraws at most the visible rows of both lists a few times over, on 16 files or 1,501
    height = SIZE[1]
    for key, n in big.items():
        assert n <= 4 * height, (key, n, big)
    assert sum(big.values()) <= 2 * sum(small.values()) + 4 * height, (small, big)


def _per_file_repo(tmp_path: Path, n: int, lines: int) -> Path:
    """``feature`` adds ``n`` files of ``lines`` lines each."""
    r = make_repo(tmp_path / f"files-{n}x{lines}")
    commit_files(r, {"README.md": "hello\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    body = "".join(f"value_{k} = compute({k}, 'x')\n" for k in range(lines))
    commit_files(r, {f"pkg{i // 50:02d}/mod_{i:04d}.py": body for i in range(n)}, "many files")
    return r


@pytest.fixture
def layouts(monkeypatch) -> Counter[str]:
    """Counts screen layouts (a reflow of every widget, then a frame repainting every scrollbar)."""
    counts: Counter[str] = Counter()
    original = Screen._refresh_layout

    def counted(self, *args, **kwargs):
        counts["layout"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    return counts


def test_keys_draw_only_the_rows_they_change(tmp_path: Path, drawn, layouts) -> None:
    """j/k repaint the two rows the cursor left and reached; r repaints its file's header and list row, and
    rows that only moved (its file collapses) are reused, not drawn again; PgDn shows rows drawn ahead; t
    repaints the list alone; no key lays out the screen. What is drawn afresh is the same on a 24-row and
    a 48-row terminal."""
    repo = _per_file_repo(tmp_path, 200, 2)  # 4 rows a file: header, hunk, 2 lines

    async def run(size: tuple[int, int]) -> dict[str, tuple[int, int, int, int]]:
        app = make_app(repo, tmp_path / f"drafts-{size[1]}", ai=False)
        async with app.run_test(size=size) as pilot:
            screen = await ready(app, pilot)
            view = screen.diffview
            view.focus()
            await pilot.press("j", "j")  # the first file's first line
            await _laid_out(pilot, layouts)  # loading's last layouts (the checklist, the footer)
            out: dict[str, tuple[int, int, int, int]] = {}

            async def press(name: str, key: str) -> None:
                layouts.clear()
                before = view.rows_drawn
                await _drawn_by(pilot, key, drawn)
                fresh = view.rows_drawn - before
                out[name] = (drawn["DiffView"], drawn["FileRows"], fresh, layouts["layout"])
                # what the key left for later (a deferred layout) counts as the key's
                out[name] = (*out[name][:3], out[name][3] + await _laid_out(pilot, layouts))

            await press("j", "j")
            await press("k", "k")
            await press("r", "r")
            assert app.session.reviewed_files and view.current_file() == 1
            await _drawn_ahead(app, view)  # a reviewer reads the screen before paging on
            await press("pagedown", "pagedown")
            await press("t", "t")
            screen.filelist.focus_list()  # the pane titles and the footer change: a layout, not a key's
            await _laid_out(pilot, layouts)
            await press("r in the list", "r")
            return out

    small, big = asyncio.run(run((100, 24))), asyncio.run(run((160, 48)))
    for counts in (small, big):
        assert not [k for k, c in counts.items() if c[3]], ("keys that laid out the screen", counts)
        for key in ("j", "k"):  # two rows repainted; at most those two drawn (the one left is cached)
            assert counts[key][:2] == (2, 0) and counts[key][2] <= 2, counts
        assert counts["t"][0] == 0, counts  # the diff is not touched
        assert counts["r"][1] <= 2 and counts["r in the list"][1] <= 3, counts  # the file's row, the cursor's
        # r: the file's header, the two cursor rows, and the 3 rows that come into view at the bottom
        assert counts["r"][2] <= 6, counts
        # PgDn shows rows drawn ahead while the view was still: at most the new cursor row is drawn
        assert counts["pagedown"][2] <= 2 and counts["pagedown"][0] > 2, counts


async def _laid_out(pilot, layouts: Counter[str]) -> int:
    """Wait (at most 10 s) until the screen is still: two rounds of events with no layout, none pending
    and no after-refresh callback queued (a focus change re-binds the footer two refreshes later, which
    recomposes it: on a loaded machine that lands well after any fixed sleep). Returns the layouts seen."""
    screen, seen, still = pilot.app.screen, 0, 0
    for _ in range(200):
        before = layouts["layout"]
        await pilot.pause(0.01)
        await pilot.pause()
        seen += layouts["layout"] - before
        quiet = layouts["layout"] == before and not screen._layout_required and not screen._callbacks
        still = still + 1 if quiet else 0
        if still == 2:
            return seen
    raise AssertionError("the screen never stopped laying out")


async def _drawn_ahead(app, view: DiffView) -> None:
    """Wait (at most 10 s) until the view has highlighted and drawn ahead all it will."""
    for _ in range(1000):
        highlighting = any(w.group == "highlight" and not w.is_finished for w in app.workers)
        if view._ahead_timer is None and view._ahead is None and not highlighting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("drawing ahead never finished")
