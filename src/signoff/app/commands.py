"""Command palette entries for every review action."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ReviewCommands(Provider):
    """Every action of the review screen, by name."""

    def _actions(self) -> list[tuple[str, str, str]]:
        from signoff.app.screens.review import ACTIONS

        return ACTIONS

    async def _run(self, action: str) -> None:
        from signoff.app.screens.review import ReviewScreen

        screen = next((s for s in reversed(self.app.screen_stack) if isinstance(s, ReviewScreen)), None)
        if screen is None:
            return
        if action.startswith("app."):
            await self.app.run_action(action[4:])
        else:
            await screen.run_action(action)

    async def discover(self) -> Hits:
        for title, action, help_text in self._actions():
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._actions():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action), help=help_text)
