"""signoff's per-user cache directory: content-addressed files, atomic writes, corruption tolerated.

Entries are named by a hash of what they were computed from, so a stale entry is never used; a file that
is missing, truncated or corrupt reads as absent (the caller recomputes and rewrites it). Nothing in the
repository under review can choose the location.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

#: Largest cache entry read back (a compiled matcher database is a few MB).
MAX_ENTRY = 256 << 20
_CHECK = 32  # sha256 digest prefixed to every entry


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


def read_entry(kind: str, key: str) -> bytes | None:
    """The bytes stored under ``kind``/``key``, or None when absent, unreadable or corrupt."""
    d = cache_dir()
    if d is None:
        return None
    path = d / f"{kind}-{key}"
    try:
        with path.open("rb") as f:
            data = f.read(MAX_ENTRY + _CHECK + 1)
    except OSError:
        return None
    if len(data) < _CHECK or len(data) > MAX_ENTRY + _CHECK:
        return None
    digest, body = data[:_CHECK], data[_CHECK:]
    return body if hashlib.sha256(body).digest() == digest else None


def write_entry(kind: str, key: str, body: bytes) -> None:
    """Store ``body`` atomically (a temporary file renamed into place); failures are ignored."""
    d = cache_dir()
    if d is None or len(body) > MAX_ENTRY:
        return
    try:
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", dir=d)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(hashlib.sha256(body).digest() + body)
            os.replace(tmp, d / f"{kind}-{key}")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return
