"""A checklist pattern's file conditions, through real git histories: ``requires`` (in a new file the hit
needs another line matching too; a changed file keeps the hit, its unchanged lines are not in the diff),
``unless`` (no hit in a file with an added line matching it), ``files`` (only in matching paths) and
``distinct`` (one hit per distinct matched text in a file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.checklists.parse import parse_checklist
from signoff.diff.parse import load_diff
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.relevance.engine import relevant_questions
from tests.helpers import commit_files, git, make_repo

CHECKOUT = """\
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
"""


def _hits(tmp_path: Path, base: dict[str, str], head: dict[str, str], qid: str) -> list[tuple[str, int]]:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"README.md": "x\n", **base}, "base")
    git(repo, "tag", "base")
    commit_files(repo, head, "head")
    g = open_repo(repo)
    r = relevant_questions(load_diff(g, resolve_target(g, "base..HEAD"))).result(qid)
    assert r is not None
    return [(h.path, h.line) for h in r.hits if h.trigger == "added"]


def _checkout_hits(tmp_path: Path, base: dict[str, str], head: dict[str, str]) -> list[int]:
    return [line for _, line in _hits(tmp_path, base, head, "ci.untrusted-checkout")]


def test_new_workflow_without_a_privileged_trigger_has_no_hit(tmp_path: Path) -> None:
    wf = "on:\n  pull_request:\n" + CHECKOUT
    assert _checkout_hits(tmp_path, {}, {".github/workflows/t.yml": wf}) == []


def test_new_workflow_with_pull_request_target_is_hit_at_the_checkout(tmp_path: Path) -> None:
    wf = "on:\n  pull_request_target:\n" + CHECKOUT
    assert _checkout_hits(tmp_path, {}, {".github/workflows/t.yml": wf}) == [2, 9]


def test_changed_workflow_keeps_the_hit_whose_trigger_is_unchanged(tmp_path: Path) -> None:
    before = "on:\n  pull_request_target:\njobs: {}\n"
    after = "on:\n  pull_request_target:\n" + CHECKOUT
    path = ".github/workflows/t.yml"
    assert _checkout_hits(tmp_path, {path: before}, {path: after}) == [9]


def _checklist(requires: object) -> bytes:
    return (
        'id = "x"\ntitle = "X"\nversion = "1"\ndescription = "d"\n[[questions]]\nid = "x.q"\ntext = "Q?"\n'
        f"severity = \"low\"\n[questions.triggers]\nadded = [{{ regex = 'abc', requires = {requires} }}]\n"
    ).encode()


@pytest.mark.parametrize("origin", ["builtin", ".signoff/checklists/x.toml"])
def test_requires_is_validated_like_a_regex(origin: str) -> None:
    cl, problems = parse_checklist(_checklist("'def'"), "x.toml", strict=False, origin=origin)
    assert cl is not None and not problems, problems
    req = cl.questions[0].triggers.added[0].requires
    assert req is not None and req.regex.search("def")
    for bad in ("5", "'(a'"):
        _, problems = parse_checklist(_checklist(bad), "x.toml", strict=False, origin=origin)
        assert problems and "requires" in problems[0].where + problems[0].message, problems


def test_unless_a_checksum_is_verified_a_cleartext_download_is_not_hit(tmp_path: Path) -> None:
    get = "RUN curl -fsSLo /t.tgz http://dl.example.org/t.tgz"
    files = {
        "a/Dockerfile": f"FROM alpine:3.20\n{get}\nUSER nobody\n",
        "b/Dockerfile": f"FROM alpine:3.20\n{get} \\\n && echo 'ab12  /t.tgz' | sha256sum -c -\nUSER x\n",
    }
    assert _hits(tmp_path, {}, files, "deps.remote-code") == [("a/Dockerfile", 2)]


def test_files_limits_a_pattern_to_matching_paths(tmp_path: Path) -> None:
    lookup = "    bill = get_object_or_404(Bill, pk=pk)\n"
    files = {"bill/views.py": "def show(request, pk):\n" + lookup, "bill/jobs.py": "def job(pk):\n" + lookup}
    assert _hits(tmp_path, {}, files, "auth.object-access") == [("bill/views.py", 2)]


def test_distinct_keeps_one_hit_per_action_reference_in_a_file(tmp_path: Path) -> None:
    step = "      - uses: vendor/build-action@v2\n"
    wf = "on: [push]\npermissions: {}\njobs:\n  a:\n    steps:\n" + step + "  b:\n    steps:\n" + step
    wf += "      - uses: vendor/other-action@v1\n"
    hits = _hits(tmp_path, {}, {".github/workflows/w.yml": wf}, "ci.pinned-actions")
    assert hits == [(".github/workflows/w.yml", 6), (".github/workflows/w.yml", 10)]
