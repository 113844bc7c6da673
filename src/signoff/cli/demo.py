"""``signoff demo``: a throwaway repository with a realistic AI-co-authored change, opened for review.

The change adds a status filter to an order search with string-built SQL, a live-looking payment key as
an environment fallback, and a CI workflow moved to ``pull_request_target`` that checks out and echoes
the pull request's own title. The demo makes its own Ed25519 key (passed as --key/--format/--email,
never written to any git config), so the review can be finished and signed, and ``signoff verify``
checks it. ``data/demo/*.sarif`` is what
Bandit 1.9.4 (``bandit -r app -f sarif``) and zizmor 1.32.0 (``zizmor --offline --format sarif .``) said
about the changed files; regenerate it when the files below change (tests/app/test_demo.py checks it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from signoff.cli.review import check_tui, start_tui
from signoff.errors import RepoError, UsageError
from signoff.git.runner import Git, open_repo
from signoff.git.target import ReviewTarget, resolve_target

EMAIL = "demo-reviewer@example.invalid"
BRANCH = "feature/orders-search"
RANGE = f"main...{BRANCH}"

BASE = {
    "README.md": "# shop\n\nA small order admin.\n",
    "app/__init__.py": "",
    "app/db.py": '''"""Order lookups for the admin pages."""

import sqlite3


def find_orders(conn: sqlite3.Connection, customer: str) -> list[tuple]:
    sql = "SELECT id, total FROM orders WHERE customer = ?"
    return conn.execute(sql, (customer,)).fetchall()
''',
    "app/settings.py": 'import os\n\nPAYMENT_API_KEY = os.environ["PAYMENT_API_KEY"]\n',
    ".github/workflows/ci.yml": """name: ci
on:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2
        with:
          persist-credentials: false
      - run: pip install -r requirements.txt && pytest
""",
}

# Built at run time so no scanner mistakes this source file for a leaked key.
_FAKE_KEY = "sk_" + "live_" + "51DemoOnlyNotARealKey0000"

CHANGE = {
    "app/db.py": '''"""Order lookups for the admin pages."""

import sqlite3


def find_orders(conn: sqlite3.Connection, customer: str, status: str = "open") -> list[tuple]:
    # filter by the status chosen in the admin search box
    rows = conn.execute(f"SELECT * FROM orders WHERE customer = '{customer}' AND status = '{status}'")
    return rows.fetchall()
''',
    "app/settings.py": f'import os\n\nPAYMENT_API_KEY = os.environ.get("PAYMENT_API_KEY", "{_FAKE_KEY}")\n',
    ".github/workflows/ci.yml": """name: ci
on:
  pull_request_target:
permissions: write-all
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - name: Announce
        run: echo "Testing ${{ github.event.pull_request.title }}"
      - run: pip install -r requirements.txt && pytest
""",
}
MESSAGE = "Add a status filter to the order search\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="try signoff on a throwaway repository with a risky AI-co-authored change",
        description="Build a throwaway repository with a realistic change and open the review on it.",
    )
    p.add_argument("--dir", metavar="DIR", help="where to build it (default: a new temporary directory)")
    p.add_argument("--no-open", action="store_true", help="build and print the path; do not open the UI")
    p.set_defaults(func=run)


@dataclass
class Demo:
    root: Path
    key: Path
    git: Git
    target: ReviewTarget
    #: Scanner output for the change: Bandit 1.9.4 and zizmor 1.32.0 run on exactly these files.
    sarif: list[Path]


def build(where: Path) -> Demo:
    """Create the demo repository in the empty (or new) directory ``where``."""
    where.mkdir(parents=True, exist_ok=True)
    if any(where.iterdir()):
        raise UsageError(f"{where} is not empty: give signoff demo --dir a new directory")
    keydir = where / ".demo-key"
    keydir.mkdir(mode=0o700)
    key = keydir / "id_ed25519"
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    key.write_bytes(pem)
    key.chmod(0o600)
    pub = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    key.with_name("id_ed25519.pub").write_text(f"{pub.decode()} {EMAIL}\n")
    repo = where / "shop"
    repo.mkdir()
    run = _runner(repo)
    run("init", "-q", "-b", "main")
    for k, v in {
        "user.name": "Demo Reviewer",
        "user.email": EMAIL,
        "commit.gpgsign": "false",
    }.items():
        run("config", k, v)
    _write(repo, BASE)
    _write(repo, {".signoff/allowed_signers": f'{EMAIL} namespaces="signoff-review" {pub.decode()}\n'})
    run("add", "-A")
    run("commit", "-q", "-m", "Order admin: search by customer")
    run("checkout", "-q", "-b", BRANCH)
    _write(repo, CHANGE)
    run("add", "-A")
    run("-c", "user.name=Dev Eloper", "-c", "user.email=dev@example.invalid", "commit", "-q", "-m", MESSAGE)
    scans = where / "scans"
    scans.mkdir()
    sarif = []
    for name in ("bandit.sarif", "zizmor.sarif"):
        sarif.append(scans / name)
        sarif[-1].write_bytes(resources.files("signoff").joinpath(f"data/demo/{name}").read_bytes())
    git = open_repo(repo)
    return Demo(repo, key, git, resolve_target(git, RANGE), sarif)


def _runner(repo: Path) -> Callable[..., None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0")

    def run(*args: str) -> None:
        try:
            proc = subprocess.run(
                ["git", *args], cwd=repo, env=env, capture_output=True, check=False, timeout=60
            )
        except subprocess.TimeoutExpired:
            raise RepoError(f"git {args[0]} did not finish in 60 s") from None
        if proc.returncode != 0:
            raise RepoError(f"git {args[0]} failed: {proc.stderr.decode(errors='replace').strip()}")

    return run


def _write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def run(args: argparse.Namespace) -> int:
    if not args.no_open:
        check_tui()
    where = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="signoff-demo-"))
    demo = build(where)
    print(f"signoff demo: a throwaway repository in {demo.root} (delete {where} when done)")
    print(f"signoff demo: reviewing {RANGE}: an AI-co-authored commit with string-built SQL, a payment key")
    print(
        "  and a CI workflow moved to pull_request_target. p/f/a answer, ? lists keys, S finishes and signs"
    )
    print(f"  with the demo's own key; then: signoff -C {demo.root} verify")
    findings = " ".join(f"--findings {p}" for p in demo.sarif)
    print(f"  Scanner findings (Bandit, zizmor) are shown under their questions: {findings}")
    args.findings = [str(p) for p in demo.sarif]
    if args.no_open:
        return 0
    # The demo's throwaway key signs through the flags, as any key would: signing never reads the
    # repository's own git config (a hostile clone could choose the key and the reviewer's e-mail).
    args.key, args.format, args.email = str(demo.key), "ssh", EMAIL
    return start_tui(demo.git, demo.target, args)
