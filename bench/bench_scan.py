"""Benchmark: `signoff scan --format json` on a 500,000-changed-line diff vs plain `git diff`.

Goal (DESIGN.md): wall-time ratio <= 2, signoff peak RSS < 300 MB. Prints the diff-only scan
(`--no-ai --no-questions`), with AI attribution, and the full scan, each against `git diff` in the
same run. Run: python bench/bench_scan.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, big_diff_repo


def main() -> None:
    if "--questions" in sys.argv:
        questions()
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
