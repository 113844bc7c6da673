"""The review screen's loading worker: the one analysis pipeline, stage by stage, posted as messages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from queue import Queue
from threading import Event, Thread
from typing import Any

from textual.message import Message

from signoff.analysis import STAGE_LABELS, ScanResult, Stage, StageDone, analyze_stages
from signoff.app import messages as m
from signoff.app.analysis import ai_view, question_views
from signoff.app.rows import pair_counts
from signoff.app.state import ReviewState
from signoff.diff.model import Diff, DiffOptions
from signoff.findings.mapping import load_map
from signoff.findings.placement import attach, collect

#: Seconds the loader waits for the screen to draw the first part of the diff and the first questions
#: before it goes on (the screen then has the interpreter to itself; the rest is not needed yet).
DRAW_WAIT = 0.5

#: On a diff with more changed lines than twice this, the questions of the first files holding this
#: many come first (shown within a fraction of a second), then the full set.
PREVIEW_LINES = 2000


def longest_line(diff: Diff) -> int:
    """Characters in the longest body line (the diff view's scroll width)."""
    best = 0
    for f in diff.files:
        for h in f.hunks:
            if h.body:
                best = max(best, max(map(len, h.body.split("\n"))))
    return best


def add_findings(
    state: ReviewState, result: ScanResult, relevance: Any, post: Callable[[Message], object]
) -> None:
    """Scanner findings (``--findings``): read once, then added to each relevance result as hits. The
    findings map is the target branch's (``result.settings``), never the change's."""
    if not state.sarif or relevance is None:
        return
    if state.findings is None:
        fmap = load_map(result.settings.findings_map, relevance.checklists)
        state.findings = collect(state.git, result.diff, state.sarif, fmap)
        for error in state.findings.errors:  # that file's findings are left out; the review goes on
            post(m.FindingsProblem(error))
    attach(relevance, state.findings)


class Preload:
    """The analysis pipeline, started with the app (before its screen exists, so git runs and the first
    part of the diff is read while the terminal is set up); its stage events wait in a queue until the
    screen's worker shows them (:func:`run_analysis`)."""

    def __init__(self, state: ReviewState) -> None:
        self.state = state
        self.queue: Queue[tuple[StageDone, Event | None] | Exception | None] = Queue()
        self.thread = Thread(target=self._run, name="signoff-analysis", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        state, seen = self.state, set[Stage]()
        try:
            for ev in analyze_stages(
                state.git,
                state.target,
                state.diff_options or DiffOptions(),
                ai=state.ai_enabled,
                include_opt_in=state.opt_in,
                preview_lines=PREVIEW_LINES,
                parts=True,
            ):
                kind = Stage.DIFF_PART if ev.stage is Stage.DIFF else ev.stage  # the first diff shown
                drawn = (
                    Event() if kind not in seen and kind in (Stage.DIFF_PART, Stage.QUESTIONS_FIRST) else None
                )
                seen.add(kind)
                self.queue.put((ev, drawn))
                if drawn is not None:  # the screen draws it with the interpreter to itself
                    drawn.wait(DRAW_WAIT)
        except Exception as exc:  # handed to the screen's worker, which shows it
            self.queue.put(exc)
        finally:
            self.queue.put(None)

    def events(self) -> Iterator[tuple[StageDone, Event | None]]:
        """Each stage as it finishes, with the event to set once it is drawn (None: no one waits)."""
        while (item := self.queue.get()) is not None:
            if isinstance(item, Exception):
                raise item
            yield item


def run_analysis(
    state: ReviewState, post: Callable[[Message], object], preload: Preload | None = None
) -> None:
    """Show the pipeline's stages (in a worker thread) as soon as each is ready: the diff (in parts
    while git's output is read), the questions, the AI marks, the AI-code questions; then what the view
    computes ahead. ``preload``: the pipeline already started (:class:`Preload`); else it starts now."""
    plan = 1 + 1 + (2 if state.ai_enabled else 0)  # the stages say their own total once the diff is in
    shown = (1, plan)
    post(m.Progress(1, plan, STAGE_LABELS[Stage.DIFF]))
    running: Stage | None = Stage.DIFF
    diff: Diff | None = None
    try:
        for ev, drawn in (preload or Preload(state)).events():
            post_stage(state, ev, post, drawn)
            if ev.stage is Stage.DIFF:
                diff = ev.result.diff
            plan = ev.total
            running = ev.next
            if ev.next is not None and (ev.step + 1, ev.total) != shown:
                shown = (ev.step + 1, ev.total)
                post(m.Progress(ev.step + 1, ev.total, STAGE_LABELS[ev.next]))
        post(m.Progress(plan, plan, "Ready", done=True))
        if diff is not None:
            post(m.MaxLineLength(longest_line(diff)))
            post(m.PairCounts(pair_counts(diff)))  # the side-by-side toggle is then instant
    except Exception as exc:  # shown in the UI; the diff (if loaded) stays reviewable
        label = STAGE_LABELS[running] if running is not None else "loading"
        post(m.LoadFailed(label, str(exc)))


def post_stage(
    state: ReviewState, ev: StageDone, post: Callable[[Message], object], drawn: Event | None = None
) -> None:
    """The message showing one finished stage (a part of the diff is a :class:`m.DiffLoaded` too);
    ``drawn`` is set once the screen has drawn it."""
    r = ev.result
    if ev.stage in (Stage.DIFF, Stage.DIFF_PART):
        post(m.DiffLoaded(r.diff, ev.seconds, drawn))
    elif ev.stage is Stage.AI:
        post(m.AiLoaded(ai_view(r.ai)))
    else:
        partial = ev.stage is Stage.QUESTIONS_FIRST
        if not partial:
            add_findings(state, r, r.questions, post)
        views = question_views(r.questions)
        post(m.QuestionsLoaded(views, r.questions, ev.stage is Stage.QUESTIONS_AI, partial, drawn))
