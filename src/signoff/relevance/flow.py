"""Data-flow-lite: user input that reaches a dangerous call through a variable, a field or a helper.

Per file, in one pass over its added lines (comments blanked, see :mod:`statements`): names assigned from
request input (handler parameters, query/body/form/header/path values; :mod:`flow_rules` per language) are
tainted, taint follows plain assignments, concatenation, formatting and joins, and a sink (file access,
outbound request, redirect, HTML output, template, command, query, XML parse, deserialisation, eval)
whose checked argument holds a tainted name or a source raises the sink's question at the sink's line.
Scopes follow indentation (a function's names end where its body does). Linear in the file's length;
files without a sink, or without both a source and request parameters, cost one regex scan.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from signoff.relevance.flow_langs import rules_for
from signoff.relevance.flow_prefilter import Searcher
from signoff.relevance.flow_rules import (
    COMMAND,
    NOT_DATA,
    NOT_REQUEST_TYPE,
    ROUTE,
    SANITIZER,
    SQL,
    UNTRUSTED_HINT,
    UNTRUSTED_NAME,
    WEB_CODE,
    WEB_FILE,
    WEB_TYPE,
    Rules,
)
from signoff.relevance.hitutil import clip
from signoff.relevance.model import Hit

if TYPE_CHECKING:
    from signoff.diff.model import FileDiff
    from signoff.relevance.statements import SideText

_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`")
_INTERP = re.compile(r"\$\{([^}]*)\}|#\{([^}]*)\}|\{([^{}]*)\}|(\$[A-Za-z_]\w*(?:->\w+)*)")
_NAME = re.compile(
    r"(?<![\w$])\$[A-Za-z_]\w*(?:->\w+)*|(?<![\w$.>])[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*"
)
_IDENT = re.compile(r"\$?[A-Za-z_][\w$]*")
_CLOSERS = {")": "(", "]": "[", "}": "{"}
#: Characters scanned for one call's arguments (bounds an unbalanced bracket).
MAX_ARGS = 2000
#: Work allowed per file: characters scanned for arguments and checked for input, per character of the
#: file, plus a constant (keeps hostile files linear: thousands of unclosed calls on one line).
WORK_PER_CHAR = 4
WORK_BASE = 100_000
#: Sanitiser calls dropped from one expression.
MAX_SANITIZERS = 16


class _OutOfBudget(Exception):
    """The file's work budget is spent (hostile input): stop with the findings so far."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A sink reached by input: ``question`` at global line ``line`` of the side text."""

    question: str
    line: int
    sink: str
    why: str


@dataclass(slots=True)
class _Frame:
    indent: int
    names: dict[str, str | None] = field(default_factory=dict)


class _Scope:
    """Frames of tainted names, one per enclosing function (by indentation)."""

    def __init__(self) -> None:
        self.frames = [_Frame(-1)]

    def enter_line(self, indent: int) -> None:
        while len(self.frames) > 1 and self.frames[-1].indent >= indent:
            self.frames.pop()

    def push(self, indent: int, names: dict[str, str | None]) -> None:
        self.frames.append(_Frame(indent, names))

    def set(self, name: str, why: str | None) -> None:
        self.frames[-1].names[name] = why

    def get(self, name: str) -> str | None:
        for fr in reversed(self.frames):
            if name in fr.names:
                return fr.names[name]
        return None

    def any(self) -> bool:
        return any(v for fr in self.frames for v in fr.names.values())


def _skip_string(s: str, i: int, end: int, dead: dict[str, int]) -> int:
    """Where to go on from the quote at ``s[i]``: after the string it opens, else ``i + 1``.

    A quote whose string does not close before ``end`` (or, for ``"`` and ``'``, the end of its line)
    makes every later quote of its kind up to there fail the same way (each is escaped in that scan):
    they are skipped instead of scanned again, so a run of escaped quotes costs one scan, not one per
    quote (a line of escaped backticks made the flow pass quadratic).
    """
    q = s[i]
    if dead.get(q, -1) > i:
        return i + 1
    m = _STRING.match(s, i, end)
    if m:
        return m.end()
    if q == "`":
        dead[q] = end
    else:
        nl = s.find("\n", i, end)
        dead[q] = end if nl < 0 else nl
    return i + 1


