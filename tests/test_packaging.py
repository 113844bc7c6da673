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


#: Bounds for every child process here: a stuck pip or build fails the test, it never hangs the suite.
PIP_ENV = {"PIP_DEFAULT_TIMEOUT": "20", "PIP_RETRIES": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


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
        env={**os.environ, **PIP_ENV},
        timeout=180,
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


#: Run inside the venv: every declared requirement (for this platform, no extras) is installed at a
#: version it allows, so the wheel's metadata agrees with what the test environment runs.
CHECK_REQUIRES = """
import importlib.metadata as md
from packaging.requirements import Requirement
bad = []
for text in md.requires("diff-signoff") or []:
    req = Requirement(text)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        continue
    try:
        have = md.version(req.name)
    except md.PackageNotFoundError:
        bad.append(f"{req.name}: missing")
        continue
    if have not in req.specifier:
        bad.append(f"{req.name}: {have} not in {req.specifier}")
print("; ".join(bad) or "ok")
"""


def _run(cmd: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False, **kw)


def test_wheel_installs_into_a_fresh_venv_and_runs(wheel: Path, tmp_path: Path) -> None:
    """A new venv gets the wheel alone, offline (``--no-index --no-deps``): its dependencies come from
    the test environment's site-packages, so nothing here waits on a registry, and the installed
    ``signoff`` runs from the venv, with the checklists and data the wheel carries."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False, system_site_packages=True)
    py = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PIP_ENV, PIP_NO_INDEX="1")
    pip = [sys.executable, "-m", "pip", "--python", str(py)] if _pip_has_python() else [str(py), "-m", "pip"]
    install = _run(
        [*pip, "install", "--quiet", "--no-index", "--no-deps", "--ignore-installed", str(wheel)], env
    )
    assert install.returncode == 0, install.stderr[-3000:]
    exe = env_dir / "bin" / "signoff"
    version = _run([str(exe), "--version"], env)
    assert version.returncode == 0 and version.stdout.strip() == f"signoff {__version__}"
    requires = _run([str(py), "-c", CHECK_REQUIRES], env)
    assert requires.stdout.strip() == "ok", requires.stdout + requires.stderr
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(
        repo, {"app.py": "def q(c, n):\n    return c.execute(f\"SELECT * FROM t WHERE n = '{n}'\")\n"}
    )
    scan = _run([str(exe), "-C", str(repo), "scan", "main..feature", "--no-ai"], env)
    assert scan.returncode == 0, scan.stderr
    assert "db.parameterized-queries" in scan.stdout  # the checklists came with the wheel
    # the installed package is the wheel's, not this checkout's
    where = _run([str(py), "-c", "import signoff; print(signoff.__file__)"], env, cwd=tmp_path)
    assert where.stdout.startswith(str(env_dir)), where.stdout + where.stderr


def _pip_has_python() -> bool:
    """pip >= 22.3 installs into another interpreter's environment with ``--python``."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    major, minor = (int(x) for x in proc.stdout.split()[1].split(".")[:2])
    return (major, minor) >= (22, 3)
