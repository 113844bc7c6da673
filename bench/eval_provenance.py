"""Commit precision/recall of signoff's AI decision on public histories, per tool and per signal kind.

Reads ``bench/provenance_eval/ranges.toml`` and the hand-made labels in ``bench/provenance_eval/labels/``
(see ``label.py`` there), runs signoff's commit-level attribution (the same ``git log`` + catalogue
path ``signoff scan`` uses) over each range of a local clone, and prints, per range and in total:

- per labelled tool: recall (labelled commits flagged AI at all) and tool accuracy;
- per predicted tool and per strongest-signal kind: precision (flagged commits labelled AI);
- a commit counts as flagged when a signal reaches medium (signoff's default ``[ai] min_confidence``);
  ``--explicit`` counts high/exact signals only (the issue's goal: P >= 0.98, R >= 0.95); weaker
  signals (vendor domain, committer-only, name-only) are listed as "reported only".

Evidence classes (the labels' third column) are reported apart: explicit evidence (accounts, trailers,
footers, session links) against ``prose-disclosure`` (a PR template's "AI usage" paragraph, read by
signoff only when ``[ai] disclosures`` asks for it: ``--disclosures medium``). ``--project-config``
applies each range's ``ai`` table from ``ranges.toml`` (what that project would commit to
``.signoff/config.toml``, e.g. its own agent accounts); without it only the built-in catalogue runs.

Clones: ``--clones DIR`` holding ``<owner>+<name>`` clones (``git clone --shared --no-checkout`` of the
fetched mirrors). Run: ``python3 bench/eval_provenance.py --clones /tmp/signoff-eval [--errors N]``.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from signoff.diff.parse import load_diff
from signoff.errors import GitCommandError
from signoff.git.runner import EMPTY_TREE, open_repo
from signoff.git.target import ReviewTarget
from signoff.provenance.attribution import attribute
from signoff.provenance.catalogue import load_catalogue
from signoff.provenance.commits import read_commits
from signoff.provenance.tools import strongest

HERE = Path(__file__).resolve().parent / "provenance_eval"


def _load_labels(repo: str, name: str = "") -> dict[str, tuple[str, str]]:
    path = HERE / "labels" / (name or f"{repo.replace('/', '+')}.tsv")
    out = {}
    for line in path.read_text().splitlines():
        sha, label, evidence = line.split("\t")
        out[sha] = (label, evidence)
    return out


def _commits(clone: Path, base: str, head: str, ai: dict) -> list:
    g = open_repo(clone)
    head_sha = g.rev_parse(head)
    base_sha = g.rev_parse(base) if base else EMPTY_TREE
    return read_commits(g, base_sha, head_sha, load_catalogue(ai))


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def evaluate(commits: list, labels: dict[str, tuple[str, str]], errors: list, explicit: bool) -> dict:
    """Counters for one range."""
    keys = ("tp", "lab", "flag", "flag_ok", "tool_ok", "kind", "kind_ok", "weak", "ev_lab", "ev_tp")
    c: dict = {k: Counter() for k in keys}
    for commit in commits:
        label, evidence = labels.get(commit.sha[:12], ("human", "none"))
        if label == "ambiguous":
            continue
        floor = ("high", "exact") if explicit else ("medium", "high", "exact")
        sigs = [s for s in commit.signals if s.confidence in floor]
        c["weak"].update(s.kind for s in commit.signals if s.confidence not in floor)
        best = sigs[0] if sigs else None
        if sigs:
            best = strongest(sigs)
        is_ai = label != "human"
        if is_ai:
            c["lab"][label] += 1
            ev = "prose-disclosure" if evidence == "prose-disclosure" else "explicit"
            c["ev_lab"][ev] += 1
            c["ev_tp"][ev] += best is not None
            if best is not None:
                c["tp"][label] += 1
                c["tool_ok"][label] += best.tool == label
            else:
                errors.append(("FN", label, evidence, commit))
        if best is not None:
            c["flag"][best.tool] += 1
            c["kind"][best.kind] += 1
            if is_ai:
                c["flag_ok"][best.tool] += 1
                c["kind_ok"][best.kind] += 1
            else:
                errors.append(("FP", best.tool, best.describe(), commit))
    return c


def line_counts(clone: Path, base: str, head: str, labels: dict[str, tuple[str, str]], ai: dict) -> Counter:
    """Line-level truth (the label of the commit that introduced each added line) vs signoff's marks."""
    g = open_repo(clone)
    head_sha = g.rev_parse(head)
    base_sha = g.rev_parse(base) if base else EMPTY_TREE
    target = ReviewTarget("range", base_sha, head_sha, f"{base}..{head}")
    diff = load_diff(g, target)
    result = attribute(g, target, diff, ai_config=ai)
    out: Counter = Counter()
    for f in diff.files:
        if f.path not in result.files:
            continue
        for h in f.hunks:
            n = h.new_start
            for line in h.body.split("\n"):
                if line[:1] == "+":
                    sha = result.commit_of(f.path, n)
                    label = labels.get(sha[:12], ("human", "none"))[0] if sha else "human"
                    if label != "ambiguous":
                        truth, pred = label != "human", result.is_ai(f.path, n)
                        out[("tp" if pred else "fn") if truth else ("fp" if pred else "tn")] += 1
                    n += 1
                elif line[:1] in (" ", ""):
                    n += 1
    return out


