"""Headless analysis of a review target: the diff plus the sections later stages add (AI, questions)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from signoff.checklists.load import load_checklists
from signoff.checklists.model import ChecklistSet
from signoff.config import section
from signoff.diff.model import Diff, DiffOptions, FileDiff
from signoff.diff.parse import load_diff, load_diff_parts
from signoff.findings.mapping import load_map
from signoff.findings.placement import Findings, attach, collect
from signoff.git.runner import Git
from signoff.git.settings import TargetSettings, target_settings
from signoff.git.target import ReviewTarget
from signoff.relevance.engine import Engine


def diff_options(git: Git, target: ReviewTarget, max_file_size: int | None = None) -> DiffOptions:
    """Diff options: ``[diff] max_file_bytes`` from the config of the branch the change targets, overridden
    by ``max_file_size`` (``--max-file-size``).

    Never from the change itself (its work tree or head): a setting that shows less, such as
    ``max_file_bytes = 1``, would hide the change from its own review.
    """
    options = DiffOptions()
    limit = section(target_config(git, target), "diff").get("max_file_bytes")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        options.max_file_bytes = limit
    if max_file_size:
        options.max_file_bytes = max_file_size
    return options


def target_config(git: Git, target: ReviewTarget) -> dict[str, Any]:
    """``.signoff/config.toml`` as committed at the tip of the branch the change goes into
    (:attr:`ReviewTarget.settings_at`; HEAD for index and work-tree reviews); ``{}`` when there is none."""
    return target_settings(git, target.settings_at).config


@dataclass
class ScanResult:
    """Everything ``signoff scan`` reports about one target."""

    target: ReviewTarget
    diff: Diff
    #: AI provenance (signoff.provenance.attribution), when computed.
    ai: Any = None
    #: Checklist relevance (signoff.relevance.engine), when computed.
    questions: Any = None
    #: Scanner findings (signoff.findings.placement.Findings), when SARIF files were given.
    findings: Findings | None = None
    #: The ``.signoff/`` settings in effect (committed at the target branch's tip, never the change's own).
    settings: TargetSettings = field(default_factory=TargetSettings)


class Stage(StrEnum):
    """The stages of :func:`analyze_stages`, cheapest first."""

    #: A part of the diff while the rest is read (``parts=True``): the first files in review order.
    DIFF_PART = "diff-part"
    DIFF = "diff"
    #: The questions of the first files alone (a preview while the rest are matched; opt-in).
    QUESTIONS_FIRST = "questions-first"
    QUESTIONS = "questions"
    AI = "ai"
    QUESTIONS_AI = "questions+ai"


#: What a UI shows while each stage runs.
STAGE_LABELS = {
    Stage.DIFF_PART: "Loading the diff",
    Stage.DIFF: "Loading the diff",
    Stage.QUESTIONS_FIRST: "Matching checklists (first files)",
    Stage.QUESTIONS: "Matching checklists",
    Stage.AI: "Attributing AI lines (commit signals, blame)",
    Stage.QUESTIONS_AI: "Adding the AI-code questions",
}


@dataclass
class StageDone:
    """One finished stage: everything known so far (a snapshot), and what runs next."""

    stage: Stage
    result: ScanResult
    #: Wall time of this stage.
    seconds: float
    #: The stage that runs now (None: the analysis is complete).
    next: Stage | None
    step: int
    total: int


#: Seconds between two parts of a streamed diff (``parts=True``) after the first, which comes at once.
PART_SECONDS = 0.3


def analyze_stages(
    git: Git,
    target: ReviewTarget,
    options: DiffOptions | None = None,
    *,
    ai: bool = True,
    questions: bool = True,
    include_opt_in: Sequence[str] = (),
    preview_lines: int = 0,
    parts: bool = False,
) -> Iterator[StageDone]:
    """The analysis one stage at a time, so a UI shows each result as soon as it is ready: the diff;
    the questions from the diff alone; the AI attribution; the questions with the AI-line triggers
    added (the diff is not scanned again). The last result equals :func:`analyze`'s.

    ``preview_lines``: on a diff with more changed lines than that, first the questions of the first
    files (in review order) holding about that many changed lines (:data:`Stage.QUESTIONS_FIRST`, a
    preview: the full questions follow and replace it).

    ``parts``: while git's output is read, :data:`Stage.DIFF_PART` events carry the first files of the
    diff (a partial :class:`Diff`, the first at once, then every :data:`PART_SECONDS`); the preview then
    comes from the first part holding ``preview_lines`` changed lines, before the rest of the diff.
    """
    plan = [Stage.DIFF]
    plan += [Stage.QUESTIONS] if questions else []
    plan += [Stage.AI] if ai else []
    plan += [Stage.QUESTIONS_AI] if ai and questions else []
    settings = target_settings(git, target.settings_at)
    result = ScanResult(target=target, diff=Diff(target, [], "", partial=True), settings=settings)
    stages = _Stages(plan, result)
    lazy = _LazyEngine(include_opt_in, settings)
    preview = preview_lines if questions else 0
    if parts:
        preview_done = yield from _diff_in_parts(stages, git, target, options, lazy, preview)
    else:
        result.diff, preview_done = load_diff(git, target, options), False
    first = first_files(result.diff, preview) if preview > 0 and not preview_done else None
    if first is not None:
        plan.insert(1, Stage.QUESTIONS_FIRST)
    yield stages.done(Stage.DIFF)
    add_ai = None
    if questions:
        engine = lazy.get()
        if first is not None:
            result.questions = engine.evaluate(replace(result.diff, files=first))
            yield stages.done(Stage.QUESTIONS_FIRST)
        result.questions, add_ai = engine.evaluate_staged(result.diff)
        yield stages.done(Stage.QUESTIONS)
    if ai:
        # Imported here: ``scan --no-ai`` never loads the provenance stage (its catalogue and regexes).
        from signoff.provenance.attribution import attribute

        result.ai = attribute(git, target, result.diff, ai_config=section(settings.config, "ai"))
        yield stages.done(Stage.AI)
        if add_ai is not None:
            result.questions = add_ai(result.ai)
            yield stages.done(Stage.QUESTIONS_AI)


class _Stages:
    """The stages planned, in order, and the result so far: makes each :class:`StageDone`."""

    def __init__(self, plan: list[Stage], result: ScanResult) -> None:
        self.plan = plan
        self.result = result
        self.clock = time.perf_counter()

    def done(self, stage: Stage, running: Stage | None = None) -> StageDone:
        """``stage`` finished; ``running``: the stage that goes on (a stage that runs in parts)."""
        plan, now = self.plan, time.perf_counter()
        if running is None:
            i = plan.index(stage)
            running = plan[i + 1] if i + 1 < len(plan) else None
        step = plan.index(running) if running is not None else len(plan)
        event = StageDone(stage, replace(self.result), now - self.clock, running, step, len(plan))
        if stage is not Stage.DIFF_PART:
            self.clock = now
        return event


def _diff_in_parts(
    stages: _Stages,
    git: Git,
    target: ReviewTarget,
    options: DiffOptions | None,
    lazy: _LazyEngine,
    preview_lines: int,
) -> Generator[StageDone, None, bool]:
    """The diff stage in parts (into ``stages.result``); the questions preview from the first part
    holding ``preview_lines`` changed lines (0: none). Returns whether that preview was made."""
    result, last, preview_done = stages.result, 0.0, False
    for diff in load_diff_parts(git, target, options):
        result.diff = diff
        if not diff.partial:
            break
        if not last or time.perf_counter() - last >= PART_SECONDS:
            last = time.perf_counter()
            yield stages.done(Stage.DIFF_PART, Stage.DIFF)
        first = _lines_prefix(diff.files, preview_lines) if preview_lines > 0 and not preview_done else None
        if first is not None:
            preview_done = True
            stages.plan.insert(0, Stage.QUESTIONS_FIRST)  # done before the diff is
            result.questions = lazy.get().evaluate(replace(diff, files=first))
            yield stages.done(Stage.QUESTIONS_FIRST, Stage.DIFF)
            result.questions = None
    return preview_done


class _LazyEngine:
    """The relevance engine, built when first needed (reading the checklists takes a while)."""

    def __init__(self, include_opt_in: Sequence[str], settings: TargetSettings) -> None:
        self.include_opt_in = tuple(include_opt_in)
        self.settings = settings
        self.engine: Engine | None = None

    def get(self) -> Engine:
        if self.engine is None:
            checklists: ChecklistSet = load_checklists(
                include_opt_in=self.include_opt_in, override_files=self.settings.checklist_overrides
            )
            self.engine = Engine(checklists)
        return self.engine


def _lines_prefix(files: list[FileDiff], lines: int) -> list[FileDiff] | None:
    """The first of ``files`` holding at least ``lines`` changed lines; None when they hold fewer."""
    total = 0
    for i, f in enumerate(files):
        total += f.added + f.removed
        if total >= lines:
            return files[: i + 1]
    return None


def first_files(diff: Diff, lines: int) -> list[FileDiff] | None:
    """The first files of ``diff`` (its order) holding at least ``lines`` changed lines; None when the
    whole diff holds fewer than twice that (a preview would not be worth it)."""
    if diff.added + diff.removed < 2 * lines:
        return None
    return _lines_prefix(diff.files, lines)


def analyze(
    git: Git,
    target: ReviewTarget,
    options: DiffOptions | None = None,
    *,
    ai: bool = True,
    questions: bool = True,
    include_opt_in: Sequence[str] = (),
    sarif: Sequence[str] = (),
) -> ScanResult:
    """Load the diff for ``target`` and run the analyses available (``ai=False`` skips provenance,
    ``questions=False`` skips checklist relevance; ``include_opt_in`` names opt-in checklists; ``sarif``
    names scanner output files whose findings are placed on the diff and tied to questions)."""
    stages = analyze_stages(git, target, options, ai=ai, questions=questions, include_opt_in=include_opt_in)
    (last,) = deque(stages, maxlen=1)
    result = last.result
    if sarif:
        checklists = result.questions.checklists if result.questions is not None else None
        result.findings = collect(git, result.diff, sarif, load_map(result.settings.findings_map, checklists))
        if result.questions is not None:
            attach(result.questions, result.findings)
    return result
