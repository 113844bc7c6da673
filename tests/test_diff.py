"""The diff model against real repositories, including the awkward cases."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signoff.diff.model import DiffOptions, FileStatus, Hunk, LineKind, body_lines, side_by_side
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from tests.helpers import commit_files, git, make_repo, write


def _diff(repo: Path, rev: str | None = None, **kw):
    g = open_repo(repo)
    options = kw.pop("options", None)
    return load_diff(g, resolve_target(g, rev, **kw), options)


def test_statuses_and_line_numbers(repo: Path) -> None:
    commit_files(
        repo,
        {
            "keep.py": "a\nb\nc\nd\ne\nf\ng\nh\n",
            "gone.txt": "bye\n",
            "old_name.txt": "".join(f"line {i}\n" for i in range(20)),
            "script.sh": "echo hi\n",
            "copy_src.txt": "".join(f"src {i}\n" for i in range(20)),
        },
        "base",
    )
    git(repo, "mv", "old_name.txt", "new_name.txt")
    (repo / "script.sh").chmod(0o755)
    commit_files(
        repo, {"keep.py": "a\nB\nc\nd\ne\nf\ng\nh\ni\n", "gone.txt": None, "added.txt": "new\n"}, "edit"
    )
    d = _diff(repo, "HEAD")
    by = {f.path: f for f in d.files}
    assert by["added.txt"].status is FileStatus.ADDED and by["added.txt"].added == 1
    assert by["gone.txt"].status is FileStatus.DELETED and by["gone.txt"].new_path is None
    assert by["new_name.txt"].status is FileStatus.RENAMED
    assert by["new_name.txt"].old_path == "old_name.txt" and by["new_name.txt"].similarity == 100
    assert by["script.sh"].mode_changed and by["script.sh"].new_mode == "100755"
    keep = by["keep.py"]
    assert (keep.added, keep.removed) == (2, 1)
    assert keep.old_size == 16 and keep.new_size == 18
    lines = [ln for h in keep.hunks for ln in h.lines]
    added = [(ln.new_no, ln.text) for ln in lines if ln.kind is LineKind.ADDED]
    removed = [(ln.old_no, ln.text) for ln in lines if ln.kind is LineKind.REMOVED]
    assert added == [(2, "B"), (9, "i")]
    assert removed == [(2, "b")]
    assert list(keep.added_lines()) == added
    h = keep.hunks[0]
    assert h.header.startswith("@@ -1,") and h.new_line_at(h.body.index("+B")) == 2
    assert h.old_line_at(h.body.index("-b")) == 2


def test_awkward_content(repo: Path) -> None:
    commit_files(repo, {"crlf.txt": "one\r\ntwo\r\n", "latin1.txt": "caf\xe9\n".encode("latin-1")}, "base")
    weird = "we ird\n\x1b[31mname\u202e.txt"
    commit_files(
        repo,
        {
            "crlf.txt": "one\r\nTWO\r\n",
            "latin1.txt": "caf\xe9s\n".encode("latin-1"),
            "nonl.txt": "no newline",
            "empty.txt": "",
            "bin.dat": b"\x00\x01\x02binary",
            "ünï cödé.py": "x = 'ü'\n",
            weird: "hostile\n",
        },
        "awkward",
    )
    os.symlink("crlf.txt", repo / "link")
    commit_files(repo, {}, "symlink")
    d = _diff(repo, "HEAD~1")
    by = {f.path: f for f in d.files}
    crlf = by["crlf.txt"]
    assert [ln.text for h in crlf.hunks for ln in h.lines if ln.kind is LineKind.ADDED] == ["TWO\r"]
    latin = by["latin1.txt"]
    assert [ln.text for ln in latin.hunks[0].lines if ln.kind is LineKind.ADDED] == ["caf\ufffds"]
    nonl = by["nonl.txt"]
    assert nonl.hunks[0].lines[-1].no_newline and nonl.added == 1
    assert by["empty.txt"].status is FileStatus.ADDED and by["empty.txt"].hunks == []
    assert by["bin.dat"].binary and by["bin.dat"].hunks == [] and by["bin.dat"].new_size == 9
    assert by["ünï cödé.py"].added == 1
    assert by[weird].added == 1
    d2 = _diff(repo, "HEAD")
    assert d2.files[0].is_symlink and d2.files[0].added == 1


def test_too_large_is_listed_with_counts(repo: Path) -> None:
    commit_files(repo, {"small.txt": "a\n"}, "base")
    commit_files(repo, {"big.txt": "".join(f"{i}\n" for i in range(5000)), "small.txt": "b\n"}, "big")
    d = _diff(repo, "HEAD", options=DiffOptions(max_file_bytes=1000))
    big = d.file("big.txt")
    assert big is not None and big.too_large and big.hunks == [] and big.added == 5000
    assert not d.file("small.txt").too_large


def test_typechange_and_submodule(repo: Path, tmp_path: Path) -> None:
    sub = make_repo(tmp_path / "sub")
    s1 = commit_files(sub, {"s.txt": "1\n"}, "s1")
    commit_files(repo, {"f": "file\n"}, "base")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{s1},modsub")
    git(repo, "commit", "-qm", "add submodule")
    (repo / "f").unlink()
    os.symlink("target", repo / "f")
    commit_files(repo, {}, "typechange")
    d = _diff(repo, "HEAD~1..HEAD")
    f = d.file("f")
    assert f.status is FileStatus.TYPECHANGE and (f.added, f.removed) == (1, 1) and len(f.hunks) == 2
    d = _diff(repo, "HEAD~2..HEAD~1")
    m = d.file("modsub")
    assert m.is_submodule and m.added == 1 and "Subproject commit" in m.hunks[0].body


def test_worktree_staged_untracked(feature_repo: Path) -> None:
    write(feature_repo, {"app.py": "changed\n", "brand new.txt": "u1\nu2", "lib/util.py": "X = 2\n"})
    git(feature_repo, "add", "lib/util.py")
    staged = _diff(feature_repo, staged=True)
    assert [f.path for f in staged.files] == ["lib/util.py"]
    wt = _diff(feature_repo, worktree=True)
    assert sorted(f.path for f in wt.files) == ["app.py", "lib/util.py"]
    wtu = _diff(feature_repo, worktree=True, untracked=True)
    new = wtu.file("brand new.txt")
    assert new.untracked and new.added == 2 and new.hunks[0].lines[-1].no_newline
    blob = subprocess.run(
        ["git", "hash-object", "brand new.txt"], cwd=feature_repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert new.new_blob == blob
    assert wtu.patch_sha256 != wt.patch_sha256


def test_patch_hash_is_stable_across_user_config(feature_repo: Path) -> None:
    first = _diff(feature_repo).patch_sha256
    git(feature_repo, "config", "diff.noprefix", "true")
    git(feature_repo, "config", "diff.context", "10")
    git(feature_repo, "config", "diff.algorithm", "patience")
    assert _diff(feature_repo).patch_sha256 == first


def _numstat(repo: Path, rev: str) -> dict[str, tuple[int, int]]:
    """``git diff --numstat -z -M`` as {new path: (added, removed)}."""
    fields = git(repo, "diff", "--numstat", "-z", "-M", f"{rev}~1", rev).split("\0")
    res: dict[str, tuple[int, int]] = {}
    i = 0
    while i < len(fields) and fields[i]:
        a, r, path = fields[i].split("\t", 2)
        if path == "":  # rename: the old and new paths follow as their own fields
            path = fields[i + 2]
            i += 2
        res[path] = (int(a), int(r))
        i += 1
    return res


_lines = st.lists(
    st.sampled_from(["alpha", "beta", "", "gamma delta", "  indented", "x" * 30, "ünï", "\t"]), max_size=40
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.dictionaries(st.sampled_from(["a.py", "b.txt", "dir/c.go", "d e.md"]), _lines, min_size=1),
    after=st.dictionaries(
        st.sampled_from(["a.py", "b.txt", "dir/c.go", "d e.md", "new.rs"]), _lines, min_size=1
    ),
    trailing_newline=st.booleans(),
)
def test_counts_match_numstat(tmp_path_factory, before, after, trailing_newline) -> None:
    repo = make_repo(tmp_path_factory.mktemp("prop") / "r")
    end = "\n" if trailing_newline else ""
    commit_files(repo, {k: "\n".join(v) + end for k, v in before.items()}, "before")
    changes: dict[str, str | None] = {k: None for k in before if k not in after}
    changes.update({k: "\n".join(v) + "\n" for k, v in after.items()})
    commit_files(repo, changes, "after")
    expected = _numstat(repo, "HEAD")
    g = open_repo(repo)
    d = load_diff(g, resolve_target(g, "HEAD"))
    assert {f.path: (f.added, f.removed) for f in d.files if not f.binary} == expected


def test_config_max_file_bytes_and_bad_config(repo: Path, capsys) -> None:
    from signoff.cli.main import main

    # The limit comes from the branch the change targets (here: HEAD's parent), never from the change.
    commit_files(repo, {"a.txt": "a\n", ".signoff/config.toml": "[diff]\nmax_file_bytes = 100\n"}, "base")
    commit_files(repo, {"a.txt": "".join(f"{i}\n" for i in range(500))}, "grow")
    assert main(["-C", str(repo), "scan", "HEAD"]) == 0
    assert "too large" in capsys.readouterr().out
    commit_files(repo, {".signoff/config.toml": "[diff\nmax_file_bytes = 100\n"}, "break the config")
    commit_files(repo, {"a.txt": "b\n"}, "change")
    assert main(["-C", str(repo), "scan", "HEAD"]) == 2
    err = capsys.readouterr().err
    assert "config.toml" in err and "line 1" in err and "Traceback" not in err


def test_config_refuses_symlink_and_huge_file(repo: Path, tmp_path: Path) -> None:
    import pytest

    from signoff.config import MAX_CONFIG_BYTES, load_repo_config
    from signoff.errors import UsageError

    (repo / ".signoff").mkdir()
    outside = tmp_path / "outside.toml"
    outside.write_text("[diff]\nmax_file_bytes = 1\n")
    (repo / ".signoff" / "config.toml").symlink_to(outside)
    with pytest.raises(UsageError, match="symbolic link"):
        load_repo_config(repo)
    (repo / ".signoff" / "config.toml").unlink()
    (repo / ".signoff" / "config.toml").write_text("#" * (MAX_CONFIG_BYTES + 1))
    with pytest.raises(UsageError, match="larger than"):
        load_repo_config(repo)


def test_diff_options_shared_by_scan_review_and_tui(repo: Path) -> None:
    """One place builds diff options: the target branch's committed config, --max-file-size over it."""

    from signoff.analysis import diff_options
    from signoff.diff.model import DEFAULT_MAX_FILE_BYTES
    from signoff.git.target import resolve_target

    commit_files(repo, {"a.txt": "x\n"}, "base")
    g = open_repo(repo)
    assert diff_options(g, resolve_target(g, worktree=True)).max_file_bytes == DEFAULT_MAX_FILE_BYTES
    write(repo, {".signoff/config.toml": "[diff]\nmax_file_bytes = 4096\n"})
    # Only in the work tree (the change): not used.
    assert diff_options(g, resolve_target(g, worktree=True)).max_file_bytes == DEFAULT_MAX_FILE_BYTES
    commit_files(repo, {}, "config")
    assert diff_options(g, resolve_target(g, worktree=True)).max_file_bytes == 4096
    assert diff_options(g, resolve_target(g, worktree=True), 99).max_file_bytes == 99