def _line_report(lc: Counter) -> str:
    tp, fp, fn = lc["tp"], lc["fp"], lc["fn"]
    return (
        f"  lines: precision {_ratio(tp, tp + fp)} recall {_ratio(tp, tp + fn)} "
        f"(AI lines {tp + fn}, marked {tp + fp}, of {sum(lc.values())} added)"
    )


def report(name: str, c: dict) -> None:
    print(f"\n## {name}")
    tp, lab = sum(c["tp"].values()), sum(c["lab"].values())
    fl, fok = sum(c["flag"].values()), sum(c["flag_ok"].values())
    print(f"all tools: precision {_ratio(fok, fl)} ({fok}/{fl})  recall {_ratio(tp, lab)} ({tp}/{lab})")
    for ev in sorted(c["ev_lab"]):
        hit, of = c["ev_tp"][ev], c["ev_lab"][ev]
        print(f"  evidence {ev:<16} recall {_ratio(hit, of)} ({hit}/{of})")
    for tool in sorted(set(c["lab"]) | set(c["flag"])):
        print(
            f"  {tool:<11} labelled {c['lab'][tool]:>5}  recall {_ratio(c['tp'][tool], c['lab'][tool])}"
            f"  tool named {_ratio(c['tool_ok'][tool], c['tp'][tool])}"
            f" | flagged {c['flag'][tool]:>5}  precision {_ratio(c['flag_ok'][tool], c['flag'][tool])}"
        )
    if c["weak"]:
        weak = ", ".join(f"{k} {n}" for k, n in sorted(c["weak"].items()))
        print(f"  reported only (below the floor, not AI): {weak}")
    for kind in sorted(c["kind"]):
        p = _ratio(c["kind_ok"][kind], c["kind"][kind])
        print(f"  signal {kind:<13} flagged {c['kind'][kind]:>5}  precision {p}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clones", type=Path, default=Path("/tmp/signoff-eval"))
    ap.add_argument("--errors", type=int, default=0, help="print up to N wrong commits per range")
    ap.add_argument("--explicit", action="store_true", help="count high/exact-confidence signals only")
    ap.add_argument(
        "--split",
        default="",
        help="only ranges of this split (dev / heldout / heldout2 / heldout3 / heldout4)",
    )
    ap.add_argument("--lines", action="store_true", help="also line precision/recall over each range's diff")
    ap.add_argument(
        "--project-config", action="store_true", help="apply each range's [ai] table (ranges.toml)"
    )
    ap.add_argument("--disclosures", default="", help="[ai] disclosures level (off / low / medium)")
    args = ap.parse_args()
    ranges = tomllib.loads((HERE / "ranges.toml").read_text())["range"]
    # a held-out split kept in its own file (ranges_<split>.toml) is only read when asked for by name
    if args.split and (extra := HERE / f"ranges_{args.split}.toml").is_file():
        ranges += tomllib.loads(extra.read_text())["range"]
    total: dict = defaultdict(Counter)
    for r in ranges:
        if args.split and r.get("split") != args.split:
            continue
        clone = args.clones / r["repo"].replace("/", "+")
        ai = dict(r.get("ai", {})) if args.project_config else {}
        if args.disclosures:
            ai["disclosures"] = args.disclosures
        commits = _commits(clone, r["base"], r["head"], ai)
        errors: list = []
        labels = _load_labels(r["repo"], r.get("labels", ""))
        c = evaluate(commits, labels, errors, args.explicit)
        report(f"{r['repo']} {r['name']}: {len(commits)} commits", c)
        for key, counter in c.items():
            total[key].update(counter)
        if args.lines:
            try:
                lc = line_counts(clone, r["base"], r["head"], labels, ai)
            except GitCommandError as exc:  # snapshots lack files of 4 MiB and more
                print(f"  lines: not measured ({exc})")
                continue
            total["lines"].update(lc)
            print(_line_report(lc))
        kinds = Counter((e[0], e[1], e[2] if e[0] == "FN" else e[2].split(" ")[0]) for e in errors)
        for (what, tool, ev), n in kinds.most_common(args.errors and 8):
            print(f"    {what} {tool} {ev}: {n}")
        for what, tool, ev, commit in errors[: args.errors]:
            print(f"    {what} {commit.sha[:12]} {tool}: {ev[:100]!r}")
    report("TOTAL", total)
    if args.lines:
        print(_line_report(total["lines"]))


if __name__ == "__main__":
    main()
