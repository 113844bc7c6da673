"""Half the files matched in a forked child (the second core) gives the very same questions and hits.

A fork is used only from a process with one thread, so these tests run the engine in a fresh
interpreter (``python -c``): pytest's own process may have threads (xdist). The child is also made to
fail (killed, raising) to show the parent then matches the side itself with the same result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

import signoff
from signoff.util.forked import fork_call, fork_usable
from tests.helpers import commit_files, git, make_repo

CASES = tomllib.loads((Path(__file__).parent / "corpus" / "cases.toml").read_text())["case"]
SRC = str(Path(signoff.__file__).resolve().parents[1])

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux only")

#: Runs in a fresh interpreter: the engine with and without the fork, on REPO's base..HEAD.
_SCRIPT = """
import json, os, signal, sys
from signoff.checklists.load import load_checklists
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.relevance import engine as E
from signoff.util import forked

repo, mode = sys.argv[1], sys.argv[2]
parent = os.getpid()
forks = []
real_fork = E.fork_call
def counting(fn):
    got = real_fork(fn)
    forks.append(got is not None)
    return got
E.fork_call = counting
if mode != "ok":
    real_phases = E.Engine._phases
    def failing(self, *args):
        if os.getpid() != parent:
            if mode == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError("child fails")
        return real_phases(self, *args)
    E.Engine._phases = failing
g = open_repo(repo)
diff = load_diff(g, resolve_target(g, "base..HEAD"))
cl = load_checklists()
docs = [E.Engine(cl, parallel=p).evaluate(diff).to_json() for p in ("never", "always")]
paths = [f.path for f in diff.files]
late = set(paths[len(paths) // 2 :])
n = sum(h["path"] in late for r in docs[0]["triggered"] for h in r["hits"])
print(json.dumps({"same": docs[0] == docs[1], "forks": forks, "hits": n}))
"""


def _changed_repo(root: Path) -> Path:
    """base holds every corpus case's vulnerable code; HEAD replaces it with the safe code (both sides)."""
    repo = make_repo(root / "r")
    commit_files(repo, {f"c/{c['name']}/{c['path']}": c["bad"].lstrip("\n") for c in CASES}, "bad")
    git(repo, "tag", "base")
    commit_files(repo, {f"c/{c['name']}/{c['path']}": c["good"].lstrip("\n") for c in CASES}, "good")
    return repo


def _run(script: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": SRC}
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=90, env=env, check=True
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.mark.parametrize("mode", ["ok", "killed", "raises"])
def test_files_matched_in_a_forked_child_give_the_same_hits(tmp_path: Path, mode: str) -> None:
    """Same JSON with the fork as without; a child that is killed or fails changes nothing."""
    got = _run(_SCRIPT, str(_changed_repo(tmp_path)), mode)
    assert got["forks"] == [True]  # "always" forked (the "never" engine did not try)
    assert got["same"] is True
    # Hits in the files the child matched (the second half, roughly).
    assert isinstance(got["hits"], int) and got["hits"] > 10


def test_each_question_keeps_its_reasons_in_order_across_the_cut(tmp_path: Path) -> None:
    """The first file (this process) only loses a CSRF check, the second (the child) adds an exemption:
    the question's reasons stay ``added`` then ``removed``, as one pass in one process gives them."""
    repo = make_repo(tmp_path / "r")
    commit_files(repo, {"a.py": "class A:\n    protect_from_forgery = True\n", "b.py": "x = 1\n"}, "one")
    git(repo, "tag", "base")
    commit_files(repo, {"a.py": "class A:\n    pass\n", "b.py": "x = 1\n@csrf_exempt\n"})
    got = _run(_SCRIPT, str(repo), "ok")
    assert got["forks"] == [True] and got["same"] is True and got["hits"] == 1


_FORK_SCRIPT = """
import json, os, time
from signoff.util.forked import fork_call
parent = os.getpid()
ok = fork_call(lambda: {"pid": os.getpid(), "value": 41 + 1})
fails = fork_call(lambda: 1 // 0)
slow = fork_call(lambda: time.sleep(60))
start = time.monotonic()
slow.cancel()
got = ok.result()
print(json.dumps({"value": got["value"], "other": got["pid"] != parent, "fails": fails.result(),
                  "again": ok.result(), "slow": slow.result(), "cancel_s": time.monotonic() - start}))
"""


def test_fork_call_returns_the_childs_result_or_none() -> None:
    got = _run(_FORK_SCRIPT)
    assert got["value"] == 42 and got["other"] is True
    assert got["fails"] is None and got["again"] is None and got["slow"] is None
    assert isinstance(got["cancel_s"], float) and got["cancel_s"] < 10


def test_no_fork_while_another_thread_runs() -> None:
    """A thread could hold a lock at the fork (left held for ever in the child): no fork then."""
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        assert not fork_usable()
        assert fork_call(lambda: 1) is None
    finally:
        stop.set()
        t.join(timeout=10)
