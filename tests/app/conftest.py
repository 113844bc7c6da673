"""Fixtures for the TUI tests: a small review repository with fixed contents and dates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import commit_files, git, make_repo

os.environ["TEXTUAL_ANIMATIONS"] = "none"
#: No TUI test may wait on a person's editor: ``E`` runs this (it exits at once) unless a test sets its own.
os.environ["VISUAL"] = "true"
os.environ.pop("EDITOR", None)

#: Seconds a TUI test may take in all (pytest-timeout); a stuck Pilot test fails instead of hanging CI.
TUI_TEST_TIMEOUT_S = 60


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give every test under ``tests/app`` a ``timeout`` mark unless it has one."""
    if not config.pluginmanager.hasplugin("timeout"):
        return
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TUI_TEST_TIMEOUT_S))


HOSTILE_PY = (
    "import os\n"
    "\n"
    "def f(x):\n"
    "    return x + 2  # [bold red]x[/] [@click=app.quit]q[/]\n"
    "\n"
    "\n"
    "def g(x):\n"
    '    os.system("rm -rf " + x)\n'
    '    s = "\x1b]0;pwned\x07 \u202e evil \x1b[31mred"\n'
)

HOSTILE_NAME = "docs/\x1b[31mred\u202ename.md"


@pytest.fixture
def review_repo(tmp_path: Path) -> Path:
    """``main`` plus a ``feature`` branch changing a Python file, adding a shell script and a SQL query."""
    r = make_repo(tmp_path / "repo")
    commit_files(
        r,
        {
            "app.py": "def f(x):\n    return x + 1\n\n\ndef g(x):\n    pass\n",
            "README.md": "hello\n",
            "db/query.py": "def get(cur, uid):\n    cur.execute('SELECT * FROM t WHERE id = %s', (uid,))\n",
        },
        "base",
    )
    git(r, "checkout", "-q", "-b", "feature")
    commit_files(
        r,
        {
            "app.py": HOSTILE_PY,
            "scripts/run": "#!/bin/sh\necho hi\n",
            "db/query.py": "def get(cur, uid):\n    cur.execute(f'SELECT * FROM t WHERE id = {uid}')\n",
            "README.md": None,
            HOSTILE_NAME: "[link=http://x]y[/link]\n",
        },
        "change f, add g",
    )
    commit_files(
        r,
        {"lib/helper.py": "def helper(a, b):\n    return a * b\n"},
        "add helper\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    )
    return r
