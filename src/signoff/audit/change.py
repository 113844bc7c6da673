"""The commits of a change: who wrote and signed them, and which only add review records.

One ``git log`` lists the commits of ``head`` not on the excluded revisions, with author, committer,
tree, parents and the raw list of paths each changes (merges against their first parent); one
``git cat-file --batch`` reads the commits that carry a signature header to learn the signing key (an SSH
key fingerprint, or an OpenPGP issuer fingerprint). The gate uses this to refuse self-approval and to
know which earlier heads differ from the change's head only by added review records.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field

from signoff.audit.coverage import RECORDS_PREFIX, adds_record
from signoff.git.objects import read_objects
from signoff.git.rawlog import RAW_LOG, raw_log
from signoff.git.runner import Git
from signoff.signing.sshsig import SshSigError, parse_signature


@dataclass
class ChangeCommit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: str
    committer: str
    #: Every path it changes is a review record it adds: the commit needs no review, its author is no
    #: author of the change (a reviewer committing their record).
    records_only: bool = True
    #: ``SHA256:…`` (SSH) or upper-case hex (OpenPGP issuer) of the key that signed the commit, if any.
    signing_key: str = ""
    paths: list[str] = field(default_factory=list)
    #: Review records it deletes or edits (records are append-only: such a commit needs review).
    touched_records: list[str] = field(default_factory=list)


def change_commits(git: Git, head: str, exclude: Sequence[str]) -> list[ChangeCommit]:
    """Commits reachable from ``head`` and from none of ``exclude``, newest first."""
    args = [
        *RAW_LOG,
        "--format=%x01%H%x02%T%x02%P%x02%ae%x02%ce",
        "--end-of-options",
        head,
        *(f"^{x}" for x in exclude),
        "--",
    ]
    commits: list[ChangeCommit] = []
    for header, changes in raw_log(git.run(args)):
        f = header.split("\x02")
        if len(f) != 5:
            continue
        c = ChangeCommit(f[0], f[1], tuple(f[2].split()), f[3].lower(), f[4].lower())
        commits.append(c)
        for ch in changes:
            c.paths.append(ch.path)
            if not adds_record(ch):
                c.records_only = False
                if ch.path.startswith(RECORDS_PREFIX):
                    c.touched_records.append(ch.path)
    _signing_keys(git, commits)
    return commits


def head_aliases(commits: list[ChangeCommit], head: str) -> tuple[set[str], set[str]]:
    """Commits (and their trees) that differ from ``head`` only by review records added since.

    Walks the first-parent chain down from ``head`` while the commits only add records.
    """
    by_sha = {c.sha: c for c in commits}
    shas: set[str] = {head}
    trees: set[str] = set()
    c = by_sha.get(head)
    if c is not None:
        trees.add(c.tree)
    while c is not None and c.records_only and c.parents:
        parent = c.parents[0]
        shas.add(parent)
        c = by_sha.get(parent)
        if c is not None:
            trees.add(c.tree)
    return shas, trees


def _signing_keys(git: Git, commits: list[ChangeCommit]) -> None:
    wanted = [c for c in commits if not c.records_only]
    if not wanted:
        return
    objects = read_objects(git, [c.sha for c in wanted])
    for c in wanted:
        got = objects.get(c.sha)
        if got is None:
            continue
        sig = _gpgsig(got[2])
        if sig:
            c.signing_key = signature_key(sig)


def _gpgsig(body: bytes) -> str:
    """The ``gpgsig`` header of a raw commit (continuation lines joined), or ``""``."""
    headers = body.split(b"\n\n", 1)[0].split(b"\n")
    out: list[str] = []
    for line in headers:
        if out and line.startswith(b" "):
            out.append(line[1:].decode("ascii", "replace"))
        elif out:
            break
        elif line.startswith(b"gpgsig ") or line.startswith(b"gpgsig-sha256 "):
            out.append(line.split(b" ", 1)[1].decode("ascii", "replace"))
    return "\n".join(out)


def signature_key(armored: str) -> str:
    """The key that made a commit signature: an SSH fingerprint or an OpenPGP issuer fingerprint."""
    if "BEGIN SSH SIGNATURE" in armored:
        try:
            return parse_signature(armored).public_key.fingerprint
        except SshSigError:
            return ""
    if "BEGIN PGP SIGNATURE" in armored:
        return _pgp_issuer(armored)
    return ""


def _pgp_issuer(armored: str) -> str:
    """The issuer fingerprint subpacket (33) of a v4/v5 OpenPGP signature, upper-case hex."""
    lines = [ln.strip() for ln in armored.splitlines()]
    try:
        start = lines.index("") + 1
    except ValueError:
        return ""
    body = "".join(ln for ln in lines[start:] if ln and not ln.startswith(("=", "-----")))
    try:
        data = base64.b64decode(body)
    except (binascii.Error, ValueError):
        return ""
    pkt = _first_packet(data)
    if len(pkt) < 6 or pkt[0] not in (4, 5):
        return ""
    hashed_len = int.from_bytes(pkt[4:6], "big")
    return _issuer_in(pkt[6 : 6 + hashed_len])


def _first_packet(data: bytes) -> bytes:
    if not data or not data[0] & 0x80:
        return b""
    if data[0] & 0x40:  # new format
        n = data[1]
        if n < 192:
            return data[2 : 2 + n]
        if n < 224 and len(data) > 2:
            return data[3 : 3 + ((n - 192) << 8) + data[2] + 192]
        return data[6 : 6 + int.from_bytes(data[2:6], "big")] if n == 255 else b""
    size = {0: 1, 1: 2, 2: 4}.get(data[0] & 3)
    if size is None:
        return data[1:]
    return data[1 + size : 1 + size + int.from_bytes(data[1 : 1 + size], "big")]


def _issuer_in(sub: bytes) -> str:
    pos = 0
    while pos < len(sub):
        n = sub[pos]
        if n < 192:
            length, pos = n, pos + 1
        elif n < 255:
            length, pos = ((n - 192) << 8) + sub[pos + 1] + 192, pos + 2
        else:
            length, pos = int.from_bytes(sub[pos + 1 : pos + 5], "big"), pos + 5
        kind = sub[pos] & 0x7F if pos < len(sub) else 0
        if kind == 33 and length > 2:
            return sub[pos + 2 : pos + length].hex().upper()
        pos += length
    return ""
