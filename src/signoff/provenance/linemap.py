"""Carry every line of a range's head back to the commit of the range that introduced it, in one pass.

One ``git log -p -U0 --diff-merges=separate -M`` over ``base..head`` (:func:`log_args`) gives, for
every commit and each of its parents, the hunk headers of its diff (zero context: hunk ``-a,b +c,d``
replaces old lines ``a..a+b-1`` by new lines ``c..c+d-1``; with ``b = 0`` they follow old line ``a``).
Replaying the commits parents-first, each file's lines are kept as runs of *origins* (the commit that
introduced them, with the path and line number there; ``None`` when older than the range), which is
what ``git blame BASE..HEAD`` computes line by line:

- a line outside every hunk keeps its parent's origin (whole-file renames followed), a line a hunk adds
  gets the commit;
- a merge takes every line from a parent whose file is identical; otherwise a line takes its origin
  from the first parent it is unchanged against, and the merge itself when it is new against all.

No file contents are read and no per-file process runs: cost is git's diff plus work proportional to
the hunks. A file whose diff git reports as binary is taken as rewritten whole by that commit.
Checked against ``git blame --porcelain`` by ``tests/test_linemap.py`` (random histories with merges,
conflict resolutions, renames and reverts): same commit, path and line number for every line.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter
from typing import IO

#: Length of the run past everything the range touched (files are never this long).
INF = 1 << 60
_HOLE = "\0hole"  # placeholder origin: a line the diff against one parent adds
#: a line break followed by a line that is not part of a hunk body
_BODY_END = re.compile(rb"\n(?![-+\\])")
_HUNK = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_COMMIT = re.compile(rb"([0-9a-f]{40})(?: \(from ([0-9a-f]{40})\))?(?: |$)")

#: (origin commit or None/hole, path there, start line there or 0, line count)
Run = tuple[object, str | None, int, int]
Runs = list[Run]


@dataclass(slots=True)
class FilePatch:
    """One file's diff against one parent; ``old_path`` ``None``: added; ``new_path`` ``None``: deleted."""

    old_path: str | None
    new_path: str | None
    #: flat [old_start, old_count, new_start, new_count, ...] in file order
    hunks: list[int] = field(default_factory=list)
    #: git printed "Binary files ... differ": every line counts as rewritten
    binary: bool = False
    #: from a ``--raw`` listing: the content changed but the hunks were not read (yet)
    pending: bool = False


@dataclass
class CommitDiff:
    """A commit's diff against one parent (``parent`` "" for a root commit)."""

    files: dict[str, FilePatch] = field(default_factory=dict)  # by new path
    deleted: list[str] = field(default_factory=list)


def patch_flags() -> list[str]:
    """Diff options shared by every pass whose hunks :func:`parse_log_patch` reads."""
    return [
        "-U0",
        "--inter-hunk-context=0",
        "-M",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--diff-algorithm=myers",
    ]


LogDiffs = dict[tuple[str, str], CommitDiff]


def log_args(revs: list[str], *, merges: bool = True) -> list[str]:
    """The ``git log`` arguments whose output :func:`parse_log_patch` reads (``merges``: also each
    merge's diff against each parent)."""
    return [
        "log",
        "-p",
        *patch_flags(),
        "--diff-merges=separate" if merges else "--diff-merges=off",
        "--oneline",
        "--no-abbrev-commit",
        "--no-decorate",
        "--no-show-signature",
        "--no-notes",
        "--no-mailmap",
        "--topo-order",
        "--end-of-options",
        *revs,
        "--",
    ]


_SIMPLE = {ord("n"): 10, ord("t"): 9, ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("r"): 13, ord("v"): 11}


