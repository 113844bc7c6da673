"""Start-up loads only what a command needs: ``scan --no-ai`` leaves the provenance stage unloaded and
the per-language data-flow regexes uncompiled until a file of that language is matched."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import signoff
from signoff.relevance.flow_langs import BY_KIND
from signoff.util.lazyre import lazy_compile

SRC = str(Path(signoff.__file__).resolve().parents[1])


def test_a_lazy_pattern_compiles_on_first_use_and_matches_as_re_does() -> None:
    rx = lazy_compile(r"^\s*(?P<k>\w+)\s*=", re.MULTILINE)
    assert rx.pattern == r"^\s*(?P<k>\w+)\s*="
    assert "compiled" not in vars(rx)
    text = "a = 1\n  bb= 2\nnot this\n"
    ref = re.compile(r"^\s*(?P<k>\w+)\s*=", re.MULTILINE)
    assert [m.group("k") for m in rx.finditer(text)] == ["a", "bb"]
    assert "compiled" in vars(rx)
    assert rx.flags == ref.flags and rx.groupindex == ref.groupindex
    assert rx.sub("", text) == ref.sub("", text) and rx.search("zz") is None


def test_every_language_rule_compiles() -> None:
    """A bad regex in a data-flow table fails here, not on the first diff that holds the language."""
    for rules in set(BY_KIND.values()):
        regexes = [rules.sources, rules.sink_rx, rules.assign, rules.funcdef, rules.param_marks]
        regexes += [rules.out_param, rules.archive_sources, *rules.gates, *rules.unless, *rules.requires]
        for rx in (r for r in regexes if r is not None):
            assert isinstance(rx.flags, int)  # compiles it: re.error for a bad regex
            assert "compiled" in vars(rx)


def test_scan_start_up_loads_no_provenance_and_compiles_no_flow_rules() -> None:
    code = (
        "import json, sys\n"
        "import signoff.cli.main, signoff.cli.scan\n"
        "from signoff.relevance.flow_langs import BY_KIND\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('signoff.provenance'))\n"
        "compiled = [r.name for r in BY_KIND.values() if 'compiled' in vars(r.sink_rx)]\n"
        "print(json.dumps({'provenance': loaded, 'compiled': compiled}))\n"
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got == {"provenance": [], "compiled": []}
