"""Data-flow-lite (relevance.flow): input reaching a sink through variables and helpers of the same
file raises the sink's question at the sink's line, from added lines, and stays linear on hostile input."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.relevance.engine import relevant_questions
from signoff.relevance.model import Relevance
from tests.helpers import commit_files, git, make_repo

SRC = Path(__file__).resolve().parents[1] / "src"

HANDLER = textwrap.dedent(
    """\
    package api

    func Import(w http.ResponseWriter, r *http.Request) {
    \tvar req importRequest
    \tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {
    \t\treturn
    \t}
    \tclient := &http.Client{}
    \tresp, err := client.Get(req.Source)
    \t_ = resp
    }
    """
)


def _relevance(tmp_path: Path, base: dict[str, str], head: dict[str, str]) -> Relevance:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"README.md": "x\n", **base}, "base")
    git(repo, "tag", "base")
    commit_files(repo, head, "head")
    g = open_repo(repo)
    return relevant_questions(load_diff(g, resolve_target(g, "base..HEAD")))


def _flow_lines(rel: Relevance, qid: str) -> set[tuple[str, int]]:
    r = rel.result(qid)
    assert r is not None
    return {(h.path, h.line) for h in r.hits if h.pattern.startswith("flow:")}


def test_decoded_request_field_reaches_the_client_at_its_line(tmp_path: Path) -> None:
    rel = _relevance(tmp_path, {}, {"api/importer.go": HANDLER})
    # the sink, and the line where the value reaching it was built (the decode into req)
    assert _flow_lines(rel, "input.ssrf") == {("api/importer.go", 9), ("api/importer.go", 5)}
    hits = {h.line: h for h in rel.result("input.ssrf").hits if h.pattern.startswith("flow:")}  # type: ignore[union-attr]
    assert "req" in hits[9].pattern and "r.Body" in hits[9].pattern and hits[9].trigger == "added"
    assert "leads to client.Get( at line 9" in hits[5].pattern


def test_flow_reads_added_lines_only(tmp_path: Path) -> None:
    """A change that adds only the sink, its source being unchanged code, raises nothing from flow (the
    regex triggers still apply): flow sees what the diff adds."""
    before = HANDLER.replace(
        "\tresp, err := client.Get(req.Source)\n", "\tresp, err := client.Get(defaultURL)\n"
    )
    rel = _relevance(tmp_path, {"api/importer.go": before}, {"api/importer.go": HANDLER})
    assert not _flow_lines(rel, "input.ssrf")


def test_helper_parameter_and_sanitiser(tmp_path: Path) -> None:
    js = textwrap.dedent(
        """\
        app.get('/a', (req, res) => res.send(load(req.query.name)))
        app.get('/b', (req, res) => res.send(safe(path.basename(req.query.name))))
        function load(name) {
          return fs.readFileSync(name)
        }
        function safe(name) {
          return fs.readFileSync(name)
        }
        """
    )
    rel = _relevance(tmp_path, {}, {"lib/files.js": js})
    # load() is called with input: its readFileSync is hit; safe() only ever gets a basename
    lines = _flow_lines(rel, "input.path-traversal")
    assert ("lib/files.js", 4) in lines
    assert ("lib/files.js", 7) not in lines


def test_hostile_file_stays_linear() -> None:
    """Thousands of unclosed sink calls on one line, and thousands of helpers: the walk has a work budget
    per character (before it, each unclosed call rescanned the rest of the line: minutes)."""
    code = textwrap.dedent(
        """
        import sys
        from signoff.checklists.filekinds import kinds_of
        from signoff.diff.model import FileDiff, FileStatus, Hunk
        from signoff.relevance import flow
        from signoff.relevance.statements import build_side

        def run(path, text):
            lines = text.split("\\n")
            body = "".join("+" + line + "\\n" for line in lines).rstrip("\\n")
            f = FileDiff(FileStatus.ADDED, None, path)
            f.hunks.append(Hunk(0, 0, 1, len(lines), "", body))
            kinds = kinds_of(path, "")
            side = build_side([f], [kinds], "+")
            return len(list(flow.file_findings(side, 0, side.line_count, kinds, path)))

        run("views.py", "x = request.args['a']\\n" + "open(" * 60000)
        run("views.py", "x = request.args['a']\\n" + "open(x, " * 40000 + ")")
        funcs = "".join(f"func f{i}(a string) {{ os.Open(a) }}\\n" for i in range(8000))
        run("h.go", "x := r.FormValue(\\"a\\")\\n" + funcs)
        chain = "".join(f"a{i + 1} = a{i} + '/x'\\n" for i in range(30000))  # a trace through every line
        run("views.py", "a0 = request.args['a']\\n" + chain + "open(a30000)\\n")
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(SRC)}, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_a_line_is_pointed_at_once_per_question(tmp_path: Path) -> None:
    """Two sinks on one line (a join inside an open) and a pattern hit on a flow line give the question
    one hit on that line, not one per sink: the reviewer is shown each line once."""
    handler = textwrap.dedent(
        """\
        import os
        import subprocess


        def view(request):
            name = request.args["f"]
            subprocess.run("tar xf " + name, shell=True)
            return open(os.path.join("/srv", name)).read()
        """
    )
    rel = _relevance(tmp_path, {}, {"app/views.py": handler})
    for qid, line in (("input.path-traversal", 8), ("code.command-injection", 7)):
        r = rel.result(qid)
        assert r is not None, qid
        on_line = [h for h in r.hits if (h.path, h.line) == ("app/views.py", line)]
        assert len(on_line) == 1, (qid, on_line)


