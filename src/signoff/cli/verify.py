"""``signoff verify``: check review records' signatures, signers and subjects."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from signoff.errors import EXIT_CHECK_FAILED, EXIT_OK, UsageError
from signoff.git.runner import Git, open_repo
from signoff.records.codec import load
from signoff.records.model import RecordError
from signoff.records.store import REVIEWS_DIR, cap_records, list_records, too_many_message
from signoff.signing.trustroot import load_trust_root, root_verifier
from signoff.signing.verify import Status, Verification, Verifier
from signoff.util.sanitize import visible


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "verify",
        help="verify review records (default: all under .signoff/reviews)",
        description="Verify review records. Exit 1 if any record is not valid.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="record files (default: every record)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument(
        "--allowed-signers",
        metavar="FILE",
        help="trust these SSH signers (default: .signoff/allowed_signers, else gpg.ssh.allowedSignersFile)",
    )
    p.add_argument(
        "--trust-from",
        metavar="REF",
        help=(
            "take .signoff/allowed_signers and the pinned OpenPGP keys from REF (e.g. origin/main), not "
            "from this checkout (a pull request's checkout trusts whatever the pull request added)"
        ),
    )
    p.add_argument(
        "--payload",
        metavar="PATH",
        help="print the exact signed bytes of one record (to check with ssh-keygen -Y verify or gpg)",
    )
    p.add_argument("--signature", metavar="PATH", help="print the armored signature of one record")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.payload or args.signature:
        path = args.payload or args.signature
        try:
            record = load(path)
        except RecordError as exc:
            raise UsageError(exc.message) from None
        if args.payload:
            sys.stdout.buffer.write(record.payload())
        else:
            if record.signature is None:
                raise UsageError(f"{visible(str(path))} is not signed")
            sys.stdout.write(record.signature.value)
        sys.stdout.flush()
        return EXIT_OK
    git = open_repo(getattr(args, "repo_path", None))
    override = Path(args.allowed_signers) if args.allowed_signers else None
    if args.trust_from:
        root = load_trust_root(git, git.rev_parse(args.trust_from), args.trust_from)
        verifier = root_verifier(git, root, allowed_signers=override)
    else:
        verifier = Verifier.for_repo(git, allowed_signers=override)
    paths, skipped = ([Path(p) for p in args.paths], 0) if args.paths else cap_records(list_records(git.root))
    results = verifier.verify_paths(paths, keep_records=False)
    if skipped:
        results.append(Verification(str(git.root / REVIEWS_DIR), Status.MALFORMED, too_many_message(skipped)))
    _check_trees(git, results)
    shown = _relative_paths(git.root, results)
    if args.format == "json":
        doc = {
            "schema": "signoff.verify/1",
            "allowed_signers": str(verifier.allowed_path) if verifier.allowed_path else None,
            "trust": verifier.trust_source,
            "records": [r.to_dict() | {"path": s} for r, s in zip(results, shown, strict=True)],
            "ok": all(r.ok for r in results),
        }
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        if not results:
            print("no review records found under .signoff/reviews")
        for r, s in zip(results, shown, strict=True):
            print(_line(r, s))
        print(f"trust: {visible(verifier.trust_source)}")
        for problem in verifier.allowed.errors:
            print(f"warning: {visible(problem)}", file=sys.stderr)
    return EXIT_OK if all(r.ok for r in results) else EXIT_CHECK_FAILED


def _relative_paths(root: Path, results: list[Verification]) -> list[str]:
    """Each record's path (its directory resolved, its own name not: a symlinked record shows as the link,
    which is what was refused) relative to the resolved ``root``, else its path as given.

    Each directory is resolved once, not once per record (thousands of records share a few directories).
    """
    top = os.path.realpath(root)
    prefix = top if top.endswith(os.sep) else top + os.sep
    dirs: dict[str, str] = {}
    out = []
    for r in results:
        src = r.source
        head, name = os.path.split(src)
        if name in ("", ".", ".."):
            real = os.path.realpath(src)
        else:
            real_dir = dirs.get(head)
            if real_dir is None:
                real_dir = dirs[head] = os.path.realpath(head or os.curdir)
            real = os.path.join(real_dir, name)
        if real.startswith(prefix):
            out.append(real[len(prefix) :])
        else:
            out.append("." if real == top else src)
    return out


def _line(r: Verification, shown: str) -> str:
    head = f"{r.status.value:<14} {visible(shown)}"
    info = r.info
    if r.ok and info is not None:
        subject = info["subject"]
        what = subject["head"][:12] if subject["head"] else subject["kind"]
        if subject["kind"] != "range":
            what = f"{subject['kind']} on {what}"
        return f"{head}  {info['verdict']} of {what} by {visible(r.signer)} ({r.key})"
    return f"{head}  {visible(r.reason)}"


def _check_trees(git: Git, results: list[Verification]) -> None:
    """A valid record whose head exists here must name that commit's tree (one cat-file call)."""
    valid = [(r, r.info["subject"]) for r in results if r.ok and r.info and r.info["subject"]["head"]]
    heads = sorted({subject["head"] for _, subject in valid})
    if not heads:
        return
    out = git.run(
        ["cat-file", "--batch-check=%(objectname)"], input="".join(f"{h}^{{tree}}\n" for h in heads).encode()
    )
    trees = dict(zip(heads, out.decode().split("\n"), strict=False))
    for r, subject in valid:
        tree = trees.get(subject["head"], "")
        if len(tree) in (40, 64) and tree != subject["head_tree"]:
            r.status = Status.MALFORMED
            r.reason = f"subject.head_tree {subject['head_tree'][:12]} is not the tree of head ({tree[:12]})"
