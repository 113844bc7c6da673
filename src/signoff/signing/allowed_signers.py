"""``allowed_signers`` trust files: principals, patterns, validity windows, namespaces."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from signoff.signing.sshsig import _KEY_PREFIXES, PublicKey, SshSigError, parse_public_key

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
