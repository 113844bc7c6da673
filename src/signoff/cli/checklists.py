"""``signoff checklists list|show ID|lint PATH...``: inspect and validate checklists."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from signoff.checklists.load import lint_paths, load_checklists
from signoff.checklists.model import ChecklistSet
from signoff.errors import EXIT_CHECK_FAILED, EXIT_OK, RepoError, UsageError
from signoff.git.runner import open_repo
from signoff.util.sanitize import visible


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("checklists", help="list, show and lint security checklists")
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    ls = actions.add_parser("list", help="list checklists (with the repository's overrides)")
    ls.add_argument("--all", action="store_true", help="include opt-in process checklists")
    ls.add_argument("--format", choices=["text", "json"], default="text")
    show = actions.add_parser("show", help="show a checklist or a question")
    show.add_argument(
        "id", metavar="ID", help="checklist id (e.g. database) or question id (e.g. db.credentials)"
    )
    lint = actions.add_parser("lint", help="validate checklist TOML files; exit 1 on problems")
    lint.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or directories")
    p.set_defaults(func=run, action=None)


def _load(args: argparse.Namespace, *, everything: bool) -> ChecklistSet:
    root = None
    try:
        root = open_repo(getattr(args, "repo_path", None)).root
    except RepoError:
        root = None
    base = load_checklists(None)
    opt = base.available_opt_in if everything else []
    return load_checklists(root, include_opt_in=opt)


def run(args: argparse.Namespace) -> int:
    if args.action == "lint":
        return _lint(args.paths)
    if args.action == "show":
        return _show(_load(args, everything=True), args.id)
    if args.action in (None, "list"):
        return _list(_load(args, everything=getattr(args, "all", False)), getattr(args, "format", "text"))
    raise UsageError(f"unknown action {args.action!r}")


def _list(cs: ChecklistSet, fmt: str) -> int:
    if fmt == "json":
        doc = [
            {
                "id": c.id,
                "title": c.title,
                "version": c.version,
                "sha256": c.sha256,
                "origin": c.origin,
                "opt_in": c.opt_in,
                "questions": [q.id for q in c.questions],
            }
            for c in cs.checklists
        ]
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return EXIT_OK
    width = max((len(c.id) for c in cs.checklists), default=10)
    for c in cs.checklists:
        flag = " (opt-in)" if c.opt_in else ""
        origin = "" if c.origin == "builtin" else f" [{visible(c.origin)}]"
        count = f"{len(c.questions):3} questions"
        print(f"{visible(c.id):{width}}  v{visible(c.version):6} {count}  {visible(c.title)}{flag}{origin}")
    if cs.available_opt_in:
        print(f"\nopt-in (signoff scan --checklist NAME; list --all): {', '.join(cs.available_opt_in)}")
    for o in cs.overrides:
        print(f"override: {visible(o.path)} -> {visible(o.checklist_id)} (sha256 {o.sha256[:12]})")
    return EXIT_OK


def _show(cs: ChecklistSet, ident: str) -> int:
    cl = cs.checklist(ident)
    if cl is not None:
        print(f"{cl.id} v{cl.version}: {visible(cl.title)}{' (opt-in)' if cl.opt_in else ''}")
        print(visible(cl.description))
        for s in cl.sources:
            print(f"  source: {visible(s.document)} — {visible(s.section)}")
        print(f"  sha256: {cl.sha256}")
        for q in cl.questions:
            print(f"  [{q.severity:8}] {q.id}: {visible(q.text)}")
        return EXIT_OK
    found = cs.by_id(ident)
    if found is None:
        raise UsageError(f"no checklist or question {ident!r} (try: signoff checklists list --all)")
    t = found.triggers
    origin = "" if found.origin == "builtin" else f" (from {visible(found.origin)})"
    print(f"{visible(found.id)} [{found.severity}] in {visible(found.checklist_id)}{origin}")
    print(visible(found.text))
    print(f"references: {', '.join(found.references) or '-'}")
    print("guidance:")
    for line in found.guidance.strip().splitlines():
        print(f"  {visible(line)}")
    print("triggers:")
    if t.always:
        print("  always")
    if t.ai:
        print("  AI-attributed lines")
    if t.paths:
        print(f"  paths: {', '.join(visible(p) for p in t.paths)}")
    if t.languages:
        print(f"  languages: {', '.join(t.languages)}")
    for kind, pats in (("added", t.added), ("removed", t.removed)):
        for p in pats:
            scope = f"  [{', '.join(p.languages)}]" if p.languages else ""
            print(f"  {kind}: {visible(p.source)}{scope}")
    return EXIT_OK


def _lint(paths: list[Path]) -> int:
    checklists, problems = lint_paths(paths)
    for p in problems:
        print(visible(str(p)))
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return EXIT_CHECK_FAILED
    n = sum(len(c.questions) for c in checklists)
    print(f"ok: {len(checklists)} checklist(s), {n} question(s)")
    return EXIT_OK
