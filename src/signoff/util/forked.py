"""Run one function in a forked copy of this process while the caller goes on (the second core).

Only where a fork is safe and cheap: Linux, with no other thread running (a thread holding a lock at
the fork would leave it held for ever in the child). The child computes, writes its pickled result to a
pipe and leaves at once (``os._exit``: none of the parent's clean-up runs twice); the parent reads the
result when it needs it. Anything going wrong (no fork, the child killed or failing, a result that does
not arrive whole) gives None and the caller computes the result itself: a fork changes when a result is
ready, never what it is.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


def fork_usable() -> bool:
    """Whether :func:`fork_call` may fork here: Linux, and this is the only thread."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


class Forked(Generic[T]):
    """A forked child computing a result; :meth:`result` waits for it (once)."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self._fd = fd
        self._done = False

    def result(self) -> T | None:
        """The child's result, or None when it did not deliver one (the caller computes it instead)."""
        if self._done:
            return None
        parts: list[bytes] = []
        try:
            while chunk := os.read(self._fd, 1 << 20):
                parts.append(chunk)
        except OSError:
            parts = []
        finally:
            status = self._reap(kill=False)
        if status != 0 or not parts:
            return None
        try:
            got: T = pickle.loads(b"".join(parts))
        except Exception:
            return None
        return got

    def cancel(self) -> None:
        """Stop the child (if still running) and reap it; a later :meth:`result` gives None."""
        if not self._done:
            self._reap(kill=True)

    def _reap(self, *, kill: bool) -> int:
        self._done = True
        with contextlib.suppress(OSError):
            os.close(self._fd)
        if kill:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, 9)
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return -1
        return os.waitstatus_to_exitcode(status)


def fork_call(fn: Callable[[], T]) -> Forked[T] | None:
    """Start ``fn()`` in a forked child; None when a fork is not usable here (call ``fn`` yourself)."""
    if not fork_usable():
        return None
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # pragma: no cover - the child; coverage is not collected there
        _child(fn, read_fd, write_fd)
    os.close(write_fd)
    return Forked(pid, read_fd)


def _child(fn: Callable[[], object], read_fd: int, write_fd: int) -> None:  # pragma: no cover - child
    code = 1
    try:
        os.close(read_fd)
        data = memoryview(pickle.dumps(fn(), protocol=pickle.HIGHEST_PROTOCOL))
        while data:
            data = data[os.write(write_fd, data) :]
        code = 0
    finally:
        os._exit(code)
