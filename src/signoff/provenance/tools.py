"""Commit-level AI signals: the known-tool catalogue (``data/ai_tools.toml``) and repo-configured extras.

Everything here is a pure function of strings (message, author, committer), so it is tested without git.
Precision rules: a display name alone is never enough for an author; a co-author *name* alone gives at
most medium confidence; message markers must start a line; prose that merely mentions a tool is ignored.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from signoff.config import CONFIG_PATH
from signoff.errors import UsageError
from signoff.provenance.trailers import Trailer, parse_trailers

EXACT, HIGH, MEDIUM = "exact", "high", "medium"
_RANK = {EXACT: 3, HIGH: 2, MEDIUM: 1}

#: Longest regex accepted from a repository's config (the repository is untrusted).
MAX_PATTERN = 300

_GITHUB_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@\s]+)@users\.noreply\.github\.com$", re.I)
_IDENTITY = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>\s*$")
_AGENT_MODEL = re.compile(r"^(?P<agent>[A-Za-z][\w.+-]*):(?P<model>[\w.+/@:-]+)(?:\s+\S.*)?$")


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence that a commit (or lines) came from an AI tool.

    ``kind``: ``trailer`` | ``tool-trailer`` | ``author`` | ``committer`` | ``marker`` | ``config`` |
    ``git-ai``; ``tool``: catalogue id (``claude``, ``copilot``...), ``unknown`` or ``config``;
    ``confidence``: ``exact`` | ``high`` | ``medium``; ``evidence``: the text that matched (raw repo
    text: pass it through ``sanitize.visible`` before display).
    """

    kind: str
    tool: str
    confidence: str
    evidence: str

    def describe(self) -> str:
        return f"{self.evidence} [{self.confidence}]"

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "tool": self.tool,
            "confidence": self.confidence,
            "evidence": self.evidence,
        }


def strongest(signals: list[Signal]) -> Signal | None:
    """The most confident signal (first of equals), or ``None``."""
    best: Signal | None = None
    for s in signals:
        if best is None or _RANK[s.confidence] > _RANK[best.confidence]:
            best = s
    return best


@dataclass
class Tool:
    id: str
    name: str
    emails: list[str]
    logins: set[str]
    names: re.Pattern[str] | None
    words: re.Pattern[str] | None
    name_suffixes: list[str]
    trailers: dict[str, re.Pattern[str] | None]
    markers: list[re.Pattern[str]]


