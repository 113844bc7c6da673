"""Repository text as Rich ``Text``: never markup, unsafe characters as highlighted placeholders."""

from __future__ import annotations

from rich.text import Text

from signoff.util.sanitize import unsafe_spans

UNSAFE_STYLE = "bold #ffffff on #b00020"


def safe_text(value: str, style: str = "", *, keep_newlines: bool = False) -> Text:
    """``value`` as literal text; controls, escapes and bidi/zero-width characters become visible."""
    out = Text(style=style, no_wrap=False)
    last = 0
    for s, e, ph in unsafe_spans(value, keep_newlines=keep_newlines):
        if s > last:
            out.append(value[last:s])
        out.append(ph, style=UNSAFE_STYLE)
        last = e
    if last < len(value):
        out.append(value[last:])
    return out


def join(*parts: Text | str | tuple[str, str]) -> Text:
    """Concatenate parts: Text, our own literal ``str``, or ``(text, style)`` tuples."""
    out = Text()
    for p in parts:
        if isinstance(p, Text):
            out.append_text(p)
        elif isinstance(p, tuple):
            out.append(p[0], style=p[1])
        else:
            out.append(p)
    return out


def elide_middle(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, cut in the middle so the file name stays whole."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    name = text[text.rfind("/") + 1 :]
    if len(name) + 2 > width:
        return "…" + text[len(text) - width + 1 :] if width > 1 else "…"
    head = width - len(name) - 2
    return text[:head] + "…/" + name
