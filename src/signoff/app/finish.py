"""Glue from the TUI to the record, signing, store and audit modules: sign and save, list past reviews.

``sign_and_save`` runs in a worker thread. The signer (``ssh-keygen`` / ``gpg``) may need the terminal
for a passphrase: then it runs inside ``App.suspend()`` on the UI thread, and only then (never under
``run_test``, which has no terminal).
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from signoff.app.state import ReviewState
from signoff.audit.run import run_audit
from signoff.errors import SigningError, SignoffError
from signoff.records.store import list_records
from signoff.review.compose import comment_blobs, compose_record, sign_and_store
from signoff.review.session import discard_draft, save_draft
from signoff.review.triage import TriageInput, triage_table
from signoff.signing.sign import resolve_signer, signing_config
from signoff.signing.verify import Verifier
from signoff.util.sanitize import visible

if TYPE_CHECKING:
    from signoff.records.model import ReviewRecord
    from signoff.signing.sign import Signer, SigningConfig

T = TypeVar("T")


class FinishError(SignoffError):
    """Signing or storing failed; ``hint`` says where the draft is kept."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass
class Outcome:
    """A stored record and what verification says about it."""

    path: Path
    status: str
    valid: bool
    reason: str = ""
    signer: str = ""
    #: What to do when the record does not verify (e.g. the key is not in allowed_signers yet).
    hint: str = ""


def build_record(state: ReviewState, cfg: SigningConfig) -> ReviewRecord:
    """The unsigned record of the review: session answers + the analyses the state holds."""
    session = state.session
    relevance = state.relevance
    if relevance is not None:
        known = {r.question.id for r in (*relevance.triggered, *relevance.untriggered)}
    else:  # no relevance engine: record what was answered about the questions shown
        known = {q.id for q in state.questions}
    ai = state.ai
    unseen = sum(session.unseen_ai(ai.line_sets()).values())
    diff = state.full_diff  # the view may show an interdiff or a -w diff: the record is of the range
    assert diff is not None and session.verdict is not None
    diff_paths = {f.path for f in diff.files}
    record = compose_record(
        state.git,
        state.target,
        diff,
        verdict=session.verdict.value,
        summary=session.summary,
        answers=session.answer_inputs(known),
        relevance=relevance,
        attribution=ai.raw,
        thoroughness=session.thoroughness,
        understanding=session.understanding,
        files_reviewed=sorted(p for p in session.reviewed_files if p in diff_paths),
        ai_lines_reviewed=max(0, ai.total - unseen),
        ai_seen_definition="cursor/1",
        comments=comment_blobs(diff, session.record_comments()),
        previous=session.previous_link(),
        pending=state.pending_stages(),
        confirmed=state.confirmed_open,
        started=session.started if _is_utc_stamp(session.started) else None,
        name=cfg.name,
        email=cfg.email,
    )
    return with_findings(record, state.findings, session.findings)


def with_findings(record: ReviewRecord, findings: Any, judged: dict[str, dict[str, str]]) -> ReviewRecord:
    """Every finding on the change into the record, with the reviewer's judgements (T in the review)."""
    if findings is None or not findings.items:
        return record
    known = {f.id for f in findings.items}  # a draft may outlive the SARIF file it judged
    decisions = {k: TriageInput(v["triage"], v.get("note", "")) for k, v in judged.items() if k in known}
    return replace(record, findings=triage_table(findings, decisions))


def _is_utc_stamp(text: str) -> bool:
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", text or "") is not None


def needs_terminal(signer: Signer) -> bool:
    """Whether signing may prompt on the terminal: an encrypted SSH key file, or gpg (pinentry)."""
    if signer.format != "ssh":
        return True
    if signer.literal:
        return False  # the private half is in ssh-agent
    return ssh_key_encrypted(Path(signer.key))


def ssh_key_encrypted(path: Path) -> bool:
    """True for a passphrase-protected private key file (a ``.pub`` file means ssh-agent: False)."""
    try:
        text = path.read_bytes()[:65536].decode("ascii", "replace").strip()
    except OSError:
        return False
    begin, end = "-----BEGIN OPENSSH PRIVATE KEY-----", "-----END OPENSSH PRIVATE KEY-----"
    if text.startswith(begin) and text.endswith(end):
        try:
            raw = base64.b64decode("".join(text[len(begin) : -len(end)].split()), validate=True)
        except binascii.Error:
            return True
        magic = b"openssh-key-v1\0"
        if not raw.startswith(magic) or len(raw) < len(magic) + 4:
            return True
        n = int.from_bytes(raw[len(magic) : len(magic) + 4], "big")
        return raw[len(magic) + 4 : len(magic) + 4 + n] != b"none"
    if text.startswith("-----BEGIN ") and "PRIVATE KEY-----" in text.splitlines()[0]:
        return "ENCRYPTED" in text[:400]
    return False


