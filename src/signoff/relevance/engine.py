"""Which checklist questions a diff makes relevant, and where (the hit lines).

One pass per diff side: the added lines of all files are joined into one string (and the removed lines
into another). Every regex has *anchors* — literals one of which any match must contain — so the pass is
a handful of C-speed ``str.find`` scans for the distinct anchors; only lines containing an anchor are
tried against the regexes that need it. Regexes without an anchor run as one ``finditer`` over the spans
of the files they apply to. Cost is linear in the diff size; no Python loop over lines x patterns.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from signoff.checklists.filekinds import kinds_of
from signoff.checklists.load import load_checklists
from signoff.checklists.model import ChecklistSet, Pattern
from signoff.diff.model import FileStatus
from signoff.relevance.model import Hit, QuestionResult, Relevance
from signoff.util.globs import glob_regex

if TYPE_CHECKING:
    from signoff.diff.model import Diff, FileDiff, Hunk
    from signoff.git.runner import Git

#: Hits kept per question per file (all are counted).
MAX_HITS_PER_FILE = 10
#: Occurrences of one anchor handled line by line; beyond this its regexes scan their files instead.
ANCHOR_BUDGET = 1000
#: Rough cost of handling one anchor occurrence in Python (candidate line, later verification).
PER_OCCURRENCE_SECONDS = 4e-6
#: Extra cost per regex verified on a candidate line, relative to PER_OCCURRENCE_SECONDS.
VERIFY_FACTOR = 0.5
#: Characters of a hit line kept.
MAX_TEXT = 240

_ADDED_RE = re.compile(r"^\+(.*)$", re.MULTILINE)
_REMOVED_RE = re.compile(r"^-(.*)$", re.MULTILINE)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

AiLines = Callable[[str, int], bool] | Mapping[str, Iterable[int]] | Iterable[tuple[str, int]] | Any


# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    qidx: int
    pattern: Pattern
    langs: frozenset[str]
    kind: str  # "added" | "removed"


class _Side:
    """One side (added or removed lines) of every file, joined into one string."""

    def __init__(self, files: list[FileDiff], rx: re.Pattern[str], kinds: list[frozenset[str]]) -> None:
        texts: list[str] = []
        #: (kinds, first char, end char) of each run of files with the same kinds.
        self.groups: list[tuple[frozenset[str], int, int]] = []
        #: Per included file: index into diff.files, first char offset, first global line index.
        self.file_idx: list[int] = []
        self.char_start: list[int] = []
        self.line_start: list[int] = []
        #: Per (file, hunk) segment: first global line index, and (file index, hunk).
        self.seg_start: list[int] = []
        self.seg: list[tuple[int, Hunk]] = []
        pos = lines = 0
        order = sorted(range(len(files)), key=lambda i: sorted(kinds[i]))
        for fi in order:
            f = files[fi]
            if f.binary or f.too_large or not f.hunks:
                continue
            file_lines: list[str] = []
            first = lines
            for h in f.hunks:
                found = rx.findall(h.body)
                if found:
                    self.seg_start.append(lines)
                    self.seg.append((fi, h))
                    file_lines += found
                    lines += len(found)
            if not file_lines:
                continue
            joined = "\n".join(file_lines)
            self.file_idx.append(fi)
            self.char_start.append(pos)
            self.line_start.append(first)
            texts.append(joined)
            if self.groups and self.groups[-1][0] == kinds[fi]:
                self.groups[-1] = (kinds[fi], self.groups[-1][1], pos + len(joined))
            else:
                self.groups.append((kinds[fi], pos, pos + len(joined)))
            pos += len(joined) + 1
        self.text = "\n".join(texts)
        if self.text.isascii():
            self.low = self.text.lower()
        else:
            self.low = self.text.translate(_ASCII_LOWER)

    def file_at(self, offset: int) -> int:
        """Index (into this side's included files) of the file holding char ``offset``."""
        return bisect_right(self.char_start, offset) - 1

    def locate(self, line_index: int) -> tuple[Hunk, int]:
        """The hunk holding global line ``line_index`` and the line's index among that hunk's lines."""
        s = bisect_right(self.seg_start, line_index) - 1
        return self.seg[s][1], line_index - self.seg_start[s]


def _numbers(h: Hunk, prefix: str) -> tuple[list[int], list[int]]:
    """Line numbers of the hunk's ``prefix`` lines (new side for '+', old side for '-'), and new anchors."""
    new, old = h.new_start, h.old_start
    nums: list[int] = []
    anchors: list[int] = []
    for raw in h.body.split("\n"):
        c = raw[:1]
        if c == "+":
            if prefix == "+":
                nums.append(new)
            new += 1
        elif c == "-":
            if prefix == "-":
                nums.append(old)
                anchors.append(new)
            old += 1
        elif c == "\\":
            continue
        else:
            old += 1
            new += 1
    return nums, anchors


class Engine:
    """Compiled triggers of a :class:`ChecklistSet`; reuse it across diffs."""

    def __init__(self, checklists: ChecklistSet, *, max_hits_per_file: int = MAX_HITS_PER_FILE) -> None:
        self.checklists = checklists
        self.questions = checklists.questions
        self.max_hits = max_hits_per_file
        self.entries: list[_Entry] = []
        self.anchors: dict[str, dict[str, list[int]]] = {"added": {}, "removed": {}}
        self.full: dict[str, list[int]] = {"added": [], "removed": []}
        self.full_rx: dict[int, re.Pattern[str]] = {}
        self.path_rx: dict[int, tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]]] = {}
        self.lang_only: dict[int, frozenset[str]] = {}
        #: Measured seconds per character of each entry's multi-line regex scan.
        self._scan_speed: dict[int, float] = {}
        self._scoped_cache: dict[tuple[str, str, frozenset[str]], tuple[int, ...]] = {}
        self.absent: list[tuple[int, Pattern, frozenset[str]]] = []
        for qi, q in enumerate(self.questions):
            t = q.triggers
            for kind, pats in (("added", t.added), ("removed", t.removed)):
                for p in pats:
                    langs = frozenset(p.languages or t.languages)
                    ei = len(self.entries)
                    self.entries.append(_Entry(qi, p, langs, kind))
                    if p.anchors:
                        for a in p.anchors:
                            self.anchors[kind].setdefault(a, []).append(ei)
                    else:
                        self.full[kind].append(ei)
            if t.paths:
                any_rx = re.compile("|".join(f"(?:{glob_regex(g)})" for g in t.paths), re.IGNORECASE)
                self.path_rx[qi] = (any_rx, [(g, re.compile(glob_regex(g), re.IGNORECASE)) for g in t.paths])
            if t.languages and not t.added and not t.removed and not t.absent:
                self.lang_only[qi] = frozenset(t.languages)
            for p in t.absent:
                self.absent.append((qi, p, frozenset(p.languages or t.languages)))

        #: Per anchor: the file kinds its regexes apply to (None: all files).
        self.anchor_scope: dict[str, dict[str, frozenset[str] | None]] = {"added": {}, "removed": {}}
        self._tries: dict[tuple[str, frozenset[str], bool, frozenset[str]], re.Pattern[str] | None] = {}
        for kind in ("added", "removed"):
            self.anchors[kind] = _merge_contained(self.anchors[kind])
            for a, eids in self.anchors[kind].items():
                scopes = [self.entries[e].langs for e in eids]
                self.anchor_scope[kind][a] = (
                    None if any(not sc for sc in scopes) else frozenset().union(*scopes)
                )

    # ----------------------------------------------------------------------------------------------

    def evaluate(self, diff: Diff, ai: AiLines = None) -> Relevance:
        results = [QuestionResult(q) for q in self.questions]
        files = diff.files
        kinds = [kinds_of(f.path, _sniff(f)) for f in files]
        self._file_triggers(files, kinds, results)
        for kind, rx, prefix in (("added", _ADDED_RE, "+"), ("removed", _REMOVED_RE, "-")):
            if self.anchors[kind] or self.full[kind]:
                side = _Side(files, rx, kinds)
                if side.text:
                    self._scan(side, kind, prefix, files, kinds, results)
        ai_lines = _ai_lines(ai, files)
        if ai_lines:
            self._ai_triggers(ai_lines, results)
        for qi, q in enumerate(self.questions):
            if q.triggers.always:
                results[qi].reasons.append("always")
        triggered = [r for r in results if r.reasons]
        triggered.sort(key=lambda r: r.question.rank)  # stable: checklist order within a severity
        untriggered = [r for r in results if not r.reasons]
        return Relevance(self.checklists, triggered, untriggered)

    def _add(
        self, r: QuestionResult, reason: str, hit: Hit | None, per_file: dict[tuple[int, str], int]
    ) -> None:
        if reason not in r.reasons:
            r.reasons.append(reason)
        if hit is None:
            return
        r.hit_count += 1
        key = (id(r), hit.path)
        n = per_file.get(key, 0)
        if n < self.max_hits:
            per_file[key] = n + 1
            r.hits.append(hit)

    def _file_triggers(
        self, files: list[FileDiff], kinds: list[frozenset[str]], results: list[QuestionResult]
    ) -> None:
        per_file: dict[tuple[int, str], int] = {}
        for fi, f in enumerate(files):
            line, side = _first_line(f)
            for qi, (any_rx, globs) in self.path_rx.items():
                if not (any_rx.match(f.path) or (f.old_path and any_rx.match(f.old_path))):
                    continue
                for g, rx in globs:
                    if rx.match(f.path) or (f.old_path and rx.match(f.old_path)):
                        hit = Hit(f.path, line, side, f"{f.status} file", "path", g)
                        self._add(results[qi], "path", hit, per_file)
                        break
            for qi, langs in self.lang_only.items():
                common = langs & kinds[fi]
                if common:
                    hit = Hit(f.path, line, side, f"{f.status} file", "language", sorted(common)[0])
                    self._add(results[qi], "language", hit, per_file)
            if self.absent and f.status is FileStatus.ADDED and f.hunks and not f.too_large:
                self._absent_triggers(f, kinds[fi], results, per_file)

    def _absent_triggers(
        self,
        f: FileDiff,
        fkinds: frozenset[str],
        results: list[QuestionResult],
        per_file: dict[tuple[int, str], int],
    ) -> None:
        """A new file (its whole text is in the diff) of the right kind with no line matching."""
        for qi, pattern, langs in self.absent:
            if langs and not (langs & fkinds):
                continue
            if not any(pattern.regex.search(text) for _, text in f.added_lines()):
                desc = f"new file has no line matching {pattern.source}"
                self._add(
                    results[qi], "absent", Hit(f.path, 1, "new", desc, "absent", pattern.source), per_file
                )

    def _scan(
        self,
        side: _Side,
        kind: str,
        prefix: str,
        files: list[FileDiff],
        kinds: list[frozenset[str]],
        results: list[QuestionResult],
    ) -> None:
        text, low = side.text, side.low
        ascii_only = text.isascii()
        cands: dict[int, set[int]] = {}
        full = list(self.full[kind])
        anchors = self.anchors[kind]
        seen_anchor: dict[str, int] = {}
        hot: set[str] = set()
        for group_kinds, start, end in side.groups:
            trie = self._trie(kind, group_kinds, ascii_only, frozenset(hot))
            pos = start
            while trie is not None:
                m = trie.search(low, pos, end)
                if m is None:
                    break
                pos = m.start() + 1  # anchors may overlap: look again from the next character
                anchor = m.group()
                n = seen_anchor.get(anchor, 0) + 1
                seen_anchor[anchor] = n
                entry_ids = anchors[anchor]
                if n == ANCHOR_BUDGET and self._full_scan_cheaper(entry_ids, text, m.start(), n):
                    # A common literal whose regexes are fast: they scan their files at C speed
                    # instead, and the anchor search goes on without it.
                    hot.add(anchor)
                    full.extend(entry_ids)
                    trie = self._trie(kind, group_kinds, ascii_only, frozenset(hot))
                    continue
                scoped = self._scoped(kind, anchor, group_kinds)
                if not scoped:
                    continue
                ls = low.rfind("\n", 0, m.start()) + 1
                got = cands.get(ls)
                if got is None:
                    cands[ls] = set(scoped)
                else:
                    got.update(scoped)
        spans_cache: dict[frozenset[str], list[tuple[int, int]]] = {}
        for ei in dict.fromkeys(full):
            entry = self.entries[ei]
            rx = self._multiline(ei)
            spans = spans_cache.get(entry.langs)
            if spans is None:
                spans = spans_cache[entry.langs] = _spans(side, entry.langs, kinds)
            for start, end in spans:
                for m in rx.finditer(text, start, end):
                    ls = text.rfind("\n", 0, m.start()) + 1
                    cands.setdefault(ls, set()).add(ei)
        if not cands:
            return
        per_file: dict[tuple[int, str], int] = {}
        seen: set[tuple[int, int]] = set()
        numbers: dict[int, tuple[list[int], list[int]]] = {}
        prev_ls = 0
        line_index = 0
        for ls in sorted(cands):
            line_index += text.count("\n", prev_ls, ls)
            prev_ls = ls
            le = text.find("\n", ls)
            line = text[ls:] if le < 0 else text[ls:le]
            k = side.file_at(ls)
            fi = side.file_idx[k]
            fkinds = kinds[fi]
            for ei in sorted(cands[ls]):
                entry = self.entries[ei]
                if entry.langs and not (entry.langs & fkinds):
                    continue
                m = entry.pattern.regex.search(line)
                if m is None or (entry.qidx, ls) in seen:
                    continue
                seen.add((entry.qidx, ls))
                r = results[entry.qidx]
                f = files[fi]
                path = f.path
                hunk, j = side.locate(line_index)
                nums = numbers.get(id(hunk))
                if nums is None:
                    nums = numbers[id(hunk)] = _numbers(hunk, prefix)
                lineno = nums[0][j] if j < len(nums[0]) else 0
                new_anchor = nums[1][j] if kind == "removed" and j < len(nums[1]) else None
                redact = r.question.redact
                hit = Hit(
                    path=path,
                    line=lineno,
                    side="new" if kind == "added" else "old",
                    text=_redact_line(line, m) if redact else _clip(line),
                    trigger=kind,
                    pattern=entry.pattern.source,
                    match=_mask(m.group()) if redact else _clip(m.group()),
                    new_line=new_anchor,
                )
                self._add(r, kind, hit, per_file)

    def _scoped(self, kind: str, anchor: str, group_kinds: frozenset[str]) -> tuple[int, ...]:
        """The anchor's entries that apply to files of ``group_kinds`` (cached)."""
        key = (kind, anchor, group_kinds)
        got = self._scoped_cache.get(key)
        if got is None:
            got = self._scoped_cache[key] = tuple(
                ei
                for ei in self.anchors[kind][anchor]
                if not self.entries[ei].langs or self.entries[ei].langs & group_kinds
            )
        return got

    def _full_scan_cheaper(self, entry_ids: list[int], text: str, at: int, seen: int) -> bool:
        """Whether scanning ``text`` with these regexes beats handling each remaining anchor occurrence.

        The occurrences still to come are extrapolated from the rate so far; each regex's scan time is
        measured on a sample (Python's ``re`` runs some alternations at a few MB/s, others at hundreds).
        Either way gives the same hits: this only chooses the faster route.
        """
        remaining = seen * (len(text) - at) / max(at, 1)
        per_line_cost = remaining * PER_OCCURRENCE_SECONDS * (1 + len(entry_ids) * VERIFY_FACTOR)
        sample = text[: 1 << 16]
        scan_cost = 0.0
        for ei in entry_ids:
            speed = self._scan_speed.get(ei)
            if speed is None:
                rx = self._multiline(ei)
                t0 = time.perf_counter()
                for _ in rx.finditer(sample):
                    pass
                speed = self._scan_speed[ei] = (time.perf_counter() - t0) / max(len(sample), 1)
            scan_cost += speed * len(text)
            if scan_cost > per_line_cost:
                return False
        return True

    def _trie(
        self, kind: str, kinds: frozenset[str], ascii_only: bool, hot: frozenset[str]
    ) -> re.Pattern[str] | None:
        """One regex matching any anchor that applies to files of ``kinds`` (except ``hot`` ones)."""
        key = (kind, kinds, ascii_only, hot)
        if key in self._tries:
            return self._tries[key]
        words = [
            a
            for a, scope in self.anchor_scope[kind].items()
            if (scope is None or scope & kinds) and not (ascii_only and not a.isascii()) and a not in hot
        ]
        rx = re.compile(_trie_pattern(words)) if words else None
        self._tries[key] = rx
        return rx

    def _multiline(self, ei: int) -> re.Pattern[str]:
        rx = self.full_rx.get(ei)
        if rx is None:
            rx = self.full_rx[ei] = re.compile(self.entries[ei].pattern.source, re.MULTILINE)
        return rx

    def _ai_triggers(self, ai_lines: dict[str, list[int]], results: list[QuestionResult]) -> None:
        ai_qs = [qi for qi, q in enumerate(self.questions) if q.triggers.ai]
        if not ai_qs:
            return
        per_file: dict[tuple[int, str], int] = {}
        for path, nums in ai_lines.items():
            for start, end in _ranges(nums):
                label = (
                    f"AI-attributed line {start}" if start == end else f"AI-attributed lines {start}-{end}"
                )
                for qi in ai_qs:
                    hit = Hit(path, start, "new", label, "ai", "ai")
                    self._add(results[qi], "ai", hit, per_file)


