"""A minimal ssh-agent client: list the agent's keys and have it sign raw bytes.

``ssh-keygen -Y sign`` wraps what it signs in SSHSIG; DSSE (in-toto attestations) needs a plain signature
over the envelope's pre-authentication encoding. The agent protocol (draft-ietf-sshm-ssh-agent) gives
exactly that: ``SSH_AGENTC_SIGN_REQUEST`` returns ``string format, string signature`` over the data.
"""

from __future__ import annotations

import os
import socket
import struct

from signoff.errors import SigningError
from signoff.signing.sshsig import PublicKey, SshSigError, _Reader, _string

_REQUEST_IDENTITIES = 11
_IDENTITIES_ANSWER = 12
_SIGN_REQUEST = 13
_SIGN_RESPONSE = 14
_FAILURE = 5
#: Sign-request flag: RSA keys sign with rsa-sha2-256 (never SHA-1 ``ssh-rsa``).
_RSA_SHA2_256 = 2
_MAX_REPLY = 256 * 1024
_TIMEOUT = 60.0  # the agent may ask the user to confirm (ssh-add -c)


class AgentError(SigningError):
    """The agent is absent, refused, or answered something unexpected."""


def _socket_path() -> str:
    path = os.environ.get("SSH_AUTH_SOCK", "")
    if not path:
        raise AgentError("no ssh-agent: SSH_AUTH_SOCK is not set (start ssh-agent and ssh-add your key)")
    return path


def _exchange(message_type: int, body: bytes) -> tuple[int, bytes]:
    path = _socket_path()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(_TIMEOUT)
            sock.connect(path)
            payload = bytes([message_type]) + body
            sock.sendall(struct.pack(">I", len(payload)) + payload)
            head = _recv_exact(sock, 4)
            (length,) = struct.unpack(">I", head)
            if not 1 <= length <= _MAX_REPLY:
                raise AgentError(f"ssh-agent sent a reply of {length} bytes")
            reply = _recv_exact(sock, length)
    except TimeoutError:
        raise AgentError("ssh-agent did not answer within 60 s") from None
    except OSError as exc:
        raise AgentError(f"cannot talk to ssh-agent at {path}: {exc.strerror or exc}") from None
    return reply[0], reply[1:]


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise AgentError("ssh-agent closed the connection")
        buf += chunk
    return bytes(buf)


def identities() -> list[tuple[PublicKey, str]]:
    """The agent's keys with their comments."""
    kind, body = _exchange(_REQUEST_IDENTITIES, b"")
    if kind != _IDENTITIES_ANSWER:
        raise AgentError("ssh-agent refused to list its keys")
    try:
        r = _Reader(body)
        out = []
        for _ in range(r.u32()):
            blob, comment = r.string(), r.string()
            out.append((PublicKey(blob), comment.decode("utf-8", "replace")))
        r.done()
    except SshSigError as exc:
        raise AgentError(f"ssh-agent sent a malformed key list: {exc}") from None
    return out


def sign(key: PublicKey, data: bytes) -> tuple[str, bytes]:
    """Have the agent sign ``data`` with ``key``: ``(signature format, raw signature blob)``.

    The blob is checked against the key before it is returned, so a confused or hostile agent cannot
    hand back a signature that does not verify.
    """
    if not any(k.blob == key.blob for k, _ in identities()):
        raise AgentError(
            f"the key {key.fingerprint} is not in ssh-agent: ssh-add the private key, or pass --key with "
            "the private key file"
        )
    flags = _RSA_SHA2_256 if key.keytype == "ssh-rsa" else 0
    kind, body = _exchange(_SIGN_REQUEST, _string(key.blob) + _string(data) + struct.pack(">I", flags))
    if kind == _FAILURE:
        raise AgentError("ssh-agent refused to sign (is it locked? run ssh-add -X to unlock)")
    if kind != _SIGN_RESPONSE:
        raise AgentError(f"ssh-agent answered message type {kind} to a sign request")
    try:
        outer = _Reader(body)
        r = _Reader(outer.string())
        outer.done()
        fmt, sig = r.string().decode("ascii", "replace"), r.string()
        r.done()
        key.verify_raw(fmt, sig, data)
    except Exception as exc:
        raise AgentError(f"ssh-agent returned an unusable signature: {exc}") from None
    return fmt, sig
