"""The ReDoS question at regex literals that can backtrack catastrophically.

For each added file of a language with a backtracking regex engine, the regex literals handed to its
regex APIs are found (JavaScript/TypeScript and Ruby ``/.../`` literals, ``new RegExp("...")``, Python
``re.compile(r"...")`` and friends, Java/Kotlin ``Pattern.compile`` / ``.matches`` / ``Regex(...)``,
C# ``new Regex(@"...")``, PHP ``preg_*('/.../')``, Ruby ``%r{...}`` / ``Regexp.new``), as are string
constants whose name says they hold a pattern (``EMAIL_REGEX = "..."``). Each is translated to Python's
syntax and judged by :func:`signoff.checklists.backtracking.catastrophic`; a catastrophic one raises
``input.redos`` at the literal's first line, with the reason. Go's ``regexp`` and Rust's ``regex`` are
RE2-style linear engines: no hit. C# literals given a match timeout or ``NonBacktracking`` are skipped.

Every search here is linear. At most :data:`MAX_LITERALS` literals and :data:`MAX_JUDGED_CHARS`
characters of them are judged per file; what cannot be judged (past that budget, too many groups,
nested too deep) is hit as "not analysed" rather than passed over, so a change's author cannot hide a
catastrophic literal behind a thousand harmless ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from signoff.checklists.backtracking import catastrophic
from signoff.relevance.hitutil import added_hit
from signoff.relevance.model import Hit

if TYPE_CHECKING:
    from signoff.diff.model import FileDiff
    from signoff.relevance.statements import SideText

QUESTION = "input.redos"
REGEX_PREFIX = "regex: "
MAX_LITERALS = 1000
MAX_JUDGED_CHARS = 100_000
MAX_GROUPS = 100
NOT_ANALYSED = "not analysed: "

_DQ = r'"(?:[^"\\\n]|\\.)*"'
_SQ = r"'(?:[^'\\\n]|\\.)*'"
_STR = rf"(?:{_DQ}|{_SQ})"
#: A JS/Ruby ``/.../flags`` literal; it is one only after a token that cannot end an operand (not a division).
_SLASH = re.compile(r"/(?![*/\s])(?:[^/\\\n\[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/(?P<flags>[a-z]*)")
_BEFORE_LITERAL = frozenset("=(,:;!&|?{}[+-*%<>~^\n")
_KEYWORD_BEFORE = re.compile(r"(?:^|\W)(?:return|typeof|case|when|if|unless|and|or|not|in|of|yield|await)$")
#: Endings of names that say they hold a pattern (``EMAIL_REGEX``, ``slugPattern``, ``ID_RE``); each
#: search starts with its literal, so it runs at C speed over files without one.
_NAME_ENDS = ("egexp?", "EGEXP?", "attern", "ATTERN", "_re", "_RE", "_rx", "_RX")
_PY_STR = rf"(?P<pfx>[rRuUbB]{{0,2}})(?P<s>{_STR})"


def _named(value: str, end: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(rf"{name}\b\s*{value}{end}") for name in _NAME_ENDS)


#: Per language, searches that each begin with a literal (fast when absent) and capture the pattern as
#: ``s`` (a quoted string), ``v`` (a C# verbatim string) or ``brace`` (Ruby ``%r{...}``).
_RULES: dict[str, tuple[re.Pattern[str], ...]] = {
    "javascript": (re.compile(rf"RegExp\s*\(\s*(?P<s>{_STR})"), *_named(rf"=\s*(?P<s>{_STR})", r"\s*[;,\n]")),
    "python": (
        re.compile(
            r"re(?:gex)?\s*\.\s*(?:compile|search|match|fullmatch|findall|finditer|sub|subn|split)\s*\(\s*"
            + _PY_STR
        ),
        *_named(rf"=\s*(?:re\s*\.\s*compile\s*\(\s*)?{_PY_STR}", r"\s*[,)\n]"),
    ),
    "java": (
        re.compile(rf"Pattern\s*\.\s*(?:compile|matches)\s*\(\s*(?P<s>{_DQ})"),
        *(
            re.compile(rf"{m}\s*\(\s*(?P<s>{_DQ})")
            for m in ("matches", "replaceAll", "replaceFirst", "split")
        ),
        re.compile(rf"Regex\s*\(\s*(?P<s>{_DQ})"),
        *_named(rf"(?::\s*String\s*)?=\s*(?P<s>{_DQ})", r"\s*[;\n]"),
    ),
    "csharp": (
        re.compile(
            r"Regex(?:\s*\(\s*|\s*\.\s*(?:IsMatch|Match|Matches|Replace|Split)\s*\([^,\n]+,\s*)"
            r'(?:@(?P<v>"(?:[^"\n]|"")*")|(?P<s>' + _DQ + "))"
        ),
    ),
    "php": (
        re.compile(rf"preg_(?:match|match_all|replace|replace_callback|split|grep)\s*\(\s*(?P<s>{_STR})"),
    ),
    "ruby": (
        re.compile(r"%r\{(?P<brace>(?:[^}\\\n]|\\.)*)\}(?P<bflags>[a-z]*)"),
        re.compile(rf"Regexp\s*\.\s*(?:new|compile)\s*\(\s*(?P<s>{_STR})"),
    ),
}
_LANG_OF = {
    "javascript": "javascript",
    "typescript": "javascript",
    "html": "javascript",
    "python": "python",
    "java": "java",
    "kotlin": "java",
    "scala": "java",
    "groovy": "java",
    "csharp": "csharp",
    "php": "php",
    "ruby": "ruby",
}
_NO_BACKTRACK = re.compile(r"TimeSpan|NonBacktracking|matchTimeout")


def literal_patterns(code: str, lang: str) -> Iterator[tuple[int, str, bool]]:
    """(offset in ``code``, pattern in Python syntax, verbose) of each regex literal of ``lang``'s rules,
    lazily: the caller stops when its budget is spent."""
    for rx in _RULES[lang]:
        for m in rx.finditer(code):
            got = _pattern_of(m, lang, code)
            if got is None:
                continue
            found = m.groupdict()
            yield next((m.start(k) for k in _LITERAL_GROUPS if found.get(k) is not None), m.start()), *got
    if lang in ("javascript", "ruby"):
        for at, body, flags in _slash_literals(code):
            if lang == "ruby" and "#{" in body:
                continue
            yield at, to_python(body, lang), "x" in flags


def _slash_literals(code: str) -> Iterator[tuple[int, str, str]]:
    """(offset, body, flags) of each ``/.../`` literal: a slash after an operator, an opening bracket, a
    keyword or at a line's start (after an operand it is a division; the search then resumes one character
    on, so a division never hides the literal after it)."""
    pos = 0
    while True:
        m = _SLASH.search(code, pos)
        if m is None:
            return
        start = j = m.start()
        while j and code[j - 1] in " \t":  # only the blanks before this slash (never back to the line
            j -= 1  # start: a long minified line of divisions would be quadratic)
        if not j or code[j - 1] in _BEFORE_LITERAL or _KEYWORD_BEFORE.search(code[max(0, j - 8) : j]):
            yield start, m.group()[1 : m.start("flags") - start - 1], m.group("flags")
            pos = m.end()
        else:
            pos = start + 1


_LITERAL_GROUPS = ("brace", "v", "s")


def _pattern_of(m: re.Match[str], lang: str, code: str) -> tuple[str, bool] | None:
    groups = m.groupdict()
    if groups.get("brace") is not None:
        if "#{" in groups["brace"]:
            return None
        return to_python(groups["brace"], lang), "x" in (groups.get("bflags") or "")
    if groups.get("v"):
        line_end = code.find("\n", m.end())
        if _NO_BACKTRACK.search(code, m.end(), line_end if line_end >= 0 else len(code)):
            return None
        return to_python(groups["v"][1:-1].replace('""', '"'), lang), False
    lit = groups.get("s")
    if lit is None:
        return None
    if lang == "csharp":
        line_end = code.find("\n", m.end())
        if _NO_BACKTRACK.search(code, m.end(), line_end if line_end >= 0 else len(code)):
            return None
    raw = lang == "python" and "r" in (groups.get("pfx") or "").lower()
    text = lit[1:-1] if raw else _unescape(lit[1:-1], keep_unknown=lang in ("python", "php"))
    if lang == "php":
        return _php_pattern(text)
    return to_python(text, lang), False


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "/": "/", "0": "\0"}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _unescape(s: str, keep_unknown: bool) -> str:
    """A string literal's value (C-like escapes); unknown escapes stay (Python, PHP) or lose the backslash."""

    def one(m: re.Match[str]) -> str:
        ch = m.group(1)
        if ch in _ESCAPES:
            return _ESCAPES[ch]
        return m.group(0) if keep_unknown else ch

    return _ESCAPE.sub(one, s)