def c_unquote(raw: bytes) -> str:
    """A path as git prints it (C-quoted when it has special bytes) to ``str`` (surrogateescape)."""
    if len(raw) >= 2 and raw[:1] == b'"' and raw[-1:] == b'"':
        body, out, i = raw[1:-1], bytearray(), 0
        while i < len(body):
            c = body[i]
            if c == 0x5C and i + 1 < len(body):
                nxt = body[i + 1]
                if 0x30 <= nxt <= 0x37:
                    out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
                    i += 4
                    continue
                out.append(_SIMPLE.get(nxt, nxt))
                i += 2
                continue
            out.append(c)
            i += 1
        raw = bytes(out)
    return raw.decode("utf-8", "surrogateescape")


def _path(raw: bytes, prefix: str) -> str | None:
    if raw.endswith(b"\t"):
        raw = raw[:-1]
    if raw == b"/dev/null":
        return None
    path = c_unquote(raw)
    return path[len(prefix) :] if path.startswith(prefix) else path


#: Bytes read from git at a time by :func:`parse_log_stream` (the output itself can be gigabytes).
CHUNK = 8 << 20
_BODY_START = frozenset(b"+-\\")


class _PatchParser:
    """Reads :func:`log_args` output in pieces of whole lines, keeping only hunk headers."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.out: dict[tuple[str, str], CommitDiff] = {}
        self.diff: CommitDiff | None = None
        self.cur: FilePatch | None = None
        self.git_line = b""
        #: the previous piece ended inside a hunk body
        self.in_body = False

    def feed(self, data: bytes, end: int) -> None:
        """Parse ``data[:end]``: whole lines (``end`` just past a newline, or the end of the output)."""
        pos = self._body(data, 0, end) if self.in_body else 0
        while pos < end:
            nl = data.find(b"\n", pos, end)
            stop = end if nl < 0 else nl
            lead = data[pos]
            if lead == 0x40 or lead == 0x69:  # "@@ " hunk headers (most lines here), "index " lines
                start, pos, cur = pos, stop + 1, self.cur
                h = _HUNK.match(data, start, stop) if lead == 0x40 and cur is not None else None
                if h is not None and cur is not None:
                    a, b, c, d = h.groups()
                    cur.hunks += (int(a), 1 if b is None else int(b), int(c), 1 if d is None else int(d))
                    pos = self._body(data, pos, end)
                continue
            line = data[pos:stop]
            pos = stop + 1
            first = line[:1]
            m = _COMMIT.match(line) if first and first in b"0123456789abcdef" else None
            if m is not None:
                sha = m.group(1).decode()
                parent = m.group(2).decode() if m.group(2) else ""
                if not self.order or self.order[-1] != sha:
                    self.order.append(sha)
                self.diff = self.out.setdefault((sha, parent), CommitDiff())
                self.cur = None
            elif first == b"d" and line.startswith(b"diff --git "):
                self.cur = FilePatch("", "")  # "" = not known yet
                self.git_line = line[11:]
            elif self.cur is not None and self.diff is not None and first and first in b"-+rndB":
                _file_header(line, self.cur, self.diff, self.git_line)

    def _body(self, data: bytes, pos: int, end: int) -> int:
        """Past the hunk body at ``pos``: every body line starts with ``+``, ``-`` or ``\\`` ("No
        newline at end of file") and no line after a body does (``@@``, ``diff --git``, a commit id), so
        one regex search in C finds its end whatever the hunk counts say."""
        self.in_body = False
        if pos >= end:
            self.in_body = True
            return end
        if data[pos] not in _BODY_START:
            return pos
        m = _BODY_END.search(data, pos, end)
        if m is None or m.end() >= end:  # runs to the end of this piece: it may go on in the next
            self.in_body = True
            return end
        return m.start() + 1


def parse_log_stream(stream: IO[bytes], chunk: int = CHUNK) -> tuple[list[str], LogDiffs]:
    """:func:`parse_log_patch` over a stream, ``chunk`` bytes at a time (memory: one chunk)."""
    parser = _PatchParser()
    rest = b""
    while True:
        block = stream.read(chunk)
        data = rest + block if rest else block
        if not block:
            parser.feed(data, len(data))
            break
        end = data.rfind(b"\n") + 1
        parser.feed(data, end)
        rest = data[end:]
    return parser.order, parser.out


def parse_log_patch(data: bytes) -> tuple[list[str], LogDiffs]:
    """Commit order (as printed) and ``(commit, parent) -> CommitDiff`` from :func:`log_args` output."""
    parser = _PatchParser()
    parser.feed(data, len(data))
    return parser.order, parser.out


def _git_line_path(git_line: bytes) -> str | None:
    """The path of a ``diff --git a/P b/P`` line when both sides name the same path (else ``None``)."""
    if git_line.startswith(b'"'):
        end = git_line.find(b'" ', 1)
        return _path(git_line[: end + 1], "a/") if end > 0 and git_line[end + 2 :] else None
    half = (len(git_line) - 1) // 2
    a, b = git_line[:half], git_line[half + 1 :]
    if a.startswith(b"a/") and b.startswith(b"b/") and a[2:] == b[2:]:
        return _path(a, "a/")
    return None


def _file_header(line: bytes, cur: FilePatch, diff: CommitDiff, git_line: bytes) -> None:
    if line.startswith(b"--- "):
        cur.old_path = _path(line[4:], "a/")
    elif line.startswith(b"+++ "):
        cur.new_path = _path(line[4:], "b/")
        if cur.new_path is None:
            if cur.old_path:
                diff.deleted.append(cur.old_path)
        else:
            diff.files[cur.new_path] = cur
    elif line.startswith(b"rename from "):
        cur.old_path = c_unquote(line[12:])
    elif line.startswith(b"rename to "):
        cur.new_path = c_unquote(line[10:])
        diff.files[cur.new_path] = cur
        if cur.old_path:
            diff.deleted.append(cur.old_path)
    elif line.startswith(b"new file mode"):
        cur.old_path = None
    elif line.startswith(b"deleted file mode"):
        cur.new_path = None
    elif line.startswith(b"Binary files ") and cur.new_path is not None:
        path = cur.new_path or _git_line_path(git_line)
        if path:
            cur.new_path, cur.binary = path, True
            if cur.old_path == "":
                cur.old_path = path
            diff.files[path] = cur


class _Cursor:
    """Reads a run list line by line in steps (past its end: lines older than the range)."""

    __slots__ = ("i", "off", "runs")

    def __init__(self, runs: Runs) -> None:
        self.runs, self.i, self.off = runs, 0, 0

    def peek(self) -> Run:
        """(origin, path, start line there, lines left in this run)."""
        if self.i < len(self.runs):
            o, p, s, n = self.runs[self.i]
            return o, p, (s + self.off if s else 0), n - self.off
        return None, None, 0, INF

    def advance(self, k: int) -> None:
        while k > 0 and self.i < len(self.runs):
            left = self.runs[self.i][3] - self.off
            if k < left:
                self.off += k
                return
            k -= left
            self.i, self.off = self.i + 1, 0


def _emit(out: Runs, origin: object, path: str | None, start: int, k: int) -> None:
    if out:
        o, p, s, n = out[-1]
        if o == origin and p == path and (not start or s + n == start):
            out[-1] = (o, p, s, n + k)
            return
    out.append((origin, path, start, k))


class _Copier:
    """Copies line ranges of a parent's runs into a new run list: whole runs in between as one slice
    (C speed), only the two runs at the ends of a range are split or merged (runs of one list are
    already maximal, so nothing inside a slice can merge)."""

    __slots__ = ("ends", "out", "pos", "runs", "total")

    def __init__(self, runs: Runs) -> None:
        self.runs, self.pos = runs, 0
        self.out: Runs = []
        self.ends = list(accumulate(map(itemgetter(3), runs)))
        self.total = self.ends[-1] if self.ends else 0

    def copy(self, k: int) -> None:
        """The next ``k`` lines of the parent (past its runs: lines older than the range)."""
        lo = self.pos
        hi = lo + k
        self.pos = hi
        if k <= 0:
            return
        out, total = self.out, self.total
        if lo < total:
            runs, ends = self.runs, self.ends
            top = hi if hi < total else total
            i = bisect.bisect_right(ends, lo)
            j = bisect.bisect_left(ends, top)
            o, p, s, n = runs[i]
            off = lo - (ends[i] - n)
            if i == j:  # within one run (``top <= ends[i]``)
                _emit(out, o, p, s + off if s else 0, top - lo)
            else:  # the tail of run i, whole runs between (already maximal), the head of run j
                _emit(out, o, p, s + off if s else 0, ends[i] - lo)
                out.extend(runs[i + 1 : j])
                o, p, s, n = runs[j]
                _emit(out, o, p, s, top - (ends[j] - n))
            lo = top
        if hi > lo:
            _emit(out, None, None, 0, hi - lo)

    def skip(self, k: int) -> None:
        self.pos += k


def apply_hunks(runs: Runs, hunks: list[int], sha: str | None = None, path: str | None = None) -> Runs:
    """A parent file's runs through one diff: lines the diff adds become holes, or, given the commit
    (``sha``, ``path``), that commit's own lines at once (hunk ``+c,d`` adds new lines ``c..c+d-1``)."""
    if hunks is _WHOLE:
        return [(_HOLE, None, 0, INF)]
    cp = _Copier(runs)
    old_pos = 1
    for i in range(0, len(hunks), 4):
        a, b, c, d = hunks[i], hunks[i + 1], hunks[i + 2], hunks[i + 3]
        cp.copy((a - old_pos) if b else (a + 1 - old_pos))
        cp.skip(b)
        if d:
            if sha is None:
                _emit(cp.out, _HOLE, None, 0, d)
            else:
                _emit(cp.out, sha, path, c, d)
        old_pos = a + b if b else a + 1
    cp.copy(max(cp.total - cp.pos, 0))
    _emit(cp.out, None, None, 0, INF)
    return cp.out


def fill_holes(cur: Runs, other: Runs) -> Runs:
    """``cur`` with its holes taken from ``other`` (two views of the same commit's lines)."""
    out: Runs = []
    a, b = _Cursor(cur), _Cursor(other)
    while a.i < len(a.runs):
        o, p, s, n = a.peek()
        if o == _HOLE:
            ob, pb, sb, nb = b.peek()
            step = min(n, nb)
            _emit(out, ob, pb, sb, step)
        else:
            step = n
            _emit(out, o, p, s, step)
        a.advance(step)
        b.advance(step)
    return out


def _resolve(runs: Runs, sha: str, path: str) -> Runs:
    """Holes become lines ``sha`` introduced (numbered in its version of ``path``)."""
    if not any(r[0] == _HOLE for r in runs):
        return runs
    out: Runs = []
    pos = 1
    for run in runs:
        n = run[3]
        if run[0] == _HOLE:
            _emit(out, sha, path, pos, n)
        elif out and out[-1][0] == sha:
            _emit(out, *run)
        else:
            out.append(run)
        pos += n
    return out


_OLDER: Runs = []


def _all_new() -> Runs:
    """The runs of a file the diff adds: every line a hole."""
    return [(_HOLE, None, 0, INF)]


_WHOLE: list[int] = []  # the hunks of a binary diff: every line rewritten


def replay(
    order: list[str], parents: dict[str, tuple[str, ...]], diffs: dict[tuple[str, str], CommitDiff], head: str
) -> dict[str, Runs]:
    """The runs of origins of every file of ``head`` the range touched (``order``: children first)."""
    in_range = set(order)
    children: dict[str, int] = defaultdict(int)
    for sha in order:
        for p in set(parents.get(sha, ())):
            children[p] += 1
    states: dict[str, dict[str, Runs]] = {}
    for sha in reversed(order):
        ps = parents.get(sha, ()) or ("",)
        pstates = [states.get(p, {}) if p in in_range else {} for p in ps]
        keys = ps if len(ps) > 1 else ("",)
        pdiffs = [diffs.get((sha, p)) or CommitDiff() for p in keys]
        first = ps[0]
        # the first parent's state is reused in place when this is its last child in the replay
        state = pstates[0] if first in in_range and children[first] == 1 else dict(pstates[0])
        if len(ps) == 1:
            _one_parent(sha, state, pstates[0], pdiffs[0])
        else:
            _merge(sha, state, pstates, pdiffs)
        states[sha] = state
        for p in set(ps):
            if p in in_range:
                children[p] -= 1
                if children[p] <= 0:
                    states.pop(p, None)
    return states.get(head, {})


def _one_parent(sha: str, state: dict[str, Runs], parent: dict[str, Runs], diff: CommitDiff) -> None:
    new = {}
    for path, fp in diff.files.items():
        if fp.old_path is None or fp.binary:
            base = _all_new() if fp.old_path is None else parent.get(fp.old_path, _OLDER)
            new[path] = _resolve(apply_hunks(base, _WHOLE if fp.binary else fp.hunks), sha, path)
        else:  # a parent's runs hold no holes: the commit's lines are placed directly
            new[path] = apply_hunks(parent.get(fp.old_path, _OLDER), fp.hunks, sha, path)
    for path in diff.deleted:
        state.pop(path, None)
    state.update(new)


def _merge(
    sha: str, state: dict[str, Runs], pstates: list[dict[str, Runs]], pdiffs: list[CommitDiff]
) -> None:
    paths: set[str] = set()
    for d in pdiffs:
        paths.update(d.files)
    deleted = set().union(*(d.deleted for d in pdiffs)) - paths
    new = {}
    for path in paths:
        same = next((i for i, d in enumerate(pdiffs) if _identical(d, path)), None)
        if same is not None:  # identical to that parent's file (renamed or not): every line from it
            fp = pdiffs[same].files.get(path)
            new[path] = pstates[same].get(fp.old_path if fp and fp.old_path else path, _OLDER)
            continue
        runs: Runs | None = None
        for i, d in enumerate(pdiffs):
            fp = d.files[path]
            base = _all_new() if fp.old_path is None else pstates[i].get(fp.old_path, _OLDER)
            cand = apply_hunks(base, _WHOLE if fp.binary else fp.hunks)
            runs = cand if runs is None else fill_holes(runs, cand)
        assert runs is not None
        new[path] = _resolve(runs, sha, path)
    for path in deleted:
        state.pop(path, None)
    state.update(new)


def _identical(diff: CommitDiff, path: str) -> bool:
    """The parent's file equals the commit's: no diff at all, or a pure rename or mode change."""
    fp = diff.files.get(path)
    return fp is None or (bool(fp.old_path) and not fp.hunks and not fp.binary and not fp.pending)


def origin_at(runs: Runs, lines: list[int]) -> dict[int, tuple[str, str, int] | None]:
    """``line -> (commit, path there, line there)`` for the given 1-based lines (``None``: older)."""
    out: dict[int, tuple[str, str, int] | None] = {}
    idx, start = 0, 1
    for n in sorted(lines):
        while idx < len(runs) and n >= start + runs[idx][3]:
            start += runs[idx][3]
            idx += 1
        if idx < len(runs) and runs[idx][0] is not None and runs[idx][0] != _HOLE:
            o, p, s, _ = runs[idx]
            out[n] = (str(o), str(p), s + (n - start))
        else:
            out[n] = None
    return out


def run_starts(runs: Runs) -> list[int]:
    """The head line number each run starts at (for :func:`origin_in`)."""
    starts, pos = [], 1
    for run in runs:
        starts.append(pos)
        pos += run[3]
    return starts


def origin_in(runs: Runs, starts: list[int], line: int) -> tuple[str, str, int] | None:
    """``(commit, path there, line there)`` of head line ``line``; ``None`` when older than the range."""
    i = bisect.bisect_right(starts, line) - 1
    if i < 0 or i >= len(runs):
        return None
    origin, path, start, _ = runs[i]
    if origin is None or origin == _HOLE or path is None:
        return None
    return str(origin), path, start + (line - starts[i])
