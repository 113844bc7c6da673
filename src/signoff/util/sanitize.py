"""Make repository-derived text safe to print: no escapes, controls or invisible characters.

Text from the repository under review (file names, commit subjects, author names, file contents) may
carry ANSI/OSC escape sequences, C0/C1 control bytes, or invisible characters: Trojan Source bidi
controls, zero-width and other Default_Ignorable code points, format characters (Cf, including the tag
characters U+E0000-E007F) and blank-looking identifier characters (U+3164 HANGUL FILLER, U+2800).
The invisible set is generated from the Unicode data (:mod:`signoff.util.invisible_table`), not a hand
list. ``visible()`` replaces each with a visible placeholder so a reviewer *sees* it and the terminal
never acts on it; ``find_invisible()`` reports where such characters are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from signoff.util.invisible_table import INVISIBLE_RANGES


def _class_body(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b != a else "") for a, b in ranges)


#: The invisible characters as the body of a regex character class (bidi, zero-width, DI, Cf, fillers).
BIDI_AND_INVISIBLE = _class_body(INVISIBLE_RANGES)

_NAMES = {
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u2028": "LSEP",
    "\u2029": "PSEP",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    "\u061c": "ALM",
    "\ufeff": "BOM",
    "\u2060": "WJ",
    "\u00ad": "SHY",
    "\u034f": "CGJ",
    "\u180e": "MVS",
    "\u3164": "HANGUL FILLER",
    "\u115f": "HANGUL CHOSEONG FILLER",
    "\u1160": "HANGUL JUNGSEONG FILLER",
    "\uffa0": "HALFWIDTH HANGUL FILLER",
    "\u2800": "BRAILLE BLANK",
    "\x1b": "ESC",
    "\x7f": "DEL",
}

# C0 controls except TAB (and LF, by the caller's choice), DEL, C1 controls, lone surrogates
# (undecodable bytes in file names), bidi/zero-width.
_UNSAFE_NO_NL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff" + BIDI_AND_INVISIBLE + "]")
_UNSAFE_KEEP_NL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + BIDI_AND_INVISIBLE + "]")
_INVISIBLE = re.compile("[" + BIDI_AND_INVISIBLE + "]")


def placeholder(ch: str) -> str:
    """The visible stand-in for one unsafe character, e.g. ``<ESC>``, ``<RLO>``, ``<U+0085>``."""
    name = _NAMES.get(ch)
    if name:
        return f"<{name}>"
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte kept by surrogateescape
        return f"<0x{code - 0xDC00:02X}>"
    if code < 0x20:
        return "^" + chr(code + 0x40)  # caret notation: ^A, ^M, ...
    if 0xE0020 <= code <= 0xE007E:  # tag characters spell hidden ASCII: show which
        return f"<TAG {chr(code - 0xE0000)}>"
    return f"<U+{code:04X}>"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Return ``text`` with every control, escape and bidi/zero-width character made visible."""
    pattern = _UNSAFE_KEEP_NL if keep_newlines else _UNSAFE_NO_NL
    if pattern.search(text) is None:
        return text
    return pattern.sub(lambda m: placeholder(m.group()), text)


def ascii_visible(text: str) -> str:
    """``visible(text)`` with every other non-ASCII character shown as ``<U+XXXX>`` too.

    For identities (reviewer e-mails, principals): a Cyrillic ``а`` must not pass for a Latin ``a``.
    """
    shown = visible(text)
    if shown.isascii():
        return shown
    return "".join(c if c.isascii() else f"<U+{ord(c):04X}>" for c in shown)


def unsafe_spans(text: str, *, keep_newlines: bool = False) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, placeholder)`` for each unsafe character in ``text``."""
    pattern = _UNSAFE_KEEP_NL if keep_newlines else _UNSAFE_NO_NL
    for m in pattern.finditer(text):
        yield m.start(), m.end(), placeholder(m.group())


def find_invisible(text: str) -> list[tuple[int, str]]:
    """Positions and names of invisible characters (Trojan Source, invisible identifiers) in ``text``."""
    return [(m.start(), placeholder(m.group())) for m in _INVISIBLE.finditer(text)]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def markdown_inline(text: str) -> str:
    """Repository text as inert Markdown on one line: visible, ``&`` and every Markdown/HTML special
    character escaped (no live HTML, links, images or emphasis)."""
    return _MD_SPECIAL.sub(r"\\\1", visible(text.replace("\n", " ")).replace("&", "&amp;"))


def markdown_block(text: str) -> str:
    """Repository text as an inert fenced code block: the fence is longer than any backtick run in the
    text, so the text cannot close it."""
    shown = visible(text, keep_newlines=True)
    longest = max((len(m) for m in re.findall(r"`+", shown)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{shown}\n{fence}"