@dataclass
class Catalogue:
    """The compiled known-tool list plus the repository's ``[ai]`` configuration."""

    tools: list[Tool]
    person_keys: set[str]
    tool_keys: set[str]
    ai_keys: set[str]
    negative_values: set[str]
    inline: re.Pattern[str]
    inline_header: re.Pattern[str]
    header_lines: int
    #: lowercase words one of which every inline pattern needs (a fast pre-check)
    inline_keywords: tuple[str, ...] = ()
    #: repo config: (key lowercased, value regex or None)
    extra_trailers: list[tuple[str, re.Pattern[str] | None, str]] = field(default_factory=list)
    extra_emails: list[str] = field(default_factory=list)
    extra_messages: list[re.Pattern[str]] = field(default_factory=list)
    ai_paths: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)

    # -- identities ---------------------------------------------------------------------------------
    def tool_for_email(self, email: str) -> Tool | None:
        email = email.strip().lower()
        if not email:
            return None
        m = _GITHUB_NOREPLY.match(email)
        login = m.group("login") if m else None
        for tool in self.tools:
            if any(fnmatch.fnmatchcase(email, pat) for pat in tool.emails):
                return tool
            if login is not None and login in tool.logins:
                return tool
        return None

    def tool_for_author(self, name: str, email: str) -> tuple[Tool, str] | None:
        """The tool an author/committer identity belongs to, with what matched."""
        tool = self.tool_for_email(email)
        if tool is not None:
            return tool, f"<{email}>"
        lname = name.strip().lower()
        for tool in self.tools:
            if lname.endswith("[bot]") and lname in tool.logins:
                return tool, f"bot name {name.strip()}"
            for suffix in tool.name_suffixes:
                if lname.endswith(suffix) and len(lname) > len(suffix):
                    return tool, f"name suffix '{suffix.strip()}'"
        return None

    def tool_for_name(self, name: str) -> Tool | None:
        """A tool whose display-name pattern matches the whole ``name``."""
        name = " ".join(name.split())
        for tool in self.tools:
            if tool.names is not None and tool.names.fullmatch(name):
                return tool
        return None

    def tool_for_words(self, text: str) -> Tool | None:
        for tool in self.tools:
            if tool.words is not None and tool.words.search(text):
                return tool
        return None

    # -- signals -----------------------------------------------------------------------------------
    def trailer_signals(self, trailers: list[Trailer]) -> list[Signal]:
        out: list[Signal] = []
        for t in trailers:
            key = t.key.lower()
            value = t.value
            sig = self._trailer_signal(key, value, t.line)
            if sig is not None:
                out.append(sig)
            for ckey, pattern, raw in self.extra_trailers:
                if key == ckey and (pattern is None or pattern.search(value)):
                    out.append(Signal("config", "config", HIGH, f"{t.line} (config trailer {raw!r})"))
        return out

    def _trailer_signal(self, key: str, value: str, line: str) -> Signal | None:
        for tool in self.tools:
            if key in tool.trailers:
                pattern = tool.trailers[key]
                if pattern is None or pattern.search(value):
                    return Signal("tool-trailer", tool.id, HIGH, line)
        if key in self.ai_keys:
            if value.strip().lower() in self.negative_values:
                return None
            tool = self.tool_for_words(value)
            return Signal("trailer", tool.id if tool else "unknown", HIGH, line)
        if key not in self.person_keys and key not in self.tool_keys:
            return None
        ident = _IDENTITY.match(value)
        if ident is not None:
            tool = self.tool_for_email(ident.group("email"))
            if tool is not None:
                return Signal("trailer", tool.id, HIGH, line)
            tool = self.tool_for_name(ident.group("name"))
            return Signal("trailer", tool.id, MEDIUM, line) if tool else None
        if key in self.person_keys:
            tool = self.tool_for_name(value)
            return Signal("trailer", tool.id, MEDIUM, line) if tool else None
        # A tool key without an address: "Generated-by: GitHub Copilot", "Assisted-by: Claude:opus-4".
        tool = self.tool_for_words(value) or self.tool_for_name(value)
        if tool is not None:
            return Signal("trailer", tool.id, HIGH, line)
        am = _AGENT_MODEL.match(value.strip())
        if am is not None:
            tool = self.tool_for_words(am.group("agent"))
            return Signal("trailer", tool.id if tool else "unknown", HIGH, line)
        return None

    def message_signals(self, message: str) -> list[Signal]:
        out: list[Signal] = []
        for tool in self.tools:
            for pattern in tool.markers:
                m = pattern.search(message)
                if m:
                    out.append(Signal("marker", tool.id, MEDIUM, _line_at(message, m.start())))
                    break
        for pattern in self.extra_messages:
            m = pattern.search(message)
            if m:
                evidence = f"{_line_at(message, m.start())} (config message pattern)"
                out.append(Signal("config", "config", MEDIUM, evidence))
        return out

    def identity_signals(self, kind: str, name: str, email: str) -> list[Signal]:
        out: list[Signal] = []
        hit = self.tool_for_author(name, email)
        if hit is not None:
            out.append(Signal(kind, hit[0].id, HIGH, f"{kind} {name} <{email}>"))
        lemail = email.strip().lower()
        for pat in self.extra_emails:
            if lemail and fnmatch.fnmatchcase(lemail, pat):
                evidence = f"{kind} {name} <{email}> (config email {pat!r})"
                out.append(Signal("config", "config", HIGH, evidence))
                break
        return out

    def commit_signals(
        self, message: str, author: tuple[str, str], committer: tuple[str, str] | None = None
    ) -> list[Signal]:
        """Every signal of one commit, strongest kinds first, duplicates removed."""
        signals = self.identity_signals("author", *author)
        if committer is not None and committer != author:
            signals += self.identity_signals("committer", *committer)
        signals += self.trailer_signals(parse_trailers(message))
        signals += self.message_signals(message)
        seen: set[tuple[str, str]] = set()
        out = []
        for s in signals:
            if (s.kind, s.evidence) not in seen:
                seen.add((s.kind, s.evidence))
                out.append(s)
        return out

    def may_have_inline_marker(self, text: str) -> bool:
        """False when ``text`` certainly holds no inline marker (C-speed check before the regex)."""
        if not self.inline_keywords:
            return True
        low = text.lower()
        return any(k in low for k in self.inline_keywords)

    # -- paths -------------------------------------------------------------------------------------
    def path_glob(self, path: str) -> str | None:
        """The configured AI path glob ``path`` matches, if any."""
        for raw, rx in self.ai_paths:
            if rx.match(path):
                return raw
        return None


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)].strip()


