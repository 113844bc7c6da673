"""Bulk object reads: blobs and trees in one ``git cat-file --batch``, content keys of blobs."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from signoff.errors import GitCommandError
from signoff.git.runner import Git

SIGNOFF_DIR = ".signoff"
REVIEWS_NAME = "reviews"


def read_objects(git: Git, objects: list[str]) -> dict[str, tuple[str, bytes, bytes]]:
    """``obj -> (oid, type, body)`` for each object expression, in one ``git cat-file --batch`` call."""
    if not objects:
        return {}
    data = git.run(["cat-file", "--batch", "-z"], input=b"".join(o.encode() + b"\0" for o in objects))
    out: dict[str, tuple[str, bytes, bytes]] = {}
    pos = 0
    for obj in objects:
        nl = data.index(b"\n", pos)
        header = data[pos:nl].split()
        pos = nl + 1
        if len(header) != 3:
            continue  # "<obj> missing" / "ambiguous"
        size = int(header[2])
        out[obj] = (header[0].decode(), header[1], data[pos : pos + size])
        pos += size + 1
    return out


_MISSING_RE = re.compile(
    r"unable to read (?:tree )?([0-9a-f]{40,64})|missing (?:blob|tree) ([0-9a-f]{40,64})"
    r"|invalid object \d+ ([0-9a-f]{40,64})|Not a valid object name ([0-9a-f]{40,64})"
)


def missing_object_in(exc: GitCommandError) -> str | None:
    """The id of the object whose absence made git fail (a partial clone), or ``None`` for other errors."""
    m = _MISSING_RE.search(exc.stderr or exc.message)
    return next((g for g in m.groups() if g), None) if m else None


def path_of_object(git: Git, commit: str, oid: str) -> str:
    """The path under which ``commit``'s tree holds ``oid`` (``?`` if not found). Reads what it can: a
    missing subtree ends the listing, but the entry naming it has been printed by then."""
    _, out = git.try_run(["ls-tree", "-r", "-t", "-z", "--full-tree", commit])
    for entry in out.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        if meta.endswith(oid.encode()):
            return os.fsdecode(path)
    return "?"


def object_sizes(git: Git, objects: list[str]) -> dict[str, int]:
    """``obj -> size`` of each object that exists (missing ones are left out), one ``--batch-check`` call."""
    if not objects:
        return {}
    data = git.run(
        ["cat-file", "--batch-check=%(objectsize)", "-z"], input=b"".join(o.encode() + b"\0" for o in objects)
    )
    out: dict[str, int] = {}
    for obj, line in zip(objects, data.split(b"\n"), strict=False):
        if line.isdigit():
            out[obj] = int(line)
    return out


def content_keys(git: Git, objects: Iterable[str]) -> dict[str, str]:
    """Map each tree (or ``<rev>^{tree}`` expression) to its content key: its id without ``.signoff/reviews``.

    Two trees with the same key differ only in review records. Changes to anything else under
    ``.signoff/`` (``allowed_signers``, ``config.toml``, checklists) change the key: they decide what a
    review means, so they need a review themselves. Reads the root trees in one ``git cat-file --batch``
    call and the few ``.signoff`` subtrees in a second one; only trees holding records are re-hashed.
    Missing objects are left out. For an expression that is not a plain tree id, ``"<expr>#tree"`` maps
    to its tree id.
    """
    wanted = list(dict.fromkeys(o for o in objects if o))
    roots = read_objects(git, wanted)
    subtree_of: dict[str, tuple[int, int, bool, str]] = {}
    for oid, kind, body in roots.values():
        if kind == b"tree" and oid not in subtree_of:
            entry = _find_entry(body, SIGNOFF_DIR.encode(), len(oid) // 2)
            if entry is not None and entry[2]:
                subtree_of[oid] = entry
    subs = read_objects(git, sorted({e[3] for e in subtree_of.values()}))
    out: dict[str, str] = {}
    for obj, (oid, kind, body) in roots.items():
        if kind != b"tree":
            continue
        key = oid
        entry = subtree_of.get(oid)
        if entry is not None and entry[3] in subs:
            start, end, _, sub_oid = entry
            sub_body = subs[sub_oid][2]
            width = len(oid) // 2
            hit = _find_entry(sub_body, REVIEWS_NAME.encode(), width)
            if hit is not None:
                sub_rest = sub_body[: hit[0]] + sub_body[hit[1] :]
                if sub_rest:
                    new_sub = bytes.fromhex(_tree_id(sub_rest, width))
                    stripped = body[: end - width] + new_sub + body[end:]
                else:
                    stripped = body[:start] + body[end:]
                key = _tree_id(stripped, width)
        out[obj] = out[oid] = key
        if obj != oid:
            out[f"{obj}#tree"] = oid
    return out


def _tree_id(body: bytes, width: int) -> str:
    algo = hashlib.sha1 if width == 20 else hashlib.sha256
    return algo(b"tree %d\0" % len(body) + body).hexdigest()


def _find_entry(body: bytes, name: bytes, width: int) -> tuple[int, int, bool, str] | None:
    """``(start, end, is_tree, oid)`` of the entry called ``name`` in a raw tree, or ``None``."""
    if b" " + name + b"\0" not in body:
        return None
    pos = 0
    while pos < len(body):
        nul = body.index(b"\0", pos)
        mode, _, entry_name = body[pos:nul].partition(b" ")
        end = nul + 1 + width
        if entry_name == name:
            return pos, end, mode == b"40000", body[nul + 1 : end].hex()
        pos = end
    return None


def tree_of(git: Git, revs: Iterable[str]) -> dict[str, str]:
    """Tree ids of commits (one ``git cat-file --batch-check`` call); unknown revisions are left out."""
    wanted = list(dict.fromkeys(r for r in revs if r))
    if not wanted:
        return {}
    data = git.run(
        ["cat-file", "--batch-check", "-z"], input=b"".join(f"{r}^{{tree}}".encode() + b"\0" for r in wanted)
    )
    out: dict[str, str] = {}
    for rev, line in zip(wanted, data.decode("utf-8", "replace").splitlines(), strict=False):
        parts = line.split()
        if len(parts) == 3 and parts[1] == "tree":
            out[rev] = parts[0]
    return out


def blobs_at(git: Git, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """Object id of ``path`` in ``tree`` for each pair (``None`` when absent), in one batch call.

    ``tree`` may be any tree-ish (a commit id works too).
    """
    # A path holding a newline cannot be told apart in the "<input> missing" lines: left out.
    wanted = [pair for pair in dict.fromkeys(pairs) if "\n" not in pair[1]]
    if not wanted:
        return {}
    payload = b"".join(f"{t}:{p}".encode("utf-8", "surrogateescape") + b"\0" for t, p in wanted)
    data = git.run(["cat-file", "--batch-check=%(objectname) %(objecttype)", "-z"], input=payload)
    out: dict[tuple[str, str], str | None] = {}
    lines = data.split(b"\n")
    for pair, line in zip(wanted, lines, strict=False):
        parts = line.split()
        out[pair] = parts[0].decode() if len(parts) == 2 and parts[1] != b"missing" else None
    return out


def blob_id(data: bytes, object_format: str) -> str:
    """The object id git gives ``data`` as a blob, in a repository of ``object_format`` (sha1 / sha256)."""
    algo = hashlib.sha256 if object_format == "sha256" else hashlib.sha1
    return algo(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def scratch_index_tree(git: Git, *, worktree: bool = False, untracked: bool = False) -> str:
    """Tree id of the index (or, with ``worktree``, of the work tree) via a scratch copy of the index.

    The repository's index is never written; only tree and blob objects are added (as ``git stash`` does).
    """
    with tempfile.TemporaryDirectory(prefix="signoff-index-") as tmp:
        scratch = Path(tmp) / "index"
        real = Path(git.git_dir) / "index"
        if real.is_file():
            shutil.copyfile(real, scratch)
        try:
            if worktree:
                git.run(["add", "-A" if untracked else "-u", "--", "."], index_file=scratch)
            out = git.run(["write-tree"], index_file=scratch)
        except GitCommandError as exc:
            raise GitCommandError(
                f"could not compute the {'work tree' if worktree else 'index'} tree: {exc.message}",
                exc.stderr,
                exc.returncode,
            ) from None
        return out.decode().strip()