_CLOSE = {"(": ")", "{": "}", "[": "]", "<": ">"}


def _php_pattern(s: str) -> tuple[str, bool] | None:
    """A PCRE pattern without its delimiters, and whether it has the ``x`` flag."""
    if not s or s[0].isalnum() or s[0] in "\\ ":
        return None
    close = _CLOSE.get(s[0], s[0])
    end = s.rfind(close)
    if end <= 0:
        return None
    return to_python(s[1:end], "php"), "x" in s[end + 1 :]


_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z_])")
_INLINE_FLAGS = re.compile(r"\(\?[imsxU]+\)")
_PROPS = re.compile(
    r"\\[pP]\{[^}\n]{0,40}\}|\\[pP][A-Za-z]|\\u\{[0-9a-fA-F]{1,6}\}|\\c[A-Za-z]|\\[xo]\{[0-9a-fA-F]{1,8}\}"
)
_LETTER_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_PY_ESCAPES = frozenset("abfnrtvdDsSwWbBAZ0123456789uUxN")
_DIALECT = {"z": r"\Z", "G": "", "K": "", "R": r"(?:\r\n|\n|\r)", "Q": "", "E": "", "e": r"\x1b"}


def to_python(source: str, lang: str) -> str:
    """``source`` in another engine's dialect rewritten to Python's for the analysis (only what changes
    how it parses: named groups, unknown escapes, inline flags, JavaScript's ``[^]``)."""
    s = _NAMED_GROUP.sub("(?P<", source)
    s = _INLINE_FLAGS.sub("", s)
    s = _PROPS.sub(r"\\w", s)
    s = s.replace("[^]", r"[\s\S]")
    hex_h = "[0-9a-fA-F]" if lang == "ruby" else r"[ \t]"

    def esc(m: re.Match[str]) -> str:
        ch = m.group(1)
        if ch == "h":
            return hex_h
        if ch in _DIALECT:
            return _DIALECT[ch]
        if ch.isascii() and ch.isalpha() and ch not in _PY_ESCAPES:
            return ch
        return m.group(0)

    return _LETTER_ESCAPE.sub(esc, s)


