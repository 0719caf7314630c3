"""ActivityEntries: the activity timeline's entries as one element holding plain data.

An element per entry would cost about 4 KiB of the app's memory each, for every open page (25 entries a page);
here the entries are a list of dicts that the browser draws (`activity_entries.js`, keyed by event id).
"""

from __future__ import annotations

from typing import TypedDict

from nicegui import ui


class Entry(TypedDict):
    """One entry as the browser draws it."""

    id: int
    kind: str  # the entry's `data-testid` is `timeline-<kind>`
    icon: str
    body: str
    subtitle: str
    when: str  # the exact time, shown on hover
    href: str  # the page the entry is about (a conversation's), or ""


class ActivityEntries(ui.element, component="activity_entries.js"):
    """The entries, newest first; `show` replaces the list only when it changed."""

    def __init__(self) -> None:
        super().__init__()
        dict.__setitem__(self._props, "entries", [])  # a plain list (see below)

    @property
    def entries(self) -> list[Entry]:
        entries: list[Entry] = self._props["entries"]
        return entries

    def show(self, entries: list[Entry]) -> None:
        if entries is self.entries or entries == self.entries:  # the same list: another page of the agent's made it
            return
        # Stored as it is, not wrapped in NiceGUI's observable lists and dicts (as `props[...] =` would, item by
        # item, for every tab on every change): the list is only ever replaced, never changed in place.
        dict.__setitem__(self._props, "entries", entries)
        self.update()
