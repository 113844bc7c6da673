"""Parse and validate one checklist TOML file into the model, collecting every problem."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, replace
from typing import Any

from signoff.checklists.filekinds import KNOWN_KINDS
from signoff.checklists.linear import LazyRegex, compile_glob, compile_linear
from signoff.checklists.model import (
    MAX_PATTERN_LEN,
    SEVERITIES,
    Checklist,
    Pattern,
    Problem,
    Question,
    Source,
    Trigger,
)
from signoff.checklists.regex import regex_anchors, regex_problems
from signoff.util import tomlsafe

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
_TRIGGER_KEYS = {"paths", "languages", "added", "removed", "absent", "ai", "always", "per_file"}
_PATTERN_KEYS = {"regex", "languages", "comments", "requires", "unless", "files", "distinct"}


# --------------------------------------------------------------------------------------------------
# Validation


@dataclass
class _Ctx:
    path: str
    text: str
    problems: list[Problem]
    #: Shipped checklists (Python ``re``); False for a repository's files (RE2 only).
    trusted: bool = True
    #: Anchors of regexes already linted (a file set known to pass): skip the lint, reuse the anchors.
    known_anchors: dict[str, list[str] | None] | None = None

    def add(self, message: str, where: str = "", *, qid: str | None = None, key: str | None = None) -> None:
        # Locating a problem scans the file: a hostile file with 30,000 unknown keys would cost minutes
        # and print 30,000 lines. List the first MAX_PROBLEMS, then one line that says the rest exist.
        if len(self.problems) > MAX_PROBLEMS:
            return
        if len(self.problems) == MAX_PROBLEMS:
            self.problems.append(
                Problem(self.path, f"more than {MAX_PROBLEMS} problems; the rest are not listed")
            )
            return
        line = _locate(self.text, qid, key)
        self.problems.append(Problem(self.path, message, line, None, where))


#: Problems listed per checklist file before the rest are summarised in one line.
MAX_PROBLEMS = 100


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
        comments = False
        requires: Pattern | None = None
        unless: Pattern | None = None
        files: Pattern | None = None
        distinct = False
        if isinstance(item, dict):
            _unknown(ctx, item, _PATTERN_KEYS, w, qid)
            src = item.get("regex")
            langs = _languages(ctx, _str_list(ctx, item, "languages", w, qid), w, qid)
            comments = _bool(ctx, item, "comments", w, qid)
            requires = _side_pattern(ctx, item, "requires", w, qid)
            unless = _side_pattern(ctx, item, "unless", w, qid)
            files = _side_pattern(ctx, item, "files", w, qid)
            distinct = _bool(ctx, item, "distinct", w, qid)
        else:
            src = item
        if not isinstance(src, str):
            ctx.add("a regex must be a string or a table {regex = '...', languages = [...]}", w, qid=qid)
            continue
        pattern = _compile(ctx, src, w, qid)
        if pattern is not None:
            pattern = replace(pattern, requires=requires, unless=unless, files=files, distinct=distinct)
            out.append(replace(pattern, languages=langs, comments=comments))
    return tuple(out)


def _side_pattern(ctx: _Ctx, item: dict[str, Any], key: str, where: str, qid: str | None) -> Pattern | None:
    """A pattern table's ``requires`` / ``unless`` / ``files`` regex (compiled like any other), or None."""
    src = item.get(key)
    if src is None:
        return None
    if not isinstance(src, str):
        ctx.add(f"'{key}' must be a regex string", where, qid=qid, key=key)
        return None
    return _compile(ctx, src, f"{where}.{key}", qid)


def _compile(ctx: _Ctx, src: str, where: str, qid: str | None) -> Pattern | None:
    """Shipped regexes compile with ``re`` (checked for backtracking); a repository's only with RE2."""
    if not ctx.trusted:
        if not src or len(src) > MAX_PATTERN_LEN:
            ctx.add(
                "empty regex" if not src else f"regex longer than {MAX_PATTERN_LEN} characters",
                where,
                qid=qid,
            )
            return None
        linear, why = compile_linear(src)
        if linear is None:
            ctx.add(why or f"bad regex {src!r}", where, qid=qid)
            return None
        return Pattern(src, (), linear, regex_anchors(src), linear=True)
    known = ctx.known_anchors
    if known is not None and src in known:
        # This exact regex compiled and passed the lint before: compile it when first used.
        cached = known[src]
        return Pattern(src, (), LazyRegex(src), frozenset(cached) if cached is not None else None)
    compiled, errors = regex_problems(src)
    for e in errors:
        ctx.add(e, where, qid=qid)
    if compiled is None or errors:
        return None
    return Pattern(src, (), compiled, regex_anchors(src))


