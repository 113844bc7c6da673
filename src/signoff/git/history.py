"""First-parent history of the default branch, and which commits a review's subject covers.

A review pins ``base``, ``head`` and ``head_tree``. A commit on the default branch is matched to the
reviewed head

- by commit (``commit``): it *is* the reviewed head;
- by tree (``tree``): its tree equals the reviewed tree (squash merges and rebases keep the tree);
- by content (``records-only``): its tree differs from the reviewed tree only under ``.signoff/reviews/``
  (review records were committed after the review);
- as a merge (``merged``): it is a merge commit with the reviewed head among its side parents (the
  audit then checks the merge as the gate would, :func:`signoff.audit.run.merge_gaps`).

The content key of a tree is the id of the same tree without ``.signoff/reviews``, computed in process
from the raw tree objects read with ``git cat-file --batch`` (see :func:`content_keys`). Other files under
``.signoff/`` (allowed signers, config, checklists) are part of the content: changing who is trusted is a
change that needs a review like any other.
"""

from __future__ import annotations

import bisect
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from signoff.errors import UsageError
from signoff.git.objects import content_keys
from signoff.git.runner import EMPTY_TREE, Git
from signoff.git.target import default_branch

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?$")
_RELATIVE_RE = re.compile(r"^\d+[ .](second|minute|hour|day|week|month|year)s?([ .]ago)?$")
_UNIT_SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "month": 30 * 86400,
    "year": 365 * 86400,
}
LOG_FORMAT = "%H %T %ct %P%x00%aN <%aE>%x00%s"


