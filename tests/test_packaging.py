"""The wheel as users get it: built with ``python -m build``, installed into a fresh venv, run.

A packaging mistake (checklists, data files or the TCSS missing from the wheel, a module outside the
package) fails here, not on a user's machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from signoff import __version__
from tests.helpers import commit_files, git, make_repo

ROOT = Path(__file__).resolve().parents[1]
DIST = "diff_signoff"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    src = tmp_path_factory.mktemp("src") / "signoff"
    junk = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".venv")
    shutil.copytree(ROOT, src, symlinks=True, ignore=junk)  # the build writes into its source tree
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(src)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (found,) = out.glob(f"{DIST}-{__version__}-*.whl")
    return found


def test_wheel_holds_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.name for p in (ROOT / "checklists").glob("*.toml")}
    assert shipped and {f"signoff/data/checklists/{n}" for n in shipped} <= names
    for data in ("ai_tools.toml", "findings_map.toml", "compliance.toml"):
        assert f"signoff/data/{data}" in names
    assert "signoff/app/signoff.tcss" in names
    assert {"signoff/data/demo/bandit.sarif", "signoff/data/demo/zizmor.sarif"} <= names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_runs(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", str(wheel)], capture_output=True, text=True, env=env
    )
    assert install.returncode == 0, install.stderr[-3000:]
    exe = env_dir / "bin" / "signoff"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.strip() == f"signoff {__version__}"
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(
        repo, {"app.py": "def q(c, n):\n    return c.execute(f\"SELECT * FROM t WHERE n = '{n}'\")\n"}
    )
    scan = subprocess.run(
        [str(exe), "-C", str(repo), "scan", "main..feature", "--no-ai"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert scan.returncode == 0, scan.stderr
    assert "db.parameterized-queries" in scan.stdout  # the checklists came with the wheel
    # the installed package is the wheel's, not this checkout's
    where = subprocess.run(
        [str(py), "-c", "import signoff, sys; print(signoff.__file__)"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert str(env_dir) in where.stdout