def _close(s: str, pos: int, stop: int) -> int:
    """Index of the bracket closing the one before ``pos`` (or ``stop``), skipping strings."""
    depth = 0
    i = pos
    end = min(stop, pos + MAX_ARGS)
    dead: dict[str, int] = {}
    while i < end:
        ch = s[i]
        if ch in "\"'`":
            i = _skip_string(s, i, end, dead)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return i
            depth -= 1
        elif ch == ";" and depth == 0:
            return i
        i += 1
    return end


def _split_args(s: str) -> list[str]:
    """Top-level comma-separated parts of ``s``."""
    out: list[str] = []
    depth = 0
    start = i = 0
    n = len(s)
    dead: dict[str, int] = {}
    while i < n:
        ch = s[i]
        if ch in "\"'`":
            nxt = _skip_string(s, i, n, dead)
            if nxt > i + 1:
                i = nxt
                continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(s[start:i])
            start = i + 1
        i += 1
    out.append(s[start:])
    return out


def _unquote(expr: str) -> str:
    """``expr`` with string contents dropped, interpolations (``${x}``, ``#{x}``, f-string ``{x}``, PHP
    ``$x``) kept, and sanitiser calls dropped with their arguments."""

    def lit(m: re.Match[str]) -> str:
        parts = [g for im in _INTERP.finditer(m.group()) for g in im.groups() if g]
        return " (" + " ".join(parts) + ") " if parts else '""'

    out = _STRING.sub(lit, expr)
    for _ in range(MAX_SANITIZERS):
        m = SANITIZER.search(out)
        if m is None:
            break
        end = _close(out, m.end(), len(out))
        out = out[: m.start()] + " 0 " + out[end + 1 :]
    return out


def _is_literal(expr: str) -> bool:
    e = expr.strip()
    return not e or bool(
        re.fullmatch(r"(?:[\"'`][^\"'`]*[\"'`]|[\d.]+|None|null|nil|true|false|True|False)", e)
    )


class _FileFlow:
    """The flow analysis of one file."""

    def __init__(self, rules: Rules, body: str, web_file: bool) -> None:
        self.rules = rules
        self.body = body
        self.scope = _Scope()
        self.web_file = web_file
        self.route_pending = False
        self.budget = WORK_BASE + WORK_PER_CHAR * len(body)

    def charge(self, work: int) -> None:
        self.budget -= work
        if self.budget < 0:
            raise _OutOfBudget

    def close(self, pos: int, stop: int) -> int:
        """:func:`_close` over the file's body, charged to its budget."""
        end = _close(self.body, pos, stop)
        self.charge(end - pos + 1)
        return end

    def tainted(self, expr: str) -> str | None:
        """Why ``expr`` carries input (None: it does not, as far as this file shows)."""
        self.charge(len(expr) + 1)
        clean = _unquote(expr)
        m = self.rules.sources.search(clean)
        if m:
            return m.group().rstrip("( ")
        for m in _NAME.finditer(clean):
            chain = re.sub(r"\s+", "", m.group())
            parts = chain.split(".")
            for k in range(len(parts), 0, -1):
                why = self.scope.get(".".join(parts[:k]))
                if why:
                    return why if why.startswith(chain) else f"{chain} <- {why}"
        return None

    def params(self, text: str, indent: int, after_route: bool) -> None:
        """Push a frame for a function whose parameter list is ``text``."""
        names: dict[str, str | None] = {}
        rules = self.rules
        for part in _split_args(text):
            p = part.strip()
            if not p:
                continue
            marked = bool(rules.param_marks and rules.param_marks.search(p))
            typed = bool(WEB_TYPE.search(p)) and not NOT_REQUEST_TYPE.search(p)
            name = _param_name(p, rules.param_name)
            if not name:
                continue
            if (
                marked
                or typed
                or UNTRUSTED_NAME.match(name)
                or ((after_route or self.web_file) and name.lstrip("$") not in NOT_DATA)
            ):
                names[name] = f"parameter {name}"
            else:
                names[name] = None
        self.scope.push(indent, names)

    def assign(self, lhs: str, rhs: str) -> None:
        why = self.tainted(rhs)
        for name in re.split(r"\s*,\s*", lhs.strip("{}[] ")):
            name = re.sub(r"\s+", "", name.split(":")[-1].split("=")[0]).lstrip("@")
            if name and _IDENT.match(name):
                self.scope.set(name, f"{name} <- {why}" if why and not why.startswith(name) else why)


