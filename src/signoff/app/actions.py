"""The one table of user actions: key bindings, the command palette and the help screen all come from it.

Each :class:`Action` names its keys (Textual key names), the action string run on its scope's node, a
title (palette and help), a help group and, when it belongs in the footer, a short footer label. Screens
and widgets take ``BINDINGS = bindings("scope")``; the palette lists :func:`palette_actions`; the help
screen lists :func:`help_groups`. Binding ids (``scope.name``) let users remap keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

#: Scopes whose actions are run from the command palette, and on which node (see ``app.palette``).
PALETTE_SCOPES = ("app", "review", "diff")


@dataclass(frozen=True)
class Action:
    id: str
    keys: str
    action: str
    title: str
    scope: str
    group: str
    #: Footer label; empty: not shown in the footer.
    footer: str = ""
    key_display: str | None = None
    palette: bool = True
    priority: bool = False

    @property
    def shown_keys(self) -> str:
        """The keys as the help screen shows them (``j / down``)."""
        if self.key_display:
            return self.key_display
        return " / ".join(_KEY_NAMES.get(k, k) for k in self.keys.split(","))


_KEY_NAMES = {
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "right_curly_bracket": "}",
    "left_curly_bracket": "{",
    "full_stop": ".",
    "comma": ",",
    "slash": "/",
    "question_mark": "?",
    "greater_than_sign": ">",
    "less_than_sign": "<",
    "pagedown": "pgdn",
    "pageup": "pgup",
}

MOVE, FILES, QUESTIONS, VIEW, FINISH, EDIT = "Move", "Files", "Questions", "View", "Finish", "Editing"


def _a(
    scope: str, name: str, keys: str, action: str, title: str, group: str, footer: str = "", **kw: object
) -> Action:
    return Action(f"{scope}.{name}", keys, action, title, scope, group, footer, **kw)  # type: ignore[arg-type]


ACTIONS: tuple[Action, ...] = (
    # the diff pane
    _a("diff", "down", "j,down", "cursor(1)", "Cursor down a line", MOVE, palette=False),
    _a("diff", "up", "k,up", "cursor(-1)", "Cursor up a line", MOVE, palette=False),
    _a("diff", "page-down", "pagedown,ctrl+f,space", "page(1)", "Page down", MOVE),
    _a("diff", "page-up", "pageup,ctrl+b", "page(-1)", "Page up", MOVE),
    _a("diff", "top", "g,home", "top", "First line of the diff", MOVE),
    _a("diff", "bottom", "G,end", "bottom", "Last line of the diff", MOVE),
    _a("diff", "left", "h,left", "hscroll(-8)", "Scroll left", MOVE, palette=False),
    _a("diff", "right", "l,right", "hscroll(8)", "Scroll right", MOVE, palette=False),
    _a("diff", "line-start", "0", "hscroll_home", "Scroll back to column 1", MOVE),
    _a("diff", "select", "v", "toggle_selection", "Start / end a selection (for evidence)", EDIT),
    _a("diff", "half-down", "ctrl+d", "half_page(1)", "Half a page down", MOVE),
    _a("diff", "half-up", "ctrl+u", "half_page(-1)", "Half a page up", MOVE),
    # the review screen
    _a(
        "review",
        "next-hunk",
        "right_square_bracket",
        "next_hunk",
        "Next hunk",
        MOVE,
        "Hunk▸",
        key_display="]",
    ),
    _a("review", "prev-hunk", "left_square_bracket", "prev_hunk", "Previous hunk", MOVE, key_display="["),
    _a(
        "review", "next-file", "right_curly_bracket", "next_file", "Next file", MOVE, "File▸", key_display="}"
    ),
    _a("review", "prev-file", "left_curly_bracket", "prev_file", "Previous file", MOVE, key_display="{"),
    _a("review", "next-hit", "full_stop", "next_hit", "Jump to the question's next hit", MOVE, "Hit▸"),
    _a("review", "prev-hit", "comma", "prev_hit", "Jump to the question's previous hit", MOVE),
    _a("review", "search", "slash", "search", "Search the diff text and paths", MOVE, "Search"),
    _a("review", "search-next", "n", "search_next", "Next search match", MOVE),
    _a("review", "search-prev", "N", "search_prev", "Previous search match", MOVE),
    _a(
        "review",
        "mark-reviewed",
        "r",
        "mark_reviewed",
        "Mark the highlighted file reviewed (toggle)",
        FILES,
        "Reviewed",
    ),
    _a("review", "toggle-tree", "t", "toggle_tree", "File list: flat or directory tree", FILES),
    _a("review", "filter-files", "F", "filter_files", "Filter the file list by path", FILES),
    _a("review", "answer-pass", "p", "answer('pass')", "Answer: the question passes", QUESTIONS, "Pass"),
    _a("review", "answer-fail", "f", "answer('fail')", "Answer: the question fails", QUESTIONS, "Fail"),
    _a("review", "answer-na", "a", "answer('na')", "Answer: does not apply (n/a)", QUESTIONS, "N/A"),
    _a("review", "answer-clear", "c", "answer('')", "Clear the answer", QUESTIONS),
    _a(
        "review",
        "edit-note",
        "e",
        "edit_note",
        "Write a note (for the question just answered)",
        QUESTIONS,
        "Note",
    ),
    _a(
        "review",
        "attach-evidence",
        "m",
        "attach_evidence",
        "Attach the line or selection as evidence",
        QUESTIONS,
        "Evidence",
    ),
    _a(
        "review",
        "triage-finding",
        "T",
        "triage",
        "Triage the scanner finding here: true / false positive / accepted risk",
        QUESTIONS,
    ),
    _a("review", "next-question", "J", "next_question", "Next question", QUESTIONS),
    _a("review", "prev-question", "K", "prev_question", "Previous question", QUESTIONS),
    _a("review", "next-unanswered", "U", "next_unanswered", "Next unanswered question", QUESTIONS),
    _a(
        "review", "all-questions", "u", "toggle_all_questions", "Show / hide untriggered questions", QUESTIONS
    ),
    _a("review", "toggle-split", "s", "toggle_split", "Unified or side-by-side diff", VIEW),
    _a("review", "wrap-line", "w", "wrap_line", "Show the whole current line, wrapped", VIEW),
    _a("review", "line-info", "i", "line_info", "Why is this line marked AI?", VIEW),
    _a("review", "toggle-detail", "d", "toggle_detail", "Show / hide the detail panel", VIEW),
    _a("review", "toggle-sidebar", "b", "toggle_sidebar", "Show / hide the sidebar", VIEW),
    _a("review", "grow-sidebar", "greater_than_sign", "resize_sidebar(4)", "Widen the sidebar", VIEW),
    _a("review", "shrink-sidebar", "less_than_sign", "resize_sidebar(-4)", "Narrow the sidebar", VIEW),
    _a("review", "jump-file", "o", "jump_file", "Go to a file (fuzzy search by path)", FILES),
    _a("review", "hide-viewed", "V", "hide_viewed", "Hide / show the files marked reviewed", FILES),
    _a("review", "comment", "C", "comment", "Comment on the line or selection (line comment)", EDIT),
    _a("review", "editor", "E", "open_editor", "Open the current line in $VISUAL / $EDITOR", VIEW),
    _a("review", "more-context", "x", "more_context", "More context around this file's hunks", VIEW),
    _a("review", "whole-file", "X", "whole_file", "Show this whole file", VIEW),
    _a("review", "whitespace", "W", "toggle_whitespace", "Ignore whitespace changes (view only)", VIEW),
    _a("review", "rereview", "R", "rereview", "Review since the last review (interdiff)", FINISH),
    _a("review", "finish", "S", "finish", "Finish: summary, verdict, sign and save", FINISH, "Finish"),
    _a(
        "review",
        "escape",
        "escape",
        "escape",
        "Close search / selection, back to the diff",
        MOVE,
        palette=False,
    ),
    # the whole app
    _a("app", "help", "question_mark", "help", "Keys and what they do", FINISH, "Help"),
    _a("app", "history", "H", "history", "History of past reviews", FINISH),
    _a("app", "quit", "q", "quit", "Quit (the draft is kept and resumed next time)", FINISH),
    _a(
        "app",
        "ctrl-q",
        "ctrl+q",
        "ctrl_q",
        "Quit; in the note editor: cancel the editor",
        FINISH,
        palette=False,
        priority=True,
    ),
    # the file list
    _a("files", "down", "j,down", "cursor(1)", "File list: next file", FILES, palette=False),
    _a("files", "up", "k,up", "cursor(-1)", "File list: previous file", FILES, palette=False),
    _a("files", "page-down", "pagedown,space", "page(1)", "File list: page down", FILES, palette=False),
    _a("files", "page-up", "pageup", "page(-1)", "File list: page up", FILES, palette=False),
    _a("files", "first", "g,home", "first", "File list: first file", FILES, palette=False),
    _a("files", "last", "G,end", "last", "File list: last file", FILES, palette=False),
    _a("files", "open", "enter", "open", "File list: show the file in the diff", FILES, palette=False),
    # the checklist list
    _a("questions", "down", "j", "cursor_down", "Checklist: next question", QUESTIONS, palette=False),
    _a("questions", "up", "k", "cursor_up", "Checklist: previous question", QUESTIONS, palette=False),
    # dialogs
    _a("note", "save", "ctrl+s", "save", "Note editor: save the note", EDIT, "Save", palette=False),
    _a(
        "note",
        "cancel",
        "escape",
        "cancel",
        "Note editor: cancel (asks first if you typed)",
        EDIT,
        "Cancel",
        palette=False,
    ),
    _a("summary", "back", "escape", "back", "Summary: back to the review", FINISH, "Back", palette=False),
    _a(
        "summary",
        "sign",
        "ctrl+s",
        "sign",
        "Summary: sign and save the record",
        FINISH,
        "Sign and save",
        palette=False,
    ),
    _a("history", "back", "escape,H", "back", "History: back", FINISH, "Back", palette=False),
    _a("history", "open", "enter", "open_record", "History: open the record", FINISH, "Open", palette=False),
    _a("record", "back", "escape,q", "back", "Record: back to the history", FINISH, "Back", palette=False),
    _a("confirm", "yes", "y", "answer(True)", "Confirm: yes", FINISH, "Yes", palette=False),
    _a("confirm", "no", "n,escape", "answer(False)", "Confirm: no", FINISH, "No", palette=False),
    _a(
        "rereview",
        "since",
        "i,enter",
        "choose(True)",
        "Re-review: the changes since",
        FINISH,
        "Since",
        palette=False,
    ),
    _a(
        "rereview",
        "full",
        "f,escape",
        "choose(False)",
        "Re-review: the full range",
        FINISH,
        "Full",
        palette=False,
    ),
    _a("help", "close", "escape,q,question_mark", "dismiss", "Help: close", FINISH, "Close", palette=False),
)

#: Help groups in the order the help screen shows them.
GROUPS = (MOVE, FILES, QUESTIONS, VIEW, EDIT, FINISH)


BindingList = list[Binding | tuple[str, str] | tuple[str, str, str]]


def bindings(scope: str) -> BindingList:
    """The Textual bindings of ``scope``, generated from :data:`ACTIONS`."""
    return [
        Binding(
            a.keys,
            a.action,
            a.footer or a.title,
            show=bool(a.footer),
            key_display=a.key_display,
            priority=a.priority,
            id=a.id,
        )
        for a in ACTIONS
        if a.scope == scope
    ]


def palette_actions() -> list[Action]:
    """Actions offered by name in the command palette."""
    return [a for a in ACTIONS if a.palette and a.scope in PALETTE_SCOPES]


def help_groups() -> list[tuple[str, list[Action]]]:
    """(group, actions) in help order; each action once."""
    return [(g, [a for a in ACTIONS if a.group == g]) for g in GROUPS]


def keys_for(scope: str) -> frozenset[str]:
    """Every key bound in ``scope`` (to tell a reviewer which pane a dead key belongs to)."""
    return frozenset(k for a in ACTIONS if a.scope == scope for k in a.keys.split(","))
