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
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from signoff.relevance.flow_langs import rules_for
from signoff.relevance.flow_prefilter import Searcher
from signoff.relevance.flow_rules import (
    ARCHIVE_API,
    COMMAND,
    NOT_DATA,
    NOT_REQUEST_TYPE,
    QUERY_LITERAL,
    ROUTE,
    SQL,
    UNTRUSTED_HINT,
    UNTRUSTED_NAME,
    WEB_CODE,
    WEB_FILE,
    WEB_TYPE,
    XXE,
    Rules,
)
from signoff.relevance.flow_text import (
    BUILD,
    KEYWORDS,
    MAX_ARGS,
    MAX_TRACE,
    SQL_MARK,
    because,
    close,
    is_literal,
    param_name,
    query_built,
    split_args,
    trace_of,
    unquote,
    with_offsets,
)
from signoff.relevance.hitutil import added_hit
from signoff.relevance.model import Hit

if TYPE_CHECKING:
    from signoff.diff.model import FileDiff
    from signoff.relevance.statements import SideText

_NAME = re.compile(
    r"(?<![\w$])\$[A-Za-z_]\w*(?:->\w+)*|(?<![\w$.>])[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*"
)
_IDENT = re.compile(r"\$?[A-Za-z_][\w$]*")
_CLOSERS = {")": "(", "]": "[", "}": "{"}
#: Work allowed per file: characters scanned for arguments and checked for input, per character of the
#: file, plus a constant (keeps hostile files linear: thousands of unclosed calls on one line).
WORK_PER_CHAR = 4
WORK_BASE = 100_000


#: A sink reached: (line index, question, sink text, why, trace line indexes).
_Reached = tuple[int, str, str, str, tuple[int, ...]]


class _OutOfBudget(Exception):
    """The file's work budget is spent (hostile input): stop with the findings so far."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A sink reached by input: ``question`` at global line ``line`` of the side text."""

    question: str
    line: int
    sink: str
    why: str
    #: For a line of the trace (where the value reaching a sink was built): the sink's global line.
    sink_line: int | None = None


@dataclass(frozen=True, slots=True)
class _Facts:
    """What a file shows as a whole: a request handler file, an archive reader, which sinks' gates are
    on and which sinks are off (their ``requires`` is not in the file)."""

    web_file: bool
    archive: bool
    gated: list[bool]
    off: list[bool]


@dataclass(slots=True)
class _Frame:
    indent: int
    names: dict[str, str | None] = field(default_factory=dict)
    #: Lines (indexes in the file) where a tainted name's value was built, newest first.
    lines: dict[str, tuple[int, ...]] = field(default_factory=dict)


class _Scope:
    """Frames of tainted names, one per enclosing function (by indentation)."""

    def __init__(self) -> None:
        self.frames = [_Frame(-1)]

    def enter_line(self, indent: int) -> None:
        while len(self.frames) > 1 and self.frames[-1].indent >= indent:
            self.frames.pop()

    def push(self, indent: int, names: dict[str, str | None]) -> None:
        self.frames.append(_Frame(indent, names))

    def set(self, name: str, why: str | None, lines: tuple[int, ...] = ()) -> None:
        top = self.frames[-1]
        top.names[name] = why
        top.lines[name] = lines

    def get(self, name: str) -> str | None:
        for fr in reversed(self.frames):
            if name in fr.names:
                return fr.names[name]
        return None

    def lines(self, name: str) -> tuple[int, ...]:
        """Where the value of ``name`` (as :meth:`get` finds it) was built."""
        for fr in reversed(self.frames):
            if name in fr.names:
                return fr.lines.get(name, ())
        return ()

    def any(self) -> bool:
        return any(v for fr in self.frames for v in fr.names.values())