@given(
    st.lists(st.sampled_from(["+a", "-b", " c", "", "\\ No newline at end of file"]), max_size=20),
    st.integers(1, 50),
    st.integers(1, 50),
)
def test_one_line_numbering_for_every_view(body: list[str], old_start: int, new_start: int) -> None:
    """Lines on a side are numbered on from the side's start; every view of a hunk agrees."""
    h = Hunk(old_start, 0, new_start, 0, "", "\n".join(body))
    lines = body_lines(h)
    shown = [ln for ln in lines if ln.kind is not LineKind.NO_NEWLINE]
    assert [ln.new_no for ln in shown if ln.new_no is not None] == list(
        range(new_start, new_start + sum(ln.kind is not LineKind.REMOVED for ln in shown))
    )
    assert [ln.old_no for ln in shown if ln.old_no is not None] == list(
        range(old_start, old_start + sum(ln.kind is not LineKind.ADDED for ln in shown))
    )
    assert h.added_numbers() == [ln.new_no for ln in shown if ln.kind is LineKind.ADDED]
    assert [(ln.kind, ln.old_no, ln.new_no) for ln in h.lines] == [
        (ln.kind, ln.old_no, ln.new_no) for ln in shown
    ]
    pairs = side_by_side(lines)
    assert sorted(i for p in pairs for i in set(p) if i is not None) == [
        i for i, ln in enumerate(lines) if ln.kind is not LineKind.NO_NEWLINE
    ]
