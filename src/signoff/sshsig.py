"""SSH signatures (OpenSSH ``PROTOCOL.sshsig``) verified in-process, and ``allowed_signers`` trust files.

Supported: ``ssh-ed25519``, ``ecdsa-sha2-nistp256/384/521``, ``ssh-rsa`` keys with ``rsa-sha2-256/512``
signatures. Security-key (``sk-*``) signatures and certificates are reported as
:class:`UnsupportedKey`; callers fall back to ``ssh-keygen -Y verify`` for those.

An SSHSIG holds no time: callers pass the signing time recorded in the signed payload to
:meth:`AllowedSigners.find`, which checks ``valid-after`` / ``valid-before`` against it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MAGIC = b"SSHSIG"
BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"
ARMOR_WIDTH = 70  # what ssh-keygen writes

_ECDSA = {
    "ecdsa-sha2-nistp256": (b"nistp256", ec.SECP256R1, hashes.SHA256),
    "ecdsa-sha2-nistp384": (b"nistp384", ec.SECP384R1, hashes.SHA384),
    "ecdsa-sha2-nistp521": (b"nistp521", ec.SECP521R1, hashes.SHA512),
}
_RSA_SIG = {"rsa-sha2-256": hashes.SHA256, "rsa-sha2-512": hashes.SHA512}
_HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}
SUPPORTED_KEY_TYPES = frozenset({"ssh-ed25519", "ssh-rsa", *_ECDSA})
_KEY_PREFIXES = ("ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-")


class SshSigError(Exception):
    """A signature or key that cannot be parsed (malformed input)."""


class BadSignature(Exception):
    """A well-formed signature that does not verify."""


class UnsupportedKey(SshSigError):
    """A key type this module does not verify itself (security keys, certificates)."""


# -- wire format ---------------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def u32(self) -> int:
        if self.pos + 4 > len(self.data):
            raise SshSigError("truncated data")
        (n,) = struct.unpack_from(">I", self.data, self.pos)
        self.pos += 4
        return n

    def string(self) -> bytes:
        n = self.u32()
        if self.pos + n > len(self.data):
            raise SshSigError("truncated data")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def mpint(self) -> int:
        raw = self.string()
        if raw and raw[0] & 0x80:
            raise SshSigError("negative mpint")
        return int.from_bytes(raw, "big")

    def done(self) -> None:
        if self.pos != len(self.data):
            raise SshSigError("trailing bytes")


def _string(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


# -- public keys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    """An SSH public key as its wire blob."""

    blob: bytes

    @cached_property
    def keytype(self) -> str:
        return _Reader(self.blob).string().decode("ascii", "replace")

    @cached_property
    def fingerprint(self) -> str:
        """``SHA256:…`` as ``ssh-keygen -l`` prints it."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode().rstrip("=")
        return f"SHA256:{digest}"

    def openssh(self) -> str:
        """``keytype base64`` (an authorized_keys / allowed_signers key field)."""
        return f"{self.keytype} {base64.b64encode(self.blob).decode()}"

    @property
    def is_certificate(self) -> bool:
        return self.keytype.endswith("-cert-v01@openssh.com")

    @cached_property
    def _key(self):
        r = _Reader(self.blob)
        kt = r.string().decode("ascii", "replace")
        if kt == "ssh-ed25519":
            raw = r.string()
            r.done()
            if len(raw) != 32:
                raise SshSigError("bad ed25519 key length")
            return Ed25519PublicKey.from_public_bytes(raw)
        if kt in _ECDSA:
            curve_name, curve, _ = _ECDSA[kt]
            if r.string() != curve_name:
                raise SshSigError("ecdsa curve does not match key type")
            point = r.string()
            r.done()
            try:
                return ec.EllipticCurvePublicKey.from_encoded_point(curve(), point)
            except ValueError as exc:
                raise SshSigError(f"bad ecdsa point: {exc}") from exc
        if kt == "ssh-rsa":
            e, n = r.mpint(), r.mpint()
            r.done()
            if n.bit_length() < 1024:
                raise SshSigError("RSA key shorter than 1024 bits")
            return rsa.RSAPublicNumbers(e, n).public_key()
        raise UnsupportedKey(f"key type {kt} is not verified in-process")

    def check(self) -> None:
        """Raise :class:`SshSigError` / :class:`UnsupportedKey` unless the key is usable here."""
        self._key  # noqa: B018

    def verify_raw(self, sig_type: str, sig: bytes, data: bytes) -> None:
        """Verify an SSH signature blob's contents over ``data``; raise :class:`BadSignature`."""
        key = self._key
        kt = self.keytype
        try:
            if kt == "ssh-ed25519":
                if sig_type != "ssh-ed25519":
                    raise BadSignature(f"signature type {sig_type} for an {kt} key")
                key.verify(sig, data)
            elif kt in _ECDSA:
                if sig_type != kt:
                    raise BadSignature(f"signature type {sig_type} for an {kt} key")
                rr = _Reader(sig)
                r_, s_ = rr.mpint(), rr.mpint()
                rr.done()
                key.verify(encode_dss_signature(r_, s_), data, ec.ECDSA(_ECDSA[kt][2]()))
            elif kt == "ssh-rsa":
                if sig_type not in _RSA_SIG:
                    raise BadSignature(f"RSA signature type {sig_type} is not accepted (SHA-1)")
                key.verify(sig, data, padding.PKCS1v15(), _RSA_SIG[sig_type]())
            else:  # pragma: no cover - _key raised already
                raise UnsupportedKey(kt)
        except InvalidSignature as exc:
            raise BadSignature("signature does not verify") from exc
        except SshSigError as exc:
            raise BadSignature(f"bad signature encoding: {exc}") from exc


