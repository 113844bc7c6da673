"""Security checklists: load and validate the TOML files, merge a repository's overrides.

Shipped checklists live in ``checklists/*.toml`` (packaged as ``signoff/data/checklists``). A repository
under review may add or override questions by id in ``.signoff/checklists/*.toml``; those files are read
as data only. Every problem (TOML syntax with line and column, unknown keys, bad regexes, duplicate ids,
missing fields, bad severity) is collected as a :class:`Problem`; :class:`ChecklistError` carries them all.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from signoff.errors import UsageError
from signoff.filekinds import KNOWN_KINDS

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
REPO_DIR = Path(".signoff") / "checklists"
MAX_PATTERN_LEN = 600

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_QID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+$")
_REF_RE = re.compile(
    r"^(?:A(?:0[1-9]|10):2021|V\d{1,2}\.\d{1,2}(?:\.\d{1,2})?|CWE-\d{1,5}|[A-Z][\w.:/ -]{1,60})$"
)
_LOOKS_LIKE_REF = re.compile(r"^(?:A\d|V\d|CWE)", re.IGNORECASE)
_STRICT_REF = re.compile(r"^(?:A(?:0[1-9]|10):2021|V\d{1,2}\.\d{1,2}(?:\.\d{1,2})?|CWE-\d{1,5})$")
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")

_CHECKLIST_KEYS = {"id", "title", "version", "description", "source", "opt_in", "questions"}
_SOURCE_KEYS = {"document", "section"}
_QUESTION_KEYS = {"id", "text", "guidance", "severity", "references", "triggers", "redact"}
_TRIGGER_KEYS = {"paths", "languages", "added", "removed", "absent", "ai", "always"}
_PATTERN_KEYS = {"regex", "languages"}


# --------------------------------------------------------------------------------------------------
# Model


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a checklist file."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None
    where: str = ""

    def __str__(self) -> str:
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        where = f" {self.where}:" if self.where else ""
        return f"{loc}:{where} {self.message}"


class ChecklistError(UsageError):
    """Checklists failed validation; ``problems`` lists every issue."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(str(p) for p in self.problems[:50])
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"invalid checklist ({len(self.problems)} problem(s)):\n  {shown}{more}")


@dataclass(frozen=True)
class Pattern:
    """One regex of a trigger; ``languages`` narrows where it applies (else the trigger's languages)."""

    source: str
    languages: tuple[str, ...] = ()
    regex: re.Pattern[str] = field(default=None, compare=False, repr=False)  # type: ignore[assignment]
    #: Lower-cased literals of which every match contains at least one (None: no usable literal).
    anchors: frozenset[str] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Trigger:
    """When a question applies to a diff."""

    paths: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    added: tuple[Pattern, ...] = ()
    removed: tuple[Pattern, ...] = ()
    #: Fires on a newly added file (of the pattern's languages) in which no line matches the regex,
    #: e.g. a new Dockerfile that never sets ``USER``.
    absent: tuple[Pattern, ...] = ()
    ai: bool = False
    always: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.paths
            or self.languages
            or self.added
            or self.removed
            or self.absent
            or self.ai
            or self.always
        )


@dataclass(frozen=True)
class Question:
    """One pass/fail/n-a question."""

    id: str
    checklist_id: str
    text: str
    guidance: str
    severity: str
    references: tuple[str, ...] = ()
    triggers: Trigger = field(default_factory=Trigger)
    #: Hide the matched text in output (the match may be a secret).
    redact: bool = False
    #: ``builtin`` or the repo-relative path of the override file that defined or changed it.
    origin: str = "builtin"

    @property
    def rank(self) -> int:
        return SEVERITY_RANK.get(self.severity, len(SEVERITIES))


@dataclass(frozen=True)
class Source:
    document: str
    section: str


@dataclass
class Checklist:
    """One checklist file (or a repository-defined checklist)."""

    id: str
    title: str
    version: str
    description: str
    sources: tuple[Source, ...]
    questions: list[Question]
    opt_in: bool = False
    path: str = ""
    sha256: str = ""
    origin: str = "builtin"

    def manifest(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256, "origin": self.origin}


@dataclass
class OverrideFile:
    """A repository override file that was applied."""

    path: str
    sha256: str
    checklist_id: str