def _words_rx(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.I)


def glob_to_regex(glob: str) -> re.Pattern[str]:
    """Gitignore-like glob: ``*`` within a segment, ``**`` across segments, no ``/`` = any directory."""
    core = glob.strip()
    dir_only = core.endswith("/")
    core = core.rstrip("/")
    anchored = "/" in core
    g = core.lstrip("/") + ("/**" if dir_only else "")
    i, out = 0, []
    while i < len(g):
        c = g[i]
        if g.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif g.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    body = "".join(out)
    return re.compile(body + r"\Z" if anchored else r"(?:.*/)?" + body + r"\Z", re.S)


@cache
def _catalogue_data() -> dict[str, Any]:
    text = resources.files("signoff").joinpath("data/ai_tools.toml").read_text("utf-8")
    return tomllib.loads(text)


def _compile(pattern: str, flags: int, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise UsageError(f"{where}: bad regular expression {pattern!r}: {exc}") from exc


@cache
def _builtin_tools() -> tuple[Tool, ...]:
    tools = []
    for t in _catalogue_data()["tool"]:
        names = t.get("names", [])
        tools.append(
            Tool(
                id=t["id"],
                name=t["name"],
                emails=[e.lower() for e in t.get("emails", [])],
                logins={x.lower() for x in t.get("logins", [])},
                names=re.compile("|".join(f"(?:{n})" for n in names), re.I) if names else None,
                words=_words_rx(t.get("words", [])),
                name_suffixes=[s.lower() for s in t.get("name_suffixes", [])],
                trailers={
                    k.lower(): (re.compile(v, re.I) if v else None) for k, v in t.get("trailers", {}).items()
                },
                markers=[re.compile(m, re.I | re.M) for m in t.get("markers", [])],
            )
        )
    return tuple(tools)


def _str_list(ai: dict[str, Any], key: str) -> list[str]:
    value = ai.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{CONFIG_PATH}: [ai] {key} must be a list of strings")
    for v in value:
        if len(v) > MAX_PATTERN:
            raise UsageError(f"{CONFIG_PATH}: [ai] {key}: pattern longer than {MAX_PATTERN} characters")
    return value


def load_catalogue(ai_config: dict[str, Any] | None = None) -> Catalogue:
    """The built-in catalogue, extended by a repository's ``[ai]`` config table.

    ``[ai]`` keys: ``trailers`` (``"Key"`` or ``"Key: value-regex"``), ``author_emails`` (globs),
    ``message_patterns`` (regexes, searched line-wise), ``paths`` (globs of AI-generated files).
    """
    data = _catalogue_data()
    tr = data["trailers"]
    inline = data["inline"]
    cat = Catalogue(
        tools=list(_builtin_tools()),
        person_keys={k.lower() for k in tr["person_keys"]},
        tool_keys={k.lower() for k in tr["tool_keys"]},
        ai_keys={k.lower() for k in tr["ai_keys"]},
        negative_values={v.lower() for v in tr["negative_values"]},
        inline=re.compile("|".join(f"(?:{p})" for p in inline["patterns"]), re.I),
        inline_header=re.compile("|".join(f"(?:{p})" for p in inline["header_patterns"]), re.I),
        header_lines=int(inline.get("header_lines", 10)),
        inline_keywords=tuple(k.lower() for k in inline.get("keywords", [])),
    )
    ai = ai_config or {}
    where = f"{CONFIG_PATH} [ai]"
    for raw in _str_list(ai, "trailers"):
        key, sep, value = raw.partition(":")
        pattern = _compile(value.strip(), re.I, where) if sep and value.strip() else None
        cat.extra_trailers.append((key.strip().lower(), pattern, raw))
    cat.extra_emails = [e.lower() for e in _str_list(ai, "author_emails")]
    cat.extra_messages = [_compile(p, re.I | re.M, where) for p in _str_list(ai, "message_patterns")]
    cat.ai_paths = [(g, glob_to_regex(g)) for g in _str_list(ai, "paths")]
    return cat
