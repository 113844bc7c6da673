"""Review records (schema ``signoff.review/2``, reading ``/1`` too): model, strict TOML loading, TOML
writing, signed bytes.

A record is written with tomlkit so it reads well in a diff, and loaded strictly with :mod:`tomllib`:
a missing, unknown or mistyped field raises :class:`RecordError` naming the field (``answers[2].answer``).

The signed bytes (:meth:`ReviewRecord.payload`) are the record's schema line (``"signoff.review/2\\n"``)
followed by the record without ``[signature]`` as JSON with sorted keys, ``(",", ":")`` separators and
UTF-8, and a final newline. They are built from the loaded model (every field, defaults included), so
formatting, key order and comments in the TOML never matter, while any change of a value does.

Schema ``/2`` adds optional tables: ``[[comments]]`` (line comments), ``[previous]`` (the earlier record a
re-review started from), ``[analysis]`` (whether the analysis was complete and what was left open) and
``ai.seen_definition``. Optional fields default to ``None``: absent from the TOML, the model's plain form
and the payload, so a ``/1`` record keeps its exact signed bytes; a ``/1`` record carrying any of them is
refused.
"""

from __future__ import annotations

import itertools
import json
import re
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from signoff.errors import UsageError
from signoff.findings.sarif import LEVELS as SARIF_LEVELS

if TYPE_CHECKING:
    from collections.abc import Iterator


SCHEMA_V1 = "signoff.review/1"
SCHEMA = "signoff.review/2"
SCHEMAS = (SCHEMA_V1, SCHEMA)
NAMESPACE = "signoff-review"
PAYLOAD_PREFIX = f"{SCHEMA}\n".encode()
#: The signed bytes start with the record's schema line.
PAYLOAD_PREFIXES = {s: f"{s}\n".encode() for s in SCHEMAS}
#: The payload's JSON form (one encoder, reused: ``json.dumps`` builds a new one per call).
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class Verdict(StrEnum):
    """A review's verdict (``review.verdict``)."""

    APPROVE = "approve"
    CHANGES_REQUESTED = "changes-requested"
    REJECT = "reject"


class AnswerValue(StrEnum):
    """A reviewer's answer to a question (a record may also say ``skipped``)."""

    PASS = "pass"
    FAIL = "fail"
    NA = "na"


VERDICTS = tuple(v.value for v in Verdict)
#: How thoroughly the reviewer looked, how well they understood the change.
LEVELS = ("high", "medium", "low", "none")
ANSWERS = (*(a.value for a in AnswerValue), "skipped")
KINDS = ("range", "staged", "worktree")
FORMATS = ("ssh", "openpgp")

_OID = r"(?:[0-9a-f]{40}|[0-9a-f]{64})"
_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"


def _choices(*values: str) -> dict[str, Any]:
    return {"choices": values}


def _pattern(rx: str, what: str) -> dict[str, Any]:
    return {"pattern": re.compile(rx), "what": what}


class RecordError(UsageError):
    """A record that does not follow the schema; ``field`` is the path of the offending field."""

    def __init__(self, message: str, field_path: str = "", source: str = "") -> None:
        where = f"{source}: " if source else ""
        at = f"{field_path}: " if field_path else ""
        super().__init__(f"{where}{at}{message}")
        self.field = field_path
        self.reason = message
        self.source = source


# -- model -------------------------------------------------------------------------------------------


@dataclass
class Subject:
    """What was reviewed. ``head`` is ``""`` on an unborn branch; trees are ``""`` when not applicable."""

    kind: str = field(metadata=_choices(*KINDS))
    base: str = field(metadata=_pattern(_OID, "a full object id"))
    base_tree: str = field(metadata=_pattern(_OID, "a full object id"))
    head: str = field(metadata=_pattern(f"(?:{_OID})?", "a full commit id or empty"))
    head_tree: str = field(metadata=_pattern(_OID, "a full object id"))
    diff_sha256: str = field(metadata=_pattern(r"[0-9a-f]{64}", "a sha256 hex digest"))
    paths: list[str] = field(default_factory=list)
    #: True for staged / work-tree reviews: the reviewed content is not a commit.
    dirty: bool = False
    untracked: bool = False
    index_tree: str = field(default="", metadata=_pattern(f"(?:{_OID})?", "a full tree id or empty"))
    worktree_tree: str = field(default="", metadata=_pattern(f"(?:{_OID})?", "a full tree id or empty"))


