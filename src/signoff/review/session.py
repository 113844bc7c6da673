"""A review in progress, independent of any UI: answers, notes, evidence, files looked at; autosaved.

The TUI drives a :class:`ReviewSession`; every change is saved as a draft through ``signoff.records.store``
(TOML under ``<git common dir>/signoff/drafts/``) so a reviewer who quits or crashes resumes where they
were on the same target. ``signoff review --answers`` keeps its drafts in the same form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from signoff.records import store
from signoff.records.model import LEVELS as LEVELS  # the session's vocabulary is the record's
from signoff.records.model import AnswerValue as AnswerValue
from signoff.records.model import Comment, Previous, line_range, parse_line_range
from signoff.records.model import Evidence as Evidence
from signoff.records.model import Verdict as Verdict
from signoff.review.compose import AnswerInput

DRAFT_SCHEMA = "signoff.draft/1"


@dataclass
class QuestionState:
    answer: AnswerValue | None = None
    note: str = ""
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer.value if self.answer else None,
            "note": self.note,
            "evidence": [_evidence_dict(e) for e in self.evidence],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QuestionState:
        ans = d.get("answer")
        return cls(
            AnswerValue(ans) if ans else None,
            str(d.get("note", "")),
            [_evidence_from_dict(e) for e in d.get("evidence", [])],
        )


@dataclass
class LineComment:
    """A free-form comment on lines ``start..end`` of ``path`` (``side`` of the diff)."""

    path: str
    start: int
    end: int
    text: str
    side: str = "new"
    blob: str | None = None

    @property
    def lines(self) -> str:
        return line_range(self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": _text(self.path),
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "side": self.side,
            "blob": self.blob,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LineComment:
        return cls(
            str(d["path"]),
            int(d["start"]),
            int(d["end"]),
            str(d["text"]),
            str(d.get("side", "new")),
            d.get("blob"),
        )


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class ReviewSession:
    """The state of one review of one target (identified by ``ReviewTarget.key``)."""

    target_key: str
    started: str = field(default_factory=_now)
    questions: dict[str, QuestionState] = field(default_factory=dict)
    reviewed_files: set[str] = field(default_factory=set)
    #: AI-attributed lines the reviewer has had on screen: path -> new-side line numbers.
    seen_ai: dict[str, set[int]] = field(default_factory=dict)
    verdict: Verdict | None = None
    summary: str = ""
    #: How deep the review went (record ``review.thoroughness`` / ``understanding``): high/medium/low/none.
    thoroughness: str = "medium"
    understanding: str = "medium"
    comments: list[LineComment] = field(default_factory=list)
    #: Review since the last review: the earlier record (``record.Previous`` fields, as a dict), the
    #: answers carried from it and those to answer again (their hit lines changed).
    previous: dict[str, Any] | None = None
    carried: set[str] = field(default_factory=set)
    reanswer: set[str] = field(default_factory=set)
    #: Notes being typed and not saved yet (question id -> text): kept in the draft so none is lost.
    note_edits: dict[str, str] = field(default_factory=dict)
    #: Scanner findings judged so far: finding id -> {"triage": ..., "note": ...}.
    findings: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Called after every change (the draft autosave).
    on_change: Any = field(default=None, repr=False, compare=False)

    # -- edits -------------------------------------------------------------------------------------

    def state(self, qid: str) -> QuestionState:
        return self.questions.setdefault(qid, QuestionState())

    def answer(self, qid: str, value: AnswerValue | str | None) -> None:
        self.state(qid).answer = AnswerValue(value) if value else None
        self.carried.discard(qid)
        if value:
            self.reanswer.discard(qid)
        self._changed()

    def triage(self, finding_id: str, value: str, note: str = "") -> None:
        """Judge a scanner finding (``untriaged`` forgets the judgement)."""
        if value == "untriaged":
            self.findings.pop(finding_id, None)
        else:
            self.findings[finding_id] = {"triage": value, "note": note}
        self._changed()

    def add_comment(self, comment: LineComment) -> None:
        self.comments.append(comment)
        self._changed()

    def set_comment(self, index: int, text: str) -> None:
        """Change a comment's text; an empty text removes it."""
        if 0 <= index < len(self.comments):
            if text.strip():
                self.comments[index].text = text
            else:
                del self.comments[index]
            self._changed()

    def comments_at(self, path: str, side: str, line: int) -> list[int]:
        """Indices of the comments covering ``line`` of ``path`` on ``side``."""
        return [
            i
            for i, c in enumerate(self.comments)
            if c.path == path and c.side == side and c.start <= line <= c.end
        ]

    def start_from(self, previous: dict[str, Any], plan: Any) -> None:
        """Take over a ``rereview.CarryPlan`` from the earlier record ``previous`` (its link fields)."""
        self.previous = {**previous, "reanswer": sorted(plan.reanswer)}
        for qid, a in plan.carried.items():
            st = self.state(qid)
            if st.answer is None:
                st.answer = AnswerValue(a.answer) if a.answer in AnswerValue._value2member_map_ else None
                st.note = st.note or a.note
                st.evidence.extend(a.evidence)
                self.carried.add(qid)
        self.reanswer = {q for q in plan.reanswer if self.answer_of(q) is None}
        self.reviewed_files |= set(plan.files)
        self._changed()

    def set_note(self, qid: str, note: str) -> None:
        self.state(qid).note = note
        self.note_edits.pop(qid, None)
        self._changed()

    def set_note_edit(self, qid: str, text: str | None) -> None:
        """Keep (``None``: drop) the unsaved text of a note being typed."""
        if text is None:
            if self.note_edits.pop(qid, None) is not None:
                self._changed()
        elif self.note_edits.get(qid) != text:
            self.note_edits[qid] = text
            self._changed()

    def add_evidence(self, qid: str, evidence: Evidence) -> bool:
        """Attach evidence to a question; False when the same evidence is already there."""
        st = self.state(qid)
        if evidence in st.evidence:
            return False
        st.evidence.append(evidence)
        self._changed()
        return True

    def remove_evidence(self, qid: str, index: int) -> None:
        st = self.state(qid)
        if 0 <= index < len(st.evidence):
            del st.evidence[index]
            self._changed()

    def toggle_reviewed(self, path: str) -> bool:
        """Flip a file's reviewed mark; return the new state."""
        if path in self.reviewed_files:
            self.reviewed_files.discard(path)
            now = False
        else:
            self.reviewed_files.add(path)
            now = True
        self._changed()
        return now

    def mark_seen(self, path: str, lines: set[int]) -> bool:
        """Record AI lines as looked at; True when anything new was recorded (no autosave by itself)."""
        seen = self.seen_ai.setdefault(path, set())
        new = lines - seen
        if new:
            seen |= new
        return bool(new)

    def set_verdict(
        self,
        verdict: Verdict | str | None,
        summary: str | None = None,
        *,
        thoroughness: str | None = None,
        understanding: str | None = None,
    ) -> None:
        self.verdict = Verdict(verdict) if verdict else None
        if summary is not None:
            self.summary = summary
        if thoroughness in LEVELS:
            self.thoroughness = thoroughness
        if understanding in LEVELS:
            self.understanding = understanding
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    # -- queries -----------------------------------------------------------------------------------

    def answer_of(self, qid: str) -> AnswerValue | None:
        st = self.questions.get(qid)
        return st.answer if st else None

    def answered(self, qids: list[str]) -> int:
        return sum(1 for q in qids if self.answer_of(q) is not None)

    def unseen_ai(self, ai_lines: dict[str, set[int]]) -> dict[str, int]:
        """Per path, how many AI lines were not looked at (definition ``cursor/1``: the cursor moved
        through them with the diff focused; marking the file reviewed does not count)."""
        out: dict[str, int] = {}
        for path, lines in ai_lines.items():
            n = len(lines - self.seen_ai.get(path, set()))
            if n:
                out[path] = n
        return out

    # -- records -----------------------------------------------------------------------------------

    def answer_inputs(self, known: Iterable[str] | None = None) -> dict[str, Any]:
        """The answers as ``compose.AnswerInput`` s (``known``: only these question ids).

        A question with a note or evidence but no answer is kept as ``skipped`` so its note survives.
        """

        allowed = set(known) if known is not None else None
        out: dict[str, Any] = {}
        for qid, st in sorted(self.questions.items()):
            if allowed is not None and qid not in allowed:
                continue
            if st.answer is None and not st.note and not st.evidence:
                continue
            evidence = [replace(e, path=_text(e.path)) for e in st.evidence]
            out[qid] = AnswerInput(st.answer.value if st.answer else "skipped", st.note, evidence)
        return out

    def record_comments(self) -> list[Any]:
        """The comments as ``record.Comment`` s."""
        return [Comment(_text(c.path), c.lines, c.text, c.side, c.blob or "") for c in self.comments]

    def previous_link(self) -> Any:
        """The ``record.Previous`` of a review since the last review (None otherwise)."""
        if not self.previous:
            return None
        p = self.previous
        still = {q for q in self.carried if self.answer_of(q) is not None}
        return Previous(
            str(p["record"]),
            str(p["payload_sha256"]),
            str(p["reviewer"]),
            str(p["head"]),
            str(p["finished"]),
            sorted(still),
            sorted(p.get("reanswer", [])),
        )

    @classmethod
    def from_answer_inputs(
        cls,
        target_key: str,
        answers: Mapping[str, Any],
        *,
        verdict: str | None = None,
        summary: str = "",
        thoroughness: str = "medium",
        understanding: str = "medium",
        files_reviewed: Iterable[str] = (),
        comments: Iterable[Any] = (),
    ) -> ReviewSession:
        """A session holding answers given as ``compose.AnswerInput`` s (``signoff review --answers``)."""
        s = cls(target_key=target_key, reviewed_files=set(files_reviewed), summary=summary)
        for c in comments:
            first, last = parse_line_range(c.lines)
            s.comments.append(LineComment(c.path, first, last, c.text, c.side, c.blob or None))
        s.verdict = Verdict(verdict) if verdict else None
        s.thoroughness, s.understanding = thoroughness, understanding
        for qid, a in answers.items():
            st = s.state(qid)
            st.answer = AnswerValue(a.answer) if a.answer in AnswerValue._value2member_map_ else None
            st.note = a.note
            st.evidence.extend(a.evidence)
        return s

    # -- persistence -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": DRAFT_SCHEMA,
            "target": self.target_key,
            "started": self.started,
            "questions": {k: v.to_dict() for k, v in sorted(self.questions.items())},
            "reviewed_files": sorted(_text(p) for p in self.reviewed_files),
            "seen_ai": {_text(p): _ranges(s) for p, s in sorted(self.seen_ai.items()) if s},
            "verdict": self.verdict.value if self.verdict else None,
            "summary": self.summary,
            "thoroughness": self.thoroughness,
            "understanding": self.understanding,
            "comments": [c.to_dict() for c in self.comments],
            "previous": self.previous,
            "carried": sorted(self.carried),
            "reanswer": sorted(self.reanswer),
            "note_edits": dict(sorted(self.note_edits.items())),
            "findings": {k: dict(v) for k, v in sorted(self.findings.items())},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReviewSession:
        if d.get("schema") != DRAFT_SCHEMA:
            raise ValueError(f"not a signoff draft (schema {d.get('schema')!r})")
        verdict = d.get("verdict")
        return cls(
            target_key=str(d["target"]),
            started=str(d.get("started") or _now()),
            questions={str(k): QuestionState.from_dict(v) for k, v in d.get("questions", {}).items()},
            reviewed_files=set(d.get("reviewed_files", [])),
            seen_ai={p: _unranges(r) for p, r in d.get("seen_ai", {}).items()},
            verdict=Verdict(verdict) if verdict else None,
            summary=str(d.get("summary", "")),
            thoroughness=str(d.get("thoroughness", "medium")),
            understanding=str(d.get("understanding", "medium")),
            comments=[LineComment.from_dict(c) for c in d.get("comments", [])],
            previous=dict(d["previous"]) if isinstance(d.get("previous"), dict) else None,
            carried=set(d.get("carried", [])),
            reanswer=set(d.get("reanswer", [])),
            note_edits={str(k): str(v) for k, v in (d.get("note_edits") or {}).items()},
            findings={
                str(k): {"triage": str(v.get("triage", "")), "note": str(v.get("note", ""))}
                for k, v in (d.get("findings") or {}).items()
                if isinstance(v, dict)
            },
        )


