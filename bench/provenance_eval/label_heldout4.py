"""Labels of held-out set 4 (``ranges_heldout4.toml``): which commits an AI tool wrote, from evidence in them.

Written by a labeller who never ran signoff on these ranges and never opened its catalogue while labelling.
The rules follow ``label.py`` (held-out set 3): an AI label needs *explicit* evidence in the commit -- an
agent account as author or as a ``Co-authored-by:`` line anywhere in the body (squash merges keep every
sub-commit's trailers), aider's ``(aider)`` author suffix, or a tool footer/trailer/session link -- and
prose disclosures ("Implemented with Claude Code", "codex-authored tests") are a separate evidence class
(``prose-disclosure``), decided one by one: the tool when AI wrote any committed code, tests or docs, human
when AI only investigated, found or reviewed. ``ambiguous`` commits (agent-looking accounts nothing in
the history explains, an undocumented ``[codex]`` subject prefix, LLM translation automation) are left
out of every metric. AI that only *described* a change (cubic / Greptile / Cursor Bugbot PR summaries in
the body, "AI description") or only reviewed it is not AI authorship; an AI reviewer whose suggested code
was committed (its bot as co-author) is. Committer-only agent identities are human (weak).

Every rule and override below was written after reading, per range, the distinct author/committer
identities, all co-author lines, all trailer-like lines, and every commit whose message mentions an AI
tool, model or agent without an explicit signal (generic keyword grep over ``git log``).

Run: ``python3 bench/provenance_eval/label_heldout4.py CLONE_DIR...`` (clones named ``<owner>+<name>``).
Output: ``labels/heldout4+<owner>+<name>.tsv`` (``sha12<TAB>label<TAB>evidence``; unlisted commits of a
range are ``human``).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHA_LEN = 12

#: Agent accounts seen as authors or co-authors in these ranges (lowercased, GitHub numeric id stripped).
AGENT_ADDRESSES = {
    # Copilot: coding agent (198982749), code-review suggestions / Autofix (175728472), Copilot CLI
    # (223556219) all use the same noreply local part
    "copilot@users.noreply.github.com": "copilot",
    "copilot-swe-agent[bot]@users.noreply.github.com": "copilot",
    "noreply@anthropic.com": "claude",
    "claude[bot]@users.noreply.github.com": "claude",
    "cursoragent@cursor.com": "cursor",
    "devin-ai-integration[bot]@users.noreply.github.com": "devin",
    "openhands@all-hands.dev": "openhands",
    "codex@openai.com": "codex",
    "noreply@openai.com": "codex",
    # AI code reviewers whose suggested code was committed ("Update <file>" / "Apply suggestion" sub-commits)
    "ellipsis-dev[bot]@users.noreply.github.com": "ellipsis",
    "cubic-dev-ai[bot]@users.noreply.github.com": "cubic",
    "greptile-apps[bot]@users.noreply.github.com": "greptile",
    # "Copilot Autofix powered by AI" co-authors through GitHub's code-quality bot (OpenHands SDK)
    "github-code-quality[bot]@users.noreply.github.com": "copilot",
}
#: Accounts that look like agents but nothing in the history says what they are.
AMBIGUOUS_ACCOUNTS = {
    "accounts+githubbot@langfuse.com",  # langfuse-bot: pricing "audits" with "audit memory", no tool named
    "langfuse-bot@langfuse.com",
    "debug@example.com",  # "Debug Agent" co-author (OpenHands SDK)
    "engel@enyst.org",  # "🐾 smolpaws" author/co-author (OpenHands SDK), a persona account
    "allhands-bot@users.noreply.github.com",  # OpenHands' automation account as co-author
}
_COAUTHOR = re.compile(r"^[ \t]*co-?authored-by:[^<\n]*<([^>\n]*)>", re.I | re.M)
#: dotnet/aspire: Copilot CLI messages whose newlines were written as a literal backslash-n, so the
#: co-author trailer sits mid-line ("...text.\\n\\nCo-authored-by: Copilot <...>")
_COAUTHOR_ESCAPED = re.compile(r"\\n[ \t]*co-?authored-by:[^<\n]*<([^>\n]*)>", re.I)
#: Cursor background/cloud agent PRs (launched from Slack) carry "Open in Cursor / Open in Web" agent links.
_SESSION_LINKS = [
    (re.compile(r"https://cursor\.com/(?:background-agent\?bcId=|agents(?:/|\?id=))bc-", re.I), "cursor"),
]
_FOOTERS = [
    (re.compile(r"^\W{0,4}\s*generated with \[?claude code\b", re.I | re.M), "claude"),
    (re.compile(r"^claude-session:|https://claude\.ai/code/session_", re.I | re.M), "claude"),
    (re.compile(r"^amp-thread-id:", re.I | re.M), "amp"),
    (re.compile(r"^made-with: *cursor\b", re.I | re.M), "cursor"),
    (re.compile(r"^assisted-by: .*\b(?:openai|codex)\b", re.I | re.M), "codex"),
]
#: openai/openai-agents-js: docs translated by the repository's own LLM script, committed by Actions.
_LLM_TRANSLATION = re.compile(
    r"^(?:docs: update translated document pages|update all translated document pages)", re.I
)

#: Prose-only evidence, read one by one (tool = AI wrote committed code/tests/docs; human = AI only
#: found/reviewed/investigated; ambiguous = cannot tell).
PROSE_DISCLOSURES: dict[str, str] = {
    # langfuse/langfuse: sub-commits "added claude preview changes", "more claude changes"
    "2645ba459cd9": "claude",
    # browser-use/browser-use: "AI disclosure" paragraphs of contributors
    "85ddbfedf609": "codex",  # "OpenAI Codex assisted with investigation, implementation, ..."
    "8651458987cc": "claude",  # "Bug found and fix implemented with Claude Code assistance"
    "9847ece1dd63": "claude",  # "Implemented with Claude Code (Anthropic), reviewed and submitted by me"
    "b011b05eeb41": "claude",  # same
    "ae8ae3d7d9d1": "claude",  # "I used an AI coding assistant (Claude Code) while writing this"
    "e0504b1c7dd4": "claude",  # "Vibe coded with Claude Opus 4.5"
    "d59c0e698466": "codex",  # "Updated + added robustness tests (codex-authored)"
    "42bc7884343a": "human",  # Claude Code "helped me trace the event flow"
    "01995138f119": "human",  # dead code "found by codex review"
    "e09f55eedc7c": "human",  # "second codex pass" of that review
    "c8fb0ebe448f": "ambiguous",  # "worked through this with Claude Code (we read each tool handler ...)"
    "29f4641ab004": "ambiguous",  # "Found via an AI-assisted code review pass (Claude Code)"; who fixed?
    # openai/openai-agents-js
    "79a199986f0b": "codex",  # "Make docs and comments more consistent using Codex"
    "d84b541ace6e": "ambiguous",  # "update all translated pages using gpt-5.4 model" (translation script)
    "47aa12b25266": "ambiguous",  # "adjust git operations by codex" (by whom, or of whom?)
    # OpenHands/software-agent-sdk
    "b716e5891c40": "ambiguous",  # "Merged by an AI agent (OpenHands) on behalf of the user."
}


def _addr(email: str) -> str:
    return re.sub(r"^\d+\+", "", email.strip().lower())


def label(an: str, ae: str, cn: str, ce: str, body: str, sha: str) -> tuple[str, str]:
    """``(label, evidence)`` for one commit."""
    if tool := AGENT_ADDRESSES.get(_addr(ae)):
        return tool, "author-account"
    if an.rstrip().endswith("(aider)"):
        return "aider", "author-name-suffix"
    for m in _COAUTHOR.finditer(body):
        if tool := AGENT_ADDRESSES.get(_addr(m.group(1))):
            return tool, "co-author-account"
    for m in _COAUTHOR_ESCAPED.finditer(body):
        if tool := AGENT_ADDRESSES.get(_addr(m.group(1))):
            return tool, "co-author-escaped-newlines"
    for rx, tool in _FOOTERS:
        if rx.search(body):
            return tool, "tool-footer"
    for rx, tool in _SESSION_LINKS:
        if rx.search(body):
            return tool, "agent-session-link"
    if prose := next((v for k, v in PROSE_DISCLOSURES.items() if sha.startswith(k)), None):
        return prose, "prose-disclosure"
    if body.lower().startswith("[codex]"):
        return "ambiguous", "undocumented-subject-prefix"
    if _addr(ae) in AMBIGUOUS_ACCOUNTS or any(
        _addr(m.group(1)) in AMBIGUOUS_ACCOUNTS for m in _COAUTHOR.finditer(body)
    ):
        return "ambiguous", "unverifiable-agent-account"
    if "github-actions[bot]" in ae and _LLM_TRANSLATION.match(body):
        return "ambiguous", "llm-translation-automation"
    if AGENT_ADDRESSES.get(_addr(ce)):
        return "human", "committer-only-agent"
    return "human", "none"


def label_repo(clone: Path, revs: list[str]) -> list[tuple[str, str, str]]:
    fmt = "%H%x00%an%x00%ae%x00%cn%x00%ce%x00%B"
    out = subprocess.run(
        ["git", "-C", str(clone), "log", "-z", "--no-mailmap", f"--format={fmt}", *revs, "--"],
        capture_output=True,
        check=True,
    ).stdout
    parts = out.decode("utf-8", "replace").split("\0")
    rows = []
    for i in range(0, len(parts) - 6 + 1, 6):
        sha, an, ae, cn, ce, body = parts[i : i + 6]
        if sha := sha.strip():
            rows.append((sha, *label(an, ae, cn, ce, body, sha)))
    return rows


def main() -> None:
    ranges = tomllib.loads((HERE / "ranges_heldout4.toml").read_text())["range"]
    for arg in sys.argv[1:]:
        clone = Path(arg)
        rows: list[tuple[str, str, str]] = []
        for r in ranges:
            if r["repo"].replace("/", "+") == clone.name:
                rows += label_repo(clone, [f"{r['base']}..{r['head']}"])
        keep = sorted({(s[:SHA_LEN], lab, ev) for s, lab, ev in rows if (lab, ev) != ("human", "none")})
        dest = HERE / "labels" / f"heldout4+{clone.name}.tsv"
        dest.write_text("".join(f"{s}\t{lab}\t{ev}\n" for s, lab, ev in keep))
        counts: dict[tuple[str, str], int] = {}
        for _, lab, ev in rows:
            counts[(lab, ev)] = counts.get((lab, ev), 0) + 1
        print(clone.name, len(rows), sorted(counts.items(), key=lambda kv: -kv[1]))


if __name__ == "__main__":
    main()