class _FileFlow:
    """The flow analysis of one file."""

    def __init__(self, rules: Rules, body: str, web_file: bool, archive: bool = False) -> None:
        self.rules = rules
        self.archive = rules.archive_sources if archive else None
        self.body = body
        self.scope = _Scope()
        self.web_file = web_file
        self.route_pending = False
        self.budget = WORK_BASE + WORK_PER_CHAR * len(body)
        #: The line (index in the file) being walked, and the trace of the last tainted expression:
        #: lines where the value it reads was built, and the line where input appears in it.
        self.line = 0
        self.trace: tuple[int, ...] = ()
        self.seen_at = -1
        self.direct = False
        #: Names assigned a string literal of query text (``sql = "SELECT ... = '"``).
        self.queries: set[str] = set()

    def charge(self, work: int) -> None:
        self.budget -= work
        if self.budget < 0:
            raise _OutOfBudget

    def close(self, pos: int, stop: int) -> int:
        """:func:`close` over the file's body, charged to its budget."""
        end = close(self.body, pos, stop)
        self.charge(end - pos + 1)
        return end

    def tainted(self, expr: str, at: int = -1, sql_ok: bool = False) -> str | None:
        """Why ``expr`` carries input (None: it does not, as far as this file shows); ``sql_ok``: names
        holding query text built from a value count too. Also sets :attr:`trace` (where the value read
        was built) and, when ``expr`` starts at body offset ``at``, :attr:`seen_at` (the body offset
        where the input appears in it)."""
        self.charge(len(expr) + 1)
        self.trace, self.seen_at, self.direct = (), -1, False
        clean = unquote(expr)
        m = self.rules.sources.search(clean) or (self.archive and self.archive.search(clean))
        if m:
            self.direct = True
            self._seen(expr, m.group(), at)
            return m.group().rstrip("( ")
        for m in _NAME.finditer(clean):
            chain = re.sub(r"\s+", "", m.group())
            parts = chain.split(".")
            for k in range(len(parts), 0, -1):
                name = ".".join(parts[:k])
                why = self.scope.get(name)
                if why and (sql_ok or SQL_MARK not in why):
                    self.trace = self.scope.lines(name)
                    self._seen(expr, m.group(), at)
                    return why if why.startswith(chain) else because(chain, why)
        return None

    def _seen(self, expr: str, token: str, at: int) -> None:
        if at >= 0:
            i = expr.find(token)
            self.seen_at = at + i if i >= 0 else at

    def params(self, text: str, indent: int, after_route: bool) -> None:
        """Push a frame for a function whose parameter list is ``text``."""
        names: dict[str, str | None] = {}
        rules = self.rules
        for part in split_args(text):
            p = part.strip()
            if not p:
                continue
            marked = bool(rules.param_marks and rules.param_marks.search(p))
            typed = bool(WEB_TYPE.search(p)) and not NOT_REQUEST_TYPE.search(p)
            name = param_name(p, rules.param_name)
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

    def assign(self, lhs: str, rhs: str, augmented: bool = False) -> None:
        """``lhs = rhs`` (``augmented``: ``+=``, ``.=``, which keeps what ``lhs`` held)."""
        why = self.tainted(f"{lhs} + {rhs}" if augmented else rhs)
        # the trace keeps lines where input enters or the value is built (joined, concatenated,
        # formatted), not plain copies and calls
        built = bool(why) and (self.direct or augmented or BUILD.search(rhs) is not None)
        if not why:  # query text built from a value (SQL sinks only), or a copy of such text
            why, built = self._query(lhs, rhs, augmented)
        lines = trace_of(self.line, self.trace) if built else self.trace
        for name in re.split(r"\s*,\s*", lhs.strip("{}[] ")):
            name = re.sub(r"\s+", "", name.split(":")[-1].split("=")[0]).lstrip("@")
            if name and _IDENT.match(name):
                self.scope.set(name, because(name, why) if why and not why.startswith(name) else why, lines)

    def _query(self, lhs: str, rhs: str, augmented: bool) -> tuple[str | None, bool]:
        """Why ``lhs`` holds query text built from a value after ``lhs = rhs`` (or ``+=``), and whether
        this line builds it; :attr:`trace` is left at the lines that built it before."""
        prior = self.tainted(lhs, sql_ok=True) if augmented else None
        older = self.trace
        joined = query_built(rhs)
        if not joined and augmented and (prior or lhs in self.queries):
            joined = query_built(f'" where " + {rhs}')  # more text of a query
        if not augmented and QUERY_LITERAL.search(rhs):
            self.queries.add(lhs)
        why = f"{SQL_MARK}{joined}" if joined else prior or self.tainted(rhs, sql_ok=True)
        if joined or prior:
            self.trace = older
        return why, bool(joined)


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
    # archive entry names are input in a file that reads archives (zip slip)
    archive = rules.archive_sources is not None and matches(ARCHIVE_API) and matches(rules.archive_sources)
    marks = rules.param_marks
    if not (
        any(gated)
        or web_file
        or archive
        or matches(rules.sources)
        or (marks is not None and matches(marks))
        or matches(ROUTE)
        or matches(UNTRUSTED_HINT)
        or matches(WEB_TYPE)
        or matches(QUERY_LITERAL)
    ):
        return
    if not matches(rules.sink_rx):
        return
    body, starts, stmt_end = _lines(text, first, end)
    facts = _Facts(web_file, archive, gated, [r is not None and not matches(r) for r in rules.requires])
    walk = _Walk(rules, body, starts, stmt_end, facts)
    events = walk.events()
    found = walk.run({}, events)
    if walk.tainted_calls:  # a helper of this file called with input: its parameters carry it
        again = _Walk(rules, body, starts, stmt_end, facts)
        found = again.run(walk.tainted_calls, [e for e in events if e[1] != 4])
    for li, q, sink, why, trace in found:
        yield Finding(q, first + li, sink, why)
        for tl in trace:
            yield Finding(q, first + tl, sink, why, first + li)


