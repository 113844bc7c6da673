"""signoff.diff.highlight and signoff.review.session: the TUI's core helpers (no Textual)."""

from __future__ import annotations

from pathlib import Path

from pygments.token import Token

from signoff.diff import highlight
from signoff.review.session import AnswerValue, Evidence, ReviewSession, load_draft, save_draft


def test_lexer_by_name_shebang_and_plain() -> None:
    assert highlight.lexer_name(highlight.lexer_for("src/a.py")) == "Python"
    assert highlight.lexer_name(highlight.lexer_for("Dockerfile")) == "Docker"
    assert highlight.lexer_name(highlight.lexer_for("bin/run", "#!/usr/bin/env python3")) == "Python"
    assert highlight.lexer_name(highlight.lexer_for("bin/run", "#!/bin/sh -e")) == "Bash"
    assert highlight.lexer_for("notes.txt") is None
    assert highlight.lexer_for("LICENSE") is None


def test_tokenize_keeps_line_structure_and_multiline_state() -> None:
    lexer = highlight.lexer_for("x.py")
    spans = highlight.tokenize(lexer, ['s = """start', "middle", 'end"""', "x = 1"])
    assert len(spans) == 4
    assert spans[1] == ((0, 6, Token.Literal.String.Double),)  # inside the string thanks to shared state
    assert any(t is Token.Literal.Number.Integer for _s, _e, t in spans[3])
    assert highlight.line_tokens(lexer, "middle") != spans[1]  # alone it is a name, not a string


def test_session_answers_autosave_and_resume(tmp_path: Path) -> None:
    saved = []
    s = ReviewSession(target_key="range:a:b:0")
    s.on_change = lambda sess: saved.append(save_draft(tmp_path, sess))
    s.answer("db.sql", "fail")
    s.set_note("db.sql", "f-string SQL")
    assert s.add_evidence("db.sql", Evidence.span("db/q.py", 2, 3, "abc"))
    assert not s.add_evidence("db.sql", Evidence.span("db/q.py", 2, 3, "abc"))
    s.toggle_reviewed("db/q.py")
    s.mark_seen("app.py", {4, 5, 6})
    s.set_verdict("changes-requested", "fix the SQL")
    assert len(saved) == 5
    back = load_draft(tmp_path, "range:a:b:0")
    assert back is not None
    assert back.answer_of("db.sql") is AnswerValue.FAIL
    assert back.questions["db.sql"].evidence[0].lines == "2-3"
    assert back.reviewed_files == {"db/q.py"}
    assert back.seen_ai == {"app.py": {4, 5, 6}}
    # "looked at" is cursor/1: marking db/q.py reviewed does not make its AI line seen
    assert back.unseen_ai({"app.py": {4, 5, 6, 7}, "db/q.py": {1}}) == {"app.py": 1, "db/q.py": 1}
    assert load_draft(tmp_path, "range:a:c:0") is None
