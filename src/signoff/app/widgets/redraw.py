"""Drawing only what changed: line refreshes for the line-API lists, a size change without a screen
layout, and one-line bars that redraw only when their text changes.

A screen layout reflows every widget and repaints every scrollbar (a frame of its own); on a big diff a
key must cost the rows it changed, not the screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.visual import VisualType
from textual.widgets import Static


def refresh_rows(view: ScrollView, rows: Iterable[int]) -> None:
    """Repaint the visible ``rows`` (content coordinates) of ``view``: one region per run of rows."""
    top = int(view.scroll_y)
    height = view.scrollable_content_region.height
    width = max(view.virtual_size.width, view.size.width)
    visible = sorted({r - top for r in rows if top <= r < top + height})
    start = prev = None
    for y in visible:
        if start is None or prev is None or y != prev + 1:
            if start is not None and prev is not None:
                view.refresh(Region(0, start, width, prev - start + 1))
            start = y
        prev = y
    if start is not None and prev is not None:
        view.refresh(Region(0, start, width, prev - start + 1))


def content_width(view: ScrollView) -> int:
    """Columns for content in ``view`` (its width less padding, border and the vertical scrollbar); unlike
    ``scrollable_content_region`` it does not look the widget up on the screen (``render_line`` runs once a
    row)."""
    return max(0, view.outer_size.width - view.styles.gutter.width - view.scrollbar_size_vertical)


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Give ``view`` a new scrollable size; the screen is laid out again only if a scrollbar appears or
    goes (a longer or shorter list keeps the view's place on screen)."""
    if size == view.virtual_size:
        return
    if not view.is_mounted or not view.container_size:
        view.virtual_size = size
        return
    bars = (view.show_vertical_scrollbar, view.show_horizontal_scrollbar)
    view.set_reactive(ScrollView.virtual_size, size)
    view._scroll_update(size)  # scrollbar windows and the scroll offset, as Textual does on a resize
    if (view.show_vertical_scrollbar, view.show_horizontal_scrollbar) != bars:
        view.refresh(layout=True)
    else:
        view.refresh()


class Bar(Static):
    """A one-line title or status bar (its height is fixed by the stylesheet): an update repaints it only
    when the text changed, and never lays out the screen."""

    _shown: object = None

    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        if content == self._shown:
            return
        self._shown = content
        super().update(content, layout=layout)