def _trigger(ctx: _Ctx, d: Any, where: str, qid: str | None) -> Trigger:
    if not isinstance(d, dict):
        ctx.add("'triggers' must be a table", where, qid=qid)
        return Trigger()
    _unknown(ctx, d, _TRIGGER_KEYS, where, qid)
    paths = _str_list(ctx, d, "paths", where, qid)
    for g in paths if ctx.known_anchors is None else ():  # a file set that passed: globs checked then
        try:
            compile_glob(g)
        except ValueError as exc:
            ctx.add(str(exc), where, qid=qid)
    return Trigger(
        paths=paths,
        languages=_languages(ctx, _str_list(ctx, d, "languages", where, qid), where, qid),
        added=_patterns(ctx, d, "added", where, qid),
        removed=_patterns(ctx, d, "removed", where, qid),
        absent=_patterns(ctx, d, "absent", where, qid),
        ai=_bool(ctx, d, "ai", where, qid),
        always=_bool(ctx, d, "always", where, qid),
        per_file=_bool(ctx, d, "per_file", where, qid),
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


def _read_toml(data: bytes, path: str) -> tuple[str, dict[str, Any]] | Problem:
    """The file's text and TOML document, or the one problem that stops parsing it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(path, f"not UTF-8 text (byte {exc.start})")
    try:
        return text, tomlsafe.loads(text)
    except tomlsafe.TooDeep as exc:
        return Problem(path, f"refused: {exc}")
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        msg = _TOML_POS.sub("", msg).strip()
        return Problem(path, f"TOML syntax error: {msg}", line, col)


def _sources(ctx: _Ctx, doc: dict[str, Any], *, required: bool) -> list[Source]:
    sources: list[Source] = []
    raw_sources = doc.get("source")
    if raw_sources is None:
        if required:
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
    return sources


def _questions(
    ctx: _Ctx,
    doc: dict[str, Any],
    cid: str,
    known: dict[str, Question],
    *,
    full: bool,
    strict: bool,
    origin: str,
) -> list[Question]:
    raw_questions = doc.get("questions")
    questions: list[Question] = []
    if raw_questions is None:
        ctx.add("missing required field 'questions' ([[questions]])")
        return questions
    if not isinstance(raw_questions, list):
        ctx.add("'questions' must be an array of tables ([[questions]])", key="questions")
        return questions
    seen: set[str] = set()
    for i, rq in enumerate(raw_questions):
        qid = rq.get("id") if isinstance(rq, dict) else None
        if isinstance(qid, str):
            if qid in seen:
                ctx.add(f"duplicate question id '{qid}'", f"questions[{i}]", qid=qid)
                continue
            seen.add(qid)
        base = known.get(qid) if isinstance(qid, str) else None
        q = _question(ctx, rq, i, cid, base, strict=strict, origin=origin)
        if q is not None:
            questions.append(q)
    if full and not raw_questions:
        ctx.add("a checklist needs at least one question", key="questions")
    return questions


def parse_checklist(
    data: bytes,
    path: str,
    *,
    strict: bool = True,
    existing: dict[str, Checklist] | None = None,
    known_questions: dict[str, Question] | None = None,
    origin: str = "builtin",
    known_anchors: dict[str, list[str] | None] | None = None,
    parsed: dict[str, Any] | None = None,
) -> tuple[Checklist | None, list[Problem]]:
    """Parse and validate one checklist file.

    With ``existing`` (checklists by id), a file whose ``id`` names one of them is an override: only
    ``questions`` is required, and questions whose id is in ``known_questions`` may be partial (fields
    given replace the original's). Returns the checklist (merged, for an override) and the problems.
    ``parsed``: the TOML document of ``data`` as parsed before (a cache), so it is not parsed again.
    """
    read = _read_toml(data, path) if parsed is None else (data.decode("utf-8"), parsed)
    if isinstance(read, Problem):
        return None, [read]
    text, doc = read
    problems: list[Problem] = []
    ctx = _Ctx(path, text, problems, trusted=origin == "builtin", known_anchors=known_anchors)
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
    sources = _sources(ctx, doc, required=full and strict)
    questions = _questions(
        ctx, doc, cid or "", known_questions or {}, full=full, strict=strict, origin=origin
    )
    if cid is None or (full and not (title and version and description)):
        return None, problems
    if base is not None:
        # An override: base metadata with any fields given replaced; ``questions`` holds only this
        # file's questions (merged with the originals they override); apply_overrides places them.
        merged = replace(
            base,
            title=title or base.title,
            version=version or base.version,
            description=description or base.description,
            sources=tuple(sources) or base.sources,
            opt_in=opt_in if "opt_in" in doc else base.opt_in,
            questions=questions,
        )
        return merged, problems
    checklist = Checklist(
        id=cid,
        title=title or "",
        version=version or "",
        description=description or "",
        sources=tuple(sources),
        questions=questions,
        opt_in=opt_in,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        origin=origin,
    )
    return checklist, problems