_FUNC_NAME = re.compile(
    r"([A-Za-z_$][\w$]*)\s*(?:=\s*(?:async\s*)?(?:function\b\s*\*?\s*)?|:\s*(?:async\s*)?)?$"
)
#: How far before a definition's opener its name is looked for.
_NAME_WINDOW = 160
#: A call of a named function (optionally ``this.``, ``self.``, ``$this->``): group 1 is the name.
_ANY_CALL = re.compile(r"(?<![\w$])(?:this\.|self\.|\$this->)?([A-Za-z_$][\w$]*)\s*\(")
_DEF_BEFORE = re.compile(r"\b(?:def|function|func|fun|sub)\s+(?:\([^()\n]*\)\s*)?$")
_CALLBACK = re.compile(r"\bfunction\b|\blambda\b")
_KEYWORD_ARG = re.compile(r"\s*:?\w+\s*(?::(?!:)|=(?!=))")


class _Walk:
    """One pass over a file's lines: frames by indentation, then the events of each line in order."""

    def __init__(
        self,
        rules: Rules,
        body: str,
        starts: list[int],
        stmt_end: list[int],
        facts: _Facts,
    ) -> None:
        self.rules, self.body, self.starts, self.stmt_end = rules, body, starts, stmt_end
        self.gated, self.off = facts.gated, facts.off
        self.flow = _FileFlow(rules, body, facts.web_file, facts.archive)
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
        # the name sits just before the opener: a bounded window (a minified line of 20,000 definitions
        # searched from the line's start for each one took minutes)
        line_start = max(self.body.rfind("\n", 0, opener) + 1, opener - _NAME_WINDOW)
        got = _FUNC_NAME.search(self.body, line_start, opener)
        return got.group(1) if got and got.group(1) not in KEYWORDS else ""

    @staticmethod
    def _opener(m: re.Match[str]) -> int:
        groups = m.groupdict()
        for g in ("open", "open2"):
            if groups.get(g):
                return m.start(g)
        return -1

    def run(
        self, helpers: dict[str, set[int]], events: list[tuple[int, int, re.Match[str]]]
    ) -> list[_Reached]:
        """(line index, question, sink text, why, trace lines) per sink reached; ``helpers``: {function:
        tainted parameter positions} found by an earlier pass. The trace lines are where the value
        reaching the sink was built and, for a call over several lines, the line of the argument that
        carries the input."""
        self.helpers = helpers
        out: list[_Reached] = []
        with contextlib.suppress(_OutOfBudget):
            self._loop(events, out)
        return out

    def _loop(self, events: list[tuple[int, int, re.Match[str]]], out: list[_Reached]) -> None:
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
            flow.line = li
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
                        else _sink(flow, self.rules, m, body, stop, self.gated, self.off)
                    )
                    if found is not None:
                        sink = m.group().strip()[:60]
                        trace = self._trace(li)
                        out.append((li, found[0], sink, found[1], trace))
                        also = self.rules.sinks[int((m.lastgroup or "s0")[1:])].also
                        if also and found[1] not in GATE_WHY:
                            out.append((li, also, sink, found[1], trace))
                elif kind == 3:
                    self._out_param(m, ls, stop)
                else:
                    self._call(m, stop)

    def _trace(self, li: int) -> tuple[int, ...]:
        """Lines other than the sink's ``li`` to point at for the input just found reaching it."""
        flow = self.flow
        lines = list(flow.trace)
        if flow.seen_at >= 0:
            lines.insert(0, bisect_right(self.starts, flow.seen_at) - 1)
        return tuple(dict.fromkeys(x for x in lines if x != li))[:MAX_TRACE]

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
            for pos, part in enumerate(split_args(params)):
                pname = param_name(part.strip(), self.rules.param_name)
                if pos in tainted and pname:
                    flow.scope.set(pname, f"{pname} <- argument of {name}()")

    def _assign(self, m: re.Match[str], stop: int) -> None:
        lhs = m.group("lhs") or m.group("lhs2")
        if lhs:
            rhs = self.body[m.end() : self.flow.close(m.end(), stop)]
            self.flow.assign(lhs, rhs, m.group().rstrip().endswith(("+=", ".=")))

    def _out_param(self, m: re.Match[str], line_start: int, stop: int) -> None:
        start = max(line_start, m.start() - MAX_ARGS)
        why = self.flow.tainted(self.body[start : self.flow.close(m.end(), stop)])
        if why:
            name = m.group(1)
            self.flow.scope.set(name, because(name, why), trace_of(self.flow.line, self.flow.trace))

    def _at_def(self, at: int) -> bool:
        """Whether ``at`` is the name of a function being defined (not a call)."""
        return _DEF_BEFORE.search(self.body, max(0, at - 24), at) is not None

    def _call(self, m: re.Match[str], stop: int) -> None:
        """A call of a function defined in this file: note which arguments carry input."""
        paren = m.end() - 1
        end = self.flow.close(paren + 1, stop)
        if self._at_def(m.start()):
            return
        for pos, arg in enumerate(split_args(self.body[paren + 1 : end])):
            if self.flow.tainted(arg):
                self.tainted_calls.setdefault(m.group(1), set()).add(pos)