@dataclass
class Reviewer:
    name: str
    email: str
    #: Fingerprint of the signing key (``SHA256:…`` for SSH, the OpenPGP fingerprint).
    key: str


@dataclass
class Review:
    verdict: str = field(metadata=_choices(*VERDICTS))
    summary: str
    thoroughness: str = field(metadata=_choices(*LEVELS))
    understanding: str = field(metadata=_choices(*LEVELS))
    started: str = field(metadata=_pattern(_TIME, "a UTC time like 2026-01-02T03:04:05Z"))
    finished: str = field(metadata=_pattern(_TIME, "a UTC time like 2026-01-02T03:04:05Z"))
    tool: str
    files_reviewed: list[str] = field(default_factory=list)


@dataclass
class ChecklistRef:
    id: str
    version: str
    sha256: str = field(metadata=_pattern(r"[0-9a-f]{64}", "a sha256 hex digest"))


def line_range(start: int, end: int) -> str:
    """``"12"`` or ``"12-20"``: the inclusive range as records write it."""
    return str(start) if start == end else f"{start}-{end}"


def parse_line_range(lines: str) -> tuple[int, int]:
    """``"12-20"`` -> ``(12, 20)``, ``"12"`` -> ``(12, 12)``."""
    first, _, last = lines.partition("-")
    return int(first), int(last or first)


@dataclass
class Evidence:
    """A pointer into the reviewed change (in a record and in a review in progress alike)."""

    path: str
    #: ``"12"`` or ``"12-20"`` (inclusive), on ``side`` of the diff.
    lines: str = field(metadata=_pattern(r"[0-9]+(?:-[0-9]+)?", "N or N-M"))
    blob: str = field(default="", metadata=_pattern(f"(?:{_OID})?", "a full blob id or empty"))
    side: str = field(default="new", metadata=_choices("new", "old"))

    @classmethod
    def span(cls, path: str, start: int, end: int, blob: str | None = None, side: str = "new") -> Evidence:
        return cls(path, line_range(start, end), blob or "", side)

    @property
    def start(self) -> int:
        return parse_line_range(self.lines)[0]

    @property
    def end(self) -> int:
        return parse_line_range(self.lines)[1]


@dataclass
class Answer:
    id: str
    text: str
    answer: str = field(metadata=_choices(*ANSWERS))
    severity: str = ""
    note: str = ""
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class AiCommit:
    sha: str = field(metadata=_pattern(_OID, "a full commit id"))
    signal: str


@dataclass
class AiSummary:
    commits: list[AiCommit] = field(default_factory=list)
    #: AI-attributed added lines in the diff, and how many of them the reviewer looked at.
    lines: int = 0
    lines_reviewed: int = 0
    #: (/2) What "looked at" means, with a version: see :data:`AI_SEEN_DEFINITIONS`.
    seen_definition: str | None = field(default=None, metadata=_pattern(r"[a-z-]+/[0-9]+", "NAME/VERSION"))


#: The meanings of ``ai.lines_reviewed``, by ``ai.seen_definition``.
AI_SEEN_DEFINITIONS = {
    "cursor/1": "AI lines the cursor moved through (or landed on) while the diff had the focus",
    "files-reviewed/1": "AI lines in the files the reviewer declared reviewed (headless review)",
}


@dataclass
class Comment:
    """(/2) A reviewer's free-form comment anchored to lines of the diff."""

    path: str
    #: ``"12"`` or ``"12-20"`` (inclusive), on ``side`` of the diff.
    lines: str = field(metadata=_pattern(r"[0-9]+(?:-[0-9]+)?", "N or N-M"))
    text: str
    side: str = field(default="new", metadata=_choices("new", "old"))
    blob: str = field(default="", metadata=_pattern(f"(?:{_OID})?", "a full blob id or empty"))


