"""``signoff review`` in a real terminal (tmux, 80x24): it draws the review, ``q`` quits with status 0 and
the draft keeps what was done. Bounded: every tmux call times out, every wait has a deadline, and the
test's own tmux server (``-L``) is killed in ``finally``. Skipped where tmux is not installed."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed"),
    pytest.mark.timeout(90),
]

SRC = Path(__file__).resolve().parents[2] / "src"
CALL_S = 10
#: Seconds for the first screen (Python start, the analysis); later steps get ``STEP_S``.
DEADLINE_S = 40
STEP_S = 15


def _tmux(sock: str, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", sock, "-f", "/dev/null", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=CALL_S,
    ).stdout


def _screen_when(sock: str, want: str, deadline_s: float = DEADLINE_S) -> str:
    end = time.monotonic() + deadline_s
    screen = ""
    while time.monotonic() < end:
        screen = _tmux(sock, "capture-pane", "-p", "-t", "t")
        if want in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{want!r} not on screen after {deadline_s} s:\n{screen}")


def test_review_in_a_real_terminal_draws_marks_and_quits(review_repo: Path) -> None:
    repo = review_repo
    sock = f"signoff-test-{uuid.uuid4().hex[:8]}"
    env = f"PYTHONPATH={shlex.quote(str(SRC))} VISUAL=true TERM=xterm-256color"
    cmd = shlex.join([sys.executable, "-m", "signoff", "review", "main..feature"])
    shell = f"cd {shlex.quote(str(repo))} && env {env} {cmd}; echo EXIT=$?; sleep 60"
    try:
        _tmux(sock, "new-session", "-d", "-s", "t", "-x", "80", "-y", "24", shell)
        screen = _screen_when(sock, "Checklist")  # the questions are in
        # the sidebar's count (the title bar shortens "reviewed" to "rev" while a stage is still loading)
        assert "Files 0/6 reviewed" in screen
        _tmux(sock, "send-keys", "-t", "t", "r")  # marks the current file reviewed
        _screen_when(sock, "Files 1/6 reviewed", STEP_S)
        _tmux(sock, "send-keys", "-t", "t", "q")
        _screen_when(sock, "EXIT=0", STEP_S)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=CALL_S, check=False)
    drafts = list((repo / ".git" / "signoff" / "drafts").glob("*"))
    assert drafts and any("reviewed" in p.read_text(errors="replace") for p in drafts if p.is_file())
    assert os.environ.get("VISUAL") == "true"  # conftest: nothing here may wait for a real editor
