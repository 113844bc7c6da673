"""A change's author cannot make relevance (scan, review, the TUI, the gate's own question check) hang.

Comment blanking (relevance.statements) tokenizes lines with comment starters. Two inputs made it
quadratic: a block comment re-opened on every line with the starters far apart (each extension
re-tokenized from the first line: a 1 MB C file took minutes), and a line of thousands of escaped
quotes after an unterminated string (``re`` restarts a string scan to the end of the line at every
quote). Found in the attacker's review of the session's relevance changes (helper "harden").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from signoff.relevance import statements
from tests.helpers import commit_files, git, make_repo

SRC = Path(__file__).parents[1] / "src"


def _scanned_hits(
    tmp_path: Path, path: str, text: str, question: str, timeout: int = 60
) -> list[dict[str, object]]:
    """The hits of ``question`` when ``signoff scan`` runs, in a process bounded to 60 s, on a change
    that adds ``path`` holding ``text``."""
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"README": "x\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {path: text}, "hostile file")
    argv = ["-C", str(repo), "scan", "main..topic", "--no-ai", "--format", "json"]
    proc = subprocess.run(
        [sys.executable, "-m", "signoff", *argv],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    doc = json.loads(proc.stdout)
    hits_of: dict[str, list[dict[str, object]]] = {q["id"]: q["hits"] for q in doc["questions"]["triggered"]}
    return hits_of[question]


def test_a_block_comment_reopened_on_every_line_is_tokenized_once(monkeypatch) -> None:
    text = "/*\n" + ("*/ int x;" + " " * 450 + "/*\n") * 300 + "*/ y = 1;\n"
    seen: list[int] = []
    real = statements._blank_chunk

    def counting(chunk: str, style: str) -> tuple[str, bool]:
        seen.append(len(chunk))
        return real(chunk, style)

    monkeypatch.setattr(statements, "_blank_chunk", counting)
    out = statements.blank_comments(text, "slash")
    assert out == statements._TOKENS["slash"].sub(statements._blank, text)  # the whole-text result
    assert out.count("int x;") == 300 and "y = 1;" in out  # code between the comments is kept
    assert sum(seen) <= 2 * len(text), (sum(seen), len(text))  # linear, not 300 re-tokenizations


def test_a_line_of_escaped_quotes_after_an_unterminated_string_does_not_hang() -> None:
    """16,000 escaped quotes on one line with a comment: minutes before; now the line is kept as code
    (its comment counts as code: more questions, never fewer)."""
    code = (
        "from signoff.relevance.statements import blank_comments\n"
        "line = 'x = \"' + '\\\\\"' * 16000 + ' // call(secret)'\n"
        "out = blank_comments(line + '\\n' + ' ' * 500 + '\\nint y; // ok\\n', 'slash')\n"
        "assert 'call(secret)' in out and 'ok' not in out, out[-80:]\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]


def test_a_file_defining_thousands_of_functions_does_not_hang_the_flow_pass(tmp_path: Path) -> None:
    """relevance.flow built one regex alternating every function name of the file and tried it at each
    word: 32,000 one-line functions (1.1 MB, under the 16 MiB file limit) took 34 s of CPU, 48,000 over
    a minute, and the gate runs the same pass on the change. The helper-call flow still works (a sink only
    the flow finds: a line a pattern already points at gets no second hit)."""
    head = (
        "import os\nfrom flask import request\n\n\ndef run(c):\n    return open(c).read()\n\n\n"
        "def view():\n    run(request.args['x'])\n\n\n"
    )
    defs = "".join(f"def f{i}(a):\n    return f{i + 1}(a)\n" for i in range(48000))
    hits = _scanned_hits(tmp_path, "app.py", head + defs, "input.path-traversal")
    assert any("flow:" in (h.get("why") or h.get("reason") or str(h)) for h in hits), hits[:3]


def test_a_run_of_escaped_backticks_does_not_hang_the_flow_pass(tmp_path: Path) -> None:
    """One unclosed template literal, then lines of escaped backticks each holding a sink call: every
    call's argument scan re-scanned a string from each backtick to the end of the file (80 lines of
    1,000: 27 s of CPU before; quadratic in the file)."""
    head = (
        'const { exec } = require("child_process");\nfunction handler(req, res) {\n'
        "  const payload = req.query.x;\n  exec(payload);\n}\nexec(`\n"
    )
    lines = "".join("exec(" + "\\`" * 1000 + ");\n" for _ in range(300))
    hits = _scanned_hits(tmp_path, "routes/api.js", head + lines, "code.command-injection")
    assert any("payload" in str(h) for h in hits), hits[:3]


def test_a_long_line_of_divisions_is_searched_for_regex_literals_in_linear_time(tmp_path: Path) -> None:
    """A minified line of 800,000 divisions: each slash looked back to the start of its line for the token
    before it (quadratic: minutes); now only over the blanks before it. The literal after them is found."""
    text = "var r = a" + "/b" * 800_000 + ";\nvar bad = /^(a+)+$/;\n"
    hits = _scanned_hits(tmp_path, "app.min.js", text, "input.redos", timeout=20)
    assert [h["line"] for h in hits] == [2]


def test_a_minified_line_of_thousands_of_function_definitions_does_not_hang_the_flow_pass(
    tmp_path: Path,
) -> None:
    """Each definition's name was searched for from the start of its line: one minified line of 20,000
    ``var f=function(a){...}`` definitions (0.7 MB) took over 5 minutes of CPU; a real range of a public
    repository with minified JavaScript never finished. The name is now looked for just before the
    definition, and the flow still finds the handler's sink."""
    head = (
        'const { exec } = require("child_process");\nfunction handler(req, res) {\n'
        "  const payload = req.query.x;\n  exec(payload);\n}\n"
    )
    line = "".join(f"var f{i}=function(a){{return a}};" for i in range(20000))
    hits = _scanned_hits(tmp_path, "public/app.js", head + line + "\n", "code.command-injection")
    assert any("payload" in str(h) for h in hits), hits[:3]
