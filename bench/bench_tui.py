"""Benchmark: the review TUI on a 1,500-file / 150,000-added-line range of 10 commits (4 AI-co-authored).

Reports, against plain git in the same run:
- time to diff (the diff is on screen), time to first question, time to AI marks, all stages done;
- per-key latency as felt (``tui_frames``): from the key reaching the app to the end of the first frame
  that shows it and to the last frame it causes (median and worst of N presses), and the UI thread's CPU,
  for ``r`` (diff pane and file list), ``t``, ``j``, PgDn, ``}``, ``.``;
- the same keys through the Pilot (each press until the process looks idle, in 20 ms sleeps), minus a key
  bound to nothing (the Pilot's own overhead): the older, coarser measure.
Targets (issue 15): diff < 1 s, first question < 2 s, each key < 50 ms (the settled frame).

Load times are taken from the app's construction (after the imports, which are reported apart: a fresh
``python -c "import signoff.app.app"``). "diff shown" and "first question" are the end of the first frame
that draws diff rows / holds a question; "(idle)" lines are the older measure (the condition, then the
Pilot's wait for the process to look idle, which waits up to 1 s while a worker thread computes).

Run: python bench/bench_tui.py [--no-ai] [--files N] [--presses N] [--load-only]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from common import CACHE, REALISTIC_LINES, git
from tui_frames import FrameClock, Press

COMMITS = 10
AI_COMMITS = {0, 3, 6, 9}
TARGETS = {"diff shown": 1.0, "first question": 2.0}
KEY_TARGET_MS = 50.0


def range_repo(files: int = 1500, lines: int = 100) -> Path:
    """``base`` (``files`` files of ``lines`` lines of ordinary code) and ``head``, 10 commits later;
    commit k rewrites every line of the files with ``i % 10 == k``. Built once with fast-import."""
    repo = CACHE / f"range-{files}-{lines}"
    if (repo / ".git" / "refs" / "tags" / "head").exists():
        return repo
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    out: list[bytes] = []

    def blob(i: int, variant: int) -> bytes:
        n_lines = len(REALISTIC_LINES)
        return "".join(
            f"{REALISTIC_LINES[(i * 7 + n * 3 + variant) % n_lines]}  # {variant}.{n}\n" for n in range(lines)
        ).encode()

    def path(i: int) -> bytes:
        ext = (".py", ".js", ".go", ".java", ".rb", ".ts", ".sql", ".sh")[i % 8]
        return f"src/pkg{i % 40}/module_{i}{ext}".encode()

    def commit(mark: int, parent: int | None, msg: str, changes: list[int], variant: int) -> None:
        out.append(b"commit refs/heads/main\nmark :%d\n" % mark)
        out.append(b"committer Bench <bench@example.com> %d +0000\n" % (1700000000 + mark))
        data = msg.encode()
        out.append(b"data %d\n%s\n" % (len(data), data))
        if parent:
            out.append(b"from :%d\n" % parent)
        for i in changes:
            b = blob(i, variant)
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path(i), len(b), b))

    commit(1, None, "base", list(range(files)), 0)
    for k in range(COMMITS):
        msg = f"change {k}"
        if k in AI_COMMITS:
            msg += "\n\nCo-authored-by: Claude <noreply@anthropic.com>"
        commit(2 + k, 1 + k, msg, [i for i in range(files) if i % COMMITS == k], 1 + k)
    out.append(b"reset refs/tags/base\nfrom :1\n\n")
    out.append(b"reset refs/tags/head\nfrom :%d\n\n" % (1 + COMMITS))
    git(repo, "fast-import", "--quiet", input=b"".join(out))
    git(repo, "reset", "-q", "--hard", "head")
    return repo


def plain_git(repo: Path) -> float:
    """Wall time of ``git diff base..head`` (output read and discarded): the reference."""
    t0 = time.perf_counter()
    subprocess.run(["git", "diff", "base..head"], cwd=repo, stdout=subprocess.PIPE, check=True)
    return time.perf_counter() - t0


async def _wait(cond, limit: float = 600.0) -> None:
    end = time.perf_counter() + limit
    while not cond():
        if time.perf_counter() > end:
            raise SystemExit("timed out waiting for the TUI")
        await asyncio.sleep(0.002)


async def _keys(pilot, keys: list[str], presses: int) -> list[tuple[float, float]]:
    """(wall ms, CPU ms of this process) of each press, until the screen is idle again."""
    times = []
    for i in range(presses):
        key = keys[i % len(keys)]
        t0, c0 = time.perf_counter(), time.process_time()
        await pilot.press(key)
        await pilot.pause()
        times.append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))
    return times


#: (wall ms, CPU ms) of each press, by key.
Presses = dict[str, list[tuple[float, float]]]
#: Each press as felt (first frame, settled frame, UI-thread CPU), by key.
Felt = dict[str, list[Press]]


async def _felt(app, screen, presses: int) -> Felt:
    """The keys again, timed from the key to the frames that show it (``tui_frames``)."""
    clock = FrameClock(app)
    clock.install()
    screen.diffview.focus()
    await asyncio.sleep(0.2)
    felt: Felt = {}
    for name, key in (
        ("j", "j"),
        ("PgDn", "pagedown"),
        ("}", "right_curly_bracket"),
        (". (next hit)", "full_stop"),
        ("r (diff pane)", "r"),
        ("t (tree)", "t"),
    ):
        felt[name] = [await clock.press(key) for _ in range(presses)]
    screen.filelist.focus_list()
    await asyncio.sleep(0.2)
    felt["r (file list)"] = []
    for _ in range(presses):
        await clock.press("j")
        felt["r (file list)"].append(await clock.press("r"))
    return felt


def import_seconds() -> float:
    """Wall time of a fresh interpreter importing the TUI (best of 3)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import signoff.app.app"], check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def frame_marks(app, t0: float, stages: dict[str, float]) -> None:
    """Record in ``stages`` the end of the first frame that draws diff rows, and of the first frame
    drawn once a question is loaded (seconds since ``t0``)."""
    from signoff.app.screens.review import ReviewScreen

    original = app._display
    cpu0 = time.process_time()

    def timed(screen, renderable) -> None:
        original(screen, renderable)
        if not isinstance(screen, ReviewScreen):
            return
        now = time.perf_counter() - t0
        view = screen.diffview
        cpu = time.process_time() - cpu0  # every thread of this process
        if "diff shown" not in stages and view.model is not None and view.rows_drawn:
            stages["diff shown"], stages["CPU to diff shown"] = now, cpu
        if "first question" not in stages and screen.questions:
            stages["first question"], stages["CPU to first question"] = now, cpu

    app._display = timed


