"""Relevance engine v2: statements, comments, per-file questions, every hit kept, and two routes that agree.

The Hyperscan route and the pure-``re`` route must give identical results (a differential test over the
quality corpus, ordinary code and awkward text); statements spanning lines must hit the exact line; a
blank line before a deleted Go test must not hide it (the old multi-line ``^\\s*`` bug).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signoff.checklists.load import load_checklists
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.relevance import hsdb, statements
from signoff.relevance.candidates import CASE_FOLDS, hs_bytes, lowered
from signoff.relevance.engine import Engine, relevant_questions
from signoff.relevance.model import Relevance
from tests.helpers import commit_files, git, make_repo

CASES = tomllib.loads((Path(__file__).parent / "corpus" / "cases.toml").read_text())["case"]


def _rel(repo: Path, rng: str = "HEAD", **kw: object) -> Relevance:
    g = open_repo(repo)
    return relevant_questions(load_diff(g, resolve_target(g, rng)), **kw)  # type: ignore[arg-type]


def _hits(rel: Relevance, qid: str) -> list[tuple[str, int]]:
    r = rel.result(qid)
    assert r is not None
    return [(h.path, h.line) for h in r.hits]


def test_deleted_go_test_after_blank_line_triggers_test_weakened(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    body = 'package x\n\nimport "testing"\n\n'
    body += 'func TestA(t *testing.T) {\n\tif f() != 1 {\n\t\tt.Fatal("a")\n\t}\n}\n'
    body += '\nfunc TestB(t *testing.T) {\n\tif g() != 2 {\n\t\tt.Fatal("b")\n\t}\n}\n'
    commit_files(repo, {"x_test.go": body}, "base")
    commit_files(repo, {"x_test.go": body.split("\nfunc TestB")[0] + "\n"}, "drop TestB")
    rel = _rel(repo)
    assert ("x_test.go", 11) in _hits(rel, "test.weakened")


def test_statement_over_several_lines_hits_the_exact_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    commit_files(repo, {"README": "x\n"}, "base")
    py = "import subprocess\n\nproc = subprocess.Popen(\n    command,\n    shell=True,\n)\n"
    java = (
        'class Q {\n  ResultSet q(Statement st, String name) {\n    String sql = "SELECT * FROM users"\n'
        '        + " WHERE name = \'" + name + "\'";\n    return st.executeQuery(sql);\n  }\n}\n'
    )
    docker = (
        "FROM python:3.12-slim@sha256:"
        + "a" * 64
        + "\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n"
        + "    rm -rf /var/lib/apt/lists/*\nUSER app\n"
    )
    commit_files(repo, {"run.py": py, "Q.java": java, "Dockerfile": docker}, "c")
    rel = _rel(repo)
    assert ("run.py", 5) in _hits(rel, "code.command-injection")
    assert ("Q.java", 3) in _hits(rel, "db.parameterized-queries")
    # The install is cleaned up two continuation lines later: one statement, no temp-files hit.
    assert ("Dockerfile", 2) not in _hits(rel, "container.temp-files")


def test_comments_do_not_fire_code_questions_but_markers_in_comments_do(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    commit_files(repo, {"README": "x\n"}, "base")
    py = (
        '# the admin password = "hunter22" must never be committed\n'
        "class Model:\n    def eval(self):\n        return self\n"
        "x = 1  # nosec\n"
    )
    commit_files(repo, {"m.py": py}, "c")
    rel = _rel(repo)
    assert _hits(rel, "secrets.hardcoded") == []
    assert _hits(rel, "code.dynamic-code-execution") == []
    assert ("m.py", 5) in _hits(rel, "code.lint-suppression")


def test_every_hit_is_kept_and_per_file_questions_keep_one(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    commit_files(repo, {"README": "x\n"}, "base")
    body = "".join(f"r{i} = eval(x{i})\ntry:\n    f()\nexcept ValueError:\n    log()\n" for i in range(30))
    commit_files(repo, {"calc.py": body}, "c")
    rel = _rel(repo)
    r = rel.result("code.dynamic-code-execution")
    assert r is not None and r.hit_count == 30 and len(r.hits) == 30
    errs = rel.result("test.error-paths")
    assert errs is not None and len(errs.hits) == 1 and errs.hit_count == 1
    sarif_rules = {q["id"]: q["hit_count"] for q in rel.to_json()["triggered"]}
    assert sarif_rules["code.dynamic-code-execution"] == 30


def _corpus_repo(root: Path) -> Path:
    repo = make_repo(root / "corpus")
    commit_files(repo, {"README.md": "x\n"}, "base")
    git(repo, "tag", "base")
    files = {f"bad/{c['name']}/{c['path']}": c["bad"].lstrip("\n") for c in CASES}
    files |= {f"good/{c['name']}/{c['path']}": c["good"].lstrip("\n") for c in CASES}
    # Awkward text: non-ASCII identifiers, control characters, long lines, unbalanced brackets.
    files["odd/unicode.py"] = (
        "naïve = eval(ümlaut)\nx = '\x1c' + query\n" + "(" * 50 + "\n" + "y" * 5000 + "\n"
    )
    files["odd/mixed.js"] = "const ключ = 'sk-" + "A1b2" * 6 + "';\nexec(`rm ${file}`)\n// eval(x)\n"
    # Characters the Hyperscan route reads through its ASCII projection: case folds (Kelvin sign, long s,
    # dotless i), non-ASCII spaces and digits, emoji, separators, and a whole route-sized text of them.
    files["odd/folds.py"] = (
        "x = ev\u0430l(q)\nos.\u017fystem(cmd)\nimport pic\u212ale\nsubprocess.run(cmd,\u00a0shell=True)\n"
        "password\u2028= 'hunter2hunter2'\ny = '\U0001f600' + request.args['\u0663']\n"
    )
    files["odd/big_i18n.json"] = "".join(
        f'{{"password_{i}": "Contraseña nº {i} — ✓ \u212a\u00a0", "token": "x{i}"}}\n' for i in range(4500)
    )
    commit_files(repo, files, "all")
    return repo


def test_ascii_projection_keeps_every_re_class() -> None:
    """Each non-ASCII character stands in as one ASCII byte that Python's ``re`` puts in the same classes
    (word, digit, space; the ASCII letter it case-folds to), so a Hyperscan prefilter match over the
    projection covers every ``re`` match at the same offsets."""
    letter = re.compile("(?i)[a-z]")
    for cp in range(0x80, 0x10000):
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        b = hs_bytes(ch, 0, 1)
        assert len(b) == 1 and b[0] < 0x80, hex(cp)
        p = chr(b[0])
        for cls in (r"\w", r"\d", r"\s", r"\W", r"\D", r"\S"):
            if re.fullmatch(cls, ch):
                assert re.fullmatch(cls, p), (hex(cp), cls)
        if letter.fullmatch(ch):
            folds = [a for a in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch("(?i)" + a, ch)]
            assert CASE_FOLDS.get(ch) in folds, hex(cp)
    text = "a\x1cb\u00e9\U0001f600\n"
    assert len(hs_bytes(text, 0, len(text))) == len(text) == len(lowered(text))
    assert hs_bytes(text, 0, len(text))[1:2] == b" "  # \x1c is \s for re, not for Hyperscan


@pytest.mark.skipif(not hsdb.AVAILABLE, reason="hyperscan wheel not installed")
def test_hyperscan_and_re_routes_give_identical_results(tmp_path: Path) -> None:
    repo = _corpus_repo(tmp_path)
    g = open_repo(repo)
    checklists = load_checklists()
    for rng in ("base..HEAD", "HEAD..base"):  # added lines, then the same lines removed
        diff = load_diff(g, resolve_target(g, rng))
        docs = [Engine(checklists, route=route).evaluate(diff).to_json() for route in ("re", "hyperscan")]
        assert docs[0] == docs[1]
        assert len(docs[0]["triggered"]) > (40 if rng == "base..HEAD" else 10)


@pytest.mark.skipif(not hsdb.AVAILABLE, reason="hyperscan wheel not installed")
def test_a_corrupt_cached_database_is_recompiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled databases are cached on disk; a corrupt entry is recompiled, not fatal (one language, so
    the cold compiles stay few)."""
    monkeypatch.setenv("SIGNOFF_CACHE_DIR", str(tmp_path / "cache"))
    repo = make_repo(tmp_path / "one")
    commit_files(repo, {"README.md": "x\n"}, "base")
    commit_files(
        repo, {"app.py": 'import os\nos.system("rm " + path)\nq = f"SELECT * FROM t WHERE id={x}"\n'}, "py"
    )
    g = open_repo(repo)
    checklists = load_checklists()
    diff = load_diff(g, resolve_target(g, "HEAD~1..HEAD"))
    hsdb._MEMORY.clear()
    first = Engine(checklists, route="hyperscan").evaluate(diff).to_json()
    entries = list((tmp_path / "cache").glob("hsdb-*"))
    assert entries and first["triggered"]
    for e in entries:
        e.write_bytes(b"garbage")
    hsdb._MEMORY.clear()
    again = Engine(checklists, route="hyperscan").evaluate(diff).to_json()
    assert again == first == Engine(checklists, route="re").evaluate(diff).to_json()


