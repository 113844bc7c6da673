"""The status line, fitted to the terminal: what the reviewer switched on (a view, a search, signing,
the stage still running) is never cut; counts take a short form first, then the least useful go."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

#: Cells between two parts.
GAP = "  "


@dataclass(frozen=True)
class Part:
    text: Text
    #: The same, shorter (None: no shorter form).
    short: Text | None = None
    #: Dropped (lowest first) when even the short forms do not fit; 0: never dropped.
    drop: int = 0
    #: What separates it from the part before.
    sep: str = GAP


def fit(parts: list[Part], width: int) -> Text:
    """``parts`` joined by :data:`GAP`, short forms and drops applied until the line fits ``width``."""
    chosen = [p.text for p in parts]
    present = [True] * len(parts)

    def length() -> int:
        shown = [i for i, on in enumerate(present) if on]
        return sum(chosen[i].cell_len for i in shown) + sum(len(parts[i].sep) for i in shown[1:])

    droppable = sorted((i for i, p in enumerate(parts) if p.drop), key=lambda i: parts[i].drop)
    kept = [i for i, p in enumerate(parts) if not p.drop]
    for i in droppable + kept:  # the least useful take their short form first
        if length() <= width:
            break
        short = parts[i].short
        if short is not None:
            chosen[i] = short
    for i in droppable:
        if length() <= width:
            break
        present[i] = False
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    first = True
    for i, on in enumerate(present):
        if on:
            if not first:
                out.append(parts[i].sep)
            out.append_text(chosen[i])
            first = False
    return out
