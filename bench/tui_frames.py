"""Key latency as the reviewer feels it: from the key reaching the app to the frame that shows its effect.

The Pilot's ``press`` waits for the process to look idle in 20 ms sleeps (about 90 ms per press whatever the
key does), so subtracting its cost is fragile. Here a key is sent straight to the driver, and every frame the
screen writes is timed: the headless driver normally skips building the terminal output, so the clock builds
it (``render_segments``) to count what a real terminal costs too.

For each press it reports:
- first frame: the key is sent -> the end of the first frame after it (the screen reacts);
- settled: the key is sent -> the end of the last frame before the app is idle (everything the key changed);
- CPU: main-thread CPU from the key to the end of its last frame (the UI thread's work, without the Pilot's
  sleeps, and without work done after the screen was complete, such as drawing rows ahead).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen

#: A press has settled when no frame was drawn for this long and no message is pending.
QUIET = 0.12
#: Give up waiting for a press to settle after this long (the press is then reported as this long).
LIMIT = 5.0


@dataclass
class Press:
    """One key press: milliseconds to the first frame, to the last frame, and main-thread CPU."""

    first_ms: float
    settled_ms: float
    cpu_ms: float
    frames: int


@dataclass
class FrameClock:
    """Records the end time of every frame the app draws (installed on one app)."""

    app: App[Any]
    ends: list[float] = field(default_factory=list)
    #: Main-thread CPU time at the end of each frame.
    cpu_ends: list[float] = field(default_factory=list)
    frame_ms: list[float] = field(default_factory=list)

    def install(self) -> None:
        original = self.app._display
        console = self.app.console

        def timed(screen: Screen[Any], renderable: Any) -> None:
            t0 = time.perf_counter()
            original(screen, renderable)
            render = getattr(renderable, "render_segments", None)
            if render is not None:  # what a terminal driver would write
                render(console)
            t1 = time.perf_counter()
            self.ends.append(t1)
            self.cpu_ends.append(time.thread_time())
            self.frame_ms.append((t1 - t0) * 1000)

        self.app._display = timed  # type: ignore[method-assign]

    async def press(self, key: str, char: str | None = None) -> Press:
        """Send ``key`` and wait until the app has drawn all it will draw for it."""
        app = self.app
        assert app._driver is not None
        n0 = len(self.ends)
        t0, c0 = time.perf_counter(), time.thread_time()
        event = events.Key(key, char if char is not None else (key if len(key) == 1 else None))
        event.set_sender(app)
        app._driver.send_message(event)
        await _settle(app, lambda: len(self.ends))
        ends = [t for t in self.ends[n0:] if t > t0]
        if not ends:
            return Press(0.0, 0.0, (time.thread_time() - c0) * 1000, 0)
        cpu = (self.cpu_ends[-1] - c0) * 1000  # to the end of the last frame
        return Press((ends[0] - t0) * 1000, (ends[-1] - t0) * 1000, cpu, len(ends))


async def _settle(app: App[Any], frames: Callable[[], int]) -> None:
    """Wait until no frame has been drawn for ``QUIET`` seconds and every message queue is empty."""
    end = time.perf_counter() + LIMIT
    last_count, last_change = frames(), time.perf_counter()
    while time.perf_counter() < end:
        await asyncio.sleep(0.002)
        now = time.perf_counter()
        if frames() != last_count:
            last_count, last_change = frames(), now
            continue
        if now - last_change >= QUIET and not _busy(app):
            return


def _busy(app: App[Any]) -> bool:
    screen = app.screen
    if screen._dirty_widgets or screen._layout_required or screen._repaint_required:
        return True
    return any(node._message_queue.qsize() for node in (app, *screen.walk_children(with_self=True)))