@dataclass(frozen=True, slots=True)
class HistoryCommit:
    """One commit of the first-parent history (raw author text: sanitise before display)."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    time: int
    author: str
    subject: str

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass
class History:
    """First-parent history, oldest first, with lookups and tree content keys."""

    tip: str | None
    branch: str
    since: str | None
    commits: list[HistoryCommit]
    #: tree id -> content key (tree id without ``.signoff/reviews``); filled for every tree asked.
    content: dict[str, str] = field(default_factory=dict)
    #: Index of the first commit in scope (``--since``); commits before it still count as bases.
    start: int = 0
    #: Commits that delete or edit a review record (they need review).
    touched: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.index = {c.sha: i for i, c in enumerate(self.commits)}
        self._by_tree: dict[str, list[int]] = {}
        self._by_second_parent: dict[str, list[int]] = {}
        for i, c in enumerate(self.commits):
            self._by_tree.setdefault(c.tree, []).append(i)
            for p in c.parents[1:]:
                self._by_second_parent.setdefault(p, []).append(i)
        self._by_content: dict[str, list[int]] | None = None

    def content_of(self, tree: str | None) -> str | None:
        if tree is None:
            return None
        return self.content.get(tree)

    def _content_index(self) -> dict[str, list[int]]:
        if self._by_content is None:
            self._by_content = {}
            for i, c in enumerate(self.commits):
                key = self.content.get(c.tree)
                if key is not None:
                    self._by_content.setdefault(key, []).append(i)
        return self._by_content

    def signoff_only(self, i: int) -> bool:
        """Whether commit ``i`` only adds files under ``.signoff/reviews/`` (against its first parent).

        A commit that deletes or edits a record (listed in :attr:`touched`) needs review like any other.
        """
        c = self.commits[i]
        if i == 0 or not c.parents or self.commits[i - 1].sha != c.parents[0] or c.sha in self.touched:
            return False
        prev = self.commits[i - 1]
        a, b = self.content.get(c.tree), self.content.get(prev.tree)
        return a is not None and a == b

    def match_head(self, head: str | None, head_tree: str | None) -> list[tuple[int, str]]:
        """Commits matching a reviewed head, each with how it matched (strongest match per commit)."""
        found: dict[int, str] = {}
        key = self.content_of(head_tree)
        if key is not None:
            for i in self._content_index().get(key, ()):
                found[i] = "records-only"
        if head_tree:
            for i in self._by_tree.get(head_tree, ()):
                found[i] = "tree"
        if head and head in self.index:
            found[self.index[head]] = "commit"
        if head:
            for i in self._by_second_parent.get(head, ()):
                found.setdefault(i, "merged")
        return sorted(found.items())

    def matches_base(self, i: int, base: str, base_tree: str | None) -> bool:
        """Whether history commit ``i`` is the reviewed base (by commit, tree or content)."""
        c = self.commits[i]
        if c.sha == base or (base_tree is not None and c.tree == base_tree):
            return True
        key = self.content_of(base_tree)
        return key is not None and key == self.content.get(c.tree)

    def base_positions(self, base: str, base_tree: str | None) -> list[int]:
        """Sorted indices of the commits matching a reviewed base (by commit, tree or content key)."""
        found: set[int] = set()
        if base in self.index:
            found.add(self.index[base])
        if base_tree:
            found.update(self._by_tree.get(base_tree, ()))
            key = self.content_of(base_tree)
            if key is not None:
                found.update(self._content_index().get(key, ()))
        return sorted(found)

    def covered_by(
        self, base: str, base_tree: str | None, head: str | None, head_tree: str | None
    ) -> dict[int, str]:
        """History commits a review of ``base..head`` covers, with how the head matched.

        For a head matched at commit ``e``, the review covers ``(s, e]`` where ``s`` is the nearest earlier
        commit matching the reviewed base (by commit, tree or content key) with no other match of the
        head in between; an empty-tree base covers everything up to ``e`` only when ``e`` is the reviewed
        commit itself (or the root); a head matched as a merge's side parent is returned as ``merged``
        for the caller to judge (the audit applies the gate's coverage check to it). A base found nowhere
        before ``e`` means the review saw only part of what ``e`` brought in, so it covers nothing there.
        """
        out: dict[int, str] = {}
        matches = self.match_head(head, head_tree)
        if not matches:
            return out
        empty = base == EMPTY_TREE or base_tree == EMPTY_TREE
        bases = [] if empty else self.base_positions(base, base_tree)
        previous = -1
        for e, how in matches:
            if how == "merged":
                out.setdefault(e, how)
                continue
            # From the empty tree, only the reviewed commit itself (or a root with its tree) is covered:
            # a later commit that restores the reviewed tree covers none of the commits before it.
            start: int | None = -1 if empty and (how == "commit" or e == 0) else None
            if not empty:
                k = bisect.bisect_left(bases, e) - 1
                if k >= 0 and bases[k] >= previous:
                    start = bases[k]
            if (
                start is None
                and previous >= 0
                and all(self.signoff_only(j) for j in range(previous + 1, e + 1))
            ):
                start = previous  # records committed after a covered commit
            previous = e
            if start is None:
                continue
            for j in range(start + 1, e + 1):
                out.setdefault(j, how if j == e else "range")
        return out

    @property
    def scope(self) -> list[HistoryCommit]:
        """The commits selected by ``--since`` (all of them without it), oldest first."""
        return self.commits[self.start :]


def parse_since_date(text: str, now: float | None = None) -> int | None:
    """A ``--since`` date as Unix time: ``YYYY-MM-DD[THH:MM[:SS][TZ]]`` (UTC by default), ``N days ago``."""
    text = text.strip()
    if _DATE_RE.match(text):
        stamp = datetime.fromisoformat(text.replace(" ", "T", 1).replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        return int(stamp.timestamp())
    m = _RELATIVE_RE.match(text)
    if m:
        n = int(text.split()[0].split(".")[0])
        return int((time.time() if now is None else now) - n * _UNIT_SECONDS[m.group(1)])
    return None


def resolve_branch(git: Git, branch: str | None = None) -> tuple[str, str | None]:
    """The branch to audit (given, else the default branch, else HEAD) and its tip (None if unborn)."""
    name = branch or default_branch(git) or "HEAD"
    if name == "HEAD":
        return name, git.head()
    return name, git.rev_parse(name)


def first_parent_history(git: Git, branch: str | None = None, since: str | None = None) -> History:
    """The first-parent history of ``branch`` (default: the default branch), oldest first.

    The whole first-parent chain is read with one ``git log`` call (older commits still serve as the
    reviewed base of later ones); ``since`` (a date, ``N days ago``, or a revision) only sets
    :attr:`History.start`. Tree content keys are filled in with one ``git cat-file --batch`` call.
    """
    name, tip = resolve_branch(git, branch)
    if tip is None:
        return History(None, name, since, [])
    raw = git.run(
        [
            "log",
            "--first-parent",
            "--no-show-signature",
            "-z",
            f"--format={LOG_FORMAT}",
            "--end-of-options",
            tip,
        ]
    )
    commits = parse_log(raw)
    commits.reverse()
    hist = History(tip, name, since, commits)
    hist.start = _since_index(git, hist, since)
    hist.content.update(content_keys(git, [c.tree for c in commits]))
    return hist


def _since_index(git: Git, hist: History, since: str | None) -> int:
    if not since:
        return 0
    stamp = parse_since_date(since)
    if stamp is not None:
        return next((i for i, c in enumerate(hist.commits) if c.time >= stamp), len(hist.commits))
    if since.startswith("-"):
        raise UsageError(f"--since: not a date (YYYY-MM-DD), 'N days ago' or a revision: {since}")
    code, out = git.try_run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{since}^{{commit}}"])
    if code != 0:
        raise UsageError(f"--since: not a date (YYYY-MM-DD), 'N days ago' or a known revision: {since}")
    sha = out.decode().strip()
    if sha in hist.index:
        return hist.index[sha] + 1
    # Not on the first-parent chain: everything reachable from it is out of scope (like ``^REV``).
    left = set(git.run_text(["rev-list", "--first-parent", hist.tip or "HEAD", f"^{sha}", "--"]).split())
    return next((i for i, c in enumerate(hist.commits) if c.sha in left), len(hist.commits))


def parse_log(raw: bytes) -> list[HistoryCommit]:
    """Parse ``git log -z --format=LOG_FORMAT`` output (newest first)."""
    fields = raw.split(b"\0")
    out: list[HistoryCommit] = []
    for k in range(0, len(fields) - 2, 3):
        head = fields[k].decode("ascii", "replace").strip().split()
        if len(head) < 3:
            continue
        out.append(
            HistoryCommit(
                sha=head[0],
                tree=head[1],
                time=int(head[2]),
                parents=tuple(head[3:]),
                author=fields[k + 1].decode("utf-8", "replace"),
                subject=fields[k + 2].decode("utf-8", "replace"),
            )
        )
    return out