async def measure(
    repo: Path, *, ai: bool, presses: int, load_only: bool = False
) -> tuple[dict[str, float], Presses, Felt]:
    from signoff.app.app import SignoffApp
    from signoff.app.screens.review import ReviewScreen
    from signoff.git.runner import open_repo
    from signoff.git.target import resolve_target

    g = open_repo(repo)
    target = resolve_target(g, "base..head")
    drafts = Path(tempfile.mkdtemp(prefix="signoff-bench-draft-"))
    t0 = time.perf_counter()
    app = SignoffApp(g, target, draft_dir=drafts, ai=ai)
    stages: dict[str, float] = {}
    keys: Presses = {}
    frame_marks(app, t0, stages)
    async with app.run_test(size=(160, 48)) as pilot:
        await _wait(lambda: isinstance(app.screen, ReviewScreen))
        screen = app.screen
        await _wait(lambda: screen.diff is not None)
        await pilot.pause()  # painted
        stages["diff shown (idle)"] = time.perf_counter() - t0
        await _wait(lambda: bool(screen.questions))
        await pilot.pause()
        stages["first question (idle)"] = time.perf_counter() - t0
        if ai:
            await _wait(lambda: bool(screen.ai.lines))
            await pilot.pause()
            stages["AI marks"] = time.perf_counter() - t0
        await _wait(lambda: screen.loaded)
        stages["all stages done"] = time.perf_counter() - t0
        stages["UI-thread CPU to all done"] = time.thread_time()
        await asyncio.wait_for(app.workers.wait_for_complete(), 600)
        if load_only:
            return stages, keys, {}
        await pilot.pause()
        keys["(unbound key)"] = await _keys(pilot, ["ctrl+underscore"], presses)
        keys["j"] = await _keys(pilot, ["j"], presses)
        keys["PgDn"] = await _keys(pilot, ["pagedown"], presses)
        keys["}"] = await _keys(pilot, ["right_curly_bracket"], presses)
        keys[". (next hit)"] = await _keys(pilot, ["full_stop"], presses)
        keys["r (diff pane)"] = await _keys(pilot, ["r"], presses)
        keys["t (tree)"] = await _keys(pilot, ["t"], presses)
        screen.filelist.focus_list()
        await pilot.pause()
        keys["r (file list)"] = (await _keys(pilot, ["j", "r"], presses * 2))[1::2]
        rows = len(screen.model) if screen.model else 0
        stages["rows"] = float(rows)
        felt = await _felt(app, screen, presses)
    return stages, keys, felt


