"""Where trust and policy come from: the tip of the target branch, never anything a change can choose.

The *target* is the branch a change is meant to land on: ``--target REF``, else ``signoff.target`` from
the global/system git config (never the repository's), else ``origin/HEAD``, ``origin/main``,
``origin/master`` (the protected branch as the server has it), and only in a clone without those, the
local ``main`` / ``master``. Nothing is read from the work tree or from the change's ``.signoff/config.toml``.

At the target's tip commit, :func:`load_trust_root` reads (one ``ls-tree``, one ``cat-file --batch``):
``.signoff/allowed_signers`` (SSH keys), ``.signoff/openpgp_signers`` with ``.signoff/keys/*.asc``
(pinned OpenPGP keys), ``.signoff/config.toml`` (policy) and ``.signoff/checklists/*.toml`` (the
questions and severities a change is judged by).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from signoff.config import parse_config
from signoff.errors import UsageError
from signoff.git.objects import read_objects
from signoff.git.runner import Git
from signoff.signing.allowed_signers import AllowedSigners
from signoff.signing.pins import OpenPgpPins
from signoff.signing.sign import trusted_config
from signoff.signing.verify import Verifier

ALLOWED_SIGNERS = ".signoff/allowed_signers"
OPENPGP_SIGNERS = ".signoff/openpgp_signers"
CONFIG = ".signoff/config.toml"
KEYS_DIR = ".signoff/keys/"
CHECKLISTS_DIR = ".signoff/checklists/"
#: Trust files larger than this are refused (the repository is untrusted).
MAX_TRUST_FILE = 1 << 20
MAX_DIR_FILES = 256
_DEFAULT_REFS = ("origin/main", "origin/master")
_LOCAL_REFS = ("main", "master")


@dataclass(frozen=True)
class Target:
    """The branch a change lands on: the name given, its tip commit, and how it was chosen."""

    ref: str
    commit: str
    how: str


def resolve_gate_target(git: Git, given: str | None = None) -> Target:
    """The target branch (see the module doc); a :class:`UsageError` when none can be found."""
    if given:
        return Target(given, git.rev_parse(given), "--target")
    configured = trusted_config(git, "signoff.target")
    if configured:
        return Target(configured, git.rev_parse(configured), "git config signoff.target")
    code, out = git.try_run(["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"])
    name = out.decode("utf-8", "surrogateescape").strip() if code == 0 else ""
    if name and git.ref_exists(f"refs/remotes/{name}"):
        return Target(name, git.rev_parse(f"refs/remotes/{name}"), "origin/HEAD")
    for name in _DEFAULT_REFS:
        if git.ref_exists(f"refs/remotes/{name}"):
            return Target(name, git.rev_parse(f"refs/remotes/{name}"), "remote-tracking branch")
    for name in _LOCAL_REFS:
        if git.ref_exists(f"refs/heads/{name}"):
            return Target(name, git.rev_parse(f"refs/heads/{name}"), "local branch (no origin/HEAD)")
    raise UsageError(
        "cannot tell which branch this change targets: pass --target REF "
        "(or set signoff.target in your global git config)"
    )


@dataclass
class TrustRoot:
    """Trust and policy files at one commit (``None``: the file is absent there)."""

    label: str
    commit: str
    allowed_signers: bytes | None = None
    openpgp_signers: bytes | None = None
    openpgp_keys: list[tuple[str, bytes]] = field(default_factory=list)
    config_bytes: bytes | None = None
    checklists: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def config(self) -> dict[str, Any]:
        if self.config_bytes is None:
            return {}
        return parse_config(self.config_bytes, f"{CONFIG} at {self.label}")

    def source(self, path: str) -> str:
        """How output names a file of this root, e.g. ``.signoff/allowed_signers at main (0123456789ab)``."""
        return f"{path} at {self.label} ({self.commit[:12]})"


def load_trust_root(git: Git, commit: str, label: str) -> TrustRoot:
    """Read the trust and policy files of ``commit`` (a commit id); symlinks, oversized files refused."""
    root = TrustRoot(label, commit)
    raw = git.run(["ls-tree", "-r", "-z", "--full-tree", "-l", "--end-of-options", commit, "--", ".signoff"])
    wanted: dict[str, str] = {}
    for entry in raw.split(b"\0"):
        if not entry:
            continue
        meta, _, path_b = entry.partition(b"\t")
        parts = meta.split()
        path = path_b.decode("utf-8", "surrogateescape")
        if len(parts) != 4 or parts[1] != b"blob" or not _trusted_path(path):
            continue
        if parts[0] not in (b"100644", b"100755"):
            root.problems.append(f"{path} at {label} is not a regular file: ignored")
            continue
        if parts[3] != b"-" and int(parts[3]) > MAX_TRUST_FILE:
            root.problems.append(f"{path} at {label} is larger than {MAX_TRUST_FILE} bytes: ignored")
            continue
        wanted[path] = parts[2].decode()
    objects = read_objects(git, list(wanted.values()))
    for path, oid in sorted(wanted.items()):
        got = objects.get(oid)
        if got is None:
            root.problems.append(f"{path} at {label} is missing from this clone")
            continue
        data = got[2]
        if path == ALLOWED_SIGNERS:
            root.allowed_signers = data
        elif path == OPENPGP_SIGNERS:
            root.openpgp_signers = data
        elif path == CONFIG:
            root.config_bytes = data
        elif path.startswith(KEYS_DIR):
            root.openpgp_keys.append((path, data))
        else:
            root.checklists.append((path, data))
    for name, items in (("keys", root.openpgp_keys), ("checklists", root.checklists)):
        if len(items) > MAX_DIR_FILES:
            root.problems.append(f".signoff/{name}/ at {label} has more than {MAX_DIR_FILES} files: ignored")
            items.clear()
    return root


def root_verifier(
    git: Git,
    root: TrustRoot,
    *,
    at: datetime | None = None,
    allow_non_ascii: bool = False,
    allowed_signers: Path | None = None,
) -> Verifier:
    """A :class:`Verifier` trusting exactly the root's SSH signers and pinned OpenPGP keys.

    ``allowed_signers`` (a file the caller chose, e.g. ``--allowed-signers``) replaces the root's SSH
    signers. The root's file is written to a private temporary file for ``ssh-keygen`` (security keys).
    """
    base = Verifier.for_repo(git, allowed_signers=allowed_signers)
    pins = OpenPgpPins.parse(root.openpgp_signers, root.openpgp_keys, root.source(OPENPGP_SIGNERS))
    common: dict[str, Any] = {
        "gpg_program": base.gpg_program,
        "ssh_program": base.ssh_program,
        "openpgp": pins,
        "at": at,
        "allow_non_ascii": allow_non_ascii,
    }
    if allowed_signers is not None:
        return Verifier(
            base.allowed, allowed_path=base.allowed_path, trust_source=str(allowed_signers), **common
        )
    if root.allowed_signers is None:
        return Verifier(
            AllowedSigners(), trust_source=f"none (no {ALLOWED_SIGNERS} at {root.label})", **common
        )
    tmp = tempfile.TemporaryDirectory(prefix="signoff-trust-")
    path = Path(tmp.name) / "allowed_signers"
    path.write_bytes(root.allowed_signers)
    allowed = AllowedSigners.parse(
        root.allowed_signers.decode("utf-8", "replace"), root.source(ALLOWED_SIGNERS), path
    )
    verifier = Verifier(allowed, allowed_path=path, trust_source=root.source(ALLOWED_SIGNERS), **common)
    verifier._tmp = tmp  # type: ignore[attr-defined]  # removed with the verifier
    return verifier


def _trusted_path(path: str) -> bool:
    if path in (ALLOWED_SIGNERS, OPENPGP_SIGNERS, CONFIG):
        return True
    for prefix, suffix in ((KEYS_DIR, ".asc"), (CHECKLISTS_DIR, ".toml")):
        if path.startswith(prefix) and path.endswith(suffix) and "/" not in path[len(prefix) :]:
            return True
    return False
