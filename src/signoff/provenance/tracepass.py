"""The git passes behind :func:`trace`: hunks for ordinary commits, and for merges only what blame needs.

A merge's diff against each parent is large (a merge of a long-lived branch repeats every change of the
other side) but the replay (:func:`signoff.provenance.linemap.replay`) needs hunks of a merge only for
paths that differ from *every* parent: a path identical to one parent takes all its lines from it. So:

1. ``git log -p -U0 --diff-merges=off`` over the range: hunks of every non-merge commit;
2. ``git log --merges --diff-merges=separate --raw -M``: per merge and parent, which paths changed, with
   blob ids (a pure rename or mode change keeps the blob), no file contents;
3. only for merges that changed a path against all their parents (auto-merged or resolved files): one
   ``git diff-tree --stdin -p -U0 -M`` per such merge, for its parents, limited to those paths (and
   their rename sources): no process per file, and none at all for a linear history.

Same flags as the single ``--diff-merges=separate`` pass (rename detection runs on the full trees in
step 2), so the result is the same; ``tests/test_linemap.py`` checks it against ``git blame``.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from signoff.git.runner import EMPTY_TREE, Git
from signoff.provenance.linemap import (
    CommitDiff,
    FilePatch,
    Runs,
    c_unquote,
    log_args,
    parse_log_patch,
    parse_log_stream,
    patch_flags,
    replay,
)

_COMMIT_LINE = re.compile(rb"([0-9a-f]{40})(?: \(from ([0-9a-f]{40})\))?(?: |$)")
_RAW = re.compile(rb":\d+ \d+ ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*\t(.*)")
_HEADER = re.compile(rb"(?m)^[0-9a-f]{40}$")
#: Above this many paths step 3 diffs the pairs whole instead of passing a pathspec (argument length).
MAX_PATHSPEC = 2000
#: Up to this many merges that changed a path against all parents get a process each (step 3).
MAX_MERGE_PROCESSES = 500


def raw_args(revs: list[str]) -> list[str]:
    """``git log`` arguments listing each merge's changed paths against each parent (step 2)."""
    return [
        "log",
        "--merges",
        "--diff-merges=separate",
        "--raw",
        "-M",
        "--no-abbrev",
        "--oneline",
        "--no-abbrev-commit",
        "--no-decorate",
        "--no-color",
        "--no-notes",
        "--no-mailmap",
        "--no-show-signature",
        "--no-relative",
        "--end-of-options",
        *revs,
        "--",
    ]


def parse_merge_raw(data: bytes) -> dict[tuple[str, str], CommitDiff]:
    """``(merge, parent) -> CommitDiff`` without hunks: a content change is marked ``pending``."""
    out: dict[tuple[str, str], CommitDiff] = {}
    diff: CommitDiff | None = None
    for line in data.split(b"\n"):
        if line[:1] == b":" and diff is not None:
            m = _RAW.fullmatch(line)
            if m is None:
                continue
            old_blob, new_blob, status, rest = m.groups()
            paths = [c_unquote(p) for p in rest.split(b"\t")]
            same = old_blob == new_blob
            if status == b"A":
                diff.files[paths[0]] = FilePatch(None, paths[0], pending=True)
            elif status == b"D":
                diff.deleted.append(paths[0])
            elif status == b"R" and len(paths) == 2:
                diff.files[paths[1]] = FilePatch(paths[0], paths[1], pending=not same)
                diff.deleted.append(paths[0])
            else:  # M, T (type change), anything newer: content may differ
                diff.files[paths[-1]] = FilePatch(paths[0], paths[-1], pending=not same)
            continue
        m = _COMMIT_LINE.match(line)
        if m is not None and m.group(2):
            diff = out.setdefault((m.group(1).decode(), m.group(2).decode()), CommitDiff())
    return out