@dataclass
class ChecklistSet:
    """The checklists in effect for a review: built-ins (minus unselected opt-in ones) plus overrides."""

    checklists: list[Checklist]
    overrides: list[OverrideFile] = field(default_factory=list)
    #: Opt-in checklists that exist but were not selected.
    available_opt_in: list[str] = field(default_factory=list)
    _index: dict[str, Question] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {q.id: q for q in self.questions}

    @property
    def questions(self) -> list[Question]:
        """All questions in checklist order, then file order."""
        return [q for c in self.checklists for q in c.questions]

    def by_id(self, qid: str) -> Question | None:
        return self._index.get(qid)

    def checklist(self, cid: str) -> Checklist | None:
        return next((c for c in self.checklists if c.id == cid), None)

    def manifest(self) -> list[dict[str, Any]]:
        """Ids, versions and sha256 of the checklist files and override files used (for review records)."""
        out = [c.manifest() for c in self.checklists]
        out += [
            {"id": o.checklist_id, "version": "", "sha256": o.sha256, "origin": o.path}
            for o in self.overrides
        ]
        return out


# --------------------------------------------------------------------------------------------------
# Regex helpers


def _parser() -> Any:
    try:
        import re._parser as p  # Python >= 3.11

        return p
    except ImportError:  # pragma: no cover
        import sre_parse as p  # type: ignore[no-redef]

        return p


def regex_problems(source: str) -> tuple[re.Pattern[str] | None, list[str]]:
    """Compile ``source``; return the pattern and what is wrong with it (empty when fine)."""
    if not source:
        return None, ["empty regex"]
    if len(source) > MAX_PATTERN_LEN:
        return None, [f"regex longer than {MAX_PATTERN_LEN} characters"]
    try:
        compiled = re.compile(source)
    except re.error as exc:
        pos = f" at position {exc.pos}" if exc.pos is not None else ""
        return None, [f"bad regex {source!r}: {exc.msg}{pos}"]
    errors = []
    if compiled.groupindex:
        errors.append(f"regex {source!r}: named groups are not allowed (use (?:...))")
    if re.search(r"\\[1-9]|\(\?P=", source):
        errors.append(f"regex {source!r}: backreferences are not allowed")
    if _nested_unbounded(source):
        errors.append(f"regex {source!r}: nested unbounded quantifiers (catastrophic backtracking risk)")
    elif (why := _ambiguous_repeat(source)) is not None:
        errors.append(f"regex {source!r}: {why} (catastrophic backtracking risk)")
    return compiled, errors


def _nested_unbounded(source: str) -> bool:
    p = _parser()
    try:
        tree = p.parse(source)
    except Exception:
        return False
    c = p  # constants live in the parser module's namespace
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}

    def has_repeat(items: Any) -> bool:
        for op, av in items:
            if op in repeats and av[1] > 1:
                return True
            if _children(op, av, c) and any(has_repeat(ch) for ch in _children(op, av, c)):
                return True
        return False

    def walk(items: Any) -> bool:
        for op, av in items:
            if op in repeats and av[1] == c.MAXREPEAT and has_repeat(av[2]):
                return True
            if any(walk(ch) for ch in _children(op, av, c)):
                return True
        return False

    return walk(tree)


#: Characters standing in for "any character" when deciding whether two regex parts can overlap.
_SAMPLE = frozenset(chr(i) for i in range(0x250)) | frozenset("\u2028\u3000\u0660\u4e00\U0001f600")


#: Adjacent unbounded repeats over shared characters cost one polynomial degree each (``\s*\s*\s*x``).
_MAX_ADJACENT_REPEATS = 3


def _ambiguous_repeat(source: str) -> str | None:
    r"""Why ``source`` can backtrack catastrophically without nested quantifiers, or None.

    Two shapes are refused: an unbounded repeat around alternatives that can start alike or match
    nothing (``(a|a)*b``, ``(a|ab)+c``: exponential), and three or more adjacent unbounded repeats
    that can all match the same characters (``\s*\s*\s*x``: one polynomial degree each).
    """
    p = _parser()
    try:
        tree = p.parse(source)
    except Exception:
        return None
    c = p
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT}

    def walk(items: Any, in_repeat: bool) -> str | None:
        common: frozenset[str] = frozenset()  # what the current run of adjacent repeats all match
        run = 0
        for op, av in items:
            unbounded = op in repeats and av[1] == c.MAXREPEAT
            if op is c.BRANCH and in_repeat and _ambiguous_branch(av[1], c):
                return "alternatives that can start alike or match nothing, inside an unbounded repeat"
            if unbounded:
                first, _ = _first_chars(av[2], c)
                common, run = (common & first, run + 1) if run and common & first else (first, 1)
                if run >= _MAX_ADJACENT_REPEATS:
                    return f"{run} adjacent unbounded repeats that match the same characters"
            elif op not in (c.AT, c.ASSERT, c.ASSERT_NOT):
                run = 0
            for ch in _children(op, av, c):
                why = walk(ch, in_repeat or unbounded)
                if why:
                    return why
        return None

    return walk(tree, False)


