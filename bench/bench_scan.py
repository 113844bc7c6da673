"""Benchmark: `signoff scan --format json` on a 500,000-changed-line diff vs plain `git diff`.

Goal (DESIGN.md): wall-time ratio <= 2, signoff peak RSS < 300 MB. Run: python bench/bench_scan.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, big_diff_repo


def main() -> None:
    repo = big_diff_repo()
    runs = 3
    git_time, git_rss = best_of(runs, ["git", "diff", "base", "head"], repo)
    so_time, so_rss = best_of(
        runs, [sys.executable, "-m", "signoff", "scan", "base..head", "--format", "json"], repo
    )
    print(f"repo: {repo} (2,000 files, 500,000 changed lines)")
    print(f"git diff           : {git_time:.3f} s  peak RSS {git_rss / 1024:.0f} MB")
    print(f"signoff scan --json: {so_time:.3f} s  peak RSS {so_rss / 1024:.0f} MB")
    print(f"ratio signoff/git  : {so_time / git_time:.2f}  (goal <= 2)")
    print(f"signoff peak RSS   : {so_rss / 1024:.0f} MB (goal < 300 MB)")


if __name__ == "__main__":
    main()
