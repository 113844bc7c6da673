"""The install and integration snippets users copy: exact pins everywhere, the CI workflow clean under
zizmor (the GitHub Actions auditor), and the README showing the same text ``signoff init`` prints."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from signoff import __version__
from signoff.integration import (
    DISTRIBUTION,
    GITHUB_ACTIONS,
    GITLAB_CI,
    PRE_COMMIT,
    PRE_COMMIT_REMOTE,
    REQUIREMENTS_HOWTO,
)

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("snippet", [GITHUB_ACTIONS, GITLAB_CI])
def test_ci_installs_are_hash_pinned(snippet: str) -> None:
    installs = [line for line in snippet.splitlines() if "pip install" in line]
    assert installs and all("--require-hashes -r" in line for line in installs)
    assert (
        f"{DISTRIBUTION}=={__version__}" in snippet and f"{DISTRIBUTION}=={__version__}" in REQUIREMENTS_HOWTO
    )


def test_actions_are_pinned_to_full_commits() -> None:
    uses = re.findall(r"uses: (\S+)", GITHUB_ACTIONS)
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses)


def test_readme_has_no_unpinned_install() -> None:
    for line in README.splitlines():
        if (
            re.search(r"\b(pip|pipx|uv tool) install\b", line)
            and not re.search(r"install (-e )?'?\.", line)  # this checkout
        ):
            assert "==" in line or "--require-hashes" in line or re.search(r"@[0-9a-f<]", line), line
    assert "pip install signoff" not in README


def test_readme_shows_the_snippets_init_prints() -> None:
    for snippet in (GITHUB_ACTIONS, GITLAB_CI, PRE_COMMIT, PRE_COMMIT_REMOTE):
        assert snippet.strip() in README


def test_remote_pre_commit_pins_a_commit() -> None:
    assert "rev: <40-hex commit id>" in PRE_COMMIT_REMOTE and "OWNER" not in PRE_COMMIT_REMOTE


def test_github_snippet_is_clean_under_zizmor(tmp_path: Path) -> None:
    zizmor = shutil.which("zizmor")
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install zizmor)")
    wf = tmp_path / ".github" / "workflows" / "signoff.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text(GITHUB_ACTIONS)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=30)
    proc = subprocess.run(
        [zizmor, "--offline", "--format", "plain", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout + proc.stderr


def test_local_pre_commit_hook_runs_the_gate(tmp_path: Path) -> None:
    """The `repo: local` variant, run by the real pre-commit at the pre-push stage."""
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed")
    from tests.helpers import commit_files, git, git_env, make_repo

    repo = make_repo(tmp_path / "repo")
    (repo / ".pre-commit-config.yaml").write_text(PRE_COMMIT)
    base = commit_files(repo, {"app.py": "x = 1\n"}, "base")
    head = commit_files(repo, {"app.py": "x = 2\n"}, "unreviewed change")
    env = {**git_env(), "PRE_COMMIT_HOME": str(tmp_path / "pc-home")}
    proc = subprocess.run(
        [pre_commit, "run", "--hook-stage", "pre-push", "--from-ref", base, "--to-ref", head, "signoff-gate"],
        cwd=repo, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the gate ran and failed: no approval
    assert "signoff gate" in proc.stdout and "Failed" in proc.stdout
    git(repo, "log", "-1")


def test_pre_commit_manifest_and_both_configs_are_valid(tmp_path: Path) -> None:
    """pre-commit's own validators accept the shipped hook manifest and both snippets (the remote one
    with a real-looking URL and commit id in place of its placeholders)."""
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed")
    root = Path(__file__).resolve().parents[1]
    remote = PRE_COMMIT_REMOTE.replace("<URL of signoff's git repository>", "https://example.invalid/signoff")
    remote = remote.replace("<40-hex commit id>", "9f2c4e7a1b" * 4)
    (tmp_path / "local.yaml").write_text(PRE_COMMIT)
    (tmp_path / "remote.yaml").write_text(remote)
    checks = [
        ["validate-manifest", str(root / ".pre-commit-hooks.yaml")],
        ["validate-config", str(tmp_path / "local.yaml"), str(tmp_path / "remote.yaml")],
    ]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "pc")}
    for args in checks:
        proc = subprocess.run(
            [pre_commit, *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # the manifest's hook is the one both snippets name
    assert "id: signoff-gate" in (root / ".pre-commit-hooks.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(remote.replace("hooks:", "hookz:"))
    proc = subprocess.run(
        [pre_commit, "validate-config", str(bad)], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode != 0  # the validator does reject a broken config