def _ambiguous_branch(alternatives: Any, c: Any) -> bool:
    seen: set[str] = set()
    for alt in alternatives:
        first, nullable = _first_chars(alt, c)
        if nullable or first & seen:
            return True
        seen |= first
    return False


def _first_chars(items: Any, c: Any) -> tuple[frozenset[str], bool]:
    """Sample characters a sequence can start with (case-folded both ways) and whether it can be empty."""
    out: set[str] = set()
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op is c.LITERAL:
            ch = chr(av)
            first, nullable = frozenset({ch, ch.lower(), ch.upper()}), False
        elif op is c.NOT_LITERAL or op is c.ANY:
            first, nullable = _SAMPLE, False
        elif op is c.IN:
            first, nullable = _class_sample(av, c), False
        elif op is c.SUBPATTERN:
            first, nullable = _first_chars(av[-1], c)
        elif op is getattr(c, "ATOMIC_GROUP", None):
            first, nullable = _first_chars(av, c)
        elif op is c.BRANCH:
            parts = [_first_chars(alt, c) for alt in av[1]]
            first = frozenset().union(*(f for f, _ in parts))
            nullable = any(n for _, n in parts)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) or op is getattr(c, "POSSESSIVE_REPEAT", None):
            first, nullable = _first_chars(av[2], c)
            nullable = nullable or av[0] == 0
        else:  # groupref and the like: assume anything
            first, nullable = _SAMPLE, True
        out |= first
        if not nullable:
            return frozenset(out), False
    return frozenset(out), True


_CATEGORY_TESTS = {
    "CATEGORY_DIGIT": str.isdigit,
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_WORD": lambda ch: ch.isalnum() or ch == "_",
}


def _class_sample(items: Any, c: Any) -> frozenset[str]:
    """The sample characters a character class ``[...]`` matches (both cases of letters)."""
    negate = False
    tests: list[Any] = []
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            lit = chr(av)
            tests.append(lambda ch, v=lit: ch == v or ch.lower() == v.lower())
        elif op is c.RANGE:
            tests.append(
                lambda ch, lo=av[0], hi=av[1]: any(
                    len(x) == 1 and lo <= ord(x) <= hi for x in (ch, ch.lower(), ch.upper())
                )
            )
        elif op is c.CATEGORY:
            name = str(av)
            base = _CATEGORY_TESTS.get(name.replace("_NOT_", "_"))
            if base is None:
                return _SAMPLE
            tests.append(base if "_NOT_" not in name else (lambda ch, b=base: not b(ch)))
        else:
            return _SAMPLE
    return frozenset(ch for ch in _SAMPLE if any(t(ch) for t in tests) != negate)


def _children(op: Any, av: Any, c: Any) -> list[Any]:
    if op is c.SUBPATTERN:
        return [av[-1]]
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) or op is getattr(c, "POSSESSIVE_REPEAT", None):
        return [av[2]]
    if op is c.BRANCH:
        return list(av[1])
    if op is getattr(c, "ATOMIC_GROUP", None):
        return [av]
    if op in (c.ASSERT, c.ASSERT_NOT):
        return [av[1]]
    return []


def regex_anchors(source: str) -> frozenset[str] | None:
    """Lower-cased literal strings, one of which occurs in every match of ``source``.

    Used as a fast ``str.find`` prefilter before the real regex runs on the candidate line. ``None`` when
    no literal of 3+ characters (or a small set of non-ASCII characters) is required.
    """
    p = _parser()
    try:
        tree = p.parse(source)
    except Exception:
        return None
    exact, anchors = _info(list(tree), p)
    cands = [a for a in (exact, anchors) if a and _strong(a)]
    if not cands:
        return None
    best = {x.lower() for x in max(cands, key=_score)}
    # A literal containing another one of the set adds nothing: drop it.
    return frozenset(x for x in best if not any(y != x and y in x for y in best))