def _param_name(p: str, how: str) -> str:
    p = re.sub(r"@\w+(?:\([^()]*\))?|\[[^\]]*\]", " ", p).split("=")[0].strip()
    if how == "dollar":
        m = re.search(r"\$\w+", p)
        return m.group() if m else ""
    if how == "first" or ":" in p:
        m = re.match(r"\s*(?:\.\.\.|\*{1,2})?([A-Za-z_$][\w$]*)", p)
        return m.group(1) if m else ""
    words = re.findall(r"[A-Za-z_$][\w$]*", p)
    return words[-1] if words else ""


def _lines(text: SideText, first: int, end: int) -> tuple[str, list[int], list[int]]:
    """The file's code with real newlines, its line starts (relative) and statement-end offsets per line."""
    base = text.line_starts[first]
    stop = text.line_starts[end] - 1 if end < text.line_count else len(text.code)
    chars = list(text.code[base:stop])
    starts = [text.line_starts[i] - base for i in range(first, end)]
    for s in starts[1:]:
        chars[s - 1] = "\n"
    body = "".join(chars)
    stmt_end = [len(body)] * len(starts)
    si = text.stmt_of_line(first)
    for i in range(first, end):
        while si + 1 < len(text.stmt_first) and text.stmt_first[si + 1] <= i:
            si += 1
        last = text.stmt_lines(si)[1]
        if last < end:
            stmt_end[i - first] = text.line_starts[last] - 1 - base
    return body, starts, stmt_end


def file_findings(
    text: SideText, first: int, end: int, kinds: frozenset[str], path: str
) -> Iterator[Finding]:
    """Findings in the file whose lines are ``first`` .. ``end - 1`` of ``text``."""
    rules = rules_for(kinds)
    if rules is None:
        return
    code = text.code[text.line_starts[first] : text.line_starts[end] - 1 if end < text.line_count else None]
    matches = Searcher(rules, code)  # regex searches, most ruled out by one Hyperscan pass
    if not matches.may(rules.sink_rx):
        return
    web_file = WEB_FILE.search(path) is not None or matches(WEB_CODE)
    gated = [
        g is not None and matches(g) and (u is None or not matches(u))
        for g, u in zip(rules.gates, rules.unless, strict=True)
    ]
    marks = rules.param_marks
    if not (
        any(gated)
        or web_file
        or matches(rules.sources)
        or (marks is not None and matches(marks))
        or matches(ROUTE)
        or matches(UNTRUSTED_HINT)
    ):
        return
    if not matches(rules.sink_rx):
        return
    body, starts, stmt_end = _lines(text, first, end)
    walk = _Walk(rules, body, starts, stmt_end, web_file, gated)
    events = walk.events()
    found = walk.run({}, events)
    if walk.tainted_calls:  # a helper of this file called with input: its parameters carry it
        again = _Walk(rules, body, starts, stmt_end, web_file, gated)
        found = again.run(walk.tainted_calls, [e for e in events if e[1] != 4])
    for li, q, sink, why in found:
        yield Finding(q, first + li, sink, why)


_FUNC_NAME = re.compile(
    r"([A-Za-z_$][\w$]*)\s*(?:=\s*(?:async\s*)?(?:function\b\s*\*?\s*)?|:\s*(?:async\s*)?)?$"
)
#: A call of a named function (optionally ``this.``, ``self.``, ``$this->``): group 1 is the name.
_ANY_CALL = re.compile(r"(?<![\w$])(?:this\.|self\.|\$this->)?([A-Za-z_$][\w$]*)\s*\(")
_DEF_BEFORE = re.compile(r"\b(?:def|function|func|fun|sub)\s+(?:\([^()\n]*\)\s*)?$")
_CALLBACK = re.compile(r"\bfunction\b|\blambda\b")
_KEYWORD_ARG = re.compile(r"\s*:?\w+\s*(?::(?!:)|=(?!=))")
_KEYWORDS = frozenset(
    (
        "function",
        "func",
        "def",
        "fun",
        "if",
        "for",
        "while",
        "switch",
        "catch",
        "return",
        "new",
        "async",
        "await",
    )
)