@dataclass
class Previous:
    """(/2) The earlier record this review started from (review since the last review)."""

    #: Path of the earlier record in the repository (informative).
    record: str
    #: sha256 of the earlier record's signed bytes: names exactly that record.
    payload_sha256: str = field(metadata=_pattern(r"[0-9a-f]{64}", "a sha256 hex digest"))
    reviewer: str
    head: str = field(metadata=_pattern(_OID, "a full commit id"))
    finished: str = field(metadata=_pattern(_TIME, "a UTC time like 2026-01-02T03:04:05Z"))
    #: Answers taken over unchanged (their hit lines did not change since ``head``).
    carried: list[str] = field(default_factory=list)
    #: Answers whose hit lines changed since ``head``: asked again.
    reanswer: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    """(/2) Whether the analysis had finished when the record was signed, and what was left open."""

    complete: bool
    #: Analysis stages not finished (``ai``, ``questions``): the gate refuses such a record.
    pending: list[str] = field(default_factory=list)
    #: Triggered questions without an answer, files not marked viewed, AI lines not looked at.
    unanswered: list[str] = field(default_factory=list)
    unviewed: list[str] = field(default_factory=list)
    ai_unseen: int = 0
    #: The reviewer confirmed signing with the open items above.
    confirmed: bool = False


#: How a reviewer judged a scanner finding (``untriaged``: seen in the review, not judged).
TRIAGE = ("true-positive", "false-positive", "accepted-risk", "untriaged")


@dataclass
class FindingTriage:
    """(/2) A scanner finding (SARIF) on the reviewed change and the reviewer's judgement of it."""

    #: ``tool:rule@path:line`` (the key used in answers files).
    id: str
    tool: str
    rule: str
    level: str = field(metadata=_choices(*SARIF_LEVELS))
    path: str
    line: int
    #: On a changed line (False: an unchanged line of a changed file).
    changed: bool
    #: The checklist question the finding was shown under.
    question: str
    message: str
    #: sha256 of tool, rule, path and the flagged line's text (what ``audit`` matches findings by).
    fingerprint: str = field(metadata=_pattern(r"[0-9a-f]{64}", "a sha256 hex digest"))
    triage: str = field(metadata=_choices(*TRIAGE))
    note: str = ""


@dataclass
class Signature:
    format: str = field(metadata=_choices(*FORMATS))
    namespace: str
    #: Principal (SSH) or user id (OpenPGP) the signer claims; informative.
    signer: str
    #: Armored signature.
    value: str


