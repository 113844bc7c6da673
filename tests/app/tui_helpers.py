"""Helpers for the TUI key/layout tests: repositories with long paths, long lines and many hits."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

from textual.worker import WorkerCancelled, WorkerState

from signoff.app.app import SignoffApp
from signoff.app.screens.review import ReviewScreen
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from tests.helpers import commit_files, git, make_repo

#: Two files whose paths agree for 60 characters and differ only in the file name.
DEEP = "services/payments/internal/adapters/outbound/persistence/sql/"
LONG_A = DEEP + "ledger_entries.py"
LONG_B = DEEP + "ledger_accounts.py"
#: Column where the shell call sits on the long line (beyond every old preview and render cut).
FAR_COLUMN = 10_000
N_SQL_HITS = 40
LONG_LINE = 'x = "' + "a" * (FAR_COLUMN - 6) + '"; os.system("rm -rf " + user_input)'


def keys_repo(tmp_path: Path, *, extra_files: int = 12) -> Path:
    """``main`` and ``feature``: two long paths, a 10,000-column line firing a critical question,
    ``N_SQL_HITS`` string-built SQL lines in four files, and ``extra_files`` small files; the last commit
    is co-authored by an AI tool."""
    r = make_repo(tmp_path / "keys-repo")
    commit_files(r, {"README.md": "hello\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    long_line = LONG_LINE + "\n"
    files: dict[str, str | None] = {
        LONG_A: "def entries(cur, uid):\n    return cur.execute('SELECT 1')\n",
        LONG_B: "def accounts(cur, uid):\n    return cur.execute('SELECT 2')\n",
        "long.py": "import os\n" + long_line,
    }
    per_file = 10  # relevance keeps 10 hits per file
    for k in range(N_SQL_HITS // per_file):
        files[f"many/q{k}.py"] = "".join(
            f"def q{i}(cur, uid):\n    cur.execute(f'SELECT * FROM t{i} WHERE id = {{uid}}')\n"
            for i in range(k * per_file, (k + 1) * per_file)
        )
    for i in range(extra_files):
        files[f"pkg/mod_{i:02d}.py"] = "".join(f"value_{i}_{n} = {n}\n" for n in range(30))
    commit_files(r, files, "feature work")
    commit_files(
        r,
        {"lib/helper.py": "def helper(a, b):\n    return a * b\n"},
        "add helper\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    )
    return r


#: Seconds any single wait in a TUI test may take: a stuck worker fails the test, it never hangs the run.
WAIT_S = 30.0


async def settle(app: Any) -> None:
    """Wait until the app's workers are done, for at most ``WAIT_S`` seconds (then the test fails).

    Unlike ``app.workers.wait_for_complete()``, a worker cancelled by a newer exclusive one (highlighting,
    drawing ahead) is not an error, and a worker created but not started yet is waited for (that call
    raises ``WorkerError`` on it): both happen when the machine is loaded. A failed worker still fails."""

    async def finished() -> None:
        while live := [w for w in app.workers if not w.is_finished]:
            started = [w for w in live if w.state != WorkerState.PENDING]
            if not started:
                await asyncio.sleep(0.01)
                continue
            with contextlib.suppress(WorkerCancelled):
                await started[0].wait()

    await asyncio.wait_for(finished(), WAIT_S)


def make_app(repo: Path, drafts: Path, spec: str = "main..feature", **kw: object) -> SignoffApp:
    g = open_repo(repo)
    return SignoffApp(g, resolve_target(g, spec), draft_dir=drafts, **kw)  # type: ignore[arg-type]


async def loaded_screen(app: SignoffApp, pilot) -> ReviewScreen:
    """Wait for the workers once, then return the review screen, which must have finished loading."""
    await settle(app)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen) and screen.loaded
    return screen


async def ready(app: SignoffApp, pilot) -> object:
    """Wait for every loading worker, then return the review screen."""
    await settle(app)
    await pilot.pause()
    await settle(app)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def screen_lines(app: SignoffApp) -> list[str]:
    """What the terminal shows, one string per row (the compositor's output, styles dropped)."""
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def screen_text(app: SignoffApp) -> str:
    return "\n".join(screen_lines(app))


def notifications(app: SignoffApp) -> list[str]:
    return [str(n.message) for n in app._notifications]
