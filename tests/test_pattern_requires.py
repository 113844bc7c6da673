"""A checklist pattern's ``requires``: in a new file the hit needs another line matching too; a changed
file keeps the hit (its unchanged lines are not in the diff). Checked through real git histories."""

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


def _checkout_hits(tmp_path: Path, base: dict[str, str], head: dict[str, str]) -> list[int]:
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"README.md": "x\n", **base}, "base")
    git(repo, "tag", "base")
    commit_files(repo, head, "head")
    g = open_repo(repo)
    r = relevant_questions(load_diff(g, resolve_target(g, "base..HEAD"))).result("ci.untrusted-checkout")
    assert r is not None
    return [h.line for h in r.hits if h.trigger == "added"]


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
