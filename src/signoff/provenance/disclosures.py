"""Prose AI disclosures in commit messages: "AI usage: Claude wrote the tests", "No AI was used".

Projects whose pull-request template asks for an AI disclosure carry it into the squash commit. This is
prose, not a tool's mark, so it is read as a separate, weaker signal (``disclosure``), only when
``[ai] disclosures`` asks for it, and it is *classified*:

- a disclosure that says AI wrote code or tests (wrote, implemented, generated, drafted the change, did
  the work, "tests were AI-assisted", "Lots of <tool> help") is AI, naming the tool when it is named;
- a negative one ("None", "No AI was used", "did not use AI") is not;
- one where AI only found, investigated, reviewed, benchmarked or drafted the commit message or PR text,
  and a person wrote the change ("I wrote the code", "written by me"), is not.

What is read: a paragraph introduced by a disclosure label at a line start ("AI usage:", "## AI
Disclosure", "**LLM notes:**", "AI disclaimer:"), a checked "Yes" under a "Was generative AI tooling
used" question, and a few unlabelled declarations ("This code was written with assistance from <AI>",
"tests were AI-assisted"). Everything is bounded: the message is the change author's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest disclosure text classified (the paragraph after a label).
MAX_TEXT = 800
#: Most labelled paragraphs classified per message (each costs up to MAX_TEXT; a message of nothing but
#: labels would otherwise cost a classification per line).
MAX_LABELS = 32
#: Labels that open a disclosure: "AI usage", "AI Disclosure", "LLM Notes", "AI usage disclosure",
#: "AI disclosure per AI_POLICY.md", "AI Closure" (a typo seen in a real template answer).
_LABEL = re.compile(
    r"^[ \t>*_#-]{0,12}(?:AI|LLMs?|Gen(?:erative)?[ -]?AI)(?:[ \t]+[\w-]{1,20}){0,2}?[ \t]+"
    r"(?:usage|use|disclosure|disclaimer|closure|notes?|assistance|involvement)\b[^\n]{0,400}",
    re.I | re.M,
)
#: "Was generative AI tooling used to co-author this PR?" then a checked "- [x] Yes — <tool>".
_CHECKBOX = re.compile(
    r"^[^\n]{0,40}\bwas (?:generative )?AI[^\n]{0,80}\bused\b[^\n]{0,120}\n(?:[ \t]*\n){0,3}"
    r"[ \t]*Yes\b(?P<rest>[^\n]{0,200})",
    re.I | re.M,
)
_AI_NAMES = (
    r"AI|LLMs?|agents?|models?|claude(?: code)?|codex|chatgpt|gpt[- ]?[\d.]*\w*|copilot|gemini|"
    r"opencode|fable(?: \d)?|opus(?: [\d.]+)?|sonnet(?: [\d.]+)?|devin|jules|aider|windsurf|sol[- ][\d.]+\w*"
)
#: Unlabelled declarations that say AI wrote the change.
_DECLARATION = re.compile(
    r"\b(?:this|the)[ \t]+(?:PR|pull request|change|changes|patch|commit|code|work|implementation|fix)\b"
    r"[^.\n]{0,40}?\b(?:was|were|is|has been)[ \t]+(?:\w+ly[ \t]+)?(?:written|generated|created|produced|"
    r"drafted|developed|implemented|authored|done|made|driven)[ \t]+(?:[\w-]+[ \t]+){0,2}?"
    rf"(?:with|by|using|alongside)\b[^.\n]{{0,60}}?\b(?:{_AI_NAMES})\b"
    r"|\b(?:tests?|code|implementation)[ \t]+(?:(?:was|were|is|are)[ \t]+)?AI[- ]assisted\b"
    r"|^[ \t]*(?:developed|written|generated|created|built|implemented|made)[ \t]+(?:with|by|using)[ \t]+"
    rf"(?:the[ \t]+)?(?:help[ \t]+of[ \t]+)?(?:an?[ \t]+)?(?:{_AI_NAMES})\b",
    re.I | re.M,
)
#: Cheap pre-check: every form above needs one of these words ("cursor" and "amp" are ordinary words:
#: they name a tool only inside a labelled disclosure, through the catalogue's own words).
_GATE = re.compile(
    r"\b(?:AI|LLMs?|generative|claude|codex|chatgpt|gpt|copilot|gemini|opencode|fable|opus|sonnet|devin|"
    r"jules|aider|windsurf)\b",
    re.I,
)

_CLAUSES = re.compile(
    r"(?<=[.!?;])\s+|\n\s*[-*]\s+|,?\s+but\s+|,\s+then\s+|\s+(?:though|however|although)\s+|,\s+(?:and\s+)?(?=(?i:I)\b)"
    r"|\s+(?:before|after|while|then)\s+(?=I\b)",
    re.I,
)
_NEGATIVE_START = re.compile(r"^\W*(?:none|no|n/?a|nope|nothing|zero|not used)\b", re.I)
_NEGATIVE = re.compile(
    r"\b(?:no|zero)[ \t]+(?:AI|LLMs?|gen(?:erative)?[ -]?AI|agents?|AI tools?)\b"
    r"|\b(?:did not|didn't|do not|don't|never)[ \t]+use[ \t]+(?:any[ \t]+)?(?:AI|LLMs?|agents?)\b"
    r"|\bwithout[ \t]+(?:any[ \t]+)?(?:AI|LLMs?)\b|\bnot[ \t]+(?:AI|LLM)[- ](?:generated|assisted|written)\b"
    r"|\b(?:no|not)[ \t]+(?:[\w-]+[ \t]+)?(?:generated|written)[ \t]+(?:code|tests?)\b|\bno[ \t]+code\b",
    re.I,
)
#: Verbs that say code or tests were produced.
_WRITE = re.compile(
    r"\b(?:wr[io]te|writ(?:e|es|ing|ten)|implement\w*|generat\w*|draft(?:ed|s|ing)?|creat(?:e|ed|ing)|"
    r"developed|driven|produced|coded|refactor\w*|port(?:ed|ing)|add(?:ed|ing)?|extend(?:ed|ing)?|"
    r"fill(?:ed|ing)?[ \t]+in|clean(?:ed)?[ \t]+up|rewr[io]te|fix(?:ed|ing)?|"
    r"chang(?:ed|es)[ \t]+(?:it|the|this|that)|"
    r"did[ \t]+(?!not\b)\w+|do(?:es|ne)?[ \t]+(?:the|most|all|everything|this|it)\b|"
    r"made[ \t]+(?:the[ \t]+|these[ \t]+|this[ \t]+|all[ \t]+)?(?:changes?|patch|fix|edits?)|"
    r"making[ \t]+(?:the[ \t]+)?changes?|in[ \t]+concert|AI[- ](?:code|written|generated|authored))\b",
    re.I,
)
#: Vaguer words: AI counts only when the clause names no investigative use.
_ASSIST = re.compile(
    r"\b(?:assist\w*|help\w*|used[ \t]+(?:AI|an?[ \t]+(?:LLM|agent)|it)\b|with[ \t]+(?:the[ \t]+)?"
    r"(?:help|assistance)|AI[- ]assisted|I[ \t]+used\b|I[ \t]+had[ \t]+(?:it|AI)|let[ \t]+(?:it|AI))",
    re.I,
)
_INVESTIGATE = re.compile(
    r"\b(?:investigat\w*|debug\w*|analy[sz]\w*|research\w*|review\w*|judg\w*|validat\w*|verif\w*|find\w*|"
    r"found|spott?\w*|identif\w*|search\w*|explain\w*|understand\w*|trac(?:e|ed|es|ing)|inspect\w*|"
    r"diagnos\w*|profil\w*|benchmark\w*|measur\w*|bisect\w*|point\w*|learn\w*|questions?|monitor\w*|"
    r"summari[sz]\w*|brainstorm\w*|setting up|set up|testing)\b",
    re.I,
)
#: The person wrote it: "I wrote the code", "written by me", "hand-written", "by hand".
_HUMAN = re.compile(
    r"\b(?:by[ \t]+(?:me|myself|hand|(?:a[ \t]+)?humans?)|myself|hand[- ]?(?:written|rolled|coded|crafted)|"
    r"human[- ]written|organic|"
    r"I[ \t]+(?:\w+ly[ \t]+)?(?:wrote|write|implemented|coded|did|made|changed|came up|rewrote|applied|"
    r"fixed|added|drove))\b",
    re.I,
)
#: Only the commit message, the PR text or the comments: not code.
_TEXT_ONLY = re.compile(
    r"(?:(?:a|an|the|this|these|that|my|our|some|all|most|parts?[ \t]+of|initial|first)[ \t]+){0,3}"
    r"\b(?:commit[ \t]+messages?|commits?[ \t]+text|(?:pr|pull request)(?:[ \t]+(?:message|description|"
    r"body|text))?|this[ \t]+(?:message|description)|descriptions?|summar(?:y|ies)|comments?)\b",
    re.I,
)
_CODE = re.compile(r"\b(?:code|tests?|implementation|fix|changes?|patch|functions?|parser)\b", re.I)
_TESTS = re.compile(
    r"\btest[ -]writing\b|\b(?:wr[io]te|writ\w+|add\w*|generat\w*|extend\w*)[ \t]+(?:[\w-]+[ \t]+){0,3}?"
    r"(?:unit[ \t]+|regression[ \t]+)?tests?\b",
    re.I,
)
_UNCHECKED = re.compile(r"^[ \t]*[-*+][ \t]*\[[ \t]?\][^\n]*(?:\n|\Z)", re.M)
_CHECKED = re.compile(r"^[ \t]*[-*+][ \t]*\[[xX]\][ \t]*", re.M)
_AI_LED = re.compile(rf"\W*(?:(?:the|an?|openai|google|github|anthropic)\s+)?(?:{_AI_NAMES}|it|they)\b", re.I)
_AI_SUBJECT = re.compile(rf"\b(?:{_AI_NAMES})\b", re.I)


@dataclass(frozen=True, slots=True)
class Disclosure:
    """A disclosure that says AI wrote part of the change: its text (one line) and the rule."""

    text: str
    rule: str


def _paragraph(message: str, start: int, end: int) -> str:
    """The label line's rest and the lines after it up to a blank line (the next paragraph when the
    label stands alone), bounded."""
    line = message[start:end]
    rest = line.split(":", 1)[1] if ":" in line[:80] else ""
    tail = message[end : end + MAX_TEXT * 2]
    if not rest.strip(" \t*_#"):
        tail = tail.lstrip("\n")
    para = re.split(r"\n[ \t]*\n", tail, maxsplit=1)[0]
    return " ".join(f"{rest} {para}".replace("*", " ").split())[:MAX_TEXT]


def classify(text: str) -> str:
    """``ai`` (AI wrote code or tests), ``negative`` (no AI), or ``other`` (AI only looked)."""
    clauses = [c for c in _CLAUSES.split(" ".join(text.split())) if c and c.strip()]
    wrote = mixed = human_code = False
    for clause in clauses:
        if clause.rstrip().endswith("?") or _NEGATIVE.search(clause) or _NEGATIVE_START.match(clause):
            continue
        strong = any(not _TEXT_ONLY.match(clause, m.end() + 1) for m in _WRITE.finditer(clause))
        if _AI_LED.match(clause) and strong and not _INVESTIGATE.search(clause):
            wrote = True  # "Claude wrote the tests before I changed f": the AI is the subject
            continue
        if _HUMAN.search(clause):
            human_code = human_code or bool(_CODE.search(clause) and _WRITE.search(clause))
            continue
        if _TESTS.search(clause):
            wrote = True  # "AI assisted validation and test writing": the tests are AI's
            continue
        looked = _INVESTIGATE.search(clause) is not None
        if strong or (_ASSIST.search(clause) and not looked and not _text_only(clause)):
            if strong and looked:
                mixed = True  # "used X to find where to start when implementing": counts unless a
            else:  # person says they wrote the code
                wrote = True
    if wrote or (mixed and not human_code):
        return "ai"
    if clauses and (_NEGATIVE_START.match(clauses[0]) or _NEGATIVE.search(text)):
        return "negative"
    return "other"


def _text_only(clause: str) -> bool:
    """The clause names only prose as what was produced (commit messages, PR text, comments)."""
    return _TEXT_ONLY.search(clause) is not None and _CODE.search(clause) is None


def _clean(message: str) -> str:
    """``message`` without HTML comments (template hints) and unchecked template boxes ("- [ ] AI
    generated some code" is an option nobody chose); checked boxes keep their text. Linear."""
    parts: list[str] = []
    pos = 0
    while (start := message.find("<!--", pos)) >= 0:
        parts.append(message[pos:start])
        end = message.find("-->", start + 4)
        if end < 0:
            pos = len(message)
            break
        pos = end + 3
    parts.append(message[pos:])
    text = "".join(parts)
    if "[" not in text:
        return text
    return _CHECKED.sub("", _UNCHECKED.sub("", text))


def find_disclosures(message: str) -> list[Disclosure]:
    """The disclosures in ``message`` that say AI wrote part of the change (empty when none does)."""
    if _GATE.search(message) is None:
        return []
    message = _clean(message)
    out: list[Disclosure] = []
    for _, m in zip(range(MAX_LABELS), _LABEL.finditer(message), strict=False):
        text = _paragraph(message, m.start(), m.end())
        if classify(text) == "ai":
            label = m.group(0).split(":", 1)[0].strip(" \t>*_#-")
            out.append(Disclosure(f"{label}: {text}"[:240], "AI disclosure"))
            return out
    for m in _CHECKBOX.finditer(message):
        out.append(Disclosure(" ".join(m.group(0).split())[:240], "AI disclosure checkbox answered yes"))
        return out
    if out or _LABEL.search(message):
        return out  # a labelled disclosure that says no (or only looked) decides
    for m in _DECLARATION.finditer(message):
        start = message.rfind("\n", 0, m.start()) + 1
        end = message.find("\n", m.end())
        line = message[start : end if end >= 0 else len(message)].strip()
        return [Disclosure(line[:240], "AI declaration in prose")]
    return out


def names_ai(text: str) -> bool:
    """The disclosure names an AI tool, model or AI itself (a tool is looked up by the caller)."""
    return _AI_SUBJECT.search(text) is not None
