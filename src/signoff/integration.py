"""What ``signoff init`` writes and prints: the documented config, the allowed-signers line, CI snippets.

The public key is found the way signing finds it (``user.signingKey``, ``gpg.format``; see
:mod:`signoff.signing.sign`), so the key ``init`` trusts is the key reviews are signed with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from signoff import __version__
from signoff.git.runner import Git
from signoff.signing.sign import resolve_signer, signing_config
from signoff.util.atomic import write_atomic

CONFIG_REL = Path(".signoff") / "config.toml"
ALLOWED_SIGNERS_REL = Path(".signoff") / "allowed_signers"
NAMESPACE = "signoff-review"

#: ``.signoff/config.toml`` as ``signoff init`` writes it: every key documented, defaults shown.
CONFIG_TEMPLATE = """\
# signoff configuration. signoff reads this file as data (it never runs anything from it).
# Every key is optional; the values below are the defaults.

[review]
# Branch whose first-parent history `signoff audit` checks (and `signoff review` compares against).
# Empty: origin/HEAD, else main, else master. `signoff gate` never reads it: its target comes from
# --target or your global git config (see docs/trust-model.md).
default_branch = ""

[gate]
# Valid approvals needed from distinct allowed signers (`signoff gate --min-approvals N` overrides).
min_approvals = 1
# A failed answer at or above this severity blocks the gate: "critical", "high", "medium" or "low".
block_severity = "high"
# Checklist ids every change must have completed in at least one valid approval
# (no question of the checklist skipped), e.g. ["web", "secrets"]. See `signoff checklists list`.
required_checklists = []
# A valid reject / changes-requested vote of an allowed signer blocks until they approve.
reject_blocks = true
# Whether an approval by an author, committer or commit-signing key of the change counts.
allow_self_approval = false
# A counted approval must have viewed every changed file.
require_all_files = true
# A counted approval must state at least this thoroughness: "high", "medium", "low" or "none".
min_thoroughness = "medium"
# A counted approval must answer (pass, fail or n/a) every triggered question of this severity or above.
answer_severity = "high"
# Whether reviewer e-mails with non-ASCII characters may count (look-alikes: off by default).
allow_non_ascii_principals = false
# The gate reads this file, allowed_signers and checklists from the TARGET branch's tip: a change
# cannot relax them for itself.

[audit]
# Only check history from this date (YYYY-MM-DD, "90 days ago") or revision on (`--since` overrides).
# Empty: the whole first-parent history of the default branch.
since = ""
# Whether stale reviews (reviewed paths changed since, with no newer review) count as problems.
stale_is_problem = false
# Whether first-parent commits nobody reviewed count as problems (set false while adopting signoff).
unreviewed_is_problem = true

[ai]
# Extra commit trailers that mark a commit as AI-assisted: "Key" or "Key: value-regex",
# e.g. ["X-AI-Tool", "Co-authored-by: (?i)my-internal-bot"]. The built-in catalogue already
# knows the common tools (Copilot, Claude, ChatGPT, Cursor, Aider, ...).
trailers = []
# Author or committer e-mail globs of AI tools, e.g. ["*@bots.example.com"].
author_emails = []
# Regular expressions searched line-wise in commit messages, e.g. ["(?i)^generated with .*agent"].
message_patterns = []
# Globs of files whose content is always AI-written, e.g. ["generated/**", "*.pb.go"].
paths = []
# The weakest signal that makes a commit's lines AI: "low", "medium" (default) or "high".
min_confidence = "medium"
# How sure a tool's mark on the committer alone is (aider's "(aider)" committer suffix: the tool only
# committed the user's own edit): "low" (default: reported, not counted), "medium" or "high".
committer_only = "low"

# Checklists: shipped ones apply by default. Add or override questions (by id) in
# .signoff/checklists/*.toml; check them with `signoff checklists lint .signoff/checklists`.

[diff]
# Files larger than this many bytes are listed but not loaded.
max_file_bytes = 16777216
"""

#: The distribution name on PyPI (the command is ``signoff``). Not ``signoff``: other, unrelated projects
#: publish ``signoff-*`` packages, and an unpinned ``pip install signoff`` could fetch someone else's code.
DISTRIBUTION = "diff-signoff"
#: The hash-pinned requirements file the CI snippets install from (see REQUIREMENTS_HOWTO).
REQUIREMENTS = ".github/signoff-requirements.txt"
REQUIREMENTS_HOWTO = f"""\
# {REQUIREMENTS}: the exact version and every dependency, each with its sha256, made once with
#   echo '{DISTRIBUTION}=={__version__}' | uv pip compile --generate-hashes - -o {REQUIREMENTS}
# (or pip-compile --generate-hashes); pip then refuses anything whose hash differs.
"""

GITHUB_ACTIONS = f"""\
# .github/workflows/signoff.yml
name: signoff
on:
  pull_request:
permissions:
  contents: read
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8  # v5.0.0
        with:
          fetch-depth: 0                                   # the gate needs the history
          ref: ${{{{ github.event.pull_request.head.sha }}}}   # the PR head, not GitHub's merge commit
          persist-credentials: false
      - uses: actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c  # v6.0.0
        with:
          python-version: "3.12"
      # {DISTRIBUTION}=={__version__} and its dependencies, hash-checked (see the README, "Install")
      - run: python -m pip install --require-hashes -r {REQUIREMENTS}
      - name: signoff gate
        env:
          BASE_REF: ${{{{ github.base_ref }}}}
        run: signoff gate --target "origin/${{BASE_REF}}" --min-approvals 1 --format json