_MAX_SET = 64


def _score(s: frozenset[str]) -> tuple[int, int, int]:
    # Each literal costs one scan of the text: beyond 4 characters, fewer literals beat longer ones.
    shortest = min(len(x) for x in s)
    return (min(shortest, 4), -len(s), shortest)


def _strong(s: frozenset[str]) -> bool:
    return bool(s) and all(len(x) >= 3 or (x and not x.isascii()) for x in s)


def _best(cands: list[frozenset[str]]) -> frozenset[str] | None:
    good = [c for c in cands if _strong(c)]
    return max(good, key=_score) if good else None


def _info(items: list[Any], c: Any) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """(exact set of strings the sequence matches, or None; best required-literal set, or None)."""
    cands: list[frozenset[str]] = []
    run: frozenset[str] | None = frozenset({""})
    for op, av in items:
        ex, anc = _node(op, av, c)
        if anc:
            cands.append(anc)
        if ex is None:
            if run is not None:
                cands.append(run)
            run = frozenset({""})
            continue
        if run is None:
            run = frozenset({""})
        if len(run) * len(ex) > _MAX_SET:
            cands.append(run)
            run = ex
        else:
            run = frozenset(a + b for a in run for b in ex)
    if run is not None:
        cands.append(run)
    exact_all = run if all(_node(op, av, c)[0] is not None for op, av in items) else None
    return exact_all, _best(cands)


def _node(op: Any, av: Any, c: Any) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    if op is c.LITERAL:
        return frozenset({chr(av)}), None
    if op is c.AT:
        return frozenset({""}), None
    if op is c.IN:
        return _class_chars(av, c), None
    if op is c.SUBPATTERN:
        return _info(list(av[-1]), c)
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _info(list(av), c)
    if op is c.BRANCH:
        infos = [_info(list(b), c) for b in av[1]]
        exacts = [e for e, _ in infos]
        exact = frozenset().union(*exacts) if all(e is not None for e in exacts) else None  # type: ignore[arg-type]
        if exact is not None and len(exact) > _MAX_SET:
            exact = None
        per = [_best([x for x in (e, a) if x]) for e, a in infos]
        anchors = frozenset().union(*per) if all(per) else None  # type: ignore[arg-type]
        return exact, anchors
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) or op is getattr(c, "POSSESSIVE_REPEAT", None):
        lo, hi, sub = av
        ex, anc = _info(list(sub), c)
        if lo == 0 and hi == 1 and ex is not None:
            return ex | {""}, None
        if lo >= 1:
            return None, _best([x for x in (ex, anc) if x])
        return None, None
    if op in (c.ASSERT, c.ASSERT_NOT):
        return frozenset({""}), None
    return None, None


def _class_chars(items: Any, c: Any) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE:
            lo, hi = av
            if hi - lo > _MAX_SET:
                return None
            chars.update(chr(x) for x in range(lo, hi + 1))
        else:
            return None
        if len(chars) > _MAX_SET:
            return None
    return frozenset(chars) if chars else None


# --------------------------------------------------------------------------------------------------
# Validation


@dataclass
class _Ctx:
    path: str
    text: str
    problems: list[Problem]

    def add(self, message: str, where: str = "", *, qid: str | None = None, key: str | None = None) -> None:
        line = _locate(self.text, qid, key)
        self.problems.append(Problem(self.path, message, line, None, where))


def _locate(text: str, qid: str | None, key: str | None) -> int | None:
    """Best-effort line of a question (by its id) or of a key, for messages."""
    start = 0
    if qid:
        m = re.search(r"^\s*id\s*=\s*[\"']" + re.escape(qid) + r"[\"']", text, re.MULTILINE)
        if m:
            start = m.start()
            if not key:
                return text.count("\n", 0, m.start()) + 1
    if key:
        m = re.compile(r"^\s*\[?\[?\s*(?:questions\.)?" + re.escape(key) + r"\b", re.MULTILINE).search(
            text, start
        )
        if m:
            return text.count("\n", 0, m.start()) + 1
    if qid and start:
        return text.count("\n", 0, start) + 1
    return None


def _str(
    ctx: _Ctx, d: dict[str, Any], key: str, where: str, qid: str | None, *, required: bool
) -> str | None:
    if key not in d:
        if required:
            ctx.add(f"missing required field '{key}'", where, qid=qid)
        return None
    v = d[key]
    if not isinstance(v, str) or not v.strip():
        ctx.add(f"'{key}' must be a non-empty string", where, qid=qid, key=key)
        return None
    return v


