"""The detail panel: the current question (text, guidance, references, hits, note, evidence) or a line's
text and AI reason, drawn line by line (Textual's line API).

Only the lines on screen are drawn. A question's hits are one line each (plus a preview line for a hit
far along a long line); each hit's lines are built once per question and width, so ``.`` rebuilds the
two hits whose marker moved and draws the rows on screen, whatever the number of hits. Nothing here
lays out the screen (a scrollbar appearing or going aside).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual, visualize

from signoff.app.analysis import HitView, QuestionView
from signoff.app.safe import safe_text
from signoff.app.widgets.checklist import ANSWER_MARK, SEVERITY_STYLE
from signoff.app.widgets.redraw import content_width, set_virtual_size
from signoff.review.session import QuestionState

#: Characters of a hit's line shown around its column.
PREVIEW_BEFORE, PREVIEW_AFTER = 24, 64
#: A hit's column is worked out (from the diff) when its line is at least this long.
LONG_LINE = 120
#: Hits listed for one question (the rest are counted).
MAX_HITS = 200

Locate = Callable[[HitView], "tuple[int, str] | None"]
#: A hit line not drawn yet: (hit index, is it the current hit, line of the hit's block).
HitRef = tuple[int, bool, int]


class DetailPanel(ScrollView, can_focus=True):
    """The current question, or a text (``w``, ``i``), one screen line per row.

    The current hit's marker is always scrolled into view; a hit on a long line shows its column and the
    text around it.
    """

    DEFAULT_CSS = """
    DetailPanel {
        height: 10; border-top: solid $primary 50%; padding: 0 1; background: $surface;
        scrollbar-gutter: stable; overflow-x: hidden; overflow-y: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: Every line: drawn (a Strip) or a hit line drawn when it first comes on screen.
        self._lines: list[Strip | HitRef] = []
        self._width = 0
        #: What is shown, to lay it out again at another width: a text, or the question's arguments.
        self._text: Text | None = None
        self._question: tuple | None = None
        #: Per (hit index, current?): the hit's lines, for one question, width and diff (``_hits_for``).
        self._hits: dict[tuple[int, bool], list[Text]] = {}
        self._hit_strips: dict[HitRef, Strip] = {}
        self._hits_for: tuple | None = None
        #: The head and tail last drawn (a question's head is drawn again only when it changed).
        self._blocks: dict[str, tuple[Text, int, list[Strip]]] = {}
        #: Hit lines built (not taken from the cache): what a key really cost.
        self.hit_lines_built = 0

    # -- what is shown -----------------------------------------------------------------------------

    def show(self, text: Text, *, line: int | None = None) -> None:
        """Show ``text`` (wrapped); scroll so its line ``line`` is in view (else to the top)."""
        self._question = None
        self._text = text
        self._set_lines(list(self._strips(text, content_width(self))), line)

    def show_question(
        self,
        q: QuestionView | None,
        st: QuestionState | None,
        hit_index: int | None,
        *,
        note_for: str | None = None,
        locate: Locate | None = None,
        source: object = None,
    ) -> None:
        """Show question ``q`` and its hits (``hit_index`` marked). ``source``: what ``locate`` looks hits
        up in (the diff's rows); a hit's lines are built again only when it (or the width) changes."""
        if q is None:
            self.show(
                Text(
                    "No question selected. Questions appear here once the checklist is matched.", style="dim"
                )
            )
            return
        width = max(10, content_width(self) or 60)
        if self._hits_for != (q, width, source):
            self._hits_for = (q, width, source)
            self._hits.clear()
            self._hit_strips.clear()
        lines: list[Strip | HitRef] = list(self._block("head", question_head(q, st, note_for), width))
        marker = None
        if q.hits:
            lines += self._strips(Text(), width)
            lines += self._strips(Text(f"Hits ({len(q.hits)}):", style="bold"), width)
            for i in range(min(len(q.hits), MAX_HITS)):
                cur = i == hit_index
                if cur:
                    marker = len(lines)
                block = self._hits.get((i, cur))
                if block is None:
                    block = self._hits[(i, cur)] = hit_block(q.hits[i], cur, locate, width)
                    self.hit_lines_built += len(block)
                lines += [(i, cur, k) for k in range(len(block))]
            if len(q.hits) > MAX_HITS:
                lines += self._strips(Text(f"  … {len(q.hits) - MAX_HITS} more", style="dim"), width)
        # the note and evidence, then the blank line the last newline leaves (as a text shows it)
        lines += self._block("tail", answer_tail(st), width)
        self._text = None
        self._set_lines(lines, marker)
        self._question = (q, st, hit_index, note_for, locate, source)

    def text(self) -> str:
        """Everything shown, as plain text (each line drawn)."""
        return "\n".join(self._line(n).text.rstrip() for n in range(len(self._lines)))

    # -- lines ---------------------------------------------------------------------------------------

    def _set_lines(self, lines: list[Strip | HitRef], line: int | None) -> None:
        self._lines = lines
        self._width = content_width(self)
        set_virtual_size(self, Size(self._width, len(lines)))
        self.refresh()
        if line is None:
            self.scroll_to(y=0, animate=False, immediate=True)
            return
        height = self.scrollable_content_region.height or 1
        if not self.scroll_y <= line < self.scroll_y + height:
            self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True)

    def _block(self, name: str, text: Text, width: int) -> list[Strip]:
        """``text`` wrapped to ``width``; the last one drawn under ``name`` is reused when unchanged."""
        held = self._blocks.get(name)
        if held is not None and held[1] == width and held[0] == text:
            return held[2]
        strips = self._strips(text, width)
        self._blocks[name] = (text, width, strips)
        return strips

    def _strips(self, text: Text, width: int) -> list[Strip]:
        """``text`` drawn as the panel draws text: wrapped to ``width``, on the panel's style."""
        if width <= 0:
            return []
        style = self.visual_style
        strips = Visual.to_strips(self, visualize(self, text), width, None, style)
        # an empty line is an empty segment: dropped, so it joins the padding as a text's does
        strips = [Strip([s for s in strip if s.text], strip.cell_length) for strip in strips]
        return strips or [Strip([])]

    def _line(self, n: int) -> Strip:
        item = self._lines[n]
        if isinstance(item, Strip):
            return item
        strip = self._hit_strips.get(item)
        if strip is None:
            i, cur, k = item
            strip = self._hit_strips[item] = self._strips(self._hits[(i, cur)][k], self._width)[0]
        return strip

    def render_line(self, y: int) -> Strip:
        n = int(self.scroll_y) + y
        width = content_width(self)
        if not 0 <= n < len(self._lines) or width != self._width:
            return Strip.blank(width, self.visual_style.rich_style)
        return self._line(n)

    def on_resize(self) -> None:
        """Lines are cut and wrapped to the width: lay them out again."""
        if content_width(self) == self._width:
            return
        if self._question is not None:
            q, st, index, note_for, locate, source = self._question
            self.show_question(q, st, index, note_for=note_for, locate=locate, source=source)
        elif self._text is not None:
            keep = int(self.scroll_y)
            self.show(self._text)
            self.scroll_to(y=keep, animate=False, immediate=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._blocks.clear()
        self._hit_strips.clear()
        if self._question is not None or self._text is not None:
            self._width = -1  # drawn again in the new style
            self.on_resize()


def question_head(q: QuestionView, st: QuestionState | None, note_for: str | None) -> Text:
    """Answer mark, severity, id, the question, the keys, who a note goes to, guidance and references
    (no final newline)."""
    t = Text()
    mark, mstyle = ANSWER_MARK[st.answer if st else None]
    t.append(f"{mark} ", style=mstyle)
    t.append(f" {q.severity.upper()} ", style=SEVERITY_STYLE.get(q.severity, "bold"))
    t.append(" ")
    t.append_text(safe_text(q.id, style="dim"))
    if not q.triggered:
        t.append("  (not triggered)", style="dim italic")
    t.append("\n")
    t.append_text(safe_text(q.text, style="bold"))
    t.append("\n")
    t.append("answer: p pass · f fail · a n/a · e note · m attach evidence · . , hits", style="dim")
    if note_for and note_for != q.id:
        t.append("\ne writes the note for ", style="yellow")
        t.append_text(safe_text(note_for, style="bold yellow"))
        t.append(" (just answered)", style="yellow")
    if q.guidance:
        t.append("\n\n")
        t.append_text(safe_text(q.guidance.strip(), keep_newlines=True))
    if q.references:
        t.append("\n\n")
        t.append("References: ", style="bold")
        t.append_text(safe_text(", ".join(q.references)))
    return t


def hit_block(h: HitView, cur: bool, locate: Locate | None, width: int) -> list[Text]:
    """A hit's line, cut to ``width``, and for a hit far along a long line a preview line around it."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append("▶ " if cur else "  ", style="bold yellow")
    where = f"{h.path}:{h.line}" if h.line else h.path
    if h.side == "old" and h.line:
        where += " (old)"
    line.append_text(safe_text(where, style="underline" if cur else ""))
    found = None
    if locate is not None and h.line and (cur or len(h.text) >= LONG_LINE or h.match not in h.text):
        found = locate(h)
    long_line = found is not None and len(found[1]) > LONG_LINE
    if found is not None and long_line:
        line.append(f" col {found[0] + 1:,}", style="bold")
    if h.trigger:
        line.append(" [", style="dim")
        line.append_text(safe_text(h.trigger, style="dim"))
        line.append("]", style="dim")
    if h.text and not long_line:
        line.append("  ")
        line.append_text(safe_text(h.text.strip()[:LONG_LINE], style="italic"))
    line.truncate(width, overflow="ellipsis")
    if found is None or not long_line:
        return [line]
    col, text = found
    lo, hi = max(0, col - PREVIEW_BEFORE), col + len(h.match) + PREVIEW_AFTER
    prev = Text(no_wrap=True, overflow="ellipsis")
    prev.append("    " + ("…" if lo else ""), style="dim")
    prev.append_text(safe_text(text[lo:hi], style="italic"))
    prev.append("…" if hi < len(text) else "", style="dim")
    prev.truncate(width, overflow="ellipsis")
    return [line, prev]


def answer_tail(st: QuestionState | None) -> Text:
    """The note and the evidence, each line ended by a newline (empty when there are none)."""
    t = Text()
    if st and st.note:
        t.append("\nNote:\n", style="bold")
        t.append_text(safe_text(st.note, keep_newlines=True))
        t.append("\n")
    if st and st.evidence:
        t.append("\nEvidence:\n", style="bold")
        for e in st.evidence:
            t.append("  ")
            t.append_text(safe_text(f"{e.path}:{e.lines}"))
            if e.blob:
                t.append(f" ({e.side} blob {e.blob[:12]})", style="dim")
            t.append("\n")
    return t