class _Walk:
    """One pass over a file's lines: frames by indentation, then the events of each line in order."""

    def __init__(
        self,
        rules: Rules,
        body: str,
        starts: list[int],
        stmt_end: list[int],
        web_file: bool,
        gated: list[bool],
    ) -> None:
        self.rules, self.body, self.starts, self.stmt_end, self.gated = rules, body, starts, stmt_end, gated
        self.flow = _FileFlow(rules, body, web_file)
        self.kwargs_only = rules.name == "python"
        self.tainted_calls: dict[str, set[int]] = {}
        self.helpers: dict[str, set[int]] = {}

    def events(self) -> list[tuple[int, int, re.Match[str]]]:
        """Every function definition, assignment, sink, out-parameter and call of a file function, in
        order (shared by both passes)."""
        rules, body = self.rules, self.body
        events: list[tuple[int, int, re.Match[str]]] = []
        names: set[str] = set()
        for m in rules.funcdef.finditer(body):
            events.append((max(m.start(), self._opener(m)), 0, m))
            name = self._func_name(m)
            if name:
                names.add(name)
        for kind, rx in ((1, rules.assign), (2, rules.sink_rx), (3, rules.out_param)):
            if rx is not None:
                events += [(m.start(), kind, m) for m in rx.finditer(body)]
        if names:  # one identifier regex, names looked up in a set: an alternation of every name
            # defined in the file was tried at each word (a file of 30,000 functions: minutes)
            events += [(m.start(), 4, m) for m in _ANY_CALL.finditer(body) if m.group(1) in names]
        events.sort(key=lambda e: (e[0], e[1]))
        return events

    def _func_name(self, m: re.Match[str]) -> str:
        opener = self._opener(m)
        if opener < 0:
            return ""
        line_start = self.body.rfind("\n", 0, opener) + 1
        got = _FUNC_NAME.search(self.body, line_start, opener)
        return got.group(1) if got and got.group(1) not in _KEYWORDS else ""

    @staticmethod
    def _opener(m: re.Match[str]) -> int:
        groups = m.groupdict()
        for g in ("open", "open2"):
            if groups.get(g):
                return m.start(g)
        return -1

    def run(
        self, helpers: dict[str, set[int]], events: list[tuple[int, int, re.Match[str]]]
    ) -> list[tuple[int, str, str, str]]:
        """(line index, question, sink text, why) per sink reached; ``helpers``: {function: tainted
        parameter positions} found by an earlier pass."""
        self.helpers = helpers
        out: list[tuple[int, str, str, str]] = []
        with contextlib.suppress(_OutOfBudget):
            self._loop(events, out)
        return out

    def _loop(
        self, events: list[tuple[int, int, re.Match[str]]], out: list[tuple[int, str, str, str]]
    ) -> None:
        body, starts, flow = self.body, self.starts, self.flow
        ei, n = 0, len(starts)
        for li in range(n):
            ls = starts[li]
            le = starts[li + 1] - 1 if li + 1 < n else len(body)
            line = body[ls:le]
            stripped = line.lstrip()
            if not stripped:
                continue
            indent = len(line) - len(stripped)
            if stripped[0] != "{":  # an opening brace on its own line (Allman style) is still the header
                flow.scope.enter_line(indent)
            if ROUTE.search(stripped):
                flow.route_pending = True
            while ei < len(events) and events[ei][0] <= le:
                _, kind, m = events[ei]
                ei += 1
                stop = self.stmt_end[li] if self.stmt_end[li] > m.end() else len(body)
                if kind == 0:
                    self._def(m, indent, stop)
                elif kind == 1:
                    # Python: a line inside a bracketed statement holds keyword arguments, not assignments
                    if not (self.kwargs_only and li and self.stmt_end[li - 1] == self.stmt_end[li]):
                        self._assign(m, stop)
                elif kind == 2:
                    found = (
                        None
                        if self._at_def(m.start())
                        else _sink(flow, self.rules, m, body, stop, self.gated)
                    )
                    if found is not None:
                        sink = m.group().strip()[:60]
                        out.append((li, found[0], sink, found[1]))
                        also = self.rules.sinks[int((m.lastgroup or "s0")[1:])].also
                        if also and not found[1].startswith("an XML parser"):
                            out.append((li, also, sink, found[1]))
                elif kind == 3:
                    self._out_param(m, ls, stop)
                else:
                    self._call(m, stop)

    def _def(self, m: re.Match[str], indent: int, stop: int) -> None:
        opener = self._opener(m)
        if opener < 0:
            return
        body, flow = self.body, self.flow
        close = flow.close(opener + 1, max(stop, opener + 1))
        params = body[opener + 1 : close]
        flow.params(params, indent, flow.route_pending or _django_view(params))
        flow.route_pending = False
        name = self._func_name(m)
        tainted = self.helpers.get(name)
        if tainted:
            for pos, part in enumerate(_split_args(params)):
                pname = _param_name(part.strip(), self.rules.param_name)
                if pos in tainted and pname:
                    flow.scope.set(pname, f"{pname} <- argument of {name}()")

    def _assign(self, m: re.Match[str], stop: int) -> None:
        lhs = m.group("lhs") or m.group("lhs2")
        if lhs:
            self.flow.assign(lhs, self.body[m.end() : self.flow.close(m.end(), stop)])

    def _out_param(self, m: re.Match[str], line_start: int, stop: int) -> None:
        start = max(line_start, m.start() - MAX_ARGS)
        why = self.flow.tainted(self.body[start : self.flow.close(m.end(), stop)])
        if why:
            name = m.group(1)
            self.flow.scope.set(name, f"{name} <- {why}")

    def _at_def(self, at: int) -> bool:
        """Whether ``at`` is the name of a function being defined (not a call)."""
        return _DEF_BEFORE.search(self.body, max(0, at - 24), at) is not None

    def _call(self, m: re.Match[str], stop: int) -> None:
        """A call of a function defined in this file: note which arguments carry input."""
        paren = m.end() - 1
        end = self.flow.close(paren + 1, stop)
        if self._at_def(m.start()):
            return
        for pos, arg in enumerate(_split_args(self.body[paren + 1 : end])):
            if self.flow.tainted(arg):
                self.tainted_calls.setdefault(m.group(1), set()).add(pos)


