"""Benchmark: review TUI time to first paint and to analysis complete on the 500,000-line diff.

Goal (DESIGN.md): first paint < 1 s. Runs the app headless with ``App.run_test`` (no terminal), from
process-level "app constructed" to the first screen refresh and to the end of the loading workers,
then times paging through the diff. Run: python bench/bench_tui.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from common import big_diff_repo


async def measure(repo: Path) -> dict[str, float]:
    from signoff.app.app import SignoffApp
    from signoff.app.screens.review import ReviewScreen
    from signoff.git.runner import open_repo
    from signoff.git.target import resolve_target

    git = open_repo(repo)
    target = resolve_target(git, "base..head")
    t0 = time.perf_counter()
    app = SignoffApp(git, target, draft_dir=Path(tempfile.mkdtemp(prefix="signoff-bench-draft-")))
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        while not isinstance(screen, ReviewScreen) or screen.t_first_paint is None:
            await asyncio.sleep(0.005)
            screen = app.screen
        out["first paint"] = screen.t_first_paint - t0
        while screen.diff is None:
            await asyncio.sleep(0.01)
        out["diff shown"] = time.perf_counter() - t0
        while screen.t_analysis is None:
            await asyncio.sleep(0.01)
        out["analysis complete"] = screen.t_analysis - t0
        await app.workers.wait_for_complete()
        t1 = time.perf_counter()
        for _ in range(50):
            await pilot.press("pagedown")
        await pilot.press("G")
        await pilot.pause()
        out["50 × page down + jump to end"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        for _ in range(20):
            await pilot.press("right_curly_bracket")
        await pilot.pause()
        out["20 × next file"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        await pilot.press("s")
        await pilot.pause()
        out["toggle side-by-side"] = time.perf_counter() - t1
        out["rows"] = float(len(screen.model)) if screen.model else 0.0
    return out


def main() -> None:
    repo = big_diff_repo()
    print(f"repo: {repo} (2,000 files, 500,000 changed lines)")
    results = asyncio.run(measure(repo))
    for name, value in results.items():
        if name == "rows":
            print(f"{name:32}: {int(value):,}")
        else:
            print(f"{name:32}: {value:.3f} s")
    print(f"goal: first paint < 1 s -> {'met' if results['first paint'] < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
