"""A big diff shown in parts while git's output is read (issue 15: the diff on screen within 1 s).

``load_diff_parts`` yields partial diffs, each the first files of the final review order, then the
whole diff, which keeps the very objects shown in front. ``READ_CHUNK`` is made small so a test-sized
diff arrives in many reads, as a 150k-line one does with the real size.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from signoff.analysis import Stage, analyze, analyze_stages
from signoff.diff import parse
from signoff.diff.model import Diff
from signoff.diff.parse import load_diff, load_diff_parts
from signoff.errors import UsageError
from signoff.git.runner import open_repo
from signoff.git.target import resolve_target
from signoff.review.compose import compose_record
from tests.helpers import commit_files, git, make_repo

#: A security-config file in the middle of git's order: review order puts it first.
CONFIG = "m/CODEOWNERS"
SRC = Path(__file__).parents[1] / "src"


def parts_repo(tmp_path: Path, *, files: int = 20, dat: bool = True) -> Path:
    """``main``, then ``feature`` changing ``files`` modules before CONFIG and as many after it (git's
    order), each with one SQL-from-input line, and (``dat``) ``text.dat``: text that ``-diff`` marks
    binary, re-read as text once git's output is read."""
    r = make_repo(tmp_path / "parts")
    body = "".join(f"value_{n} = compute({n})\n" for n in range(60))
    base = {f"a{i:02}.py": body for i in range(files)} | {f"z{i:02}.py": body for i in range(files)}
    commit_files(r, {**base, ".gitattributes": "*.dat -diff\n", "text.dat": "old\n"}, "base")
    git(r, "checkout", "-q", "-b", "feature")
    changed = body.replace("compute(", "compute2(") + "cur.execute(f'SELECT * FROM t WHERE id = {uid}')\n"
    new = {name: changed for name in base} | {CONFIG: "* @owner\n"}
    new |= {"text.dat": "new text\n"} if dat else {}
    commit_files(r, new, "change everything")
    return r


@pytest.fixture
def small_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "READ_CHUNK", 2048)


def _same(a: Diff, b: Diff) -> None:
    assert [f.path for f in a.files] == [f.path for f in b.files]
    assert [[h.body for h in f.hunks] for f in a.files] == [[h.body for h in f.hunks] for f in b.files]
    assert a.patch_sha256 == b.patch_sha256 and not a.partial and not b.partial


def test_parts_are_growing_prefixes_of_the_review_order_and_the_end_is_load_diff(
    tmp_path: Path, small_reads: None
) -> None:
    g = open_repo(parts_repo(tmp_path))
    target = resolve_target(g, "main..feature")
    parts = list(load_diff_parts(g, target))
    *partial, final = parts
    assert len(partial) >= 3 and all(p.partial for p in partial) and not final.partial
    _same(final, load_diff(g, target))
    assert final.files[0].path == CONFIG  # security config first, though git lists it in the middle
    sizes = [len(p.files) for p in partial]
    assert sizes == sorted(set(sizes)) and sizes[-1] < len(final.files)
    for p in partial:
        assert p.patch_sha256 == "" and p.files_expected == len(final.files)
        assert p.files[0].path == CONFIG  # never a module before the config file is in
        # the same objects as the end (a viewer adds rows after them, nothing moves); text.dat is
        # re-read (next test)
        assert all(f is final.files[i] for i, f in enumerate(p.files) if f.path != "text.dat")


def test_a_file_re_read_as_text_is_a_new_object_and_the_part_shown_is_left_as_it_was(
    tmp_path: Path, small_reads: None
) -> None:
    """``text.dat`` is binary to git (``-diff``) and re-read as text once the stream is done: into a
    copy, so the part already on screen never changes under the viewer."""
    g = open_repo(parts_repo(tmp_path))
    *partial, final = load_diff_parts(g, resolve_target(g, "main..feature"))
    seen = next(f for p in partial for f in p.files if f.path == "text.dat")
    end = next(f for f in final.files if f.path == "text.dat")
    assert seen.binary and not seen.hunks
    assert end is not seen and not end.binary and "+new text" in end.hunks[0].body