@dataclass
class ReviewRecord:
    subject: Subject
    reviewer: Reviewer
    review: Review
    schema: str = field(default=SCHEMA, metadata=_choices(*SCHEMAS))
    checklists: list[ChecklistRef] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    ai: AiSummary = field(default_factory=AiSummary)
    signature: Signature | None = None
    comments: list[Comment] | None = None
    previous: Previous | None = None
    analysis: Analysis | None = None
    findings: list[FindingTriage] | None = None

    def to_dict(self, *, signature: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = _plain(self)
        if not signature:
            d.pop("signature", None)
        return d

    def payload(self) -> bytes:
        """The exact bytes that are signed: everything but ``[signature]``, canonically serialised."""
        body = _CANONICAL_JSON.encode(self.to_dict(signature=False))
        return PAYLOAD_PREFIXES[self.schema] + body.encode("utf-8") + b"\n"

    @property
    def finished_at(self) -> datetime:
        return parse_time(self.review.finished)

    def answer(self, qid: str) -> Answer | None:
        return next((a for a in self.answers if a.id == qid), None)

    @classmethod
    def from_dict(cls, data: Any, source: str = "") -> ReviewRecord:
        try:
            record: ReviewRecord = _fast_converter(cls)(data)  # type: ignore[arg-type]  # types hash
        except (_Slow, KeyError):
            try:  # missing, unknown or invalid somewhere: the strict converter says what and where
                record = _converter(cls)(data, "", "")  # type: ignore[arg-type]
            except RecordError as exc:
                raise RecordError(exc.reason, exc.field, source) from None
        if record.schema == SCHEMA_V1:
            _refuse_v2_fields(record, source)
        return record


#: Fields that only schema /2 has (absent = None).
_V2_ONLY = (
    ("", "comments"),
    ("", "previous"),
    ("", "analysis"),
    ("ai", "seen_definition"),
    ("", "findings"),
)


def _refuse_v2_fields(record: ReviewRecord, source: str) -> None:
    for table, name in _V2_ONLY:
        holder = getattr(record, table) if table else record
        if getattr(holder, name) is not None:
            where = f"{table}.{name}" if table else name
            raise RecordError(f"only allowed with schema = {SCHEMA!r}", where, source)


# -- time --------------------------------------------------------------------------------------------


def utc_now() -> str:
    """Now as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return format_time(datetime.now(UTC))


def format_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


# -- strict conversion -------------------------------------------------------------------------------

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean (true/false)"}


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def _default_plain(f: Any) -> Any:
    if f.default_factory is not MISSING:
        return _plain(f.default_factory())
    return f.default


@cache
def _converter(
    tp: Any, choices: tuple[str, ...] | None = None, pattern: re.Pattern[str] | None = None, what: str = ""
) -> Callable[[Any, str, str | int], Any]:
    """A function ``(value, parent_path, key) -> converted`` checking ``value`` strictly against ``tp``.

    Tables missing an optional field get the field's default filled in (in place), so the parsed data
    equals the model's plain form (see :func:`loads_with_payload`). Paths are only built for errors.
    """
    if is_dataclass(tp):
        return _dataclass_converter(tp)
    origin = typing.get_origin(tp)
    if origin is list:
        item: Callable[[Any, str, str | int], Any] = _converter(
            typing.get_args(tp)[0], choices, pattern, what
        )

        def conv_list(value: Any, parent: str, key: str | int) -> Any:
            if type(value) is not list:
                raise RecordError(f"expected an array, got {_tname(value)}", _path(parent, key))
            here = _path(parent, key)
            return [item(v, here, i) for i, v in enumerate(value)]

        return conv_list
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _converter(inner[0], choices, pattern, what)
    if tp is int:

        def conv_int(value: Any, parent: str, key: str | int) -> Any:
            if type(value) is not int:
                raise RecordError(f"expected an integer, got {_tname(value)}", _path(parent, key))
            if value < 0:
                raise RecordError("expected a non-negative integer", _path(parent, key))
            return value

        return conv_int
    expected = _TYPE_NAMES.get(tp, getattr(tp, "__name__", str(tp)))

    def conv_scalar(value: Any, parent: str, key: str | int) -> Any:
        if type(value) is not tp:
            raise RecordError(f"expected {expected}, got {_tname(value)}", _path(parent, key))
        if choices is not None and value not in choices:
            raise RecordError(f"expected one of {', '.join(choices)}; got {value!r}", _path(parent, key))
        if pattern is not None and not pattern.fullmatch(value):
            raise RecordError(f"expected {what}; got {value!r}", _path(parent, key))
        return value

    return conv_scalar


def _dataclass_converter(tp: Any) -> Callable[[Any, str, str | int], Any]:
    """The converter of a table into the dataclass ``tp`` (unknown and missing fields are errors)."""
    hints = typing.get_type_hints(tp)
    convs: dict[str, Any] = {}
    required: list[str] = []
    optional: list[Any] = []
    plain_str = _converter(str)
    for f in fields(tp):
        m = f.metadata
        convs[f.name] = _converter(hints[f.name], m.get("choices"), m.get("pattern"), m.get("what", ""))
        if f.default is MISSING and f.default_factory is MISSING:
            required.append(f.name)
        else:
            optional.append(f)

    def conv_dc(value: Any, parent: str, key: str | int) -> Any:
        if type(value) is not dict:
            raise RecordError(f"expected a table, got {_tname(value)}", _path(parent, key))
        here = _path(parent, key) if key != "" else ""
        kwargs = {}
        for k, v in value.items():
            c = convs.get(k)
            if c is None:
                raise RecordError("unknown field", _path(here, str(k)))
            if c is plain_str and type(v) is str:  # the common case, without a call
                kwargs[k] = v
            else:
                kwargs[k] = c(v, here, k)
        if len(kwargs) != len(convs):
            for k in required:
                if k not in value:
                    raise RecordError("missing field", _path(here, k))
            for f in optional:
                if f.name not in value:
                    default = _default_plain(f)
                    if default is not None:
                        value[f.name] = default
        return cast(Any, tp)(**kwargs)

    return conv_dc


class _Slow(Exception):
    """The fast converter cannot take this value; the strict converter decides (and names the problem)."""


@cache
def _fast_converter(tp: Any) -> Callable[[Any], Any]:
    """A function ``(table) -> tp`` generated for a dataclass: every field present, every value valid.

    It accepts exactly what :func:`_converter` accepts without filling defaults or raising, and returns
    an equal object; for anything else (a missing or unknown field, a bad value) it raises :class:`_Slow`
    (or ``KeyError``) and :func:`_converter` runs. Generated code checks all fields inline, which makes
    loading thousands of records (``signoff verify``) several times faster than the generic walk.
    """
    hints = typing.get_type_hints(tp)
    env: dict[str, Any] = {"_Slow": _Slow, "tp": tp}
    names = itertools.count()
    flds = fields(tp)
    required = [f for f in flds if f.default is not None]
    optional = [f for f in flds if f.default is None]
    code = [
        "def conv(d):",
        f"    if type(d) is not dict or not {len(required)} <= len(d) <= {len(flds)}:",
        "        raise _Slow",
        f"    n = {len(required)}",
    ]
    args = []
    for f in flds:
        var = f"v{next(names)}"
        if f.default is None:  # optional (schema /2 tables, the signature): absent is None
            code.append(f"    {var} = d.get({f.name!r})")
            code.append(f"    if {var} is not None:")
            code.append("        n += 1")
            expr = _fast_check(code, var, hints[f.name], f.metadata, env, names, "        ")
            code.append(f"        {var} = {expr}")
            args.append(var)
        else:
            code.append(f"    {var} = d[{f.name!r}]")
            args.append(_fast_check(code, var, hints[f.name], f.metadata, env, names, "    "))
    code.append("    if n != len(d):")
    code.append("        raise _Slow")
    del optional
    code.append(f"    return tp({', '.join(args)})")
    exec("\n".join(code), env)
    conv: Callable[[Any], Any] = env["conv"]
    return conv


def _fast_check(
    code: list[str], var: str, tp: Any, meta: Any, env: dict[str, Any], names: Iterator[int], ind: str
) -> str:
    """Append checks of ``var`` against ``tp`` to ``code``; return the expression of the converted value."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        tp = next(a for a in typing.get_args(tp) if a is not type(None))
        origin = typing.get_origin(tp)
    if is_dataclass(tp):
        fn = f"f{next(names)}"
        env[fn] = _fast_converter(tp)  # type: ignore[arg-type]
        return f"{fn}({var})"
    if origin is list:
        code.append(f"{ind}if type({var}) is not list:")
        code.append(f"{ind}    raise _Slow")
        item_tp = typing.get_args(tp)[0]
        item = f"x{next(names)}"
        if is_dataclass(item_tp):
            return f"[{_fast_check(code, item, item_tp, meta, env, names, ind)} for {item} in {var}]"
        code.append(f"{ind}for {item} in {var}:")
        _fast_check(code, item, item_tp, meta, env, names, ind + "    ")
        return f"list({var})"
    if tp is int:
        code.append(f"{ind}if type({var}) is not int or {var} < 0:")
    elif tp in (str, bool):
        cond = f"type({var}) is not {tp.__name__}"
        if meta.get("choices") is not None:
            env[f"c_{var}"] = frozenset(meta["choices"])
            cond += f" or {var} not in c_{var}"
        if meta.get("pattern") is not None:
            env[f"p_{var}"] = meta["pattern"].fullmatch
            cond += f" or p_{var}({var}) is None"
        code.append(f"{ind}if {cond}:")
    else:  # pragma: no cover - not in the model
        raise TypeError(f"no fast check for {tp}")
    code.append(f"{ind}    raise _Slow")
    return var


def _plain(obj: Any) -> Any:
    """A dataclass tree as plain dicts and lists (a fast ``asdict`` for this model)."""
    if isinstance(obj, list):
        return [_plain(x) for x in obj]
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        return obj
    out = {}
    for n in names:
        v = getattr(obj, n)
        if v is not None:  # optional fields: absent
            out[n] = _plain(v)
    return out


def _tname(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        bool: "a boolean",
        float: "a float",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls))
    for cls in (
        Subject,
        Reviewer,
        Review,
        ChecklistRef,
        Evidence,
        Answer,
        AiCommit,
        AiSummary,
        Signature,
        Comment,
        Previous,
        Analysis,
        FindingTriage,
        ReviewRecord,
    )
}


# -- TOML ----------------------------------------------------------------------------------------------