def in_terminal(app: Any, fn: Callable[[], T], announce: str) -> T:
    """Run ``fn`` with the real terminal handed back (``App.suspend``), from a worker thread.

    Under ``run_test`` (headless) or when called on the UI thread, ``fn`` just runs.
    """
    if getattr(app, "is_headless", True) or threading.get_ident() == getattr(app, "_thread_id", None):
        return fn()

    def suspended() -> T:
        with app.suspend():
            print(announce, file=sys.stderr, flush=True)
            return fn()

    return app.call_from_thread(suspended)


def sign_and_save(app: Any, state: ReviewState) -> Outcome:
    """Build the record from the session, sign it as git's config says, store it, verify it.

    ``app`` lends the terminal to a signer that may prompt. On a signing failure :class:`FinishError`
    says what to configure; the draft (the session, plus the unsigned record) stays. After success the
    draft is deleted and never written again.
    """
    session = state.session
    if session.verdict is None:
        raise FinishError("choose a verdict first")
    if state.diff is None or state.diff.partial:
        raise FinishError("the diff has not been loaded yet")
    git = state.git
    try:
        cfg = signing_config(git, key=state.sign_key, fmt=state.sign_format, email=state.sign_email)
        record = build_record(state, cfg)
    except SignoffError as exc:
        raise FinishError(exc.message) from None

    def sign() -> Path:
        return sign_and_store(git, record, cfg)

    try:
        signer = resolve_signer(cfg)
        if needs_terminal(signer):
            tool = "ssh-keygen" if signer.format == "ssh" else "gpg"
            path = in_terminal(
                app,
                sign,
                f"signoff: signing the review with {visible(signer.key)} "
                f"({tool} may ask for the key's passphrase)…",
            )
        else:
            path = sign()
    except SigningError as exc:
        # the session (to resume) and the unsigned record, in the one draft for this target
        with state.draft_lock:
            state.draft_extra["record"] = record.to_dict(signature=False)
            where = save_draft(state.draft_dir, session, **state.draft_extra)
        raise FinishError(exc.message, f"Draft: {where}") from None
    with state.draft_lock:
        state.draft_closed = True
        discard_draft(state.draft_dir, session.target_key)
    v = Verifier.for_repo(git).verify_path(path)
    try:
        shown = path.relative_to(git.root)
    except ValueError:
        shown = path
    hint = ""
    if v.status.value == "unknown-signer":
        hint = (
            "Your key is not trusted for your e-mail in .signoff/allowed_signers yet: run "
            "`signoff init` to add it (limited to the signoff-review namespace), then commit it."
        )
    return Outcome(Path(shown), v.status.value, v.ok, v.reason, v.signer, hint)


# -- history ---------------------------------------------------------------------------------------------


@dataclass
class ReviewList:
    """The history screen's data: one row per record, plus audit findings when the audit ran."""

    rows: list[dict[str, str]] = field(default_factory=list)
    #: Audit problems (unreviewed commits, invalid records, ...) or notes on what could not be checked.
    notes: list[str] = field(default_factory=list)
    audited: bool = False


def list_reviews(git: Any) -> ReviewList:
    """Past review records with date, verdict, signer, validity, head and path (newest first).

    The audit adds whether each landed approval is stale, and the commits of the default branch no
    valid approval covers. When the audit cannot run: verification only.
    """
    out = ReviewList()
    try:
        report = run_audit(git, ai=False)
    except SignoffError as exc:
        out.notes.append(f"audit not available ({exc.message}); showing signature checks only")
    else:
        for e in report.records:
            r = e.record
            state = ""
            if e.valid and e.stale and not e.superseded:
                state = "stale"
            elif e.valid and e.superseded:
                state = "superseded"
            elif e.landed:
                state = "landed"
            out.rows.append(
                {
                    "date": e.finished,
                    "verdict": e.verdict,
                    "signer": e.reviewer,
                    "validity": e.status.value,
                    "reason": e.reason,
                    "state": state,
                    "head": (r.subject.head or "") if r else "",
                    "path": e.path,
                }
            )
        out.notes += report.problems() or [f"audit of {report.branch}: no problems"]
        out.audited = True
    if not out.audited:
        verifier = Verifier.for_repo(git)
        for p in list_records(git.root):
            v = verifier.verify_path(p)
            info = v.info or {}
            subject = info.get("subject") or {}
            try:
                rel = str(p.relative_to(git.root))
            except ValueError:
                rel = str(p)
            out.rows.append(
                {
                    "date": info.get("finished") or "",
                    "verdict": info.get("verdict") or "",
                    "signer": v.signer or (info.get("reviewer") or {}).get("email", ""),
                    "validity": v.status.value,
                    "reason": v.reason,
                    "state": "",
                    "head": subject.get("head") or "",
                    "path": rel,
                }
            )
    out.rows.sort(key=lambda r: r["date"], reverse=True)
    return out