@pytest.mark.skipif(not hsdb.AVAILABLE, reason="hyperscan wheel not installed")
def test_every_shipped_pattern_compiles_in_hyperscan() -> None:
    """A shipped pattern Hyperscan refuses costs every cold start one compile per pattern to find it
    (8 s for 320 patterns) and runs on the slow route forever after: keep them all in Hyperscan."""
    engine = Engine(load_checklists(), route="hyperscan")
    for side in ("added", "removed"):
        for raw in (False, True):
            like = [
                (e.eid, e.pattern.source)
                for e in engine.scanner.entries
                if e.side == side and e.raw == raw and not engine.scanner.unicode[e.eid]
            ]
            if like:
                db = hsdb.database(like)
                refused = [engine.scanner.entries[eid].pattern.source for eid in db.rejected]
                assert refused == [], refused


def test_long_dockerfile_run_with_comment_lines_is_one_statement(tmp_path: Path) -> None:
    """A RUN continued over many lines, with comment lines inside (Docker drops them), is one statement:
    the clean-up at its end counts for the install at its start."""
    repo = make_repo(tmp_path / "r")
    commit_files(repo, {"README.md": "x\n"}, "base")
    steps = "".join(f"\tmake step{i}; \\\n" for i in range(20))
    cleaned = (
        "FROM debian:12\nRUN set -eux; \\\n\tapt-get update; \\\n"
        "\tapt-get install -y --no-install-recommends gcc; \\\n"
        f"# build it\n{steps}\tapt-get purge -y --auto-remove; \\\n\tapt-get dist-clean\n"
    )
    dirty = (
        "FROM debian:12\nRUN set -eux; \\\n\tapt-get update; \\\n\tapt-get install -y gcc; \\\n"
        + steps
        + "\ttrue\n"
    )
    commit_files(repo, {"clean/Dockerfile": cleaned, "dirty/Dockerfile": dirty}, "c")
    rel = _rel(repo)
    hits = _hits(rel, "container.temp-files") if rel.result("container.temp-files") else []
    assert [p for p, _ in hits] == ["dirty/Dockerfile"]
    retention = rel.result("data.retention")
    assert retention is None or not retention.hits  # apt-get purge is not data retention


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["/", "*", "#", '"', "'", "`", "\\", "a", " ", "\n", "/*", "*/", "//"]), max_size=40
    )
)
def test_comments_blanked_line_by_line_as_over_the_whole_text(parts: list[str]) -> None:
    """Only lines with a comment starter (and the lines a block comment spans) are tokenized; the result
    equals tokenizing the whole text at once."""
    text = "".join(parts)
    for style in ("hash", "slash", "both"):
        whole = statements._TOKENS[style].sub(statements._blank, text)
        assert statements.blank_comments(text, style) == whole
        gap, statements._CHUNK_GAP = statements._CHUNK_GAP, 0  # one chunk per starter line
        try:
            assert statements.blank_comments(text, style) == whole
        finally:
            statements._CHUNK_GAP = gap
