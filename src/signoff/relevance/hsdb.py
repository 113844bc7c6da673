"""Hyperscan multi-pattern databases: compile once per set of patterns, cache on disk by content hash.

Patterns run in prefilter mode (a superset of matches, which Python's ``re`` or RE2 then confirms) and
multi-line mode over the side's text. The database for a set of patterns is stored in the user cache
directory under a hash of the patterns, the flags and the Hyperscan version; a missing or corrupt entry
is recompiled. Patterns Hyperscan cannot compile even as a prefilter are reported back to the caller,
which scans them with the pattern's own engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from signoff.util.cache import key_of, read_entry, write_entry

_hs: Any
try:  # the wheel bundles the library; platforms without it use the pure-re route
    import hyperscan as _hs
except ImportError:  # pragma: no cover - depends on the platform
    _hs = None

AVAILABLE = _hs is not None
_CACHE_KIND = "hsdb"


@dataclass
class HsDatabase:
    """A compiled database, its scratch space, and the pattern ids it could not take."""

    db: Any
    scratch: Any
    rejected: frozenset[int]

    def scan(self, data: bytes) -> list[tuple[int, int]]:
        """(pattern id, end offset) of every prefilter match in ``data``."""
        out: list[tuple[int, int]] = []
        add = out.append

        def on_match(pid: int, _start: int, end: int, _flags: int, _ctx: Any) -> None:
            add((pid, end))

        if self.db is not None:
            self.db.scan(data, match_event_handler=on_match, scratch=self.scratch)
        return out


_MEMORY: dict[str, HsDatabase] = {}


def _flags(single: bool = False) -> int:
    """Prefilter, multi-line; ``single``: report only the first match of each pattern."""
    assert _hs is not None
    flags = _hs.HS_FLAG_PREFILTER | _hs.HS_FLAG_MULTILINE | _hs.HS_FLAG_ALLOWEMPTY
    return int(flags | (_hs.HS_FLAG_SINGLEMATCH if single else 0))


def _accepts(source: bytes, pid: int, flags: int) -> bool:
    assert _hs is not None
    db = _hs.Database()
    try:
        db.compile(expressions=[source], ids=[pid], elements=1, flags=[flags])
    except Exception:
        return False
    return True


def _compile(patterns: Sequence[tuple[int, str]], flags: int) -> tuple[Any, frozenset[int]]:
    assert _hs is not None
    sources = [(pid, src.encode("utf-8")) for pid, src in patterns]
    rejected: set[int] = set()
    while True:
        keep = [(pid, s) for pid, s in sources if pid not in rejected]
        if not keep:
            return None, frozenset(rejected)
        db = _hs.Database()
        try:
            db.compile(
                expressions=[s for _, s in keep],
                ids=[pid for pid, _ in keep],
                elements=len(keep),
                flags=[flags] * len(keep),
            )
            return db, frozenset(rejected)
        except Exception:
            # Find the patterns it refuses one by one (rare: only a few shipped patterns need it).
            bad = {pid for pid, s in keep if not _accepts(s, pid, flags)}
            if not bad:
                raise
            rejected |= bad


def database(patterns: Sequence[tuple[int, str]], *, single_match: bool = False) -> HsDatabase:
    """The database for ``patterns`` ((id, regex) pairs): from memory, the disk cache, or compiled.
    ``single_match``: each pattern reports its first match only (enough to know whether it matches)."""
    assert _hs is not None
    flags = _flags(single_match)
    key = key_of(
        str(getattr(_hs, "__version__", "")), str(flags), *(f"{pid}\0{src}" for pid, src in patterns)
    )
    got = _MEMORY.get(key)
    if got is not None:
        return got
    db = None
    rejected: frozenset[int] = frozenset()
    blob = read_entry(_CACHE_KIND, key)
    if blob is not None and b"\n" in blob:
        head, body = blob.split(b"\n", 1)
        try:
            rejected = frozenset(int(x) for x in head.split(b",") if x)
            db = _hs.loadb(body, _hs.HS_MODE_BLOCK) if body else None
        except Exception:
            db, blob = None, None
    if blob is None:
        db, rejected = _compile(patterns, flags)
        head = ",".join(str(r) for r in sorted(rejected)).encode()
        write_entry(_CACHE_KIND, key, head + b"\n" + (_hs.dumpb(db) if db is not None else b""))
    result = HsDatabase(db, _hs.Scratch(db) if db is not None else None, rejected)
    _MEMORY[key] = result
    return result