def report_felt(felt: Felt) -> None:
    print("per key, as felt (key sent -> frames drawn, terminal output built; UI-thread CPU):")
    for name, presses in felt.items():
        first = statistics.median(p.first_ms for p in presses)
        settled = [p.settled_ms for p in presses]
        med, worst = statistics.median(settled), max(settled)
        cpu = statistics.median(p.cpu_ms for p in presses)
        frames = statistics.median(p.frames for p in presses)
        verdict = "met" if med < KEY_TARGET_MS else "NOT met"
        print(
            f"{'key ' + name:32}: first frame {first:6.1f} ms, settled {med:6.1f} ms (worst {worst:6.1f}), "
            f"CPU {cpu:5.1f} ms, {frames:.0f} frame(s)   goal < 50 ms: {verdict}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-ai", action="store_true", help="review --no-ai: no attribution stage")
    ap.add_argument("--files", type=int, default=1500)
    ap.add_argument("--presses", type=int, default=20)
    ap.add_argument("--load-only", action="store_true", help="time the load stages only, no keys")
    opts = ap.parse_args()
    repo = range_repo(opts.files)
    stat = git(repo, "diff", "--shortstat", "base..head").decode().strip()
    print(f"repo: {repo} (base..head: {COMMITS} commits, {stat})")
    ref = min(plain_git(repo) for _ in range(3))
    print(f"{'plain git diff base..head':32}: {ref:.3f} s")
    print(f"{'imports (fresh python, best of 3)':32}: {import_seconds():.3f} s")
    c0 = time.thread_time()
    stages, keys, felt = asyncio.run(
        measure(repo, ai=not opts.no_ai, presses=opts.presses, load_only=opts.load_only)
    )
    stages["UI-thread CPU to all done"] -= c0
    order = ["diff shown", "first question", "CPU to diff shown", "CPU to first question"]
    for name in [*order, *(n for n in stages if n not in order)]:
        value = stages[name]
        if name == "rows":
            print(f"{'rows in the diff view':32}: {int(value):,}")
            continue
        goal = TARGETS.get(name)
        verdict = f"   goal < {goal:.0f} s: {'met' if value < goal else 'NOT met'}" if goal else ""
        print(f"{name:32}: {value:7.3f} s  ({value / ref:5.1f}× git diff){verdict}")
    if opts.load_only:
        print(f"(load average {os.getloadavg()[0]:.1f})")
        return
    base_wall = statistics.median(w for w, _ in keys["(unbound key)"])
    base_cpu = statistics.median(c for _, c in keys["(unbound key)"])
    report_felt(felt)
    print(
        "per key through the Pilot: wall and CPU of this process; minus the Pilot's own cost (an unbound key)"
    )
    for name, times in keys.items():
        wall, cpu = [w for w, _ in times], [c for _, c in times]
        med, worst, med_cpu = statistics.median(wall), max(wall), statistics.median(cpu)
        own = med - base_wall
        ok = "" if name.startswith("(") else f"   own {own:6.1f} ms"
        print(f"{'key ' + name:32}: median {med:6.1f} ms (CPU {med_cpu:6.1f}), worst {worst:6.1f} ms{ok}")
    print(
        f"(Pilot overhead per press: {base_wall:.1f} ms wall, {base_cpu:.1f} ms CPU; "
        f"load average {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
