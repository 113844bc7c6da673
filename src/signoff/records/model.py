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

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from signoff.findings.sarif import LEVELS as SARIF_LEVELS
from signoff.records.strict import RecordError as RecordError
from signoff.records.strict import Slow, converter, fast_converter, plain

if TYPE_CHECKING:
    pass


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
        d: dict[str, Any] = plain(self)
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
            record: ReviewRecord = fast_converter(cls)(data)  # type: ignore[arg-type]  # types hash
        except (Slow, KeyError):
            try:  # missing, unknown or invalid somewhere: the strict converter says what and where
                record = converter(cls)(data, "", "")  # type: ignore[arg-type]
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


# -- TOML ----------------------------------------------------------------------------------------------
