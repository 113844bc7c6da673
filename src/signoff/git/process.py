"""Bounded git processes: no git call signoff makes can hang it, whatever the repository holds.

A hostile repository can make git slow or stuck (a huge object, a pathological diff, a stuck program
it managed to name). Every git process runs in its own process group and is killed with all its
children when it takes too long:

- a call that returns its whole output: at most :func:`call_timeout` seconds;
- a stream (``git log -p``, ``git diff`` read as it is written): stopped when git stays silent that
  long (no output waiting and none read), or when it runs :data:`STREAM_TOTAL_FACTOR` times that in all.
  A long run that keeps producing output is not stopped: a 2,000-commit ``log -p`` takes seconds.

The limit is ``SIGNOFF_GIT_TIMEOUT`` seconds (default :data:`DEFAULT_TIMEOUT_S`; raise it for a huge
repository). A stopped call raises :class:`~signoff.errors.GitTimeoutError`, which the CLI prints as
one line (exit 3).
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from signoff.errors import GitTimeoutError, RepoError, UsageError

TIMEOUT_ENV = "SIGNOFF_GIT_TIMEOUT"
#: Seconds a git call may take (a stream: may stay silent) unless ``SIGNOFF_GIT_TIMEOUT`` says otherwise.
DEFAULT_TIMEOUT_S = 300.0
#: A stream may run this many times the per-call limit in all.
STREAM_TOTAL_FACTOR = 10
#: How often the stream watchdog looks.
_POLL_S = 0.2


def call_timeout() -> float:
    """The per-call limit in seconds, from ``SIGNOFF_GIT_TIMEOUT``; a bad value is a usage error."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (0 < value < math.inf):
        raise UsageError(f"{TIMEOUT_ENV} must be a number of seconds above 0, not {raw[:40]!r}")
    return value


def _timeout_error(argv: list[str], reason: str) -> GitTimeoutError:
    sub = next((a for a in argv[1:] if not a.startswith("-")), "git")
    return GitTimeoutError(
        f"git {sub} {reason}: stopped (a very large or hostile repository?); "
        f"set {TIMEOUT_ENV}=SECONDS to allow longer"
    )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc`` and everything it started (its process group), and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL cannot be ignored
        proc.wait(timeout=10)


def _popen(
    argv: list[str], cwd: str | os.PathLike[str], env: dict[str, str], **kw: Any
) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(argv, cwd=cwd, env=env, process_group=0, **kw)
    except FileNotFoundError as exc:
        raise RepoError("git is not installed or not on PATH") from exc


def run_bounded(
    argv: list[str], cwd: str | os.PathLike[str], env: dict[str, str], input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``argv`` to completion, capturing stdout and stderr, within :func:`call_timeout`."""
    limit = call_timeout()
    stdin = subprocess.PIPE if input is not None else subprocess.DEVNULL
    proc = _popen(argv, cwd, env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(input, timeout=limit)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        _close(proc)
        raise _timeout_error(argv, f"did not finish within {limit:g} s") from None
    except BaseException:
        kill_group(proc)
        _close(proc)
        raise
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def _close(proc: subprocess.Popen[bytes]) -> None:
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


class _Watchdog:
    """Kills a stream's process group when it stays silent for ``idle`` s or runs ``total`` s."""

    def __init__(self, proc: subprocess.Popen[bytes], fd: int, idle: float, total: float) -> None:
        self.proc, self.fd, self.idle, self.total = proc, fd, idle, total
        self.started = self.last = time.monotonic()
        self.fired = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="signoff-git-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def touch(self) -> None:
        self.last = time.monotonic()

    def _pending(self) -> int:
        """Bytes git wrote that nobody has read yet (a slow reader is not a stuck git)."""
        try:
            got = fcntl.ioctl(self.fd, termios.FIONREAD, b"\0\0\0\0")
        except OSError:
            return 0
        return int(struct.unpack("i", got)[0])

    def _watch(self) -> None:
        while not self._stop.wait(_POLL_S):
            if self.proc.poll() is not None:
                return
            now = time.monotonic()
            if self._pending() > 0:
                self.last = now
            if now - self.started > self.total:
                self.fired = f"ran longer than {self.total:g} s in all"
            elif now - self.last > self.idle:
                self.fired = f"wrote nothing for {self.idle:g} s"
            if self.fired:
                kill_group(self.proc)
                return


class WatchedStream:
    """The stdout of a streamed git process; every read tells the watchdog that output arrived."""

    def __init__(self, raw: IO[bytes], watchdog: _Watchdog) -> None:
        self._raw = raw
        self._dog = watchdog

    def read(self, n: int | None = -1) -> bytes:
        """Like ``read``: ``n`` bytes unless the stream ends first; all of it for ``n < 0``."""
        parts: list[bytes] = []
        want = -1 if n is None or n < 0 else n
        got = 0
        while want < 0 or got < want:
            chunk = self._raw.read1(1 << 20 if want < 0 else want - got)  # type: ignore[attr-defined]
            if not chunk:
                break
            self._dog.touch()
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def readline(self, limit: int = -1) -> bytes:
        line = self._raw.readline(limit)
        self._dog.touch()
        return line


@contextmanager
def open_stream(
    argv: list[str],
    cwd: str | os.PathLike[str],
    env: dict[str, str],
    *,
    stdin: IO[bytes] | None = None,
    stderr: IO[bytes] | int = subprocess.DEVNULL,
) -> Iterator[tuple[subprocess.Popen[bytes], WatchedStream]]:
    """Start ``argv`` with its stdout streamed; yield the process and its :class:`WatchedStream`.

    On leaving the block the process is reaped (killed first if the block did not finish, or if it does
    not exit in time); a stopped stream raises :class:`~signoff.errors.GitTimeoutError`, also when the
    reader failed on the output cut short.
    """
    limit = call_timeout()
    proc = _popen(
        argv,
        cwd,
        env,
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        bufsize=1 << 20,
    )
    assert proc.stdout is not None
    dog = _Watchdog(proc, proc.stdout.fileno(), limit, limit * STREAM_TOTAL_FACTOR)
    dog.start()
    completed = False
    try:
        yield proc, WatchedStream(proc.stdout, dog)
        completed = True
    except BaseException:
        if dog.fired:
            raise _timeout_error(argv, dog.fired) from None
        raise
    finally:
        dog.stop()
        proc.stdout.close()
        if not completed:
            kill_group(proc)
        try:
            proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            dog.fired = dog.fired or f"did not exit within {limit:g} s"
    if dog.fired:
        raise _timeout_error(argv, dog.fired)
