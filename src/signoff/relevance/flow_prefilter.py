"""Which of a language's data-flow regexes can match a file, from one Hyperscan pass over it.

:mod:`flow` asks of each file whether its sink regex, its source regex and a few others match at all.
Python's ``re`` answers "no" only after trying every branch of a long alternation at every character;
Hyperscan, in prefilter mode (a superset of the matches) over the ASCII projection of the code
(:func:`candidates.hs_bytes`), rules most of them out at C speed. A regex it cannot rule out is searched
with ``re`` as before, so every answer is the same.
"""

from __future__ import annotations

import re

from signoff.relevance import hsdb
from signoff.relevance.candidates import hs_bytes, hs_projectable
from signoff.relevance.flow_rules import (
    ARCHIVE_API,
    QUERY_LITERAL,
    ROUTE,
    UNTRUSTED_HINT,
    WEB_CODE,
    WEB_TYPE,
    Rules,
)

#: Flags a regex may carry and still be prefiltered (Hyperscan runs multi-line, case as written).
_PLAIN_FLAGS = re.UNICODE | re.MULTILINE


def _regexes(rules: Rules) -> list[re.Pattern[str]]:
    found = [rules.sink_rx, rules.sources, ROUTE, UNTRUSTED_HINT, WEB_CODE, WEB_TYPE, ARCHIVE_API]
    found.append(QUERY_LITERAL)
    extra = (rules.param_marks, rules.archive_sources, *rules.gates, *rules.unless, *rules.requires)
    found += [rx for rx in extra if rx is not None]
    return found


class Searcher:
    """Whether a regex of one language's rules (or :data:`ROUTE`, :data:`UNTRUSTED_HINT`, :data:`WEB_CODE`,
    :data:`WEB_TYPE`, :data:`ARCHIVE_API`)
    matches one file's code: False at once when Hyperscan saw no possible match, else ``re``'s answer."""

    def __init__(self, rules: Rules, code: str) -> None:
        regexes = _regexes(rules)
        self.code = code
        self._index = {id(rx): i for i, rx in enumerate(regexes)}
        self._possible = _possible(regexes, code)

    def may(self, rx: re.Pattern[str]) -> bool:
        """False when ``rx`` cannot match (Hyperscan's word); True when it may."""
        i = self._index.get(id(rx))
        return self._possible is None or i is None or i in self._possible

    def __call__(self, rx: re.Pattern[str]) -> bool:
        return self.may(rx) and rx.search(self.code) is not None


#: Per list of regexes (the regexes kept, so an id is never reused): its database, and the indexes
#: always possible (not prefiltered). Found once per language, not once per file.
_DATABASES: dict[tuple[int, ...], tuple[list[re.Pattern[str]], hsdb.HsDatabase, set[int]]] = {}


def _possible(regexes: list[re.Pattern[str]], code: str) -> set[int] | None:
    """Indexes of ``regexes`` that may match ``code`` (None: no prefilter, all may)."""
    if not hsdb.AVAILABLE:
        return None
    key = tuple(map(id, regexes))
    got = _DATABASES.get(key)
    if got is None:
        plain = [
            (i, rx.pattern)
            for i, rx in enumerate(regexes)
            if not rx.flags & ~_PLAIN_FLAGS and hs_projectable(rx.pattern)
        ]
        db = hsdb.database(plain, single_match=True)
        always = set(range(len(regexes))) - {i for i, _ in plain} | set(db.rejected)
        got = _DATABASES[key] = (regexes, db, always)
    _, db, always = got
    return always | {pid for pid, _ in db.scan(hs_bytes(code, 0, len(code)))}
