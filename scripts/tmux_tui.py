#!/usr/bin/env python3
"""Drive ``signoff review`` in a real terminal (tmux) and print what the screen shows after each step.

    python3 scripts/tmux_tui.py --size 80x24 --repo PATH [--range A..B] [--no-ai] \\
        --step "j j r" --step "tab tab" --step "/SELECT<Enter>"

Each ``--step`` is a list of tmux key names separated by spaces (``Enter``, ``Escape``, ``Tab``, ``C-q``,
``PageDown``...); a word starting with ``/`` or ``'`` is typed literally (the rest of the step). After each
step the pane is captured and printed under a header. Uses this checkout's ``src`` (PYTHONPATH).

``--time KEY`` (repeatable) presses KEY ``--presses`` times after the steps and reports how long the real
terminal took to show it: from ``send-keys`` to the first and the last change of the pane (polled with
``capture-pane`` every few milliseconds, so it includes tmux's own work: an upper bound on what is felt).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
#: A tmux server of our own (``-L``): killed when the script ends, never anyone else's sessions.
SOCKET = f"signoff-tmux-{os.getpid()}"
#: Seconds any one tmux command may take.
TMUX_TIMEOUT_S = 10


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=True, timeout=TMUX_TIMEOUT_S
    ).stdout


def send_step(session: str, step: str) -> None:
    words = step.split(" ")
    i = 0
    while i < len(words):
        w = words[i]
        if w.startswith("'"):
            tmux("send-keys", "-t", session, "-l", " ".join(words[i:])[1:])
            return
        if w.startswith("/"):
            tmux("send-keys", "-t", session, "/")
            rest = " ".join(words[i:])[1:]
            literal, _, keys = rest.partition("<")
            if literal:
                tmux("send-keys", "-t", session, "-l", literal)
            if keys:
                tmux("send-keys", "-t", session, keys.rstrip(">"))
            return
        if w:
            tmux("send-keys", "-t", session, w)
            time.sleep(0.05)
        i += 1


def capture(session: str, opts: argparse.Namespace, n: int, title: str) -> None:
    print(f"===== {opts.size} {title} =====")
    print(tmux("capture-pane", "-p", "-t", session))
    if opts.raw_dir is not None:
        opts.raw_dir.mkdir(parents=True, exist_ok=True)
        (opts.raw_dir / f"{n:02d}.ansi").write_text(tmux("capture-pane", "-p", "-e", "-t", session))


def time_key(session: str, key: str, window: float) -> tuple[float, float] | None:
    """Milliseconds from sending ``key`` to the first and to the last change of the pane within
    ``window`` seconds; None if the pane did not change."""
    shown = tmux("capture-pane", "-p", "-e", "-t", session)  # -e: colours too (the cursor is a colour)
    t0 = time.perf_counter()
    tmux("send-keys", "-t", session, key)
    first = last = None
    while time.perf_counter() - t0 < window:
        now = tmux("capture-pane", "-p", "-e", "-t", session)
        t = (time.perf_counter() - t0) * 1000
        if now != shown:
            first = t if first is None else first
            last, shown = t, now
        time.sleep(0.002)
    return None if first is None or last is None else (first, last)


def report_times(key: str, times: list[tuple[float, float] | None]) -> None:
    seen = sorted(t for t in times if t is not None)
    if not seen:
        print(f"key {key}: the pane did not change")
        return
    firsts = sorted(f for f, _ in seen)
    lasts = sorted(last for _, last in seen)
    print(
        f"key {key}: shown after {firsts[len(firsts) // 2]:.0f} ms (median), settled after "
        f"{lasts[len(lasts) // 2]:.0f} ms (median, worst {lasts[-1]:.0f}); {len(seen)}/{len(times)} presses "
        f"changed the pane; load average {os.getloadavg()[0]:.1f}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description="signoff review in tmux, screen captured after each step")
    ap.add_argument("--size", default="80x24")
    ap.add_argument("--repo", required=True, type=Path)
    ap.add_argument("--range", default="")
    ap.add_argument("--no-ai", action="store_true")
    ap.add_argument("--wait", type=float, default=3.0, help="seconds to wait for the first screen")
    ap.add_argument("--pause", type=float, default=0.6, help="seconds to wait after each step")
    ap.add_argument("--step", action="append", default=[])
    ap.add_argument("--keep", action="store_true", help="leave the tmux server running (-L SOCKET)")
    ap.add_argument(
        "--raw-dir",
        type=Path,
        help="also save each capture with its colours (capture-pane -e) in this directory",
    )
    ap.add_argument(
        "--at",
        default="",
        help="seconds after the start to capture the screen at, comma-separated (watch it load), "
        "before --wait and the steps",
    )
    ap.add_argument("--time", action="append", default=[], help="a tmux key to time (after the steps)")
    ap.add_argument("--presses", type=int, default=10, help="presses of each --time key")
    opts = ap.parse_args()
    width, height = opts.size.split("x")
    session = f"signoff-{os.getpid()}"
    cmd = [sys.executable, "-m", "signoff", "review"]
    if opts.range:
        cmd.append(opts.range)
    if opts.no_ai:
        cmd.append("--no-ai")
    shell = f"cd {shlex.quote(str(opts.repo))} && PYTHONPATH={shlex.quote(str(SRC))} {shlex.join(cmd)}"
    shell += "; echo EXIT=$?; sleep 30"
    # -f /dev/null: the user's tmux.conf (key tables, escape-time) must not change what the keys do
    tmux("-f", "/dev/null", "new-session", "-d", "-s", session, "-x", width, "-y", height, shell)
    try:
        started = time.perf_counter()
        for at in [float(x) for x in opts.at.split(",") if x]:
            time.sleep(max(0.0, at - (time.perf_counter() - started)))
            capture(session, opts, 0, f"{time.perf_counter() - started:.2f} s after the start")
        time.sleep(max(0.0, opts.wait - (time.perf_counter() - started)))
        capture(session, opts, 0, "start")
        for n, step in enumerate(opts.step, 1):
            send_step(session, step)
            time.sleep(opts.pause)
            capture(session, opts, n, f"after: {step}")
        for key in opts.time:
            report_times(key, [time_key(session, key, opts.pause) for _ in range(opts.presses)])
    finally:
        if opts.keep:
            print(f"tmux server left running: tmux -L {SOCKET} attach -t {session}", file=sys.stderr)
        else:
            subprocess.run(
                ["tmux", "-L", SOCKET, "kill-server"],
                capture_output=True,
                check=False,
                timeout=TMUX_TIMEOUT_S,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
