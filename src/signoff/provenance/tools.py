"""Commit-level AI signals: the known-tool catalogue (``data/ai_tools.toml``) and repo-configured extras.

Everything here is a pure function of strings (message, author, committer), so it is tested without git.
Each :class:`Signal` names the tool, the rule that matched and a confidence; the classes of evidence:

- agent accounts (a tool's own address or GitHub app login) as author or co-author: high; as the
  committer alone: low (the tool committed someone's edit, aider's docs say so);
- trailers in git's final trailer block, or well-formed trailer lines of a known tool anywhere in the
  body (squash merges and agents add paragraphs after the co-author block): high with an agent address;
- a tool's subject prefix (``aider: ``) or name suffix (``Jane (aider)``): high on the author;
- footers (``Generated with [Claude Code]``, ``_<model> on behalf of <user>_``): medium;
- a display name that is a tool's name without its address: medium, low when the name is also a
  person's name (Claude, Devin, Jules...); the vendor's mail domain alone: low.

Lines count as AI from ``[ai] min_confidence`` (default medium) up; weaker signals are only reported.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

from signoff.provenance.disclosures import find_disclosures
from signoff.provenance.trailers import Trailer, parse_trailers

EXACT, HIGH, MEDIUM, LOW = "exact", "high", "medium", "low"
RANK = {EXACT: 4, HIGH: 3, MEDIUM: 2, LOW: 1}
#: Most specific first among signals of equal confidence.
_KIND_ORDER = {"git-ai": 0, "line-notes": 0, "tool-trailer": 1, "trailer": 2, "author": 3, "subject": 4}
_KIND_ORDER.update({"session": 5, "marker": 6, "disclosure": 7, "config": 8, "committer": 9, "domain": 10})
#: The catalogue entry for AI named only by its model family.
GENERIC_TOOL = "other-llm"
#: The tool that stands for a project's own agent accounts (``[ai] agents``).
PROJECT_AGENT = "project-agent"
#: A session link counts high when its line holds at most this many words besides the link (a footer
#: such as "Link to Devin run: <url>"); inside running prose it is medium.
_LINK_LINE_WORDS = 12
_MARKUP = re.compile(r"<[^<>\n]{0,400}>|https?://[^\s<>()\[\]\"']+|&nbsp;|[\[\]()*_`>|#.,:;!-]")

_GITHUB_NOREPLY = re.compile(r"^(?:\d+\+)?(?P<login>[^@\s]+)@users\.noreply\.github\.com$", re.I)
_IDENTITY = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>\s*$")
_AGENT_MODEL = re.compile(r"^(?P<agent>[A-Za-z][\w.+-]*):(?P<model>[\w.+/@:-]+)(?:\s+\S.*)?$")
#: A well-formed trailer line (git's syntax: a key of letters, digits and "-", then ":").
_TRAILER_LINE = re.compile(r"^(?P<key>[A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*$")
_AI_WORDS = re.compile(r"(?<![\w-])(?:AI|LLM|agent|model)(?![\w-])", re.I)


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence that a commit (or lines) came from an AI tool.

    ``kind``: ``trailer`` | ``tool-trailer`` | ``author`` | ``committer`` | ``subject`` | ``marker`` |
    ``session`` | ``disclosure`` | ``domain`` | ``config`` | ``git-ai`` | ``line-notes``;
    ``tool``: catalogue id (``claude``...),
    ``unknown`` or ``config``; ``confidence``: ``exact`` | ``high`` | ``medium`` | ``low``;
    ``evidence``: the text that matched (raw repo text: pass it through ``sanitize.visible``);
    ``rule``: which rule matched, in words.
    """

    kind: str
    tool: str
    confidence: str
    evidence: str
    rule: str = ""
    tool_name: str = ""

    def describe(self) -> str:
        name = self.tool_name or self.tool
        rule = f" ({self.rule})" if self.rule else ""
        return f"{name}: {self.evidence}{rule} [{self.confidence}]"

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "tool": self.tool,
            "confidence": self.confidence,
            "evidence": self.evidence,
            "rule": self.rule,
        }


def ranked(signals: list[Signal]) -> list[Signal]:
    """Strongest first; among equals the most specific kind, then a named tool before ``unknown``."""
    return sorted(
        signals,
        key=lambda s: (-RANK[s.confidence], _KIND_ORDER.get(s.kind, 9), s.tool in ("unknown", "config")),
    )


