"""Open the current line in the reviewer's editor (``$VISUAL`` / ``$EDITOR``), inside ``App.suspend``.

The editor comes from the environment only: never from the repository's git config (``core.editor``,
``sequence.editor``) or any file the change controls. The file opened is the work-tree file when it is a
regular file (no symlink) holding exactly the reviewed blob; otherwise a read-only copy of the reviewed
blob in a temporary directory, so the reviewer always sees what was reviewed and never edits through a
link the change planted.
"""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import tempfile
from pathlib import Path
from typing import Any

#: Seconds an editor may run when there is no terminal to hand over (headless: tests, never a person).
HEADLESS_TIMEOUT_S = 20
#: Temporary copies live until the app exits.
_COPIES: list[tempfile.TemporaryDirectory] = []


def editor_command() -> list[str] | None:
    """``$VISUAL`` or ``$EDITOR`` split like a shell would (no shell runs), or None."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                argv = shlex.split(value)
            except ValueError:
                continue
            if argv:
                return argv
    return None


def file_to_open(git: Any, path: str, blob: str | None) -> Path:
    """An absolute path showing ``blob`` (the reviewed content of ``path``)."""
    root = Path(git.root).resolve()
    candidate = root / path
    content = git.run(["cat-file", "blob", blob]) if blob and blob.strip("0") else b""
    try:
        st = os.lstat(candidate)
        same = (
            stat.S_ISREG(st.st_mode)
            and candidate.resolve().is_relative_to(root)
            and st.st_size == len(content)
            and candidate.read_bytes() == content
        )
    except (OSError, ValueError):
        same = False
    if same and content:
        return candidate
    tmp = tempfile.TemporaryDirectory(prefix="signoff-view-")
    _COPIES.append(tmp)
    name = Path(path).name.lstrip("-") or "file"
    copy = Path(tmp.name) / name
    copy.write_bytes(content)
    copy.chmod(0o444)
    return copy


def open_in_editor(app: Any, argv: list[str], target: Path, line: int) -> int:
    """Run the editor on ``target`` at ``line`` with the terminal handed over; its exit status."""
    cmd = [*argv, f"+{max(line, 1)}", str(target)]
    if getattr(app, "is_headless", True):
        try:
            done = subprocess.run(cmd, stdin=subprocess.DEVNULL, check=False, timeout=HEADLESS_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return -1
        return done.returncode
    with app.suspend():
        return subprocess.run(cmd, check=False).returncode
