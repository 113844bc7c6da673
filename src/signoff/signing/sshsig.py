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
import struct
from dataclasses import dataclass
from functools import cached_property, lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from signoff.errors import SignoffError

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


class SshSigError(SignoffError):
    """A signature or key that cannot be parsed (malformed input)."""


class BadSignature(SignoffError):
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
        return int(n)

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

    @cached_property
    def rsa_bits(self) -> int | None:
        """The modulus size of an ``ssh-rsa`` key (``None`` for other key types)."""
        if self.keytype != "ssh-rsa":
            return None
        r = _Reader(self.blob)
        r.string()
        r.mpint()
        return r.mpint().bit_length()

    @property
    def is_certificate(self) -> bool:
        return self.keytype.endswith("-cert-v01@openssh.com")

    @cached_property
    def _key(self) -> Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey:
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
                assert isinstance(key, Ed25519PublicKey)
                key.verify(sig, data)
            elif kt in _ECDSA:
                if sig_type != kt:
                    raise BadSignature(f"signature type {sig_type} for an {kt} key")
                rr = _Reader(sig)
                r_, s_ = rr.mpint(), rr.mpint()
                rr.done()
                assert isinstance(key, ec.EllipticCurvePublicKey)
                key.verify(encode_dss_signature(r_, s_), data, ec.ECDSA(_ECDSA[kt][2]()))
            elif kt == "ssh-rsa":
                if sig_type not in _RSA_SIG:
                    raise BadSignature(f"RSA signature type {sig_type} is not accepted (SHA-1)")
                assert isinstance(key, rsa.RSAPublicKey)
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
