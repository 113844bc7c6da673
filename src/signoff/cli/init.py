"""``signoff init``: write ``.signoff/config.toml``, add your key to ``.signoff/allowed_signers``, print
the CI and pre-commit snippets."""

from __future__ import annotations

import argparse
import io
import os
import sys
from typing import TextIO

from signoff.errors import SigningError, UsageError
from signoff.git.runner import Git, open_repo
from signoff.integration import (
    ALLOWED_SIGNERS_REL,
    CONFIG_REL,
    GITHUB_ACTIONS,
    GITLAB_CI,
    PRE_COMMIT,
    PRE_COMMIT_REMOTE,
    REQUIREMENTS_HOWTO,
    add_allowed_signer,
    already_trusted,
    ignored_repo_identity,
    user_signer,
    write_config,
)
from signoff.util.sanitize import visible

SNIPPETS = {
    "github": REQUIREMENTS_HOWTO + GITHUB_ACTIONS,
    "gitlab": REQUIREMENTS_HOWTO + GITLAB_CI,
    "pre-commit": PRE_COMMIT + "\n" + PRE_COMMIT_REMOTE,
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "init", help="write .signoff/config.toml and allowed_signers; print CI and pre-commit snippets"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing .signoff/config.toml")
    p.add_argument(
        "--key", metavar="PATH|key::…", help="public key to trust (default: your global user.signingKey)"
    )
    p.add_argument(
        "--email", metavar="PRINCIPAL", help="principal for the key (default: your global user.email)"
    )
    p.add_argument("--no-key", action="store_true", help="do not touch .signoff/allowed_signers")
    p.add_argument("--yes", action="store_true", help="trust the key shown without asking")
    p.add_argument(
        "--snippets",
        choices=["all", "none", *SNIPPETS],
        default="all",
        help="which integration snippets to print (default: all)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    git = open_repo(getattr(args, "repo_path", None))
    out = sys.stdout
    try:
        wrote = write_config(git.root, force=args.force)
    except OSError as exc:
        raise UsageError(f"cannot write {CONFIG_REL}: {exc}") from exc
    print(f"{'wrote' if wrote else 'kept existing'} {CONFIG_REL}", file=out)
    if not args.no_key:
        _trust_user_key(git, args, out)
    print(f"commit them: git add .signoff && git commit -m 'signoff: init' -- {CONFIG_REL.parent}", file=out)
    chosen = list(SNIPPETS) if args.snippets == "all" else [] if args.snippets == "none" else [args.snippets]
    for name in chosen:
        print(f"\n--- {name} ---", file=out)
        out.write(SNIPPETS[name])
    return 0


def _trust_user_key(git: Git, args: argparse.Namespace, out: TextIO) -> None:
    """Show the key about to be trusted (fingerprint, principal, source) and add it once confirmed."""
    ignored = ignored_repo_identity(git)
    if ignored and not (args.key and args.email):
        print(
            f"note: ignoring {', '.join(ignored)} from this repository's own git config (a clone sets "
            "those); the key comes from your global git config or --key/--email",
            file=out,
        )
    try:
        signer, reason = user_signer(git, key=args.key, email=args.email)
    except SigningError as exc:
        signer, reason = None, exc.message
    if signer is None:
        print(f"note: {ALLOWED_SIGNERS_REL} not updated: {visible(reason)}", file=out)
        return
    print(
        f"key to trust: {visible(signer.principal)} {signer.keytype} {signer.fingerprint} "
        f"(from {visible(signer.source)})",
        file=out,
    )
    if already_trusted(git.root, signer):
        print(f"{ALLOWED_SIGNERS_REL}: already trusts {visible(signer.principal)} {signer.keytype}", file=out)
        return
    if not args.yes and not _confirm(f"add it to {ALLOWED_SIGNERS_REL}? [y/N] ", out):
        print(f"note: {ALLOWED_SIGNERS_REL} not updated (answer y, or pass --yes to trust it)", file=out)
        return
    try:
        added = add_allowed_signer(git.root, signer)
    except OSError as exc:
        raise UsageError(f"cannot write {ALLOWED_SIGNERS_REL}: {exc}") from exc
    what = "added" if added else "already trusts"
    print(
        f"{ALLOWED_SIGNERS_REL}: {what} {visible(signer.principal)} {signer.keytype} {signer.fingerprint}",
        file=out,
    )


def _confirm(prompt: str, out: TextIO) -> bool:
    """Ask on standard input; no answer (end of input, or input that is a file or pipe) means no.

    A file or pipe is never read from: nothing waits on input that no one is typing.
    """
    stdin = sys.stdin
    if stdin is None:
        return False
    try:
        fd: int | None = stdin.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        fd = None  # an in-memory stream (tests, embedding): read it
    if fd is not None and not os.isatty(fd):
        return False
    print(prompt, end="", file=out, flush=True)
    try:
        answer = stdin.readline()
    except (OSError, ValueError, KeyboardInterrupt):
        return False
    print(file=out)
    return answer.strip().lower() in ("y", "yes")
