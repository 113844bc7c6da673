"""The review settings in effect for a change: ``.signoff/`` files as committed on the branch it targets.

The change under review is untrusted. If its own ``.signoff/config.toml``, checklist overrides or
findings map were in effect, it could hide itself from its own review (``[diff] max_file_bytes = 1``,
an override whose trigger never fires, ``[ai] min_confidence = "high"``, ``[findings] sarif = []``).
So scan, review, the TUI and the gate read these files as committed at the *tip* of the branch the
change goes into (:attr:`signoff.git.target.ReviewTarget.settings_at`: ``A`` of ``A...B``, the default
or ``--base`` branch; ``HEAD`` for index and work-tree reviews), never at the merge-base, which the
change's author picks by branching from an old commit. Edits to them take effect once merged;
until then the diff shows them first (``security_config``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from signoff.config import CONFIG_PATH, MAX_CONFIG_BYTES, parse_config
from signoff.errors import UsageError
from signoff.git.objects import read_objects
from signoff.git.runner import EMPTY_TREE, Git

CHECKLISTS_DIR = ".signoff/checklists"
FINDINGS_MAP = ".signoff/findings-map.toml"
#: Largest settings file read from a commit (same bound as the config).
MAX_SETTINGS_BYTES = MAX_CONFIG_BYTES
#: At most this many checklist override files are read.
MAX_OVERRIDE_FILES = 200


@dataclass(frozen=True)
class TargetSettings:
    """``.signoff/`` settings as committed at ``rev`` (``None``: no commit, e.g. a root change)."""

    rev: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    #: ``.signoff/checklists/*.toml`` as ``(path, bytes)``, sorted by path.
    checklist_overrides: list[tuple[str, bytes]] = field(default_factory=list)
    #: ``.signoff/findings-map.toml``, when committed.
    findings_map: bytes | None = None


def target_settings(git: Git, rev: str) -> TargetSettings:
    """The settings committed at ``rev`` (one ``ls-tree`` and one ``cat-file --batch``).

    Only regular files count (a symlink in the tree is not followed); a file over
    :data:`MAX_SETTINGS_BYTES` or a config that does not parse raises :class:`UsageError`.
    """
    if rev == EMPTY_TREE:
        return TargetSettings()
    config_path = CONFIG_PATH.as_posix()
    listing = git.run(
        [
            "ls-tree",
            "-l",
            "-z",
            "--end-of-options",
            rev,
            "--",
            config_path,
            FINDINGS_MAP,
            CHECKLISTS_DIR + "/",
        ]
    )
    wanted: list[str] = []
    for entry in listing.split(b"\0"):
        meta, _, raw_path = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) != 4 or parts[0] not in (b"100644", b"100755"):
            continue
        path = raw_path.decode("utf-8", "replace")
        if path not in (config_path, FINDINGS_MAP) and not _is_override(path):
            continue
        if parts[3].isdigit() and int(parts[3]) > MAX_SETTINGS_BYTES:
            raise UsageError(f"{path} at {rev[:12]} is larger than {MAX_SETTINGS_BYTES} bytes")
        wanted.append(path)
    overrides = sorted(p for p in wanted if _is_override(p))
    if len(overrides) > MAX_OVERRIDE_FILES:
        raise UsageError(f"{CHECKLISTS_DIR} at {rev[:12]} holds more than {MAX_OVERRIDE_FILES} files")
    specs = {p: f"{rev}:{p}" for p in wanted}
    blobs = read_objects(git, list(specs.values()))

    def body(path: str) -> bytes | None:
        got = blobs.get(specs[path]) if path in specs else None
        return got[2] if got is not None and got[1] == b"blob" else None

    config_bytes = body(config_path)
    config = parse_config(config_bytes, f"{config_path} at {rev[:12]}") if config_bytes is not None else {}
    files = [(p, b) for p in overrides if (b := body(p)) is not None]
    return TargetSettings(rev, config, files, body(FINDINGS_MAP))


def _is_override(path: str) -> bool:
    p = PurePosixPath(path)
    return str(p.parent) == CHECKLISTS_DIR and p.suffix == ".toml"
