"""Label the commits of public histories as AI-assisted (by which tool) or not, from evidence in the commits.

The rules below were written by hand after reading the distinct identities, co-author lines and footers
of each history (``git log --format=%an/%ae/%B | sort | uniq -c``), *independently* of signoff's
catalogue: they are the ground truth the catalogue is measured against, not a copy of it.  Each label
names the evidence class that decided it.  Output: ``labels/<owner>+<name>.tsv`` with
``sha12<TAB>label<TAB>evidence`` for the commits of the ranges in ``ranges.toml`` that are not plain
human (a commit of a range that is not listed is labelled ``human``); no commit text is stored.

Labels: a tool id (``claude``, ``copilot``, ...), ``human`` (no AI tool wrote the change: people, release
bots, dependency bots, commits aider only *committed*), or ``ambiguous`` (left out of every metric).

Run: ``python3 bench/provenance_eval/label.py CLONE_DIR...`` (each a clone of a fetched mirror).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Labels name commits by this many hex digits of the id (unique in every evaluated range).
SHA_LEN = 12

#: Agent accounts seen in the histories (address lowercased, GitHub numeric id stripped) -> tool.
AGENT_ADDRESSES = {
    "noreply@anthropic.com": "claude",
    "claude@anthropic.com": "claude",
    "claude[bot]@users.noreply.github.com": "claude",
    "copilot@users.noreply.github.com": "copilot",
    "copilot-swe-agent[bot]@users.noreply.github.com": "copilot",
    "codex@openai.com": "codex",
    "noreply@openai.com": "codex",
    "chatgpt-codex-connector[bot]@users.noreply.github.com": "codex",
    "amp@ampcode.com": "amp",
    "openhands@all-hands.dev": "openhands",
    "opendevin@all-hands.dev": "openhands",
    "opendevin@opendevin.ai": "openhands",  # OpenHands' earlier name
    "bot@opendevin.com": "openhands",
    "openhands-agent@users.noreply.github.com": "openhands",
    "aider@aider.chat": "aider",
    "noreply@aider.dev": "aider",
    "noreply@aider.chat": "aider",
    "devin-ai-integration[bot]@users.noreply.github.com": "devin",
    "google-labs-jules[bot]@users.noreply.github.com": "gemini",
    "gemini-code-assist[bot]@users.noreply.github.com": "gemini",
    "gemini-cli[bot]@users.noreply.github.com": "gemini",
    "opencode-agent[bot]@users.noreply.github.com": "opencode",
    "coderabbitai[bot]@users.noreply.github.com": "coderabbit",
    "cursoragent@cursor.com": "cursor",
    "cursor[bot]@users.noreply.github.com": "cursor",
    # held-out histories (labelled after the catalogue fixes): G-Research/bobbit's own agent
    "bobbit@bobbit.ai": "bobbit",
    "noreply@bobbit.dev": "bobbit",
    # held-out set 2 (beads, github-mcp-server, crush, Roo-Code, pi-mono), read 2026-12-03 before any
    # measurement on them
    "crush@charm.land": "crush",
    "roomote@roocode.com": "roo",
    "roomote[bot]@users.noreply.github.com": "roo",
    "roomote-v0[bot]@users.noreply.github.com": "roo",
    "ellipsis-dev[bot]@users.noreply.github.com": "ellipsis",
    "agent@stump.wtf": "other",  # a person's own agent account ("joestump-agent")
    # adjudicated after the first measurement: two commits signoff flagged were the labeller's misses
    # (bobbit's GitHub app address; Kilo's hosted Gas Town worker as a co-author)
    "bobbit-ai@users.noreply.github.com": "bobbit",
    "toast@gastown.local": "gastown",
    # held-out set 3 (ghostty, modelcontextprotocol python-sdk and typescript-sdk, pydantic-ai, ruff), read
    # 2026-12-03 after the catalogue was frozen and before any measurement on them: pydantic-ai's own
    # issue-to-PR agent (its workflows: "pydanty[bot] builds its branches from issue text") and Codeflash's
    # LLM optimiser ("⚡️ Speed up method ..." PRs)
    "pydanty[bot]@users.noreply.github.com": "other",
    "pydanty@pydantic.dev": "other",
    "codeflash-ai[bot]@users.noreply.github.com": "other",
}
#: Automation that writes no code of its own choosing: never ``ambiguous``, simply not AI.
AMBIGUOUS_AUTHORS = {"jules-fleet[bot]@users.noreply.github.com"}
#: held-out set 3: accounts that may be agents but nothing in the history says so (ruff's "zaniebot", a
#: "ChipGPT" co-author on the MCP TypeScript SDK)
AMBIGUOUS_ACCOUNTS = {"zaniebot@users.noreply.github.com", "chip@ignission.io"}
#: Co-authors whose address proves nothing either way (GitHub's own domain, no agent account).
AMBIGUOUS_COAUTHORS = {"copilot@github.com"}
#: "Copilot Autofix powered by AI" co-authors via GitHub's code-scanning bot account.
_AUTOFIX = re.compile(
    r"^[ \t]*co-?authored-by: copilot autofix[^<\n]*<[^>\n]*github-advanced-security\[bot\]@", re.I | re.M
)
#: The Gemini CLI agent signing off its own commits with a joke name ("Signed-off-by: Gemini, your ...").
_AGENT_SIGNOFF = re.compile(r"^signed-off-by: (?:gemini\b|your witty ai assistant)", re.I | re.M)

#: Gas Town (steveyegge/beads' multi-agent orchestrator) workers commit as "<rig>/crew/<name>",
#: "<rig>/polecats/<name>", "<rig>/refinery", or under their bare worker name with the owner's address;
#: "Executed-By: <rig>/<role>/<name>" names the worker on commits a person authored.
_GASTOWN_NAME = re.compile(r"^[\w-]+/(?:crew|polecats)/[\w-]+$|^[\w-]+/(?:refinery|witness|mayor)$")
_GASTOWN_OWNER = "steve.yegge@gmail.com"
_EXECUTED_BY = re.compile(r"^executed-by: [\w-]+/", re.I | re.M)
#: Agent workers whose account cannot be told from a person's without the orchestrator's records.
AMBIGUOUS_NAMES = {"mom", "ci bot", "furiosa", "beavis", "zhora"}
#: "_codex-gpt-5.5-medium on behalf of matt wilkie_", "Agent-Signature: claude-opus-4-8-high on behalf of X"
_ON_BEHALF = re.compile(r"^(?:agent-signature: *|_)([a-z]+)[\w.-]* on behalf of ", re.I | re.M)

#: Held-out set 3: commits whose only evidence is a prose "AI disclosure" / "LLM notes" paragraph (PR
#: templates ask for one), read one by one: the tool if AI wrote any of the committed code or tests,
#: "human" when AI only investigated, found, reviewed or judged and a person wrote the change (filled in
#: below from reading each paragraph).
PROSE_DISCLOSURES: dict[str, str] = {
    "819b241dec1a": "other",
    "a88ad03e692c": "other",
    "08450e21e5a3": "other",
    "aea03011d08e": "other",
    "9ae02a326f62": "other",
    "385a378fe584": "codex",
    "e9db8d2b0b82": "human",
    "602497e9b96c": "codex",
    "9009122953f5": "opencode",
    "e524df6c829e": "ambiguous",
    "746a11c721a1": "claude",
    "d760ee96e546": "claude",
    "88ed6bebf4ab": "claude",
    "6b22215c5d46": "claude",
    "3d9b2b483cd8": "claude",
    "16833f5e5f58": "claude",
    "74a233b5439c": "claude",
    "2f72b041f659": "claude",
    "87f69a12ee28": "claude",
    "53be7d035364": "claude",
    "e3056658d05b": "claude",
    "562f21a6e72c": "ambiguous",
    "365e0bd0083f": "ambiguous",
    "dab1b105b932": "human",
    "c54ec80c55a0": "other",
    "b2fa2931b659": "codex",
    "396166ecbeca": "claude",
    "4f39c506ef66": "claude",
    "951a03b58bf6": "claude",
    "ad08f3b0378b": "human",
    "f64f4aca2c29": "claude",
    "136f436a3bbb": "other",
    "204989ad90e3": "other",
    "f9b2ad8dbed9": "claude",
    "22d13172cde9": "human",
    "e88601239d9e": "claude",
    "fe98aef21cf2": "human",
    "363e6e6b427c": "codex",
    "da581e0fb7a4": "human",
    "f5880782fe34": "other",
    "aa21caeaa3a2": "claude",
    "154ddc2a2f07": "other",
    "4d605bf0d819": "other",
    "506de8517a65": "ambiguous",
    "6ad1fe7d8cbd": "other",
    "9fc2a3085201": "other",
    "03eaa01d484b": "amp",
    "2dd79f3bc6af": "other",
    "1eecfe089f7e": "human",
    "32e76d8ed0a2": "claude",
    "ff8457b70fd4": "human",
    "d7e9773329ae": "other",
    "a887df42c56f": "other",
    "53bd14fecfd6": "codex",
    "d4ac93a0395d": "claude",
    "4aa3c1051d86": "other",
    "3f2b7946d736": "other",
    "6236d3859c36": "ambiguous",
    "7f073c4cf2cd": "amp",
    "7e02af87980b": "codex",
    "11b9a6ef17e2": "amp",
    "7cb44fea332e": "other",
    "f815f8459421": "claude",
    "ad692f1e858b": "claude",
    "896aca499001": "claude",
    "5a4f8106a3ce": "codex",
    "e7a3a1fc8c7d": "human",
    "bb0ac4c723ec": "human",
    "15a2edcbb93a": "codex",
    "160c3c69ea9a": "claude",
    "77190bd02301": "claude",
    "98a7c0f6f95f": "claude",
    "446f80f4edd1": "claude",
    "634957c8e67c": "claude",
    "2da015cd6ac0": "claude",
    "0535770e3541": "human",
    "2f0e6659dd5f": "human",
    "8d838491326b": "claude",
    "842badca5f1f": "other",
    "8b71d7a03cf3": "claude",
    "e5b65a2ce316": "claude",
    "9f62873bf195": "human",
    "65744ffe358d": "human",
    "f9c52d0cd9d0": "claude",
    "c04e2b64d9ff": "claude",
    "ea37f4672c84": "claude",
    "5a1edfb25402": "claude",
    "179fe571d75e": "other",
    "8fcead00e56a": "other",
    "b81670f3f439": "claude",
    "2c62d182cec2": "human",
    "756fda776b1f": "claude",
    "ec15d0e7db3d": "human",
    "25596541ec42": "claude",
    "cfac86179436": "human",
    "4814aee44e40": "human",
    "f9a9d33b3a40": "claude",
    "f0bb6ed9eee5": "codex",
    "d60a16c14654": "codex",
    "4dcb09ada0c0": "codex",
    "a43cc02ebd70": "codex",
    "0b56ae2cc737": "human",
    "c19ce03b3e9b": "human",
    "2f1a30ddb047": "claude",
    "239b97eccc93": "claude",
    "b34c62bf043a": "claude",
    "a6105b3b10bb": "claude",
    "4699a3f79555": "claude",
    "0043e665f5a2": "other",
    "fd884bc532ca": "ambiguous",
    "c8702ece8f8d": "claude",
    "292bf13d06a8": "ambiguous",
    "d643792f36bf": "claude",
    "5540f5f249db": "human",
    "4903e2821d0f": "claude",
    "e20b50652ad1": "human",
    "3da7fb9fdee4": "claude",
    "76938c77e": "claude",
    "8488d5681": "claude",
    "8fbdca7abde4": "claude",
    "dc1ed8e570ee": "codex",
    "8a772d319b8e": "ambiguous",
    "7a83f77f477e": "ambiguous",
}

_COAUTHOR = re.compile(r"^[ \t]*co-?authored-by:[^<\n]*<([^>\n]*)>", re.I | re.M)
_FOOTERS = [
    # held-out set 2: Crush names the model it drove ("Assisted-by: GLM-5.1 via Crush"): the tool is Crush
    (re.compile(r"^\W{0,4}\s*generated with crush\b", re.I | re.M), "crush"),
    (re.compile(r"^[ \t]*assisted-by: (?:crush\b|.* via crush\b)", re.I | re.M), "crush"),
    (re.compile(r"^\W{0,4}\s*generated with \[claude code\]", re.I | re.M), "claude"),
    (re.compile(r"^\W{0,4}\s*generated with \[bobbit\]", re.I | re.M), "bobbit"),
    (re.compile(r"^assisted-by: .*\bclaude\b", re.I | re.M), "claude"),
    # a kernel-style declaration naming a model family (GLM, ChatGPT, GPT-OSS...): AI, tool unnamed
    (re.compile(r"^assisted-by: .*\b(?:glm|chatgpt|gpt|gemini|llama|qwen|deepseek)", re.I | re.M), "other"),
    (re.compile(r"^amp-thread(?:-id)?:", re.I | re.M), "amp"),
    (re.compile(r"^\W{0,4}\s*generated with \[nori\]", re.I | re.M), "nori"),
    (re.compile(r"^made-with: cursor\b", re.I | re.M), "cursor"),
    (re.compile(r"^copilot-session:", re.I | re.M), "copilot"),
    (re.compile(r"^claude-session:|^https://claude\.ai/code/session_", re.I | re.M), "claude"),
    # held-out set 3
    (re.compile(r"^\W{0,4}\s*generated with claude cli\b", re.I | re.M), "claude"),
    (
        re.compile(r"\[copilot workspace session\]\(https://copilot-workspace\.githubnext\.com/", re.I),
        "copilot",
    ),
    (re.compile(r"^assisted-by: .*\b(?:openai|codex)\b", re.I | re.M), "codex"),
    (re.compile(r"^ai-assisted: *codex\b", re.I | re.M), "codex"),
]


def _addr(email: str) -> str:
    email = email.strip().lower()
    return re.sub(r"^\d+\+", "", email)


def label(an: str, ae: str, cn: str, ce: str, body: str, sha: str = "") -> tuple[str, str]:
    """``(label, evidence)`` for one commit."""
    tool = AGENT_ADDRESSES.get(_addr(ae))
    if tool:
        return tool, "author-account"
    if an.rstrip().endswith("(aider)"):
        return "aider", "author-name-suffix"
    if _GASTOWN_NAME.match(an.strip()) or (_addr(ae) == _GASTOWN_OWNER and an.strip() != "Steve Yegge"):
        return "gastown", "agent-worker-identity"
    if an.strip().lower().startswith("roomote"):
        return "roo", "author-name"
    if "(agent)" in an.lower() or an.strip().lower().endswith("-agent"):
        return "other", "personal-agent-account"
    for m in _COAUTHOR.finditer(body):
        tool = AGENT_ADDRESSES.get(_addr(m.group(1)))
        if tool:
            return tool, "co-author-account"
    if _AUTOFIX.search(body):
        return "copilot", "co-author-autofix"
    if _AGENT_SIGNOFF.search(body):
        return "gemini", "agent-sign-off"
    for rx, tool in _FOOTERS:
        if rx.search(body):
            return tool, "tool-footer"
    if body.startswith("aider: "):
        return "aider", "subject-prefix"
    if m := _ON_BEHALF.search(body):
        word = m.group(1).lower()
        return {"claude": "claude", "codex": "codex"}.get(word, "other"), "on-behalf-of-line"
    if _EXECUTED_BY.search(body):
        return "gastown", "executed-by-trailer"
    if sha_label := next((v for k, v in PROSE_DISCLOSURES.items() if sha.startswith(k)), None):
        return sha_label, "prose-disclosure"
    if _addr(ae) in AMBIGUOUS_ACCOUNTS or any(
        _addr(m.group(1)) in AMBIGUOUS_ACCOUNTS for m in _COAUTHOR.finditer(body)
    ):
        return "ambiguous", "unverifiable-agent-account"
    if an.strip().lower() in AMBIGUOUS_NAMES:
        return "ambiguous", "agent-worker-unverifiable"
    if _addr(ae) in AMBIGUOUS_AUTHORS or any(
        _addr(m.group(1)) in AMBIGUOUS_COAUTHORS for m in _COAUTHOR.finditer(body)
    ):
        return "ambiguous", "automation-of-agent-prs"
    if cn.rstrip().endswith("(aider)"):
        return "human", "committer-only-suffix"
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
        sha = sha.strip()
        if sha:
            rows.append((sha, *label(an, ae, cn, ce, body, sha)))
    return rows


def main() -> None:
    (HERE / "labels").mkdir(exist_ok=True)
    ranges = tomllib.loads((HERE / "ranges.toml").read_text())["range"]
    for arg in sys.argv[1:]:
        clone = Path(arg)
        rows: list[tuple[str, str, str]] = []
        for r in ranges:
            if r["repo"].replace("/", "+") == clone.name:
                revs = [r["head"]] if not r["base"] else [f"{r['base']}..{r['head']}"]
                rows += label_repo(clone, revs)
        dest = HERE / "labels" / f"{clone.name}.tsv"
        # only commits that are not plain "human / none": every other commit of a range is human
        keep = sorted({(s[:SHA_LEN], lab, ev) for s, lab, ev in rows if (lab, ev) != ("human", "none")})
        dest.write_text("".join(f"{s}\t{lab}\t{ev}\n" for s, lab, ev in keep))
        counts: dict[str, int] = {}
        for _, lab, _ in rows:
            counts[lab] = counts.get(lab, 0) + 1
        print(clone.name, len(rows), dict(sorted(counts.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
