"""The one path-glob dialect: checklist ``paths`` and the ``[ai] paths`` setting both use it.

Gitignore-like: ``*`` and ``?`` stay within a path segment, ``**`` spans directories, ``[abc]`` /
``[!abc]`` are character classes, a glob without an inner ``/`` matches in any directory, a leading
``/`` anchors it at the top, a trailing ``/`` means everything below that directory.
"""

from __future__ import annotations

import re


def glob_body(glob: str) -> str:
    """``glob`` as an unanchored-at-the-end regex matching from the start of a repository-relative path.

    The result is valid in Python's ``re`` and in RE2; callers add the end anchor of their engine
    (``\\Z`` for ``re``, ``\\z`` for RE2) or use a full-match API.
    """
    core = glob.strip()
    dir_only = core.endswith("/")
    core = core.rstrip("/")
    g = (core.lstrip("/") if "/" in core else "**/" + core) + ("/**" if dir_only else "")
    out: list[str] = []
    i, n = 0, len(g)
    while i < n:
        if g.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif g.startswith("**", i):
            out.append("(?s:.*)")
            i += 2
        elif g[i] == "*":
            out.append("[^/]*")
            i += 1
        elif g[i] == "?":
            out.append("[^/]")
            i += 1
        elif g[i] == "[" and (j := g.find("]", i + 2)) >= 0:
            body = g[i + 1 : j]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = j + 1
        else:
            out.append(re.escape(g[i]))
            i += 1
    return "".join(out)


def glob_regex(glob: str) -> str:
    """``glob`` as a Python regex matching the whole path (``re.match(glob_regex(g), path)``)."""
    rx = glob_body(glob) + r"\Z"
    re.compile(rx)
    return rx
