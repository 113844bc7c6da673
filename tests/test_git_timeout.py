"""Every git call is bounded (signoff.git.process): a git that blocks is stopped, with one line and exit 3.

The blocking git is a real one made to stall: a ``git`` wrapper early on the PATH of the command under
test only, which runs the real git for everything but the subcommands named in ``FAKE_GIT_STALL`` (those
sleep in a grandchild holding the output pipe, the hard case) or ``FAKE_GIT_TRICKLE`` (real output,
written slowly: a long legitimate run that must not be stopped). Every test is bounded by subprocess
timeouts far below pytest's.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from signoff.errors import GitTimeoutError
from signoff.git.runner import open_repo
from tests.helpers import commit_files, git, make_repo
from tests.hostile_repos import run_signoff

REAL_GIT = shutil.which("git") or "/usr/bin/git"
TRICKLE = (
    "import sys, time\n"
    "data = sys.stdin.buffer.read()\n"
    "for i in range(0, len(data), 128):\n"
    "    sys.stdout.buffer.write(data[i:i + 128]); sys.stdout.buffer.flush(); time.sleep(0.1)\n"
)


def _wrapper(bindir: Path, pids: Path) -> Path:
    bindir.mkdir()
    (bindir / "trickle.py").write_text(TRICKLE)
    script = f"""#!/bin/sh
for a in "$@"; do case "$a" in -*) ;; *) sub="$a"; break ;; esac; done
case " $FAKE_GIT_STALL " in *" $sub "*)
    echo $$ >> {pids}
    sleep 300 &
    echo $! >> {pids}
    wait
    exit 0 ;;
esac
case " $FAKE_GIT_TRICKLE " in *" $sub "*)
    {REAL_GIT} "$@" | {sys.executable} {bindir / "trickle.py"}
    exit 0 ;;
esac
exec {REAL_GIT} "$@"
"""
    (bindir / "git").write_text(script)
    (bindir / "git").chmod(0o755)
    return bindir


@pytest.fixture
def stalling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a topic branch, and the wrapper first on PATH for this test."""
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(120))
    commit_files(repo, {"app.py": body}, "topic change")
    pids = tmp_path / "pids"
    pids.touch()
    bindir = _wrapper(tmp_path / "bin", pids)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SIGNOFF_GIT_TIMEOUT", "1")
    return repo


def _alive(pids: Path) -> list[int]:
    """The recorded processes still running (a zombie waiting for init to reap it is not running)."""
    out = []
    for pid in pids.read_text().split():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        if stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X"):
            out.append(int(pid))
    return out


def _one_line_error(proc) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 3, (proc.returncode, err, proc.stdout[-2000:])
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "SIGNOFF_GIT_TIMEOUT" in lines[0], err
    return lines[0]


@pytest.mark.parametrize(
    ("stall", "argv", "said"),
    [
        ("diff", ["scan", "main..topic", "--no-ai"], "wrote nothing for 1 s"),
        ("log", ["audit", "--no-ai", "--target", "main"], "did not finish within 1 s"),
        ("rev-parse", ["gate", "main..topic", "--target", "main"], "did not finish within 1 s"),
    ],
)
def test_a_stalled_git_is_stopped_with_one_line(
    stalling: Path, monkeypatch: pytest.MonkeyPatch, stall: str, argv: list[str], said: str
) -> None:
    monkeypatch.setenv("FAKE_GIT_STALL", stall)
    started = time.monotonic()
    proc = run_signoff(stalling, argv, cap=60)
    line = _one_line_error(proc)
    assert f"git {stall} " in line and said in line, line
    assert time.monotonic() - started < 40
    assert _alive(stalling.parent / "pids") == []  # the stalled git and its children are gone


def test_a_stream_the_reader_waits_on_is_stopped(stalling: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader blocks in read() on a git that writes nothing: the watchdog stops git, the read
    returns, and the error is the timeout (not whatever the reader makes of the cut-short output)."""
    git_ = open_repo(stalling)
    monkeypatch.setenv("FAKE_GIT_STALL", "cat-file")
    with pytest.raises(GitTimeoutError) as err, git_.stream(["cat-file", "--batch"]) as out:
        out.read()
    assert "wrote nothing for 1 s" in err.value.message


def test_a_slow_but_steady_stream_is_not_stopped(stalling: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Output arriving in small pieces for longer than the limit in all: a long run, not a stuck one."""
    args = ["log", "-p", "--no-color", "main..topic"]
    expected = open_repo(stalling).run(args)
    assert len(expected) > 128 * 25  # more than 2.5 s of trickling at 128 bytes per 0.1 s
    monkeypatch.setenv("FAKE_GIT_TRICKLE", "log")
    git_ = open_repo(stalling)  # its environment is read once, now with the trickle on
    started = time.monotonic()
    with git_.stream(args) as out:
        got = out.read()
    assert got == expected
    assert time.monotonic() - started > 2  # it ran past the 1 s limit without being stopped


def test_a_bad_timeout_setting_is_a_one_line_usage_error(
    stalling: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIGNOFF_GIT_TIMEOUT", "soon")
    proc = run_signoff(stalling, ["scan", "main..topic", "--no-ai"], cap=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "SIGNOFF_GIT_TIMEOUT" in err and "Traceback" not in err, err
