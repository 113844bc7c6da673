"""Benchmark: `signoff scan --format json` on a 500,000-changed-line diff vs plain `git diff`.

Goal (DESIGN.md): wall-time ratio <= 2, signoff peak RSS < 300 MB. Prints the diff-only scan
(`--no-ai --no-questions`), with AI attribution, and the full scan, each against `git diff` in the
same run. Run: python bench/bench_scan.py

``--questions``: issue 13's synthetic 150k-line, 600-file diff. ``--real``: large ranges of real public
histories (snapshots brought by the search tool's ``fetch`` under ``$SIGNOFF_MIRROR``, default /work/.mirror),
each cloned once without a checkout; ``--real OWNER/NAME:RANGE ...`` picks others; ``--with-ai`` adds the
full scan. Every figure is a ratio to plain ``git diff`` run just before it (paired runs: median and range),
with byte code cached as an installed package has it, and the peak RSS of the scan.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE, best_of, big_diff_repo, git, installed_env, paired, spread

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
    git_diff = ["git", "diff", "base", "head"]
    git_time, _ = best_of(RUNS, git_diff, repo)
    print(f"\nrepo: {repo}\n  600 files, 150,000 changed lines; a mix of ordinary code lines")
    print(f"git diff                     : {git_time:.3f} s (best of {RUNS})")
    scan = [sys.executable, "-m", "signoff", "scan", "base..head", "--format", "json", "--no-ai"]
    _compare(
        repo,
        git_diff,
        scan,
        (("scan --no-ai --no-questions", ["--no-questions"]), ("scan --no-ai (questions)", [])),
    )


#: Paired runs per measurement (each: plain git, then signoff).
RUNS = 3


def _compare(
    repo: Path, reference: list[str], scan: list[str], variants: tuple[tuple[str, list[str]], ...]
) -> None:
    """Each variant of ``scan`` against ``reference`` in paired runs: wall time, ratio (median and range
    of the pairs), peak RSS; the load average before and after."""
    env = installed_env()
    best_of(1, scan, repo, env)  # warm the caches (byte code, compiled matcher databases, checklists)
    before = os.getloadavg()[0]
    for label, extra in variants:
        got = paired(RUNS, reference, [*scan, *extra], repo, env)
        print(
            f"{label:<29}: {spread(got.walls, ' s')}  ratio {spread(got.ratios)} (goal <= 3, aim 2)  "
            f"CPU ratio {spread(got.cpu_ratios)}  peak RSS {got.rss / 1024:.0f} MB (goal <= 200)"
        )
    print(
        f"load average {before:.1f} -> {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs); "
        f"{RUNS} paired runs each (ratio: median (range))"
    )


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
    git_diff = ["git", "diff", a, b]
    git_time, _ = best_of(RUNS, git_diff, repo)
    print(f"\n{name} {rng} ({a[:10]}..{b[:10]}): {stat}")
    print(f"git diff                     : {git_time:.3f} s (best of {RUNS})")
    scan = [sys.executable, "-m", "signoff", "scan", f"{a}..{b}", "--format", "json"]
    variants = (
        ("scan --no-ai --no-questions", ["--no-ai", "--no-questions"]),
        ("scan --no-ai (questions)", ["--no-ai"]),
    )
    if "--with-ai" in sys.argv:
        variants += (("scan (AI + questions)", []),)
    _compare(repo, git_diff, scan, variants)


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