# --------------------------------------------------------------------------------------------------


def _trie_pattern(words: list[str]) -> str:
    """A regex alternation of ``words`` shaped as a trie (shared prefixes factored), matching a word."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        if "" in node:
            return ""  # a shorter word ends here; no other word has it as a proper prefix
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(trie)


def _merge_contained(anchors: dict[str, list[int]]) -> dict[str, list[int]]:
    """Fold each anchor into a shorter one it contains (its occurrences are a subset): fewer scans."""
    keep: dict[str, list[int]] = {}
    for a in sorted(anchors, key=len):
        into = next((k for k in keep if k in a), None)
        if into is None:
            keep[a] = list(anchors[a])
        else:
            keep[into] = list(dict.fromkeys(keep[into] + anchors[a]))
    return keep


def _spans(side: _Side, langs: frozenset[str], kinds: list[frozenset[str]]) -> list[tuple[int, int]]:
    """Merged character spans of the side's files whose kinds intersect ``langs`` (all when empty)."""
    spans: list[tuple[int, int]] = []
    n = len(side.file_idx)
    for k, fi in enumerate(side.file_idx):
        if langs and not (langs & kinds[fi]):
            continue
        start = side.char_start[k]
        end = side.char_start[k + 1] - 1 if k + 1 < n else len(side.text)
        if spans and spans[-1][1] + 1 == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _sniff(f: FileDiff) -> str:
    if not f.hunks or not f.path.lower().endswith((".yml", ".yaml")):
        return ""
    return f.hunks[0].body[:4000]


