"""OpenPGP keys pinned in the repository: which key may sign for which principal.

``.signoff/openpgp_signers`` holds ``principal FINGERPRINT`` lines (``#`` comments); the public keys are
armored files under ``.signoff/keys/*.asc``. A record signed with OpenPGP is checked by ``gpgv`` against a
keyring built only from those keys, in an empty temporary home, so nothing in the keyring of whoever runs
signoff counts; the key's primary fingerprint must be pinned for the record's ``reviewer.email``.
"""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

_FPR = re.compile(r"^(?:[0-9A-F]{40}|[0-9A-F]{64})$")
_BEGIN = re.compile(r"^-----BEGIN PGP PUBLIC KEY BLOCK-----\s*$")
_END = re.compile(r"^-----END PGP PUBLIC KEY BLOCK-----\s*$")


@dataclass
class OpenPgpPins:
    """Pinned fingerprints (upper-case hex) and their principals, and the pinned keys' binary packets."""

    principals: dict[str, list[str]] = field(default_factory=dict)
    keys: bytes = b""
    source: str = ""
    errors: list[str] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, signers: bytes | None, keys: list[tuple[str, bytes]], source: str) -> OpenPgpPins:
        pins = cls(source=source)
        text = (signers or b"").decode("utf-8", "replace")
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            fpr = "".join(parts[1:]).upper() if len(parts) >= 2 else ""
            if len(parts) < 2 or not _FPR.match(fpr):
                pins.errors.append(f"{source}:{n}: expected 'principal FINGERPRINT'")
                continue
            pins.principals.setdefault(fpr, []).append(parts[0])
        chunks = []
        for path, data in keys:
            try:
                chunks.append(dearmor(data))
            except ValueError as exc:
                pins.errors.append(f"{path}: {exc}")
        pins.keys = b"".join(chunks)
        return pins

    def allows(self, fingerprint: str, principal: str) -> bool:
        return principal in self.principals.get(fingerprint.upper(), ())

    def keyring(self) -> tuple[Path, Path]:
        """``(empty home, keyring file)`` for ``gpgv``, made once in a private temporary directory."""
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(
                prefix="sgpin", dir="/tmp" if Path("/tmp").is_dir() else None
            )
            home = Path(self._tmp.name) / "h"
            home.mkdir(mode=0o700)
            (Path(self._tmp.name) / "pinned.gpg").write_bytes(self.keys)
        base = Path(self._tmp.name)
        return base / "h", base / "pinned.gpg"


def dearmor(data: bytes) -> bytes:
    """The binary packets of ASCII-armored public key block(s) (what ``gpg --dearmor`` writes)."""
    text = data.decode("ascii", "replace")
    out = []
    lines = text.splitlines()
    i = 0
    found = False
    while i < len(lines):
        if not _BEGIN.match(lines[i]):
            i += 1
            continue
        found = True
        i += 1
        while i < len(lines) and lines[i].strip() and ":" in lines[i]:
            i += 1  # armor headers
        body = []
        while i < len(lines) and not _END.match(lines[i]):
            line = lines[i].strip()
            if line and not line.startswith("="):
                body.append(line)
            i += 1
        try:
            out.append(base64.b64decode("".join(body), validate=True))
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"not a valid armored public key: {exc}") from None
        i += 1
    if not found:
        raise ValueError("no 'BEGIN PGP PUBLIC KEY BLOCK' armor")
    return b"".join(out)