def _resolution_paths(merges: dict[str, dict[str, CommitDiff]]) -> dict[str, set[str]]:
    """merge -> paths that differ from every parent (the only ones whose hunks the replay reads)."""
    out: dict[str, set[str]] = {}
    for sha, per_parent in merges.items():
        diffs = list(per_parent.values())
        paths = set().union(*(d.files for d in diffs))
        need = {p for p in paths if all(p in d.files and d.files[p].pending for d in diffs)}
        if need:
            out[sha] = need
    return out


def _fill_hunks(git: Git, merges: dict[str, dict[str, CommitDiff]], need: dict[str, set[str]]) -> None:
    """Step 3: hunks of the paths in ``need`` against every parent of their merge.

    One ``git diff-tree`` per such merge, limited to its own paths (a single process over the union of
    all merges' paths diffs every pair on every path: 8x the output on charmbracelet/crush); above
    :data:`MAX_MERGE_PROCESSES` merges, one process over the union."""
    groups = [[sha] for sha in need] if len(need) <= MAX_MERGE_PROCESSES else [list(need)]
    for group in groups:
        pairs = [(sha, parent) for sha in group for parent in merges[sha]]
        paths: set[str] = set()
        for sha, parent in pairs:
            for p in need[sha]:
                fp = merges[sha][parent].files[p]
                paths.update(x for x in (p, fp.old_path) if x)
        _diff_pairs(git, merges, need, pairs, paths)


def _diff_pairs(
    git: Git,
    merges: dict[str, dict[str, CommitDiff]],
    need: dict[str, set[str]],
    pairs: list[tuple[str, str]],
    paths: set[str],
) -> None:
    args = ["diff-tree", "--stdin", "--always", "-p", *patch_flags(), "--end-of-options"]
    # the runner sets GIT_LITERAL_PATHSPECS: paths are never patterns
    spec = sorted(paths) if len(paths) <= MAX_PATHSPEC else []
    stdin = "".join(f"{sha} {parent}\n" for sha, parent in pairs).encode()
    data = git.run([*args, "--", *spec], input=stdin)
    # diff-tree heads each pair's diff with the merge id alone: name the parent, in input order
    k = iter(pairs)
    data = _HEADER.sub(lambda m: f"{m.group(0).decode()} (from {next(k)[1]})".encode(), data)
    _, diffs = parse_log_patch(data)
    for sha, parent in pairs:
        got = diffs.get((sha, parent), CommitDiff())
        for p in need[sha]:
            found = got.files.get(p)
            if found is None:  # not expected: count every line as the merge's own
                found = FilePatch(merges[sha][parent].files[p].old_path, p, binary=True)
            merges[sha][parent].files[p] = found


def merge_diffs(git: Git, revs: list[str]) -> dict[tuple[str, str], CommitDiff]:
    """Steps 2 and 3: ``(merge, parent) -> CommitDiff`` with hunks only where the replay reads them."""
    merges: dict[str, dict[str, CommitDiff]] = {}
    for (sha, parent), d in parse_merge_raw(git.run(raw_args(revs))).items():
        merges.setdefault(sha, {})[parent] = d
    need = _resolution_paths(merges)
    if need:
        _fill_hunks(git, merges, need)
    return {(sha, parent): d for sha, per_parent in merges.items() for parent, d in per_parent.items()}


def trace(git: Git, base: str, head: str, parents: dict[str, tuple[str, ...]]) -> dict[str, Runs]:
    """Runs of origins of every file of ``head`` the range ``base..head`` touched.

    ``parents``: every commit of the range -> its parents (from the commit-level pass). The merge
    passes (git processes, no Python work to speak of) run in a second thread while this one parses
    the main stream: their cost hides behind it.
    """
    revs = [head] if base == EMPTY_TREE else [f"{base}..{head}"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        merged = pool.submit(merge_diffs, git, revs) if any(len(p) > 1 for p in parents.values()) else None
        with git.stream(log_args(revs, merges=False)) as out:  # hundreds of MB on long ranges: streamed
            order, diffs = parse_log_stream(out)
        if merged is not None:
            diffs.update(merged.result())
    return replay(order, parents, diffs, head)