def _str_list(ctx: _Ctx, d: dict[str, Any], key: str, where: str, qid: str | None) -> tuple[str, ...]:
    v = d.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        ctx.add(f"'{key}' must be a list of non-empty strings", where, qid=qid, key=key)
        return ()
    return tuple(v)


def _bool(ctx: _Ctx, d: dict[str, Any], key: str, where: str, qid: str | None) -> bool:
    v = d.get(key, False)
    if not isinstance(v, bool):
        ctx.add(f"'{key}' must be true or false", where, qid=qid, key=key)
        return False
    return v


def _unknown(ctx: _Ctx, d: dict[str, Any], allowed: set[str], where: str, qid: str | None) -> None:
    for k in d:
        if k not in allowed:
            ctx.add(f"unknown key '{k}' (allowed: {', '.join(sorted(allowed))})", where, qid=qid, key=k)


def _languages(ctx: _Ctx, langs: tuple[str, ...], where: str, qid: str | None) -> tuple[str, ...]:
    for lang in langs:
        if lang not in KNOWN_KINDS:
            ctx.add(f"unknown language '{lang}' (known: {', '.join(sorted(KNOWN_KINDS))})", where, qid=qid)
    return tuple(lang for lang in langs if lang in KNOWN_KINDS)


def _patterns(ctx: _Ctx, d: dict[str, Any], key: str, where: str, qid: str | None) -> tuple[Pattern, ...]:
    raw = d.get(key, [])
    if not isinstance(raw, list):
        ctx.add(f"'{key}' must be a list of regexes", where, qid=qid, key=key)
        return ()
    out = []
    for i, item in enumerate(raw):
        w = f"{where}.{key}[{i}]"
        langs: tuple[str, ...] = ()
        if isinstance(item, dict):
            _unknown(ctx, item, _PATTERN_KEYS, w, qid)
            src = item.get("regex")
            langs = _languages(ctx, _str_list(ctx, item, "languages", w, qid), w, qid)
        else:
            src = item
        if not isinstance(src, str):
            ctx.add("a regex must be a string or a table {regex = '...', languages = [...]}", w, qid=qid)
            continue
        compiled, errors = regex_problems(src)
        for e in errors:
            ctx.add(e, w, qid=qid)
        if compiled is not None and not errors:
            out.append(Pattern(src, langs, compiled, regex_anchors(src)))
    return tuple(out)


def _trigger(ctx: _Ctx, d: Any, where: str, qid: str | None) -> Trigger:
    if not isinstance(d, dict):
        ctx.add("'triggers' must be a table", where, qid=qid)
        return Trigger()
    _unknown(ctx, d, _TRIGGER_KEYS, where, qid)
    paths = _str_list(ctx, d, "paths", where, qid)
    for g in paths:
        try:
            glob_regex(g)
        except re.error:
            ctx.add(f"bad path glob {g!r}", where, qid=qid)
    return Trigger(
        paths=paths,
        languages=_languages(ctx, _str_list(ctx, d, "languages", where, qid), where, qid),
        added=_patterns(ctx, d, "added", where, qid),
        removed=_patterns(ctx, d, "removed", where, qid),
        absent=_patterns(ctx, d, "absent", where, qid),
        ai=_bool(ctx, d, "ai", where, qid),
        always=_bool(ctx, d, "always", where, qid),
    )