def strongest(signals: list[Signal]) -> Signal | None:
    """The most confident, most specific signal, or ``None``."""
    return ranked(signals)[0] if signals else None


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
    unconfirmed_emails: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    common_names: set[str] = field(default_factory=set)
    subject_prefixes: list[str] = field(default_factory=list)
    #: URLs of the tool's own agent sessions or tasks ("https://claude.ai/code/session_...")
    sessions: list[re.Pattern[str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Match:
    """An identity that belongs to a tool: how sure, and by which rule."""

    tool: Tool
    confidence: str
    rule: str


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
    on_behalf: re.Pattern[str] | None = None
    comment_leaders: tuple[str, ...] = ()
    prose_suffixes: tuple[str, ...] = ()
    #: signals below this confidence are reported but do not make a commit's lines AI
    min_confidence: str = MEDIUM
    #: confidence of a tool mark on the committer alone (``[ai] committer_only``; default low: reported)
    committer_only: str = LOW
    #: confidence of a prose AI disclosure (``[ai] disclosures``: off, low or medium; default low: reported)
    disclosures: str = LOW
    #: a display name that is an AI model's name with a version ("GLM-4.6", "Kimi K2", "Opus 4.5")
    model_names: re.Pattern[str] | None = None
    #: repo config: (key lowercased, value regex or None, raw)
    extra_trailers: list[tuple[str, object | None, str]] = field(default_factory=list)
    extra_emails: list[str] = field(default_factory=list)
    extra_messages: list[tuple[str, object]] = field(default_factory=list)
    ai_paths: list[tuple[str, object]] = field(default_factory=list)
    #: identify() results by (name, email): a range repeats the same few identities thousands of times
    _identities: dict[tuple[str, str], Match | None] = field(default_factory=dict, repr=False)
    _gate: tuple[re.Pattern[str] | None, tuple[str, ...]] | None = field(default=None, repr=False)

    # -- identities ---------------------------------------------------------------------------------
    def identify(self, name: str, email: str) -> Match | None:
        """The tool an identity (author, committer, co-author) belongs to, most specific rule first."""
        key = (name, email)
        if key not in self._identities:
            self._identities[key] = self._identify(name, email)
        return self._identities[key]

    def _identify(self, name: str, email: str) -> Match | None:
        email = email.strip().lower()
        m = _GITHUB_NOREPLY.match(email)
        login = m.group("login") if m else None
        lname = " ".join(name.split()).lower()
        for tool in self.tools:
            own = " named in [ai] agents" if tool.id == PROJECT_AGENT else ""
            if email and any(fnmatch.fnmatchcase(email, pat) for pat in tool.emails):
                return Match(tool, HIGH, f"agent address{own}")
            if login is not None and login in tool.logins:
                return Match(tool, HIGH, f"agent's GitHub account{own}")
        for tool in self.tools:
            if lname.endswith("[bot]") and lname in tool.logins:
                own = " named in [ai] agents" if tool.id == PROJECT_AGENT else ""
                return Match(tool, HIGH, f"agent's GitHub account name{own}")
            if email and any(fnmatch.fnmatchcase(email, pat) for pat in tool.unconfirmed_emails):
                return Match(tool, MEDIUM, "address seen only in third-party lists")
        named = self.tool_for_name(lname)
        if named is not None:
            if login is not None and login.endswith("[bot]"):
                return Match(named, HIGH, "tool name on a GitHub app account")
            if lname in named.common_names:
                return Match(named, LOW, "tool name that is also a person's name, without the tool's address")
            return Match(named, MEDIUM, "tool name without the tool's address")
        if self.model_names is not None and self.model_names.fullmatch(lname):
            model_tool = self.tool_for_words(lname) or self._generic_tool()
            if model_tool is not None:
                return Match(model_tool, MEDIUM, "an AI model's name as the identity")
        domain = email.rpartition("@")[2]
        for tool in self.tools:
            if domain and domain in tool.domains:
                return Match(tool, LOW, "vendor mail domain only")
        return None

    def _generic_tool(self) -> Tool | None:
        return next((t for t in self.tools if t.id == GENERIC_TOOL), None)

    def suffix_tool(self, name: str) -> Tool | None:
        """The tool whose name suffix (``Jane Doe (aider)``) ends ``name``."""
        lname = name.strip().lower()
        for tool in self.tools:
            for suffix in tool.name_suffixes:
                if lname.endswith(suffix) and len(lname) > len(suffix):
                    return tool
        return None

    def tool_for_email(self, email: str) -> Tool | None:
        """A tool whose agent address or GitHub account ``email`` is (high-confidence forms only)."""
        m = self.identify("", email)
        return m.tool if m is not None and m.confidence == HIGH else None

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

    def tool_in_declaration(self, text: str) -> Tool | None:
        """The tool a text that already declares AI names, also as the first word of a
        ``<tool>-<model>-<effort>`` slug (``codex-gpt-5.5-medium``, ``claude-opus-4-8-high``)."""
        return self.tool_for_words(text) or self.tool_for_words(text.replace("-", " "))

    # -- signals -----------------------------------------------------------------------------------
    def _sig(self, kind: str, tool: Tool | None, conf: str, evidence: str, rule: str) -> Signal:
        tid = tool.id if tool else "unknown"
        return Signal(kind, tid, conf, evidence, rule, tool.name if tool else "unknown tool")

    def trailer_signals(self, trailers: list[Trailer], rule: str = "trailer") -> list[Signal]:
        out: list[Signal] = []
        for t in trailers:
            key = t.key.lower()
            sig = self._trailer_signal(key, t.value, t.line, rule)
            if sig is not None:
                out.append(sig)
            for ckey, pattern, raw in self.extra_trailers:
                if key == ckey and (pattern is None or pattern.search(t.value)):  # type: ignore[attr-defined]
                    out.append(Signal("config", "config", HIGH, t.line, f"config trailer {raw!r}", "config"))
        return out

    def _trailer_signal(self, key: str, value: str, line: str, rule: str) -> Signal | None:
        for own in self.tools:
            if key in own.trailers:
                pattern = own.trailers[key]
                if pattern is None or pattern.search(value):
                    return self._sig("tool-trailer", own, HIGH, line, f"{own.name}'s own {rule}")
        if key in self.ai_keys:
            if value.strip().lower() in self.negative_values:
                return None
            return self._sig("trailer", self.tool_in_declaration(value), HIGH, line, f"AI declaration {rule}")
        if key not in self.person_keys and key not in self.tool_keys:
            return None
        ident = _IDENTITY.match(value)
        if ident is not None:
            m = self.identify(ident.group("name"), ident.group("email"))
            if m is None and key in self.tool_keys:
                return None  # an address that belongs to nobody known: a person
            if m is None:
                return None
            return self._sig("trailer", m.tool, m.confidence, line, f"{m.rule} in a {key} {rule}")
        tool: Tool | None
        if key in self.person_keys:
            tool = self.tool_for_name(value)
            if tool is None:
                return None
            weak = " ".join(value.split()).lower() in tool.common_names
            conf = LOW if weak else MEDIUM
            return self._sig("trailer", tool, conf, line, f"tool name without an address in a {key} {rule}")
        # A tool key without an address: "Generated-by: GitHub Copilot", "Assisted-by: Claude:opus-4".
        tool = self.tool_for_words(value) or self.tool_for_name(value)
        if tool is not None:
            return self._sig("trailer", tool, HIGH, line, f"tool named in a {key} {rule}")
        am = _AGENT_MODEL.match(value.strip())
        if am is not None:
            tool = self.tool_for_words(am.group("agent"))
            return self._sig("trailer", tool, HIGH, line, f"AGENT:MODEL in a {key} {rule}")
        return None

    def body_trailer_signals(self, message: str, block: list[Trailer]) -> list[Signal]:
        """Well-formed trailer lines of a known tool outside git's final trailer block (high only)."""
        seen = {t.line for t in block}
        out: list[Signal] = []
        lines = message.split("\n")
        for i in range(1, len(lines)):
            m = _TRAILER_LINE.match(lines[i])
            if m is None:
                continue
            value = m.group("value")
            j = i + 1
            while j < len(lines) and lines[j][:1] in (" ", "\t") and lines[j].strip():
                value = f"{value} {lines[j].strip()}" if value else lines[j].strip()
                j += 1
            t = Trailer(m.group("key"), value)
            if t.line in seen:
                continue
            sig = self._trailer_signal(t.key.lower(), value, t.line, "trailer line outside the final block")
            if sig is not None and sig.tool != "unknown" and sig.confidence in (HIGH, EXACT):
                out.append(sig)
        return out

    def _gates(self) -> tuple[re.Pattern[str] | None, tuple[str, ...]]:
        """One regex any tool marker needs to match, and every subject prefix (cheap pre-checks)."""
        if self._gate is None:
            markers = [m.pattern for t in self.tools for m in (*t.markers, *t.sessions)]
            rx = re.compile("|".join(f"(?:{m})" for m in markers), re.I | re.M) if markers else None
            self._gate = (rx, tuple(p for t in self.tools for p in t.subject_prefixes))
        return self._gate

    def message_signals(self, message: str) -> list[Signal]:
        out: list[Signal] = []
        subject = message.split("\n", 1)[0]
        gate, prefixes = self._gates()
        maybe = subject.startswith(prefixes) or (gate is not None and gate.search(message) is not None)
        for tool in self.tools if maybe else ():
            prefix = next((p for p in tool.subject_prefixes if subject.startswith(p)), None)
            if prefix is not None:
                out.append(
                    self._sig("subject", tool, HIGH, subject, f"{tool.name}'s subject prefix {prefix!r}")
                )
            for pattern in tool.markers:
                m = pattern.search(message)
                if m:
                    out.append(self._sig("marker", tool, MEDIUM, _line_at(message, m.start()), "tool footer"))
                    break
            out += self._session_signals(tool, message)
        if self.on_behalf is not None:
            for ob in self.on_behalf.finditer(message):
                line = ob.group(0).strip()
                inner = line.strip("_* \t")
                named = self.tool_in_declaration(inner)
                if named is not None or _AI_WORDS.search(inner):
                    out.append(self._sig("marker", named, MEDIUM, line, "'on behalf of' agent line"))
                    break
        for raw, config_rx in self.extra_messages:
            hit = config_rx.search(message)  # type: ignore[attr-defined]
            if hit:
                evidence = _line_at(message, hit.start())
                out.append(
                    Signal("config", "config", MEDIUM, evidence, f"config message pattern {raw!r}", "config")
                )
        return out

    def _session_signals(self, tool: Tool, message: str) -> list[Signal]:
        """A link to one of the tool's agent sessions: high on a line of its own (a footer), else medium."""
        for pattern in tool.sessions:
            m = pattern.search(message)
            if m is None:
                continue
            line = _line_at(message, m.start())
            words = _MARKUP.sub(" ", line).split()
            if len(words) <= _LINK_LINE_WORDS:
                return [self._sig("session", tool, HIGH, line, f"link to a {tool.name} agent session")]
            rule = f"link to a {tool.name} agent session inside prose"
            return [self._sig("session", tool, MEDIUM, line, rule)]
        return []

    def disclosure_signals(self, message: str) -> list[Signal]:
        """A prose disclosure that says AI wrote part of the change (see :mod:`.disclosures`)."""
        out = []
        for d in find_disclosures(message):
            tool = self.tool_in_declaration(d.text) or self._generic_tool()
            out.append(self._sig("disclosure", tool, self.disclosures, d.text, d.rule))
        return out

    def identity_signals(self, kind: str, name: str, email: str) -> list[Signal]:
        out: list[Signal] = []
        who = f"{kind} {name} <{email}>"
        suffix = self.suffix_tool(name)
        if suffix is not None:
            out.append(self._sig(kind, suffix, HIGH, who, f"{suffix.name}'s name suffix"))
        m = self.identify(name, email)
        if m is not None:
            out.append(
                self._sig(
                    "domain" if m.rule == "vendor mail domain only" else kind,
                    m.tool,
                    m.confidence,
                    who,
                    m.rule,
                )
            )
        lemail = email.strip().lower()
        for pat in self.extra_emails:
            if lemail and fnmatch.fnmatchcase(lemail, pat):
                out.append(Signal("config", "config", HIGH, who, f"config email {pat!r}", "config"))
                break
        return out

    def commit_signals(
        self, message: str, author: tuple[str, str], committer: tuple[str, str] | None = None
    ) -> list[Signal]:
        """Every signal of one commit, strongest and most specific first, duplicates removed."""
        signals = self.identity_signals("author", *author)
        if committer is not None and committer != author:
            authored = {s.tool for s in signals}
            for s in self.identity_signals("committer", *committer):
                if s.tool in authored:
                    continue
                # the tool only committed (aider: "committed changes found in dirty files"): weak
                rule = f"committer only: {s.rule}"
                conf = self.committer_only
                signals.append(Signal("committer", s.tool, conf, s.evidence, rule, s.tool_name))
        block = parse_trailers(message)
        signals += self.trailer_signals(block)
        signals += self.body_trailer_signals(message, block)
        signals += self.message_signals(message)
        if self.disclosures != "off":
            signals += self.disclosure_signals(message)
        seen: set[tuple[str, str, str]] = set()
        stated: dict[str, int] = {}
        for s in signals:
            if s.kind not in ("session", "disclosure"):
                stated[s.evidence] = max(stated.get(s.evidence, 0), RANK[s.confidence])
        out = []
        for s in ranked(signals):
            if s.kind in ("session", "disclosure") and stated.get(s.evidence, 0) >= RANK[s.confidence]:
                continue  # "Claude-Session: <url>", "Generated with Claude Code": the tool's own mark
            if (s.kind, s.evidence, s.tool) not in seen:
                seen.add((s.kind, s.evidence, s.tool))
                out.append(s)
        return out

    def counts(self, signal: Signal) -> bool:
        """Whether ``signal`` is strong enough to make lines AI (``[ai] min_confidence``)."""
        return RANK[signal.confidence] >= RANK[self.min_confidence]

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
            if rx.match(path):  # type: ignore[attr-defined]
                return raw
        return None


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)].strip()