def parse_public_key(text: str) -> PublicKey:
    """``keytype base64 [comment]`` (also with a ``key::`` prefix) to a :class:`PublicKey`."""
    text = text.strip()
    if text.startswith("key::"):
        text = text[5:].strip()
    parts = text.split()
    if len(parts) < 2:
        raise SshSigError("not an SSH public key (expected 'keytype base64')")
    blob = _b64(parts[1])
    key = PublicKey(blob)
    if key.keytype != parts[0]:
        raise SshSigError(f"key type {parts[0]} does not match the key data ({key.keytype})")
    return key


def public_key_of_private(data: bytes) -> PublicKey | None:
    """The public key stored (unencrypted) in an ``openssh-key-v1`` private key file, else None."""
    text = data.decode("ascii", "replace").strip()
    begin, end = "-----BEGIN OPENSSH PRIVATE KEY-----", "-----END OPENSSH PRIVATE KEY-----"
    if not (text.startswith(begin) and text.endswith(end)):
        return None
    try:
        raw = base64.b64decode("".join(text[len(begin) : -len(end)].split()), validate=True)
    except binascii.Error:
        return None
    if not raw.startswith(b"openssh-key-v1\0"):
        return None
    r = _Reader(raw[len(b"openssh-key-v1\0") :])
    try:
        r.string(), r.string(), r.string()  # cipher, kdf, kdf options
        if r.u32() < 1:
            return None
        return PublicKey(r.string())
    except SshSigError:
        return None


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SshSigError(f"bad base64: {exc}") from exc


# -- signatures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SshSignature:
    """A parsed SSHSIG blob."""

    public_key: PublicKey
    namespace: str
    reserved: bytes
    hash_alg: str
    sig_type: str
    sig: bytes
    sig_extra: bytes = b""

    def signed_data(self, message: bytes) -> bytes:
        digest = _HASHES[self.hash_alg](message).digest()
        return (
            MAGIC
            + _string(self.namespace.encode())
            + _string(self.reserved)
            + _string(self.hash_alg.encode())
            + _string(digest)
        )

    def verify(self, message: bytes, namespace: str) -> None:
        """Check namespace and signature over ``message`` with the embedded key.

        The embedded key proves nothing by itself: compare it with a trusted key (see
        :class:`AllowedSigners`). Raises :class:`BadSignature`, or :class:`UnsupportedKey`.
        """
        if self.namespace != namespace:
            raise BadSignature(f"namespace is {self.namespace!r}, expected {namespace!r}")
        if self.sig_extra:
            raise UnsupportedKey(f"{self.sig_type} signatures are not verified in-process")
        self.public_key.verify_raw(self.sig_type, self.sig, self.signed_data(message))


