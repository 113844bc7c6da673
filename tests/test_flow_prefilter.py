"""The data-flow step's regex searches go through a Hyperscan prefilter (relevance.flow_prefilter): its
answer for every regex, on every corpus snippet in every language, is ``re``'s own."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from signoff.relevance import hsdb
from signoff.relevance.flow_langs import BY_KIND
from signoff.relevance.flow_prefilter import Searcher, _regexes

CORPUS = Path(__file__).parent / "corpus"


def _snippets() -> list[str]:
    out: list[str] = []
    for path in sorted(CORPUS.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8")).get("case", []):
            out += [case[k] for k in ("bad", "good") if isinstance(case.get(k), str)]
    return out


@pytest.mark.skipif(not hsdb.AVAILABLE, reason="hyperscan wheel not installed")
def test_prefiltered_answers_equal_re_on_every_snippet_and_language() -> None:
    snippets = _snippets()
    assert len(snippets) > 500
    snippets.append("caf\u00e9 = request.args['\u00fcber']  # \u2028 open(path)\n")  # non-ASCII text
    languages = {id(r): r for r in BY_KIND.values()}.values()
    ruled_out = 0
    for rules in languages:
        for code in snippets:
            search = Searcher(rules, code)
            for rx in _regexes(rules):
                assert search(rx) == (rx.search(code) is not None), (rules.name, rx.pattern[:60], code[:80])
                ruled_out += not search.may(rx)
    assert ruled_out > 1000  # the prefilter does rule searches out
