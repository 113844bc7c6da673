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

from signoff.git.rawlog import RawChange, parse_raw, raw_log
from signoff.git.runner import Git

RECORDS_PREFIX = ".signoff/reviews/"
#: Above this many gated paths the reviewed diffs are read whole instead of limited by pathspec.
PATHSPEC_LIMIT = 500


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


def uncovered(
    git: Git, pairs: Sequence[tuple[str, str]], gated: Sequence[PathChange]
) -> dict[tuple[str, str], list[str] | None]:
    """For each reviewed ``(base tree, head tree)``: the gated paths its diff does not show identically.

    ``[]`` means the reviewed diff contains the gated diff; ``None`` means a reviewed tree is not in this
    clone (nothing can be said). One ``git diff-tree --stdin`` call for all pairs.
    """
    pairs = list(dict.fromkeys(pairs))
    present = existing_trees(git, [t for p in pairs for t in p])
    out: dict[tuple[str, str], list[str] | None] = {}
    todo = []
    for p in pairs:
        if p[0] in present and p[1] in present:
            todo.append(p)
        else:
            out[p] = None
    if not gated:
        out.update({p: [] for p in todo})
        return out
    if not todo:
        return out
    want = {c.path: c.key for c in gated}
    args = [*_DIFF_ARGS, "--stdin"]
    if len(want) <= PATHSPEC_LIMIT:
        args += ["--", *want]  # the runner sets GIT_LITERAL_PATHSPECS
    data = git.run(args, input="".join(f"{a} {b}\n" for a, b in todo).encode())
    seen: dict[tuple[str, str], dict[str, tuple[str, str, str, str]]] = {p: {} for p in todo}
    current: dict[str, tuple[str, str, str, str]] | None = None
    for header, change in parse_raw(data):
        if header is not None:
            parts = header.split()
            current = seen.get((parts[0], parts[1])) if len(parts) == 2 else None
        elif change is not None and current is not None and change.path in want:
            current[change.path] = change.key
    for p in todo:
        got = seen[p]
        out[p] = [path for path, key in want.items() if got.get(path) != key]
    return out


def disagreeing(git: Git, trees: Sequence[str], head_tree: str, paths: Iterable[str]) -> dict[str, set[str]]:
    """For each tree in ``trees``: which of ``paths`` differ between it and ``head_tree``.

    A reviewed head must agree with the gated head on every path it reviewed: otherwise the change left
    out part of what was approved (landing only the half of a reviewed change that removes a check).
    One ``git diff-tree --stdin`` call.
    """
    want = set(paths)
    todo = list(dict.fromkeys(t for t in trees if t != head_tree))
    out: dict[str, set[str]] = {t: set() for t in trees}
    if not want or not todo:
        return out
    args = [*_DIFF_ARGS, "--stdin"]
    if len(want) <= PATHSPEC_LIMIT:
        args += ["--", *sorted(want)]
    data = git.run(args, input="".join(f"{t} {head_tree}\n" for t in todo).encode())
    current: set[str] | None = None
    for header, change in parse_raw(data):
        if header is not None:
            parts = header.split()
            current = out.get(parts[0]) if len(parts) == 2 else None
        elif change is not None and current is not None and change.path in want:
            current.add(change.path)
    return out


def merges_with_own_changes(git: Git, merges: Sequence[str]) -> set[str]:
    """The merges whose result differs from git's own re-merge of their parents (``--remerge-diff``):
    an evil merge or a conflict resolution, which needs review. Added review records do not count.

    One ``git log --no-walk --remerge-diff`` for all of them.
    """
    if not merges:
        return set()
    args = [
        "log",
        "--no-walk=unsorted",
        "--remerge-diff",
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--no-ext-diff",
        "--no-textconv",
        "--no-show-signature",
        "--format=%x01%H",
        "--stdin",
    ]
    data = git.run(args, input="".join(f"{m}\n" for m in merges).encode())
    out: set[str] = set()
    for current, changes in raw_log(data):
        if any(not adds_record(ch) for ch in changes):
            out.add(current)
    return out