def unarmor(text: str | bytes) -> bytes:
    """The blob inside ``-----BEGIN SSH SIGNATURE-----`` armor."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    text = text.strip()
    if not text.startswith(BEGIN) or not text.endswith(END):
        raise SshSigError("not an SSH signature (armor missing)")
    return _b64(text[len(BEGIN) : -len(END)])


def armor(blob: bytes) -> str:
    """Armor a blob exactly as ``ssh-keygen -Y sign`` does."""
    b64 = base64.b64encode(blob).decode()
    lines = [b64[i : i + ARMOR_WIDTH] for i in range(0, len(b64), ARMOR_WIDTH)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


@lru_cache(maxsize=1024)
def _public_key(blob: bytes) -> PublicKey:
    """One :class:`PublicKey` per key blob: its ``cryptography`` key and fingerprint are computed once."""
    return PublicKey(blob)


def parse_signature(text: str | bytes) -> SshSignature:
    """Parse armored SSHSIG text; :class:`SshSigError` when malformed."""
    blob = unarmor(text)
    if not blob.startswith(MAGIC):
        raise SshSigError("bad SSHSIG magic")
    r = _Reader(blob[len(MAGIC) :])
    version = r.u32()
    if version != 1:
        raise SshSigError(f"unsupported SSHSIG version {version}")
    pub = _public_key(r.string())
    namespace = r.string()
    reserved = r.string()
    hash_alg = r.string().decode("ascii", "replace")
    sigblob = r.string()
    r.done()
    if not namespace:
        raise SshSigError("empty namespace")
    if hash_alg not in _HASHES:
        raise SshSigError(f"unsupported hash algorithm {hash_alg!r}")
    sr = _Reader(sigblob)
    sig_type = sr.string().decode("ascii", "replace")
    sig = sr.string()
    extra = sigblob[sr.pos :]
    if extra and not sig_type.startswith("sk-"):
        raise SshSigError("trailing bytes in signature")
    try:
        ns = namespace.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SshSigError("namespace is not UTF-8") from exc
    return SshSignature(pub, ns, reserved, hash_alg, sig_type, sig, extra)


def sign_ed25519(private_key: Ed25519PrivateKey, message: bytes, namespace: str) -> str:
    """Sign in-process, byte-identical to ``ssh-keygen -Y sign`` with an Ed25519 key (tests, bench)."""
    pub_raw = private_key.public_key().public_bytes_raw()
    pub = PublicKey(_string(b"ssh-ed25519") + _string(pub_raw))
    template = SshSignature(pub, namespace, b"", "sha512", "ssh-ed25519", b"")
    sig = private_key.sign(template.signed_data(message))
    blob = (
        MAGIC
        + struct.pack(">I", 1)
        + _string(pub.blob)
        + _string(namespace.encode())
        + _string(b"")
        + _string(b"sha512")
        + _string(_string(b"ssh-ed25519") + _string(sig))
    )
    return armor(blob)


def ed25519_public_key(private_key: Ed25519PrivateKey) -> PublicKey:
    return PublicKey(_string(b"ssh-ed25519") + _string(private_key.public_key().public_bytes_raw()))


# -- allowed_signers -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _pattern_rx(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL
    )


def match_pattern(text: str, pattern: str) -> bool:
    """OpenSSH ``match_pattern``: ``*`` and ``?`` wildcards, whole string, case-sensitive."""
    return _pattern_rx(pattern).fullmatch(text) is not None


def match_pattern_list(text: str, patterns: str) -> bool:
    """OpenSSH ``match_pattern_list``: comma-separated patterns, ``!`` negates and wins."""
    matched = False
    for pat in patterns.split(","):
        pat = pat.strip()
        if not pat:
            continue
        if pat.startswith("!"):
            if match_pattern(text, pat[1:]):
                return False
        elif match_pattern(text, pat):
            matched = True
    return matched


_TIME_RE = re.compile(r"^(\d{8})(\d{4})?(\d{2})?(Z)?$")


def parse_ssh_time(text: str) -> datetime:
    """``YYYYMMDD[HHMM[SS]][Z]`` as ssh-keygen reads it (local time without ``Z``)."""
    m = _TIME_RE.match(text)
    if not m or (m.group(3) and not m.group(2)):
        raise SshSigError(f"bad time {text!r} (expected YYYYMMDD[HHMM[SS]][Z])")
    fmt = "%Y%m%d" + ("%H%M" if m.group(2) else "") + ("%S" if m.group(3) else "")
    value = datetime.strptime("".join(g or "" for g in m.groups()[:3]), fmt)
    if m.group(4):
        return value.replace(tzinfo=UTC)
    return value.astimezone().astimezone(UTC)


@dataclass(frozen=True)
class AllowedSigner:
    """One ``allowed_signers`` line."""

    principals: str
    key: PublicKey
    source: str
    line: int
    namespaces: str | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None
    cert_authority: bool = False

    def allows_principal(self, principal: str) -> bool:
        return match_pattern_list(principal, self.principals)

    def allows_namespace(self, namespace: str) -> bool:
        return self.namespaces is None or match_pattern_list(namespace, self.namespaces)

    def time_problem(self, when: datetime | None) -> str | None:
        """Why ``when`` lies outside the key's validity window, or None."""
        if when is None:
            return None
        if self.valid_after is not None and when < self.valid_after:
            return f"signing time {_iso(when)} is before the key's valid-after {_iso(self.valid_after)}"
        if self.valid_before is not None and when > self.valid_before:
            return f"signing time {_iso(when)} is after the key's valid-before {_iso(self.valid_before)}"
        return None


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _split_token(line: str) -> tuple[str, str]:
    """First whitespace-delimited token (double quotes group), and the rest."""
    line = line.lstrip()
    i, quoted = 0, False
    while i < len(line):
        c = line[i]
        if c == '"':
            quoted = not quoted
        elif c in " \t" and not quoted:
            break
        i += 1
    if quoted:
        raise SshSigError("unterminated quote")
    return line[:i], line[i:].lstrip()