def test_a_flow_hit_also_points_where_the_value_was_built(tmp_path: Path) -> None:
    """The sink's question is also asked where input entered and where the value reaching the sink was
    built (a concatenation two lines up), and on the argument line of a call spread over lines; plain
    copies and calls of the value are not pointed at."""
    java = textwrap.dedent(
        """\
        @RestController
        public class ExportController {
            @GetMapping("/export")
            public void export(@RequestParam String name, HttpServletResponse response) throws Exception {
                String base = settings.exportDir();
                String full = base + name;
                String copy = full;
                log.info("export {}", copy);
                byte[] data = Files.readAllBytes(
                    Paths.get(
                        copy));
                response.getOutputStream().write(data);
            }
        }
        """
    )
    rel = _relevance(tmp_path, {}, {"src/ExportController.java": java})
    lines = {n for p, n in _flow_lines(rel, "input.path-traversal")}
    assert {6, 11} <= lines  # built (base + name) and the argument line of Paths.get(
    assert 7 not in lines and 8 not in lines  # a plain copy, a log call
    built = next(h for h in rel.result("input.path-traversal").hits if h.line == 6)  # type: ignore[union-attr]
    assert "leads to" in built.pattern and "name" in built.pattern


def test_archive_entry_names_are_input_only_in_files_that_read_archives(tmp_path: Path) -> None:
    """A zip entry's name joined onto the destination (zip slip) is a flow hit; the same join over a
    directory listing's ``entry.name`` in a file that reads no archive is not."""
    zip_slip = textwrap.dedent(
        """\
        import zipfile


        def restore(bundle, dest):
            with zipfile.ZipFile(bundle) as zf:
                for entry in zf.infolist():
                    target = os.path.join(dest, entry.filename)
                    with open(target, "wb") as out:
                        out.write(zf.read(entry))
        """
    )
    listing = zip_slip.replace("import zipfile", "import os").replace(
        "with zipfile.ZipFile(bundle) as zf:\n        for entry in zf.infolist():",
        "if True:\n        for entry in os.scandir(bundle):",
    )
    rel = _relevance(tmp_path, {}, {"tools/restore.py": zip_slip, "tools/listing.py": listing})
    lines = _flow_lines(rel, "input.path-traversal")
    assert ("tools/restore.py", 7) in lines and ("tools/restore.py", 8) in lines
    assert not {p for p, _ in lines} & {"tools/listing.py"}


def test_a_long_chain_of_assignments_keeps_the_reason_short(tmp_path: Path) -> None:
    """Input copied through 3,000 variables: the hit names the sink's variable and the source with the
    middle elided (each step copied the whole chain before: 26,000 characters here, quadratic work)."""
    chain = "".join(f"a{i + 1} = a{i} + '/x'\n" for i in range(3000))
    rel = _relevance(tmp_path, {}, {"app/views.py": "a0 = request.args['a']\n" + chain + "open(a3000)\n"})
    hit = next(h for h in rel.result("input.path-traversal").hits if h.line == 3002)  # type: ignore[union-attr]
    assert hit.pattern.startswith("flow: a3000 <- a2999") and hit.pattern.endswith("request.args")
    assert len(hit.pattern) < 300


def test_query_text_built_over_statements_reaches_only_query_sinks(tmp_path: Path) -> None:
    """SQL text begun in one statement and extended with a value in the next (``+=``) is a SQL hit at
    the execute call (inside a ``return f(...)``, which is not a method definition) and at the line
    that joined the value; the same text handed to a file API raises no path question, and a
    constant query (a bound parameter) raises nothing."""
    java = textwrap.dedent(
        """\
        public class InvoiceDao {
            public List<Invoice> byState(Connection c, String state) throws SQLException {
                String sql = "SELECT id FROM invoice WHERE state = '";
                sql += state;
                sql += "'";
                if (audit) {
                    new File(sql);
                }
                return map(c.createStatement().executeQuery(sql));
            }

            public List<Invoice> open(Connection c) throws SQLException {
                String sql = "SELECT id FROM invoice WHERE state = ?";
                return map(c.prepareStatement(sql).executeQuery());
            }
        }
        """
    )
    rel = _relevance(tmp_path, {}, {"src/InvoiceDao.java": java})
    assert {n for _, n in _flow_lines(rel, "db.parameterized-queries")} == {4, 9}
    assert not _flow_lines(rel, "input.path-traversal")
