"""``signoff review``: open the TUI on the diff (``--answers FILE``: headless, for scripts).

The answers file (TOML)::

    verdict = "approve"                 # approve | changes-requested | reject
    summary = "Checked the query builder and the new endpoint."
    thoroughness = "high"               # optional: high | medium | low | none (default medium)
    understanding = "medium"            # optional, same values (default medium)
    files_reviewed = ["app.py"]         # optional (default: every file of the diff)

    [answers."db.parameterized-queries"]   # or [answers.db.parameterized-queries]
    answer = "pass"                     # pass | fail | na
    note = "uses bound parameters"      # optional
    evidence = [{path = "app.py", lines = "10-14"}]   # optional

    [findings."bandit:B608@app/db.py:12"]  # scanner findings (--findings FILE.sarif): ids from signoff scan
    triage = "false-positive"           # true-positive | false-positive | accepted-risk
    note = "the value is an enum name"  # required for false-positive and accepted-risk
    [[comments]]                        # optional line comments, any number
    path = "app.py"
    lines = "12"                        # N or N-M
    side = "new"                        # optional: new | old
    text = "rename this"
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from signoff.cli.common import open_and_resolve
from signoff.errors import UsageError
from signoff.findings.placement import sarif_paths
from signoff.review.rereview import carry_forward, find_previous, load_interdiff
from signoff.review.triage import TriageInput, parse_triage, triage_table


def register(sub: argparse._SubParsersAction) -> None:
    from signoff.cli.common import add_target_arguments

    p = sub.add_parser("review", help="review a diff in the terminal UI (the default command)")
    add_target_arguments(p)
    p.add_argument("--answers", metavar="FILE", help="headless: answers TOML; sign and store the record")
    p.add_argument("--max-file-size", type=int, metavar="BYTES", help="show larger files as too large")
    p.add_argument("--key", metavar="KEY", help="signing key (overrides git's user.signingKey)")
    p.add_argument(
        "--format", choices=["ssh", "openpgp"], help="signature format (overrides git's gpg.format)"
    )
    p.add_argument(
        "--checklist", action="append", default=[], metavar="NAME", help="also ask an opt-in checklist"
    )
    p.add_argument(
        "--findings",
        action="append",
        default=[],
        metavar="FILE.sarif",
        help="scanner findings (SARIF 2.1.0) to show and triage; default: [findings] sarif in the config",
    )
    p.add_argument(
        "--since-last-review",
        action="store_true",
        help="with --answers: take over the answers of the latest valid earlier record of this range "
        "whose hit lines did not change, and link the new record to it",
    )
    p.add_argument("--no-ai", action="store_true", help="skip AI attribution (commit signals, blame)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "answers", None):
        answers = read_answers(Path(args.answers))  # validate before touching anything
        git, target = open_and_resolve(args)
        return run_headless(git, target, args, answers)
    git, target = open_and_resolve(args)
    try:
        from signoff.app import run_review
    except ImportError as exc:
        raise UsageError(
            f"the terminal UI is not available ({exc}); "
            "use signoff review --answers FILE for a headless review"
        ) from None
    return run_review(git, target, args)


# -- headless ------------------------------------------------------------------------------------------


@dataclass
class AnswersFile:
    verdict: str
    summary: str = ""
    thoroughness: str = "medium"
    understanding: str = "medium"
    files_reviewed: list[str] | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    findings: dict[str, TriageInput] = field(default_factory=dict)
    comments: list[Any] = field(default_factory=list)


_TOP = {
    "verdict",
    "summary",
    "thoroughness",
    "understanding",
    "files_reviewed",
    "answers",
    "findings",
    "comments",
}
_COMMENT_KEYS = ("path", "lines", "side", "text")
_ANSWER_KEYS = {"answer", "note", "evidence"}


def read_answers(path: Path) -> AnswersFile:
    """Parse and check an answers file; :class:`UsageError` naming the bad field."""
    from signoff.records.model import LEVELS, VERDICTS, Evidence
    from signoff.review.compose import AnswerInput

    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{name}: not valid TOML: {exc}") from None

    def fail(where: str, message: str) -> UsageError:
        return UsageError(f"{name}: {where}: {message}")

    for key in data:
        if key not in _TOP:
            raise fail(key, f"unknown field (expected {', '.join(sorted(_TOP))})")

    def choice(key: str, values: tuple[str, ...], default: str | None) -> str:
        value = data.get(key, default)
        if value is None:
            raise fail(key, "missing field")
        if value not in values:
            raise fail(key, f"expected one of {', '.join(values)}; got {value!r}")
        return value

    out = AnswersFile(
        verdict=choice("verdict", VERDICTS, None),
        thoroughness=choice("thoroughness", LEVELS, "medium"),
        understanding=choice("understanding", LEVELS, "medium"),
    )
    summary = data.get("summary", "")
    if not isinstance(summary, str):
        raise fail("summary", "expected a string")
    out.summary = summary
    files = data.get("files_reviewed")
    if files is not None:
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise fail("files_reviewed", "expected an array of strings")
        out.files_reviewed = files
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        raise fail("answers", "expected a table of [answers.<question-id>] tables")
    for qid, table in _flatten(answers):
        where = f'answers."{qid}"'
        for key in table:
            if key not in _ANSWER_KEYS:
                raise fail(f"{where}.{key}", "unknown field (expected answer, note, evidence)")
        value = table.get("answer")
        if value not in ("pass", "fail", "na"):
            raise fail(f"{where}.answer", f"expected pass, fail or na; got {value!r}")
        note = table.get("note", "")
        if not isinstance(note, str):
            raise fail(f"{where}.note", "expected a string")
        evidence = []
        for i, ev in enumerate(table.get("evidence", [])):
            if not isinstance(ev, dict) or set(ev) - {"path", "lines", "side"} or "path" not in ev:
                raise fail(f"{where}.evidence[{i}]", 'expected {path = ..., lines = "N-M"}')
            lines = str(ev.get("lines", "1"))
            if not lines.replace("-", "", 1).isdigit():
                raise fail(f"{where}.evidence[{i}].lines", f"expected N or N-M; got {lines!r}")
            side = ev.get("side", "new")
            if side not in ("new", "old"):
                raise fail(f"{where}.evidence[{i}].side", "expected new or old")
            evidence.append(Evidence(str(ev["path"]), lines, "", side))
        out.answers[qid] = AnswerInput(value, note, evidence)
    out.findings = parse_triage(data.get("findings", {}), name)
    out.comments = _read_comments(data.get("comments", []), fail)
    return out


def _read_comments(items: Any, fail: Any) -> list[Any]:
    """``[[comments]]`` tables as record comments (their blobs are pinned once the diff is known)."""
    from signoff.records.model import Comment

    if not isinstance(items, list):
        raise fail("comments", "expected [[comments]] tables")
    out = []
    for i, c in enumerate(items):
        where = f"comments[{i}]"
        if not isinstance(c, dict):
            raise fail(where, "expected a table with path, lines and text")
        for key in c:
            if key not in _COMMENT_KEYS:
                raise fail(f"{where}.{key}", f"unknown field (expected {', '.join(_COMMENT_KEYS)})")
        path, lines, side, text = (c.get(k) for k in _COMMENT_KEYS)
        if not isinstance(path, str) or not path:
            raise fail(f"{where}.path", "expected a path of the diff")
        if not isinstance(lines, str | int) or not str(lines).replace("-", "", 1).isdigit():
            raise fail(f"{where}.lines", f"expected N or N-M; got {lines!r}")
        if side not in (None, "new", "old"):
            raise fail(f"{where}.side", "expected new or old")
        if not isinstance(text, str) or not text.strip():
            raise fail(f"{where}.text", "expected a non-empty string")
        out.append(Comment(path, str(lines), text, side or "new"))
    return out


def _flatten(table: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """``[answers.db.sql]`` (nested tables) and ``[answers."db.sql"]`` both mean question ``db.sql``."""
    out: list[tuple[str, dict[str, Any]]] = []
    for key, value in table.items():
        qid = f"{prefix}.{key}" if prefix else key
        if not isinstance(value, dict):
            raise UsageError(f'answers."{qid}": expected a table with answer = "pass" | "fail" | "na"')
        if any(k in value for k in _ANSWER_KEYS):
            nested = [k for k, v in value.items() if isinstance(v, dict)]
            if nested:
                raise UsageError(
                    f'answers."{qid}".{nested[0]}: unknown field (expected answer, note, evidence)'
                )
            out.append((qid, value))
        else:
            out += _flatten(value, qid)
    return out


def run_headless(git: Any, target: Any, args: argparse.Namespace, answers: AnswersFile) -> int:
    """Build, sign and store the record; print its path. Nothing is written on a usage error."""
    from signoff.analysis import analyze, diff_options
    from signoff.records.store import delete_draft
    from signoff.review.compose import comment_blobs, compose_record, sign_and_store
    from signoff.review.session import ReviewSession
    from signoff.signing.sign import signing_config

    cfg = signing_config(git, key=getattr(args, "key", None), fmt=getattr(args, "format", None))
    result = analyze(
        git,
        target,
        diff_options(git, getattr(args, "max_file_size", None)),
        include_opt_in=tuple(getattr(args, "checklist", []) or ()),
        sarif=sarif_paths(git, getattr(args, "findings", []) or []),
        ai=not getattr(args, "no_ai", False),
    )
    if result.findings is not None and result.findings.errors:
        raise UsageError(result.findings.errors[0] + " (nothing was signed)")
    findings_table = triage_table(result.findings, answers.findings)
    known = {q.id for q in result.questions.checklists.questions} if result.questions is not None else set()
    unknown = sorted(set(answers.answers) - known)
    if unknown:
        raise UsageError(
            f"unknown question id: {', '.join(unknown)} (see signoff scan, or signoff checklists list)"
        )
    paths = {f.path for f in result.diff.files} | {f.old_path for f in result.diff.files if f.old_path}
    stray = [p for p in answers.files_reviewed or [] if p not in paths]
    if stray:
        raise UsageError(f"files_reviewed: not in the diff: {', '.join(stray)}")
    for i, c in enumerate(answers.comments):
        if c.path not in paths:
            raise UsageError(f"comments[{i}].path: not in the diff: {c.path}")
    given, previous = answers.answers, None
    if getattr(args, "since_last_review", False):
        given, previous = since_last_review(git, target, result, answers.answers, cfg.email)
    record = compose_record(
        git,
        target,
        result.diff,
        verdict=answers.verdict,
        summary=answers.summary,
        answers=given,
        previous=previous,
        relevance=result.questions,
        attribution=result.ai,
        thoroughness=answers.thoroughness,
        understanding=answers.understanding,
        files_reviewed=answers.files_reviewed,
        comments=comment_blobs(result.diff, answers.comments),
        name=cfg.name,
        email=cfg.email,
    )
    if findings_table is not None:
        record = replace(record, findings=findings_table)
    # the same draft form as the TUI's, so `signoff review` resumes a review whose signing failed here
    session = ReviewSession.from_answer_inputs(
        target.key,
        given,
        verdict=answers.verdict,
        summary=answers.summary,
        thoroughness=answers.thoroughness,
        understanding=answers.understanding,
        files_reviewed=record.review.files_reviewed,
        comments=record.comments or [],
    )
    path = sign_and_store(git, record, cfg, draft_key=target.key, draft=session.to_dict())
    delete_draft(git, target.key)
    try:
        shown = path.relative_to(git.root)
    except ValueError:
        shown = path
    print(shown)
    sys.stdout.flush()
    return 0


def since_last_review(git: Any, target: Any, result: Any, given: dict[str, Any], me: str) -> tuple[dict, Any]:
    """The answers with those carried from the latest valid earlier record of the range, and the link.

    Answers in the file win; carried ones fill the questions it leaves out. No earlier record: a
    :class:`UsageError` (the caller asked for one).
    """
    prev = find_previous(git, target, prefer=me)
    if prev is None:
        raise UsageError(
            "--since-last-review: no valid earlier record of this range (same base, trusted at the base)"
        )
    plan = carry_forward(prev.record, result.questions, load_interdiff(git, target, prev))
    carried = {q: a for q, a in plan.carried.items() if q not in given}
    reanswer = [q for q in plan.reanswer if q not in given]
    print(
        f"since {prev.path} ({prev.signer}, {prev.head[:12]}): {len(carried)} answer(s) carried, "
        f"{len(reanswer)} to answer again",
        file=sys.stderr,
    )
    return {**carried, **given}, prev.link(carried, reanswer)
