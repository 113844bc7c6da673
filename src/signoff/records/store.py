"""Where review records and drafts live; atomic, never-overwriting writes; listing.

Records: ``<repo>/.signoff/reviews/YYYY/MM/<head12>-<reviewer-slug>-<YYYYMMDDTHHMMSSZ>.toml`` (committed).
Drafts: ``<git common dir>/signoff/drafts/<sha256(key)[:24]>.toml`` (plain TOML, never committed).
File names are built from hashes, times and sanitised slugs, never from raw input.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

import tomlkit

from signoff.records.codec import dumps
from signoff.records.model import ReviewRecord
from signoff.util.atomic import make_dirs_within, write_atomic, write_new

REVIEWS_DIR = Path(".signoff") / "reviews"
DRAFTS_DIR = Path("signoff") / "drafts"


# -- records ---------------------------------------------------------------------------------------------


def slug(text: str, limit: int = 32) -> str:
    """``[a-z0-9-]`` only, at most ``limit`` characters; ``reviewer`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return s[:limit].strip("-") or "reviewer"


def record_name(record: ReviewRecord) -> Path:
    """Relative path of a record inside the repository."""
    finished = record.review.finished  # validated: YYYY-MM-DDTHH:MM:SSZ
    year, month = finished[0:4], finished[5:7]
    stamp = finished.replace("-", "").replace(":", "")
    subject = record.subject
    head = subject.head or subject.worktree_tree or subject.index_tree or "unborn"
    who = slug(record.reviewer.email.split("@")[0] or record.reviewer.name)
    return REVIEWS_DIR / year / month / f"{head[:12]}-{who}-{stamp}.toml"


def write_record(root: str | Path, record: ReviewRecord) -> Path:
    """Write a record under ``root`` atomically; never overwrite (a ``-2``, ``-3``… suffix is added)."""
    rel = record_name(record)
    target = Path(root) / rel
    data = dumps(record).encode("utf-8")
    make_dirs_within(root, target.parent)
    for n in range(1, 1000):
        candidate = target if n == 1 else target.with_name(f"{target.stem}-{n}{target.suffix}")
        if write_new(candidate, data):
            return candidate
    raise FileExistsError(f"too many records named {target}")


#: At most this many records are read from a work tree (the newest, by path); the rest get one status line.
MAX_RECORDS = 50_000


def list_records(root: str | Path) -> list[Path]:
    """All record files under ``root/.signoff/reviews`` (sorted like paths; temp files skipped).

    Like ``rglob("*.toml")`` (symlinked directories are not entered), with ``os.scandir`` so that no
    file needs a ``stat`` call of its own. Entries that are not regular files (symlinks, FIFOs, devices)
    are listed too: reading them is refused, so each gets its own status line instead of vanishing.
    """
    base = Path(root) / REVIEWS_DIR
    if not base.is_dir():
        return []
    found: list[str] = []
    _scan_records(str(base), found)
    start = len(str(base)) + 1
    found.sort(key=lambda p: p[start:].split(os.sep))
    return [Path(p) for p in found]


def cap_records(paths: list[Path]) -> tuple[list[Path], int]:
    """The newest :data:`MAX_RECORDS` of ``paths`` (sorted oldest first, as ``YYYY/MM/...`` sorts) and the
    number left out."""
    if len(paths) <= MAX_RECORDS:
        return paths, 0
    return paths[-MAX_RECORDS:], len(paths) - MAX_RECORDS


def too_many_message(skipped: int) -> str:
    return f"{skipped} older records not read: more than {MAX_RECORDS} records under {REVIEWS_DIR}"


def _scan_records(directory: str, found: list[str]) -> None:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for e in entries:
        try:
            is_dir = e.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_dir:
            _scan_records(e.path, found)
        elif e.name.endswith(".toml") and not e.name.startswith("."):
            found.append(e.path)


# -- drafts ------------------------------------------------------------------------------------------------


def _common_dir(where: Any) -> Path:
    """Accept a :class:`~signoff.git.runner.Git` or a git common dir path."""
    return Path(getattr(where, "common_dir", where))


def draft_path(where: Any, key: str) -> Path:
    """The draft file for a review target key (``ReviewTarget.key``)."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return _common_dir(where) / DRAFTS_DIR / f"{digest}.toml"


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [_drop_none(v) for v in items if v is not None]
    return value


def save_draft(where: Any, key: str, data: dict[str, Any]) -> Path:
    """Save ``data`` (plain TOML-able values; ``None`` entries are dropped) as the draft for ``key``."""
    path = draft_path(where, key)
    make_dirs_within(_common_dir(where), path.parent)
    doc = {"draft_key": key, **_drop_none(data)}
    write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))
    return path


def load_draft(where: Any, key: str) -> dict[str, Any] | None:
    """The draft saved for ``key``, or None (also when unreadable or saved for another key)."""
    path = draft_path(where, key)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if data.pop("draft_key", None) != key:
        return None
    return data


def delete_draft(where: Any, key: str) -> None:
    draft_path(where, key).unlink(missing_ok=True)


def list_drafts(where: Any) -> list[Path]:
    base = _common_dir(where) / DRAFTS_DIR
    return sorted(base.glob("*.toml")) if base.is_dir() else []