def _text(path: str) -> str:
    """A path storable as TOML text (undecodable bytes, kept by git as surrogates, become ``\\xNN``)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _evidence_dict(e: Evidence) -> dict[str, Any]:
    """Evidence as a draft keeps it (``start``/``end`` numbers, as drafts always had)."""
    return {"path": _text(e.path), "start": e.start, "end": e.end, "blob": e.blob or None, "side": e.side}


def _evidence_from_dict(d: dict[str, Any]) -> Evidence:
    side = str(d.get("side", "new"))
    return Evidence.span(str(d["path"]), int(d["start"]), int(d["end"]), d.get("blob"), side)


def _ranges(lines: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for n in sorted(lines):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def _unranges(ranges: list[list[int]]) -> set[int]:
    out: set[int] = set()
    for a, b in ranges:
        out.update(range(int(a), int(b) + 1))
    return out


# -- draft files -------------------------------------------------------------------------------------
# One storage for drafts: ``signoff.records.store`` (TOML under ``<git common dir>/signoff/drafts/``).
# The TUI and
# ``signoff review --answers`` both keep a review in progress there as ``ReviewSession.to_dict()`` (plus,
# after a failed signing, the unsigned ``record``), so either can resume what the other left.


def draft_path(common_dir: Path, target_key: str) -> Path:
    """Where the draft for ``target_key`` lives (file name from a hash, never from raw input)."""

    return store.draft_path(common_dir, target_key)


def save_draft(common_dir: Path, session: ReviewSession, **extra: Any) -> Path:
    """Write the draft atomically (``extra``: more top-level tables, e.g. the unsigned ``record``)."""

    return store.save_draft(common_dir, session.target_key, {**session.to_dict(), **extra})


def load_draft(common_dir: Path, target_key: str) -> ReviewSession | None:
    """The saved draft for ``target_key``, or None (also for an unreadable or foreign draft)."""

    data = store.load_draft(common_dir, target_key)
    if data is None:
        return None
    data.setdefault("target", target_key)
    try:
        session = ReviewSession.from_dict(data)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return session if session.target_key == target_key else None


def discard_draft(common_dir: Path, target_key: str) -> None:

    store.delete_draft(common_dir, target_key)
