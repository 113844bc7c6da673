"""Sign review records the way git signs commits: ``ssh-keygen -Y sign`` or ``gpg --detach-sign``.

Configuration follows git: ``gpg.format`` (``ssh`` / ``openpgp``), ``user.signingKey`` (a key path, a
public key usable through ssh-agent, or a ``key::`` literal; for OpenPGP a key id), and the programs
``gpg.program`` / ``gpg.openpgp.program`` / ``gpg.ssh.program`` / ``gpg.ssh.defaultKeyCommand``.
``--key`` and ``--format`` override. The repository is untrusted, so the settings that name a program
(and ``gpg.ssh.allowedSignersFile``) are read from the global and system git config only, never from the
repository's own ``.git/config``.

Every failure raises :class:`~signoff.errors.SigningError` saying exactly what to configure; callers keep
the review as a draft.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from signoff.errors import SigningError
from signoff.git.runner import Git
from signoff.records.model import NAMESPACE, ReviewRecord, Signature
from signoff.signing.sshsig import (
    PublicKey,
    SshSigError,
    parse_public_key,
    parse_signature,
    public_key_of_private,
)
from signoff.util.sanitize import visible

FORMATS = ("ssh", "openpgp")
_SSH_KEY_PREFIXES = ("ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-")


def trusted_config(git: Git | None, key: str) -> str | None:
    """A git config value from the global or system config only (not the untrusted repository's)."""
    for scope in ("--global", "--system"):
        args = ["git", "config", scope, "--get", key]
        try:
            if git is not None:
                code, out = git.try_run(args[1:])
            else:
                proc = subprocess.run(args, capture_output=True, stdin=subprocess.DEVNULL, check=False)
                code, out = proc.returncode, proc.stdout
        except OSError:
            return None
        if code == 0:
            return out.decode("utf-8", "replace").rstrip("\n")
    return None


@dataclass
class SigningConfig:
    """How to sign: the format, the key as configured, and the program to run."""

    format: str
    key: str | None
    program: str
    default_key_command: str | None = None
    #: user.email / user.name from git config (the reviewer identity).
    email: str = ""
    name: str = ""


def signing_config(
    git: Git | None, *, key: str | None = None, fmt: str | None = None, email: str | None = None
) -> SigningConfig:
    """Git's signing settings from the user's own (global and system) config; ``key`` / ``fmt`` / ``email``
    (``--key`` / ``--format`` / ``--email``) win.

    Never the repository's own config: a hostile clone could otherwise choose the key a review is signed
    with and the e-mail the record names as its reviewer (issue 12). ``git`` only runs the lookups.
    """

    def conf(name: str) -> str | None:
        return trusted_config(git, name)

    if fmt is not None and fmt not in FORMATS:
        raise SigningError(f"unknown signing format {fmt!r}: use ssh or openpgp")
    key = key or conf("user.signingKey") or None
    configured = conf("gpg.format")
    if configured is not None and configured not in (*FORMATS, "x509"):
        raise SigningError(f"git config gpg.format is {configured!r}: set it to ssh or openpgp")
    if configured == "x509":
        raise SigningError("gpg.format x509 is not supported: use ssh or openpgp (pass --format ssh)")
    chosen = fmt or configured or (_guess_format(key) if key else None) or "openpgp"
    if chosen == "ssh":
        program = trusted_config(git, "gpg.ssh.program") or "ssh-keygen"
        command = trusted_config(git, "gpg.ssh.defaultKeyCommand")
    else:
        program = trusted_config(git, "gpg.openpgp.program") or trusted_config(git, "gpg.program") or "gpg"
        command = None
    return SigningConfig(
        format=chosen,
        key=key,
        program=program,
        default_key_command=command,
        email=email or conf("user.email") or "",
        name=conf("user.name") or "",
    )


def _guess_format(key: str) -> str | None:
    """Git defaults to openpgp; an obviously-SSH key (literal or file) means ssh."""
    if key.startswith("key::") or key.startswith(_SSH_KEY_PREFIXES):
        return "ssh"
    path = Path(key).expanduser()
    try:
        head = path.read_bytes()[:64] if path.is_file() else b""
    except OSError:
        return None
    if head.startswith(b"-----BEGIN OPENSSH PRIVATE KEY") or head.startswith(
        tuple(p.encode() for p in _SSH_KEY_PREFIXES)
    ):
        return "ssh"
    return None


@dataclass
class Signer:
    """A resolved signing identity."""

    format: str
    #: What is passed to the program: a key file path, a literal public key line, or an OpenPGP key id.
    key: str
    #: ``SHA256:…`` for SSH, the primary key fingerprint for OpenPGP.
    fingerprint: str
    public_key: PublicKey | None = None
    literal: bool = False
    #: Principal (SSH) or user id (OpenPGP) shown in the signature table.
    identity: str = ""


_NO_KEY_HELP = {
    "ssh": (
        "no SSH signing key configured. Set one the way git does:\n"
        "  git config --global gpg.format ssh\n"
        "  git config --global user.signingKey ~/.ssh/id_ed25519.pub\n"
        "or pass --key PATH (a private key file, a public key whose private half is in ssh-agent, "
        "or key::ssh-ed25519 AAAA...)"
    ),
    "openpgp": (
        "no OpenPGP signing key found. Set one the way git does:\n"
        "  git config --global user.signingKey <fingerprint>   (see gpg --list-secret-keys)\n"
        "or use SSH: git config --global gpg.format ssh; or pass --key/--format"
    ),
}


def resolve_signer(cfg: SigningConfig) -> Signer:
    """Find the key and its fingerprint without signing anything; :class:`SigningError` if impossible."""
    if cfg.format == "ssh":
        return _resolve_ssh(cfg)
    return _resolve_openpgp(cfg)


def _resolve_ssh(cfg: SigningConfig) -> Signer:
    key = cfg.key
    if not key and cfg.default_key_command:
        key = _default_key_from_command(cfg.default_key_command)
    if not key:
        raise SigningError(_NO_KEY_HELP["ssh"])
    literal = key.startswith("key::") or key.startswith(_SSH_KEY_PREFIXES)
    if literal:
        line = key[5:].strip() if key.startswith("key::") else key.strip()
        try:
            pub = parse_public_key(line)
        except SshSigError as exc:
            raise SigningError(f"user.signingKey is not a valid SSH public key literal: {exc}") from None
        return Signer("ssh", line, pub.fingerprint, pub, literal=True, identity=cfg.email)
    path = Path(key).expanduser()
    if not path.is_file():
        raise SigningError(
            f"the SSH signing key {visible(str(path))} does not exist: fix user.signingKey "
            "(git config --global user.signingKey PATH) or pass --key PATH"
        )
    pub = _public_key_for_file(path, cfg.program)
    return Signer("ssh", str(path), pub.fingerprint, pub, identity=cfg.email)


def _public_key_for_file(path: Path, program: str) -> PublicKey:
    data = path.read_bytes()
    text = data.decode("utf-8", "replace").strip()
    if text.startswith(_SSH_KEY_PREFIXES):
        try:
            return parse_public_key(text)
        except SshSigError as exc:
            raise SigningError(f"{visible(str(path))} is not a usable SSH public key: {exc}") from None
    pub = public_key_of_private(data)
    if pub is not None:
        return pub
    side = path.with_name(path.name + ".pub")
    if side.is_file():
        try:
            return parse_public_key(side.read_text(encoding="utf-8", errors="replace"))
        except SshSigError:
            pass
    proc = _run([program, "-y", "-f", str(path)], None)
    if proc.returncode == 0:
        try:
            return parse_public_key(proc.stdout.decode("utf-8", "replace"))
        except SshSigError:
            pass
    raise SigningError(
        f"cannot read the public half of {visible(str(path))}: put it beside the key as "
        f"{visible(str(side))}, or set user.signingKey to the .pub file"
    )


def _default_key_from_command(command: str) -> str | None:
    """Run ``gpg.ssh.defaultKeyCommand`` as git does (no shell); first key line wins."""
    proc = _run(shlex.split(command), None)
    if proc.returncode != 0:
        raise SigningError(
            f"gpg.ssh.defaultKeyCommand ({visible(command)}) failed: "
            f"{_last_line(proc.stderr) or 'exit ' + str(proc.returncode)}; is ssh-agent running with a key?"
        )
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith("key::") or line.startswith(_SSH_KEY_PREFIXES):
            return str(line)
    return None


def _resolve_openpgp(cfg: SigningConfig) -> Signer:
    key = cfg.key or (f"{cfg.name} <{cfg.email}>" if cfg.email else None)
    if not key:
        raise SigningError(_NO_KEY_HELP["openpgp"])
    proc = _run([cfg.program, "--batch", "--no-tty", "--with-colons", "--list-secret-keys", "--", key], None)
    fpr = uid = None
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split(":")
        if parts[0] == "sec" and fpr is not None:
            break
        if parts[0] == "fpr" and fpr is None:
            fpr = parts[9]
        if parts[0] == "uid" and uid is None and len(parts) > 9:
            uid = parts[9]
    if proc.returncode != 0 or fpr is None:
        raise SigningError(
            f"no OpenPGP secret key for {visible(key)}. " + _NO_KEY_HELP["openpgp"].split(". ", 1)[1]
        )
    return Signer("openpgp", key, fpr, identity=uid or key)


# -- signing ---------------------------------------------------------------------------------------


def _run(args: list[str], data: bytes | None, cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            args,
            input=data,
            stdin=None if data is not None else subprocess.DEVNULL,
            capture_output=True,
            cwd=cwd,
            check=False,
        )
    except FileNotFoundError:
        raise SigningError(
            f"{visible(args[0])} not found: install it, or point git at it "
            f"(git config --global {'gpg.ssh.program' if 'ssh' in args[0] else 'gpg.program'} PATH)"
        ) from None
    except OSError as exc:
        raise SigningError(f"cannot run {visible(args[0])}: {exc.strerror}") from None


def _last_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return visible(lines[-1]) if lines else ""


_SSH_ERRORS = (
    (re.compile(r"incorrect passphrase|bad passphrase", re.I), "wrong passphrase for the SSH key"),
    (
        re.compile(r"agent refused|agent_sign|communication with agent", re.I),
        "ssh-agent refused to sign (is it locked? run ssh-add -X to unlock, or ssh-add KEY)",
    ),
    (
        re.compile(r"could not connect to agent|no such identity|couldn't find key in agent", re.I),
        "the key is not in ssh-agent: run ssh-add with the private key, or set user.signingKey to it",
    ),
)


def sign_payload(payload: bytes, signer: Signer, cfg: SigningConfig) -> str:
    """Sign ``payload``; return the armored signature."""
    if signer.format == "ssh":
        return _sign_ssh(payload, signer, cfg.program)
    return _sign_openpgp(payload, signer, cfg.program)


def _sign_ssh(payload: bytes, signer: Signer, program: str) -> str:
    with tempfile.TemporaryDirectory(prefix="signoff-sign-") as tmp:
        keyfile = signer.key
        args = [program, "-Y", "sign", "-n", NAMESPACE, "-f"]
        if signer.literal:
            keyfile = os.path.join(tmp, "signing_key.pub")
            Path(keyfile).write_text(signer.key + "\n", encoding="utf-8")
            args += [keyfile, "-U"]
        else:
            args.append(keyfile)
        proc = _run(args, payload, cwd=tmp)
    if proc.returncode != 0 or b"-----BEGIN SSH SIGNATURE-----" not in proc.stdout:
        err = proc.stderr.decode("utf-8", "replace")
        for rx, message in _SSH_ERRORS:
            if rx.search(err):
                raise SigningError(f"{message} ({_last_line(proc.stderr)})")
        raise SigningError(
            f"ssh-keygen could not sign with {visible(signer.key)}: "
            f"{_last_line(proc.stderr) or 'no signature'}"
        )
    armored = proc.stdout.decode("ascii", "replace")
    try:
        sig = parse_signature(armored)
    except SshSigError as exc:
        raise SigningError(f"ssh-keygen produced an unreadable signature: {exc}") from None
    if signer.public_key is not None and sig.public_key.blob != signer.public_key.blob:
        raise SigningError(
            f"ssh-keygen signed with key {sig.public_key.fingerprint}, not the configured "
            f"{signer.fingerprint}: check that user.signingKey and its .pub file belong together"
        )
    return armored


def _sign_openpgp(payload: bytes, signer: Signer, program: str) -> str:
    args = [
        program,
        "--batch",
        "--no-tty",
        "--status-fd=2",
        "--detach-sign",
        "--armor",
        "--local-user",
        signer.key,
    ]
    proc = _run(args, payload)
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0 or "[GNUPG:] SIG_CREATED " not in err:
        if re.search(r"BAD_PASSPHRASE|Bad passphrase", err):
            raise SigningError("wrong passphrase for the OpenPGP key")
        if re.search(r"PINENTRY_LAUNCHED|pinentry|Inappropriate ioctl|No pinentry", err, re.I):
            raise SigningError(
                "gpg needs a passphrase but cannot ask for it: unlock the key in gpg-agent first "
                "(e.g. echo | gpg --clearsign) or configure a pinentry"
            )
        if re.search(r"No secret key|secret key not available|unusable secret key", err, re.I):
            raise SigningError(
                f"gpg has no usable secret key {visible(signer.key)}: set user.signingKey to one "
                "listed by gpg --list-secret-keys"
            )
        detail = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("[GNUPG:]")]
        raise SigningError(f"gpg failed to sign: {visible(detail[-1]) if detail else 'no signature'}")
    return str(proc.stdout.decode("ascii", "replace"))


def sign_record(record: ReviewRecord, cfg: SigningConfig, signer: Signer | None = None) -> ReviewRecord:
    """A copy of ``record`` with ``reviewer.key`` set to the signer's fingerprint, and signed."""
    signer = signer or resolve_signer(cfg)
    reviewer = replace(record.reviewer, key=signer.fingerprint)
    unsigned = replace(record, reviewer=reviewer, signature=None)
    value = sign_payload(unsigned.payload(), signer, cfg)
    signature = Signature(
        format=signer.format,
        namespace=NAMESPACE,
        signer=signer.identity or record.reviewer.email,
        value=value,
    )
    return replace(unsigned, signature=signature)
