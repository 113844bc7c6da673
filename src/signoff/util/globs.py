"""Path globs as regexes (``**`` spans directories; no ``/`` means any directory)."""

from __future__ import annotations

import re

# --------------------------------------------------------------------------------------------------
# Path globs


def glob_regex(glob: str) -> str:
    """Translate a path glob to a regex (``**`` spans directories; no ``/`` means any directory)."""
    g = glob.lstrip("/") if "/" in glob.rstrip("/") else "**/" + glob
    out: list[str] = []
    i, n = 0, len(g)
    while i < n:
        if g.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif g.startswith("**", i):
            out.append(".*")
            i += 2
        elif g[i] == "*":
            out.append("[^/]*")
            i += 1
        elif g[i] == "?":
            out.append("[^/]")
            i += 1
        elif g[i] == "[":
            j = g.find("]", i + 2)
            if j < 0:
                out.append(re.escape("["))
                i += 1
            else:
                body = g[i + 1 : j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j + 1
        else:
            out.append(re.escape(g[i]))
            i += 1
    rx = "".join(out) + r"\Z"
    re.compile(rx)
    return rx
