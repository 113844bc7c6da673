"""Messages posted by the loading worker to the review screen, one per analysis stage."""

from __future__ import annotations

from dataclasses import dataclass
from threading import Event
from typing import Any

from textual.message import Message

from signoff.app.analysis import AiView, QuestionView
from signoff.diff.model import Diff


@dataclass
class Progress(Message):
    """A stage (``step`` of ``total``) is running; ``done``: everything is loaded."""

    step: int
    total: int
    label: str
    done: bool = False


@dataclass
class DiffLoaded(Message):
    """The diff, or (``diff.partial``) its first files while the rest is read: each part holds the
    files of the one before, then more."""

    diff: Diff
    seconds: float
    #: Set by the screen once it has drawn this (the loader waits for the first part to be drawn).
    shown: Event | None = None


@dataclass
class AiLoaded(Message):
    ai: AiView


@dataclass
class QuestionsLoaded(Message):
    questions: list[QuestionView]
    #: The ``signoff.relevance.model.Relevance`` behind them; goes into the record.
    relevance: Any = None
    #: True once the AI-code questions saw the AI lines.
    with_ai: bool = False
    #: The questions of the first files only (a preview): the full set follows.
    partial: bool = False
    #: Set by the screen once it has drawn this (the loader waits for the first questions to be drawn).
    shown: Event | None = None


@dataclass
class MaxLineLength(Message):
    length: int


@dataclass
class LoadFailed(Message):
    stage: str
    error: str


@dataclass
class FindingsProblem(Message):
    """A SARIF file that could not be used ("FILE: problem"); its findings are left out."""

    error: str


@dataclass
class PairCounts(Message):
    """Side-by-side row counts per hunk (``id(hunk)`` -> rows), counted ahead of the toggle."""

    counts: dict[int, int]