def _split_options(opts: str) -> list[str]:
    out, cur, quoted = [], "", False
    for c in opts:
        if c == '"':
            quoted = not quoted
            cur += c
        elif c == "," and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += c
    out.append(cur)
    return out


def _unquote(v: str) -> str:
    return v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v


def parse_allowed_signers_line(line: str, source: str = "", lineno: int = 0) -> AllowedSigner | None:
    """Parse one line; None for blanks and comments; :class:`SshSigError` when bad."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    principals, rest = _split_token(stripped)
    principals = _unquote(principals)
    if not principals:
        raise SshSigError("missing principals")
    opts: dict[str, str | None] = {}
    try:
        key = parse_public_key(rest)
    except SshSigError:
        if rest.startswith(_KEY_PREFIXES):
            raise
        optstr, rest = _split_token(rest)
        for opt in _split_options(optstr):
            name, eq, value = opt.partition("=")
            name = name.strip().lower()
            if name not in ("namespaces", "valid-after", "valid-before", "cert-authority"):
                raise SshSigError(f"unsupported option {name!r}") from None
            if (name == "cert-authority") == bool(eq):
                raise SshSigError(f"bad option {opt!r}") from None
            opts[name] = _unquote(value) if eq else None
        key = parse_public_key(rest)
    return AllowedSigner(
        principals=principals,
        key=key,
        source=source,
        line=lineno,
        namespaces=opts.get("namespaces"),
        valid_after=parse_ssh_time(opts["valid-after"] or "") if "valid-after" in opts else None,
        valid_before=parse_ssh_time(opts["valid-before"] or "") if "valid-before" in opts else None,
        cert_authority="cert-authority" in opts,
    )


@dataclass
class Match:
    """The outcome of looking a key up: the matching entry, or why none matched."""

    signer: AllowedSigner | None
    problem: str = ""
    expired: bool = False


@dataclass
class AllowedSigners:
    """An ``allowed_signers`` file, indexed by key."""

    entries: list[AllowedSigner] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    path: Path | None = None

    def __post_init__(self) -> None:
        self._by_key: dict[bytes, list[AllowedSigner]] = {}
        for e in self.entries:
            self._by_key.setdefault(e.key.blob, []).append(e)

    @classmethod
    def parse(cls, text: str, source: str = "allowed_signers", path: Path | None = None) -> AllowedSigners:
        entries, errors = [], []
        for n, line in enumerate(text.splitlines(), 1):
            try:
                entry = parse_allowed_signers_line(line, source, n)
            except SshSigError as exc:
                errors.append(f"{source}:{n}: {exc}")
                continue
            if entry is not None:
                entries.append(entry)
        return cls(entries, errors, path)

    @classmethod
    def load(cls, path: Path) -> AllowedSigners:
        return cls.parse(Path(path).read_text(encoding="utf-8", errors="replace"), str(path), Path(path))

    def for_key(self, key: PublicKey) -> list[AllowedSigner]:
        return [e for e in self._by_key.get(key.blob, ()) if not e.cert_authority]

    def find(self, key: PublicKey, principal: str, namespace: str, when: datetime | None) -> Match:
        """The entry trusting ``key`` for ``principal`` in ``namespace`` at ``when``."""
        candidates = self.for_key(key)
        if not candidates:
            return Match(None, f"key {key.fingerprint} is not in {self._name()}")
        for_principal = [e for e in candidates if e.allows_principal(principal)]
        if not for_principal:
            names = ", ".join(sorted({e.principals for e in candidates}))
            return Match(None, f"key {key.fingerprint} is trusted for {names}, not for {principal}")
        in_ns = [e for e in for_principal if e.allows_namespace(namespace)]
        if not in_ns:
            return Match(None, f"key {key.fingerprint} is not allowed for namespace {namespace}")
        problems = []
        for e in in_ns:
            problem = e.time_problem(when)
            if problem is None:
                return Match(e)
            problems.append(problem)
        return Match(None, problems[0], expired=True)

    def principals_for(self, key: PublicKey) -> list[str]:
        return [e.principals for e in self.for_key(key)]

    def _name(self) -> str:
        return str(self.path) if self.path else "the allowed signers"


def load_many(paths: Iterable[Path]) -> AllowedSigners:
    """Merge several allowed_signers files (missing files are skipped)."""
    entries: list[AllowedSigner] = []
    errors: list[str] = []
    first = None
    for p in paths:
        if p.is_file():
            a = AllowedSigners.load(p)
            entries += a.entries
            errors += a.errors
            first = first or p
    return AllowedSigners(entries, errors, first)
