"""Benchmark: `signoff scan --format json` on a 500,000-changed-line diff vs plain `git diff`.

Goal (DESIGN.md): wall-time ratio <= 2, signoff peak RSS < 300 MB. Prints the diff-only scan
(`--no-ai --no-questions`), with AI attribution, and the full scan, each against `git diff` in the
same run. Run: python bench/bench_scan.py

``--questions``: issue 13's synthetic 150k-line, 600-file diff. ``--real``: large ranges of real public
histories (snapshots brought by the search tool's ``fetch`` under ``$SIGNOFF_MIRROR``, default /work/.mirror),
each cloned once without a checkout; ``--real OWNER/NAME:RANGE ...`` picks others.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE, best_of, big_diff_repo, git

MIRROR = Path(os.environ.get("SIGNOFF_MIRROR", "/work/.mirror"))
#: Large ranges of real histories whose snapshots hold every blob the range needs.
REAL_RANGES = (
    "filebrowser/filebrowser:HEAD~2000..HEAD",
    "google-gemini/gemini-cli:HEAD~400..HEAD",
    "zizmorcore/zizmor:HEAD~1000..HEAD",
)


def main() -> None:
    if "--questions" in sys.argv:
        questions()
        return
    if "--real" in sys.argv:
        picked = [a for a in sys.argv[sys.argv.index("--real") + 1 :] if not a.startswith("--")]
        for spec in picked or REAL_RANGES:
            real(spec)
        return
    for realistic in (False, True):
        measure(realistic)


def questions() -> None:
    """Issue 13's goal: `scan --no-ai` with questions <= 3x `git diff` (aim 2x), peak RSS <= 200 MB,
    on a 150,000-changed-line, 600-file diff (ordinary code lines).
    Run: python bench/bench_scan.py --questions
    """
    repo = big_diff_repo(files=600, lines_per_file=300, changed_per_file=125, realistic=True)
    runs = 3
    git_time, _ = best_of(runs, ["git", "diff", "base", "head"], repo)
    print(f"\nrepo: {repo}\n  600 files, 150,000 changed lines; a mix of ordinary code lines")
    print(f"git diff                     : {git_time:.3f} s")
    scan = [sys.executable, "-m", "signoff", "scan", "base..head", "--format", "json", "--no-ai"]
    best_of(1, scan, repo)  # warm the user cache (compiled matcher databases, validated checklists)
    for label, extra in (
        ("scan --no-ai --no-questions", ["--no-questions"]),
        ("scan --no-ai (questions)", []),
    ):
        t, rss = best_of(runs, [*scan, *extra], repo)
        ratio = t / git_time
        print(f"{label:<29}: {t:.3f} s  ratio {ratio:.2f} (goal <= 3, aim 2)  peak RSS {rss / 1024:.0f} MB")


def _real_repo(name: str) -> Path:
    """A clone (no checkout, objects hard-linked) of the snapshot of ``name``, made once."""
    repo = CACHE / f"real-{name.replace('/', '+')}"
    if not (repo / ".git").exists():
        src = MIRROR / name.replace("/", "+") / "repo"
        git(CACHE, "clone", "-q", "--no-checkout", str(src), str(repo))
    return repo


def real(spec: str) -> None:
    """``scan`` on a large range of a real history vs ``git diff`` of the same range (issue 13: <= 2x)."""
    name, rng = spec.split(":", 1)
    repo = _real_repo(name)
    a, b = rng.split("..")
    a, b = (git(repo, "rev-parse", r).decode().strip() for r in (a, b))
    stat = git(repo, "diff", "--shortstat", a, b).decode().strip()
    runs = 3
    git_time, _ = best_of(runs, ["git", "diff", a, b], repo)
    print(f"\n{name} {rng} ({a[:10]}..{b[:10]}): {stat}")
    print(f"git diff                      : {git_time:.3f} s")
    scan = [sys.executable, "-m", "signoff", "scan", f"{a}..{b}", "--format", "json"]
    best_of(1, [*scan, "--no-ai"], repo)  # warm the user cache (compiled matcher databases, checklists)
    for label, extra in (
        ("scan --no-ai --no-questions", ["--no-ai", "--no-questions"]),
        ("scan --no-ai (questions)", ["--no-ai"]),
        ("scan (AI + questions)", []),
    ):
        t, rss = best_of(runs, [*scan, *extra], repo)
        print(f"{label:<30}: {t:.3f} s  ratio {t / git_time:.2f} (goal <= 2)  peak RSS {rss / 1024:.0f} MB")


def measure(realistic: bool) -> None:
    repo = big_diff_repo(realistic=realistic)
    runs = 3
    git_time, _ = best_of(runs, ["git", "diff", "base", "head"], repo)
    what = "a mix of ordinary code lines" if realistic else "every line holds the word 'query' (worst case)"
    print(f"\nrepo: {repo}\n  2,000 files, 500,000 changed lines; {what}")
    print(f"git diff                 : {git_time:.3f} s")
    scan = [sys.executable, "-m", "signoff", "scan", "base..head", "--format", "json"]
    for label, extra in (
        ("scan diff only", ["--no-ai", "--no-questions"]),
        ("scan + AI attribution", ["--no-questions"]),
        ("scan full (AI+questions)", []),
    ):
        t, rss = best_of(runs, [*scan, *extra], repo)
        print(f"{label:<25}: {t:.3f} s  ratio {t / git_time:.2f} (goal <= 2)  peak RSS {rss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
