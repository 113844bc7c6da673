"""Prose AI disclosures (``[ai] disclosures``): what says AI wrote code, what says no, what says AI only
looked; template boxes and hints; bounded work on hostile messages. Cases written for these tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from signoff.errors import UsageError
from signoff.provenance.catalogue import load_catalogue
from signoff.provenance.disclosures import classify, find_disclosures
from signoff.provenance.tools import HIGH, LOW, MEDIUM
from tests.helpers import commit_files, git, make_repo

SRC = Path(__file__).parents[1] / "src"

HUMAN = ("Ana Lima", "ana@example.org")


def _msg(body: str) -> str:
    return f"Fix scroll region reset (#812)\n\nThe region was not reset on resize.\n\n{body}\n"


@pytest.mark.parametrize(
    "body",
    [
        "**AI usage:** Claude wrote the fix and the regression test. I reviewed every line.",
        "## AI Disclosure\n\nCodex implemented this; I tested it on two machines.",
        "AI disclosure: the parser was generated with Gemini CLI, then trimmed by hand.",
        "### LLM notes\n\nMost of this was driven by an agent: profiling,\nimplementation and benchmarks.",
        "AI usage: lots of Copilot help here.",
        "**AI usage:** test writing and checking against the spec; the\nstate machine is mine.",
        "This change was written with the assistance of Claude Code and reviewed by me.",
        "Code was hand-written, tests were AI-assisted.",
        "Developed with AI assistance (Claude Code); I can answer questions about it.",
        "AI disclosure: I used an agent to investigate the crash and write the fix.",
        "AI disclosure: Claude wrote the tests before I changed the parser.",
        "Was generative AI tooling used to co-author this PR?\n\n- [x] Yes — Claude Code (Opus)",
        "## AI assistance\n\n- [ ] No AI tools were used\n- [x] AI generated most of the code (Claude Code)",
    ],
)
def test_disclosures_that_ai_wrote_code(body: str) -> None:
    found = find_disclosures(_msg(body))
    assert len(found) == 1, body


@pytest.mark.parametrize(
    "body",
    [
        "AI disclosure: no AI was used.",
        "**AI usage:** None.",
        "**AI usage:** none, except to sanity-check the benchmark numbers.",
        "## AI Disclosure\n\nNo AI is used for this one; code and comments are mine.",
        "AI disclosure: I did not use AI for this change.",
        "AI usage: I asked Claude to find where the bug was, but I wrote the code myself.",
        "## AI disclosure\n\nCodex helped me investigate the trace and explain the GTK signal path.",
        "**AI usage:** Claude drafted the commit message and this PR description; the code is hand-written.",
        "AI disclosure: the bug was spotted by an agent during another task, I fixed it by hand.",
        "## AI assistance\n\n- [ ] AI generated some code\n- [ ] AI generated most of the code\n"
        "- [x] No AI tools were used",
        "## AI assistance\n\n- [ ] AI generated some code (please specify below)\n"
        "<!-- e.g. Claude wrote the tests -->",
        "Was generative AI tooling used to co-author this PR?\n\n- [ ] Yes (please specify the tool below)",
        "### Generative AI Disclosure\n\n- [x] No generative AI was used in this contribution.\n"
        "- [ ] This contribution was assisted by generative AI tools.\n  - How were they used?\n"
        "  - What did you fix as a result?",
        "## LLM involvement\n\n- [ ] This PR was created with the assistance of an AI\n"
        "- [x] This PR was created entirely by a human",
        "We added an AI provider setting; the model list is generated from the API schema.",
        "The agent was written to retry the request when the model times out.",
    ],
)
def test_negative_investigative_template_and_product_text_is_not_ai(body: str) -> None:
    assert find_disclosures(_msg(body)) == [], body


def test_classify_names_the_three_outcomes() -> None:
    assert classify("Claude implemented the fix.") == "ai"
    assert classify("None used except to validate results.") == "negative"
    assert classify("I used Codex to trace the bug; the code is written by me.") == "other"


def test_a_disclosure_is_low_by_default_and_medium_when_configured() -> None:
    message = _msg("**AI usage:** Claude wrote the fix and the test.")
    sigs = load_catalogue().commit_signals(message, HUMAN, HUMAN)
    assert [(s.kind, s.tool, s.confidence) for s in sigs] == [("disclosure", "claude", LOW)]
    counted = load_catalogue({"disclosures": "medium"}).commit_signals(message, HUMAN, HUMAN)
    assert [(s.kind, s.confidence) for s in counted] == [("disclosure", MEDIUM)]
    assert load_catalogue({"disclosures": "off"}).commit_signals(message, HUMAN, HUMAN) == []


def test_a_negative_disclosure_does_not_hide_a_trailer() -> None:
    message = _msg("AI disclosure: no AI was used.\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    sigs = load_catalogue({"disclosures": "medium"}).commit_signals(message, HUMAN, HUMAN)
    assert sigs[0].kind == "trailer" and sigs[0].confidence == HIGH


def test_disclosures_setting_is_checked() -> None:
    with pytest.raises(UsageError):
        load_catalogue({"disclosures": "high"})
    with pytest.raises(UsageError):
        load_catalogue({"disclosures": True})


def test_hostile_messages_are_read_in_linear_time() -> None:
    """Unclosed HTML comments, thousands of labels and boxes: a bounded subprocess, not a hang."""
    script = (
        "import time;from signoff.provenance.disclosures import find_disclosures as f\n"
        "msgs=['<!--'*200000, 'AI usage: '*100000, '- [ ] AI generated\\n'*50000,\n"
        " ('AI disclosure: ' + 'x'*790 + '\\n')*2000, 'was AI used\\n'*100000 + 'Yes']\n"
        "t=time.process_time()\n"
        "for m in msgs: f(m)\n"
        "print(time.process_time()-t)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert float(out.stdout) < 20


def test_a_message_of_disclosure_labels_is_read_in_bounded_time(tmp_path: Path) -> None:
    """A commit message of 60,000 lone "AI usage" labels: each label's paragraph was classified (up to
    1,600 characters each, ~40 s in all); at most MAX_LABELS are now, and the trailer still counts."""
    repo = make_repo(tmp_path / "repo")
    commit_files(repo, {"README": "x\n"}, "base")
    git(repo, "checkout", "-q", "-b", "topic")
    message = "Tidy\n\n" + "AI usage\n" * 60_000 + "\nCo-authored-by: Claude <noreply@anthropic.com>\n"
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "a.py")
    git(repo, "commit", "-q", "-F", "-", input=message.encode())
    proc = subprocess.run(
        [sys.executable, "-m", "signoff", "-C", str(repo), "scan", "main..topic", "--format", "json"],
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        timeout=20,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert '"claude"' in proc.stdout.decode()
