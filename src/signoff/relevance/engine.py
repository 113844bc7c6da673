"""Which checklist questions a diff makes relevant, and where (the hit lines).

One pass per diff side: the added lines of every file become one text of *statements* (continuation
lines joined, comments blanked, every character kept in place; see :mod:`statements`), grouped by file
kind. Candidates for every pattern come from one multi-pattern scan of each group (Hyperscan, or the
pure-``re`` route of :mod:`candidates`, with the same results); each candidate is confirmed by running
the pattern on that statement alone, and the hit is mapped back to the exact line. Repository patterns
run in RE2 (linear time). Every hit is kept; questions marked ``per_file`` keep one hit per file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from signoff.checklists.filekinds import kinds_of
from signoff.checklists.linear import GlobSet
from signoff.checklists.load import load_checklists
from signoff.checklists.model import ChecklistSet, Pattern
from signoff.diff.model import FileStatus
from signoff.relevance import hsdb
from signoff.relevance.candidates import Entry, Scanner, hs_bytes, lowered
from signoff.relevance.flow import FLOW_PREFIX, add_flow_hits
from signoff.relevance.hitutil import AiLines, ai_lines, clip, first_line, mask, ranges, redact_line, sniff
from signoff.relevance.model import Hit, QuestionResult, Relevance
from signoff.relevance.regex_literals import REGEX_PREFIX, add_redos_hits
from signoff.relevance.statements import SideText, build_side
from signoff.util.forked import fork_call

if TYPE_CHECKING:
    from signoff.diff.model import Diff, FileDiff
    from signoff.git.runner import Git

#: Changed lines, or characters, from which the Hyperscan route is taken (below, compiling a database
#: the first time costs more than it saves; both routes give the same hits).
HYPERSCAN_MIN_LINES = 4000
HYPERSCAN_MIN_CHARS = 200_000
ROUTES = ("auto", "hyperscan", "re")
#: Changed lines from which half the files are matched in a forked child (below, the fork costs more
#: than the second core saves; the hits are the same either way).
FORK_MIN_LINES = 10_000
PARALLEL = ("auto", "always", "never")
#: One call of :meth:`_Results.add`: question index, reason, hit.
_Add = tuple[int, str, Hit | None]
_AddFn = Callable[[int, str, Hit | None], None]
_SIDES = (("added", "+"), ("removed", "-"))
#: Hits found by analysis steps (data flow, regex literals) rather than a checklist pattern.
_ANALYSIS = (FLOW_PREFIX, REGEX_PREFIX)


def _recorder(adds: list[_Add]) -> _AddFn:
    """An ``add`` that records its calls in ``adds``."""
    return lambda qi, reason, hit: adds.append((qi, reason, hit))


class _Results:
    """Per-question results being filled, with the per-file rules."""

    def __init__(self, engine: Engine, max_hits_per_file: int | None) -> None:
        self.items = [QuestionResult(q) for q in engine.questions]
        self.per_file = [q.triggers.per_file for q in engine.questions]
        self.max = max_hits_per_file
        self._count: dict[tuple[int, str], int] = defaultdict(int)
        #: (question, path, side, line) of every hit kept: a data-flow hit never repeats a line.
        self._lines: set[tuple[int, str, str, int]] = set()

    def copy(self) -> _Results:
        """An independent copy (results can be finished more than once)."""
        out = object.__new__(_Results)
        out.items = [replace(r, hits=list(r.hits), reasons=list(r.reasons)) for r in self.items]
        out.per_file = self.per_file
        out.max = self.max
        out._count = defaultdict(int, self._count)
        out._lines = set(self._lines)
        return out

    def add(self, qi: int, reason: str, hit: Hit | None) -> None:
        r = self.items[qi]
        if reason not in r.reasons:
            r.reasons.append(reason)
        if hit is None:
            return
        where = (qi, hit.path, hit.side, hit.line)
        if hit.pattern.startswith(_ANALYSIS) and where in self._lines:
            return  # the line is already pointed at for this question (by a pattern or another finding)
        self._lines.add(where)
        key = (qi, hit.path)
        n = self._count[key]
        if self.per_file[qi] and n:
            return
        self._count[key] = n + 1
        r.hit_count += 1
        if self.max is None or n < self.max:
            r.hits.append(hit)


class Engine:
    """Compiled triggers of a :class:`ChecklistSet`; reuse it across diffs.

    ``route``: ``auto`` (Hyperscan for large diffs when available), ``hyperscan`` or ``re``; every route
    gives the same hits. ``max_hits_per_file``: None keeps every hit. ``parallel``: ``auto`` matches half the
    files of a large diff in a forked child where a fork is usable (:mod:`signoff.util.forked`),
    ``always`` does so on any diff of two files or more, ``never`` stays in this process; the hits are
    the same.
    """

    def __init__(
        self,
        checklists: ChecklistSet,
        *,
        max_hits_per_file: int | None = None,
        route: str = "auto",
        parallel: str = "auto",
    ) -> None:
        if route not in ROUTES:
            raise ValueError(f"route must be one of {ROUTES}")
        if parallel not in PARALLEL:
            raise ValueError(f"parallel must be one of {PARALLEL}")
        self.parallel = parallel
        self.checklists = checklists
        self.questions = checklists.questions
        self.max_hits = max_hits_per_file
        self.route = route
        self.entries: list[Entry] = []
        glob_owner: list[tuple[int, str]] = []
        self.lang_only: dict[int, frozenset[str]] = {}
        self.absent: list[tuple[int, Pattern, frozenset[str]]] = []
        for qi, q in enumerate(self.questions):
            t = q.triggers
            for side, pats in (("added", t.added), ("removed", t.removed)):
                for p in pats:
                    langs = frozenset(p.languages or t.languages)
                    self.entries.append(Entry(len(self.entries), qi, p, langs, side))
            glob_owner += [(qi, g) for g in t.paths]
            if t.languages and not t.added and not t.removed and not t.absent:
                self.lang_only[qi] = frozenset(t.languages)
            for p in t.absent:
                self.absent.append((qi, p, frozenset(p.languages or t.languages)))
        self.scanner = Scanner(self.entries)
        self.glob_owner = glob_owner
        self.globs = GlobSet([g for _, g in glob_owner])
        self._applicable: dict[tuple[str, frozenset[str], bool, bool], tuple[int, ...]] = {}
        self.question_index = {q.id: qi for qi, q in enumerate(self.questions)}

    # ----------------------------------------------------------------------------------------------

    def evaluate(self, diff: Diff, ai: AiLines = None) -> Relevance:
        return self._finish(diff, self._collect(diff), ai)

    def evaluate_staged(self, diff: Diff) -> tuple[Relevance, Callable[[AiLines], Relevance]]:
        """The relevance of ``diff`` without AI lines now, and a function that adds the AI-line triggers
        later without scanning the diff again (``add(ai)`` equals ``evaluate(diff, ai)``)."""
        collected = self._collect(diff)
        return self._finish(diff, collected, None), lambda ai: self._finish(diff, collected, ai)

    def _collect(self, diff: Diff) -> _Results:
        results = _Results(self, self.max_hits)
        files = diff.files
        kinds = [kinds_of(f.path, sniff(f)) for f in files]
        self._file_triggers(files, kinds, results)
        sides = [(side, prefix) for side, prefix in _SIDES if any(e.side == side for e in self.entries)]
        cut = self._fork_cut(diff)
        child = fork_call(lambda: self._phases(files[cut:], kinds[cut:], sides)) if cut else None
        if child is None:
            for side, prefix in sides:
                self._side(side, prefix, files, kinds, results.add)
            return results
        try:
            mine = self._phases(files[:cut], kinds[:cut], sides)
            theirs = child.result()
        finally:
            child.cancel()
        if theirs is None:  # the child failed: match its files here
            theirs = self._phases(files[cut:], kinds[cut:], sides)
        # Phase by phase, this process's files then the child's: each file's hits arrive in the order a
        # single pass adds them, and every phase (one reason each) after the one before it.
        for own, other in zip(mine, theirs, strict=True):
            for qi, reason, hit in (*own, *other):
                results.add(qi, reason, hit)
        return results

    def _fork_cut(self, diff: Diff) -> int:
        """Where the files are cut in two (this process matches those before, a forked child those from
        there on), or 0 to match them all here: a large diff (see :mod:`signoff.util.forked` for where a
        fork is used at all), cut where each part holds about half the text to match."""
        if self.parallel == "never" or (
            self.parallel == "auto" and diff.added + diff.removed < FORK_MIN_LINES
        ):
            return 0
        sizes = [0 if f.binary or f.too_large else sum(len(h.body) for h in f.hunks) for f in diff.files]
        half, total = sum(sizes) / 2, 0
        for i, size in enumerate(sizes):
            total += size
            if total >= half:
                return i + 1 if i + 1 < len(sizes) else 0
        return 0

    def _side(
        self, side: str, prefix: str, files: list[FileDiff], kinds: list[frozenset[str]], add: _AddFn
    ) -> None:
        """Match one side of the diff (and the analysis steps of the added side: data flow, regex
        literals), reporting hits to ``add``."""
        for step in self._steps(side, prefix, files, kinds):
            step(add)

    def _steps(
        self, side: str, prefix: str, files: list[FileDiff], kinds: list[frozenset[str]]
    ) -> list[Callable[[_AddFn], None]]:
        """:meth:`_side` as its phases, each reporting its hits to the ``add`` it is given."""
        text = build_side(files, kinds, prefix)
        if not text.line_count:
            return []
        steps: list[Callable[[_AddFn], None]] = [lambda add: self._scan(text, side, files, kinds, add)]
        if side == "added":
            steps.append(lambda add: add_flow_hits(text, files, kinds, self.question_index, add))
            steps.append(lambda add: add_redos_hits(text, files, kinds, self.question_index, add))
        return steps

    def _phases(
        self, files: list[FileDiff], kinds: list[frozenset[str]], sides: list[tuple[str, str]]
    ) -> list[list[_Add]]:
        """The ``add`` calls of every phase (each side's pattern scan, the added side's analysis steps)
        over ``files``, one list per phase, always as many lists for the same ``sides``."""
        out: list[list[_Add]] = []
        for side, prefix in sides:
            steps = self._steps(side, prefix, files, kinds)
            for n in range(3 if side == "added" else 1):
                adds: list[_Add] = []
                if n < len(steps):
                    steps[n](_recorder(adds))
                out.append(adds)
        return out

    def _finish(self, diff: Diff, collected: _Results, ai: AiLines) -> Relevance:
        results = collected.copy()
        files = diff.files
        lines = ai_lines(ai, files)
        if lines:
            self._ai_triggers(lines, results)
        order = {f.path: i for i, f in enumerate(files)}
        for r in results.items:
            r.hits.sort(key=lambda h: (order.get(h.path, 0), h.side != "new", h.line))
        for qi, q in enumerate(self.questions):
            if q.triggers.always:
                results.items[qi].reasons.append("always")
        triggered = [r for r in results.items if r.reasons]
        triggered.sort(key=lambda r: r.question.rank)  # stable: checklist order within a severity
        untriggered = [r for r in results.items if not r.reasons]
        return Relevance(self.checklists, triggered, untriggered)

    # ----------------------------------------------------------------------------------------------

    def _file_triggers(self, files: list[FileDiff], kinds: list[frozenset[str]], results: _Results) -> None:
        for fi, f in enumerate(files):
            line, side = first_line(f)
            matched = set(self.globs.matching(f.path)) | set(self.globs.matching(f.old_path or ""))
            done: set[int] = set()
            for gi in sorted(matched):
                qi, g = self.glob_owner[gi]
                if qi not in done:
                    done.add(qi)
                    results.add(qi, "path", Hit(f.path, line, side, f"{f.status} file", "path", g))
            for qi, langs in self.lang_only.items():
                common = langs & kinds[fi]
                if common:
                    hit = Hit(f.path, line, side, f"{f.status} file", "language", sorted(common)[0])
                    results.add(qi, "language", hit)
            if self.absent and f.status is FileStatus.ADDED and f.hunks and not f.too_large:
                self._absent_triggers(f, kinds[fi], results)

    def _absent_triggers(self, f: FileDiff, fkinds: frozenset[str], results: _Results) -> None:
        """A new file (its whole text is in the diff) of the right kind with no line matching."""
        for qi, pattern, langs in self.absent:
            if langs and not (langs & fkinds):
                continue
            if not any(pattern.regex.search(text) for _, text in f.added_lines()):
                desc = f"new file has no line matching {pattern.source}"
                results.add(qi, "absent", Hit(f.path, 1, "new", desc, "absent", pattern.source))

    def _ai_triggers(self, lines: dict[str, list[int]], results: _Results) -> None:
        ai_qs = [qi for qi, q in enumerate(self.questions) if q.triggers.ai]
        for path, nums in lines.items():
            for start, end in ranges(nums):
                label = (
                    f"AI-attributed line {start}" if start == end else f"AI-attributed lines {start}-{end}"
                )
                for qi in ai_qs:
                    results.add(qi, "ai", Hit(path, start, "new", label, "ai", "ai"))

    # ----------------------------------------------------------------------------------------------

    def applicable(self, side: str, kinds: frozenset[str], raw: bool) -> tuple[int, ...]:
        """Entries of ``side`` that apply to files of ``kinds`` and read raw lines (or statements)."""
        key = (side, kinds, raw, False)
        got = self._applicable.get(key)
        if got is None:
            got = self._applicable[key] = tuple(
                e.eid
                for e in self.entries
                if e.side == side and e.raw == raw and (not e.langs or e.langs & kinds)
            )
        return got

    def _use_hyperscan(self, text: SideText) -> bool:
        if self.route == "re" or not hsdb.AVAILABLE:
            return False
        return (
            self.route == "hyperscan"
            or text.line_count >= HYPERSCAN_MIN_LINES
            or len(text.code) >= HYPERSCAN_MIN_CHARS
        )

    def candidates(self, text: SideText, side: str) -> dict[tuple[int, bool], set[int]]:
        """{(entry id, raw): statement indexes (lines, for raw entries)} worth confirming."""
        use_hs = self._use_hyperscan(text)
        found: dict[tuple[int, bool], set[int]] = defaultdict(set)
        for raw in (False, True):
            body = text.raw if raw else text.code
            spans = self._hs_spans(text, body, side, raw) if use_hs else self._re_spans(text, body, side, raw)
            for eid, a, b in spans:
                units = found[(eid, raw)]
                for line in range(text.line_at(a), text.line_at(b - 1) + 1):
                    units.add(line if raw else text.stmt_of_line(line))
        return found

    def _re_spans(self, text: SideText, body: str, side: str, raw: bool) -> Iterable[tuple[int, int, int]]:
        """Candidate spans by the pure-``re`` route, group by group."""
        low = lowered(body)
        for kinds, first, end in text.groups:
            eids = self.applicable(side, kinds, raw)
            if eids:
                s, e = text.span(first, end)
                yield from self.scanner.fallback(body, low, s, e, eids)

    def _hs_spans(self, text: SideText, body: str, side: str, raw: bool) -> Iterable[tuple[int, int, int]]:
        """Candidate spans by Hyperscan: one database for the patterns that apply to every file, scanned
        once over the whole text, and one per language for that language's groups (file kinds)."""
        if not body:
            return
        data = hs_bytes(body, 0, len(body))
        jobs: list[tuple[tuple[int, ...], int, int]] = [(self.lang_entries(side, raw, ""), 0, len(body))]
        for lang in sorted(set().union(*(kinds for kinds, _, _ in text.groups))):
            eids = self.lang_entries(side, raw, lang)
            if eids:
                jobs += [(eids, *text.span(f, e)) for kinds, f, e in text.groups if lang in kinds]
        left: dict[int, set[int]] = defaultdict(set)
        for eids, s, e in jobs:
            if not eids:
                continue
            ends, rejected = self.scanner.hyperscan(data[s:e] if (s, e) != (0, len(body)) else data, eids)
            for eid, stop in ends:
                yield eid, s + max(stop - 1, 0), s + max(stop, 1)
            for eid in rejected:
                left[eid].add(s)
        if left:  # patterns Hyperscan refused (or naming non-ASCII characters): ``re`` group by group
            for kinds, first, end in text.groups:
                s, e = text.span(first, end)
                ok = set(self.applicable(side, kinds, raw))
                yield from self.scanner.by_re(body, s, e, [eid for eid in sorted(left) if eid in ok])

    def lang_entries(self, side: str, raw: bool, lang: str) -> tuple[int, ...]:
        """Entries of ``side``/``raw`` that name ``lang`` (``""``: those that apply to every file)."""
        key = (side, frozenset((lang,)), raw, True)
        got = self._applicable.get(key)
        if got is None:
            got = self._applicable[key] = tuple(
                e.eid
                for e in self.entries
                if e.side == side and e.raw == raw and (lang in e.langs if lang else not e.langs)
            )
        return got

    def _scan(
        self, text: SideText, side: str, files: list[FileDiff], kinds: list[frozenset[str]], add: _AddFn
    ) -> None:
        seen: set[tuple[int, int]] = set()
        memo: dict[tuple[int, str], bool] = {}
        repeated: set[tuple[int, int, str]] = set()
        for (eid, raw), units in sorted(self.candidates(text, side).items()):
            entry = self.entries[eid]
            body = text.raw if raw else text.code
            for unit in sorted(units):
                first, end = (unit, unit + 1) if raw else text.stmt_lines(unit)
                fi = text.file_of_line(first)
                if entry.langs and not (entry.langs & kinds[fi]):
                    continue
                s, e = text.span(first, end)
                m = entry.pattern.regex.search(body[s:e])
                if m is None:
                    continue
                if not self._file_allows(files[fi], entry.pattern, fi, memo):
                    continue
                line = text.line_at(s + m.start())
                if (entry.qidx, line) in seen:
                    continue
                if entry.pattern.distinct:
                    same = (entry.qidx, fi, " ".join(m.group().split()).lstrip("- "))
                    if same in repeated:
                        continue
                    repeated.add(same)
                seen.add((entry.qidx, line))
                add(entry.qidx, side, self._hit(text, side, files[fi].path, line, entry, m, s))

    @staticmethod
    def _file_allows(f: FileDiff, p: Pattern, fi: int, memo: dict[tuple[int, str], bool]) -> bool:
        """A pattern's file conditions: ``files`` (the path matches it), ``requires`` (a new file must have an
        added line matching it; any other file passes, its unchanged lines are not in the diff) and
        ``unless`` (no added line of the file may match it)."""

        def has(q: Pattern) -> bool:
            key = (fi, q.source)
            got = memo.get(key)
            if got is None:
                got = memo[key] = any(q.regex.search(text) for _, text in f.added_lines())
            return got

        if p.files is not None and p.files.regex.search(f.path) is None:
            return False
        if p.requires is not None and f.status is FileStatus.ADDED and not has(p.requires):
            return False
        return p.unless is None or not has(p.unless)

    def _hit(self, text: SideText, side: str, path: str, line: int, entry: Entry, m: Any, s: int) -> Hit:
        ls, le = text.span(line, line + 1)
        raw_line = text.raw[ls:le]
        redact = self.questions[entry.qidx].redact
        at = s + m.start() - ls
        return Hit(
            path=path,
            line=text.number(line),
            side="new" if side == "added" else "old",
            text=redact_line(raw_line, at) if redact else clip(raw_line),
            trigger=side,
            pattern=entry.pattern.source,
            match=mask(m.group()) if redact else clip(m.group()),
            new_line=text.anchor(line),
        )


# --------------------------------------------------------------------------------------------------
# Public entry points


def relevant_questions(
    diff: Diff,
    ai: AiLines = None,
    *,
    checklists: ChecklistSet | None = None,
    max_hits_per_file: int | None = None,
    route: str = "auto",
) -> Relevance:
    """Evaluate every question of ``checklists`` (default: the shipped ones) against ``diff``.

    ``ai``: AI-attributed added lines — a callable ``(path, new_line) -> bool``, a mapping
    ``{path: line numbers}``, an iterable of ``(path, new_line)``, or an object with ``line_sets()``.
    """
    cs = checklists if checklists is not None else load_checklists()
    return Engine(cs, max_hits_per_file=max_hits_per_file, route=route).evaluate(diff, ai)


def evaluate(
    git: Git | None,
    diff: Diff,
    ai: AiLines = None,
    *,
    include_opt_in: Iterable[str] = (),
    checklists: ChecklistSet | None = None,
) -> Relevance:
    """Like :func:`relevant_questions`, loading checklists with ``git``'s work-tree overrides."""
    if checklists is None:
        root = git.root if git is not None else None
        checklists = load_checklists(root, include_opt_in=tuple(include_opt_in))
    return Engine(checklists).evaluate(diff, ai)