def _first_line(f: FileDiff) -> tuple[int, str]:
    for h in f.hunks:
        if h.new_count:
            return h.new_start, "new"
    if f.hunks:
        return f.hunks[0].old_start, "old"
    return 0, "new"


def _clip(s: str) -> str:
    s = s.strip()
    return s if len(s) <= MAX_TEXT else s[: MAX_TEXT - 1] + "…"


def _mask(secret: str) -> str:
    keep = min(4, len(secret) // 4)
    return secret[:keep] + "[redacted]"


def _redact_line(line: str, m: re.Match[str]) -> str:
    return _clip(line[: m.start()] + _mask(line[m.start() :]))


def _ranges(nums: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for n in sorted(set(nums)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def _ai_lines(ai: AiLines, files: list[FileDiff]) -> dict[str, list[int]]:
    """Normalise AI attribution to {path: [new line numbers]} for the files in the diff."""
    if ai is None:
        return {}
    paths = {f.path for f in files}
    line_sets = getattr(ai, "line_sets", None)
    if callable(line_sets):
        ai = line_sets()
    if isinstance(ai, Mapping):
        return {str(p): sorted(int(n) for n in v) for p, v in ai.items() if p in paths and v}
    if callable(ai):
        out: dict[str, list[int]] = {}
        for f in files:
            if f.binary or f.too_large:
                continue
            got = [n for h in f.hunks for n in _numbers(h, "+")[0] if ai(f.path, n)]
            if got:
                out[f.path] = got
        return out
    out = {}
    for item in ai:
        p, n = item
        if p in paths:
            out.setdefault(p, []).append(int(n))
    return out


# --------------------------------------------------------------------------------------------------
# Public entry points


def relevant_questions(
    diff: Diff,
    ai: AiLines = None,
    *,
    checklists: ChecklistSet | None = None,
    max_hits_per_file: int = MAX_HITS_PER_FILE,
) -> Relevance:
    """Evaluate every question of ``checklists`` (default: the shipped ones) against ``diff``.

    ``ai``: AI-attributed added lines — a callable ``(path, new_line) -> bool``, a mapping
    ``{path: line numbers}``, an iterable of ``(path, new_line)``, or an object with ``line_sets()``.
    """
    cs = checklists if checklists is not None else load_checklists()
    return Engine(cs, max_hits_per_file=max_hits_per_file).evaluate(diff, ai)


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
