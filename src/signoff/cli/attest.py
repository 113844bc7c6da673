"""``signoff attest RECORD``: the review as an in-toto attestation (DSSE envelope), signed by the reviewer."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from signoff.errors import EXIT_CHECK_FAILED, EXIT_OK, SigningError
from signoff.git.runner import open_repo
from signoff.signing.attest import dsse_signer, sign_statement, statement
from signoff.signing.sign import signing_config
from signoff.signing.verify import Verifier
from signoff.util.atomic import write_atomic
from signoff.util.sanitize import visible


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "attest",
        help="write a review record as a signed in-toto attestation (DSSE)",
        description=(
            "Write RECORD as an in-toto Statement v1 (subject: the reviewed commit and tree) in a DSSE "
            "envelope signed with the reviewer's key. The record must verify and the key must be the one "
            "that signed it."
        ),
    )
    p.add_argument("record", metavar="RECORD", help="a review record (.signoff/reviews/...toml)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the envelope here (default: stdout)")
    p.add_argument("--key", help="signing key (default: git's user.signingKey)")
    p.add_argument("--format", choices=["ssh", "openpgp"], help="signing format (default: git's gpg.format)")
    p.add_argument("--name", help="subject name (default: the repository directory's name)")
    p.add_argument("--allowed-signers", metavar="FILE", help="trust file used to verify the record first")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    git = open_repo(getattr(args, "repo_path", None))
    path = Path(args.record)
    verifier = Verifier.for_repo(
        git, allowed_signers=Path(args.allowed_signers) if args.allowed_signers else None
    )
    result = verifier.verify_path(path)
    if not result.ok or result.record is None:
        print(
            f"signoff: error: {visible(str(path))}: {result.status.value}: {visible(result.reason)}; "
            "only a valid record can be attested",
            file=sys.stderr,
        )
        return EXIT_CHECK_FAILED
    record = result.record
    data = path.read_bytes()
    cfg = signing_config(git, key=args.key, fmt=args.format)
    signer, ref = dsse_signer(cfg)
    if ref.fingerprint.upper() != record.reviewer.key.upper():
        raise SigningError(
            f"the key {ref.fingerprint} is not the key that signed the record ({record.reviewer.key}): "
            "attest with the reviewer's own key"
        )
    try:
        rel = path.resolve().relative_to(git.root.resolve()).as_posix()
    except ValueError:
        rel = path.name
    stmt = statement(record, data, rel, args.name or git.root.name)
    text = json.dumps(sign_statement(stmt, signer), sort_keys=True) + "\n"
    if args.output:
        write_atomic(Path(args.output), text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return EXIT_OK