def _django_view(params: str) -> bool:
    return bool(re.match(r"\s*request\s*[,)]?", params)) and "," in params


def _sink(
    flow: _FileFlow,
    rules: Rules,
    m: re.Match[str],
    body: str,
    stop: int,
    gated: list[bool],
    off: list[bool],
) -> tuple[str, str] | None:
    idx = int((m.lastgroup or "s0")[1:])
    if off[idx]:  # the sink applies only to files that match its ``requires``
        return None
    sink = rules.sinks[idx]
    stop = stop if stop > m.end() else len(body)
    paren = m.group().find("(")
    at = m.start() + paren if paren >= 0 else m.end()
    if paren < 0:  # Ruby: a call with or without parentheses
        while at < stop and body[at] in " \t":
            at += 1
    # Ruby: a keyword-style sink called with parentheses takes what they hold (not the block after them)
    bracketed = paren < 0 and rules.name == "ruby" and body[at : at + 1] == "("
    if sink.args == "match":
        args = [(m.start(), m.group())]
    elif (sink.args == "rest" and not bracketed) or body[at : at + 1] != "(":
        args = [(m.end(), body[m.end() : flow.close(m.end(), stop)])]
    else:
        args = with_offsets(at + 1, split_args(body[at + 1 : flow.close(at + 1, stop)]))
    if sink.args == "first":
        args = args[:1]
    elif sink.args == "second":
        args = args[1:2]
    args = [(o, a) for o, a in args if "=>" not in a and not _CALLBACK.search(a)]
    if sink.question in (SQL, COMMAND):  # keyword / hash arguments: bound values, options, not the text
        args = [(o, a) for o, a in args if not _KEYWORD_ARG.match(a)]
    if sink.question == SQL:  # a query-builder expression (ORM comparisons), not query text
        args = [(o, a) for o, a in args if "==" not in a]
    for o, a in args:
        why = flow.tainted(a, o, sink.question == SQL)
        if why and (sink.taint_too or not sink.gate):
            return sink.question, why
    flow.trace, flow.seen_at = (), -1
    if gated[idx] and any(not is_literal(a) for _, a in args):
        return sink.question, GATE_WHY[sink.question == XXE]
    return None


#: Why a gated sink is hit without input flowing in (by whether it is an XML parse).
GATE_WHY = (
    "a value builds code that this file compiles (new Function / vm)",
    "an XML parser of this file is not hardened against external entities",
)
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
    that question already has a hit on that line: at the sink, and at the lines of its trace (where the
    value reaching it was built, or the argument line of a call over several lines)."""
    bounds = [*text.file_first, text.line_count]
    for k, fi in enumerate(text.file_idx):
        f = files[fi]
        for found in file_findings(text, bounds[k], bounds[k + 1], kinds[fi], f.path):
            qi = question_index.get(found.question)
            if qi is None:
                continue
            why = found.why
            if found.sink_line is not None:
                why += f" (leads to {found.sink} at line {text.number(found.sink_line)})"
            add(qi, "added", added_hit(text, f.path, found.line, f"{FLOW_PREFIX}{why}", found.sink))