def judge(pattern: str, verbose: bool) -> str | None:
    """Why the translated ``pattern`` can backtrack catastrophically, or None."""
    if pattern.count("(") > MAX_GROUPS:
        return f"{NOT_ANALYSED}more than {MAX_GROUPS} groups; check it by hand"
    try:
        return catastrophic(pattern, verbose)
    except RecursionError:
        return f"{NOT_ANALYSED}nested too deep; check it by hand"


def add_redos_hits(
    text: SideText,
    files: list[FileDiff],
    kinds: list[frozenset[str]],
    question_index: dict[str, int],
    add: Callable[[int, str, Hit | None], None],
) -> None:
    """A hit on each added line holding a catastrophic regex literal."""
    qi = question_index.get(QUESTION)
    if qi is None:
        return
    bounds = [*text.file_first, text.line_count]
    for k, fi in enumerate(text.file_idx):
        lang = next((_LANG_OF[x] for x in sorted(kinds[fi]) if x in _LANG_OF), None)
        if lang is None:
            continue
        first, end = bounds[k], bounds[k + 1]
        start = text.line_starts[first]
        stop = text.line_starts[end] - 1 if end < text.line_count else len(text.code)
        count = spent = 0
        for at, pattern, verbose in literal_patterns(text.code[start:stop], lang):
            count, spent = count + 1, spent + len(pattern)
            if count > MAX_LITERALS or spent > MAX_JUDGED_CHARS:
                why: str | None = (
                    f"{NOT_ANALYSED}this file's budget ({MAX_LITERALS:,} literals, {MAX_JUDGED_CHARS:,}"
                    " characters) is spent; this literal and those after it need a look by hand"
                )
            else:
                why = judge(pattern, verbose)
            if why is None:
                continue
            line = text.line_at(start + at)
            add(qi, "added", added_hit(text, files[fi].path, line, f"{REGEX_PREFIX}{why}", pattern))
            if count > MAX_LITERALS or spent > MAX_JUDGED_CHARS:
                break