def _question(
    ctx: _Ctx, raw: Any, index: int, checklist_id: str, base: Question | None, *, strict: bool, origin: str
) -> Question | None:
    where = f"questions[{index}]"
    if not isinstance(raw, dict):
        ctx.add("each question must be a table ([[questions]])", where)
        return None
    qid = raw.get("id") if isinstance(raw.get("id"), str) else None
    if qid:
        where = f"question '{qid}'"
    _unknown(ctx, raw, _QUESTION_KEYS, where, qid)
    if qid is None:
        ctx.add("missing required field 'id'" if "id" not in raw else "'id' must be a string", where)
        return None
    if not _QID_RE.match(qid):
        ctx.add(
            f"bad question id '{qid}' (want lower-case dotted words, e.g. db.parameterized-queries)",
            where,
            qid=qid,
        )
    required = base is None
    text = _str(ctx, raw, "text", where, qid, required=required)
    guidance = _str(ctx, raw, "guidance", where, qid, required=required and strict)
    severity = _str(ctx, raw, "severity", where, qid, required=required)
    if severity is not None and severity not in SEVERITIES:
        ctx.add(
            f"bad severity '{severity}' (want one of: {', '.join(SEVERITIES)})",
            where,
            qid=qid,
            key="severity",
        )
        severity = None
    refs = _str_list(ctx, raw, "references", where, qid) if "references" in raw else None
    for r in refs or ():
        if not _REF_RE.match(r) or (_LOOKS_LIKE_REF.match(r) and not _STRICT_REF.match(r)):
            ctx.add(
                f"bad reference '{r}' (want e.g. A03:2021, V5.3.4, CWE-89)", where, qid=qid, key="references"
            )
    triggers = _trigger(ctx, raw["triggers"], f"{where}.triggers", qid) if "triggers" in raw else None
    redact = _bool(ctx, raw, "redact", where, qid) if "redact" in raw else None
    if base is not None:
        return replace(
            base,
            text=text or base.text,
            guidance=guidance or base.guidance,
            severity=severity or base.severity,
            references=base.references if refs is None else refs,
            triggers=base.triggers if triggers is None else triggers,
            redact=base.redact if redact is None else redact,
            origin=origin,
        )
    if text is None or severity is None:
        return None
    return Question(
        id=qid,
        checklist_id=checklist_id,
        text=text,
        guidance=guidance or "",
        severity=severity,
        references=refs or (),
        triggers=triggers or Trigger(),
        redact=bool(redact),
        origin=origin,
    )


def parse_checklist(
    data: bytes,
    path: str,
    *,
    strict: bool = True,
    existing: dict[str, Checklist] | None = None,
    known_questions: dict[str, Question] | None = None,
    origin: str = "builtin",
) -> tuple[Checklist | None, list[Problem]]:
    """Parse and validate one checklist file.

    With ``existing`` (checklists by id), a file whose ``id`` names one of them is an override: only
    ``questions`` is required, and questions whose id is in ``known_questions`` may be partial (fields
    given replace the original's). Returns the checklist (merged, for an override) and the problems.
    """
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(path, f"not UTF-8 text (byte {exc.start})")]
    ctx = _Ctx(path, text, problems)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        msg = _TOML_POS.sub("", msg).strip()
        return None, [Problem(path, f"TOML syntax error: {msg}", line, col)]
    _unknown(ctx, doc, _CHECKLIST_KEYS, "", None)
    cid = _str(ctx, doc, "id", "", None, required=True)
    if cid is not None and not _ID_RE.match(cid):
        ctx.add(f"bad checklist id '{cid}' (want lower-case words with dashes)", key="id")
    base = (existing or {}).get(cid or "")
    full = base is None
    title = _str(ctx, doc, "title", "", None, required=full)
    version = _str(ctx, doc, "version", "", None, required=full)
    description = _str(ctx, doc, "description", "", None, required=full)
    opt_in = _bool(ctx, doc, "opt_in", "", None)
    sources: list[Source] = []
    raw_sources = doc.get("source")
    if raw_sources is None:
        if full and strict:
            ctx.add("missing required field 'source' ([[source]] document = ..., section = ...)")
    elif not isinstance(raw_sources, list) or not raw_sources:
        ctx.add("'source' must be a non-empty array of tables ([[source]])", key="source")
    else:
        for i, s in enumerate(raw_sources):
            w = f"source[{i}]"
            if not isinstance(s, dict):
                ctx.add("each source must be a table with document and section", w)
                continue
            _unknown(ctx, s, _SOURCE_KEYS, w, None)
            doc_name = _str(ctx, s, "document", w, None, required=True)
            section = _str(ctx, s, "section", w, None, required=True)
            if doc_name and section:
                sources.append(Source(doc_name, section))
    raw_questions = doc.get("questions")
    questions: list[Question] = []
    if raw_questions is None:
        ctx.add("missing required field 'questions' ([[questions]])")
    elif not isinstance(raw_questions, list):
        ctx.add("'questions' must be an array of tables ([[questions]])", key="questions")
    else:
        seen: set[str] = set()
        known = known_questions or {}
        for i, rq in enumerate(raw_questions):
            qid = rq.get("id") if isinstance(rq, dict) else None
            if isinstance(qid, str):
                if qid in seen:
                    ctx.add(f"duplicate question id '{qid}'", f"questions[{i}]", qid=qid)
                    continue
                seen.add(qid)
            q = _question(
                ctx,
                rq,
                i,
                cid or "",
                known.get(qid) if isinstance(qid, str) else None,
                strict=strict,
                origin=origin,
            )
            if q is not None:
                questions.append(q)
        if full and not raw_questions:
            ctx.add("a checklist needs at least one question", key="questions")
    if cid is None or (full and not (title and version and description)):
        return None, problems
    sha = hashlib.sha256(data).hexdigest()
    if base is not None:
        # An override: base metadata with any fields given replaced; ``questions`` holds only this
        # file's questions (merged with the originals they override); apply_overrides places them.
        return (
            replace(
                base,
                title=title or base.title,
                version=version or base.version,
                description=description or base.description,
                sources=tuple(sources) or base.sources,
                opt_in=opt_in if "opt_in" in doc else base.opt_in,
                questions=questions,
            ),
            problems,
        )
    return (
        Checklist(
            id=cid,
            title=title or "",
            version=version or "",
            description=description or "",
            sources=tuple(sources),
            questions=questions,
            opt_in=opt_in,
            path=path,
            sha256=sha,
            origin=origin,
        ),
        problems,
    )