"""

GITLAB_CI = f"""\
# .gitlab-ci.yml
signoff-gate:
  image: python:3.12
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  variables:
    GIT_DEPTH: "0"       # the gate needs the history
  script:
    # {DISTRIBUTION}=={__version__} and its dependencies, hash-checked (see the README, "Install")
    - python -m pip install --require-hashes -r {REQUIREMENTS}
    - git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - >-
      signoff gate --target "origin/${{CI_MERGE_REQUEST_TARGET_BRANCH_NAME}}"
      "origin/${{CI_MERGE_REQUEST_TARGET_BRANCH_NAME}}...${{CI_COMMIT_SHA}}" --min-approvals 1
"""

PRE_COMMIT = f"""\
# .pre-commit-config.yaml  (then: pre-commit install --hook-type pre-push)
# Runs the signoff you installed (pipx install '{DISTRIBUTION}=={__version__}'); works as it is.
repos:
  - repo: local
    hooks:
      - id: signoff-gate
        name: signoff gate
        # Trust, policy and the range come from the branch you push to, never from your branch's files.
        entry: signoff gate --target origin/main --min-approvals 1
        language: system
        pass_filenames: false
        always_run: true
        stages: [pre-push]
"""

PRE_COMMIT_REMOTE = """\
# .pre-commit-config.yaml, hook from signoff's repository: pin rev to a full commit id
# (pre-commit autoupdate --freeze writes it), never to a movable tag or branch.
repos:
  - repo: <URL of signoff's git repository>
    rev: <40-hex commit id>  # frozen: vX.Y.Z
    hooks:
      - id: signoff-gate
        # Trust, policy and the range come from the branch you push to, never from your branch's files.
        args: [--target, origin/main, --min-approvals, "1"]
"""


@dataclass(frozen=True)
class SignerLine:
    """One ``allowed_signers`` line for the user, and where the key came from."""

    principal: str
    keytype: str
    key: str
    source: str
    #: ``SHA256:…``, shown before the key is trusted.
    fingerprint: str = ""

    def line(self) -> str:
        return f'{self.principal} namespaces="{NAMESPACE}" {self.keytype} {self.key}'


def user_signer(git: Git, key: str | None = None, email: str | None = None) -> tuple[SignerLine | None, str]:
    """The user's allowed-signers line: the key and principal from ``key`` / ``email`` (flags) or the
    user's global/system git config, never the repository's own ``.git/config`` (a clone chooses that:
    it must not choose whose key the maintainer trusts).

    Returns ``(line, "")`` or ``(None, reason)`` saying what to configure.
    """
    cfg = signing_config(git, key=key, fmt="ssh" if key else None)
    principal = email or cfg.email
    if not principal:
        return None, "git config --global user.email is not set (or pass --email)"
    if any(c.isspace() for c in principal) or principal.startswith(("#", "-")) or '"' in principal:
        return None, f"user.email is not usable as a principal: {principal!r}"
    if cfg.format != "ssh":
        return None, (
            f"gpg.format is {cfg.format}: .signoff/allowed_signers holds SSH keys; for OpenPGP, share your "
            "public key with the team's keyring (or set gpg.format ssh and user.signingKey)"
        )
    signer = resolve_signer(cfg)
    if signer.public_key is None:
        return None, "no SSH public key found for user.signingKey"
    keytype, b64 = signer.public_key.openssh().split(" ", 1)
    source = "user.signingKey (key::)" if signer.literal else signer.key
    return SignerLine(principal, keytype, b64, source, signer.fingerprint), ""


#: Identity settings a repository's own config may hold, which ``init`` ignores.
IDENTITY_KEYS = ("user.signingKey", "gpg.format", "user.email")


def ignored_repo_identity(git: Git) -> list[str]:
    """The identity keys set in the repository's own ``.git/config`` (or files it includes), which
    ``init`` does not use; one ``git config`` call."""
    pattern = "^(" + "|".join(k.lower().replace(".", "\\.") for k in IDENTITY_KEYS) + ")$"
    code, out = git.try_run(["config", "--local", "--includes", "-z", "--get-regexp", pattern])
    if code != 0:
        return []
    names = {item.split(b"\n", 1)[0].decode("utf-8", "replace") for item in out.split(b"\0") if item}
    return [k for k in IDENTITY_KEYS if k.lower() in names]


def already_trusted(root: Path, signer: SignerLine) -> bool:
    """Whether ``.signoff/allowed_signers`` already holds ``signer``'s key."""
    try:
        existing = (root / ALLOWED_SIGNERS_REL).read_text("utf-8")
    except FileNotFoundError:
        return False
    return any(signer.key in f and signer.keytype in f for f in map(str.split, existing.splitlines()))


def add_allowed_signer(root: Path, signer: SignerLine) -> bool:
    """Append ``signer`` to ``.signoff/allowed_signers`` unless its key is already there; True if added."""
    path = root / ALLOWED_SIGNERS_REL
    if already_trusted(root, signer):
        return False
    try:
        existing = path.read_text("utf-8")
    except FileNotFoundError:
        existing = ""
    header = (
        ""
        if existing
        else (
            "# Who may sign signoff reviews: principal, options, key type, public key\n"
            "# (ssh-keygen ALLOWED SIGNERS format).\n"
            '# Add valid-after="YYYYMMDD" / valid-before="YYYYMMDD" to bound a key\'s validity.\n'
        )
    )
    sep = "" if not existing or existing.endswith("\n") else "\n"
    write_atomic(path, (existing + sep + header + signer.line() + "\n").encode(), root=root)
    return True


def write_config(root: Path, *, force: bool = False) -> bool:
    """Write ``.signoff/config.toml`` from :data:`CONFIG_TEMPLATE`; False if it exists and not ``force``."""
    path = root / CONFIG_REL
    if path.exists() and not force:
        return False
    write_atomic(path, CONFIG_TEMPLATE.encode(), root=root)
    return True