def _django_view(params: str) -> bool:
    return bool(re.match(r"\s*request\s*[,)]?", params)) and "," in params


def _sink(
    flow: _FileFlow, rules: Rules, m: re.Match[str], body: str, stop: int, gated: list[bool]
) -> tuple[str, str] | None:
    idx = int((m.lastgroup or "s0")[1:])
    sink = rules.sinks[idx]
    stop = stop if stop > m.end() else len(body)
    paren = m.group().find("(")
    at = m.start() + paren if paren >= 0 else m.end()
    if paren < 0:  # Ruby: a call with or without parentheses
        while at < stop and body[at] in " \t":
            at += 1
    if sink.args == "match":
        args = [m.group()]
    elif sink.args == "rest" or body[at : at + 1] != "(":
        args = [body[m.end() : flow.close(m.end(), stop)]]
    else:
        args = _split_args(body[at + 1 : flow.close(at + 1, stop)])
    if sink.args == "first":
        args = args[:1]
    elif sink.args == "second":
        args = args[1:2]
    args = [a for a in args if "=>" not in a and not _CALLBACK.search(a)]
    if sink.question in (SQL, COMMAND):  # keyword / hash arguments: bound values, options, not the text
        args = [a for a in args if not _KEYWORD_ARG.match(a)]
    if sink.question == SQL:  # a query-builder expression (ORM comparisons), not query text
        args = [a for a in args if "==" not in a]
    for a in args:
        why = flow.tainted(a)
        if why and (sink.taint_too or not sink.gate):
            return sink.question, why
    if gated[idx] and any(not _is_literal(a) for a in args):
        return sink.question, "an XML parser of this file is not hardened against external entities"
    return None


#: How a data-flow hit's ``pattern`` starts (``flow: name <- source``).
FLOW_PREFIX = "flow: "


def add_flow_hits(
    text: SideText,
    files: list[FileDiff],
    kinds: list[frozenset[str]],
    question_index: dict[str, int],
    add: Callable[[int, str, Hit | None], None],
) -> None:
    """Add a hit per finding of every file of ``text`` (the added side) whose question is loaded, unless
    that question already has a hit on that line."""
    bounds = [*text.file_first, text.line_count]
    for k, fi in enumerate(text.file_idx):
        f = files[fi]
        for found in file_findings(text, bounds[k], bounds[k + 1], kinds[fi], f.path):
            qi = question_index.get(found.question)
            if qi is None:
                continue
            ls, le = text.span(found.line, found.line + 1)
            number = text.number(found.line)
            hit = Hit(
                f.path,
                number,
                "new",
                clip(text.raw[ls:le]),
                "added",
                f"{FLOW_PREFIX}{found.why}",
                clip(found.sink),
            )
            add(qi, "added", hit)
