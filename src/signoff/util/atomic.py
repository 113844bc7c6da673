"""Crash-safe file writes: a temp file in the target directory, fsync, then rename (or link, for
never-overwrite), and directories created without following symbolic links from the repository."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from signoff.errors import RepoError


def make_dirs_within(root: str | Path, directory: str | Path) -> Path:
    """Create ``directory`` (``root`` or below it) one level at a time, refusing symbolic links.

    The repository is untrusted: a committed ``.signoff/reviews`` (or ``.signoff``, ``2026``, ...) that is a
    symlink to ``~/.ssh`` must not steer a write there. ``root`` itself is trusted (git's toplevel or
    common dir); every component below it must be a real directory.
    """
    root = Path(root)
    directory = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    current = root
    for part in directory.relative_to(root).parts:
        if part in ("", ".", ".."):
            raise RepoError(f"refusing to write to {directory}: not a plain path below {root}")
        current = current / part
        with contextlib.suppress(FileExistsError):
            os.mkdir(current)
        st = os.lstat(current)
        if stat.S_ISLNK(st.st_mode):
            raise RepoError(f"{current} is a symbolic link; refusing to write through it")
        if not stat.S_ISDIR(st.st_mode):
            raise RepoError(f"{current} is not a directory; refusing to write there")
    return directory


def fsync_dir(path: Path) -> None:
    """Make a rename or link in ``path`` durable (best effort where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_copy(path: Path, data: bytes) -> str:
    """``data`` in a fsynced temp file next to ``path``; the caller renames or links it, then unlinks."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes, *, root: Path | None = None) -> None:
    """Replace ``path`` with ``data`` in one step (never a partial file).

    With ``root``: ``path`` is below it, and its directories are created without following symlinks.
    A symlink at ``path`` itself is refused.
    """
    if root is not None:
        make_dirs_within(root, path.parent)
    if path.is_symlink():
        raise RepoError(f"{path} is a symbolic link; refusing to write through it")
    tmp = _temp_copy(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_new(path: Path, data: bytes, mode: int = 0o644) -> bool:
    """Create ``path`` with ``data`` without ever overwriting: False when it already exists."""
    tmp = _temp_copy(path, data)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # no hard links here: O_EXCL create, then copy the bytes
            try:
                out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                return False
            with os.fdopen(out, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(path, mode)
        fsync_dir(path.parent)
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)