# --------------------------------------------------------------------------------------------------
# Loading


def builtin_dir() -> Path:
    """Where the shipped checklists are: package data in a wheel, the repo's checklists/ in a checkout."""
    pkg = Path(__file__).resolve().parent / "data" / "checklists"
    if pkg.is_dir() and any(pkg.glob("*.toml")):
        return pkg
    top = Path(__file__).resolve().parents[2] / "checklists"
    if top.is_dir():
        return top
    return pkg


def _read_dir(directory: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(directory.glob("*.toml")) if p.is_file()]


def load_builtin(*, directory: Path | None = None) -> tuple[list[Checklist], list[Problem]]:
    """All shipped checklists (including opt-in ones), validated strictly."""
    directory = directory or builtin_dir()
    checklists: list[Checklist] = []
    problems: list[Problem] = []
    for name, data in _read_dir(directory):
        cl, probs = parse_checklist(data, f"checklists/{name}")
        problems += probs
        if cl is not None:
            checklists.append(cl)
    problems += _cross_check(checklists)
    return checklists, problems


def _cross_check(checklists: Iterable[Checklist]) -> list[Problem]:
    problems = []
    seen_cl: dict[str, str] = {}
    seen_q: dict[str, str] = {}
    for cl in checklists:
        if cl.id in seen_cl:
            problems.append(Problem(cl.path, f"duplicate checklist id '{cl.id}' (also in {seen_cl[cl.id]})"))
        seen_cl[cl.id] = cl.path
        for q in cl.questions:
            if q.id in seen_q and seen_q[q.id] != cl.path:
                problems.append(Problem(cl.path, f"duplicate question id '{q.id}' (also in {seen_q[q.id]})"))
            seen_q.setdefault(q.id, cl.path)
    return problems


def apply_overrides(
    checklists: list[Checklist], files: Sequence[tuple[str, bytes]]
) -> tuple[list[Checklist], list[OverrideFile], list[Problem]]:
    """Merge repository override files into ``checklists`` (a new list; inputs are not modified).

    A question whose id exists replaces it in place (fields not given are kept); a new question is
    appended to the file's checklist, which is created when its id is new.
    """
    result = [replace(c, questions=list(c.questions)) for c in checklists]
    overrides: list[OverrideFile] = []
    problems: list[Problem] = []
    for path, data in files:
        by_id = {c.id: c for c in result}
        known = {q.id: q for c in result for q in c.questions}
        cl, probs = parse_checklist(
            data, path, strict=False, existing=by_id, known_questions=known, origin=path
        )
        problems += probs
        if cl is None or probs:
            continue
        overrides.append(OverrideFile(path, hashlib.sha256(data).hexdigest(), cl.id))
        changed = {q.id: q for q in cl.questions if q.id in known}
        added = [replace(q, checklist_id=cl.id) for q in cl.questions if q.id not in known]
        new_result = []
        for c in result:
            if c.id == cl.id:
                c = replace(cl, questions=list(c.questions) + added)
            c.questions = [changed.get(q.id, q) for q in c.questions]
            new_result.append(c)
        if cl.id not in by_id:
            new_result.append(replace(cl, questions=added, sha256=hashlib.sha256(data).hexdigest()))
        result = new_result
    return result, overrides, problems


