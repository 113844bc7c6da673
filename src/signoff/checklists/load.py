"""Load the shipped checklists, apply a repository's overrides, lint checklist files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from signoff.checklists.model import REPO_DIR, Checklist, ChecklistError, ChecklistSet, OverrideFile, Problem
from signoff.checklists.parse import parse_checklist
from signoff.errors import UsageError
from signoff.util import tomlsafe
from signoff.util.cache import key_of, read_entry, write_entry

# --------------------------------------------------------------------------------------------------
# Loading


def builtin_dir() -> Path:
    """Where the shipped checklists are: package data in a wheel, the repo's checklists/ in a checkout."""
    pkg = Path(__file__).resolve().parents[1] / "data" / "checklists"
    if pkg.is_dir() and any(pkg.glob("*.toml")):
        return pkg
    top = Path(__file__).resolve().parents[3] / "checklists"
    if top.is_dir():
        return top
    return pkg


#: Bump when the regex lint (or what the cache entry holds) changes, so checklists validated by an
#: older lint are checked again.
_LINT_VERSION = "regex-lint-3"


def _read_dir(directory: Path) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(directory.glob("*.toml")) if p.is_file()]


def load_builtin(*, directory: Path | None = None) -> tuple[list[Checklist], list[Problem]]:
    """All shipped checklists (including opt-in ones), validated strictly.

    The backtracking lint of their regexes, the anchor extraction and the TOML parsing are the slow
    part; once a set of files (by content hash) has passed, the anchors and the parsed documents are
    kept in the user cache, and later loads only validate the documents (regexes compile when used).
    """
    directory = directory or builtin_dir()
    files = _read_dir(directory)
    key = key_of(_LINT_VERSION, *(part for name, data in files for part in (name, data)))
    known, docs = _cached_lint(key, [name for name, _ in files])
    checklists: list[Checklist] = []
    problems: list[Problem] = []
    for i, (name, data) in enumerate(files):
        parsed = docs[i] if docs is not None else None
        cl, probs = parse_checklist(data, f"checklists/{name}", known_anchors=known, parsed=parsed)
        problems += probs
        if cl is not None:
            checklists.append(cl)
    problems += _cross_check(checklists)
    if not problems and known is None:
        _store_lint(key, checklists, files)
    return checklists, problems


def _store_lint(key: str, checklists: list[Checklist], files: list[tuple[str, bytes]]) -> None:
    """Keep the anchors of every regex of a file set that passed, with its parsed TOML documents (as
    JSON, which reads back far faster; left out when a document holds a value JSON cannot)."""
    anchors = {
        p.source: sorted(p.anchors) if p.anchors is not None else None
        for c in checklists
        for q in c.questions
        for p in (*q.triggers.added, *q.triggers.removed, *q.triggers.absent)
    }
    entry: dict[str, Any] = {"anchors": anchors}
    try:
        docs = {name: tomlsafe.loads(data.decode("utf-8")) for name, data in files}
        entry["docs"] = json.loads(json.dumps(docs))
        if entry["docs"] != docs:  # a value that does not survive JSON: parse those files each time
            del entry["docs"]
    except (TypeError, ValueError):
        entry.pop("docs", None)
    write_entry("checklists-ok", key, json.dumps(entry, sort_keys=True).encode())


def _cached_lint(
    key: str, names: list[str]
) -> tuple[dict[str, list[str] | None] | None, list[dict[str, Any]] | None]:
    """Anchors of every regex of a file set that passed the lint before (None: lint it now), and the
    files' parsed documents (None: parse them)."""
    blob = read_entry("checklists-ok", key)
    if blob is None:
        return None, None
    try:
        entry = json.loads(blob)
    except ValueError:
        return None, None
    anchors = entry.get("anchors") if isinstance(entry, dict) else None
    if not isinstance(anchors, dict):
        return None, None
    docs = entry.get("docs")
    if not isinstance(docs, dict) or not all(isinstance(docs.get(n), dict) for n in names):
        return anchors, None
    return anchors, [docs[n] for n in names]


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
    override_files: Sequence[tuple[str, bytes]] | None = None,
) -> ChecklistSet:
    """The checklists in effect: shipped ones, the opt-in ones named, and the repository's overrides:
    ``override_files`` (``(path, bytes)``, e.g. as committed on the target branch) when given, else
    ``repo_root``'s work-tree ``.signoff/checklists/*.toml``.

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
    files = list(override_files) if override_files is not None else []
    if override_files is None and repo_root is not None:
        files = read_repo_overrides(Path(repo_root))
    if files:
        # Overrides may target opt-in checklists too; merge against everything, then select.
        merged, overrides, problems = apply_overrides(builtins, files)
        if problems:
            raise ChecklistError(problems)
        wanted = set(include_opt_in)
        selected = [c for c in merged if not c.opt_in or c.id in wanted]
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
