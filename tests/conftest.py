"""Shared fixtures: real repositories in temporary directories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import commit_files, make_repo
from tests.sigkeys import gpg_key, ssh_keys  # noqa: F401 - session-scoped signing keys

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty repository on branch ``main``."""
    return make_repo(tmp_path / "repo")


@pytest.fixture
def feature_repo(tmp_path: Path) -> Path:
    """``main`` with one commit, and a checked-out ``feature`` branch two commits ahead."""
    r = make_repo(tmp_path / "repo")
    commit_files(r, {"app.py": "def f():\n    return 1\n", "README.md": "hello\n"}, "base")
    from tests.helpers import git

    git(r, "checkout", "-q", "-b", "feature")
    commit_files(r, {"app.py": "def f():\n    return 2\n\n\ndef g():\n    return 3\n"}, "change f, add g")
    commit_files(r, {"lib/util.py": "X = 1\n"}, "add util")
    return r


@pytest.fixture(autouse=True, scope="session")
def _isolated_git_config(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the developer's global git config out of the tests."""
    home = tmp_path_factory.mktemp("gitglobal")
    cfg = home / "gitconfig"
    cfg.write_text("")
    os.environ["GIT_CONFIG_GLOBAL"] = str(cfg)
    os.environ["GIT_CONFIG_NOSYSTEM"] = "1"


@pytest.fixture(autouse=True, scope="session")
def _shared_signoff_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One signoff cache (compiled Hyperscan databases, validated checklists) for the whole run, shared by
    the xdist workers and never the developer's own ~/.cache: each database is compiled once per run."""
    root = tmp_path_factory.getbasetemp()
    shared = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    cache = shared / "signoff-cache"
    cache.mkdir(exist_ok=True)
    os.environ["SIGNOFF_CACHE_DIR"] = str(cache)


@pytest.fixture(autouse=True)
def _own_global_git_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own empty global git config: signing reads identity and key from the user's own
    config only (never the repository's), so tests set them with ``git config --global`` safely."""
    cfg = tmp_path_factory.mktemp("gitglobal") / "gitconfig"
    cfg.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    return cfg
