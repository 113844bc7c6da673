"""Listing record files and showing their paths (fast paths of ``signoff verify``) match pathlib's answers."""

from __future__ import annotations

from pathlib import Path

from signoff.cli.verify import _relative_paths
from signoff.records.store import REVIEWS_DIR, list_records
from signoff.signing.verify import Status, Verification


def _tree(root: Path) -> Path:
    base = root / REVIEWS_DIR
    for rel in [
        "2026/01/a.toml",
        "2026/01/a-b.toml",
        "2026/01-x/a.toml",
        "2026/1/z.toml",
        "2026/01/.tmp-x.toml",
        "2026/01/b.txt",
        "x.toml/y.toml",
        "2025/12/c.toml",
    ]:
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text("x")
    (base / "dirlink").symlink_to(base / "2026")
    (base / "2026/01/link.toml").symlink_to(base / "2025/12/c.toml")
    (base / "2026/01/broken.toml").symlink_to(root / "nope")
    (base / "dir.toml").mkdir()
    return base


def test_list_records_is_rglob_of_files_sorted_as_paths(tmp_path: Path) -> None:
    base = _tree(tmp_path)
    # Every *.toml entry but real directories: symlinks (dangling too) are listed, to be refused one by one.
    expected = sorted(
        p for p in base.rglob("*.toml") if not p.name.startswith(".") and (p.is_symlink() or not p.is_dir())
    )
    got = list_records(tmp_path)
    assert got == expected
    assert [p.relative_to(base).as_posix() for p in got] == [
        "2025/12/c.toml",
        "2026/01/a-b.toml",
        "2026/01/a.toml",
        "2026/01/broken.toml",
        "2026/01/link.toml",
        "2026/01-x/a.toml",
        "2026/1/z.toml",
        "x.toml/y.toml",
    ]


def test_relative_paths_resolve_like_pathlib(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    base = _tree(root)
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("x")
    (base / "2026/01/out.toml").symlink_to(outside)
    (tmp_path / "alias").symlink_to(root)
    sources = [str(p) for p in list_records(root)] + [
        str(base / "2026/01/out.toml"),
        str(tmp_path / "alias" / REVIEWS_DIR / "2026/01/a.toml"),
        str(base / "2026/01/../01/a.toml"),
        "/nonexistent/x.toml",
        "relative/x.toml",
    ]

    def pathlib_answer(src: str) -> str:
        # The directory is resolved, the record's own name is not: a symlinked record shows as itself.
        p = Path(src)
        try:
            return str((p.parent.resolve() / p.name).relative_to(root.resolve()))
        except ValueError:
            return src

    results = [Verification(s, Status.VALID) for s in sources]
    assert _relative_paths(root, results) == [pathlib_answer(s) for s in sources]
    assert _relative_paths(root, results)[-5] == str(REVIEWS_DIR / "2026/01/out.toml")  # the link itself
