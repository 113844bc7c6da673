"""``signoff init``: write ``.signoff/config.toml``, add your key to ``.signoff/allowed_signers``, print
the CI and pre-commit snippets."""

from __future__ import annotations

import argparse
import sys

from signoff.errors import SigningError, UsageError
from signoff.git.runner import open_repo
from signoff.integration import (
    ALLOWED_SIGNERS_REL,
    CONFIG_REL,
    GITHUB_ACTIONS,
    GITLAB_CI,
    PRE_COMMIT,
    PRE_COMMIT_REMOTE,
    REQUIREMENTS_HOWTO,
    add_allowed_signer,
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
    p.add_argument("--key", metavar="PATH|key::…", help="public key to trust (default: user.signingKey)")
    p.add_argument("--email", metavar="PRINCIPAL", help="principal for the key (default: user.email)")
    p.add_argument("--no-key", action="store_true", help="do not touch .signoff/allowed_signers")
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
        try:
            signer, reason = user_signer(git, key=args.key, email=args.email)
        except SigningError as exc:
            signer, reason = None, exc.message
        if signer is None:
            print(f"note: {ALLOWED_SIGNERS_REL} not updated: {visible(reason)}", file=out)
        else:
            try:
                added = add_allowed_signer(git.root, signer)
            except OSError as exc:
                raise UsageError(f"cannot write {ALLOWED_SIGNERS_REL}: {exc}") from exc
            what = "added" if added else "already trusts"
            print(
                f"{ALLOWED_SIGNERS_REL}: {what} {visible(signer.principal)} {signer.keytype} "
                f"(from {visible(signer.source)})",
                file=out,
            )
    print(f"commit them: git add .signoff && git commit -m 'signoff: init' -- {CONFIG_REL.parent}", file=out)
    chosen = list(SNIPPETS) if args.snippets == "all" else [] if args.snippets == "none" else [args.snippets]
    for name in chosen:
        print(f"\n--- {name} ---", file=out)
        out.write(SNIPPETS[name])
    return 0
