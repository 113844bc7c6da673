"""signoff's per-user cache directory: content-addressed files, atomic writes, corruption tolerated.

Entries are named by a hash of what they were computed from, so a stale entry is never used; a file that
is missing, truncated or corrupt reads as absent (the caller recomputes and rewrites it). Each entry
carries a digest of its key and body, so an entry copied or renamed from another key reads as absent
too. Nothing in the repository under review can choose the location, and a directory or file that
another user owns or could write (a shared or hostile cache) is neither read nor written.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

#: Largest cache entry read back (a compiled matcher database is a few MB).
MAX_ENTRY = 256 << 20
_CHECK = 32  # sha256 digest prefixed to every entry
#: In every entry's file name: entries of an older layout are not read (nor rewritten back and forth).
_LAYOUT = "2"


def cache_dir() -> Path | None:
    """``$SIGNOFF_CACHE_DIR``, else ``$XDG_CACHE_HOME/signoff``, else ``~/.cache/signoff``; None if unset."""
    explicit = os.environ.get("SIGNOFF_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or (str(Path.home() / ".cache") if os.environ.get("HOME") else "")
    return Path(base) / "signoff" if base else None


def key_of(*parts: bytes | str) -> str:
    """A hex key for the given parts (length-prefixed, so parts cannot run into each other)."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode() if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()


def _entry_path(d: Path, kind: str, key: str) -> Path:
    return d / f"{kind}-v{_LAYOUT}-{key}"


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _usable_dir(d: Path) -> bool:
    try:
        st = d.stat()
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _private(st)


def _check(key: str, body: bytes) -> bytes:
    return hashlib.sha256(key.encode() + b"\0" + body).digest()


def read_entry(kind: str, key: str) -> bytes | None:
    """The bytes stored under ``kind``/``key``, or None when absent, unreadable, corrupt, stored for
    another key, or in a file or directory that is not this user's alone."""
    d = cache_dir()
    if d is None or not _usable_dir(d):
        return None
    try:
        fd = os.open(_entry_path(d, kind, key), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or not _private(st):
                return None
            data = f.read(MAX_ENTRY + _CHECK + 1)
    except OSError:
        return None
    if len(data) < _CHECK or len(data) > MAX_ENTRY + _CHECK:
        return None
    digest, body = data[:_CHECK], data[_CHECK:]
    return body if _check(key, body) == digest else None


def write_entry(kind: str, key: str, body: bytes) -> None:
    """Store ``body`` atomically (a temporary file renamed into place); failures are ignored."""
    d = cache_dir()
    if d is None or len(body) > MAX_ENTRY:
        return
    try:
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _usable_dir(d):
            return
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", dir=d)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_check(key, body) + body)
            os.replace(tmp, _entry_path(d, kind, key))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
