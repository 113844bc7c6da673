"""The answers file of a headless review (``signoff review --answers FILE``), parsed and checked.

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

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signoff.errors import UsageError
from signoff.records.model import LEVELS, VERDICTS, Comment, Evidence
from signoff.review.compose import AnswerInput
from signoff.review.triage import TriageInput, parse_triage


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
        return str(value)

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
