"""Keys in the order typed: each key goes where the previous keys have put the focus.

Textual routes a key to the widget focused when the key is *read*. When several keys are read at once
(tmux sends ``/exec.Command`` in one write; a busy app reads a burst of typed keys), every key of the
burst goes to the widget that was focused before the first one ran: ``/`` opens the search box, but
``exec.Command`` still goes to the diff, where ``e`` opens the note editor and the rest becomes a note.

:class:`OrderedKeys` holds the keys of a burst and routes the next one only when the previous key has
gone through its widget chain (a :class:`KeyRouted` marker posted behind it reaches the app), the focus
changes it asked for have run (``Widget.focus`` is deferred), a screen it pushed is mounted and the
messages it set off have been handled (a palette closing after enter, a search box submitted). However
busy the app is (an analysis thread holding the interpreter), keys keep their order; only a key whose
widget went away (its marker can never arrive) releases the next one, checked every
:data:`KEY_CHECK_S`, and no key holds the others longer than :data:`KEY_LIMIT_S`.
"""

from __future__ import annotations

from collections import deque

from textual import events
from textual.app import App
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

#: Seconds between checks that the widget a key went to is still there.
KEY_CHECK_S = 1.0
#: Seconds one key may hold the keys typed after it, whatever happens (then they are routed anyway).
KEY_LIMIT_S = 15.0
#: Seconds between checks that what the previous key set off has settled, and how many checks at most.
SETTLE_POLL_S = 0.005
SETTLE_POLLS = 400


class KeyRouted(Message):
    """Posted to the widget a key went to, right behind the key: it reaches the app after the key."""

    def __init__(self, serial: int) -> None:
        super().__init__()
        self.serial = serial


class OrderedKeys(App[int]):
    """An app whose keys are routed one after the other (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._typed: deque[events.Key] = deque()
        self._key_serial = 0
        self._key_busy = False
        self._key_timer: Timer | None = None
        self._key_target: Widget | None = None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._typed.append(event)
            if not self._key_busy:
                await self._route_typed()
            elif self._key_timer is None and self._key_target is not None:
                self._watch_key(self._key_serial, self._key_target, KEY_LIMIT_S)
            return
        await super().on_event(event)

    async def _route_typed(self) -> None:
        """Route the oldest waiting key the way Textual does (priority bindings, then the focused widget)."""
        if self._key_busy or not self._typed:
            return
        key = self._typed.popleft()
        target = self.focused or self.screen
        self._key_serial += 1
        serial = self._key_serial
        self._key_busy = True
        self._key_target = target
        await super().on_event(key)
        if not (key.is_forwarded and target.post_message(KeyRouted(serial))):
            self.call_later(self._key_done, serial)  # handled here (a priority binding), or nowhere

    def _watch_key(self, serial: int, target: Widget, left: float) -> None:
        """Release the keys behind ``serial`` if its widget went away (or after ``left`` seconds)."""

        def check() -> None:
            gone = not target.is_attached or target._closing or target._closed
            if gone or left <= KEY_CHECK_S:
                self._key_done(serial, force=True)
            elif serial == self._key_serial and self._key_busy:
                self._watch_key(serial, target, left - KEY_CHECK_S)

        self._key_timer = self.set_timer(KEY_CHECK_S, check)

    def on_key_routed(self, msg: KeyRouted) -> None:
        msg.stop()
        self.call_later(self._key_done, msg.serial)  # after the focus changes the key asked for

    def _key_done(self, serial: int, *, force: bool = False, polls: int = 0) -> None:
        if serial != self._key_serial or not self._key_busy:
            return
        if self._typed and not force and polls < SETTLE_POLLS and not self._settled():
            self.set_timer(SETTLE_POLL_S, lambda: self._key_done(serial, polls=polls + 1))
            return
        self._key_busy = False
        self._key_target = None
        if self._key_timer is not None:
            self._key_timer.stop()
            self._key_timer = None
        if self._typed:
            self.call_later(self._route_typed)

    def _settled(self) -> bool:
        """The screen is mounted and it, its widgets and the app have no message waiting: what the last
        key set off (a search box submitted, a palette closing, a screen pushed) has happened."""
        screen = self.screen
        if not screen.is_mounted:
            return False
        return all(node._message_queue.empty() for node in (self, *screen.walk_children(with_self=True)))
