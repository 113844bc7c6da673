"""The per-user cache (compiled Hyperscan databases, linted checklists) never changes a result.

A corrupt entry, an entry copied from another key, one in a directory or file someone else could write,
or a cache directory that cannot be created: each reads as absent and the value is computed again. A
changed checklist gets a new key, so it is linted and compiled again instead of reusing the old entry.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from signoff.checklists.load import builtin_dir, load_builtin, load_checklists
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.relevance import hsdb
from signoff.relevance.engine import Engine
from signoff.util import cache
from tests.helpers import commit_files, make_repo


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("SIGNOFF_CACHE_DIR", str(d))
    hsdb._MEMORY.clear()
    return d


def _entry(d: Path, kind: str) -> Path:
    (found,) = d.glob(f"{kind}-*")
    return found


def test_an_entry_reads_back_only_under_its_own_key(cache_home: Path) -> None:
    cache.write_entry("t", "k1", b"value one")
    cache.write_entry("t", "k2", b"value two")
    assert cache.read_entry("t", "k1") == b"value one"
    assert (cache_home.stat().st_mode & 0o777) == 0o700
    one = next(p for p in cache_home.glob("t-*") if p.name.endswith("-k1"))
    two = next(p for p in cache_home.glob("t-*") if p.name.endswith("-k2"))
    shutil.copyfile(two, one)  # a valid entry, but for another key
    assert cache.read_entry("t", "k1") is None
    two.write_bytes(two.read_bytes()[:-1] + b"X")  # one byte changed
    assert cache.read_entry("t", "k2") is None


def test_entries_others_could_write_are_not_used(cache_home: Path, tmp_path: Path) -> None:
    cache.write_entry("t", "k", b"value")
    entry = _entry(cache_home, "t")
    entry.chmod(0o620)  # group-writable file
    assert cache.read_entry("t", "k") is None
    entry.chmod(0o600)
    assert cache.read_entry("t", "k") == b"value"
    cache_home.chmod(0o777)  # a directory anyone can write: not read, not written
    try:
        assert cache.read_entry("t", "k") is None
        cache.write_entry("t", "other", b"x")
        assert not list(cache_home.glob("t-*other"))
    finally:
        cache_home.chmod(0o700)
    target = tmp_path / "elsewhere"
    target.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(target)  # a symlink planted in the cache
    assert cache.read_entry("t", "k") is None


def _diff_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "r")
    commit_files(repo, {"README.md": "x\n"}, "base")
    commit_files(
        repo,
        {
            "app.py": 'import os\nos.system("rm " + path)\n'
            'q = f"SELECT * FROM t WHERE id={x}"\nsignoffprobe(1)\n'
        },
        "py",
    )
    return repo


def _hyperscan_json(repo: Path, checklists_dir: Path | None = None) -> dict[str, object]:
    g = open_repo(repo)
    diff = load_diff(g, resolve_target(g, "HEAD~1..HEAD"))
    checklists = load_checklists(builtin_directory=checklists_dir)
    return Engine(checklists, route="hyperscan").evaluate(diff).to_json()


def _one_checklist(tmp_path: Path) -> Path:
    """A directory holding only the shipped checklist with the command-execution question (fewer
    patterns: the cold Hyperscan compiles these tests cause stay short)."""
    shipped = tmp_path / "checklists"
    shipped.mkdir()
    path = next(p for p in sorted(builtin_dir().glob("*.toml")) if _OS_SYSTEM in p.read_text())
    shutil.copy(path, shipped / path.name)
    return shipped


_OS_SYSTEM = r"\bos\.(?:system|"


@pytest.mark.skipif(not hsdb.AVAILABLE, reason="hyperscan wheel not installed")
def test_an_unusable_cache_directory_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache directory cannot be created (its parent is a file): everything is compiled in memory,
    with the hits the pure-``re`` route gives."""
    repo = _diff_repo(tmp_path)
    shipped = _one_checklist(tmp_path)
    (tmp_path / "file").write_text("not a directory\n")
    monkeypatch.setenv("SIGNOFF_CACHE_DIR", str(tmp_path / "file" / "cache"))
    hsdb._MEMORY.clear()
    got = _hyperscan_json(repo, shipped)
    assert got["triggered"]
    g = open_repo(repo)
    diff = load_diff(g, resolve_target(g, "HEAD~1..HEAD"))
    assert got == Engine(load_checklists(builtin_directory=shipped), route="re").evaluate(diff).to_json()
    assert not (tmp_path / "file" / "cache").exists()


@pytest.mark.skipif(not hsdb.AVAILABLE, reason="hyperscan wheel not installed")
def test_a_changed_checklist_is_linted_and_compiled_again(cache_home: Path, tmp_path: Path) -> None:
    """Edit a shipped pattern: the old entries are not reused, the edited pattern is in effect."""
    repo = _diff_repo(tmp_path)
    shipped = _one_checklist(tmp_path)
    before = _hyperscan_json(repo, shipped)
    lint_entries = set(cache_home.glob("checklists-ok-*"))
    db_entries = set(cache_home.glob("hsdb-*"))
    assert lint_entries and db_entries
    assert "signoffprobe" not in str(before)
    # Make one command-execution pattern also match the probe call the diff adds.
    (path,) = shipped.glob("*.toml")
    path.write_text(
        path.read_text()
        .replace(_OS_SYSTEM, r"\b(?:signoffprobe|os\.system|os\.(?:", 1)
        .replace(r"startfile)\s*\(", r"startfile))\s*\(", 1)
    )
    hsdb._MEMORY.clear()
    after = _hyperscan_json(repo, shipped)
    assert "signoffprobe(1)" in str(after)
    assert set(cache_home.glob("checklists-ok-*")) > lint_entries
    assert set(cache_home.glob("hsdb-*")) > db_entries
    _, problems = load_builtin(directory=shipped)
    assert not problems


def test_a_corrupt_lint_entry_means_linting_again(cache_home: Path) -> None:
    first, problems = load_builtin()
    assert not problems
    entry = _entry(cache_home, "checklists-ok")
    entry.write_bytes(os.urandom(64))
    again, problems = load_builtin()
    assert not problems and [c.id for c in again] == [c.id for c in first]
    assert cache.read_entry("checklists-ok", entry.name.rsplit("-", 1)[1]) is not None  # rewritten


def test_checklists_read_from_the_cache_equal_those_parsed(cache_home: Path) -> None:
    """The second load reads the parsed documents and anchors from the cache: the same checklists."""
    cold, problems = load_builtin()
    assert not problems
    entry = _entry(cache_home, "checklists-ok")
    assert b'"docs"' in entry.read_bytes()
    warm, problems = load_builtin()
    assert not problems
    assert warm == cold
    pats = [(p.source, p.anchors) for c in warm for q in c.questions for p in q.triggers.added]
    assert pats == [(p.source, p.anchors) for c in cold for q in c.questions for p in q.triggers.added]
    assert len(pats) > 100
