"""The repository's ``.signoff/config.toml``, read as data (never executed), with clear errors."""

from __future__ import annotations

import errno
import tomllib
from pathlib import Path
from typing import Any

from signoff.errors import UsageError
from signoff.util import tomlsafe
from signoff.util.files import read_regular

CONFIG_PATH = Path(".signoff") / "config.toml"
#: A config larger than this is refused (the repository is untrusted).
MAX_CONFIG_BYTES = 1 << 20


def load_repo_config(root: Path) -> dict[str, Any]:
    """The parsed config of the repository at ``root``; ``{}`` when there is none.

    A syntax error raises :class:`UsageError` naming the file, line and column.
    """
    path = root / CONFIG_PATH
    try:
        if path.is_symlink():
            raise UsageError(f"{CONFIG_PATH} is a symbolic link: refusing to follow it")
        data = read_regular(path, MAX_CONFIG_BYTES, follow_symlinks=False)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            raise UsageError(f"{CONFIG_PATH} is larger than {MAX_CONFIG_BYTES} bytes") from None
        raise UsageError(f"cannot read {CONFIG_PATH}: {exc.strerror}") from None
    return parse_config(data, str(CONFIG_PATH))


def parse_config(data: bytes, where: str) -> dict[str, Any]:
    """Parse config bytes (from the work tree or a commit); errors name ``where``, line and column."""
    if len(data) > MAX_CONFIG_BYTES:
        raise UsageError(f"{where} is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        return tomlsafe.loads(data.decode("utf-8"))
    except tomlsafe.TooDeep as exc:
        raise UsageError(f"{where}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{where}: {exc}") from exc


def section(config: dict[str, Any], name: str) -> dict[str, Any]:
    """A table of the config; a non-table value is an error naming the key."""
    value = config.get(name, {})
    if not isinstance(value, dict):
        raise UsageError(f"{CONFIG_PATH}: [{name}] must be a table")
    return value