def read_repo_overrides(repo_root: Path) -> list[tuple[str, bytes]]:
    """``.signoff/checklists/*.toml`` of the work tree at ``repo_root``, as (relative path, bytes)."""
    directory = repo_root / REPO_DIR
    if not directory.is_dir() or directory.is_symlink():
        return []
    out = []
    for p in sorted(directory.glob("*.toml")):
        if p.is_file() and not p.is_symlink():
            out.append((str(REPO_DIR / p.name), p.read_bytes()))
    return out


def load_checklists(
    repo_root: Path | None = None,
    *,
    include_opt_in: Sequence[str] = (),
    builtin_directory: Path | None = None,
) -> ChecklistSet:
    """The checklists in effect: shipped ones, the opt-in ones named, and ``repo_root``'s overrides.

    Raises :class:`ChecklistError` (a UsageError) listing every problem when a file is invalid, and
    UsageError when an unknown opt-in checklist is named.
    """
    builtins, problems = load_builtin(directory=builtin_directory)
    if problems:
        raise ChecklistError(problems)
    opt_ids = [c.id for c in builtins if c.opt_in]
    unknown = [n for n in include_opt_in if n not in {c.id for c in builtins}]
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        raise UsageError(f"unknown checklist {names} (opt-in checklists: {', '.join(opt_ids)})")
    selected = [c for c in builtins if not c.opt_in or c.id in include_opt_in]
    overrides: list[OverrideFile] = []
    if repo_root is not None:
        files = read_repo_overrides(Path(repo_root))
        if files:
            # Overrides may target opt-in checklists too; merge against everything, then select.
            merged, overrides, problems = apply_overrides(builtins, files)
            if problems:
                raise ChecklistError(problems)
            names = set(include_opt_in)
            selected = [c for c in merged if not c.opt_in or c.id in names]
    return ChecklistSet(
        checklists=selected,
        overrides=overrides,
        available_opt_in=[i for i in opt_ids if i not in include_opt_in],
    )


def lint_paths(paths: Sequence[Path]) -> tuple[list[Checklist], list[Problem]]:
    """Validate checklist files (or directories of them).

    A file whose ``id`` names a shipped checklist is checked as an override of it; others must be
    complete checklists. Duplicate ids across the files are reported.
    """
    builtins, _ = load_builtin()
    by_id = {c.id: c for c in builtins}
    known = {q.id: q for c in builtins for q in c.questions}
    checklists: list[Checklist] = []
    problems: list[Problem] = []
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(x for x in p.glob("*.toml") if x.is_file())
        elif p.exists():
            files.append(p)
        else:
            problems.append(Problem(str(p), "no such file or directory"))
    builtin_names = {str(f.resolve()) for f in builtin_dir().glob("*.toml")}
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(f), f"cannot read: {exc.strerror}"))
            continue
        is_builtin = str(f.resolve()) in builtin_names
        cl, probs = parse_checklist(
            data,
            str(f),
            strict=is_builtin,
            existing=None if is_builtin else by_id,
            known_questions=None if is_builtin else known,
            origin="builtin" if is_builtin else str(f),
        )
        problems += probs
        if cl is not None:
            checklists.append(cl)
    if all(str(f.resolve()) in builtin_names for f in files):
        problems += _cross_check(checklists)
    return checklists, problems


# --------------------------------------------------------------------------------------------------
# Path globs


def glob_regex(glob: str) -> str:
    """Translate a path glob to a regex (``**`` spans directories; no ``/`` means any directory)."""
    g = glob.lstrip("/") if "/" in glob.rstrip("/") else "**/" + glob
    out: list[str] = []
    i, n = 0, len(g)
    while i < n:
        if g.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif g.startswith("**", i):
            out.append(".*")
            i += 2
        elif g[i] == "*":
            out.append("[^/]*")
            i += 1
        elif g[i] == "?":
            out.append("[^/]")
            i += 1
        elif g[i] == "[":
            j = g.find("]", i + 2)
            if j < 0:
                out.append(re.escape("["))
                i += 1
            else:
                body = g[i + 1 : j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j + 1
        else:
            out.append(re.escape(g[i]))
            i += 1
    rx = "".join(out) + r"\Z"
    re.compile(rx)
    return rx
