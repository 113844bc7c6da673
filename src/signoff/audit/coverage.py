"""What an approval covers: the reviewed diff must contain the gated diff, path by path.

A change is the tree diff from its base to its head. A review record saw the diff from its reviewed base
tree to its reviewed head tree. The record *covers* the change when, for every path the change touches,
the reviewed diff shows exactly the same change there: the same mode and blob before, the same mode and
blob after. So a review stays valid across a rebase onto unrelated work, while a re-landed old tree (which
reverts what main did since), a far-back reviewed base (which hides what the change undoes) or a merge
that adds code of its own is not covered.

Review records the change *adds* under ``.signoff/reviews/`` need no review. Deleting or editing a record
file is a change like any other: it needs review (and removes no evidence, see :mod:`signoff.recordlog`).

Every diff is one ``git diff-tree`` call: the gated diff, then all candidate records' diffs at once
through ``--stdin``, limited to the gated paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from signoff.git.rawlog import RawChange, parse_raw
from signoff.git.runner import Git

RECORDS_PREFIX = ".signoff/reviews/"
#: Above this many gated paths the reviewed diffs are read whole instead of limited by pathspec.
PATHSPEC_LIMIT = 500
#: Marks a reviewed path where the change's head differs from the reviewed head (part of it left out).
DROPPED = " (approved there, but this head differs)"


#: One path of a raw tree diff (``git diff-tree --raw``).
PathChange = RawChange


def adds_record(c: PathChange) -> bool:
    """An added file under ``.signoff/reviews/``: needs no review (any other record change does)."""
    return c.status == "A" and c.path.startswith(RECORDS_PREFIX)


_DIFF_ARGS = [
    "diff-tree",
    "-r",
    "-z",
    "--raw",
    "--no-renames",
    "--no-abbrev",
    "--no-ext-diff",
    "--no-textconv",
]


def tree_diff(git: Git, a: str, b: str) -> list[PathChange]:
    """The raw diff between trees (or commits) ``a`` and ``b``."""
    data = git.run([*_DIFF_ARGS, "--end-of-options", a, b])
    return [c for _, c in parse_raw(data) if c is not None]


def tree_diffs(git: Git, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[PathChange]]:
    """The raw diff of each ``(a, b)`` tree pair (one ``git diff-tree --stdin``)."""
    todo = list(dict.fromkeys(pairs))
    out: dict[tuple[str, str], list[PathChange]] = {p: [] for p in todo}
    if not todo:
        return out
    data = git.run([*_DIFF_ARGS, "--stdin"], input="".join(f"{a} {b}\n" for a, b in todo).encode())
    current: list[PathChange] | None = None
    for header, change in parse_raw(data):
        if header is not None:
            parts = header.split()
            current = out.get((parts[0], parts[1])) if len(parts) == 2 else None
        elif change is not None and current is not None:
            current.append(change)
    return out


def gap_reason(gap: list[str] | None, reviewed: str) -> str:
    """Why an approval of ``reviewed`` (``BASE..HEAD``) does not cover a change, from its
    :func:`coverage_gaps` entry (the gate's and the audit's wording)."""
    missing = ", ".join(gap[:5]) if gap else "its reviewed trees are not in this clone"
    if gap and all(g.endswith(DROPPED) for g in gap):
        return f"reviewed only {reviewed}: this change leaves out part of it: {missing}"
    return f"reviewed only {reviewed}: its diff does not show this change to {missing}"


def needs_review(changes: Iterable[PathChange]) -> list[PathChange]:
    """The changes that need a review: everything but added review records."""
    return [c for c in changes if not adds_record(c)]


def existing_trees(git: Git, trees: Iterable[str]) -> set[str]:
    """Which of ``trees`` are tree objects in this clone (one ``cat-file --batch-check``)."""
    wanted = list(dict.fromkeys(t for t in trees if t))
    if not wanted:
        return set()
    data = git.run(
        ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
        input="".join(f"{t}\n" for t in wanted).encode(),
    )
    out = set()
    for want, line in zip(wanted, data.decode("ascii", "replace").splitlines(), strict=False):
        parts = line.split()
        if len(parts) == 2 and parts[1] == "tree" and parts[0] == want:
            out.add(want)
    return out


@dataclass(frozen=True)
class Claim:
    """An approval's claim to cover a change: the change's diff (``gated``, ending at ``head_tree``) and
    the diff the record reviewed (``reviewed_base`` tree to ``reviewed_head`` tree, naming ``paths``)."""

    gated: Sequence[PathChange]
    head_tree: str
    reviewed_base: str
    reviewed_head: str
    paths: frozenset[str]


def coverage_gaps(git: Git, claims: Sequence[Claim]) -> list[list[str] | None]:
    """Why each claim does not hold, in order: ``[]`` the approval covers the change; ``None`` a reviewed
    tree is not in this clone (nothing can be said); else the gated paths the reviewed diff does not show
    identically, or (when it shows them all) the reviewed paths where the change's head differs from the
    reviewed head, each marked :data:`DROPPED` (landing only part of an approved change).

    This is the one coverage check: the gate judges a change with it, the audit each merge it would
    otherwise call reviewed. Two ``git diff-tree --stdin`` calls for all claims.
    """
    present = existing_trees(git, [t for c in claims for t in (c.reviewed_base, c.reviewed_head)])
    reviewed = [(c.reviewed_base, c.reviewed_head) for c in claims]
    todo = [p for p in dict.fromkeys(reviewed) if p[0] in present and p[1] in present]
    seen = _pair_diffs(git, todo, {ch.path for c in claims for ch in c.gated})
    out: list[list[str] | None] = []
    for c, pair in zip(claims, reviewed, strict=True):
        got = seen.get(pair)
        out.append(None if got is None else [ch.path for ch in c.gated if got.get(ch.path) != ch.key])
    full = [i for i, gap in enumerate(out) if gap == []]
    drift_pairs = [(claims[i].reviewed_head, claims[i].head_tree) for i in full]
    paths = {p for i in full for p in claims[i].paths if not p.startswith(RECORDS_PREFIX)}
    drift = _pair_diffs(git, [p for p in dict.fromkeys(drift_pairs) if p[0] != p[1]], paths)
    for i, pair in zip(full, drift_pairs, strict=True):
        dropped = sorted(set(drift.get(pair, {})) & claims[i].paths)
        out[i] = [f"{p}{DROPPED}" for p in dropped if not p.startswith(RECORDS_PREFIX)]
    return out


def _pair_diffs(
    git: Git, pairs: Sequence[tuple[str, str]], paths: Iterable[str]
) -> dict[tuple[str, str], dict[str, tuple[str, str, str, str]]]:
    """``(a, b) -> {path: change key}`` of the raw diff of each tree pair, limited to ``paths`` (an empty
    set: no path matters, nothing is run). One ``git diff-tree --stdin``."""
    want = set(paths)
    out: dict[tuple[str, str], dict[str, tuple[str, str, str, str]]] = {p: {} for p in pairs}
    if not want or not pairs:
        return out
    args = [*_DIFF_ARGS, "--stdin"]
    if len(want) <= PATHSPEC_LIMIT:
        args += ["--", *sorted(want)]  # the runner sets GIT_LITERAL_PATHSPECS
    data = git.run(args, input="".join(f"{a} {b}\n" for a, b in pairs).encode())
    current: dict[str, tuple[str, str, str, str]] | None = None
    for header, change in parse_raw(data):
        if header is not None:
            parts = header.split()
            current = out.get((parts[0], parts[1])) if len(parts) == 2 else None
        elif change is not None and current is not None and change.path in want:
            current[change.path] = change.key
    return out
