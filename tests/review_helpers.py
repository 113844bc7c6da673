"""Build signed review records about real commits, for audit and gate tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from signoff.git.runner import EMPTY_TREE
from signoff.records.model import Answer, ChecklistRef, ReviewRecord, Subject
from signoff.records.store import write_record
from tests.helpers import git
from tests.sigkeys import SshKey, make_record, sign_in_process

NS = 'namespaces="signoff-review"'


def rev(repo: Path, r: str) -> str:
    return git(repo, "rev-parse", r).strip()


def tree(repo: Path, r: str) -> str:
    return git(repo, "rev-parse", f"{r}^{{tree}}").strip()


def signed_record(
    repo: Path,
    key,
    *,
    base: str,
    head: str,
    email: str = "alice@example.com",
    verdict: str = "approve",
    finished: str = "2026-02-01T00:00:00Z",
    paths: list[str] | None = None,
    answers: list[Answer] | None = None,
    checklists: list[ChecklistRef] | None = None,
    head_tree: str | None = None,
    **fields: object,
) -> ReviewRecord:
    """A record for ``base..head`` in ``repo`` signed in-process with ``key`` (an Ed25519 private key)."""
    base_sha = base if base == EMPTY_TREE else rev(repo, base)
    head_sha = rev(repo, head)
    if paths is None:
        out = git(repo, "diff", "--name-only", "--no-renames", base_sha, head_sha)
        paths = sorted(p for p in out.splitlines() if p)
    rec = make_record(email=email, finished=finished)
    rec = replace(
        rec,
        subject=Subject(
            "range",
            base_sha,
            EMPTY_TREE if base == EMPTY_TREE else tree(repo, base_sha),
            head_sha,
            head_tree or tree(repo, head_sha),
            "e" * 64,
            paths,
        ),
        review=replace(
            rec.review,
            verdict=verdict,
            started="2026-01-31T00:00:00Z",
            finished=finished,
            files_reviewed=paths,
        ),
        answers=answers if answers is not None else [],
        checklists=checklists if checklists is not None else [],
    )
    if fields:  # schema /2 tables (comments, previous, analysis, ...)
        rec = replace(rec, **fields)  # type: ignore[arg-type]
    return sign_in_process(rec, key)


def store(repo: Path, record: ReviewRecord) -> Path:
    return write_record(repo, record)


def allowed(entries: list[tuple[str, SshKey, str]]) -> str:
    """``allowed_signers`` text: (principal, key, extra options)."""
    lines = []
    for principal, key, extra in entries:
        opts = f"{NS},{extra}" if extra else NS
        lines.append(f"{principal} {opts} {key.pub}\n")
    return "".join(lines)
