"""The command palette: every action of the action table (``app.actions``) by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from signoff.app.actions import Action, palette_actions


class ReviewCommands(Provider):
    """Review, diff and app actions by title; each runs where its key would."""

    async def _run(self, action: Action) -> None:
        from_review = next((s for s in reversed(self.app.screen_stack) if s.id == "review"), None)
        if action.scope == "app":
            await self.app.run_action(action.action)
        elif from_review is None:
            self.app.notify("Only on the review screen.", timeout=2)
        elif action.scope == "diff":
            await from_review.query_one("#diff").run_action(action.action)
        else:
            await from_review.run_action(action.action)

    async def discover(self) -> Hits:
        for a in palette_actions():
            yield DiscoveryHit(a.title, partial(self._run, a), help=f"{a.shown_keys}  ({a.group})")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for a in palette_actions():
            score = matcher.match(a.title)
            if score > 0:
                yield Hit(score, matcher.highlight(a.title), partial(self._run, a), help=a.shown_keys)