def test_output_read_at_once_gives_the_whole_diff_only(tmp_path: Path) -> None:
    g = open_repo(parts_repo(tmp_path, files=3))
    assert [d.partial for d in load_diff_parts(g, resolve_target(g, "main..feature"))] == [False]


def test_staged_questions_preview_comes_from_the_first_part_before_the_rest(
    tmp_path: Path, small_reads: None
) -> None:
    g = open_repo(parts_repo(tmp_path))
    target = resolve_target(g, "main..feature")
    events = list(analyze_stages(g, target, ai=False, preview_lines=150, parts=True))
    stages = [e.stage for e in events]
    assert stages[0] is Stage.DIFF_PART
    assert stages.index(Stage.QUESTIONS_FIRST) < stages.index(Stage.DIFF)
    assert stages[-2:] == [Stage.DIFF, Stage.QUESTIONS]
    preview = events[stages.index(Stage.QUESTIONS_FIRST)]
    assert preview.next is Stage.DIFF and (preview.step, preview.total) == (1, 3)
    shown = {f.path for f in preview.result.diff.files}
    assert preview.result.diff.partial and len(shown) < len(events[-1].result.diff.files)
    hit_paths = {h.path for r in preview.result.questions.triggered for h in r.hits}
    assert hit_paths and hit_paths <= shown
    for e in events:  # the progress a UI shows never goes back
        if e.stage is Stage.DIFF_PART:
            assert e.next is Stage.DIFF
    assert [(e.step, e.total) for e in events[-2:]] == [(2, 3), (3, 3)]
    assert events[-1].result.questions.to_json() == analyze(g, target, ai=False).questions.to_json()


def test_a_record_is_never_made_of_a_partial_diff(tmp_path: Path, small_reads: None) -> None:
    g = open_repo(parts_repo(tmp_path))
    target = resolve_target(g, "main..feature")
    part = next(d for d in load_diff_parts(g, target) if d.partial)
    with pytest.raises(UsageError, match="still loading"):
        compose_record(g, target, part, verdict="approve")


@pytest.mark.parametrize("chunk", [7, 13, 4096])
def test_reads_of_any_size_give_the_same_diff(tmp_path: Path, monkeypatch, chunk: int) -> None:
    """Block boundaries ("\\ndiff --git ") and the end of the raw section cut by reads of any size."""
    g = open_repo(parts_repo(tmp_path, files=3))
    target = resolve_target(g, "main...feature")
    whole = load_diff(g, target)
    monkeypatch.setattr(parse, "READ_CHUNK", chunk)
    cut = load_diff(g, target)
    assert cut.patch_sha256 == whole.patch_sha256
    assert [(f.path, f.added, f.removed, [h.body for h in f.hunks]) for f in cut.files] == [
        (f.path, f.added, f.removed, [h.body for h in f.hunks]) for f in whole.files
    ]


def test_one_huge_file_is_read_in_linear_time(tmp_path: Path) -> None:
    """A 24 MB file read 1 KB at a time (24,000 reads): its patch was re-copied and searched for the next
    block on every read (quadratic: ~300 GB moved; a 150 MB file took 10 s CPU with real 1 MB reads)."""
    r = make_repo(tmp_path / "huge")
    commit_files(r, {"README": "x\n"}, "base")
    commit_files(r, {"big.txt": ("x" * 99 + "\n") * 240_000, "small.py": "y = 1\n"}, "huge")
    script = (
        "import sys\nfrom signoff.diff import parse\nfrom signoff.git.runner import open_repo\n"
        "from signoff.git.target import resolve_target\nparse.READ_CHUNK = 1024\n"
        "g = open_repo(sys.argv[1])\nd = parse.load_diff(g, resolve_target(g, 'HEAD~1..HEAD'))\n"
        "print([(f.path, f.added) for f in d.files])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(r)],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    assert out.stdout.strip() == "[('big.txt', 240000), ('small.py', 1)]"
